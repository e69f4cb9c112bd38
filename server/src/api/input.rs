//! Reading the API's own kinds of input: amounts, token counts, ids, bounded whole numbers and
//! the `Idempotency-Key` header. Each fault is a 400 that names its field.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use funding::{Amount, IdempotencyKey, RefundAmount, Settings, parse_amount};

use super::body::JsonObject;
use super::error::ApiError;

/// The header that makes a money-moving request safe to repeat.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// The amount in `field`: a JSON string that [`parse_amount`] accepts with this deployment's
/// rules. A JSON number is refused too: a float would already have lost exactness.
pub fn amount(
    body: &JsonObject,
    field: &'static str,
    settings: &Settings,
) -> Result<Amount, ApiError> {
    let text = body.string(field, "invalid_amount")?;
    parse_amount(text, &settings.amount_rules()).map_err(|error| invalid_amount(field, &error))
}

/// A refund's amount: `"all"` for everything refundable now, or an amount.
pub fn refund_amount(body: &JsonObject, settings: &Settings) -> Result<RefundAmount, ApiError> {
    let text = body.string("amount", "invalid_amount")?;
    if text == "all" {
        return Ok(RefundAmount::All);
    }
    parse_amount(text, &settings.amount_rules())
        .map(RefundAmount::Exactly)
        .map_err(|error| invalid_amount("amount", &error))
}

fn invalid_amount(field: &'static str, error: &funding::AmountError) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_amount", error.to_string()).on_field(field)
}

/// A count of tokens: a whole number of zero or more.
pub fn token_count(body: &JsonObject, field: &'static str) -> Result<u64, ApiError> {
    let count = body.integer(field)?;
    u64::try_from(count).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("`{field}` must be a whole number of 0 or more; {count} is negative."),
        )
        .on_field(field)
    })
}

/// An optional whole number that must fit the range the core checks (`u32`). Values beyond
/// `u32` are answered with `out_of_range`, the same code the core uses for its own range.
pub fn optional_u32(
    body: &JsonObject,
    field: &'static str,
    out_of_range: impl FnOnce(i64) -> ApiError,
) -> Result<Option<u32>, ApiError> {
    match body.optional_integer(field)? {
        None => Ok(None),
        Some(value) => u32::try_from(value)
            .map(Some)
            .map_err(|_| out_of_range(value)),
    }
}

/// The `Idempotency-Key` header, when the request carries one.
pub struct Idempotency(pub Option<IdempotencyKey>);

impl<S: Send + Sync> FromRequestParts<S> for Idempotency {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut values = parts.headers.get_all(IDEMPOTENCY_KEY_HEADER).iter();
        let Some(value) = values.next() else {
            return Ok(Self(None));
        };
        if values.next().is_some() {
            return Err(invalid_key("Send one Idempotency-Key header, not several."));
        }
        let text = value.to_str().map_err(|_| {
            invalid_key(
                "The Idempotency-Key may hold only visible ASCII characters, without spaces.",
            )
        })?;
        IdempotencyKey::parse(text)
            .map(|key| Self(Some(key)))
            .map_err(|error| invalid_key(&error.to_string()))
    }
}

fn invalid_key(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_idempotency_key", message)
        .on_field(IDEMPOTENCY_KEY_HEADER)
}
