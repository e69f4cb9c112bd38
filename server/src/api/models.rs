//! The API's "Models and model funding" section: the catalog, the funding views, the primary
//! model, funding and refunds.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use funding::ids::ModelId;
use serde_json::{Value, json};

use app::state::AppState;

use super::auth::Authenticated;
use super::body::JsonObject;
use super::error::ApiError;
use super::input::{self, Idempotency};
use super::views::Views;

pub async fn list_models(State(state): State<AppState>) -> Json<Value> {
    let views = Views::new(state.funding.settings());
    let models: Vec<Value> = state
        .funding
        .models()
        .iter()
        .map(|model| views.model(model))
        .collect();
    Json(json!({ "models": models }))
}

pub async fn list_fundings(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Value>, ApiError> {
    let list = state.funding.list_fundings(caller.user.id).await?;

    let views = Views::new(state.funding.settings());
    let fundings: Vec<Value> = list
        .fundings
        .iter()
        .map(|funding| views.funding(funding))
        .collect();
    Ok(Json(json!({
        "wallet_balance": views.amount(list.wallet_balance),
        "fundings": fundings,
    })))
}

pub async fn show_funding(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(model_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let funding = state
        .funding
        .model_funding(caller.user.id, &ModelId(model_id))
        .await?;

    let views = Views::new(state.funding.settings());
    Ok(Json(json!({ "funding": views.funding(&funding) })))
}

pub async fn set_primary_model(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let model_id = ModelId(body.string("model_id", "invalid_json")?.to_owned());

    let primary = state
        .funding
        .set_primary_model(caller.user.id, &model_id)
        .await?;

    Ok(Json(json!({ "primary_model_id": primary.0 })))
}

pub async fn fund_model(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(model_id): Path<String>,
    Idempotency(key): Idempotency,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let amount = input::amount(&body, "amount", state.funding.settings())?;

    let receipt = state
        .funding
        .fund_model(caller.user.id, &ModelId(model_id), amount, key)
        .await?;

    let views = Views::new(state.funding.settings());
    let body = json!({
        "entry_id": receipt.entry_id.to_string(),
        "amount": views.amount(receipt.amount),
        "fee": views.amount(receipt.fee),
        "wallet": views.wallet(&receipt.wallet),
        "funding": views.funding(&receipt.funding),
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

pub async fn refund_model(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(model_id): Path<String>,
    Idempotency(key): Idempotency,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let amount = input::refund_amount(&body, state.funding.settings())?;

    let receipt = state
        .funding
        .refund_model(caller.user.id, &ModelId(model_id), amount, key)
        .await?;

    let views = Views::new(state.funding.settings());
    let body = json!({
        "entry_id": receipt.entry_id.to_string(),
        "amount": views.amount(receipt.amount),
        "wallet": views.wallet(&receipt.wallet),
        "funding": views.funding(&receipt.funding),
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
