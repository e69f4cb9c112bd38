//! The JSON API, version 1 (`../shared/API.md`). Handlers are thin: authenticate, read the
//! body, call `funding`, map the result.

mod accounts;
pub mod auth;
pub mod body;
mod entries;
pub mod error;
pub mod input;
mod metering;
mod models;
pub mod views;
mod wallet;

use axum::Router;
use axum::routing::{delete, get, post, put};

use app::state::AppState;

/// The API's routes, to be nested under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", post(accounts::create_account))
        .route("/sessions", post(accounts::create_session))
        .route(
            "/sessions/current",
            delete(accounts::delete_current_session),
        )
        .route("/me", get(accounts::me))
        .route(
            "/api-keys",
            post(accounts::create_api_key).get(accounts::list_api_keys),
        )
        .route("/api-keys/{id}", delete(accounts::delete_api_key))
        .route(
            "/wallet",
            post(wallet::create_wallet).get(wallet::show_wallet),
        )
        .route("/wallet/unlock", post(wallet::unlock_wallet))
        .route("/wallet/lock", post(wallet::lock_wallet))
        .route("/wallet/recharges", post(wallet::recharge_wallet))
        .route("/wallet/withdrawals", post(wallet::withdraw_from_wallet))
        .route("/models", get(models::list_models))
        .route("/fundings", get(models::list_fundings))
        .route("/models/{model_id}/funding", get(models::show_funding))
        .route("/primary-model", put(models::set_primary_model))
        .route("/models/{model_id}/fundings", post(models::fund_model))
        .route("/models/{model_id}/refunds", post(models::refund_model))
        .route("/holds", post(metering::place_hold))
        .route("/holds/{id}", get(metering::show_hold))
        .route("/holds/{id}/settle", post(metering::settle_hold))
        .route("/holds/{id}/release", post(metering::release_hold))
        .route("/usage", post(metering::record_usage))
        .route("/entries", get(entries::list_entries))
        .route("/entries/{id}", get(entries::show_entry))
        .route("/entries.csv", get(entries::export_entries))
        .fallback(|| async { error::ApiError::not_found() })
        .method_not_allowed_fallback(|| async { error::ApiError::method_not_allowed() })
}
