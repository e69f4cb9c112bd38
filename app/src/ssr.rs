//! What every server function needs on the server: the state, the caller, the session cookie,
//! and turning domain errors into form errors with the right HTTP status.

use funding::accounts::{AccountError, ClientAddress};
use funding::{FundingError, IdempotencyKey};
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
pub fn is_plain_form_post() -> bool {
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
        AccountError::InvalidCredentials | AccountError::WrongCurrentPassword => {
            StatusCode::UNAUTHORIZED
        }
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

/// The signed-in caller, or a 401 asking the person to log in again.
pub fn require_caller() -> Result<Caller, FormError> {
    caller().ok_or_else(|| {
        reject(
            FormError::new("unauthenticated", "Your session has ended. Log in again."),
            StatusCode::UNAUTHORIZED,
        )
    })
}

/// The HTTP status of each funding rule, as API.md's error table gives it: the one place a
/// rule becomes a status, for pages and the JSON API alike. Failures of the store are 500s.
pub fn funding_status(error: &FundingError) -> StatusCode {
    match error {
        FundingError::InvalidAmount { .. }
        | FundingError::InvalidAutoLockMinutes { .. }
        | FundingError::InvalidTtl { .. }
        | FundingError::WeakPassphrase { .. }
        | FundingError::Overflow => StatusCode::BAD_REQUEST,
        FundingError::WrongPassphrase => StatusCode::UNAUTHORIZED,
        FundingError::InsufficientFunds { .. } => StatusCode::PAYMENT_REQUIRED,
        FundingError::UnknownModel { .. }
        | FundingError::UserNotFound
        | FundingError::WalletNotFound
        | FundingError::HoldNotFound { .. } => StatusCode::NOT_FOUND,
        FundingError::WalletExists
        | FundingError::HoldNotOpen { .. }
        | FundingError::IdempotencyKeyReused => StatusCode::CONFLICT,
        FundingError::BelowMinimum { .. }
        | FundingError::ExceedsRefundable { .. }
        | FundingError::NothingRefundable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        FundingError::WalletLocked => StatusCode::LOCKED,
        FundingError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        FundingError::Source(_) => StatusCode::BAD_GATEWAY,
        FundingError::Store(_) | FundingError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Maps a rule of the funding core to the form error the page shows, with the status the JSON
/// API would answer.
pub fn funding_error(error: FundingError) -> FormError {
    match &error {
        FundingError::Store(cause) => return internal(cause),
        FundingError::Internal(_) => return internal(&error),
        _ => {}
    }
    let status = funding_status(&error);
    let form_error = FormError::new(error.code(), error.to_string()).with_field(error.field());
    reject(form_error, status)
}

/// Parses an amount typed into a form with the one strict parser the JSON API uses, so a
/// page accepts exactly what the API accepts; its error belongs to the `amount` field.
pub fn parse_amount(state: &AppState, input: &str) -> Result<funding::Amount, FormError> {
    let rules = state.funding.settings().amount_rules();
    funding::parse_amount(input, &rules).map_err(|source| {
        funding_error(FundingError::InvalidAmount {
            field: "amount",
            source,
        })
    })
}

/// The idempotency token rendered into a money-moving form.
pub fn idempotency_key(token: &str) -> Result<IdempotencyKey, FormError> {
    IdempotencyKey::parse(token).map_err(|_| {
        reject(
            FormError::new(
                "invalid_form",
                "The form has expired. Reload the page and try again.",
            ),
            StatusCode::BAD_REQUEST,
        )
    })
}

/// A fresh idempotency token for a form: 128 random bits.
pub fn new_idempotency_token() -> String {
    funding::secret::random_token(16)
}

/// An amount in the deployment's display decimals (more when it has finer digits).
pub fn amount(state: &AppState, value: funding::Amount) -> String {
    state.funding.settings().format_amount(value)
}

/// A moment as pages print it: `2026-12-03 14:05 UTC`.
pub fn moment(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| at.to_string())
}

/// One ledger entry as a table row. `incoming` says whether it added to the layer the table
/// is about (the wallet, or a model's funding).
pub fn entry_row(
    state: &AppState,
    entry: &funding::Entry,
    incoming: bool,
) -> crate::views::EntryRow {
    crate::views::EntryRow {
        id: entry.id.to_string(),
        kind: entry.kind.as_str().to_owned(),
        kind_label: entry_kind_label(entry.kind).to_owned(),
        created_at: moment(entry.created_at),
        model_id: entry.model_id.as_ref().map(ToString::to_string),
        model_name: entry
            .model_id
            .as_ref()
            .map(|model| crate::models::model_name_of(state, model)),
        amount: amount(state, entry.amount),
        incoming,
        fee: (!entry.fee.is_zero()).then(|| amount(state, entry.fee)),
        wallet_balance_after: amount(state, entry.wallet_balance_after),
        model_balance_after: entry.model_balance_after.map(|value| amount(state, value)),
        test_money: entry.test_money,
    }
}

/// The words pages use for each kind of entry.
pub fn entry_kind_label(kind: funding::EntryKind) -> &'static str {
    use funding::EntryKind::*;
    match kind {
        Recharge => "Recharge",
        Withdrawal => "Withdrawal",
        Funding => "Funding",
        Refund => "Refund",
        Usage => "Usage",
        Hold => "Hold",
        HoldSettled => "Hold settled",
        HoldReleased => "Hold released",
    }
}

/// For a plain form post, leaves `value` for the page drawn after the redirect.
pub fn flash_for_next_page(state: &AppState, caller: &Caller, kind: &'static str, value: String) {
    if let (true, Some(token)) = (is_plain_form_post(), &caller.session_token) {
        state.flashes.put(token, kind, value);
    }
}

/// Takes what a plain form post left for this page.
pub fn take_flash(state: &AppState, caller: &Caller, kind: &'static str) -> Option<String> {
    caller
        .session_token
        .as_deref()
        .and_then(|token| state.flashes.take(token, kind))
}
