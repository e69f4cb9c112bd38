//! What every server function needs on the server: the state, the caller, the session cookie,
//! and turning domain errors into form errors with the right HTTP status.

use funding::accounts::{AccountError, ClientAddress};
use http::header::{ACCEPT, RETRY_AFTER, SET_COOKIE};
use http::{HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::error::FormError;
use crate::state::{AppState, Caller};

pub fn state() -> Result<AppState, FormError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("the application state was not provided to a server function");
        reject(FormError::internal(), StatusCode::INTERNAL_SERVER_ERROR)
    })
}

pub fn caller() -> Option<Caller> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<Caller>()
        .cloned()
}

pub fn client_address() -> ClientAddress {
    let address = use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .extensions
                .get::<crate::state::ClientAddress>()
                .cloned()
        })
        .map(|address| address.0)
        .unwrap_or_default();
    ClientAddress(address)
}

pub fn start_session(state: &AppState, token: &str) {
    let response = expect_context::<ResponseOptions>();
    response.insert_header(SET_COOKIE, state.session_cookie(token));
}

pub fn end_session(state: &AppState) {
    let response = expect_context::<ResponseOptions>();
    response.insert_header(SET_COOKIE, state.expired_session_cookie());
}

/// Whether the request is a plain form post from a page without JavaScript: its answer must
/// stay a redirect back to the page, whatever went wrong.
fn is_plain_form_post() -> bool {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.headers.get(ACCEPT).cloned())
        .and_then(|accept| accept.to_str().map(|v| v.contains("text/html")).ok())
        .unwrap_or(false)
}

/// Answers a failed server function: the status tells a script what happened (a 4xx, so the
/// browser-side caller decodes the error), while a plain form post keeps its redirect back to
/// the page so the error can be shown there.
pub fn reject(error: FormError, status: StatusCode) -> FormError {
    if let Some(response) = use_context::<ResponseOptions>()
        && !is_plain_form_post()
    {
        response.set_status(status);
    }
    error
}

/// An unexpected failure: logged once here, with its cause; the page gets a fixed sentence.
pub fn internal(cause: &dyn std::error::Error) -> FormError {
    tracing::error!(error = %cause, "a server function failed unexpectedly");
    reject(FormError::internal(), StatusCode::INTERNAL_SERVER_ERROR)
}

pub fn account_error(error: AccountError) -> FormError {
    let status = match &error {
        AccountError::Store(cause) => return internal(cause),
        AccountError::InvalidEmail
        | AccountError::WeakPassword(_)
        | AccountError::InvalidApiKeyName => StatusCode::BAD_REQUEST,
        AccountError::EmailTaken => StatusCode::CONFLICT,
        AccountError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AccountError::ApiKeyNotFound => StatusCode::NOT_FOUND,
        AccountError::TooManyAttempts { retry_after } => {
            if let Some(response) = use_context::<ResponseOptions>() {
                let seconds = retry_after.whole_seconds().max(1);
                response.insert_header(RETRY_AFTER, HeaderValue::from(seconds));
            }
            StatusCode::TOO_MANY_REQUESTS
        }
    };
    let form_error = FormError::new(error.code(), error.to_string()).with_field(error.field());
    reject(form_error, status)
}
