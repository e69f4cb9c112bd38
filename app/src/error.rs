//! The error every server function returns: what went wrong, in a sentence for a person, and
//! which field it belongs to, so the page can show it next to that field.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct FormError {
    /// The API's error code, such as `weak_password`.
    pub code: String,
    /// A sentence for a person: the value, the rule and the next step.
    pub message: String,
    /// The form field at fault, when one is.
    pub field: Option<String>,
    /// What the person typed into the form's non-secret fields, so a page rendered again without
    /// JavaScript can show it back. Passwords and passphrases are never kept.
    pub kept: Vec<(String, String)>,
}

impl FormError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            field: None,
            kept: Vec::new(),
        }
    }

    pub fn with_field(mut self, field: Option<&str>) -> Self {
        self.field = field.map(str::to_owned);
        self
    }

    pub fn keep(mut self, name: &str, value: &str) -> Self {
        self.kept.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The message when it concerns `field`.
    pub fn for_field(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.message.clone())
    }

    /// The message when it concerns no single field.
    pub fn general(&self) -> Option<String> {
        self.field.is_none().then(|| self.message.clone())
    }

    /// What was typed into `field`, if it was kept.
    pub fn kept(&self, field: &str) -> Option<String> {
        self.kept
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.clone())
    }

    /// An unexpected failure: the cause goes to the log, never to the page.
    pub fn internal() -> Self {
        Self::new(
            "internal",
            "Something went wrong on our side. Please try again.",
        )
    }
}

impl FromServerFnError for FormError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => Self::new(
                "network",
                "Twofold could not be reached. Check your connection and try again.",
            ),
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => Self::new(
                "invalid_form",
                "The form was incomplete. Reload the page and try again.",
            ),
            _ => Self::internal(),
        }
    }
}
