//! Pieces every page uses: the page frame with its header, and labelled form fields.

mod field;
mod layout;

pub use field::{FormAlert, FormErrors, TextField};
pub use layout::{PageFrame, SignedInHeader};
