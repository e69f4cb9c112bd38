//! The double-entry ledger: accounts, entries and their postings, and the check that proves the
//! materialised balances agree with the postings.
//!
//! Accounts and what each posting means (a positive posting raises the account's balance):
//!
//! | movement | postings |
//! | --- | --- |
//! | recharge | funding_source −a, wallet +a |
//! | withdrawal | wallet −a, withdrawals +a |
//! | funding | wallet −(a+fee), available +a, fees +fee |
//! | refund | available −a, wallet +a |
//! | usage | available −cost, usage_revenue +cost |
//! | hold | available −a, held +a |
//! | hold_settled | held −a, usage_revenue +charged, available +released |
//! | hold_released | held −a, available +a |
//!
//! A model's balance is its available plus its held account. The funding source account goes
//! negative by everything recharged; the other system accounts only grow. All balances together
//! always sum to zero.

use std::fmt;

use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};
use time::OffsetDateTime;

use crate::clock::to_micros;
use crate::db::Db;
use crate::error::FundingError;
use crate::ids::{EntryId, HoldId, ModelId, UserId};
use crate::money::Amount;

/// What a ledger entry records; exactly API.md's `kind` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Recharge,
    Withdrawal,
    Funding,
    Refund,
    Usage,
    Hold,
    HoldSettled,
    HoldReleased,
}

impl EntryKind {
    pub const ALL: [EntryKind; 8] = [
        EntryKind::Recharge,
        EntryKind::Withdrawal,
        EntryKind::Funding,
        EntryKind::Refund,
        EntryKind::Usage,
        EntryKind::Hold,
        EntryKind::HoldSettled,
        EntryKind::HoldReleased,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Recharge => "recharge",
            EntryKind::Withdrawal => "withdrawal",
            EntryKind::Funding => "funding",
            EntryKind::Refund => "refund",
            EntryKind::Usage => "usage",
            EntryKind::Hold => "hold",
            EntryKind::HoldSettled => "hold_settled",
            EntryKind::HoldReleased => "hold_released",
        }
    }

    /// Whether entries of this kind change the wallet balance: recharges, withdrawals,
    /// fundings and refunds. The others move money only inside one model's funding.
    pub fn moves_wallet(self) -> bool {
        matches!(
            self,
            EntryKind::Recharge | EntryKind::Withdrawal | EntryKind::Funding | EntryKind::Refund
        )
    }

    /// Whether an entry of this kind adds to the wallet (a recharge or a refund) rather than
    /// takes from it.
    pub fn adds_to_wallet(self) -> bool {
        matches!(self, EntryKind::Recharge | EntryKind::Refund)
    }

    /// The kind named `text`, such as `hold_settled`; `None` for anything else.
    pub fn parse(text: &str) -> Option<EntryKind> {
        EntryKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An account of the ledger, named by its owner.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Account<'a> {
    Wallet(UserId),
    Available(UserId, &'a ModelId),
    Held(UserId, &'a ModelId),
    FundingSource,
    Withdrawals,
    Fees,
    UsageRevenue,
}

impl<'a> Account<'a> {
    fn kind(self) -> &'static str {
        match self {
            Account::Wallet(_) => "wallet",
            Account::Available(..) => "available",
            Account::Held(..) => "held",
            Account::FundingSource => "funding_source",
            Account::Withdrawals => "withdrawals",
            Account::Fees => "fees",
            Account::UsageRevenue => "usage_revenue",
        }
    }

    /// The owner as stored: user id 0 and model '' stand for "none" in the unique index.
    fn owner(self) -> (i64, Option<&'a ModelId>) {
        match self {
            Account::Wallet(user) => (user.0, None),
            Account::Available(user, model) | Account::Held(user, model) => (user.0, Some(model)),
            _ => (0, None),
        }
    }
}

async fn find_account(
    conn: &mut SqliteConnection,
    account: Account<'_>,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let (user, model) = account.owner();
    let row = sqlx::query(
        "SELECT id, balance FROM accounts \
         WHERE kind = ?1 AND coalesce(user_id, 0) = ?2 AND coalesce(model_id, '') = ?3",
    )
    .bind(account.kind())
    .bind(user)
    .bind(model.map_or("", |model| model.0.as_str()))
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .transpose()
}

/// The id of `account`, creating it (with a zero balance) when it does not exist yet.
async fn ensure_account(
    conn: &mut SqliteConnection,
    account: Account<'_>,
) -> Result<i64, FundingError> {
    if let Some((id, _)) = find_account(conn, account).await? {
        return Ok(id);
    }
    let (user, model) = account.owner();
    let user = (user != 0).then_some(user);
    let id = sqlx::query_scalar(
        "INSERT INTO accounts (kind, user_id, model_id) VALUES (?1, ?2, ?3) RETURNING id",
    )
    .bind(account.kind())
    .bind(user)
    .bind(model.map(|model| model.0.as_str()))
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// The materialised balance of a user account; zero when it does not exist yet.
pub(crate) async fn balance(
    conn: &mut SqliteConnection,
    account: Account<'_>,
) -> Result<Amount, FundingError> {
    let micros = find_account(conn, account)
        .await?
        .map_or(0, |(_, balance)| balance);
    Amount::from_micros(micros)
        .ok_or_else(|| FundingError::Internal(format!("{account:?} has a negative balance")))
}

/// A model's balance: its available plus its held account.
pub(crate) async fn model_balance(
    conn: &mut SqliteConnection,
    user: UserId,
    model: &ModelId,
) -> Result<Amount, FundingError> {
    let available = balance(conn, Account::Available(user, model)).await?;
    let held = balance(conn, Account::Held(user, model)).await?;
    Ok(available.checked_add(held)?)
}

/// An entry about to be written.
pub(crate) struct NewEntry<'a> {
    pub kind: EntryKind,
    pub user: UserId,
    pub model: Option<&'a ModelId>,
    pub hold: Option<HoldId>,
    pub amount: Amount,
    pub fee: Amount,
    pub description: String,
    pub source: Option<String>,
    pub test_money: bool,
    /// Signed micro-units per account; they must sum to zero.
    pub postings: Vec<(Account<'a>, i64)>,
}

/// Writes one balanced entry: its postings (which move the materialised balances), then the
/// entry row, whose insert the database refuses unless the postings sum to zero.
pub(crate) async fn write_entry(
    conn: &mut SqliteConnection,
    now: OffsetDateTime,
    entry: NewEntry<'_>,
) -> Result<EntryId, FundingError> {
    let sum: i128 = entry
        .postings
        .iter()
        .map(|(_, amount)| i128::from(*amount))
        .sum();
    if entry.postings.len() < 2 || sum != 0 {
        return Err(FundingError::Internal(format!(
            "refused to write an unbalanced {} entry ({} postings summing to {sum})",
            entry.kind,
            entry.postings.len()
        )));
    }

    // The entries trigger needs the id before the row exists; the single writer makes max + 1
    // safe.
    let id: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM entries")
        .fetch_one(&mut *conn)
        .await?;
    for (account, amount) in &entry.postings {
        let account_id = ensure_account(conn, *account).await?;
        sqlx::query("INSERT INTO postings (entry_id, account_id, amount) VALUES (?1, ?2, ?3)")
            .bind(id)
            .bind(account_id)
            .bind(amount)
            .execute(&mut *conn)
            .await?;
    }
    let wallet_balance_after = balance(conn, Account::Wallet(entry.user)).await?;
    let model_balance_after = match entry.model {
        Some(model) => Some(model_balance(conn, entry.user, model).await?),
        None => None,
    };
    sqlx::query(
        "INSERT INTO entries (id, kind, user_id, model_id, hold_id, created_at, amount, fee, \
         wallet_balance_after, model_balance_after, description, source, test_money) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )
    .bind(id)
    .bind(entry.kind.as_str())
    .bind(entry.user.0)
    .bind(entry.model.map(|model| model.0.as_str()))
    .bind(entry.hold.map(|hold| hold.0))
    .bind(to_micros(now))
    .bind(entry.amount.micros())
    .bind(entry.fee.micros())
    .bind(wallet_balance_after.micros())
    .bind(model_balance_after.map(Amount::micros))
    .bind(&entry.description)
    .bind(&entry.source)
    .bind(entry.test_money)
    .execute(&mut *conn)
    .await?;

    Ok(EntryId(id))
}

/// An account whose materialised balance differs from the sum of its postings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceMismatch {
    pub account_id: i64,
    pub kind: String,
    pub user_id: Option<UserId>,
    pub model_id: Option<ModelId>,
    /// The stored balance, in micro-units (it may be negative when the store is damaged).
    pub materialised_micros: i64,
    /// The sum of the account's postings, in micro-units.
    pub postings_micros: i64,
}

/// What [`check_ledger`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LedgerReport {
    pub entries: u64,
    pub postings: u64,
    pub accounts: u64,
    /// Entries with fewer than two postings or postings that do not sum to zero.
    pub unbalanced_entries: Vec<EntryId>,
    /// Accounts whose balance is not the sum of their postings.
    pub balance_mismatches: Vec<BalanceMismatch>,
    /// Sum of every account balance, in micro-units; zero in a consistent ledger.
    pub total_balance_micros: i64,
}

impl LedgerReport {
    /// Every entry balances, every balance matches its postings and all balances sum to zero.
    pub fn is_consistent(&self) -> bool {
        self.unbalanced_entries.is_empty()
            && self.balance_mismatches.is_empty()
            && self.total_balance_micros == 0
    }

    /// The number of problems found.
    pub fn mismatches(&self) -> usize {
        self.unbalanced_entries.len()
            + self.balance_mismatches.len()
            + usize::from(self.total_balance_micros != 0)
    }
}

/// A summary for people, one finding per line; the `check-ledger` command prints it.
impl fmt::Display for LedgerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "checked {} entries, {} postings and {} accounts",
            self.entries, self.postings, self.accounts
        )?;
        for entry in &self.unbalanced_entries {
            writeln!(
                f,
                "entry {entry}: postings do not sum to zero or are fewer than two"
            )?;
        }
        for account in &self.balance_mismatches {
            writeln!(
                f,
                "account {} ({}, user {}, model {}): balance {} but postings sum to {} \
                 (micro-units)",
                account.account_id,
                account.kind,
                account
                    .user_id
                    .map_or("-".to_owned(), |user| user.to_string()),
                account
                    .model_id
                    .as_ref()
                    .map_or("-", |model| model.0.as_str()),
                account.materialised_micros,
                account.postings_micros,
            )?;
        }
        if self.total_balance_micros != 0 {
            writeln!(
                f,
                "all balances sum to {} micro-units, not zero",
                self.total_balance_micros
            )?;
        }
        if self.is_consistent() {
            writeln!(f, "the ledger is consistent")
        } else {
            writeln!(
                f,
                "the ledger is NOT consistent: {} mismatches found",
                self.mismatches()
            )
        }
    }
}

/// Proves the ledger: every entry has two or more postings summing to zero, every materialised
/// balance equals the sum of its postings, and all balances sum to zero. Reads one consistent
/// snapshot.
pub async fn check_ledger(db: &Db) -> Result<LedgerReport, sqlx::Error> {
    let mut tx = db.reader().begin().await?;
    let count = |table: &str| format!("SELECT count(*) FROM {table}");
    let entries: i64 = sqlx::query_scalar(&count("entries"))
        .fetch_one(&mut *tx)
        .await?;
    let postings: i64 = sqlx::query_scalar(&count("postings"))
        .fetch_one(&mut *tx)
        .await?;
    let accounts: i64 = sqlx::query_scalar(&count("accounts"))
        .fetch_one(&mut *tx)
        .await?;

    let unbalanced_entries = sqlx::query_scalar::<_, i64>(
        "SELECT e.id FROM entries e LEFT JOIN postings p ON p.entry_id = e.id \
         GROUP BY e.id HAVING count(p.entry_id) < 2 OR coalesce(sum(p.amount), 0) <> 0 \
         UNION SELECT DISTINCT p.entry_id FROM postings p \
         WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.id = p.entry_id) ORDER BY 1",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(EntryId)
    .collect();

    let rows = sqlx::query(
        "SELECT a.id, a.kind, a.user_id, a.model_id, a.balance, coalesce(sum(p.amount), 0) \
         FROM accounts a LEFT JOIN postings p ON p.account_id = a.id \
         GROUP BY a.id HAVING a.balance <> coalesce(sum(p.amount), 0) ORDER BY a.id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let balance_mismatches = rows
        .into_iter()
        .map(|row| {
            Ok(BalanceMismatch {
                account_id: row.try_get(0)?,
                kind: row.try_get(1)?,
                user_id: row.try_get::<Option<i64>, _>(2)?.map(UserId),
                model_id: row.try_get::<Option<String>, _>(3)?.map(ModelId),
                materialised_micros: row.try_get(4)?,
                postings_micros: row.try_get(5)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;

    let total_balance_micros: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(balance), 0) FROM accounts")
            .fetch_one(&mut *tx)
            .await?;
    tx.rollback().await?;

    let count = |value: i64| u64::try_from(value).unwrap_or_default();
    Ok(LedgerReport {
        entries: count(entries),
        postings: count(postings),
        accounts: count(accounts),
        unbalanced_entries,
        balance_mismatches,
        total_balance_micros,
    })
}
