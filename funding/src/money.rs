//! Money: the exact [`Amount`] type, the one strict parser for amounts people type, and the
//! exact arithmetic of fees and usage prices.
//!
//! The ledger keeps every amount as a whole number of micro-units (six decimal places). People
//! see amounts with the deployment's display decimals; they may type no more decimals than
//! that. No floating point is used anywhere on this path.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Decimal places kept by the ledger.
pub const LEDGER_SCALE: u32 = 6;

/// Micro-units in one unit of currency (10^[`LEDGER_SCALE`]).
pub const MICROS_PER_UNIT: i64 = 1_000_000;

/// Decimal places shown to people unless the deployment says otherwise (`USD` cents).
pub const DEFAULT_DISPLAY_DECIMALS: u32 = 2;

/// The most one operation may move unless the deployment says otherwise: large enough for any
/// real top-up, small enough that a typo of a few extra digits is refused rather than obeyed.
pub const DEFAULT_MAX_AMOUNT: Amount = Amount(100_000 * MICROS_PER_UNIT);

/// Longest amount string the parser looks at. Forty characters hold any amount the ledger can
/// represent with room to spare; anything longer is refused without being read.
const MAX_INPUT_CHARS: usize = 40;

/// An amount of money: a non-negative whole number of micro-units.
///
/// Invariant: the inner value is never negative. Amounts are built by [`parse_amount`] (input
/// from people), [`Amount::from_micros`] (the store), [`Amount::from_decimal`] (configuration)
/// or checked arithmetic, never by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Amount(i64);

/// Arithmetic on amounts left the range the ledger can represent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the amount is larger than the ledger can represent")]
pub struct AmountOverflow;

impl Amount {
    pub const ZERO: Amount = Amount(0);

    /// The largest amount the ledger can represent.
    pub const MAX: Amount = Amount(i64::MAX);

    /// The amount of `micros` micro-units; `None` when negative.
    pub const fn from_micros(micros: i64) -> Option<Amount> {
        if micros < 0 {
            None
        } else {
            Some(Amount(micros))
        }
    }

    /// Whole units, such as `Amount::from_units(10)` for 10.00.
    pub const fn from_units(units: u32) -> Amount {
        Amount(units as i64 * MICROS_PER_UNIT)
    }

    /// The number of micro-units.
    pub const fn micros(self) -> i64 {
        self.0
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The exact amount of a decimal with at most [`LEDGER_SCALE`] decimal places; `None` when
    /// it is negative, finer than a micro-unit or too large. For configuration values, not for
    /// input people type (that is [`parse_amount`]).
    pub fn from_decimal(value: Decimal) -> Option<Amount> {
        if value.is_sign_negative() && !value.is_zero() {
            return None;
        }
        let micros = value.checked_mul(Decimal::from(MICROS_PER_UNIT))?;
        if !micros.fract().is_zero() {
            return None;
        }
        i64::try_from(micros.trunc().mantissa() / 10i128.pow(micros.trunc().scale()))
            .ok()
            .and_then(Amount::from_micros)
    }

    /// The exact decimal value, at the ledger scale.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, LEDGER_SCALE)
    }

    pub fn checked_add(self, other: Amount) -> Result<Amount, AmountOverflow> {
        self.0
            .checked_add(other.0)
            .map(Amount)
            .ok_or(AmountOverflow)
    }

    /// `self − other`, or `None` when `other` is larger.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0.checked_sub(other.0).and_then(Amount::from_micros)
    }

    /// `max(0, self − other)`.
    pub fn saturating_sub(self, other: Amount) -> Amount {
        self.checked_sub(other).unwrap_or(Amount::ZERO)
    }

    /// `self + other`, or the largest amount the ledger can hold when that overflows.
    pub fn saturating_add(self, other: Amount) -> Amount {
        Amount(self.0.saturating_add(other.0))
    }

    /// Rounded up to `decimals` decimal places (at most the ledger scale): `0.142858` to two
    /// decimals is `0.15`. An amount too close to the ledger's limit to round stays as it is.
    pub fn round_up_to_decimals(self, decimals: u32) -> Amount {
        let step = 10_i64.pow(LEDGER_SCALE - decimals.min(LEDGER_SCALE));
        if self.0.rem_euclid(step) == 0 {
            return self;
        }
        self.0
            .div_euclid(step)
            .checked_add(1)
            .and_then(|steps| steps.checked_mul(step))
            .map_or(self, Amount)
    }

    /// Formats with at least `display_decimals` decimals: exactly that many when the amount
    /// fits in them (`12.50`), else the full ledger scale (`0.000150`), so nothing is ever
    /// rounded away when shown.
    pub fn display(self, display_decimals: u32) -> impl fmt::Display {
        DisplayAmount {
            amount: self,
            display_decimals: display_decimals.min(LEDGER_SCALE),
        }
    }
}

struct DisplayAmount {
    amount: Amount,
    display_decimals: u32,
}

impl fmt::Display for DisplayAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.amount.0;
        let units = micros / MICROS_PER_UNIT;
        let fraction = micros % MICROS_PER_UNIT;
        let hidden_unit = 10i64.pow(LEDGER_SCALE - self.display_decimals);
        if fraction % hidden_unit == 0 {
            if self.display_decimals == 0 {
                return write!(f, "{units}");
            }
            let shown = fraction / hidden_unit;
            let width = self.display_decimals as usize;
            write!(f, "{units}.{shown:0width$}")
        } else {
            write!(f, "{units}.{fraction:06}")
        }
    }
}

/// Formats with [`DEFAULT_DISPLAY_DECIMALS`]; use [`Amount::display`] for another setting.
impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.display(DEFAULT_DISPLAY_DECIMALS).fmt(f)
    }
}

/// Amounts serialise as exact decimal strings (`"12.50"`, `"0.000150"`), as the API wants.
impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Reads back what [`Serialize`] wrote: any exact non-negative decimal at the ledger scale.
/// This is for stored data; input people type goes through [`parse_amount`].
impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Decimal::from_str_exact(&text)
            .ok()
            .and_then(Amount::from_decimal)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not an exact amount")))
    }
}

/// What [`parse_amount`] accepts: no more decimals than the display decimals, at most `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountRules {
    pub display_decimals: u32,
    pub max: Amount,
}

impl Default for AmountRules {
    fn default() -> Self {
        Self {
            display_decimals: DEFAULT_DISPLAY_DECIMALS,
            max: DEFAULT_MAX_AMOUNT,
        }
    }
}

/// Why a typed amount was refused; one variant per rule, in the order they are checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("Enter an amount, such as 10.00.")]
    Empty,
    #[error("The amount is too long; enter a plain number, such as 10.00.")]
    TooLong,
    #[error("Remove the spaces around the amount.")]
    SurroundingWhitespace,
    #[error("Enter the amount without a sign; amounts are always positive.")]
    Sign,
    #[error("Write the amount as a plain number without an exponent, such as 1000.")]
    Exponent,
    #[error("Write the amount without separators between digit groups, such as 1000.")]
    Separator,
    #[error("Put a digit before the decimal point, such as 0.50.")]
    LeadingDot,
    #[error("Put digits after the decimal point or leave the point out, such as 5 or 5.00.")]
    TrailingDot,
    #[error("An amount holds only the digits 0–9 and at most one decimal point, such as 12.50.")]
    NotADecimal,
    #[error(
        "Use at most {max_decimals} decimal places, such as {example}.",
        example = example_amount(*.max_decimals)
    )]
    TooManyDecimals { max_decimals: u32 },
    #[error("Enter an amount above zero.")]
    Zero,
    #[error("The most one operation may move is {maximum}; enter a smaller amount.")]
    AboveMaximum { maximum: Amount },
}

fn example_amount(display_decimals: u32) -> String {
    Amount::from_units(12).display(display_decimals).to_string()
}

/// Parses an amount typed by a person: a plain positive decimal in ASCII digits with at most
/// one decimal point, no sign, exponent, separator or surrounding whitespace, no more decimals
/// than `rules.display_decimals`, not zero and at most `rules.max`.
///
/// Every entry point (pages and API) uses this one function, so they accept exactly the same
/// strings.
pub fn parse_amount(input: &str, rules: &AmountRules) -> Result<Amount, AmountError> {
    if input.is_empty() {
        return Err(AmountError::Empty);
    }
    if input.chars().count() > MAX_INPUT_CHARS {
        return Err(AmountError::TooLong);
    }
    if input.trim() != input {
        return Err(AmountError::SurroundingWhitespace);
    }
    if input.starts_with(['+', '-']) {
        return Err(AmountError::Sign);
    }
    if input.contains(['e', 'E']) {
        return Err(AmountError::Exponent);
    }
    if input.contains([',', '_', '\'', ' ', '\u{a0}', '\u{202f}']) {
        return Err(AmountError::Separator);
    }
    if input.starts_with('.') {
        return Err(AmountError::LeadingDot);
    }
    if input.ends_with('.') {
        return Err(AmountError::TrailingDot);
    }
    let (whole, fraction) = input.split_once('.').unwrap_or((input, ""));
    let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(AmountError::NotADecimal);
    }
    let max_decimals = rules.display_decimals.min(LEDGER_SCALE);
    if fraction.len() > max_decimals as usize {
        return Err(AmountError::TooManyDecimals { max_decimals });
    }

    // All checks on the shape passed: `whole` and `fraction` are ASCII digits only.
    let above_maximum = AmountError::AboveMaximum { maximum: rules.max };
    let whole_units = whole.trim_start_matches('0');
    if whole_units.len() > 12 {
        return Err(above_maximum);
    }
    let units: i64 = if whole_units.is_empty() {
        0
    } else {
        parse_digits(whole_units)?
    };
    let fraction_micros = parse_digits(&format!("{fraction:0<6}"))?;
    let micros = units
        .checked_mul(MICROS_PER_UNIT)
        .and_then(|micros| micros.checked_add(fraction_micros))
        .ok_or(above_maximum.clone())?;
    let amount = Amount(micros);
    if amount.is_zero() {
        return Err(AmountError::Zero);
    }
    if amount > rules.max {
        return Err(above_maximum);
    }
    Ok(amount)
}

fn parse_digits(digits: &str) -> Result<i64, AmountError> {
    digits.parse().map_err(|_| AmountError::NotADecimal)
}

/// How much a refund asks for: everything refundable now, or an exact amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundAmount {
    All,
    Exactly(Amount),
}

/// The funding fee on `amount`: `flat + percent% of amount`, rounded up to the ledger scale so
/// that the rounding never favours the payer over the ledger by a fraction of a micro-unit.
pub fn funding_fee(
    amount: Amount,
    flat: Amount,
    percent: Decimal,
) -> Result<Amount, AmountOverflow> {
    let share = amount
        .to_decimal()
        .checked_mul(percent)
        .and_then(|value| value.checked_div(Decimal::ONE_HUNDRED))
        .ok_or(AmountOverflow)?;
    let share = Amount::from_decimal(
        share.round_dp_with_strategy(LEDGER_SCALE, rust_decimal::RoundingStrategy::AwayFromZero),
    )
    .ok_or(AmountOverflow)?;
    flat.checked_add(share)
}

/// What funding an amount takes from the wallet: the amount, its fee, and both together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FundingCost {
    pub amount: Amount,
    pub fee: Amount,
    pub total: Amount,
}

/// The cost of funding `amount` under the fee rule `flat + percent%` (see [`funding_fee`]).
pub fn funding_cost(
    amount: Amount,
    flat: Amount,
    percent: Decimal,
) -> Result<FundingCost, AmountOverflow> {
    let fee = funding_fee(amount, flat, percent)?;
    Ok(FundingCost {
        amount,
        fee,
        total: amount.checked_add(fee)?,
    })
}

/// The exact price of usage: `input_tokens × input price + output_tokens × output price`, with
/// prices per million tokens, rounded up to the ledger scale.
pub fn usage_cost(
    input_tokens: u64,
    output_tokens: u64,
    input_price_per_mtok: Amount,
    output_price_per_mtok: Amount,
) -> Result<Amount, AmountOverflow> {
    const TOKENS_PER_PRICE_UNIT: i128 = 1_000_000;
    let priced = |tokens: u64, price: Amount| i128::from(tokens).checked_mul(price.micros().into());
    let micro_tokens = priced(input_tokens, input_price_per_mtok)
        .zip(priced(output_tokens, output_price_per_mtok))
        .and_then(|(input, output)| input.checked_add(output))
        .ok_or(AmountOverflow)?;
    // Rounded up: a fraction of a micro-unit of usage is charged, never given away.
    let micros = micro_tokens
        .checked_add(TOKENS_PER_PRICE_UNIT - 1)
        .ok_or(AmountOverflow)?
        / TOKENS_PER_PRICE_UNIT;
    i64::try_from(micros)
        .ok()
        .and_then(Amount::from_micros)
        .ok_or(AmountOverflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(value: i64) -> Amount {
        Amount::from_micros(value).unwrap_or_default()
    }

    #[test]
    fn amounts_are_shown_with_the_display_decimals_unless_that_would_hide_digits() {
        let cases = [
            (12_500_000, 2, "12.50"),
            (150, 2, "0.000150"),
            (0, 2, "0.00"),
            (1_000_000, 0, "1"),
            (1_500_000, 0, "1.500000"),
            (123_456_789, 6, "123.456789"),
            (10_000, 2, "0.01"),
            (1_000, 2, "0.001000"),
        ];
        for (value, decimals, shown) in cases {
            assert_eq!(
                micros(value).display(decimals).to_string(),
                shown,
                "{value} at {decimals}"
            );
        }
    }

    #[test]
    fn strict_parser_accepts_plain_positive_decimals_and_names_the_broken_rule_otherwise() {
        let rules = AmountRules::default();
        let ok = |micros_expected: i64| Ok(micros(micros_expected));
        let cases: Vec<(&str, Result<Amount, AmountError>)> = vec![
            ("10", ok(10_000_000)),
            ("10.5", ok(10_500_000)),
            ("0.01", ok(10_000)),
            ("007.50", ok(7_500_000)),
            ("100000", ok(100_000_000_000)),
            ("100000.00", ok(100_000_000_000)),
            ("", Err(AmountError::Empty)),
            (" 5", Err(AmountError::SurroundingWhitespace)),
            ("5\n", Err(AmountError::SurroundingWhitespace)),
            ("-5", Err(AmountError::Sign)),
            ("+5", Err(AmountError::Sign)),
            ("1e3", Err(AmountError::Exponent)),
            ("1E3", Err(AmountError::Exponent)),
            ("1,000", Err(AmountError::Separator)),
            ("1_000", Err(AmountError::Separator)),
            ("1 000", Err(AmountError::Separator)),
            (".5", Err(AmountError::LeadingDot)),
            ("5.", Err(AmountError::TrailingDot)),
            ("1.2.3", Err(AmountError::NotADecimal)),
            ("abc", Err(AmountError::NotADecimal)),
            ("١٢", Err(AmountError::NotADecimal)),
            ("１２", Err(AmountError::NotADecimal)),
            ("0x10", Err(AmountError::NotADecimal)),
            ("NaN", Err(AmountError::NotADecimal)),
            ("Infinity", Err(AmountError::NotADecimal)),
            (
                "1.001",
                Err(AmountError::TooManyDecimals { max_decimals: 2 }),
            ),
            ("0", Err(AmountError::Zero)),
            ("0.00", Err(AmountError::Zero)),
            (
                "100000.01",
                Err(AmountError::AboveMaximum {
                    maximum: DEFAULT_MAX_AMOUNT,
                }),
            ),
            (
                "9999999999999",
                Err(AmountError::AboveMaximum {
                    maximum: DEFAULT_MAX_AMOUNT,
                }),
            ),
            (
                "1234567890123456789012345678901234567890",
                Err(AmountError::AboveMaximum {
                    maximum: DEFAULT_MAX_AMOUNT,
                }),
            ),
            (
                "12345678901234567890123456789012345678901",
                Err(AmountError::TooLong),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_amount(input, &rules), expected, "input {input:?}");
        }
    }

    #[test]
    fn parser_follows_the_configured_display_decimals_and_maximum() {
        let rules = AmountRules {
            display_decimals: 0,
            max: Amount::from_units(50),
        };

        assert_eq!(parse_amount("50", &rules), Ok(Amount::from_units(50)));
        assert_eq!(
            parse_amount("5.5", &rules),
            Err(AmountError::TooManyDecimals { max_decimals: 0 })
        );
        assert!(matches!(
            parse_amount("51", &rules),
            Err(AmountError::AboveMaximum { .. })
        ));
    }

    #[test]
    fn every_parse_error_is_a_sentence_for_a_person() {
        let error = AmountError::TooManyDecimals { max_decimals: 2 };

        assert_eq!(
            error.to_string(),
            "Use at most 2 decimal places, such as 12.00."
        );
        assert_eq!(
            AmountError::AboveMaximum {
                maximum: DEFAULT_MAX_AMOUNT
            }
            .to_string(),
            "The most one operation may move is 100000.00; enter a smaller amount."
        );
    }

    #[test]
    fn fee_is_flat_plus_percent_rounded_up_to_a_micro_unit() {
        let cases = [
            (Amount::from_units(10), Amount::ZERO, Decimal::ZERO, 0),
            (
                Amount::from_units(10),
                micros(250_000),
                Decimal::ZERO,
                250_000,
            ),
            (
                Amount::from_units(10),
                Amount::ZERO,
                Decimal::new(25, 1),
                250_000,
            ),
            (micros(1), Amount::ZERO, Decimal::new(1, 0), 1),
            (micros(333_333), micros(10), Decimal::new(3, 0), 10_010),
        ];
        for (amount, flat, percent, expected) in cases {
            assert_eq!(
                funding_fee(amount, flat, percent),
                Ok(micros(expected)),
                "{amount}"
            );
        }
    }

    #[test]
    fn usage_cost_is_exact_and_rounded_up_to_a_micro_unit() {
        let three = Amount::from_units(3);
        let fifteen = Amount::from_units(15);

        assert_eq!(usage_cost(0, 0, three, fifteen), Ok(Amount::ZERO));
        assert_eq!(usage_cost(1_000_000, 0, three, fifteen), Ok(three));
        assert_eq!(usage_cost(1, 0, three, fifteen), Ok(micros(3)));
        assert_eq!(
            usage_cost(1, 1, micros(150_000), micros(600_000)),
            Ok(micros(1))
        );
        assert_eq!(
            usage_cost(1200, 350, three, fifteen),
            Ok(micros(3600 + 5250))
        );
        assert_eq!(
            usage_cost(u64::MAX, u64::MAX, three, fifteen),
            Err(AmountOverflow)
        );
        // Prices so large that the products leave i128 are an overflow, not a panic or a
        // wrapped, negative charge.
        let largest = micros(i64::MAX);
        assert_eq!(
            usage_cost(u64::MAX, u64::MAX, largest, largest),
            Err(AmountOverflow)
        );
        assert_eq!(
            usage_cost(u64::MAX, 0, largest, largest),
            Err(AmountOverflow)
        );
    }

    #[test]
    fn rounding_up_to_display_decimals_never_rounds_down() {
        assert_eq!(micros(142_858).round_up_to_decimals(2), micros(150_000));
        assert_eq!(micros(150_000).round_up_to_decimals(2), micros(150_000));
        assert_eq!(micros(1).round_up_to_decimals(0), micros(1_000_000));
        assert_eq!(micros(1).round_up_to_decimals(6), micros(1));
        assert_eq!(micros(1).round_up_to_decimals(9), micros(1));
        assert_eq!(micros(i64::MAX).round_up_to_decimals(2), micros(i64::MAX));
    }

    #[test]
    fn amounts_round_trip_through_decimal_and_json_exactly() {
        let amount = micros(123_456_789);

        assert_eq!(Amount::from_decimal(amount.to_decimal()), Some(amount));
        assert_eq!(Amount::from_decimal(Decimal::new(1, 7)), None);
        assert_eq!(Amount::from_decimal(Decimal::new(-1, 0)), None);
        let json = serde_json::to_string(&amount).unwrap_or_default();
        assert_eq!(json, "\"123.456789\"");
        assert_eq!(serde_json::from_str::<Amount>(&json).ok(), Some(amount));
    }

    #[test]
    fn checked_arithmetic_reports_overflow_instead_of_panicking() {
        let largest = micros(i64::MAX);

        assert_eq!(largest.checked_add(micros(1)), Err(AmountOverflow));
        assert_eq!(micros(1).checked_sub(micros(2)), None);
        assert_eq!(micros(1).saturating_sub(micros(2)), Amount::ZERO);
    }
}
