//! The wallet's server functions: set up, lock and unlock, recharge and withdraw, and the data
//! the wallet page and the wizard show. A money action refused because the wallet is locked
//! keeps what was asked for, so the unlock form can carry it out after unlocking.

use leptos::server;
use serde::{Deserialize, Serialize};

use crate::error::FormError;
#[cfg(feature = "ssr")]
use crate::ssr;
use crate::views::{EntryRow, Moved, WalletView};

/// Everything the wallet page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletPage {
    /// `None` until the wallet is set up.
    pub wallet: Option<WalletView>,
    pub recent_entries: Vec<EntryRow>,
    /// Fresh idempotency tokens for the money forms.
    pub recharge_key: String,
    pub withdraw_key: String,
    /// The configured funding source is the sandbox: its money is test money.
    pub test_money: bool,
}

/// How many entries the wallet page lists.
pub const RECENT_ENTRIES: u32 = 10;

#[server(prefix = "/fn", endpoint = "load_wallet_page")]
pub async fn load_wallet_page() -> Result<WalletPage, FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;
    let user = caller.user.id;

    let wallet = match state.funding.wallet(user).await {
        Ok(wallet) => Some(wallet_view(&state, &wallet)),
        Err(funding::FundingError::WalletNotFound) => None,
        Err(error) => return Err(ssr::funding_error(error)),
    };
    let recent_entries = state
        .funding
        .recent_wallet_entries(user, RECENT_ENTRIES)
        .await
        .map_err(ssr::funding_error)?
        .iter()
        .map(|entry| ssr::entry_row(&state, entry, entry.kind.adds_to_wallet()))
        .collect();

    Ok(WalletPage {
        wallet,
        recent_entries,
        recharge_key: ssr::new_idempotency_token(),
        withdraw_key: ssr::new_idempotency_token(),
        test_money: true,
    })
}

#[cfg(feature = "ssr")]
pub(crate) fn wallet_view(state: &crate::state::AppState, wallet: &funding::Wallet) -> WalletView {
    WalletView {
        currency: wallet.currency.clone(),
        balance: ssr::amount(state, wallet.balance),
        balance_is_zero: wallet.balance.is_zero(),
        locked: wallet.locked,
        auto_lock_minutes: wallet.auto_lock_minutes,
        unlocked_until: wallet.unlocked_until.map(ssr::moment),
    }
}

#[server(prefix = "/fn", endpoint = "create_wallet")]
pub async fn create_wallet(
    passphrase: String,
    passphrase_confirmation: String,
    auto_lock_minutes: String,
) -> Result<(), FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;
    let keep = |error: FormError| error.keep("auto_lock_minutes", auto_lock_minutes.trim());

    if passphrase != passphrase_confirmation {
        let error = FormError::new(
            "passphrase_mismatch",
            "The two passphrases differ. Type the same passphrase twice.",
        )
        .with_field(Some("passphrase_confirmation"));
        return Err(keep(ssr::reject(error, http::StatusCode::BAD_REQUEST)));
    }
    let minutes = parse_minutes(&auto_lock_minutes).map_err(keep)?;

    state
        .funding
        .create_wallet(caller.user.id, &passphrase, Some(minutes))
        .await
        .map_err(|error| keep(ssr::funding_error(error)))?;
    leptos_axum::redirect("/setup");
    Ok(())
}

#[cfg(feature = "ssr")]
fn parse_minutes(input: &str) -> Result<u32, FormError> {
    input.trim().parse::<u32>().map_err(|_| {
        let error = FormError::new(
            "invalid_auto_lock_minutes",
            "Auto-lock must be a whole number of minutes from 1 to 60.",
        )
        .with_field(Some("auto_lock_minutes"));
        ssr::reject(error, http::StatusCode::BAD_REQUEST)
    })
}

#[server(prefix = "/fn", endpoint = "lock_wallet")]
pub async fn lock_wallet() -> Result<(), FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;

    state
        .funding
        .lock_wallet(caller.user.id)
        .await
        .map_err(ssr::funding_error)?;
    Ok(())
}

#[server(prefix = "/fn", endpoint = "set_auto_lock")]
pub async fn set_auto_lock(auto_lock_minutes: String) -> Result<(), FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;

    let minutes = parse_minutes(&auto_lock_minutes)?;
    state
        .funding
        .set_auto_lock_minutes(caller.user.id, minutes)
        .await
        .map_err(ssr::funding_error)?;
    Ok(())
}

/// A money action that a locked wallet interrupted, to carry out once it is unlocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WalletAction {
    Recharge,
    Withdraw,
    /// Funding the model with this id.
    Fund(String),
    /// Refunding an amount from the model with this id.
    Refund(String),
    /// Refunding everything refundable now from the model with this id.
    RefundAll(String),
}

impl WalletAction {
    /// The action as a form value: `recharge`, `withdraw`, or `fund:`, `refund:` or
    /// `refund-all:` followed by the model id.
    pub fn to_form_value(&self) -> String {
        match self {
            Self::Recharge => "recharge".to_owned(),
            Self::Withdraw => "withdraw".to_owned(),
            Self::Fund(model_id) => format!("fund:{model_id}"),
            Self::Refund(model_id) => format!("refund:{model_id}"),
            Self::RefundAll(model_id) => format!("refund-all:{model_id}"),
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "recharge" => Some(Self::Recharge),
            "withdraw" => Some(Self::Withdraw),
            other => {
                let (kind, model_id) = other.split_once(':')?;
                if model_id.is_empty() {
                    return None;
                }
                let model_id = model_id.to_owned();
                match kind {
                    "fund" => Some(Self::Fund(model_id)),
                    "refund" => Some(Self::Refund(model_id)),
                    "refund-all" => Some(Self::RefundAll(model_id)),
                    _ => None,
                }
            }
        }
    }
}

#[server(prefix = "/fn", endpoint = "recharge_wallet")]
pub async fn recharge_wallet(amount: String, idempotency_key: String) -> Result<Moved, FormError> {
    move_wallet_money(Movement::Recharge, &amount, &idempotency_key).await
}

#[server(prefix = "/fn", endpoint = "withdraw_from_wallet")]
pub async fn withdraw_from_wallet(
    amount: String,
    idempotency_key: String,
) -> Result<Moved, FormError> {
    move_wallet_money(Movement::Withdraw, &amount, &idempotency_key).await
}

/// Unlocks the wallet and, when a money action was interrupted by the lock, carries it out
/// with what the person had typed.
#[server(prefix = "/fn", endpoint = "unlock_wallet")]
pub async fn unlock_wallet(
    passphrase: String,
    resume_action: Option<String>,
    resume_amount: Option<String>,
    resume_key: Option<String>,
) -> Result<Option<Moved>, FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;
    let resume = resume_action.as_deref().and_then(WalletAction::parse);
    let keep_resume = |error: FormError| match &resume {
        Some(action) => error
            .keep("resume_action", &action.to_form_value())
            .keep("amount", resume_amount.as_deref().unwrap_or_default())
            .keep("idempotency_key", resume_key.as_deref().unwrap_or_default()),
        None => error,
    };

    state
        .funding
        .unlock_wallet(caller.user.id, &passphrase)
        .await
        .map_err(|error| keep_resume(ssr::funding_error(error)))?;

    match (resume, resume_amount, resume_key) {
        (Some(WalletAction::Fund(model_id)), Some(amount), Some(key)) => {
            crate::models::fund_model(model_id, amount, key)
                .await
                .map(Some)
        }
        (Some(WalletAction::Refund(model_id)), Some(amount), Some(key)) => {
            crate::models::refund_model(model_id, amount, key)
                .await
                .map(Some)
        }
        (Some(WalletAction::RefundAll(model_id)), _, Some(key)) => {
            crate::models::refund_everything(model_id, key)
                .await
                .map(Some)
        }
        (Some(WalletAction::Recharge), Some(amount), Some(key)) => {
            move_wallet_money(Movement::Recharge, &amount, &key)
                .await
                .map(Some)
        }
        (Some(WalletAction::Withdraw), Some(amount), Some(key)) => {
            move_wallet_money(Movement::Withdraw, &amount, &key)
                .await
                .map(Some)
        }
        _ => Ok(None),
    }
}

/// The two movements between the wallet and its funding source.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy)]
enum Movement {
    Recharge,
    Withdraw,
}

#[cfg(feature = "ssr")]
impl Movement {
    fn action(self) -> WalletAction {
        match self {
            Self::Recharge => WalletAction::Recharge,
            Self::Withdraw => WalletAction::Withdraw,
        }
    }
}

/// Recharges or withdraws; on failure the error keeps the amount and the token, and names the
/// action, so a locked wallet can be unlocked in place and the action resumed.
#[cfg(feature = "ssr")]
async fn move_wallet_money(
    movement_kind: Movement,
    amount: &str,
    idempotency_key: &str,
) -> Result<Moved, FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;
    let keep = |error: FormError| {
        error
            .keep("resume_action", &movement_kind.action().to_form_value())
            .keep("amount", amount)
            .keep("idempotency_key", idempotency_key)
    };

    let key = ssr::idempotency_key(idempotency_key).map_err(keep)?;
    let parsed = ssr::parse_amount(&state, amount).map_err(keep)?;

    let user = caller.user.id;
    let movement = match movement_kind {
        Movement::Recharge => state.funding.recharge_wallet(user, parsed, Some(key)).await,
        Movement::Withdraw => {
            state
                .funding
                .withdraw_from_wallet(user, parsed, Some(key))
                .await
        }
    }
    .map_err(|error| keep(ssr::funding_error(error)))?;

    let moved = ssr::amount(&state, movement.amount);
    let balance = ssr::amount(&state, movement.wallet.balance);
    let currency = &movement.wallet.currency;
    let message = match movement_kind {
        Movement::Recharge => format!(
            "Recharged {moved} {currency} of test money from the sandbox. Wallet balance: {balance} {currency}."
        ),
        Movement::Withdraw => format!(
            "Withdrew {moved} {currency} back to the sandbox. Wallet balance: {balance} {currency}."
        ),
    };
    Ok(Moved { message })
}

/// Skips an optional step of the setup path for now.
#[server(prefix = "/fn", endpoint = "skip_setup_step")]
pub async fn skip_setup_step(step: String) -> Result<(), FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;

    let Some(step) = funding::SkippableStep::parse(&step) else {
        let error = FormError::new("invalid_form", "That step cannot be skipped.");
        return Err(ssr::reject(error, http::StatusCode::BAD_REQUEST));
    };
    state
        .funding
        .skip_setup_step(caller.user.id, step)
        .await
        .map_err(ssr::funding_error)?;
    leptos_axum::redirect("/setup");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::WalletAction;

    #[test]
    fn every_action_survives_its_round_trip_through_a_form() {
        let actions = [
            WalletAction::Recharge,
            WalletAction::Withdraw,
            WalletAction::Fund("gpt-x".to_owned()),
            WalletAction::Refund("model:with:colons".to_owned()),
            WalletAction::RefundAll("claude-y".to_owned()),
        ];
        for action in actions {
            assert_eq!(WalletAction::parse(&action.to_form_value()), Some(action));
        }
    }

    #[test]
    fn unknown_or_incomplete_actions_resume_nothing() {
        for value in [
            "",
            "fund",
            "fund:",
            "refund:",
            "refund-all:",
            "spend:gpt-x",
            "Recharge",
        ] {
            assert_eq!(WalletAction::parse(value), None, "{value:?}");
        }
    }
}
