//! Twofold's domain core: money, the double-entry ledger, the funding rules and the SQLite store
//! that keeps them. Nothing here knows about HTTP or Leptos; the server and the pages call in.
//!
//! Start at [`Funding`]: one cloneable service whose methods are the operations (create and
//! unlock the wallet, recharge, withdraw, fund, refund, hold, settle, release, record usage)
//! and the reads (wallet, fundings, entries). Every failure is a [`FundingError`] with a stable
//! [`FundingError::code`].

pub mod money;

pub use money::{Amount, AmountError, AmountOverflow, AmountRules, RefundAmount, parse_amount};

/// Gives each item the `store` feature: everything but the money module above.
macro_rules! with_store {
    ($($item:item)*) => { $(#[cfg(feature = "store")] $item)* };
}

// Its limits are shared with the browser build; its rule needs the store.
pub mod consumption;

with_store! {
    pub mod accounts;
    pub mod catalog;
    pub mod clock;
    pub mod db;
    pub mod entries;
    pub mod error;
    pub mod holds;
    pub mod idempotency;
    pub mod ids;
    pub mod ledger;
    pub mod model_funding;
    pub mod onboarding;
    pub mod secret;
    pub mod service;
    pub mod settings;
    pub mod source;
    pub mod wallet;

    pub use catalog::{Catalog, CatalogError, Model};
    pub use consumption::Consumption;
    pub use entries::{DailySpend, Entry, EntryPage, EntryQuery};
    pub use error::{FundingError, MinimumKind};
    pub use holds::{Caller, Hold, HoldStatus, UsageReceipt};
    pub use idempotency::{IdempotencyKey, IdempotencyKeyError};
    pub use ledger::{BalanceMismatch, EntryKind, LedgerReport, check_ledger};
    pub use model_funding::{
        FundingList, FundingReceipt, FundingStatus, LockedFunding, ModelFunding, OpenHold,
        RefundReceipt, Setup,
    };
    pub use onboarding::{SetupProgress, SetupStep, SkippableStep};
    pub use service::Funding;
    pub use settings::{Settings, SettingsError};
    pub use source::{FundingSource, SandboxSource, SourceError, Transfer};
    pub use wallet::{Wallet, WalletMovement};
}
