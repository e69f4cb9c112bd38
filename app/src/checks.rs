//! Money in the browser: amounts checked while the person types and the fee and total of a
//! funding worked out as they type, with the functions the server applies (from `funding`), so
//! what the page says before sending is what the server would say after. The server checks
//! everything again; this only saves a round trip.

use std::str::FromStr;

use funding::money::{FundingCost, funding_cost};
use funding::{Amount, AmountError, AmountRules};
use rust_decimal::Decimal;

/// The `name` of the `<meta>` element that carries the deployment's money rules to the browser.
pub const MONEY_RULES_META: &str = "twofold-money-rules";

/// What the browser needs of the deployment's money settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoneyRules {
    pub amounts: AmountRules,
    pub fee_flat: Amount,
    pub fee_percent: Decimal,
}

impl Default for MoneyRules {
    fn default() -> Self {
        Self {
            amounts: AmountRules::default(),
            fee_flat: Amount::ZERO,
            fee_percent: Decimal::ZERO,
        }
    }
}

impl MoneyRules {
    /// The `<meta>` element's content: display decimals, the maximum amount and the flat fee
    /// in micro-units, and the fee percent, such as `2 1000000000000 500000 1.5`.
    pub fn to_meta(&self) -> String {
        format!(
            "{} {} {} {}",
            self.amounts.display_decimals,
            self.amounts.max.micros(),
            self.fee_flat.micros(),
            self.fee_percent,
        )
    }

    pub fn from_meta(content: &str) -> Option<Self> {
        let parts: Vec<&str> = content.split(' ').collect();
        let [decimals, max, flat, percent] = parts.as_slice() else {
            return None;
        };
        Some(Self {
            amounts: AmountRules {
                display_decimals: decimals.parse().ok()?,
                max: Amount::from_micros(max.parse().ok()?)?,
            },
            fee_flat: Amount::from_micros(flat.parse().ok()?)?,
            fee_percent: Decimal::from_str(percent).ok()?,
        })
    }
}

/// What is wrong with an amount being typed, if more typing cannot put it right. States a
/// good amount passes through on its way (empty, `5.`, `0.0`) are left alone; the server
/// names them if they are sent. Spaces are refused, as the server refuses them.
pub fn amount(input: &str) -> Option<String> {
    amount_with(&page_rules(), input)
}

fn amount_with(rules: &MoneyRules, input: &str) -> Option<String> {
    match funding::parse_amount(input, &rules.amounts) {
        Ok(_) | Err(AmountError::Empty | AmountError::TrailingDot | AmountError::Zero) => None,
        Err(error) => Some(error.to_string()),
    }
}

/// A funding's amount, fee and total as the page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostFigures {
    pub amount: String,
    pub fee: String,
    pub total: String,
}

/// The cost of funding the amount typed so far; `None` while it is not a valid amount.
pub fn funding_figures(input: &str) -> Option<CostFigures> {
    funding_figures_with(&page_rules(), input)
}

fn funding_figures_with(rules: &MoneyRules, input: &str) -> Option<CostFigures> {
    let amount = funding::parse_amount(input, &rules.amounts).ok()?;
    let FundingCost { amount, fee, total } =
        funding_cost(amount, rules.fee_flat, rules.fee_percent).ok()?;
    let shown = |value: Amount| value.display(rules.amounts.display_decimals).to_string();
    Some(CostFigures {
        amount: shown(amount),
        fee: shown(fee),
        total: shown(total),
    })
}

/// How far `balance` falls short of `total`, both as the page shows them; `None` when it
/// covers it (or either is not an amount).
pub fn shortfall(total: &str, balance: &str) -> Option<String> {
    shortfall_with(&page_rules(), total, balance)
}

fn shortfall_with(rules: &MoneyRules, total: &str, balance: &str) -> Option<String> {
    let shown = |text: &str| Decimal::from_str(text).ok().and_then(Amount::from_decimal);
    let short = shown(total)?.checked_sub(shown(balance)?)?;
    (!short.is_zero()).then(|| short.display(rules.amounts.display_decimals).to_string())
}

/// The rules the server wrote into the page, else the defaults.
#[cfg(feature = "hydrate")]
fn page_rules() -> MoneyRules {
    let selector = format!("meta[name=\"{MONEY_RULES_META}\"]");
    leptos::prelude::document()
        .query_selector(&selector)
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .and_then(|content| MoneyRules::from_meta(&content))
        .unwrap_or_default()
}

/// Outside a browser there is no page to read; the defaults apply.
#[cfg(not(feature = "hydrate"))]
fn page_rules() -> MoneyRules {
    MoneyRules::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_fee() -> MoneyRules {
        MoneyRules {
            amounts: AmountRules {
                display_decimals: 2,
                max: Amount::from_units(1000),
            },
            fee_flat: Amount::from_micros(250_000).unwrap(),
            fee_percent: Decimal::new(15, 1),
        }
    }

    #[test]
    fn the_rules_survive_their_trip_through_the_page() {
        let rules = with_fee();
        assert_eq!(rules.to_meta(), "2 1000000000 250000 1.5");
        assert_eq!(MoneyRules::from_meta(&rules.to_meta()), Some(rules));
    }

    #[test]
    fn a_damaged_meta_element_gives_no_rules() {
        for content in [
            "",
            "2 100 0",
            "two 100 0 0",
            "2 -5 0 0",
            "2 100 -1 0",
            "2 100 0 lots",
            "2  100 0 0",
            "2 100 0 0 9",
        ] {
            assert_eq!(MoneyRules::from_meta(content), None, "{content:?}");
        }
    }

    #[test]
    fn the_shortfall_is_what_the_total_needs_beyond_the_balance() {
        let rules = with_fee();
        assert_eq!(
            shortfall_with(&rules, "12.50", "10.00").as_deref(),
            Some("2.50")
        );
        assert_eq!(shortfall_with(&rules, "10.00", "10.00"), None);
        assert_eq!(shortfall_with(&rules, "5.00", "10.00"), None);
        assert_eq!(shortfall_with(&rules, "5.00", "not shown"), None);
    }

    #[test]
    fn typed_amounts_get_the_servers_messages() {
        let rules = with_fee();
        // The page refuses what the API refuses: one parser, one answer.
        assert_eq!(
            amount_with(&rules, " 12.50 ").as_deref(),
            Some("Remove the spaces around the amount.")
        );
        assert_eq!(
            amount_with(&rules, "1,000").as_deref(),
            Some("Write the amount without separators between digit groups, such as 1000.")
        );
        assert_eq!(
            amount_with(&rules, "12.345").as_deref(),
            Some("Use at most 2 decimal places, such as 12.00.")
        );
        assert_eq!(
            amount_with(&rules, "1000.01").as_deref(),
            Some("The most one operation may move is 1000.00; enter a smaller amount.")
        );
    }

    #[test]
    fn amounts_on_their_way_to_good_ones_are_left_alone() {
        for unfinished in ["", "5.", "0", "0.0"] {
            assert_eq!(amount_with(&with_fee(), unfinished), None, "{unfinished:?}");
        }
    }

    #[test]
    fn the_fee_is_flat_plus_percent_rounded_up_and_shown_at_the_display_decimals() {
        // 0.25 flat + 1.5% of 10.00 = 0.40.
        assert_eq!(
            funding_figures_with(&with_fee(), "10"),
            Some(CostFigures {
                amount: "10.00".to_owned(),
                fee: "0.40".to_owned(),
                total: "10.40".to_owned(),
            })
        );
        assert_eq!(funding_figures_with(&with_fee(), "12.345"), None);
        assert_eq!(funding_figures_with(&with_fee(), ""), None);
    }
}
