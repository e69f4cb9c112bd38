//! The model page, the catalog and the refund view: what they are sent, and the server functions
//! their forms post to. Each server function is thin: it checks the session, parses the amount
//! with the one amount parser, calls `funding` and maps its errors.

use leptos::server;
use serde::{Deserialize, Serialize};

use crate::error::FormError;
#[cfg(feature = "ssr")]
use crate::ssr;
use crate::views::Moved;

/// The consumption guidance's limits, from the core that applies them.
pub use funding::consumption::{
    AVERAGE_DAYS, DEFAULT_COVER_DAYS, MAX_COVER_DAYS, SPEND_DAYS as CHART_DAYS,
};

/// A model's name from the catalog, or its id once it has left the catalog.
#[cfg(feature = "ssr")]
pub fn model_name_of(state: &crate::state::AppState, model: &funding::ids::ModelId) -> String {
    state
        .funding
        .catalog()
        .model(model)
        .map_or_else(|| model.to_string(), |m| m.name.clone())
}

/// How a model stands for the user, as pages show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusView {
    Primary,
    NonPrimary,
    NotEnabled,
}

impl StatusView {
    pub fn label(self) -> &'static str {
        match self {
            StatusView::Primary => "Primary model",
            StatusView::NonPrimary => "Non-primary",
            StatusView::NotEnabled => "Not enabled",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            StatusView::Primary => "status-badge status-primary",
            StatusView::NonPrimary => "status-badge status-non-primary",
            StatusView::NotEnabled => "status-badge status-not-enabled",
        }
    }
}

/// One model of the catalog with the user's funding of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogModel {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub input_price: String,
    pub output_price: String,
    pub minimum_initial_amount: String,
    pub minimum_top_up_amount: String,
    pub status: StatusView,
    pub balance: String,
    pub refundable: String,
}

/// The catalog page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogView {
    pub currency: String,
    pub wallet_balance: String,
    pub models: Vec<CatalogModel>,
}

/// A recent funding still inside the lock window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedFundingView {
    pub amount: String,
    pub refundable_at: String,
}

/// An open hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldView {
    pub amount: String,
    pub expires_at: String,
}

/// One part of the stacked bar from balance to refundable, in thousandths of the bar's width.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BarSegment {
    /// `refundable`, `locked` or `held`.
    pub kind: String,
    pub x: u32,
    pub width: u32,
}

/// One model's way from balance to refundable now, with the forms to refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaterfallView {
    pub model_id: String,
    pub model_name: String,
    pub currency: String,
    pub balance: String,
    pub balance_is_zero: bool,
    pub locked_fundings: Vec<LockedFundingView>,
    pub holds: Vec<HoldView>,
    pub refundable: String,
    pub refundable_is_zero: bool,
    /// Whether less than the whole balance is refundable now.
    pub refundable_below_balance: bool,
    /// Whether recent fundings and holds add up to more than the balance (usage has spent
    /// part of a recent funding), so the parts do not subtract to the refundable amount.
    pub parts_exceed_balance: bool,
    /// When more becomes refundable if nothing else happens.
    pub next_refundable_at: Option<String>,
    pub bar: Vec<BarSegment>,
    pub refund_token: String,
    pub refund_all_token: String,
}

/// One day of the consumption chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendDay {
    /// Such as `2026-12-03`.
    pub day: String,
    /// Such as `Dec 3`, for the axis.
    pub short_label: String,
    pub spent: String,
    /// The bar's height in thousandths of the plot height.
    pub height: u32,
}

/// Spend, average and forecast for one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumptionView {
    pub days: Vec<SpendDay>,
    /// The largest day's spend, the top of the chart's axis.
    pub axis_max: String,
    pub total: String,
    pub has_usage: bool,
    pub average_daily: String,
    /// Whole days the available balance lasts at the average; `None` without recent spend.
    pub days_left: Option<i64>,
    pub cover_days: u32,
    pub cover_days_error: Option<String>,
    /// What covering `cover_days` at the average needs beyond the available balance.
    pub needed_for_cover: String,
    pub suggested_top_up: String,
    /// Whether the suggestion was raised to the current minimum.
    pub suggested_is_minimum: bool,
}

/// Everything the model page shows for one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelDetailView {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub input_price: String,
    pub output_price: String,
    pub currency: String,
    pub in_catalog: bool,
    pub status: StatusView,
    pub wallet_exists: bool,
    pub wallet_locked: bool,
    pub wallet_balance: String,
    pub wallet_balance_is_zero: bool,
    pub balance: String,
    pub balance_is_zero: bool,
    pub available: String,
    pub held: String,
    pub refundable: String,
    /// Whether the next funding is the initial funding (else a top-up).
    pub initial_funding: bool,
    pub current_minimum: String,
    /// The amount the fund form starts with: the one asked for, else the current minimum.
    pub amount: String,
    pub amount_error: Option<String>,
    pub fee: String,
    pub fee_is_zero: bool,
    pub total: String,
    /// The fee rule in words, such as "0.50 USD plus 2% of the amount".
    pub fee_rule: Option<String>,
    /// The lock window in words, such as "24 hours".
    pub lock_window: String,
    /// When a funding made now becomes refundable.
    pub refundable_at_if_funded_now: String,
    /// The funded primary model, when it is another model.
    pub funded_primary: Option<String>,
    pub fund_token: String,
    pub consumption: ConsumptionView,
    pub waterfall: WaterfallView,
}

/// The refund view: one waterfall per funded model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundsView {
    pub currency: String,
    pub wallet_balance: String,
    pub waterfalls: Vec<WaterfallView>,
}

#[server(prefix = "/fn", endpoint = "model_catalog")]
pub async fn model_catalog() -> Result<CatalogView, FormError> {
    let caller = ssr::require_caller()?;
    let state = ssr::state()?;
    let funding = &state.funding;

    let list = funding
        .list_fundings(caller.user.id)
        .await
        .map_err(ssr::funding_error)?;
    let models = funding
        .models()
        .iter()
        .map(|model| {
            let mine = list.fundings.iter().find(|f| f.model_id == model.id);
            CatalogModel {
                id: model.id.to_string(),
                name: model.name.clone(),
                provider: model.provider.clone(),
                input_price: ssr::amount(&state, model.input_price_per_mtok),
                output_price: ssr::amount(&state, model.output_price_per_mtok),
                minimum_initial_amount: ssr::amount(&state, model.minimum_initial_amount),
                minimum_top_up_amount: ssr::amount(&state, model.minimum_top_up_amount),
                status: mine.map_or(StatusView::NotEnabled, |f| build::status(f.status)),
                balance: ssr::amount(&state, mine.map_or(funding::Amount::ZERO, |f| f.balance)),
                refundable: ssr::amount(
                    &state,
                    mine.map_or(funding::Amount::ZERO, |f| f.refundable),
                ),
            }
        })
        .collect();
    Ok(CatalogView {
        currency: funding.settings().currency.clone(),
        wallet_balance: ssr::amount(&state, list.wallet_balance),
        models,
    })
}

#[server(prefix = "/fn", endpoint = "model_detail")]
pub async fn model_detail(
    model_id: String,
    cover_days: Option<String>,
    amount: Option<String>,
) -> Result<ModelDetailView, FormError> {
    let caller = ssr::require_caller()?;
    let state = ssr::state()?;
    build::model_detail(&state, caller.user.id, &model_id, cover_days, amount).await
}

#[server(prefix = "/fn", endpoint = "refund_overview")]
pub async fn refund_overview() -> Result<RefundsView, FormError> {
    let caller = ssr::require_caller()?;
    let state = ssr::state()?;

    let list = state
        .funding
        .list_fundings(caller.user.id)
        .await
        .map_err(ssr::funding_error)?;
    let waterfalls = list
        .fundings
        .iter()
        .filter(|f| !f.balance.is_zero())
        .map(|f| build::waterfall(&state, f))
        .collect();
    Ok(RefundsView {
        currency: state.funding.settings().currency.clone(),
        wallet_balance: ssr::amount(&state, list.wallet_balance),
        waterfalls,
    })
}

#[server(prefix = "/fn", endpoint = "choose_primary_model")]
pub async fn choose_primary_model(model_id: String) -> Result<Moved, FormError> {
    let caller = ssr::require_caller()?;
    let state = ssr::state()?;

    let model = funding::ids::ModelId(model_id.clone());
    state
        .funding
        .set_primary_model(caller.user.id, &model)
        .await
        .map_err(|error| ssr::funding_error(error).keep("model_id", &model_id))?;
    let name = build::model_name(&state, &model);
    Ok(Moved {
        message: format!(
            "{name} is now your primary model. No money moved; any other model keeps its funds."
        ),
    })
}

#[server(prefix = "/fn", endpoint = "fund_model")]
pub async fn fund_model(
    model_id: String,
    amount: String,
    idempotency_key: String,
) -> Result<Moved, FormError> {
    let caller = ssr::require_caller()?;
    let state = ssr::state()?;
    // What a locked wallet needs to resume this funding after unlocking in place.
    let resume = crate::wallet::WalletAction::Fund(model_id.clone()).to_form_value();
    let kept = |error: FormError| {
        error
            .keep("model_id", &model_id)
            .keep("amount", &amount)
            .keep("resume_action", &resume)
            .keep("idempotency_key", &idempotency_key)
    };

    let key = ssr::idempotency_key(&idempotency_key).map_err(kept)?;
    let value = ssr::parse_amount(&state, &amount).map_err(kept)?;
    let model = funding::ids::ModelId(model_id.clone());
    let receipt = state
        .funding
        .fund_model(caller.user.id, &model, value, Some(key))
        .await
        .map_err(|error| kept(ssr::funding_error(error)))?;

    let currency = &state.funding.settings().currency;
    let fee = if receipt.fee.is_zero() {
        String::new()
    } else {
        format!(
            " plus a funding fee of {} {currency}",
            ssr::amount(&state, receipt.fee)
        )
    };
    Ok(Moved {
        message: format!(
            "Moved {} {currency}{fee} from your wallet into {}'s funding. Its model balance is \
             now {} {currency}.",
            ssr::amount(&state, receipt.amount),
            build::model_name(&state, &model),
            ssr::amount(&state, receipt.funding.balance),
        ),
    })
}

#[server(prefix = "/fn", endpoint = "refund_model")]
pub async fn refund_model(
    model_id: String,
    amount: String,
    idempotency_key: String,
) -> Result<Moved, FormError> {
    let caller = ssr::require_caller()?;
    let state = ssr::state()?;
    let resume = crate::wallet::WalletAction::Refund(model_id.clone()).to_form_value();
    let kept = |error: FormError| {
        error
            .keep("model_id", &model_id)
            .keep("amount", &amount)
            .keep("resume_action", &resume)
            .keep("idempotency_key", &idempotency_key)
    };

    let key = ssr::idempotency_key(&idempotency_key).map_err(kept)?;
    let value = ssr::parse_amount(&state, &amount).map_err(kept)?;
    build::refund(
        &state,
        caller.user.id,
        &model_id,
        funding::RefundAmount::Exactly(value),
        key,
    )
    .await
    .map_err(kept)
}

#[server(prefix = "/fn", endpoint = "refund_everything")]
pub async fn refund_everything(
    model_id: String,
    idempotency_key: String,
) -> Result<Moved, FormError> {
    let caller = ssr::require_caller()?;
    let state = ssr::state()?;
    let resume = crate::wallet::WalletAction::RefundAll(model_id.clone()).to_form_value();
    let kept = |error: FormError| {
        error
            .keep("model_id", &model_id)
            .keep("everything", "1")
            .keep("resume_action", &resume)
            .keep("idempotency_key", &idempotency_key)
    };

    let key = ssr::idempotency_key(&idempotency_key).map_err(kept)?;
    build::refund(
        &state,
        caller.user.id,
        &model_id,
        funding::RefundAmount::All,
        key,
    )
    .await
    .map_err(kept)
}

/// The server-side helpers: building the views from the funding core's numbers.
#[cfg(feature = "ssr")]
mod build {
    use funding::ids::{ModelId, UserId};
    use funding::{Amount, FundingError, FundingStatus, IdempotencyKey, ModelFunding};

    use super::*;
    use crate::state::AppState;

    /// The bars and segments are drawn in thousandths of their full size.
    const SCALE: i64 = 1000;

    pub fn status(status: FundingStatus) -> StatusView {
        match status {
            FundingStatus::Primary => StatusView::Primary,
            FundingStatus::NonPrimary => StatusView::NonPrimary,
            FundingStatus::NotEnabled => StatusView::NotEnabled,
        }
    }

    pub fn model_name(state: &AppState, model: &ModelId) -> String {
        super::model_name_of(state, model)
    }

    pub async fn refund(
        state: &AppState,
        user: UserId,
        model_id: &str,
        amount: funding::RefundAmount,
        key: IdempotencyKey,
    ) -> Result<Moved, FormError> {
        let model = ModelId(model_id.to_owned());
        let receipt = state
            .funding
            .refund_model(user, &model, amount, Some(key))
            .await
            .map_err(ssr::funding_error)?;
        let currency = &state.funding.settings().currency;
        Ok(Moved {
            message: format!(
                "Refunded {} {currency} from {}'s funding to your wallet. The wallet balance is \
                 now {} {currency}.",
                ssr::amount(state, receipt.amount),
                model_name(state, &model),
                ssr::amount(state, receipt.wallet.balance),
            ),
        })
    }

    /// `part` of `whole` in thousandths, rounded down; zero when the whole is zero.
    fn share(part: Amount, whole: Amount) -> i64 {
        if whole.micros() <= 0 {
            return 0;
        }
        let scaled = i128::from(part.micros()) * i128::from(SCALE) / i128::from(whole.micros());
        i64::try_from(scaled).unwrap_or(SCALE).clamp(0, SCALE)
    }

    /// The stacked bar: refundable first, then open holds, then recent fundings, each cut
    /// to what is left of the balance (recent fundings may already be spent).
    fn bar(funding: &ModelFunding) -> Vec<BarSegment> {
        let mut segments = Vec::new();
        let mut left = funding.balance;
        let mut x = 0_i64;
        let mut push = |kind: &str, amount: Amount, segments: &mut Vec<BarSegment>| {
            let drawn = if amount > left { left } else { amount };
            left = left.saturating_sub(drawn);
            let width = share(drawn, funding.balance);
            if width > 0 {
                segments.push(BarSegment {
                    kind: kind.to_owned(),
                    x: u32::try_from(x).unwrap_or(0),
                    width: u32::try_from(width).unwrap_or(0),
                });
                x += width;
            }
        };
        push("refundable", funding.refundable, &mut segments);
        for hold in &funding.holds {
            push("held", hold.amount, &mut segments);
        }
        for locked in &funding.locked_fundings {
            push("locked", locked.amount, &mut segments);
        }
        segments
    }

    pub fn waterfall(state: &AppState, funding: &ModelFunding) -> WaterfallView {
        WaterfallView {
            model_id: funding.model_id.to_string(),
            model_name: model_name(state, &funding.model_id),
            currency: state.funding.settings().currency.clone(),
            balance: ssr::amount(state, funding.balance),
            balance_is_zero: funding.balance.is_zero(),
            locked_fundings: funding
                .locked_fundings
                .iter()
                .map(|locked| LockedFundingView {
                    amount: ssr::amount(state, locked.amount),
                    refundable_at: ssr::moment(locked.refundable_at),
                })
                .collect(),
            holds: funding
                .holds
                .iter()
                .map(|hold| HoldView {
                    amount: ssr::amount(state, hold.amount),
                    expires_at: ssr::moment(hold.expires_at),
                })
                .collect(),
            refundable: ssr::amount(state, funding.refundable),
            refundable_is_zero: funding.refundable.is_zero(),
            refundable_below_balance: funding.refundable < funding.balance,
            parts_exceed_balance: funding
                .held
                .checked_add(funding.recently_funded)
                .map_or(true, |parts| parts > funding.balance),
            next_refundable_at: funding.next_refundable_at().map(ssr::moment),
            bar: bar(funding),
            refund_token: ssr::new_idempotency_token(),
            refund_all_token: ssr::new_idempotency_token(),
        }
    }

    /// The lock window in words: seconds, minutes or hours, whichever reads best.
    fn lock_window_words(seconds: i64) -> String {
        let plural = |n: i64, unit: &str| {
            if n == 1 {
                format!("1 {unit}")
            } else {
                format!("{n} {unit}s")
            }
        };
        if seconds % 3600 == 0 && seconds > 0 {
            plural(seconds / 3600, "hour")
        } else if seconds % 60 == 0 && seconds > 0 {
            plural(seconds / 60, "minute")
        } else {
            plural(seconds, "second")
        }
    }

    fn parse_cover_days(input: Option<String>) -> (u32, Option<String>) {
        let Some(input) = input.filter(|value| !value.trim().is_empty()) else {
            return (DEFAULT_COVER_DAYS, None);
        };
        match input.trim().parse::<u32>() {
            Ok(days) if (1..=MAX_COVER_DAYS).contains(&days) => (days, None),
            _ => (
                DEFAULT_COVER_DAYS,
                Some(format!(
                    "Enter a whole number of days from 1 to {MAX_COVER_DAYS}; \"{}\" is not \
                     one. The suggestion below covers {DEFAULT_COVER_DAYS} days.",
                    input.trim()
                )),
            ),
        }
    }

    async fn consumption(
        state: &AppState,
        user: UserId,
        funding: &ModelFunding,
        cover_days_input: Option<String>,
    ) -> Result<ConsumptionView, FormError> {
        let (cover_days, cover_days_error) = parse_cover_days(cover_days_input);
        let guidance = state
            .funding
            .consumption(user, funding, cover_days)
            .await
            .map_err(ssr::funding_error)?;
        let max = guidance
            .days
            .iter()
            .map(|day| day.spent)
            .max()
            .unwrap_or(Amount::ZERO);

        let format = time::macros::format_description!("[month repr:short] [day padding:none]");
        let days = guidance
            .days
            .iter()
            .map(|day| SpendDay {
                day: day.day.to_string(),
                short_label: day
                    .day
                    .format(&format)
                    .unwrap_or_else(|_| day.day.to_string()),
                spent: ssr::amount(state, day.spent),
                height: u32::try_from(share(day.spent, max)).unwrap_or(0),
            })
            .collect();
        Ok(ConsumptionView {
            days,
            axis_max: ssr::amount(state, max),
            total: ssr::amount(state, guidance.total),
            has_usage: !guidance.total.is_zero(),
            average_daily: ssr::amount(state, guidance.average_daily),
            days_left: guidance.days_left,
            cover_days: guidance.cover_days,
            cover_days_error,
            needed_for_cover: ssr::amount(state, guidance.needed_for_cover),
            suggested_top_up: ssr::amount(state, guidance.suggested_top_up),
            suggested_is_minimum: guidance.suggested_is_minimum,
        })
    }

    fn fee_rule(state: &AppState) -> Option<String> {
        let settings = state.funding.settings();
        let flat = !settings.funding_fee_flat.is_zero();
        let percent = !settings.funding_fee_percent.is_zero();
        let currency = &settings.currency;
        match (flat, percent) {
            (false, false) => None,
            (true, false) => Some(format!(
                "{} {currency} per funding",
                ssr::amount(state, settings.funding_fee_flat)
            )),
            (false, true) => Some(format!(
                "{}% of the amount",
                settings.funding_fee_percent.normalize()
            )),
            (true, true) => Some(format!(
                "{} {currency} plus {}% of the amount",
                ssr::amount(state, settings.funding_fee_flat),
                settings.funding_fee_percent.normalize()
            )),
        }
    }

    pub async fn model_detail(
        state: &AppState,
        user: UserId,
        model_id: &str,
        cover_days: Option<String>,
        amount_input: Option<String>,
    ) -> Result<ModelDetailView, FormError> {
        let model = ModelId(model_id.to_owned());
        let service = &state.funding;
        let settings = service.settings();
        let funding = service
            .model_funding(user, &model)
            .await
            .map_err(ssr::funding_error)?;
        let (wallet_exists, wallet_locked, wallet_balance) = match service.wallet(user).await {
            Ok(wallet) => (true, wallet.locked, wallet.balance),
            Err(FundingError::WalletNotFound) => (false, true, Amount::ZERO),
            Err(error) => return Err(ssr::funding_error(error)),
        };
        let list = service
            .list_fundings(user)
            .await
            .map_err(ssr::funding_error)?;
        // The one-model note is for starting a second model, not for topping one up.
        let funded_primary = list
            .fundings
            .iter()
            .find(|f| f.status == FundingStatus::Primary && !f.balance.is_zero())
            .filter(|f| f.model_id != model)
            .filter(|_| funding.next_funding == funding::MinimumKind::InitialFunding)
            .map(|f| model_name(state, &f.model_id));

        let minimum = funding.current_minimum_amount;
        let (amount, amount_error) = match amount_input.filter(|a| !a.is_empty()) {
            None => (minimum, None),
            Some(input) => match funding::parse_amount(&input, &settings.amount_rules()) {
                Ok(amount) => (amount, None),
                Err(error) => (
                    minimum,
                    Some(format!("{error} The figures show the minimum.")),
                ),
            },
        };
        let funding::money::FundingCost { fee, total, .. } = funding::money::funding_cost(
            amount,
            settings.funding_fee_flat,
            settings.funding_fee_percent,
        )
        .map_err(|_| ssr::funding_error(FundingError::Overflow))?;
        let catalog_model = service.catalog().model(&model);
        let refundable_at = service.now() + time::Duration::seconds(settings.lock_window_seconds);

        Ok(ModelDetailView {
            id: model.to_string(),
            name: model_name(state, &model),
            provider: catalog_model
                .map(|m| m.provider.clone())
                .unwrap_or_default(),
            input_price: catalog_model
                .map(|m| ssr::amount(state, m.input_price_per_mtok))
                .unwrap_or_default(),
            output_price: catalog_model
                .map(|m| ssr::amount(state, m.output_price_per_mtok))
                .unwrap_or_default(),
            currency: settings.currency.clone(),
            in_catalog: catalog_model.is_some(),
            status: status(funding.status),
            wallet_exists,
            wallet_locked,
            wallet_balance: ssr::amount(state, wallet_balance),
            wallet_balance_is_zero: wallet_balance.is_zero(),
            balance: ssr::amount(state, funding.balance),
            balance_is_zero: funding.balance.is_zero(),
            available: ssr::amount(state, funding.available()),
            held: ssr::amount(state, funding.held),
            refundable: ssr::amount(state, funding.refundable),
            initial_funding: funding.next_funding == funding::MinimumKind::InitialFunding,
            current_minimum: ssr::amount(state, minimum),
            amount: ssr::amount(state, amount),
            amount_error,
            fee: ssr::amount(state, fee),
            fee_is_zero: fee.is_zero(),
            total: ssr::amount(state, total),
            fee_rule: fee_rule(state),
            lock_window: lock_window_words(settings.lock_window_seconds),
            refundable_at_if_funded_now: ssr::moment(refundable_at),
            funded_primary,
            fund_token: ssr::new_idempotency_token(),
            consumption: consumption(state, user, &funding, cover_days).await?,
            waterfall: waterfall(state, &funding),
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn lock_window_reads_in_the_largest_whole_unit() {
            assert_eq!(lock_window_words(86_400), "24 hours");
            assert_eq!(lock_window_words(60), "1 minute");
            assert_eq!(lock_window_words(5), "5 seconds");
        }

        #[test]
        fn cover_days_default_to_thirty_and_refuse_nonsense() {
            assert_eq!(parse_cover_days(None), (30, None));
            assert_eq!(parse_cover_days(Some("7".into())), (7, None));
            assert!(parse_cover_days(Some("0".into())).1.is_some());
            assert!(parse_cover_days(Some("1e3".into())).1.is_some());
        }

        #[test]
        fn shares_are_thousandths_rounded_down() {
            let third = Amount::from_micros(1_000_000).unwrap_or(Amount::ZERO);
            let whole = Amount::from_micros(3_000_000).unwrap_or(Amount::ZERO);
            assert_eq!(share(third, whole), 333);
            assert_eq!(share(whole, Amount::ZERO), 0);
        }
    }
}
