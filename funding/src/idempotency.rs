//! Idempotent money movements.
//!
//! Each movement may carry an [`IdempotencyKey`]. Inside the movement's own write transaction
//! the service first looks the key up for that user: the same key with the same request (same
//! operation and parameters, compared by a SHA-256 fingerprint) returns the stored outcome and
//! moves nothing; the same key with a different request is
//! [`FundingError::IdempotencyKeyReused`]. Otherwise the movement runs and its outcome is stored
//! in the same transaction. Because every write transaction holds the single writer lock, two
//! simultaneous requests with one key run one after the other: the second finds the first's
//! outcome.
//!
//! Only successes are stored. A refused request moved nothing, so retrying it with the same key
//! simply runs the rules again (and may succeed once, say, the wallet was unlocked).
//!
//! Keys are scoped by caller, as API.md says ("same key, caller and request"): each user's
//! requests have their own key space, and the operator's metering service has one key space
//! across every user. A metering key that served one user's hold therefore cannot move a second
//! user's money: the user is part of a metering request's fingerprint, so reusing the key for
//! another user is a conflict, not a second movement.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::{Row, SqliteConnection};
use time::{Duration, OffsetDateTime};

use crate::clock::to_micros;
use crate::error::FundingError;
use crate::ids::{HoldId, ModelId, UserId};
use crate::money::{Amount, RefundAmount};
use crate::secret::sha256_hex;

/// How long a stored outcome answers repeats. API.md promises at least 24 hours; older keys
/// are treated as unused and purged by [`crate::Funding::purge_idempotency_keys`].
pub const IDEMPOTENCY_RETENTION: Duration = Duration::hours(24);

/// Longest key accepted, from API.md.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// A client-chosen key: 1–255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// Why an idempotency key was refused (HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdempotencyKeyError {
    #[error("The Idempotency-Key is empty; send 1 to 255 visible ASCII characters.")]
    Empty,
    #[error("The Idempotency-Key is longer than 255 characters; send a shorter one.")]
    TooLong,
    #[error("The Idempotency-Key may hold only visible ASCII characters, without spaces.")]
    NotVisibleAscii,
}

impl IdempotencyKey {
    pub fn parse(text: &str) -> Result<Self, IdempotencyKeyError> {
        if text.is_empty() {
            return Err(IdempotencyKeyError::Empty);
        }
        if text.len() > MAX_IDEMPOTENCY_KEY_CHARS {
            return Err(IdempotencyKeyError::TooLong);
        }
        if !text.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(IdempotencyKeyError::NotVisibleAscii);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A money-moving request, as fingerprinted: the operation and every parameter that shapes it.
#[derive(Serialize)]
#[serde(tag = "operation", rename_all = "snake_case")]
pub(crate) enum Request<'a> {
    RechargeWallet {
        amount: Amount,
    },
    WithdrawFromWallet {
        amount: Amount,
    },
    FundModel {
        model_id: &'a ModelId,
        amount: Amount,
    },
    RefundModel {
        model_id: &'a ModelId,
        amount: RefundAmount,
    },
    PlaceHold {
        model_id: &'a ModelId,
        amount: Amount,
        ttl_seconds: u32,
    },
    SettleHold {
        hold_id: HoldId,
        input_tokens: u64,
        output_tokens: u64,
    },
    ReleaseHold {
        hold_id: HoldId,
    },
    RecordUsage {
        model_id: &'a ModelId,
        input_tokens: u64,
        output_tokens: u64,
    },
}

/// Whose key space a key belongs to, and whose money the request moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyScope {
    /// The user's own request, through a page, a session or an API key.
    User(UserId),
    /// The operator's metering service, acting on this user's model funding.
    Metering(UserId),
}

impl KeyScope {
    fn caller(self) -> String {
        match self {
            KeyScope::User(user) => format!("user:{user}"),
            KeyScope::Metering(_) => "metering".to_owned(),
        }
    }

    fn user(self) -> UserId {
        match self {
            KeyScope::User(user) | KeyScope::Metering(user) => user,
        }
    }
}

impl Request<'_> {
    fn fingerprint(&self, scope: KeyScope) -> Result<String, FundingError> {
        let json = serde_json::to_string(self).map_err(|error| {
            FundingError::Internal(format!("fingerprinting a request: {error}"))
        })?;
        Ok(match scope {
            // A user's key space holds only that user's requests.
            KeyScope::User(_) => sha256_hex(&json),
            // The metering key space spans users: whose money moves is part of the request.
            KeyScope::Metering(user) => sha256_hex(&format!("user {user}: {json}")),
        })
    }
}

/// The stored outcome of `key` for the caller of `scope`, when the same request already
/// succeeded within [`IDEMPOTENCY_RETENTION`]; [`FundingError::IdempotencyKeyReused`] when the
/// key served a different request.
pub(crate) async fn replay<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
    scope: KeyScope,
    key: Option<&IdempotencyKey>,
    request: &Request<'_>,
    now: OffsetDateTime,
) -> Result<Option<T>, FundingError> {
    let Some(key) = key else { return Ok(None) };
    let row = sqlx::query(
        "SELECT fingerprint, outcome FROM idempotency_keys \
         WHERE caller = ?1 AND key = ?2 AND created_at > ?3",
    )
    .bind(scope.caller())
    .bind(key.as_str())
    .bind(to_micros(now - IDEMPOTENCY_RETENTION))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };

    let fingerprint: String = row.try_get(0)?;
    if fingerprint != request.fingerprint(scope)? {
        return Err(FundingError::IdempotencyKeyReused);
    }
    let outcome: String = row.try_get(1)?;
    let outcome = serde_json::from_str(&outcome)
        .map_err(|error| FundingError::Internal(format!("reading a stored outcome: {error}")))?;
    tracing::info!(
        user.id = %scope.user(),
        "idempotent request repeated; answering the first outcome"
    );
    Ok(Some(outcome))
}

/// Stores the outcome of a request that just succeeded, in the caller's transaction.
pub(crate) async fn remember<T: Serialize>(
    conn: &mut SqliteConnection,
    scope: KeyScope,
    key: Option<&IdempotencyKey>,
    request: &Request<'_>,
    outcome: &T,
    now: OffsetDateTime,
) -> Result<(), FundingError> {
    let Some(key) = key else { return Ok(()) };
    let outcome = serde_json::to_string(outcome)
        .map_err(|error| FundingError::Internal(format!("storing an outcome: {error}")))?;
    // REPLACE only ever overwrites a key older than the retention, which `replay` ignored.
    sqlx::query(
        "INSERT OR REPLACE INTO idempotency_keys \
         (caller, key, user_id, fingerprint, outcome, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(scope.caller())
    .bind(key.as_str())
    .bind(scope.user().0)
    .bind(request.fingerprint(scope)?)
    .bind(outcome)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_one_to_255_visible_ascii_characters() {
        assert!(IdempotencyKey::parse("a").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
        assert_eq!(IdempotencyKey::parse(""), Err(IdempotencyKeyError::Empty));
        assert_eq!(
            IdempotencyKey::parse(&"k".repeat(256)),
            Err(IdempotencyKeyError::TooLong)
        );
        assert_eq!(
            IdempotencyKey::parse("a b"),
            Err(IdempotencyKeyError::NotVisibleAscii)
        );
        assert_eq!(
            IdempotencyKey::parse("clé"),
            Err(IdempotencyKeyError::NotVisibleAscii)
        );
    }

    #[test]
    fn fingerprints_differ_by_operation_and_parameter() {
        let model = ModelId("m".into());
        let ten = Amount::from_units(10);
        let user = KeyScope::User(UserId(1));
        let hold = Request::PlaceHold {
            model_id: &model,
            amount: ten,
            ttl_seconds: 60,
        };
        let fingerprints = [
            hold.fingerprint(KeyScope::Metering(UserId(1))),
            hold.fingerprint(KeyScope::Metering(UserId(2))),
            Request::FundModel {
                model_id: &model,
                amount: ten,
            }
            .fingerprint(user),
            Request::RechargeWallet { amount: ten }.fingerprint(user),
            Request::RefundModel {
                model_id: &model,
                amount: RefundAmount::Exactly(ten),
            }
            .fingerprint(user),
            Request::RefundModel {
                model_id: &model,
                amount: RefundAmount::All,
            }
            .fingerprint(user),
        ]
        .map(|fingerprint| fingerprint.unwrap_or_default());

        for (i, a) in fingerprints.iter().enumerate() {
            for b in &fingerprints[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
