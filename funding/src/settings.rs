//! The deployment's money settings. The server builds them from its environment; every field
//! has the default DESIGN.md and API.md give.

use rust_decimal::Decimal;
use time::Duration;

use crate::money::{
    Amount, AmountRules, DEFAULT_DISPLAY_DECIMALS, DEFAULT_MAX_AMOUNT, LEDGER_SCALE,
};

/// How long a funded amount stays non-refundable unless configured: one day, long enough that
/// funding is a decision rather than a way to park money, short enough not to trap it.
pub const DEFAULT_LOCK_WINDOW_SECONDS: i64 = 86_400;

/// The longest lock window a deployment may set: a year. Money locked longer than that is no
/// longer prepared for use but trapped, and the bound keeps every moment computed from the
/// window far inside the calendar's range.
pub const MAX_LOCK_WINDOW_SECONDS: i64 = 366 * 86_400;

/// The largest maximum per operation a deployment may set: a billion units. Amounts are
/// integers of micro-units in an `i64`, so a balance can still absorb thousands of operations
/// of that size, and the parser's digit limit stays above every allowed maximum.
pub const MAX_MAX_AMOUNT: Amount = Amount::from_units(1_000_000_000);

/// The most decimals a funding fee percent may have, such as `2.9` or `0.0125`. With at most
/// this many, a fee is computed exactly before it is rounded up to the ledger scale.
pub const MAX_FEE_PERCENT_DECIMALS: u32 = 4;

/// Failed unlock attempts allowed within [`DEFAULT_UNLOCK_WINDOW`] before unlocking pauses.
/// Five forgives a few typos and still makes guessing a passphrase hopeless.
pub const DEFAULT_UNLOCK_ATTEMPTS: u32 = 5;

/// The window in which [`DEFAULT_UNLOCK_ATTEMPTS`] failures pause unlocking.
pub const DEFAULT_UNLOCK_WINDOW: Duration = Duration::minutes(15);

/// The money settings of one deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// ISO 4217 code shown beside amounts, such as `USD`.
    pub currency: String,
    /// Decimals shown and accepted in input, 0–6.
    pub display_decimals: u32,
    /// How long each funding stays non-refundable, in seconds.
    pub lock_window_seconds: i64,
    /// Charged to the wallet on top of each funding: `flat + percent% of the amount`.
    pub funding_fee_flat: Amount,
    pub funding_fee_percent: Decimal,
    /// The most one operation may move.
    pub max_amount: Amount,
    /// Failed unlocks allowed within `unlock_window` before unlocking pauses.
    pub unlock_attempts: u32,
    pub unlock_window: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            currency: "USD".to_owned(),
            display_decimals: DEFAULT_DISPLAY_DECIMALS,
            lock_window_seconds: DEFAULT_LOCK_WINDOW_SECONDS,
            funding_fee_flat: Amount::ZERO,
            funding_fee_percent: Decimal::ZERO,
            max_amount: DEFAULT_MAX_AMOUNT,
            unlock_attempts: DEFAULT_UNLOCK_ATTEMPTS,
            unlock_window: DEFAULT_UNLOCK_WINDOW,
        }
    }
}

/// A setting the server read is out of range; the message names the setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("currency must be three letters A–Z, such as USD (got {0:?})")]
    Currency(String),
    #[error("display decimals must be between 0 and {LEDGER_SCALE} (got {0})")]
    DisplayDecimals(u32),
    #[error("the lock window must be between 0 and {MAX_LOCK_WINDOW_SECONDS} seconds (got {0})")]
    LockWindow(i64),
    #[error(
        "the funding fee percent must be between 0 and 100 with at most \
         {MAX_FEE_PERCENT_DECIMALS} decimals (got {0})"
    )]
    FeePercent(Decimal),
    #[error("the maximum amount per operation must be above zero and at most 1000000000")]
    MaxAmount,
    #[error("unlock attempts must be at least 1 within a positive window")]
    UnlockLimits,
}

impl Settings {
    /// Checks every setting; the server calls this at start-up and refuses to start on error.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let currency_ok =
            self.currency.len() == 3 && self.currency.bytes().all(|b| b.is_ascii_uppercase());
        if !currency_ok {
            return Err(SettingsError::Currency(self.currency.clone()));
        }
        if self.display_decimals > LEDGER_SCALE {
            return Err(SettingsError::DisplayDecimals(self.display_decimals));
        }
        if !(0..=MAX_LOCK_WINDOW_SECONDS).contains(&self.lock_window_seconds) {
            return Err(SettingsError::LockWindow(self.lock_window_seconds));
        }
        let percent = self.funding_fee_percent;
        let percent_in_range = (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&percent)
            && percent.normalize().scale() <= MAX_FEE_PERCENT_DECIMALS;
        if !percent_in_range {
            return Err(SettingsError::FeePercent(percent));
        }
        if self.max_amount.is_zero() || self.max_amount > MAX_MAX_AMOUNT {
            return Err(SettingsError::MaxAmount);
        }
        if self.unlock_attempts == 0 || self.unlock_window <= Duration::ZERO {
            return Err(SettingsError::UnlockLimits);
        }
        Ok(())
    }

    /// The rules [`crate::money::parse_amount`] applies in this deployment.
    pub fn amount_rules(&self) -> AmountRules {
        AmountRules {
            display_decimals: self.display_decimals,
            max: self.max_amount,
        }
    }

    pub fn lock_window(&self) -> Duration {
        Duration::seconds(self.lock_window_seconds)
    }

    /// Formats an amount with this deployment's display decimals.
    pub fn format_amount(&self, amount: Amount) -> String {
        amount.display(self.display_decimals).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_match_the_design() {
        let settings = Settings::default();

        assert_eq!(settings.validate(), Ok(()));
        assert_eq!(settings.currency, "USD");
        assert_eq!(settings.display_decimals, 2);
        assert_eq!(settings.lock_window(), Duration::hours(24));
        assert_eq!(settings.max_amount, Amount::from_units(100_000));
    }

    #[test]
    fn settings_at_their_bounds_are_valid() {
        let settings = Settings {
            lock_window_seconds: MAX_LOCK_WINDOW_SECONDS,
            max_amount: MAX_MAX_AMOUNT,
            funding_fee_percent: Decimal::new(1_250, 4),
            ..Settings::default()
        };

        assert_eq!(settings.validate(), Ok(()));
    }

    #[test]
    fn out_of_range_settings_are_named() {
        let cases = [
            (
                Settings {
                    currency: "usd".into(),
                    ..Settings::default()
                },
                "currency",
            ),
            (
                Settings {
                    display_decimals: 7,
                    ..Settings::default()
                },
                "display decimals",
            ),
            (
                Settings {
                    lock_window_seconds: -1,
                    ..Settings::default()
                },
                "lock window",
            ),
            (
                Settings {
                    lock_window_seconds: MAX_LOCK_WINDOW_SECONDS + 1,
                    ..Settings::default()
                },
                "lock window",
            ),
            (
                Settings {
                    funding_fee_percent: Decimal::new(-1, 0),
                    ..Settings::default()
                },
                "fee",
            ),
            (
                Settings {
                    funding_fee_percent: Decimal::new(123_456, 5),
                    ..Settings::default()
                },
                "fee",
            ),
            (
                Settings {
                    max_amount: Amount::ZERO,
                    ..Settings::default()
                },
                "maximum",
            ),
            (
                Settings {
                    max_amount: Amount::from_units(1_000_000_001),
                    ..Settings::default()
                },
                "maximum",
            ),
        ];
        for (settings, named) in cases {
            let message = settings
                .validate()
                .map_err(|e| e.to_string())
                .err()
                .unwrap_or_default();
            assert!(message.contains(named), "{named}: {message}");
        }
    }
}
