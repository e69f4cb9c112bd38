//! Consumption guidance, DESIGN.md's rule: spend per day, the average daily spend, the days the
//! available balance lasts at that rate, and a top-up that covers a chosen number of days but
//! never falls below the current minimum. The model page shows it; the rule lives here so every
//! caller gets the same numbers.

#[cfg(feature = "store")]
use crate::{
    Amount, entries::DailySpend, error::FundingError, ids::UserId, model_funding::ModelFunding,
    service::Funding,
};
#[cfg(feature = "store")]
use serde::{Deserialize, Serialize};

/// Days of spend the guidance reports: a month shows a habit, not a spike.
pub const SPEND_DAYS: u32 = 30;

/// Days the average runs over: a week follows a change in use within days, yet one busy
/// afternoon does not swing the forecast.
pub const AVERAGE_DAYS: u32 = 7;

/// Days a suggested top-up covers unless the user picks another number: about a month.
pub const DEFAULT_COVER_DAYS: u32 = 30;

/// The most days a suggested top-up may cover: a year; further out, a week's average says
/// little.
pub const MAX_COVER_DAYS: u32 = 365;

#[cfg(feature = "store")]
/// The guidance for one model, from its spend and its funding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consumption {
    /// Spend on each of the last [`SPEND_DAYS`] UTC days, oldest first, today included.
    pub days: Vec<DailySpend>,
    /// All of `days` together.
    pub total: Amount,
    /// The spend of the last [`AVERAGE_DAYS`] days divided by [`AVERAGE_DAYS`], rounded up
    /// to the display decimals so the forecast errs towards running out sooner.
    pub average_daily: Amount,
    /// Whole days the available balance (balance less held) lasts at `average_daily`; `None`
    /// when nothing was spent in the last [`AVERAGE_DAYS`] days.
    pub days_left: Option<i64>,
    /// The days the suggestion covers, 1–[`MAX_COVER_DAYS`].
    pub cover_days: u32,
    /// What covering `cover_days` at the average needs beyond the available balance, rounded
    /// up to the display decimals; zero when the available balance already covers it.
    pub needed_for_cover: Amount,
    /// `needed_for_cover`, raised to the current minimum when it is below it.
    pub suggested_top_up: Amount,
    /// Whether the suggestion was raised to the current minimum.
    pub suggested_is_minimum: bool,
}

#[cfg(feature = "store")]
/// Works the guidance out from the daily spend (oldest first), the funding's available
/// balance and current minimum. `cover_days` outside 1–[`MAX_COVER_DAYS`] is brought inside.
/// Sums saturate instead of overflowing: spend is part of balances the ledger holds, so they
/// stay far from the limits, and a corrupt row must not turn a read into a panic.
pub fn forecast(
    days: Vec<DailySpend>,
    available: Amount,
    current_minimum: Amount,
    cover_days: u32,
    display_decimals: u32,
) -> Consumption {
    let total = days
        .iter()
        .fold(Amount::ZERO, |sum, day| sum.saturating_add(day.spent));
    let recent = days
        .iter()
        .rev()
        .take(AVERAGE_DAYS as usize)
        .fold(Amount::ZERO, |sum, day| sum.saturating_add(day.spent));
    let average_micros = div_round_up(recent.micros(), i64::from(AVERAGE_DAYS));
    let average_daily = Amount::from_micros(average_micros)
        .unwrap_or(Amount::ZERO)
        .round_up_to_decimals(display_decimals);
    let days_left = (!average_daily.is_zero()).then(|| available.micros() / average_daily.micros());

    let cover_days = cover_days.clamp(1, MAX_COVER_DAYS);
    let wanted = i128::from(average_daily.micros()) * i128::from(cover_days);
    let needed_for_cover = i64::try_from((wanted - i128::from(available.micros())).max(0))
        .ok()
        .and_then(Amount::from_micros)
        .unwrap_or(Amount::ZERO)
        .round_up_to_decimals(display_decimals);
    let suggested_is_minimum = needed_for_cover < current_minimum;
    let suggested_top_up = if suggested_is_minimum {
        current_minimum
    } else {
        needed_for_cover
    };
    Consumption {
        days,
        total,
        average_daily,
        days_left,
        cover_days,
        needed_for_cover,
        suggested_top_up,
        suggested_is_minimum,
    }
}

#[cfg(feature = "store")]
/// `dividend / divisor` rounded up, for a non-negative dividend and a positive divisor.
fn div_round_up(dividend: i64, divisor: i64) -> i64 {
    dividend.div_euclid(divisor) + i64::from(dividend.rem_euclid(divisor) != 0)
}

#[cfg(feature = "store")]
impl Funding {
    /// The consumption guidance of `funding`'s model for `user`, covering `cover_days`
    /// (brought inside 1–[`MAX_COVER_DAYS`]).
    pub async fn consumption(
        &self,
        user: UserId,
        funding: &ModelFunding,
        cover_days: u32,
    ) -> Result<Consumption, FundingError> {
        let days = self
            .daily_spend(user, &funding.model_id, SPEND_DAYS)
            .await?;
        Ok(forecast(
            days,
            funding.available(),
            funding.current_minimum_amount,
            cover_days,
            self.settings().display_decimals,
        ))
    }
}

#[cfg(all(test, feature = "store"))]
mod tests {
    use time::macros::date;

    use super::*;

    fn units(text: &str) -> Amount {
        Amount::from_decimal(text.parse().unwrap_or_default()).unwrap_or(Amount::ZERO)
    }

    /// Thirty days of spend, oldest first, with `recent` as the last days.
    fn spend(recent: &[&str]) -> Vec<DailySpend> {
        let first = date!(2026 - 11 - 05);
        (0..SPEND_DAYS as usize)
            .map(|i| {
                let from_end = SPEND_DAYS as usize - 1 - i;
                let spent = recent
                    .len()
                    .checked_sub(1 + from_end)
                    .map_or(Amount::ZERO, |at| units(recent[at]));
                DailySpend {
                    day: first + time::Duration::days(i as i64),
                    spent,
                }
            })
            .collect()
    }

    /// One row of the guidance table: what went in, what must come out.
    struct Case {
        recent: &'static [&'static str],
        available: &'static str,
        minimum: &'static str,
        cover_days: u32,
        average: &'static str,
        days_left: Option<i64>,
        needed: &'static str,
        suggested: &'static str,
        raised_to_minimum: bool,
    }

    #[test]
    fn guidance_follows_the_last_seven_days_and_floors_at_the_minimum() {
        let cases = [
            // No spend: no rate, nothing needed, the minimum is suggested.
            Case {
                recent: &[],
                available: "10",
                minimum: "5",
                cover_days: 30,
                average: "0",
                days_left: None,
                needed: "0",
                suggested: "5",
                raised_to_minimum: true,
            },
            // 1 a day: 10 available lasts 10 days; 30 days need 20 more.
            Case {
                recent: &["1"; 7],
                available: "10",
                minimum: "5",
                cover_days: 30,
                average: "1",
                days_left: Some(10),
                needed: "20",
                suggested: "20",
                raised_to_minimum: false,
            },
            // Enough available for the days asked: the minimum is suggested.
            Case {
                recent: &["1"; 7],
                available: "100",
                minimum: "5",
                cover_days: 30,
                average: "1",
                days_left: Some(100),
                needed: "0",
                suggested: "5",
                raised_to_minimum: true,
            },
            // Spend older than the last seven days counts in the total, not the average.
            Case {
                recent: &["70", "0", "0", "0", "0", "0", "0", "0"],
                available: "10",
                minimum: "5",
                cover_days: 30,
                average: "0",
                days_left: None,
                needed: "0",
                suggested: "5",
                raised_to_minimum: true,
            },
            // 1/7 a day rounds up to 0.15 at two decimals; 30 days of it need 4.50.
            Case {
                recent: &["1"],
                available: "0",
                minimum: "1",
                cover_days: 30,
                average: "0.15",
                days_left: Some(0),
                needed: "4.5",
                suggested: "4.5",
                raised_to_minimum: false,
            },
            // Cover days beyond a year are brought down to 365.
            Case {
                recent: &["1"; 7],
                available: "0",
                minimum: "5",
                cover_days: 10_000,
                average: "1",
                days_left: Some(0),
                needed: "365",
                suggested: "365",
                raised_to_minimum: false,
            },
        ];
        for case in cases {
            let got = forecast(
                spend(case.recent),
                units(case.available),
                units(case.minimum),
                case.cover_days,
                2,
            );

            let what = format!("{:?} with {} available", case.recent, case.available);
            assert_eq!(got.average_daily, units(case.average), "{what}");
            assert_eq!(got.days_left, case.days_left, "{what}");
            assert_eq!(got.needed_for_cover, units(case.needed), "{what}");
            assert_eq!(got.suggested_top_up, units(case.suggested), "{what}");
            assert_eq!(got.suggested_is_minimum, case.raised_to_minimum, "{what}");
            assert_eq!(got.days.len(), SPEND_DAYS as usize, "{what}");
        }
    }

    #[test]
    fn the_total_counts_every_day_shown() {
        let got = forecast(spend(&["70", "1", "2"]), Amount::ZERO, Amount::ZERO, 30, 2);

        assert_eq!(got.total, units("73"));
    }
}
