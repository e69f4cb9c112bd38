//! Accounts: users, server-side sessions, API keys and the login rate limit.
//!
//! Secrets never leave this module in a form that could be replayed: passwords are kept as
//! argon2id hashes, session tokens and API keys as SHA-256 digests. The caller gets the plain
//! token once, when it is made, to hand to the person.

use std::sync::OnceLock;

use sqlx::SqliteConnection;
use time::{Duration, OffsetDateTime};

use crate::clock::{Clock, from_micros, to_micros};
use crate::db::Db;
use crate::ids::{ApiKeyId, UserId};
use crate::secret::{hash_secret, random_token, sha256_hex, verify_secret};

/// Passwords shorter than this are refused: long passwords resist guessing better than
/// composition rules do (NIST SP 800-63B asks for at least 8; we ask a little more).
pub const PASSWORD_MIN_CHARS: usize = 10;

/// Passwords longer than this are refused, so hashing cost stays bounded.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The longest email address SMTP can deliver to (RFC 5321 path limit less the brackets).
pub const EMAIL_MAX_CHARS: usize = 254;

/// Failed logins allowed per account and per client address within [`LOGIN_WINDOW`].
pub const LOGIN_MAX_FAILURES: i64 = 10;

/// The sliding window the login limit counts failures in.
pub const LOGIN_WINDOW: Duration = Duration::minutes(15);

/// A session is refreshed in the database at most this often, so that reading pages does not
/// turn into one write per request.
const SESSION_TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// Random bytes in a session token and in an API key: 256 bits, far beyond guessing.
const TOKEN_BYTES: usize = 32;

/// API keys start with this, so a leaked one is easy to recognise in logs and scanners.
pub const API_KEY_PREFIX: &str = "tfk_";

/// The longest API key name.
pub const API_KEY_NAME_MAX_CHARS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("Enter an email address like name@example.com.")]
    InvalidEmail,
    #[error("{0}")]
    WeakPassword(PasswordRule),
    #[error("An account with this email address already exists. Log in instead.")]
    EmailTaken,
    #[error("The email address or password is not correct.")]
    InvalidCredentials,
    #[error(
        "Too many failed log-ins. Try again in {} minutes.",
        retry_after.whole_minutes().max(1)
    )]
    TooManyAttempts { retry_after: Duration },
    #[error("The current password is not correct.")]
    WrongCurrentPassword,
    #[error("Give the API key a name of 1 to {API_KEY_NAME_MAX_CHARS} characters.")]
    InvalidApiKeyName,
    #[error("No such API key.")]
    ApiKeyNotFound,
    #[error("the account store failed")]
    Store(#[from] sqlx::Error),
}

impl AccountError {
    /// The stable error code of the HTTP API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidEmail => "invalid_email",
            Self::WeakPassword(_) => "weak_password",
            Self::EmailTaken => "email_taken",
            Self::InvalidCredentials | Self::WrongCurrentPassword => "invalid_credentials",
            Self::TooManyAttempts { .. } => "too_many_attempts",
            Self::InvalidApiKeyName => "missing_field",
            Self::ApiKeyNotFound => "not_found",
            Self::Store(_) => "internal",
        }
    }

    /// The input at fault, when there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::InvalidEmail | Self::EmailTaken => Some("email"),
            Self::WeakPassword(_) => Some("password"),
            Self::WrongCurrentPassword => Some("current_password"),
            Self::InvalidApiKeyName => Some("name"),
            _ => None,
        }
    }
}

/// How long until `scope` may try to log in again, when it has used up its failures within
/// [`LOGIN_WINDOW`]; read inside the caller's write transaction.
async fn login_retry_after(
    conn: &mut SqliteConnection,
    scope: &str,
    now: OffsetDateTime,
) -> Result<Option<Duration>, AccountError> {
    let window_start = to_micros(now - LOGIN_WINDOW);
    let (failures, oldest) = sqlx::query_as::<_, (i64, Option<i64>)>(
        "SELECT count(*), min(at) FROM login_failures WHERE scope = ? AND at > ?",
    )
    .bind(scope)
    .bind(window_start)
    .fetch_one(&mut *conn)
    .await?;
    if failures < LOGIN_MAX_FAILURES {
        return Ok(None);
    }
    let oldest = from_micros(oldest.unwrap_or(window_start));
    Ok(Some((oldest + LOGIN_WINDOW - now).max(Duration::seconds(1))))
}

/// Which password rule a password broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRule {
    #[error("Use a password of at least {PASSWORD_MIN_CHARS} characters.")]
    TooShort,
    #[error("Use a password of at most {PASSWORD_MAX_CHARS} characters.")]
    TooLong,
}

/// An email address as accounts keep it: trimmed, lower-cased, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, AccountError> {
        let email = input.trim().to_lowercase();
        if email.is_empty() || email.chars().count() > EMAIL_MAX_CHARS {
            return Err(AccountError::InvalidEmail);
        }
        let parsed = email_address::EmailAddress::parse_with_options(
            &email,
            email_address::Options::default()
                .without_display_text()
                .without_domain_literal(),
        )
        .map_err(|_| AccountError::InvalidEmail)?;
        // RFC 5322 allows a bare host ("me@localhost"), which no one can sign up with by
        // mistake and mean it; ask for a dotted domain.
        let domain = parsed.domain();
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
            return Err(AccountError::InvalidEmail);
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks the password rules; the password itself is never kept.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(AccountError::WeakPassword(PasswordRule::TooShort));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(AccountError::WeakPassword(PasswordRule::TooLong));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
}

/// A new session: the plain token goes into the cookie, only its digest is stored.
#[derive(Debug)]
pub struct NewSession {
    pub user: User,
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// A freshly created API key with its secret, which is shown this once.
#[derive(Debug)]
pub struct NewApiKey {
    pub id: ApiKeyId,
    pub name: String,
    pub key: String,
}

/// Who is asking to log in, for the per-address limit.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

/// The account store: users, sessions, keys, the login limit.
#[derive(Clone)]
pub struct Accounts {
    db: Db,
    clock: std::sync::Arc<dyn Clock>,
    session_idle_timeout: Duration,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("session_idle_timeout", &self.session_idle_timeout)
            .finish_non_exhaustive()
    }
}

impl Accounts {
    pub fn new(db: Db, clock: std::sync::Arc<dyn Clock>, session_idle_timeout: Duration) -> Self {
        Self {
            db,
            clock,
            session_idle_timeout,
        }
    }

    /// Does the slow one-off work before the first request: the hash an unknown email's
    /// log-in is checked against. Without it, the first such log-in would take two hashes'
    /// time and stand out from a wrong password.
    pub async fn prepare(&self) {
        dummy_hash().await;
    }

    /// Forgets what no rule reads any more: sessions idle past the idle timeout (they already
    /// fail to authenticate) and failed log-ins older than the rate limit's window. Returns how
    /// many sessions and failures went. Run it beside the funding housekeeping.
    pub async fn purge_stale(&self) -> Result<(u64, u64), AccountError> {
        let now = self.clock.now();
        let mut tx = self.db.begin_write().await?;
        let sessions = sqlx::query("DELETE FROM sessions WHERE last_seen_at <= ?")
            .bind(to_micros(now - self.session_idle_timeout))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let failures = sqlx::query("DELETE FROM login_failures WHERE at <= ?")
            .bind(to_micros(now - LOGIN_WINDOW))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok((sessions, failures))
    }

    /// Answers whether the database responds; for health checks.
    pub async fn ping(&self) -> bool {
        self.db.ping().await
    }

    /// Creates an account and its first session.
    ///
    /// Errors: `InvalidEmail`, `WeakPassword`, `EmailTaken`.
    #[tracing::instrument(skip_all)]
    pub async fn sign_up(&self, email: &str, password: &str) -> Result<NewSession, AccountError> {
        let email = Email::parse(email)?;
        check_password(password)?;
        let password_hash = hash_secret(password).await;
        let now = to_micros(self.clock.now());

        let mut tx = self.db.begin_write().await?;
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO users (email, password_hash, created_at) VALUES (?, ?, ?)
             ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(email.as_str())
        .bind(&password_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = inserted else {
            return Err(AccountError::EmailTaken);
        };
        let user = User {
            id: UserId(id),
            email: email.0,
        };
        let token = insert_session(&mut tx, user.id, now).await?;
        tx.commit().await?;

        tracing::info!(user.id = %user.id, "account created");
        Ok(NewSession { user, token })
    }

    /// Checks the credentials and starts a new session.
    ///
    /// An unknown email and a wrong password answer the same `InvalidCredentials` after the
    /// same amount of hashing work. Past [`LOGIN_MAX_FAILURES`] failures within
    /// [`LOGIN_WINDOW`] for the account or for the client address, every attempt, right or
    /// wrong, is refused with `TooManyAttempts` until the window slides on.
    #[tracing::instrument(skip_all)]
    pub async fn log_in(
        &self,
        email: &str,
        password: &str,
        client: &ClientAddress,
    ) -> Result<NewSession, AccountError> {
        let email_normalised = email.trim().to_lowercase();
        let account_scope = format!("account:{}", sha256_hex(&email_normalised));
        let address_scope = format!("address:{}", client.0);
        let now = self.clock.now();
        let now_micros = to_micros(now);

        // The attempt is counted as a failure before the password is checked, in the same
        // transaction as the limit check: concurrent attempts then see each other, and a burst
        // cannot slip past the limit while its hashes run. A success takes its count back.
        let mut tx = self.db.begin_write().await?;
        for scope in [&account_scope, &address_scope] {
            if let Some(retry_after) = login_retry_after(&mut tx, scope, now).await? {
                tracing::warn!(
                    scope = scope.split(':').next(),
                    "log-in refused by the rate limit"
                );
                return Err(AccountError::TooManyAttempts { retry_after });
            }
        }
        let mut attempt_ids = Vec::with_capacity(2);
        for scope in [&account_scope, &address_scope] {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO login_failures (scope, at) VALUES (?, ?) RETURNING id",
            )
            .bind(scope)
            .bind(now_micros)
            .fetch_one(&mut *tx)
            .await?;
            attempt_ids.push(id);
        }
        tx.commit().await?;

        let stored = sqlx::query_as::<_, (i64, String, String)>(
            "SELECT id, email, password_hash FROM users WHERE email = ?",
        )
        .bind(&email_normalised)
        .fetch_optional(self.db.reader())
        .await?;
        let verified = match &stored {
            Some((_, _, hash)) => verify_secret(hash, password).await,
            None => {
                // Spend the same work as for a real account, so timing tells nothing.
                verify_secret(dummy_hash().await, password).await;
                false
            }
        };
        let Some((id, email, _)) = stored.filter(|_| verified) else {
            tracing::info!("log-in failed");
            return Err(AccountError::InvalidCredentials);
        };

        // A success forgets the account's failures (its own attempt among them), the address's
        // count for this attempt, and every failure that has left the window.
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE scope = ? OR id = ? OR at < ?")
            .bind(&account_scope)
            .bind(attempt_ids[1])
            .bind(to_micros(now - LOGIN_WINDOW))
            .execute(&mut *tx)
            .await?;
        let user = User {
            id: UserId(id),
            email,
        };
        let token = insert_session(&mut tx, user.id, now_micros).await?;
        tx.commit().await?;

        tracing::info!(user.id = %user.id, "logged in");
        Ok(NewSession { user, token })
    }

    /// The user a session token belongs to, or `None` when the token is unknown or the session
    /// has been idle longer than the idle timeout (it is then deleted).
    pub async fn authenticate_session(&self, token: &str) -> Result<Option<User>, AccountError> {
        let token_hash = sha256_hex(token);
        let found = sqlx::query_as::<_, (i64, String, i64)>(
            "SELECT users.id, users.email, sessions.last_seen_at
             FROM sessions JOIN users ON users.id = sessions.user_id
             WHERE sessions.token_hash = ?",
        )
        .bind(&token_hash)
        .fetch_optional(self.db.reader())
        .await?;
        let Some((id, email, last_seen_at)) = found else {
            return Ok(None);
        };

        let now = self.clock.now();
        let idle = now - from_micros(last_seen_at);
        if idle >= self.session_idle_timeout {
            let mut tx = self.db.begin_write().await?;
            sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
                .bind(&token_hash)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(None);
        }
        if idle >= SESSION_TOUCH_INTERVAL {
            let mut tx = self.db.begin_write().await?;
            sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?")
                .bind(to_micros(now))
                .bind(&token_hash)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(Some(User {
            id: UserId(id),
            email,
        }))
    }

    /// Logs the user out: ends the session the caller used, if it used one (the token stops
    /// working at once; an unknown token is ignored), and locks the user's wallet in the same
    /// transaction, so no page or program can forget the lock. A user without a wallet has
    /// nothing to lock.
    #[tracing::instrument(skip_all, fields(user.id = %user))]
    pub async fn log_out(&self, user: UserId, token: Option<&str>) -> Result<(), AccountError> {
        let mut tx = self.db.begin_write().await?;
        if let Some(token) = token {
            sqlx::query("DELETE FROM sessions WHERE token_hash = ? AND user_id = ?")
                .bind(sha256_hex(token))
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE wallets SET unlocked_until = NULL WHERE user_id = ?")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!("logged out; wallet locked");
        Ok(())
    }

    /// Changes the password after checking the current one, and ends every other session of
    /// the user: whoever else held one must log in with the new password.
    ///
    /// Errors: `InvalidCredentials` (wrong current password), `WeakPassword`.
    #[tracing::instrument(skip_all, fields(user.id = %user))]
    pub async fn change_password(
        &self,
        user: UserId,
        current_session_token: Option<&str>,
        current_password: &str,
        new_password: &str,
    ) -> Result<(), AccountError> {
        let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ?")
            .bind(user.0)
            .fetch_one(self.db.reader())
            .await?;
        if !verify_secret(&stored, current_password).await {
            return Err(AccountError::WrongCurrentPassword);
        }
        check_password(new_password)?;
        let new_hash = hash_secret(new_password).await;
        let keep = current_session_token.map(sha256_hex).unwrap_or_default();

        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(&new_hash)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?")
            .bind(user.0)
            .bind(&keep)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;

        tracing::info!(sessions_ended = ended, "password changed");
        Ok(())
    }

    /// Creates an API key for `user`. The returned key is the only copy of the secret.
    #[tracing::instrument(skip_all, fields(user.id = %user))]
    pub async fn create_api_key(
        &self,
        user: UserId,
        name: &str,
    ) -> Result<NewApiKey, AccountError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > API_KEY_NAME_MAX_CHARS {
            return Err(AccountError::InvalidApiKeyName);
        }
        let key = format!("{API_KEY_PREFIX}{}", random_token(TOKEN_BYTES));

        let mut tx = self.db.begin_write().await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO api_keys (user_id, name, key_hash, created_at) VALUES (?, ?, ?, ?)
             RETURNING id",
        )
        .bind(user.0)
        .bind(name)
        .bind(sha256_hex(&key))
        .bind(to_micros(self.clock.now()))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;

        tracing::info!(api_key.id = id, "API key created");
        Ok(NewApiKey {
            id: ApiKeyId(id),
            name: name.to_owned(),
            key,
        })
    }

    /// The user's API keys, newest first, without their secrets.
    pub async fn list_api_keys(&self, user: UserId) -> Result<Vec<ApiKey>, AccountError> {
        let rows = sqlx::query_as::<_, (i64, String, i64, Option<i64>)>(
            "SELECT id, name, created_at, last_used_at FROM api_keys
             WHERE user_id = ? ORDER BY id DESC",
        )
        .bind(user.0)
        .fetch_all(self.db.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, created_at, last_used_at)| ApiKey {
                id: ApiKeyId(id),
                name,
                created_at: from_micros(created_at),
                last_used_at: last_used_at.map(from_micros),
            })
            .collect())
    }

    /// Deletes one of the user's API keys. Another user's key is `ApiKeyNotFound`, exactly as a
    /// key that does not exist.
    #[tracing::instrument(skip_all, fields(user.id = %user, api_key.id = %id))]
    pub async fn delete_api_key(&self, user: UserId, id: ApiKeyId) -> Result<(), AccountError> {
        let mut tx = self.db.begin_write().await?;
        let deleted = sqlx::query("DELETE FROM api_keys WHERE id = ? AND user_id = ?")
            .bind(id.0)
            .bind(user.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        if deleted == 0 {
            return Err(AccountError::ApiKeyNotFound);
        }
        tracing::info!("API key deleted");
        Ok(())
    }

    /// The owner of an API key, or `None` for an unknown (or deleted) key.
    pub async fn authenticate_api_key(&self, key: &str) -> Result<Option<User>, AccountError> {
        if !key.starts_with(API_KEY_PREFIX) {
            return Ok(None);
        }
        let key_hash = sha256_hex(key);
        let found = sqlx::query_as::<_, (i64, i64, String, Option<i64>)>(
            "SELECT api_keys.id, users.id, users.email, api_keys.last_used_at
             FROM api_keys JOIN users ON users.id = api_keys.user_id
             WHERE api_keys.key_hash = ?",
        )
        .bind(&key_hash)
        .fetch_optional(self.db.reader())
        .await?;
        let Some((key_id, user_id, email, last_used_at)) = found else {
            return Ok(None);
        };

        let now = self.clock.now();
        let stale = last_used_at.is_none_or(|at| now - from_micros(at) >= SESSION_TOUCH_INTERVAL);
        if stale {
            let mut tx = self.db.begin_write().await?;
            sqlx::query("UPDATE api_keys SET last_used_at = ? WHERE id = ?")
                .bind(to_micros(now))
                .bind(key_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(Some(User {
            id: UserId(user_id),
            email,
        }))
    }
}

async fn insert_session(
    conn: &mut SqliteConnection,
    user: UserId,
    now_micros: i64,
) -> Result<String, sqlx::Error> {
    let token = random_token(TOKEN_BYTES);
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
    )
    .bind(sha256_hex(&token))
    .bind(user.0)
    .bind(now_micros)
    .bind(now_micros)
    .execute(conn)
    .await?;
    Ok(token)
}

/// A hash of a password no one knows, to verify against when the email has no account.
async fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return hash;
    }
    let hash = hash_secret(&random_token(TOKEN_BYTES)).await;
    DUMMY.get_or_init(|| hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lower_cased_and_validated() {
        let cases = [
            ("  Ada@Example.COM ", Some("ada@example.com")),
            (
                "ada.lovelace+twofold@mail.example.org",
                Some("ada.lovelace+twofold@mail.example.org"),
            ),
            ("", None),
            ("ada", None),
            ("ada@", None),
            ("@example.com", None),
            ("ada@localhost", None),
            ("ada@example.", None),
            ("ada example@example.com", None),
            ("Ada <ada@example.com>", None),
            ("ada@@example.com", None),
        ];
        for (input, expected) in cases {
            let parsed = Email::parse(input).ok();
            assert_eq!(
                parsed.as_ref().map(Email::as_str),
                expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn passwords_must_have_10_to_128_characters() {
        let cases = [
            ("123456789", Some(PasswordRule::TooShort)),
            ("1234567890", None),
            ("ééééééééé", Some(PasswordRule::TooShort)),
            ("éééééééééé", None),
        ];
        for (input, expected) in cases {
            let rule = match check_password(input) {
                Ok(()) => None,
                Err(AccountError::WeakPassword(rule)) => Some(rule),
                Err(other) => panic!("unexpected {other:?} for {input:?}"),
            };
            assert_eq!(rule, expected, "input {input:?}");
        }
        assert!(check_password(&"x".repeat(128)).is_ok());
        assert!(matches!(
            check_password(&"x".repeat(129)),
            Err(AccountError::WeakPassword(PasswordRule::TooLong))
        ));
    }
}
