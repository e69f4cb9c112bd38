//! The wallet: the user's funding entry point. Created once with a passphrase, unlocked with it,
//! locked by hand, at logout or after `auto_lock_minutes` without a wallet action. Recharge and
//! withdraw move money between the wallet and the funding source.

use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};
use time::OffsetDateTime;

use crate::clock::{from_micros, to_micros};
use crate::error::FundingError;
use crate::idempotency::{self, IdempotencyKey, KeyScope, Request};
use crate::ids::{EntryId, UserId};
use crate::ledger::{self, Account, EntryKind, NewEntry};
use crate::money::Amount;
use crate::service::{Funding, insufficient, require_user};
use crate::settings::Settings;

/// Shortest wallet passphrase: it guards money on a server that may be reachable by anyone who
/// steals a session, so it must not be trivially guessable even with the unlock rate limit.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Longest wallet passphrase; bounds the hashing work one request can cause.
pub const MAX_PASSPHRASE_CHARS: usize = 128;

/// Auto-lock timeout when none is chosen (DESIGN.md).
pub const DEFAULT_AUTO_LOCK_MINUTES: u32 = 10;

/// The auto-lock range API.md allows: at least a minute of use, at most an hour unattended.
pub const AUTO_LOCK_MINUTES_RANGE: std::ops::RangeInclusive<u32> = 1..=60;

/// A user's wallet as shown: API.md's `wallet`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallet {
    pub currency: String,
    pub balance: Amount,
    pub locked: bool,
    pub auto_lock_minutes: u32,
    /// When the wallet locks itself unless used again; `None` while locked.
    #[serde(with = "time::serde::rfc3339::option")]
    pub unlocked_until: Option<OffsetDateTime>,
}

/// The outcome of a recharge or a withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletMovement {
    pub entry_id: EntryId,
    pub amount: Amount,
    pub wallet: Wallet,
}

struct WalletRow {
    passphrase_hash: String,
    auto_lock_minutes: u32,
    unlocked_until: Option<OffsetDateTime>,
}

impl WalletRow {
    fn is_unlocked(&self, now: OffsetDateTime) -> bool {
        self.unlocked_until.is_some_and(|until| now < until)
    }
}

async fn find_wallet(
    conn: &mut SqliteConnection,
    user: UserId,
) -> Result<Option<WalletRow>, FundingError> {
    let row = sqlx::query(
        "SELECT passphrase_hash, auto_lock_minutes, unlocked_until FROM wallets WHERE user_id = ?1",
    )
    .bind(user.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(WalletRow {
        passphrase_hash: row.try_get(0)?,
        auto_lock_minutes: row.try_get(1)?,
        unlocked_until: row.try_get::<Option<i64>, _>(2)?.map(from_micros),
    }))
}

async fn require_wallet(
    conn: &mut SqliteConnection,
    user: UserId,
) -> Result<WalletRow, FundingError> {
    find_wallet(conn, user)
        .await?
        .ok_or(FundingError::WalletNotFound)
}

/// The wallet, or [`FundingError::WalletNotFound`] / [`FundingError::WalletLocked`]: the guard
/// of every action that moves wallet money.
pub(crate) async fn require_unlocked_wallet(
    conn: &mut SqliteConnection,
    user: UserId,
    now: OffsetDateTime,
) -> Result<(), FundingError> {
    let wallet = require_wallet(conn, user).await?;
    if !wallet.is_unlocked(now) {
        return Err(FundingError::WalletLocked);
    }
    Ok(())
}

/// Records a wallet action: the wallet stays unlocked for another auto-lock timeout from now.
pub(crate) async fn touch_wallet(
    conn: &mut SqliteConnection,
    user: UserId,
    now: OffsetDateTime,
) -> Result<(), FundingError> {
    sqlx::query(
        "UPDATE wallets SET unlocked_until = ?2 + auto_lock_minutes * 60000000 \
         WHERE user_id = ?1",
    )
    .bind(user.0)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The wallet as shown now.
pub(crate) async fn wallet_view(
    conn: &mut SqliteConnection,
    user: UserId,
    now: OffsetDateTime,
    settings: &Settings,
) -> Result<Wallet, FundingError> {
    let wallet = require_wallet(conn, user).await?;
    let balance = ledger::balance(conn, Account::Wallet(user)).await?;
    let locked = !wallet.is_unlocked(now);
    Ok(Wallet {
        currency: settings.currency.clone(),
        balance,
        locked,
        auto_lock_minutes: wallet.auto_lock_minutes,
        unlocked_until: if locked { None } else { wallet.unlocked_until },
    })
}

fn check_auto_lock_minutes(minutes: u32) -> Result<(), FundingError> {
    if AUTO_LOCK_MINUTES_RANGE.contains(&minutes) {
        Ok(())
    } else {
        Err(FundingError::InvalidAutoLockMinutes { minutes })
    }
}

impl Funding {
    /// Creates the user's wallet, unlocked, with `passphrase` (hashed with argon2id) and an
    /// auto-lock timeout (default [`DEFAULT_AUTO_LOCK_MINUTES`]).
    ///
    /// Errors: `InvalidAutoLockMinutes`, `WeakPassphrase`, `UserNotFound`, `WalletExists`.
    #[tracing::instrument(skip_all, fields(user.id = %user))]
    pub async fn create_wallet(
        &self,
        user: UserId,
        passphrase: &str,
        auto_lock_minutes: Option<u32>,
    ) -> Result<Wallet, FundingError> {
        let auto_lock_minutes = auto_lock_minutes.unwrap_or(DEFAULT_AUTO_LOCK_MINUTES);
        check_auto_lock_minutes(auto_lock_minutes)?;
        let length = passphrase.chars().count();
        if !(MIN_PASSPHRASE_CHARS..=MAX_PASSPHRASE_CHARS).contains(&length) {
            return Err(FundingError::WeakPassphrase { length });
        }
        // Hashing takes tens of milliseconds; do it before taking the write lock.
        let passphrase_hash = crate::secret::hash_secret(passphrase).await;

        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        require_user(&mut tx, user).await?;
        if find_wallet(&mut tx, user).await?.is_some() {
            return Err(FundingError::WalletExists);
        }

        sqlx::query(
            "INSERT INTO wallets (user_id, passphrase_hash, auto_lock_minutes, created_at) \
             VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(user.0)
        .bind(&passphrase_hash)
        .bind(auto_lock_minutes)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        touch_wallet(&mut tx, user, now).await?;
        let wallet = wallet_view(&mut tx, user, now, &self.settings).await?;
        tx.commit().await?;
        tracing::info!(auto_lock_minutes, "wallet created");
        Ok(wallet)
    }

    /// The user's wallet; readable while locked. Errors: `WalletNotFound`.
    pub async fn wallet(&self, user: UserId) -> Result<Wallet, FundingError> {
        let now = self.now();
        let mut tx = self.db.reader().begin().await?;
        wallet_view(&mut tx, user, now, &self.settings).await
    }

    /// Unlocks the wallet with its passphrase.
    ///
    /// Every attempt is recorded as a failure before the passphrase is checked and forgotten
    /// when it proves right, so simultaneous guesses cannot slip past the limit of
    /// `settings.unlock_attempts` failures within `settings.unlock_window`.
    ///
    /// Errors: `WalletNotFound`, `TooManyAttempts { retry_after }`, `WrongPassphrase`.
    #[tracing::instrument(skip_all, fields(user.id = %user))]
    pub async fn unlock_wallet(
        &self,
        user: UserId,
        passphrase: &str,
    ) -> Result<Wallet, FundingError> {
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        let wallet = require_wallet(&mut tx, user).await?;
        let window_start = now - self.settings.unlock_window;
        // Failures that left the window no longer count; forget them.
        sqlx::query("DELETE FROM wallet_unlock_failures WHERE user_id = ?1 AND at <= ?2")
            .bind(user.0)
            .bind(to_micros(window_start))
            .execute(&mut *tx)
            .await?;
        let failures: Vec<i64> = sqlx::query_scalar(
            "SELECT at FROM wallet_unlock_failures WHERE user_id = ?1 AND at > ?2 ORDER BY at",
        )
        .bind(user.0)
        .bind(to_micros(window_start))
        .fetch_all(&mut *tx)
        .await?;
        let allowed = self.settings.unlock_attempts as usize;
        if failures.len() >= allowed {
            // Unlocking resumes when enough failures have left the window.
            let freeing = failures
                .get(failures.len() - allowed)
                .copied()
                .unwrap_or_default();
            let retry_after = from_micros(freeing) + self.settings.unlock_window - now;
            tracing::warn!("wallet unlock refused: too many failed attempts");
            return Err(FundingError::TooManyAttempts { retry_after });
        }
        sqlx::query("INSERT INTO wallet_unlock_failures (user_id, at) VALUES (?1, ?2)")
            .bind(user.0)
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;

        if !crate::secret::verify_secret(&wallet.passphrase_hash, passphrase).await {
            tracing::info!("wallet unlock failed: wrong passphrase");
            return Err(FundingError::WrongPassphrase);
        }

        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        sqlx::query("DELETE FROM wallet_unlock_failures WHERE user_id = ?1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        touch_wallet(&mut tx, user, now).await?;
        let wallet = wallet_view(&mut tx, user, now, &self.settings).await?;
        tx.commit().await?;
        tracing::info!("wallet unlocked");
        Ok(wallet)
    }

    /// Locks the wallet now (logging out locks it too, in `Accounts::log_out`). Errors:
    /// `WalletNotFound`.
    #[tracing::instrument(skip_all, fields(user.id = %user))]
    pub async fn lock_wallet(&self, user: UserId) -> Result<Wallet, FundingError> {
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        require_wallet(&mut tx, user).await?;
        sqlx::query("UPDATE wallets SET unlocked_until = NULL WHERE user_id = ?1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        let wallet = wallet_view(&mut tx, user, now, &self.settings).await?;
        tx.commit().await?;
        tracing::info!("wallet locked");
        Ok(wallet)
    }

    /// Changes the auto-lock timeout. The wallet must be unlocked (a locked wallet's security
    /// settings cannot be loosened), and the change counts as a wallet action.
    ///
    /// Errors: `InvalidAutoLockMinutes`, `WalletNotFound`, `WalletLocked`.
    #[tracing::instrument(skip_all, fields(user.id = %user))]
    pub async fn set_auto_lock_minutes(
        &self,
        user: UserId,
        minutes: u32,
    ) -> Result<Wallet, FundingError> {
        check_auto_lock_minutes(minutes)?;
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        require_unlocked_wallet(&mut tx, user, now).await?;
        sqlx::query("UPDATE wallets SET auto_lock_minutes = ?2 WHERE user_id = ?1")
            .bind(user.0)
            .bind(minutes)
            .execute(&mut *tx)
            .await?;
        touch_wallet(&mut tx, user, now).await?;
        let wallet = wallet_view(&mut tx, user, now, &self.settings).await?;
        tx.commit().await?;
        Ok(wallet)
    }

    /// Adds `amount` to the wallet from the funding source.
    ///
    /// Errors: `InvalidAmount`, `IdempotencyKeyReused`, `WalletNotFound`, `WalletLocked`,
    /// `Source`.
    #[tracing::instrument(skip_all, fields(user.id = %user, amount = %amount))]
    pub async fn recharge_wallet(
        &self,
        user: UserId,
        amount: Amount,
        key: Option<IdempotencyKey>,
    ) -> Result<WalletMovement, FundingError> {
        self.check_amount(amount)?;
        let request = Request::RechargeWallet { amount };
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        if let Some(first) = idempotency::replay(&mut tx, KeyScope::User(user), key.as_ref(), &request, now).await?
        {
            return Ok(first);
        }
        require_unlocked_wallet(&mut tx, user, now).await?;
        let transfer = self.source.recharge(user, amount).await?;

        // All checks passed and the source has the money: record it.
        let entry_id = ledger::write_entry(
            &mut tx,
            now,
            NewEntry {
                kind: EntryKind::Recharge,
                user,
                model: None,
                hold: None,
                amount,
                fee: Amount::ZERO,
                description: transfer.description,
                source: Some(transfer.source),
                test_money: transfer.test_money,
                postings: vec![
                    (Account::FundingSource, -amount.micros()),
                    (Account::Wallet(user), amount.micros()),
                ],
            },
        )
        .await?;
        touch_wallet(&mut tx, user, now).await?;
        let wallet = wallet_view(&mut tx, user, now, &self.settings).await?;
        let outcome = WalletMovement {
            entry_id,
            amount,
            wallet,
        };
        idempotency::remember(&mut tx, KeyScope::User(user), key.as_ref(), &request, &outcome, now).await?;
        tx.commit().await?;
        tracing::info!(entry.id = %entry_id, test_money = transfer.test_money, "wallet recharged");
        Ok(outcome)
    }

    /// Sends `amount` from the wallet back to the funding source.
    ///
    /// Errors: `InvalidAmount`, `IdempotencyKeyReused`, `WalletNotFound`, `WalletLocked`,
    /// `InsufficientFunds { shortfall }`, `Source`.
    #[tracing::instrument(skip_all, fields(user.id = %user, amount = %amount))]
    pub async fn withdraw_from_wallet(
        &self,
        user: UserId,
        amount: Amount,
        key: Option<IdempotencyKey>,
    ) -> Result<WalletMovement, FundingError> {
        self.check_amount(amount)?;
        let request = Request::WithdrawFromWallet { amount };
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        if let Some(first) = idempotency::replay(&mut tx, KeyScope::User(user), key.as_ref(), &request, now).await?
        {
            return Ok(first);
        }
        require_unlocked_wallet(&mut tx, user, now).await?;
        let balance = ledger::balance(&mut tx, Account::Wallet(user)).await?;
        if amount > balance {
            return Err(insufficient(amount, balance));
        }
        let transfer = self.source.withdraw(user, amount).await?;

        // All checks passed and the source took the payout: record it.
        let entry_id = ledger::write_entry(
            &mut tx,
            now,
            NewEntry {
                kind: EntryKind::Withdrawal,
                user,
                model: None,
                hold: None,
                amount,
                fee: Amount::ZERO,
                description: transfer.description,
                source: Some(transfer.source),
                test_money: transfer.test_money,
                postings: vec![
                    (Account::Wallet(user), -amount.micros()),
                    (Account::Withdrawals, amount.micros()),
                ],
            },
        )
        .await?;
        touch_wallet(&mut tx, user, now).await?;
        let wallet = wallet_view(&mut tx, user, now, &self.settings).await?;
        let outcome = WalletMovement {
            entry_id,
            amount,
            wallet,
        };
        idempotency::remember(&mut tx, KeyScope::User(user), key.as_ref(), &request, &outcome, now).await?;
        tx.commit().await?;
        tracing::info!(entry.id = %entry_id, "wallet withdrawal");
        Ok(outcome)
    }
}
