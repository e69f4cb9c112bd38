//! Pieces every page uses: the page frame with its header, and labelled form fields.

mod field;
mod layout;
mod money;
mod submit;

pub use field::{FormAlert, FormErrors, TextField};
pub use layout::{PageFrame, SignedIn, SignedInHeader};
pub use money::{LayerCard, Money};
pub use submit::SubmitButton;
