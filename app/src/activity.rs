//! The activity page's data: every ledger entry of the user, newest first, filtered by model
//! and kind, a page at a time.

use leptos::server;
use serde::{Deserialize, Serialize};

use crate::error::FormError;
#[cfg(feature = "ssr")]
use crate::ssr;
use crate::views::EntryRow;

/// Entries per page of the activity list.
pub const ACTIVITY_PAGE_SIZE: u32 = 25;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub currency: String,
    pub entries: Vec<EntryRow>,
    /// The id to pass as `before` for older entries; `None` on the last page.
    pub next_before: Option<String>,
    /// (id, name) of every catalog model, for the filter.
    pub models: Vec<(String, String)>,
    /// (kind, label) of every entry kind, for the filter.
    pub kinds: Vec<(String, String)>,
}

#[server(prefix = "/fn", endpoint = "load_activity")]
pub async fn load_activity(
    model: Option<String>,
    kind: Option<String>,
    before: Option<String>,
) -> Result<ActivityPage, FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;
    let funding = &state.funding;
    let invalid = |field: &str, message: &str| {
        let error = FormError::new("invalid_query", message).with_field(Some(field));
        ssr::reject(error, http::StatusCode::BAD_REQUEST)
    };

    let model_id = match model.filter(|m| !m.is_empty()) {
        Some(id) => {
            let id = funding::ids::ModelId(id);
            if funding.catalog().model(&id).is_none() {
                return Err(invalid(
                    "model",
                    "There is no such model; pick one from the list.",
                ));
            }
            Some(id)
        }
        None => None,
    };
    let kind = match kind.filter(|k| !k.is_empty()) {
        Some(kind) => Some(
            funding::EntryKind::parse(&kind)
                .ok_or_else(|| invalid("kind", "There is no such kind of entry."))?,
        ),
        None => None,
    };
    let before = match before.filter(|b| !b.is_empty()) {
        Some(before) => Some(
            before
                .parse::<funding::ids::EntryId>()
                .map_err(|_| invalid("before", "That page does not exist."))?,
        ),
        None => None,
    };

    let query = funding::EntryQuery {
        model_id,
        kind,
        before,
        limit: Some(ACTIVITY_PAGE_SIZE),
    };
    let page = funding
        .list_entries(caller.user.id, &query)
        .await
        .map_err(ssr::funding_error)?;
    Ok(ActivityPage {
        currency: funding.settings().currency.clone(),
        entries: page
            .entries
            .iter()
            .map(|entry| ssr::entry_row(&state, entry, adds_money(entry.kind)))
            .collect(),
        next_before: page.next_before.map(|id| id.to_string()),
        models: funding
            .models()
            .iter()
            .map(|model| (model.id.to_string(), model.name.clone()))
            .collect(),
        kinds: funding::EntryKind::ALL
            .iter()
            .map(|kind| {
                (
                    kind.as_str().to_owned(),
                    ssr::entry_kind_label(*kind).to_owned(),
                )
            })
            .collect(),
    })
}

/// Whether an entry of this kind brought money into the layer it concerns: a recharge into the
/// wallet, a funding into the model, a refund back into the wallet, a released hold back to
/// the model's available money.
#[cfg(feature = "ssr")]
fn adds_money(kind: funding::EntryKind) -> bool {
    use funding::EntryKind::*;
    matches!(kind, Recharge | Funding | Refund | HoldReleased)
}
