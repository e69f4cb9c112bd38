//! The one error type of the funding operations: one variant per rule, in roughly the order the
//! rules are checked, each with a sentence for a person, a stable [`FundingError::code`] from
//! API.md and, where one input is at fault, a [`FundingError::field`].

use time::{Duration, OffsetDateTime};

use crate::holds::HoldStatus;
use crate::ids::{HoldId, ModelId};
use crate::money::{Amount, AmountError, AmountOverflow};
use crate::source::SourceError;

/// Which minimum a funding had to reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MinimumKind {
    /// The first funding of a (user, model) pair.
    #[default]
    InitialFunding,
    /// Every later funding.
    TopUp,
}

impl MinimumKind {
    fn as_words(self) -> (&'static str, &'static str) {
        match self {
            MinimumKind::InitialFunding => ("Initial funding", "minimum initial amount"),
            MinimumKind::TopUp => ("Top-up", "minimum top-up"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FundingError {
    /// 400: an amount broke a rule of [`crate::money::parse_amount`] (the core re-checks
    /// amounts it is given: above zero and at most the maximum).
    #[error("{source}")]
    InvalidAmount {
        field: &'static str,
        source: AmountError,
    },

    /// 400: the auto-lock timeout is outside 1–60 minutes.
    #[error("Auto-lock must be between 1 and 60 minutes; {minutes} is outside that range.")]
    InvalidAutoLockMinutes { minutes: u32 },

    /// 400: a hold's time to live is outside 1–3600 seconds.
    #[error("A hold lasts between 1 and 3600 seconds; {seconds} is outside that range.")]
    InvalidTtl { seconds: u32 },

    /// 400: the wallet passphrase is too short or too long.
    #[error(
        "Choose a wallet passphrase of {min} to {max} characters; this one has {length}.",
        min = crate::wallet::MIN_PASSPHRASE_CHARS,
        max = crate::wallet::MAX_PASSPHRASE_CHARS
    )]
    WeakPassphrase { length: usize },

    /// 404: the model is not in the catalog.
    #[error("There is no model {model_id:?} in the catalog; pick one from the model list.")]
    UnknownModel { model_id: ModelId },

    /// 404: no such user (metering calls name the user).
    #[error("There is no such user.")]
    UserNotFound,

    /// 404: the user has not created a wallet yet.
    #[error("You have no wallet yet; set one up first.")]
    WalletNotFound,

    /// 409: the user already has a wallet.
    #[error("You already have a wallet; unlock it with its passphrase.")]
    WalletExists,

    /// 401: the wallet passphrase did not match.
    #[error("That wallet passphrase is not right; try again.")]
    WrongPassphrase,

    /// 429: too many failed unlocks recently.
    #[error(
        "Too many wrong passphrases; try again in {} seconds.",
        retry_after.whole_seconds().max(1)
    )]
    TooManyAttempts { retry_after: Duration },

    /// 423: the wallet is locked and the action moves money.
    #[error("Your wallet is locked; unlock it with its passphrase to move money.")]
    WalletLocked,

    /// 402: the paying account is short by `shortfall`.
    #[error(
        "This needs {needed} but only {available} is there; add {shortfall} or choose a \
         smaller amount."
    )]
    InsufficientFunds {
        needed: Amount,
        available: Amount,
        shortfall: Amount,
    },

    /// 422: a funding below the current minimum.
    #[error(
        "{} of {amount} is below this model's {} of {minimum}.",
        which.as_words().0,
        which.as_words().1
    )]
    BelowMinimum {
        amount: Amount,
        minimum: Amount,
        which: MinimumKind,
    },

    /// 422: a refund of more than is refundable now.
    #[error(
        "You asked to refund {amount} but {refundable} is refundable now{}.",
        next_refundable_sentence(*next_refundable_at)
    )]
    ExceedsRefundable {
        amount: Amount,
        refundable: Amount,
        next_refundable_at: Option<OffsetDateTime>,
    },

    /// 422: nothing of this model's funding is refundable now.
    #[error("Nothing is refundable now{}.", next_refundable_sentence(*next_refundable_at))]
    NothingRefundable {
        next_refundable_at: Option<OffsetDateTime>,
    },

    /// 404: no such hold for this caller (another user's hold answers the same).
    #[error("There is no hold {hold_id}.")]
    HoldNotFound { hold_id: HoldId },

    /// 409: the hold was already settled, released or has expired.
    #[error("Hold {hold_id} is {status} and can no longer be settled or released.")]
    HoldNotOpen { hold_id: HoldId, status: HoldStatus },

    /// 409: the idempotency key was already used for a different request.
    #[error(
        "This idempotency key was already used for a different request; use a new key for a \
         new request."
    )]
    IdempotencyKeyReused,

    /// 400: a balance or price would leave the range the ledger can represent.
    #[error("That amount is too large for the ledger; choose a smaller amount.")]
    Overflow,

    /// 502: the funding source refused or failed.
    #[error("The funding source did not complete the transfer: {0}")]
    Source(#[from] SourceError),

    /// 500: the store failed; the cause is for the log only.
    #[error("Something went wrong on our side; nothing was moved. Please try again.")]
    Store(#[from] sqlx::Error),

    /// 500: stored data broke an invariant (a bug); the text is for the log only.
    #[error("Something went wrong on our side; nothing was moved. Please try again.")]
    Internal(String),
}

fn next_refundable_sentence(at: Option<OffsetDateTime>) -> String {
    let format = time::format_description::well_known::Rfc3339;
    match at.and_then(|at| at.format(&format).ok()) {
        Some(at) => format!("; more becomes refundable at {at}"),
        None => String::new(),
    }
}

impl From<AmountOverflow> for FundingError {
    fn from(_: AmountOverflow) -> Self {
        FundingError::Overflow
    }
}

impl FundingError {
    /// The stable snake_case code of API.md's error table.
    pub fn code(&self) -> &'static str {
        match self {
            FundingError::InvalidAmount { .. } | FundingError::Overflow => "invalid_amount",
            FundingError::InvalidAutoLockMinutes { .. } => "invalid_auto_lock_minutes",
            FundingError::InvalidTtl { .. } => "invalid_ttl_seconds",
            FundingError::WeakPassphrase { .. } => "weak_passphrase",
            FundingError::UnknownModel { .. } => "unknown_model",
            FundingError::UserNotFound | FundingError::HoldNotFound { .. } => "not_found",
            FundingError::WalletNotFound => "wallet_not_found",
            FundingError::WalletExists => "wallet_exists",
            FundingError::WrongPassphrase => "wrong_passphrase",
            FundingError::TooManyAttempts { .. } => "too_many_attempts",
            FundingError::WalletLocked => "wallet_locked",
            FundingError::InsufficientFunds { .. } => "insufficient_funds",
            FundingError::BelowMinimum { .. } => "below_minimum",
            FundingError::ExceedsRefundable { .. } => "exceeds_refundable",
            FundingError::NothingRefundable { .. } => "nothing_refundable",
            FundingError::HoldNotOpen { .. } => "hold_not_open",
            FundingError::IdempotencyKeyReused => "idempotency_key_reused",
            FundingError::Source(_) => "funding_source_failed",
            FundingError::Store(_) | FundingError::Internal(_) => "internal",
        }
    }

    /// The request field at fault, when exactly one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            FundingError::InvalidAmount { field, .. } => Some(field),
            FundingError::Overflow
            | FundingError::BelowMinimum { .. }
            | FundingError::ExceedsRefundable { .. } => Some("amount"),
            FundingError::InvalidAutoLockMinutes { .. } => Some("auto_lock_minutes"),
            FundingError::InvalidTtl { .. } => Some("ttl_seconds"),
            FundingError::WeakPassphrase { .. } | FundingError::WrongPassphrase => {
                Some("passphrase")
            }
            FundingError::UnknownModel { .. } => Some("model_id"),
            _ => None,
        }
    }

    /// Whether this is an unexpected failure (HTTP 500): log the cause, answer a fixed body.
    pub fn is_internal(&self) -> bool {
        matches!(self, FundingError::Store(_) | FundingError::Internal(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_value_the_rule_and_the_next_step() {
        let cases = [
            (
                FundingError::BelowMinimum {
                    amount: Amount::from_micros(500_000).unwrap_or_default(),
                    minimum: Amount::from_units(1),
                    which: MinimumKind::TopUp,
                },
                "Top-up of 0.50 is below this model's minimum top-up of 1.00.",
            ),
            (
                FundingError::InsufficientFunds {
                    needed: Amount::from_units(12),
                    available: Amount::from_units(10),
                    shortfall: Amount::from_units(2),
                },
                "This needs 12.00 but only 10.00 is there; add 2.00 or choose a smaller amount.",
            ),
            (
                FundingError::NothingRefundable {
                    next_refundable_at: Some(time::macros::datetime!(2026-01-02 00:00 UTC)),
                },
                "Nothing is refundable now; more becomes refundable at 2026-01-02T00:00:00Z.",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }
}
