//! What the server hands the pages: the stores, and who is asking. Server-side only.

use axum::extract::FromRef;
use funding::accounts::{Accounts, User};
use http::HeaderValue;
use leptos::config::LeptosOptions;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "twofold_session";

/// Browsers keep cookies at most 400 days; the server ends idle sessions much sooner, so the
/// cookie's own lifetime only needs to outlast that.
const SESSION_COOKIE_MAX_AGE_SECONDS: i64 = 400 * 24 * 60 * 60;

/// Shared by every request: cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub accounts: Accounts,
    pub funding: funding::Funding,
    /// The bearer token of the metering endpoints, when metering is on.
    pub metering_token: Option<std::sync::Arc<str>>,
    /// Mark cookies `Secure` (`TWOFOLD_SECURE_COOKIES=1`), for deployments behind HTTPS.
    pub secure_cookies: bool,
    /// One-time messages for pages drawn again after a plain form post.
    pub flashes: Flashes,
}

/// How long a one-time message waits for the page that shows it.
const FLASH_LIFETIME: std::time::Duration = std::time::Duration::from_secs(60);

/// One-time messages for the next page a session draws, kept in memory only.
///
/// Without JavaScript, a form post is answered with a redirect back to the page, so a result
/// that must not travel in the URL (a new API key's secret) waits here, keyed by the session,
/// until the page after the redirect takes it. Messages expire after a minute and do not
/// survive a restart: losing one costs a person a reload, never money.
#[derive(Clone, Debug, Default)]
pub struct Flashes {
    inner: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<FlashKey, Flash>>>,
}

type FlashKey = (String, &'static str);

#[derive(Debug)]
struct Flash {
    value: String,
    left_at: std::time::Instant,
}

impl Flashes {
    /// Leaves `value` under `kind` for the session `token`.
    pub fn put(&self, token: &str, kind: &'static str, value: String) {
        let mut map = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.retain(|_, flash| flash.left_at.elapsed() < FLASH_LIFETIME);
        let flash = Flash {
            value,
            left_at: std::time::Instant::now(),
        };
        map.insert((token.to_owned(), kind), flash);
    }

    /// Takes the message under `kind` for the session `token`, if one is waiting: it is shown
    /// once.
    pub fn take(&self, token: &str, kind: &'static str) -> Option<String> {
        let mut map = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.remove(&(token.to_owned(), kind))
            .filter(|flash| flash.left_at.elapsed() < FLASH_LIFETIME)
            .map(|flash| flash.value)
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The authenticated caller of a request, put into the request's extensions by the server's
/// authentication middleware before any page or handler runs.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    /// The session token when the caller came with the session cookie (not an API key).
    pub session_token: Option<String>,
}

/// The client's network address, for the per-address login limit.
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);

impl AppState {
    /// The `Set-Cookie` value that starts a session in the browser.
    pub fn session_cookie(&self, token: &str) -> HeaderValue {
        self.cookie(token, SESSION_COOKIE_MAX_AGE_SECONDS)
    }

    /// The `Set-Cookie` value that removes the session cookie.
    pub fn expired_session_cookie(&self) -> HeaderValue {
        self.cookie("", 0)
    }

    fn cookie(&self, value: &str, max_age_seconds: i64) -> HeaderValue {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        let cookie = format!(
            "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
        );
        HeaderValue::from_str(&cookie).expect("session tokens are hex, so the cookie is valid")
    }
}
