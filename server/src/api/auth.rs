//! Who is calling: the session cookie or an API key, resolved once per request by
//! [`authenticate`] and read by handlers through the [`Authenticated`] extractor.

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

use app::state::{AppState, Caller, ClientAddress, SESSION_COOKIE};

use super::error::ApiError;

/// Middleware: puts the [`Caller`] (when the request carries a valid session cookie or API key)
/// and the [`ClientAddress`] into the request's extensions, for API handlers and pages alike.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_default();
    req.extensions_mut().insert(ClientAddress(client));

    let credentials = Credentials::of(req.headers());
    if let Credentials::ApiKey(token) = &credentials
        && is_metering_token(&state, token)
    {
        // The metering service is no user: it gets no `Caller`, only the mark that the
        // metering endpoints look for.
        req.extensions_mut().insert(MeteringCall);
        return next.run(req).await;
    }
    let caller = match resolve_caller(&state, credentials).await {
        Ok(caller) => caller,
        Err(error) => return error.into_response(),
    };
    if let Some(caller) = caller {
        tracing::Span::current().record("user.id", tracing::field::display(caller.user.id));
        req.extensions_mut().insert(caller);
    }
    next.run(req).await
}

/// Marks a request that came with the operator's metering token.
#[derive(Clone, Copy, Debug)]
pub struct MeteringCall;

/// Whether `token` is the configured metering token. Both sides are hashed first and the digests
/// compared in constant time, so the comparison reveals neither the token nor its length.
fn is_metering_token(state: &AppState, token: &str) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;

    // An empty token configured by mistake must not let an empty bearer in.
    let Some(expected) = state
        .metering_token
        .as_deref()
        .filter(|token| !token.is_empty())
    else {
        return false;
    };
    let expected = Sha256::digest(expected.as_bytes());
    let presented = Sha256::digest(token.as_bytes());
    expected.as_slice().ct_eq(presented.as_slice()).into()
}

/// What a request presents to prove who sent it. An API key wins over a cookie.
enum Credentials {
    ApiKey(String),
    SessionToken(String),
    None,
}

impl Credentials {
    fn of(headers: &HeaderMap) -> Self {
        if let Some(key) = bearer_token(headers) {
            return Self::ApiKey(key);
        }
        session_cookie(headers).map_or(Self::None, Self::SessionToken)
    }
}

async fn resolve_caller(
    state: &AppState,
    credentials: Credentials,
) -> Result<Option<Caller>, ApiError> {
    match credentials {
        Credentials::ApiKey(key) => {
            let user = state.accounts.authenticate_api_key(&key).await?;
            Ok(user.map(|user| Caller {
                user,
                session_token: None,
            }))
        }
        Credentials::SessionToken(token) => {
            let user = state.accounts.authenticate_session(&token).await?;
            Ok(user.map(|user| Caller {
                user,
                session_token: Some(token),
            }))
        }
        Credentials::None => Ok(None),
    }
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == SESSION_COOKIE && !cookie.value().is_empty())
        .map(|cookie| cookie.value().to_owned())
}

/// Extracts the authenticated caller; answers 401 `unauthenticated` when there is none.
pub struct Authenticated(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .map(Self)
            .ok_or_else(ApiError::unauthenticated)
    }
}
