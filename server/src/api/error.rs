//! The one error envelope of the JSON API:
//! `{"error": {"code": "…", "message": "…", "field": "…"}}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use funding::FundingError;
use funding::accounts::AccountError;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<&'static str>,
    pub retry_after_seconds: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after_seconds: None,
        }
    }

    pub fn on_field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Log in first, or send an API key as `Authorization: Bearer <key>`.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is nothing at this address.",
        )
    }

    /// The path exists but not with this method; axum adds the `Allow` header.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "This address does not take that method; the Allow header lists the ones it takes.",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn body_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "The request body is larger than 64 KiB.",
        )
    }

    /// An unexpected failure. The cause is logged here, once; the caller sees a fixed sentence.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %cause, source = ?cause.source(), "request failed unexpectedly");
        Self::internal_logged()
    }

    /// The fixed answer to an unexpected failure whose cause was already logged.
    fn internal_logged() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side. Please try again.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(field) = self.field {
            error["field"] = json!(field);
        }
        let mut response = (self.status, Json(json!({ "error": error }))).into_response();
        if let Some(seconds) = self.retry_after_seconds {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        let status = match &error {
            AccountError::InvalidEmail
            | AccountError::WeakPassword(_)
            | AccountError::InvalidApiKeyName => StatusCode::BAD_REQUEST,
            AccountError::EmailTaken => StatusCode::CONFLICT,
            AccountError::InvalidCredentials | AccountError::WrongCurrentPassword => {
                StatusCode::UNAUTHORIZED
            }
            AccountError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AccountError::ApiKeyNotFound => StatusCode::NOT_FOUND,
            AccountError::Store(cause) => return Self::internal(cause),
        };
        let retry_after_seconds = match &error {
            AccountError::TooManyAttempts { retry_after } => {
                Some(retry_after.whole_seconds().max(1))
            }
            _ => None,
        };
        Self {
            status,
            code: error.code(),
            message: error.to_string(),
            field: error.field(),
            retry_after_seconds,
        }
    }
}

/// A funding rule as the API's error envelope; the status comes from
/// [`app::ssr::funding_status`], the one place a rule becomes a status (API.md's error table).
///
/// Four codes of the core are not in that table; they keep their specific code with the status
/// of their kind and the field at fault: `invalid_auto_lock_minutes`, `invalid_ttl_seconds` and
/// `weak_passphrase` are 400s, `funding_source_failed` is a 502 (the source, not the request,
/// failed).
impl From<FundingError> for ApiError {
    fn from(error: FundingError) -> Self {
        let status = match &error {
            FundingError::Source(cause) => {
                tracing::warn!(error = %cause, "the funding source failed");
                StatusCode::BAD_GATEWAY
            }
            FundingError::Store(cause) => return Self::internal(cause),
            FundingError::Internal(detail) => {
                tracing::error!(error = %detail, "a funding invariant broke");
                return Self::internal_logged();
            }
            rule => app::ssr::funding_status(rule),
        };
        let retry_after_seconds = match &error {
            FundingError::TooManyAttempts { retry_after } => {
                Some(retry_after.whole_seconds().max(1))
            }
            _ => None,
        };
        Self {
            status,
            code: error.code(),
            message: error.to_string(),
            field: error.field(),
            retry_after_seconds,
        }
    }
}
