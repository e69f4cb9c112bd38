//! Model funding: funding a model from the wallet, refunding what is refundable back to it,
//! choosing the primary model, and the funding view every page and API read shows.

use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};
use time::OffsetDateTime;

use crate::clock::{from_micros, to_micros};
use crate::error::{FundingError, MinimumKind};
use crate::holds::release_expired_holds;
use crate::idempotency::{self, IdempotencyKey, KeyScope, Request};
use crate::ids::{EntryId, HoldId, ModelId, UserId};
use crate::ledger::{self, Account, EntryKind, NewEntry};
use crate::money::{Amount, RefundAmount, funding_fee};
use crate::service::{Funding, insufficient};
use crate::wallet::{Wallet, require_unlocked_wallet, touch_wallet, wallet_view};

/// How a model stands for a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundingStatus {
    /// The user's one primary model.
    Primary,
    /// Funded or once chosen, but not the primary model.
    NonPrimary,
    /// Never funded nor chosen.
    NotEnabled,
}

/// A funding still inside the lock window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedFunding {
    pub entry_id: EntryId,
    pub amount: Amount,
    #[serde(with = "time::serde::rfc3339")]
    pub refundable_at: OffsetDateTime,
}

/// An open hold, as the funding view lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenHold {
    pub id: HoldId,
    pub amount: Amount,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// One model's funding for one user, computed from the ledger: API.md's `funding`.
///
/// Invariant: `refundable = max(0, balance − held − recently_funded)`, `held` is the sum of
/// `holds`, `recently_funded` the sum of `locked_fundings`. A hold past its expiry is not in
/// `holds` even before the sweeper writes its release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelFunding {
    pub model_id: ModelId,
    pub status: FundingStatus,
    /// Available plus held.
    pub balance: Amount,
    pub held: Amount,
    pub recently_funded: Amount,
    pub refundable: Amount,
    /// The minimum initial amount before the first funding, the minimum top-up after.
    pub current_minimum_amount: Amount,
    /// Whether the next funding is the initial funding or a top-up, which decides
    /// `current_minimum_amount`. Outcomes stored before this field read as initial.
    #[serde(default)]
    pub next_funding: MinimumKind,
    pub lock_window_seconds: i64,
    pub locked_fundings: Vec<LockedFunding>,
    pub holds: Vec<OpenHold>,
}

impl ModelFunding {
    /// What holds and usage may spend now: `balance − held`.
    pub fn available(&self) -> Amount {
        self.balance.saturating_sub(self.held)
    }

    /// The earliest moment more than `refundable` becomes refundable if nothing else happens:
    /// when a locked funding leaves the lock window or a hold expires and that raises the
    /// refundable amount. `None` when nothing pending would.
    pub fn next_refundable_at(&self) -> Option<OffsetDateTime> {
        let mut moments: Vec<OffsetDateTime> = self
            .locked_fundings
            .iter()
            .map(|funding| funding.refundable_at)
            .chain(self.holds.iter().map(|hold| hold.expires_at))
            .collect();
        moments.sort();
        moments.into_iter().find(|&moment| {
            let held = sum(self
                .holds
                .iter()
                .filter(|h| h.expires_at > moment)
                .map(|h| h.amount));
            let recent = sum(self
                .locked_fundings
                .iter()
                .filter(|funding| funding.refundable_at > moment)
                .map(|funding| funding.amount));
            self.balance.saturating_sub(held).saturating_sub(recent) > self.refundable
        })
    }
}

/// Sums amounts that are parts of one balance, so they cannot overflow; saturates regardless.
fn sum(amounts: impl Iterator<Item = Amount>) -> Amount {
    amounts.fold(Amount::ZERO, |total, amount| {
        total.checked_add(amount).unwrap_or(Amount::MAX)
    })
}

/// Every model a user has funded or chosen, beside the wallet balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingList {
    pub wallet_balance: Amount,
    pub fundings: Vec<ModelFunding>,
}

/// The outcome of funding a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingReceipt {
    pub entry_id: EntryId,
    pub amount: Amount,
    pub fee: Amount,
    pub wallet: Wallet,
    pub funding: ModelFunding,
}

/// The outcome of a refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundReceipt {
    pub entry_id: EntryId,
    pub amount: Amount,
    pub wallet: Wallet,
    pub funding: ModelFunding,
}

/// Where a user stands in the setup path, for `GET /api/v1/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    pub wallet_created: bool,
    pub wallet_recharged: bool,
    pub primary_model_id: Option<ModelId>,
    pub primary_model_funded: bool,
}

async fn has_entry(
    conn: &mut SqliteConnection,
    user: UserId,
    model: Option<&ModelId>,
    kind: EntryKind,
) -> Result<bool, FundingError> {
    let exists = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM entries \
         WHERE user_id = ?1 AND model_id IS ?2 AND kind = ?3)",
    )
    .bind(user.0)
    .bind(model.map(|model| model.0.as_str()))
    .bind(kind.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok(exists)
}

async fn funding_status(
    conn: &mut SqliteConnection,
    user: UserId,
    model: &ModelId,
) -> Result<FundingStatus, FundingError> {
    let is_primary: Option<bool> = sqlx::query_scalar(
        "SELECT is_primary FROM user_models WHERE user_id = ?1 AND model_id = ?2",
    )
    .bind(user.0)
    .bind(&model.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match is_primary {
        Some(true) => FundingStatus::Primary,
        Some(false) => FundingStatus::NonPrimary,
        None => FundingStatus::NotEnabled,
    })
}

/// Marks a model as funded or chosen by the user (non-primary unless it already is primary).
async fn enable_model(
    conn: &mut SqliteConnection,
    user: UserId,
    model: &ModelId,
    now: OffsetDateTime,
) -> Result<(), FundingError> {
    sqlx::query(
        "INSERT OR IGNORE INTO user_models (user_id, model_id, is_primary, added_at) \
         VALUES (?1, ?2, 0, ?3)",
    )
    .bind(user.0)
    .bind(&model.0)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Funding {
    /// The minimum the next funding of `model` by `user` must reach, and which one it is.
    async fn current_minimum(
        &self,
        conn: &mut SqliteConnection,
        user: UserId,
        model_id: &ModelId,
    ) -> Result<(Amount, MinimumKind), FundingError> {
        let funded_before = has_entry(conn, user, Some(model_id), EntryKind::Funding).await?;
        let which = if funded_before {
            MinimumKind::TopUp
        } else {
            MinimumKind::InitialFunding
        };
        // A model that has left the catalog can no longer be funded; zero is shown for it.
        let minimum = self
            .catalog
            .model(model_id)
            .map_or(Amount::ZERO, |model| match which {
                MinimumKind::InitialFunding => model.minimum_initial_amount,
                MinimumKind::TopUp => model.minimum_top_up_amount,
            });
        Ok((minimum, which))
    }

    /// The funding view of one model, from the ledger, as of `now`.
    pub(crate) async fn funding_state(
        &self,
        conn: &mut SqliteConnection,
        user: UserId,
        model_id: &ModelId,
        now: OffsetDateTime,
    ) -> Result<ModelFunding, FundingError> {
        let balance = ledger::model_balance(conn, user, model_id).await?;
        let holds = sqlx::query(
            "SELECT id, amount, expires_at FROM holds WHERE user_id = ?1 AND model_id = ?2 \
             AND status = 'open' AND expires_at > ?3 ORDER BY expires_at, id",
        )
        .bind(user.0)
        .bind(&model_id.0)
        .bind(to_micros(now))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| {
            Ok(OpenHold {
                id: HoldId(row.try_get(0)?),
                amount: stored_amount(row.try_get(1)?)?,
                expires_at: from_micros(row.try_get(2)?),
            })
        })
        .collect::<Result<Vec<_>, FundingError>>()?;
        let lock_window = self.settings.lock_window();
        let locked_fundings = sqlx::query(
            "SELECT id, amount, created_at FROM entries WHERE user_id = ?1 AND model_id = ?2 \
             AND kind = 'funding' AND created_at > ?3 ORDER BY created_at, id",
        )
        .bind(user.0)
        .bind(&model_id.0)
        .bind(to_micros(now - lock_window))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| {
            Ok(LockedFunding {
                entry_id: EntryId(row.try_get(0)?),
                amount: stored_amount(row.try_get(1)?)?,
                refundable_at: from_micros(row.try_get(2)?) + lock_window,
            })
        })
        .collect::<Result<Vec<_>, FundingError>>()?;

        let held = sum(holds.iter().map(|hold| hold.amount));
        let recently_funded = sum(locked_fundings.iter().map(|funding| funding.amount));
        let (current_minimum_amount, next_funding) =
            self.current_minimum(conn, user, model_id).await?;
        Ok(ModelFunding {
            model_id: model_id.clone(),
            status: funding_status(conn, user, model_id).await?,
            balance,
            held,
            recently_funded,
            refundable: balance.saturating_sub(held).saturating_sub(recently_funded),
            current_minimum_amount,
            next_funding,
            lock_window_seconds: self.settings.lock_window_seconds,
            locked_fundings,
            holds,
        })
    }

    /// A model the user may read or refund: in the catalog, or one they hold funding for even
    /// though it has since left the catalog (their money stays reachable).
    async fn require_known_model(
        &self,
        conn: &mut SqliteConnection,
        user: UserId,
        model_id: &ModelId,
    ) -> Result<(), FundingError> {
        if self.catalog.model(model_id).is_some() {
            return Ok(());
        }
        match funding_status(conn, user, model_id).await? {
            FundingStatus::NotEnabled => Err(FundingError::UnknownModel {
                model_id: model_id.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// Moves `amount` from the wallet into `model_id`'s funding, charging the funding fee on
    /// top. The first funding of a (user, model) pair must reach the model's minimum initial
    /// amount, later ones its minimum top-up. The primary model does not change.
    ///
    /// Errors, in the order checked: `InvalidAmount`, `UnknownModel`, `IdempotencyKeyReused`,
    /// `WalletNotFound`, `WalletLocked`, `BelowMinimum`, `InsufficientFunds { shortfall }`
    /// (the wallet must cover amount + fee).
    #[tracing::instrument(
        skip_all,
        fields(user.id = %user, model.id = %model_id, amount = %amount)
    )]
    pub async fn fund_model(
        &self,
        user: UserId,
        model_id: &ModelId,
        amount: Amount,
        key: Option<IdempotencyKey>,
    ) -> Result<FundingReceipt, FundingError> {
        self.check_amount(amount)?;
        self.model(model_id)?;
        let request = Request::FundModel { model_id, amount };
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        if let Some(first) = idempotency::replay(&mut tx, KeyScope::User(user), key.as_ref(), &request, now).await?
        {
            return Ok(first);
        }
        require_unlocked_wallet(&mut tx, user, now).await?;
        let (minimum, which) = self.current_minimum(&mut tx, user, model_id).await?;
        if amount < minimum {
            return Err(FundingError::BelowMinimum {
                amount,
                minimum,
                which,
            });
        }
        let settings = &self.settings;
        let fee = funding_fee(
            amount,
            settings.funding_fee_flat,
            settings.funding_fee_percent,
        )?;
        let needed = amount.checked_add(fee)?;
        let wallet_balance = ledger::balance(&mut tx, Account::Wallet(user)).await?;
        if needed > wallet_balance {
            return Err(insufficient(needed, wallet_balance));
        }

        // All checks passed. Expired holds are released first, as before every movement of a
        // model's balance, so its materialised accounts stay truthful.
        let description = match which {
            MinimumKind::InitialFunding => format!("Initial funding of {model_id}"),
            MinimumKind::TopUp => format!("Top-up of {model_id}"),
        };
        release_expired_holds(&mut tx, now, Some((user, model_id))).await?;
        enable_model(&mut tx, user, model_id, now).await?;
        let entry_id = ledger::write_entry(
            &mut tx,
            now,
            NewEntry {
                kind: EntryKind::Funding,
                user,
                model: Some(model_id),
                hold: None,
                amount,
                fee,
                description,
                source: None,
                test_money: false,
                postings: vec![
                    (Account::Wallet(user), -needed.micros()),
                    (Account::Available(user, model_id), amount.micros()),
                    (Account::Fees, fee.micros()),
                ],
            },
        )
        .await?;
        touch_wallet(&mut tx, user, now).await?;
        let outcome = FundingReceipt {
            entry_id,
            amount,
            fee,
            wallet: wallet_view(&mut tx, user, now, settings).await?,
            funding: self.funding_state(&mut tx, user, model_id, now).await?,
        };
        idempotency::remember(&mut tx, KeyScope::User(user), key.as_ref(), &request, &outcome, now).await?;
        tx.commit().await?;
        tracing::info!(entry.id = %entry_id, fee = %fee, "model funded");
        Ok(outcome)
    }

    /// Moves a refundable amount (or everything refundable now) from `model_id`'s funding back
    /// to the wallet.
    ///
    /// Errors, in the order checked: `InvalidAmount`, `UnknownModel`, `IdempotencyKeyReused`,
    /// `WalletNotFound`, `WalletLocked`, `NothingRefundable { next_refundable_at }`,
    /// `ExceedsRefundable { refundable, next_refundable_at }`.
    #[tracing::instrument(
        skip_all,
        fields(user.id = %user, model.id = %model_id, amount = ?amount)
    )]
    pub async fn refund_model(
        &self,
        user: UserId,
        model_id: &ModelId,
        amount: RefundAmount,
        key: Option<IdempotencyKey>,
    ) -> Result<RefundReceipt, FundingError> {
        if let RefundAmount::Exactly(amount) = amount {
            self.check_amount(amount)?;
        }
        let request = Request::RefundModel { model_id, amount };
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        self.require_known_model(&mut tx, user, model_id).await?;
        if let Some(first) = idempotency::replay(&mut tx, KeyScope::User(user), key.as_ref(), &request, now).await?
        {
            return Ok(first);
        }
        require_unlocked_wallet(&mut tx, user, now).await?;
        let state = self.funding_state(&mut tx, user, model_id, now).await?;
        let next_refundable_at = state.next_refundable_at();
        if state.refundable.is_zero() {
            return Err(FundingError::NothingRefundable { next_refundable_at });
        }
        let amount = match amount {
            RefundAmount::All => state.refundable,
            RefundAmount::Exactly(amount) if amount > state.refundable => {
                return Err(FundingError::ExceedsRefundable {
                    amount,
                    refundable: state.refundable,
                    next_refundable_at,
                });
            }
            RefundAmount::Exactly(amount) => amount,
        };

        // All checks passed. Expired holds are released first so the available account holds
        // everything that is not held.
        release_expired_holds(&mut tx, now, Some((user, model_id))).await?;
        let entry_id = ledger::write_entry(
            &mut tx,
            now,
            NewEntry {
                kind: EntryKind::Refund,
                user,
                model: Some(model_id),
                hold: None,
                amount,
                fee: Amount::ZERO,
                description: format!("Refund from {model_id} to the wallet"),
                source: None,
                test_money: false,
                postings: vec![
                    (Account::Available(user, model_id), -amount.micros()),
                    (Account::Wallet(user), amount.micros()),
                ],
            },
        )
        .await?;
        touch_wallet(&mut tx, user, now).await?;
        let outcome = RefundReceipt {
            entry_id,
            amount,
            wallet: wallet_view(&mut tx, user, now, &self.settings).await?,
            funding: self.funding_state(&mut tx, user, model_id, now).await?,
        };
        idempotency::remember(&mut tx, KeyScope::User(user), key.as_ref(), &request, &outcome, now).await?;
        tx.commit().await?;
        tracing::info!(entry.id = %entry_id, refunded = %amount, "model funding refunded");
        Ok(outcome)
    }

    /// Makes `model_id` the user's one primary model; the previous primary model becomes
    /// non-primary and keeps its funds. Moves no money, so the wallet may be locked.
    ///
    /// Errors: `UnknownModel`, `UserNotFound`.
    #[tracing::instrument(skip_all, fields(user.id = %user, model.id = %model_id))]
    pub async fn set_primary_model(
        &self,
        user: UserId,
        model_id: &ModelId,
    ) -> Result<ModelId, FundingError> {
        self.model(model_id)?;
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        crate::service::require_user(&mut tx, user).await?;
        sqlx::query(
            "UPDATE user_models SET is_primary = 0 \
             WHERE user_id = ?1 AND is_primary = 1 AND model_id <> ?2",
        )
        .bind(user.0)
        .bind(&model_id.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO user_models (user_id, model_id, is_primary, added_at) \
             VALUES (?1, ?2, 1, ?3) \
             ON CONFLICT (user_id, model_id) DO UPDATE SET is_primary = 1",
        )
        .bind(user.0)
        .bind(&model_id.0)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!("primary model chosen");
        Ok(model_id.clone())
    }

    /// The funding view of one model, also for a model never funded (zeros, `not_enabled`).
    /// Errors: `UnknownModel`.
    pub async fn model_funding(
        &self,
        user: UserId,
        model_id: &ModelId,
    ) -> Result<ModelFunding, FundingError> {
        let now = self.now();
        let mut tx = self.db.reader().begin().await?;
        self.require_known_model(&mut tx, user, model_id).await?;
        self.funding_state(&mut tx, user, model_id, now).await
    }

    /// The funding view of every model the user has funded or chosen (primary first, then in
    /// catalog order) and the wallet balance (zero without a wallet).
    pub async fn list_fundings(&self, user: UserId) -> Result<FundingList, FundingError> {
        let now = self.now();
        let mut tx = self.db.reader().begin().await?;
        let wallet_balance = ledger::balance(&mut tx, Account::Wallet(user)).await?;
        let mut models: Vec<(bool, ModelId)> =
            sqlx::query("SELECT is_primary, model_id FROM user_models WHERE user_id = ?1")
                .bind(user.0)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|row| Ok((row.try_get(0)?, ModelId(row.try_get(1)?))))
                .collect::<Result<_, sqlx::Error>>()?;
        models.sort_by_key(|(is_primary, model)| {
            (!is_primary, self.catalog.position(model), model.clone())
        });
        let mut fundings = Vec::with_capacity(models.len());
        for (_, model_id) in &models {
            fundings.push(self.funding_state(&mut tx, user, model_id, now).await?);
        }
        Ok(FundingList {
            wallet_balance,
            fundings,
        })
    }

    /// The setup facts of `GET /api/v1/me`.
    pub async fn setup(&self, user: UserId) -> Result<Setup, FundingError> {
        let mut tx = self.db.reader().begin().await?;
        let wallet_created: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM wallets WHERE user_id = ?1)")
                .bind(user.0)
                .fetch_one(&mut *tx)
                .await?;
        let wallet_recharged = has_entry(&mut tx, user, None, EntryKind::Recharge).await?;
        let primary_model_id: Option<ModelId> = sqlx::query_scalar(
            "SELECT model_id FROM user_models WHERE user_id = ?1 AND is_primary = 1",
        )
        .bind(user.0)
        .fetch_optional(&mut *tx)
        .await?
        .map(ModelId);
        let primary_model_funded = match &primary_model_id {
            Some(model) => has_entry(&mut tx, user, Some(model), EntryKind::Funding).await?,
            None => false,
        };
        Ok(Setup {
            wallet_created,
            wallet_recharged,
            primary_model_id,
            primary_model_funded,
        })
    }
}

/// An amount read from the store, where the schema keeps it non-negative.
pub(crate) fn stored_amount(micros: i64) -> Result<Amount, FundingError> {
    Amount::from_micros(micros)
        .ok_or_else(|| FundingError::Internal(format!("stored amount {micros} is negative")))
}
