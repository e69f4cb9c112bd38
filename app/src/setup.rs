//! The onboarding wizard's data and its own two actions (choose the primary model, prepare its
//! initial funds). The step shown is derived from the user's real state on every load.

use leptos::server;
use serde::{Deserialize, Serialize};

use crate::error::FormError;
#[cfg(feature = "ssr")]
use crate::ssr;
use crate::views::{Moved, WalletView};

/// A catalog model as the wizard's cards show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelCard {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub input_price_per_mtok: String,
    pub output_price_per_mtok: String,
    pub minimum_initial_amount: String,
}

/// The primary model's numbers for the fund and done steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryModel {
    pub id: String,
    pub name: String,
    pub balance: String,
    pub refundable: String,
    pub current_minimum_amount: String,
    /// The fee on a funding of the current minimum, and what the wallet pays in all.
    pub fee_at_minimum: String,
    pub total_at_minimum: String,
    /// How much more the wallet needs to cover a funding of the minimum, if any.
    pub shortfall_at_minimum: Option<String>,
    pub lock_window_hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupPage {
    /// `wallet`, `recharge`, `model`, `fund` or `done`.
    pub step: String,
    pub wallet: Option<WalletView>,
    pub models: Vec<ModelCard>,
    pub primary: Option<PrimaryModel>,
    pub recharge_key: String,
    pub fund_key: String,
    /// How the funding fee is computed, in words; `None` when there is no fee.
    pub fee_rule: Option<String>,
}

#[server(prefix = "/fn", endpoint = "load_setup_page")]
pub async fn load_setup_page() -> Result<SetupPage, FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;
    let user = caller.user.id;
    let funding = &state.funding;
    let settings = funding.settings();

    let progress = funding
        .setup_progress(user)
        .await
        .map_err(ssr::funding_error)?;
    let wallet = match funding.wallet(user).await {
        Ok(wallet) => Some(wallet),
        Err(funding::FundingError::WalletNotFound) => None,
        Err(error) => return Err(ssr::funding_error(error)),
    };
    let models = funding
        .models()
        .iter()
        .map(|model| ModelCard {
            id: model.id.to_string(),
            name: model.name.clone(),
            provider: model.provider.clone(),
            input_price_per_mtok: ssr::amount(&state, model.input_price_per_mtok),
            output_price_per_mtok: ssr::amount(&state, model.output_price_per_mtok),
            minimum_initial_amount: ssr::amount(&state, model.minimum_initial_amount),
        })
        .collect();

    let primary = match (&progress.setup.primary_model_id, &wallet) {
        (Some(model_id), Some(wallet)) => {
            let model = funding.catalog().model(model_id).cloned();
            let view = funding
                .model_funding(user, model_id)
                .await
                .map_err(ssr::funding_error)?;
            model.map(|model| primary_model(&state, &model, &view, wallet.balance))
        }
        _ => None,
    };
    let fee_rule = (!settings.funding_fee_flat.is_zero()
        || !settings.funding_fee_percent.is_zero())
    .then(|| {
        format!(
            "Each funding costs a fee of {} {} plus {}% of the amount, paid from the wallet.",
            ssr::amount(&state, settings.funding_fee_flat),
            settings.currency,
            settings.funding_fee_percent.normalize()
        )
    });

    Ok(SetupPage {
        step: progress.current_step().as_str().to_owned(),
        wallet: wallet
            .as_ref()
            .map(|wallet| crate::wallet::wallet_view(&state, wallet)),
        models,
        primary,
        recharge_key: ssr::new_idempotency_token(),
        fund_key: ssr::new_idempotency_token(),
        fee_rule,
    })
}

#[cfg(feature = "ssr")]
fn primary_model(
    state: &crate::state::AppState,
    model: &funding::Model,
    view: &funding::ModelFunding,
    wallet_balance: funding::Amount,
) -> PrimaryModel {
    let settings = state.funding.settings();
    let minimum = view.current_minimum_amount;
    let fee = funding::money::funding_fee(
        minimum,
        settings.funding_fee_flat,
        settings.funding_fee_percent,
    )
    .unwrap_or(funding::Amount::MAX);
    let total = minimum.checked_add(fee).unwrap_or(funding::Amount::MAX);
    let shortfall = total
        .checked_sub(wallet_balance)
        .filter(|short| !short.is_zero());
    PrimaryModel {
        id: model.id.to_string(),
        name: model.name.clone(),
        balance: ssr::amount(state, view.balance),
        refundable: ssr::amount(state, view.refundable),
        current_minimum_amount: ssr::amount(state, minimum),
        fee_at_minimum: ssr::amount(state, fee),
        total_at_minimum: ssr::amount(state, total),
        shortfall_at_minimum: shortfall.map(|short| ssr::amount(state, short)),
        lock_window_hours: lock_window_words(view.lock_window_seconds),
    }
}

/// The lock window in words: "24 hours", "90 minutes", "5 seconds".
#[cfg(feature = "ssr")]
fn lock_window_words(seconds: i64) -> String {
    match seconds {
        s if s >= 3600 && s % 3600 == 0 => format!("{} hours", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{s} seconds"),
    }
}

/// Makes `model_id` the primary model (the wizard's model step).
#[server(prefix = "/fn", endpoint = "pick_primary_model")]
pub async fn pick_primary_model(model_id: String) -> Result<(), FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;

    let model = funding::ids::ModelId(model_id);
    state
        .funding
        .set_primary_model(caller.user.id, &model)
        .await
        .map_err(ssr::funding_error)?;
    leptos_axum::redirect("/setup");
    Ok(())
}

/// Prepares the primary model's initial funds from the wallet (the wizard's fund step).
#[server(prefix = "/fn", endpoint = "fund_primary_model")]
pub async fn fund_primary_model(
    amount: String,
    idempotency_key: String,
) -> Result<Moved, FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;
    let progress = state
        .funding
        .setup_progress(caller.user.id)
        .await
        .map_err(ssr::funding_error)?;
    let Some(model) = progress.setup.primary_model_id else {
        let error = FormError::new("invalid_form", "Pick a primary model first.");
        return Err(ssr::reject(error, http::StatusCode::CONFLICT));
    };
    // What a locked wallet needs to resume this funding after unlocking in place.
    let resume = crate::wallet::WalletAction::Fund(model.to_string()).to_form_value();
    let keep = |error: FormError| {
        error
            .keep("amount", &amount)
            .keep("resume_action", &resume)
            .keep("idempotency_key", &idempotency_key)
    };
    let key = ssr::idempotency_key(&idempotency_key).map_err(keep)?;
    let parsed = ssr::parse_amount(&state, &amount).map_err(keep)?;

    let receipt = state
        .funding
        .fund_model(caller.user.id, &model, parsed, Some(key))
        .await
        .map_err(|error| keep(ssr::funding_error(error)))?;

    let currency = &receipt.wallet.currency;
    Ok(Moved {
        message: format!(
            "Moved {} {currency} into {model}'s funding (fee {} {currency}).",
            ssr::amount(&state, receipt.amount),
            ssr::amount(&state, receipt.fee),
        ),
    })
}
