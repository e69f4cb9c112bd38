//! Funding sources: where wallet money comes from and where withdrawals go.
//!
//! Only the sandbox source exists today. It settles at once and every entry it produces says it
//! is test money. A real payment processor will settle later, through its own confirmation; it
//! will need a pending state this trait does not model yet (see [`FundingSource`]).

use std::future::Future;
use std::pin::Pin;

use crate::ids::UserId;
use crate::money::Amount;

/// What a source answers for a completed transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The source's name, stored on the entry (`sandbox`).
    pub source: String,
    /// The entry's description, shown in the entry list.
    pub description: String,
    /// Whether the money is not real; shown wherever the entry is.
    pub test_money: bool,
}

/// A source refused or failed a transfer; nothing moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SourceError(pub String);

/// The future a source returns.
pub type TransferFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Transfer, SourceError>> + Send + 'a>>;

/// Where recharges come from and withdrawals go.
///
/// The service calls a source inside the write transaction of the movement, after every guard
/// has passed, so the ledger entry and the source's answer commit together. That is right for
/// sources that settle at once (the sandbox). A real processor must not be called while the
/// write lock is held and may settle minutes later; it will need a pending recharge recorded
/// first and a confirmation that writes the entry, which this trait does not yet offer.
pub trait FundingSource: Send + Sync + 'static {
    /// Takes `amount` from the user's payment method into the wallet.
    fn recharge<'a>(&'a self, user: UserId, amount: Amount) -> TransferFuture<'a>;

    /// Pays `amount` from the wallet back to the user's payment method.
    fn withdraw<'a>(&'a self, user: UserId, amount: Amount) -> TransferFuture<'a>;
}

/// The built-in test source: settles at once, moves no real money, says so on every entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxSource;

impl SandboxSource {
    pub const NAME: &'static str = "sandbox";
}

impl FundingSource for SandboxSource {
    fn recharge<'a>(&'a self, _user: UserId, _amount: Amount) -> TransferFuture<'a> {
        Box::pin(async {
            Ok(Transfer {
                source: Self::NAME.to_owned(),
                description: "Recharge from the sandbox source (test money)".to_owned(),
                test_money: true,
            })
        })
    }

    fn withdraw<'a>(&'a self, _user: UserId, _amount: Amount) -> TransferFuture<'a> {
        Box::pin(async {
            Ok(Transfer {
                source: Self::NAME.to_owned(),
                description: "Withdrawal to the sandbox source (test money)".to_owned(),
                test_money: true,
            })
        })
    }
}
