//! Reading JSON request bodies so that every fault names its field.
//!
//! Bodies are read as a JSON object and each field is taken out by name, instead of being
//! deserialised into a struct in one go: a missing field, a null or a number where a string
//! belongs then each get their own error code and the field's name.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde_json::{Map, Value};

use super::error::ApiError;

/// A request body that is a JSON object.
#[derive(Debug)]
pub struct JsonObject(Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the request body as JSON, with `Content-Type: application/json`.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::body_too_large()
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_json",
                    "The body could not be read.",
                )
            }
        })?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(object)) => Ok(Self(object)),
            Ok(_) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "The body must be a JSON object, like {\"amount\": \"10.00\"}.",
            )),
            Err(error) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("The body is not valid JSON: {error}."),
            )),
        }
    }
}

fn is_json(content_type: Option<&header::HeaderValue>) -> bool {
    let Some(Ok(value)) = content_type.map(|v| v.to_str()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

impl JsonObject {
    /// The string in `field`. Missing or null is `missing_field`; any other JSON type is answered
    /// with `wrong_type_code`, the code for a bad value of that field (such as `invalid_amount`).
    pub fn string(
        &self,
        field: &'static str,
        wrong_type_code: &'static str,
    ) -> Result<&str, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Err(missing(field)),
            Some(Value::String(value)) => Ok(value),
            Some(_) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                wrong_type_code,
                format!("`{field}` must be a JSON string."),
            )
            .on_field(field)),
        }
    }

    /// The whole number in `field`, or `None` when the field is absent.
    pub fn optional_integer(&self, field: &'static str) -> Result<Option<i64>, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(number)) if number.is_i64() => Ok(number.as_i64()),
            Some(_) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("`{field}` must be a whole number."),
            )
            .on_field(field)),
        }
    }

    /// The whole number in `field`, which must be present.
    pub fn integer(&self, field: &'static str) -> Result<i64, ApiError> {
        self.optional_integer(field)?.ok_or_else(|| missing(field))
    }
}

fn missing(field: &'static str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "missing_field",
        format!("`{field}` is required."),
    )
    .on_field(field)
}
