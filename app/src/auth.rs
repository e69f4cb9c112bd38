//! Signing up, logging in and out, and who is signed in: the server functions the account
//! pages post to. Each is thin: it calls `funding::accounts` and maps its errors.

use leptos::server;
use serde::{Deserialize, Serialize};

use crate::error::FormError;
#[cfg(feature = "ssr")]
use crate::ssr;

/// The signed-in user as pages see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub email: String,
}

#[server(prefix = "/fn", endpoint = "sign_up")]
pub async fn sign_up(email: String, password: String) -> Result<(), FormError> {
    let state = ssr::state()?;

    match state.accounts.sign_up(&email, &password).await {
        Ok(session) => {
            ssr::start_session(&state, &session.token);
            // A new user goes through the setup path first.
            leptos_axum::redirect("/setup");
            Ok(())
        }
        Err(error) => Err(ssr::account_error(error).keep("email", email.trim())),
    }
}

#[server(prefix = "/fn", endpoint = "log_in")]
pub async fn log_in(email: String, password: String) -> Result<(), FormError> {
    let state = ssr::state()?;
    let client = ssr::client_address();

    match state.accounts.log_in(&email, &password, &client).await {
        Ok(session) => {
            ssr::start_session(&state, &session.token);
            // Someone who finished or skipped the setup path lands on the overview; anyone
            // else goes back to the step they left.
            let finished = match state.funding.setup_progress(session.user.id).await {
                Ok(progress) => progress.is_finished(),
                Err(error) => return Err(ssr::funding_error(error)),
            };
            leptos_axum::redirect(if finished { "/" } else { "/setup" });
            Ok(())
        }
        Err(error) => Err(ssr::account_error(error).keep("email", email.trim())),
    }
}

#[server(prefix = "/fn", endpoint = "log_out")]
pub async fn log_out() -> Result<(), FormError> {
    let state = ssr::state()?;

    if let Some(caller) = ssr::caller() {
        state
            .accounts
            .log_out(caller.user.id, caller.session_token.as_deref())
            .await
            .map_err(ssr::account_error)?;
    }
    ssr::end_session(&state);
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in account, or `None` for a visitor.
#[server(prefix = "/fn", endpoint = "current_account")]
pub async fn current_account() -> Result<Option<Account>, FormError> {
    Ok(ssr::caller().map(|caller| Account {
        id: caller.user.id.to_string(),
        email: caller.user.email,
    }))
}
