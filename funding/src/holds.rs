//! Holds and usage: what metering calls. A hold reserves a request's maximum cost from a
//! model's available funding; settling charges the priced usage (never more than the hold) and
//! releases the rest; releasing returns it all; a hold past its expiry counts as released at
//! once. Direct usage debits available funding without a hold.
//!
//! Holds and usage do not need an unlocked wallet: they are the operator's metering, not a
//! wallet action.

use std::fmt;

use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};
use time::{Duration, OffsetDateTime};

use crate::clock::{from_micros, to_micros};
use crate::error::FundingError;
use crate::idempotency::{self, IdempotencyKey, KeyScope, Request};
use crate::ids::{EntryId, HoldId, ModelId, UserId};
use crate::ledger::{self, Account, EntryKind, NewEntry};
use crate::model_funding::stored_amount;
use crate::money::{Amount, usage_cost};
use crate::service::{Funding, insufficient, require_user};

/// A hold's time to live when the caller names none: ten minutes outlasts any model request.
pub const DEFAULT_HOLD_TTL_SECONDS: u32 = 600;

/// The longest a hold may live: an hour. Longer would let a stuck request lock funds away from
/// refunds for too long.
pub const MAX_HOLD_TTL_SECONDS: u32 = 3600;

/// Where a hold stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldStatus {
    Open,
    Settled,
    Released,
    /// Released because it outlived its time to live (whether or not the release is written).
    Expired,
}

impl HoldStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldStatus::Open => "open",
            HoldStatus::Settled => "settled",
            HoldStatus::Released => "released",
            HoldStatus::Expired => "expired",
        }
    }

    fn parse(text: &str) -> Result<HoldStatus, FundingError> {
        match text {
            "open" => Ok(HoldStatus::Open),
            "settled" => Ok(HoldStatus::Settled),
            "released" => Ok(HoldStatus::Released),
            "expired" => Ok(HoldStatus::Expired),
            other => Err(FundingError::Internal(format!(
                "unknown hold status {other:?}"
            ))),
        }
    }
}

impl fmt::Display for HoldStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A hold as it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub id: HoldId,
    pub user_id: UserId,
    pub model_id: ModelId,
    /// `Expired` for an open hold past `expires_at`, even before the sweeper ran.
    pub status: HoldStatus,
    pub amount: Amount,
    /// What settling charged; zero for a released or expired hold; `None` while open.
    pub charged: Option<Amount>,
    /// What went back to available funding; `None` while open.
    pub released: Option<Amount>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
}

impl Hold {
    /// What an expired hold that nobody wrote the release of yet looks like.
    fn seen_at(mut self, now: OffsetDateTime) -> Hold {
        if self.status == HoldStatus::Open && self.expires_at <= now {
            self.status = HoldStatus::Expired;
            self.charged = Some(Amount::ZERO);
            self.released = Some(self.amount);
            self.closed_at = Some(self.expires_at);
        }
        self
    }
}

/// Who asks about a hold. Metering (the operator) may touch any user's hold; a user only
/// their own, and another user's hold answers `HoldNotFound`, exactly like a missing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Metering,
    User(UserId),
}

/// The idempotency key space of a request about one of `user`'s holds.
fn key_scope(caller: Caller, user: UserId) -> KeyScope {
    match caller {
        Caller::Metering => KeyScope::Metering(user),
        Caller::User(_) => KeyScope::User(user),
    }
}

/// The outcome of direct usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageReceipt {
    pub entry_id: EntryId,
    pub charged: Amount,
}

async fn find_hold(
    conn: &mut SqliteConnection,
    caller: Caller,
    hold_id: HoldId,
) -> Result<Hold, FundingError> {
    let row = sqlx::query(
        "SELECT user_id, model_id, status, amount, charged, released, created_at, expires_at, \
         closed_at FROM holds WHERE id = ?1",
    )
    .bind(hold_id.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Err(FundingError::HoldNotFound { hold_id });
    };
    let user_id = UserId(row.try_get(0)?);
    if matches!(caller, Caller::User(user) if user != user_id) {
        return Err(FundingError::HoldNotFound { hold_id });
    }
    let optional_amount = |value: Option<i64>| value.map(stored_amount).transpose();
    Ok(Hold {
        id: hold_id,
        user_id,
        model_id: ModelId(row.try_get(1)?),
        status: HoldStatus::parse(row.try_get(2)?)?,
        amount: stored_amount(row.try_get(3)?)?,
        charged: optional_amount(row.try_get(4)?)?,
        released: optional_amount(row.try_get(5)?)?,
        created_at: from_micros(row.try_get(6)?),
        expires_at: from_micros(row.try_get(7)?),
        closed_at: row.try_get::<Option<i64>, _>(8)?.map(from_micros),
    })
}

/// How a hold closes: the new status, what is charged and what goes back to available.
struct Closing {
    status: HoldStatus,
    charged: Amount,
    released: Amount,
    description: String,
}

/// Closes an open hold: marks it and writes its `hold_settled` or `hold_released` entry.
async fn close_hold(
    conn: &mut SqliteConnection,
    now: OffsetDateTime,
    hold: &Hold,
    closing: Closing,
) -> Result<EntryId, FundingError> {
    sqlx::query(
        "UPDATE holds SET status = ?2, closed_at = ?3, charged = ?4, released = ?5 \
         WHERE id = ?1 AND status = 'open'",
    )
    .bind(hold.id.0)
    .bind(closing.status.as_str())
    // An expired hold closed when it expired, whenever its release is written.
    .bind(to_micros(if closing.status == HoldStatus::Expired {
        hold.expires_at
    } else {
        now
    }))
    .bind(closing.charged.micros())
    .bind(closing.released.micros())
    .execute(&mut *conn)
    .await?;
    let (user, model) = (hold.user_id, &hold.model_id);
    let (kind, amount) = match closing.status {
        HoldStatus::Settled => (EntryKind::HoldSettled, closing.charged),
        _ => (EntryKind::HoldReleased, closing.released),
    };
    let mut postings = vec![
        (Account::Held(user, model), -hold.amount.micros()),
        (Account::Available(user, model), closing.released.micros()),
    ];
    if kind == EntryKind::HoldSettled {
        postings.push((Account::UsageRevenue, closing.charged.micros()));
    }
    let entry_id = ledger::write_entry(
        conn,
        now,
        NewEntry {
            kind,
            user,
            model: Some(model),
            hold: Some(hold.id),
            amount,
            fee: Amount::ZERO,
            description: closing.description,
            source: None,
            test_money: false,
            postings,
        },
    )
    .await?;
    Ok(entry_id)
}

/// Writes the release of every open hold past its expiry, for one (user, model) or all.
///
/// Reads already treat such holds as released; writing the releases keeps the materialised
/// available and held balances truthful before a movement touches them.
pub(crate) async fn release_expired_holds(
    conn: &mut SqliteConnection,
    now: OffsetDateTime,
    scope: Option<(UserId, &ModelId)>,
) -> Result<usize, FundingError> {
    let (user, model) = scope.map_or((None, None), |(user, model)| (Some(user.0), Some(model)));
    let expired: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM holds WHERE status = 'open' AND expires_at <= ?1 \
         AND (?2 IS NULL OR user_id = ?2) AND (?3 IS NULL OR model_id = ?3) ORDER BY id",
    )
    .bind(to_micros(now))
    .bind(user)
    .bind(model.map(|model| model.0.as_str()))
    .fetch_all(&mut *conn)
    .await?;
    for hold_id in &expired {
        let hold = find_hold(conn, Caller::Metering, HoldId(*hold_id)).await?;
        let closing = Closing {
            status: HoldStatus::Expired,
            charged: Amount::ZERO,
            released: hold.amount,
            description: format!("Hold {} expired; everything returns to available", hold.id),
        };
        let entry_id = close_hold(conn, now, &hold, closing).await?;
        tracing::info!(
            user.id = %hold.user_id, model.id = %hold.model_id, hold.id = %hold.id,
            entry.id = %entry_id, amount = %hold.amount, "expired hold released"
        );
    }
    Ok(expired.len())
}

fn check_ttl(seconds: u32) -> Result<(), FundingError> {
    if (1..=MAX_HOLD_TTL_SECONDS).contains(&seconds) {
        Ok(())
    } else {
        Err(FundingError::InvalidTtl { seconds })
    }
}

impl Funding {
    /// Reserves `amount` of `model_id`'s available funding for a request in flight, for
    /// `ttl_seconds` (1–3600, default [`DEFAULT_HOLD_TTL_SECONDS`]).
    ///
    /// Errors, in the order checked: `InvalidAmount`, `InvalidTtl`, `UnknownModel`,
    /// `UserNotFound`, `IdempotencyKeyReused`, `InsufficientFunds { shortfall }`.
    #[tracing::instrument(
        skip_all,
        fields(user.id = %user, model.id = %model_id, amount = %amount)
    )]
    pub async fn place_hold(
        &self,
        user: UserId,
        model_id: &ModelId,
        amount: Amount,
        ttl_seconds: Option<u32>,
        key: Option<IdempotencyKey>,
    ) -> Result<Hold, FundingError> {
        self.check_amount(amount)?;
        let ttl_seconds = ttl_seconds.unwrap_or(DEFAULT_HOLD_TTL_SECONDS);
        check_ttl(ttl_seconds)?;
        self.model(model_id)?;
        let request = Request::PlaceHold {
            model_id,
            amount,
            ttl_seconds,
        };
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        require_user(&mut tx, user).await?;
        if let Some(first) = idempotency::replay(&mut tx, KeyScope::Metering(user), key.as_ref(), &request, now).await?
        {
            return Ok(first);
        }
        let available = self
            .funding_state(&mut tx, user, model_id, now)
            .await?
            .available();
        if amount > available {
            return Err(insufficient(amount, available));
        }

        // All checks passed.
        release_expired_holds(&mut tx, now, Some((user, model_id))).await?;
        let expires_at = now + Duration::seconds(i64::from(ttl_seconds));
        let hold_id: i64 = sqlx::query_scalar(
            "INSERT INTO holds (user_id, model_id, amount, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        )
        .bind(user.0)
        .bind(&model_id.0)
        .bind(amount.micros())
        .bind(to_micros(now))
        .bind(to_micros(expires_at))
        .fetch_one(&mut *tx)
        .await?;
        let hold_id = HoldId(hold_id);
        let entry_id = ledger::write_entry(
            &mut tx,
            now,
            NewEntry {
                kind: EntryKind::Hold,
                user,
                model: Some(model_id),
                hold: Some(hold_id),
                amount,
                fee: Amount::ZERO,
                description: format!("Hold {hold_id} for a request in flight"),
                source: None,
                test_money: false,
                postings: vec![
                    (Account::Available(user, model_id), -amount.micros()),
                    (Account::Held(user, model_id), amount.micros()),
                ],
            },
        )
        .await?;
        let hold = find_hold(&mut tx, Caller::Metering, hold_id).await?;
        idempotency::remember(&mut tx, KeyScope::Metering(user), key.as_ref(), &request, &hold, now).await?;
        tx.commit().await?;
        tracing::info!(hold.id = %hold_id, entry.id = %entry_id, "hold placed");
        Ok(hold)
    }

    /// Settles an open hold with the real usage: charges the priced tokens (rounded up to the
    /// ledger scale), at most the hold's amount, and returns the rest to available funding.
    ///
    /// Errors, in the order checked: `HoldNotFound` (also for another user's hold),
    /// `IdempotencyKeyReused`, `HoldNotOpen` (settled, released or expired), `UnknownModel`
    /// (the model left the catalog), `Overflow`.
    #[tracing::instrument(skip_all, fields(hold.id = %hold_id, input_tokens, output_tokens))]
    pub async fn settle_hold(
        &self,
        caller: Caller,
        hold_id: HoldId,
        input_tokens: u64,
        output_tokens: u64,
        key: Option<IdempotencyKey>,
    ) -> Result<Hold, FundingError> {
        let request = Request::SettleHold {
            hold_id,
            input_tokens,
            output_tokens,
        };
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        let hold = find_hold(&mut tx, caller, hold_id).await?.seen_at(now);
        let user = hold.user_id;
        if let Some(first) = idempotency::replay(&mut tx, key_scope(caller, user), key.as_ref(), &request, now).await?
        {
            return Ok(first);
        }
        if hold.status != HoldStatus::Open {
            return Err(FundingError::HoldNotOpen {
                hold_id,
                status: hold.status,
            });
        }
        let model = self.model(&hold.model_id)?;
        let cost = usage_cost(
            input_tokens,
            output_tokens,
            model.input_price_per_mtok,
            model.output_price_per_mtok,
        )?;
        let charged = cost.min(hold.amount);
        let released = hold.amount.saturating_sub(charged);

        // All checks passed.
        release_expired_holds(&mut tx, now, Some((user, &hold.model_id))).await?;
        let description = format!(
            "Hold {hold_id} settled: {input_tokens} input and {output_tokens} output tokens"
        );
        let closing = Closing {
            status: HoldStatus::Settled,
            charged,
            released,
            description,
        };
        let entry_id = close_hold(&mut tx, now, &hold, closing).await?;
        let settled = find_hold(&mut tx, caller, hold_id).await?;
        idempotency::remember(&mut tx, key_scope(caller, user), key.as_ref(), &request, &settled, now).await?;
        tx.commit().await?;
        tracing::info!(
            user.id = %user, model.id = %hold.model_id, entry.id = %entry_id,
            charged = %charged, released = %released, "hold settled"
        );
        Ok(settled)
    }

    /// Releases an open hold: its whole amount returns to available funding.
    ///
    /// Errors, in the order checked: `HoldNotFound`, `IdempotencyKeyReused`, `HoldNotOpen`.
    #[tracing::instrument(skip_all, fields(hold.id = %hold_id))]
    pub async fn release_hold(
        &self,
        caller: Caller,
        hold_id: HoldId,
        key: Option<IdempotencyKey>,
    ) -> Result<Hold, FundingError> {
        let request = Request::ReleaseHold { hold_id };
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        let hold = find_hold(&mut tx, caller, hold_id).await?.seen_at(now);
        let user = hold.user_id;
        if let Some(first) = idempotency::replay(&mut tx, key_scope(caller, user), key.as_ref(), &request, now).await?
        {
            return Ok(first);
        }
        if hold.status != HoldStatus::Open {
            return Err(FundingError::HoldNotOpen {
                hold_id,
                status: hold.status,
            });
        }

        // All checks passed.
        release_expired_holds(&mut tx, now, Some((user, &hold.model_id))).await?;
        let closing = Closing {
            status: HoldStatus::Released,
            charged: Amount::ZERO,
            released: hold.amount,
            description: format!("Hold {hold_id} released; everything returns to available"),
        };
        let entry_id = close_hold(&mut tx, now, &hold, closing).await?;
        let released = find_hold(&mut tx, caller, hold_id).await?;
        idempotency::remember(&mut tx, key_scope(caller, user), key.as_ref(), &request, &released, now).await?;
        tx.commit().await?;
        tracing::info!(
            user.id = %user, model.id = %hold.model_id, entry.id = %entry_id,
            amount = %hold.amount, "hold released"
        );
        Ok(released)
    }

    /// A hold as it stands now. Errors: `HoldNotFound` (also for another user's hold).
    pub async fn hold(&self, caller: Caller, hold_id: HoldId) -> Result<Hold, FundingError> {
        let now = self.now();
        let mut conn = self.db.reader().acquire().await?;
        Ok(find_hold(&mut conn, caller, hold_id).await?.seen_at(now))
    }

    /// Debits the priced usage (rounded up to the ledger scale) from `model_id`'s available
    /// funding, without a hold. Usage that costs nothing (a free model) is still recorded.
    ///
    /// Errors, in the order checked: `UnknownModel`, `Overflow`, `UserNotFound`,
    /// `IdempotencyKeyReused`, `InsufficientFunds { shortfall }`.
    #[tracing::instrument(
        skip_all,
        fields(user.id = %user, model.id = %model_id, input_tokens, output_tokens)
    )]
    pub async fn record_usage(
        &self,
        user: UserId,
        model_id: &ModelId,
        input_tokens: u64,
        output_tokens: u64,
        key: Option<IdempotencyKey>,
    ) -> Result<UsageReceipt, FundingError> {
        let model = self.model(model_id)?;
        let cost = usage_cost(
            input_tokens,
            output_tokens,
            model.input_price_per_mtok,
            model.output_price_per_mtok,
        )?;
        let request = Request::RecordUsage {
            model_id,
            input_tokens,
            output_tokens,
        };
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        require_user(&mut tx, user).await?;
        if let Some(first) = idempotency::replay(&mut tx, KeyScope::Metering(user), key.as_ref(), &request, now).await?
        {
            return Ok(first);
        }
        let available = self
            .funding_state(&mut tx, user, model_id, now)
            .await?
            .available();
        if cost > available {
            return Err(insufficient(cost, available));
        }

        // All checks passed.
        release_expired_holds(&mut tx, now, Some((user, model_id))).await?;
        let entry_id = ledger::write_entry(
            &mut tx,
            now,
            NewEntry {
                kind: EntryKind::Usage,
                user,
                model: Some(model_id),
                hold: None,
                amount: cost,
                fee: Amount::ZERO,
                description: format!(
                    "Usage: {input_tokens} input and {output_tokens} output tokens"
                ),
                source: None,
                test_money: false,
                postings: vec![
                    (Account::Available(user, model_id), -cost.micros()),
                    (Account::UsageRevenue, cost.micros()),
                ],
            },
        )
        .await?;
        let outcome = UsageReceipt {
            entry_id,
            charged: cost,
        };
        idempotency::remember(&mut tx, KeyScope::Metering(user), key.as_ref(), &request, &outcome, now).await?;
        tx.commit().await?;
        tracing::info!(entry.id = %entry_id, charged = %cost, "usage recorded");
        Ok(outcome)
    }

    /// Writes the release of every hold past its expiry; returns how many. Reads and movements
    /// are correct without it; run it every minute or so to keep the ledger's entries current.
    pub async fn sweep_expired_holds(&self) -> Result<usize, FundingError> {
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        let released = release_expired_holds(&mut tx, now, None).await?;
        tx.commit().await?;
        Ok(released)
    }

    /// Forgets idempotency keys older than [`idempotency::IDEMPOTENCY_RETENTION`]; returns how
    /// many. Run it beside [`Funding::sweep_expired_holds`].
    pub async fn purge_idempotency_keys(&self) -> Result<u64, FundingError> {
        let cutoff = self.now() - idempotency::IDEMPOTENCY_RETENTION;
        let mut tx = self.db.begin_write().await?;
        let purged = sqlx::query("DELETE FROM idempotency_keys WHERE created_at <= ?1")
            .bind(to_micros(cutoff))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(purged)
    }
}
