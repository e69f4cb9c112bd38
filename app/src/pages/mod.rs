//! One module per page.

mod account_forms;
mod activity;
mod home;
mod models;
mod not_found;
mod refunds;
mod settings;
mod setup;
pub(crate) mod wallet;

pub use account_forms::{LogInPage, SignUpPage};
pub use activity::ActivityPageView;
pub use home::HomePage;
pub use models::{ModelPage, ModelsPage};
pub use not_found::NotFoundPage;
pub use refunds::RefundsPage;
pub use settings::SettingsPageView;
pub use setup::SetupWizard;
pub use wallet::WalletPage;
