//! The settings page's server functions: API keys, and changing the password.

use leptos::server;
use serde::{Deserialize, Serialize};

use crate::error::FormError;
#[cfg(feature = "ssr")]
use crate::ssr;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsPage {
    pub api_keys: Vec<ApiKeyRow>,
    /// `None` until the wallet is set up.
    pub auto_lock_minutes: Option<u32>,
    /// A key created by a plain form post just before this page was drawn.
    pub created_key: Option<CreatedKey>,
    /// The outcome of a password change made by a plain form post.
    pub password_changed: Option<String>,
}

/// A key just created: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedKey {
    pub name: String,
    pub key: String,
}

#[server(prefix = "/fn", endpoint = "load_settings")]
pub async fn load_settings() -> Result<SettingsPage, FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;

    let keys = state
        .accounts
        .list_api_keys(caller.user.id)
        .await
        .map_err(ssr::account_error)?;
    let auto_lock_minutes = match state.funding.wallet(caller.user.id).await {
        Ok(wallet) => Some(wallet.auto_lock_minutes),
        Err(funding::FundingError::WalletNotFound) => None,
        Err(error) => return Err(ssr::funding_error(error)),
    };
    Ok(SettingsPage {
        api_keys: keys
            .into_iter()
            .map(|key| ApiKeyRow {
                id: key.id.to_string(),
                name: key.name,
                created_at: ssr::moment(key.created_at),
                last_used_at: key.last_used_at.map(ssr::moment),
            })
            .collect(),
        auto_lock_minutes,
        created_key: ssr::take_flash(&state, &caller, "api_key")
            .and_then(|json| serde_json::from_str(&json).ok()),
        password_changed: ssr::take_flash(&state, &caller, "password"),
    })
}

#[server(prefix = "/fn", endpoint = "create_api_key")]
pub async fn create_api_key(name: String) -> Result<CreatedKey, FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;

    let created = state
        .accounts
        .create_api_key(caller.user.id, &name)
        .await
        .map_err(|error| ssr::account_error(error).keep("name", name.trim()))?;
    let created = CreatedKey {
        name: created.name,
        key: created.key,
    };
    if let Ok(json) = serde_json::to_string(&created) {
        ssr::flash_for_next_page(&state, &caller, "api_key", json);
    }
    Ok(created)
}

#[server(prefix = "/fn", endpoint = "delete_api_key")]
pub async fn delete_api_key(id: String) -> Result<(), FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;

    let id = id.parse().map_err(|_| {
        ssr::reject(
            FormError::new("not_found", "No such API key."),
            http::StatusCode::NOT_FOUND,
        )
    })?;
    state
        .accounts
        .delete_api_key(caller.user.id, id)
        .await
        .map_err(ssr::account_error)?;
    Ok(())
}

#[server(prefix = "/fn", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<String, FormError> {
    let state = ssr::state()?;
    let caller = ssr::require_caller()?;

    state
        .accounts
        .change_password(
            caller.user.id,
            caller.session_token.as_deref(),
            &current_password,
            &new_password,
        )
        .await
        .map_err(|error| {
            let mut form_error = ssr::account_error(error);
            // The rule is about the new password, which this form calls `new_password`.
            if form_error.field.as_deref() == Some("password") {
                form_error.field = Some("new_password".to_owned());
            }
            form_error
        })?;
    let message = "Password changed. Every other session has been logged out.".to_owned();
    ssr::flash_for_next_page(&state, &caller, "password", message.clone());
    Ok(message)
}
