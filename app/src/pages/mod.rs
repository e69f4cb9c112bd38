//! One module per page.

mod account_forms;
mod home;
mod not_found;

pub use account_forms::{LogInPage, SignUpPage};
pub use home::HomePage;
pub use not_found::NotFoundPage;
