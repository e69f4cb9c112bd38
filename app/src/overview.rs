//! The overview (dashboard) data: the two layers, open holds, and the next sensible action.

use leptos::server;
use serde::{Deserialize, Serialize};

use crate::error::FormError;
#[cfg(feature = "ssr")]
use crate::ssr;
use crate::views::WalletView;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryFunding {
    pub id: String,
    pub name: String,
    pub balance: String,
    pub held: String,
    pub refundable: String,
    pub open_holds: usize,
}

/// A request in flight: money reserved from a model's funding until it settles, is released
/// or expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldRow {
    pub model_name: String,
    pub amount: String,
    pub expires_at: String,
}

/// The one thing the overview suggests doing next, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextAction {
    pub label: String,
    pub href: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub wallet: Option<WalletView>,
    pub primary: Option<PrimaryFunding>,
    /// Every open hold of every model, soonest to expire first.
    pub open_holds: Vec<HoldRow>,
    pub next: Option<NextAction>,
}

#[server(prefix = "/fn", endpoint = "load_overview")]
pub async fn load_overview() -> Result<Overview, FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;
    let user = caller.user.id;
    let funding = &state.funding;

    let progress = funding
        .setup_progress(user)
        .await
        .map_err(ssr::funding_error)?;
    let wallet = match funding.wallet(user).await {
        Ok(wallet) => Some(wallet),
        Err(funding::FundingError::WalletNotFound) => None,
        Err(error) => return Err(ssr::funding_error(error)),
    };
    // One read of every funded or chosen model gives both the primary model's figures and
    // every open hold.
    let fundings = funding
        .list_fundings(user)
        .await
        .map_err(ssr::funding_error)?
        .fundings;
    let primary = progress
        .setup
        .primary_model_id
        .as_ref()
        .and_then(|model_id| {
            let view = fundings.iter().find(|view| &view.model_id == model_id)?;
            Some((crate::models::model_name_of(&state, model_id), view.clone()))
        });
    let mut holds: Vec<_> = fundings
        .iter()
        .flat_map(|view| view.holds.iter().map(move |hold| (&view.model_id, hold)))
        .collect();
    holds.sort_by_key(|(_, hold)| hold.expires_at);
    let open_holds = holds
        .into_iter()
        .map(|(model_id, hold)| HoldRow {
            model_name: crate::models::model_name_of(&state, model_id),
            amount: ssr::amount(&state, hold.amount),
            expires_at: ssr::moment(hold.expires_at),
        })
        .collect();

    let next = next_action(&state, wallet.as_ref(), primary.as_ref());
    Ok(Overview {
        wallet: wallet
            .as_ref()
            .map(|wallet| crate::wallet::wallet_view(&state, wallet)),
        primary: primary.map(|(name, view)| PrimaryFunding {
            id: view.model_id.to_string(),
            name,
            balance: ssr::amount(&state, view.balance),
            held: ssr::amount(&state, view.held),
            refundable: ssr::amount(&state, view.refundable),
            open_holds: view.holds.len(),
        }),
        open_holds,
        next,
    })
}

#[cfg(feature = "ssr")]
fn next_action(
    state: &crate::state::AppState,
    wallet: Option<&funding::Wallet>,
    primary: Option<&(String, funding::ModelFunding)>,
) -> Option<NextAction> {
    let action = |label: String, href: &str, reason: String| NextAction {
        label,
        href: href.to_owned(),
        reason,
    };
    let Some(wallet) = wallet else {
        return Some(action(
            "Set up your wallet".into(),
            "/setup",
            "The wallet is where money enters Twofold; every model is funded from it.".into(),
        ));
    };
    let Some((name, funding_view)) = primary else {
        return Some(action(
            "Pick a primary model".into(),
            "/setup",
            "One model first keeps your money in one place until real usage shows a need for another."
                .into(),
        ));
    };
    let minimum = funding_view.current_minimum_amount;
    let currency = &wallet.currency;
    if wallet.balance < minimum && funding_view.available() < minimum {
        return Some(action(
            "Recharge the wallet".into(),
            "/wallet",
            format!(
                "{name} needs at least {} {currency} per funding, and the wallet holds {} {currency}.",
                ssr::amount(state, minimum),
                ssr::amount(state, wallet.balance),
            ),
        ));
    }
    if funding_view.balance.is_zero() {
        let href = format!("/models/{}", funding_view.model_id);
        return Some(action(
            format!("Fund {name}"),
            &href,
            format!(
                "Usage is paid from {name}'s funding, which is empty. The minimum is {} {currency}.",
                ssr::amount(state, minimum)
            ),
        ));
    }
    let href = format!("/models/{}", funding_view.model_id);
    if funding_view.available() < minimum {
        return Some(action(
            format!("Top up {name}"),
            &href,
            format!(
                "{name} has {} {currency} left to spend, less than one minimum top-up.",
                ssr::amount(state, funding_view.available())
            ),
        ));
    }
    // Nothing is short: the path's last step is to top up from real consumption, which the
    // model page measures.
    Some(action(
        format!("See {name}'s consumption"),
        &href,
        format!(
            "Nothing needs doing now: {name} has {} {currency} left to spend. Top up from real consumption; its page shows the spend per day and how many days that lasts.",
            ssr::amount(state, funding_view.available())
        ),
    ))
}
