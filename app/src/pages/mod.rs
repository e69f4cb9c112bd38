//! One module per page.

mod account_forms;
mod home;
mod models;
mod not_found;
mod refunds;
mod setup;
pub(crate) mod wallet;

pub use account_forms::{LogInPage, SignUpPage};
pub use home::HomePage;
pub use models::{ModelPage, ModelsPage};
pub use not_found::NotFoundPage;
pub use refunds::RefundsPage;
pub use wallet::WalletPage;
pub use setup::SetupWizard;
