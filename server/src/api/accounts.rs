//! The API's "Accounts" section: sign-up, sessions, the current user, API keys.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use funding::accounts::User;
use funding::ids::ApiKeyId;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use app::state::{AppState, ClientAddress};

use super::auth::Authenticated;
use super::body::JsonObject;
use super::error::ApiError;

fn user_json(user: &User) -> Value {
    json!({ "id": user.id.to_string(), "email": user.email })
}

pub async fn create_account(
    State(state): State<AppState>,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let email = body.string("email", "invalid_email")?;
    let password = body.string("password", "weak_password")?;

    let session = state.accounts.sign_up(email, password).await?;

    let cookie = state.session_cookie(&session.token);
    let body = Json(json!({ "user": user_json(&session.user) }));
    Ok((StatusCode::CREATED, [(header::SET_COOKIE, cookie)], body).into_response())
}

pub async fn create_session(
    State(state): State<AppState>,
    Extension(client): Extension<ClientAddress>,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let email = body.string("email", "invalid_email")?;
    let password = body.string("password", "invalid_json")?;

    let client = funding::accounts::ClientAddress(client.0);
    let session = state.accounts.log_in(email, password, &client).await?;

    let cookie = state.session_cookie(&session.token);
    let body = Json(json!({ "user": user_json(&session.user) }));
    Ok(([(header::SET_COOKIE, cookie)], body).into_response())
}

pub async fn delete_current_session(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<Response, ApiError> {
    state
        .accounts
        .log_out(caller.user.id, caller.session_token.as_deref())
        .await?;
    let cookie = state.expired_session_cookie();
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

pub async fn me(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Value>, ApiError> {
    let setup = state.funding.setup(caller.user.id).await?;

    Ok(Json(json!({
        "user": user_json(&caller.user),
        "setup": {
            "wallet_created": setup.wallet_created,
            "wallet_recharged": setup.wallet_recharged,
            "primary_model_id": setup.primary_model_id.map(|model| model.0),
            "primary_model_funded": setup.primary_model_funded,
        },
    })))
}

pub async fn create_api_key(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let name = body.string("name", "missing_field")?;

    let key = state.accounts.create_api_key(caller.user.id, name).await?;

    let body = json!({ "id": key.id.to_string(), "name": key.name, "key": key.key });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

pub async fn list_api_keys(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Value>, ApiError> {
    let keys = state.accounts.list_api_keys(caller.user.id).await?;

    let rfc3339 = |at: time::OffsetDateTime| at.format(&Rfc3339).ok();
    let keys: Vec<Value> = keys
        .iter()
        .map(|key| {
            json!({
                "id": key.id.to_string(),
                "name": key.name,
                "created_at": rfc3339(key.created_at),
                "last_used_at": key.last_used_at.and_then(rfc3339),
            })
        })
        .collect();
    Ok(Json(json!({ "api_keys": keys })))
}

pub async fn delete_api_key(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: ApiKeyId = id.parse().map_err(|_| ApiError::not_found())?;

    state.accounts.delete_api_key(caller.user.id, id).await?;

    Ok(StatusCode::NO_CONTENT)
}
