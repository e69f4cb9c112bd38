//! The API's "Wallet" section: create, read, unlock and lock the wallet; recharge and withdraw.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use funding::WalletMovement;
use funding::wallet::AUTO_LOCK_MINUTES_RANGE;
use serde_json::{Value, json};

use app::state::AppState;

use super::auth::Authenticated;
use super::body::JsonObject;
use super::error::ApiError;
use super::input::{self, Idempotency};
use super::views::Views;

fn wallet_body(state: &AppState, wallet: &funding::Wallet) -> Json<Value> {
    Json(json!({ "wallet": Views::new(state.funding.settings()).wallet(wallet) }))
}

fn movement_body(state: &AppState, movement: &WalletMovement) -> Response {
    let views = Views::new(state.funding.settings());
    let body = json!({
        "entry_id": movement.entry_id.to_string(),
        "wallet": views.wallet(&movement.wallet),
    });
    (StatusCode::CREATED, Json(body)).into_response()
}

pub async fn create_wallet(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let passphrase = body.string("passphrase", "weak_passphrase")?;
    let auto_lock_minutes =
        input::optional_u32(&body, "auto_lock_minutes", auto_lock_out_of_range)?;

    let wallet = state
        .funding
        .create_wallet(caller.user.id, passphrase, auto_lock_minutes)
        .await?;

    Ok((StatusCode::CREATED, wallet_body(&state, &wallet)).into_response())
}

/// The core's own message for a value that does not even fit its range check.
fn auto_lock_out_of_range(minutes: i64) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_auto_lock_minutes",
        format!(
            "Auto-lock must be between {} and {} minutes; {minutes} is outside that range.",
            AUTO_LOCK_MINUTES_RANGE.start(),
            AUTO_LOCK_MINUTES_RANGE.end()
        ),
    )
    .on_field("auto_lock_minutes")
}

pub async fn show_wallet(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Value>, ApiError> {
    let wallet = state.funding.wallet(caller.user.id).await?;
    Ok(wallet_body(&state, &wallet))
}

pub async fn unlock_wallet(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    let passphrase = body.string("passphrase", "invalid_json")?;

    let wallet = state
        .funding
        .unlock_wallet(caller.user.id, passphrase)
        .await?;

    Ok(wallet_body(&state, &wallet))
}

pub async fn lock_wallet(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Value>, ApiError> {
    let wallet = state.funding.lock_wallet(caller.user.id).await?;
    Ok(wallet_body(&state, &wallet))
}

pub async fn recharge_wallet(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Idempotency(key): Idempotency,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let amount = input::amount(&body, "amount", state.funding.settings())?;

    let movement = state
        .funding
        .recharge_wallet(caller.user.id, amount, key)
        .await?;

    Ok(movement_body(&state, &movement))
}

pub async fn withdraw_from_wallet(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Idempotency(key): Idempotency,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let amount = input::amount(&body, "amount", state.funding.settings())?;

    let movement = state
        .funding
        .withdraw_from_wallet(caller.user.id, amount, key)
        .await?;

    Ok(movement_body(&state, &movement))
}
