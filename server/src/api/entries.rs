//! The API's "Ledger" section: the caller's entries, a page at a time or all of them as CSV.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use funding::entries::MAX_ENTRY_PAGE_SIZE;
use funding::ids::{EntryId, ModelId};
use funding::ledger::EntryKind;
use funding::{Entry, EntryQuery};
use serde_json::{Value, json};

use app::state::AppState;

use super::auth::Authenticated;
use super::error::ApiError;
use super::views::Views;

/// The CSV's columns: the JSON fields of an entry, in the same order.
const CSV_HEADER: [&str; 10] = [
    "id",
    "kind",
    "created_at",
    "model_id",
    "amount",
    "fee",
    "wallet_balance_after",
    "model_balance_after",
    "description",
    "test_money",
];

pub async fn list_entries(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(params) = query.map_err(|rejection| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            rejection.body_text(),
        )
    })?;
    let query = entry_query(&params)?;

    let page = state.funding.list_entries(caller.user.id, &query).await?;

    let views = Views::new(state.funding.settings());
    let entries: Vec<Value> = page
        .entries
        .iter()
        .map(|entry| views.entry(entry))
        .collect();
    Ok(Json(json!({
        "entries": entries,
        "next_before": page.next_before.map(|id| id.to_string()),
    })))
}

/// Reads the query string. An empty value counts as absent, so a form or a template such as
/// `?model_id=&limit=&before=` asks for the unfiltered first page.
fn entry_query(params: &HashMap<String, String>) -> Result<EntryQuery, ApiError> {
    let param = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };

    let model_id = param("model_id").map(|id| ModelId(id.to_owned()));
    let kind = param("kind")
        .map(|text| {
            EntryKind::parse(text).ok_or_else(|| {
                invalid_query(
                    "kind",
                    format!(
                        "There is no entry kind {text:?}; use recharge, withdrawal, funding, \
                         refund, usage, hold, hold_settled or hold_released."
                    ),
                )
            })
        })
        .transpose()?;
    let limit = param("limit")
        .map(|text| {
            text.parse::<u32>()
                .ok()
                .filter(|limit| (1..=MAX_ENTRY_PAGE_SIZE).contains(limit))
                .ok_or_else(|| {
                    invalid_query(
                        "limit",
                        format!("`limit` must be a whole number from 1 to {MAX_ENTRY_PAGE_SIZE}."),
                    )
                })
        })
        .transpose()?;
    let before = param("before")
        .map(|text| {
            text.parse::<EntryId>().map_err(|_| {
                invalid_query(
                    "before",
                    "`before` must be an entry id, such as the `next_before` of a page.",
                )
            })
        })
        .transpose()?;
    Ok(EntryQuery {
        model_id,
        kind,
        before,
        limit,
    })
}

fn invalid_query(field: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", message).on_field(field)
}

/// `GET /api/v1/entries/{id}`: one of the caller's entries. Another user's entry answers 404,
/// exactly like a missing one.
pub async fn show_entry(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: EntryId = id.parse().map_err(|_| ApiError::not_found())?;
    let Some(before) = id.0.checked_add(1).map(EntryId) else {
        return Err(ApiError::not_found());
    };

    // The caller's newest entry below `id + 1` is the entry itself when it is theirs.
    let query = EntryQuery {
        before: Some(before),
        limit: Some(1),
        ..EntryQuery::default()
    };
    let page = state.funding.list_entries(caller.user.id, &query).await?;

    let entry = page
        .entries
        .into_iter()
        .find(|entry| entry.id == id)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(
        json!({ "entry": Views::new(state.funding.settings()).entry(&entry) }),
    ))
}

pub async fn export_entries(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<Response, ApiError> {
    let entries = state.funding.all_entries(caller.user.id).await?;

    let csv = entries_csv(&Views::new(state.funding.settings()), &entries)
        .map_err(|error| ApiError::internal(&error))?;
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
        (
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"twofold-entries.csv\"",
        ),
    ];
    Ok((headers, csv).into_response())
}

/// The entries as CSV, a header line first; the `csv` crate does the quoting.
fn entries_csv(views: &Views<'_>, entries: &[Entry]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER)?;
    for entry in entries {
        let view = views.entry(entry);
        let cells = CSV_HEADER.map(|column| match &view[column] {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        });
        writer.write_record(&cells)?;
    }
    writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))
}
