//! The API's "Usage metering" section: holds and direct usage, called by the operator's
//! metering service with `Authorization: Bearer <TWOFOLD_METERING_TOKEN>`.
//!
//! Without a configured token these endpoints answer 404, as if they did not exist. With one,
//! a request without the token is 401 `unauthenticated`, and a user's own credential (session
//! cookie or API key) is 403 `forbidden`: the caller is known, but metering is not theirs to do.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use funding::holds::MAX_HOLD_TTL_SECONDS;
use funding::ids::{HoldId, ModelId, UserId};
use funding::{FundingError, holds};
use serde_json::json;

use app::state::{AppState, Caller};

use super::auth::MeteringCall;
use super::body::JsonObject;
use super::error::ApiError;
use super::input::{self, Idempotency};
use super::views::Views;

/// Extracts proof that the metering service is calling; see the module's rules.
pub struct Metering;

impl FromRequestParts<AppState> for Metering {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let configured = state
            .metering_token
            .as_deref()
            .is_some_and(|token| !token.is_empty());
        if !configured {
            return Err(ApiError::not_found());
        }
        if parts.extensions.get::<MeteringCall>().is_some() {
            return Ok(Self);
        }
        if parts.extensions.get::<Caller>().is_some() {
            return Err(ApiError::forbidden(
                "Metering endpoints take the operator's metering token, not a user's session or \
                 API key.",
            ));
        }
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Send the metering token as `Authorization: Bearer <token>`.",
        ))
    }
}

/// A user id from a request body: ids are strings; one that names nobody is a 404, as the core
/// answers for a well-formed id of a user who does not exist.
fn user_id(body: &JsonObject) -> Result<UserId, ApiError> {
    let text = body.string("user_id", "invalid_json")?;
    text.parse()
        .map_err(|_| ApiError::from(FundingError::UserNotFound).on_field("user_id"))
}

fn model_id(body: &JsonObject) -> Result<ModelId, ApiError> {
    Ok(ModelId(body.string("model_id", "invalid_json")?.to_owned()))
}

/// A hold id from the path; one that cannot be an id is simply not found.
fn hold_id(text: &str) -> Result<HoldId, ApiError> {
    text.parse().map_err(|_| ApiError::not_found())
}

pub async fn place_hold(
    State(state): State<AppState>,
    _metering: Metering,
    Idempotency(key): Idempotency,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let user = user_id(&body)?;
    let model = model_id(&body)?;
    let amount = input::amount(&body, "amount", state.funding.settings())?;
    let ttl_seconds = input::optional_u32(&body, "ttl_seconds", |_| ttl_out_of_range())?;

    let hold = state
        .funding
        .place_hold(user, &model, amount, ttl_seconds, key)
        .await?;

    let views = Views::new(state.funding.settings());
    Ok((
        StatusCode::CREATED,
        Json(json!({ "hold": views.hold(&hold) })),
    )
        .into_response())
}

fn ttl_out_of_range() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_ttl_seconds",
        format!("A hold lasts between 1 and {MAX_HOLD_TTL_SECONDS} seconds."),
    )
    .on_field("ttl_seconds")
}

pub async fn settle_hold(
    State(state): State<AppState>,
    _metering: Metering,
    Path(id): Path<String>,
    Idempotency(key): Idempotency,
    body: JsonObject,
) -> Result<Json<serde_json::Value>, ApiError> {
    let hold_id = hold_id(&id)?;
    let input_tokens = input::token_count(&body, "input_tokens")?;
    let output_tokens = input::token_count(&body, "output_tokens")?;

    let hold = state
        .funding
        .settle_hold(
            holds::Caller::Metering,
            hold_id,
            input_tokens,
            output_tokens,
            key,
        )
        .await?;

    let views = Views::new(state.funding.settings());
    Ok(Json(json!({ "hold": views.hold(&hold) })))
}

pub async fn release_hold(
    State(state): State<AppState>,
    _metering: Metering,
    Path(id): Path<String>,
    Idempotency(key): Idempotency,
) -> Result<Json<serde_json::Value>, ApiError> {
    let hold_id = hold_id(&id)?;

    let hold = state
        .funding
        .release_hold(holds::Caller::Metering, hold_id, key)
        .await?;

    let views = Views::new(state.funding.settings());
    Ok(Json(json!({ "hold": views.hold(&hold) })))
}

pub async fn record_usage(
    State(state): State<AppState>,
    _metering: Metering,
    Idempotency(key): Idempotency,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let user = user_id(&body)?;
    let model = model_id(&body)?;
    let input_tokens = input::token_count(&body, "input_tokens")?;
    let output_tokens = input::token_count(&body, "output_tokens")?;

    let receipt = state
        .funding
        .record_usage(user, &model, input_tokens, output_tokens, key)
        .await?;

    let views = Views::new(state.funding.settings());
    let body = json!({
        "entry_id": receipt.entry_id.to_string(),
        "charged": views.amount(receipt.charged),
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /api/v1/holds/{id}`: a hold as it stands now, for the metering service (any hold) or for
/// the user it belongs to. Another user's hold answers 404, exactly like a missing one.
pub async fn show_hold(
    State(state): State<AppState>,
    Path(id): Path<String>,
    caller: Option<Extension<Caller>>,
    metering: Option<Extension<MeteringCall>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let hold_id = hold_id(&id)?;
    let caller = match (metering, caller) {
        (Some(_), _) => holds::Caller::Metering,
        (None, Some(Extension(caller))) => holds::Caller::User(caller.user.id),
        (None, None) => return Err(ApiError::unauthenticated()),
    };

    let hold = state.funding.hold(caller, hold_id).await?;

    let views = Views::new(state.funding.settings());
    Ok(Json(json!({ "hold": views.hold(&hold) })))
}
