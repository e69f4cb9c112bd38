//! Reading the ledger: a user's entries, newest first, with the balances after each; and the
//! daily spend of a model for the consumption guidance.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::{Date, Duration, OffsetDateTime};

use crate::clock::{from_micros, to_micros};
use crate::error::FundingError;
use crate::ids::{EntryId, HoldId, ModelId, UserId};
use crate::ledger::EntryKind;
use crate::model_funding::stored_amount;
use crate::money::Amount;
use crate::service::Funding;

/// Entries per page when the caller names no limit.
pub const DEFAULT_ENTRY_PAGE_SIZE: u32 = 50;

/// Most entries per page: enough for any screen, small enough to answer quickly.
pub const MAX_ENTRY_PAGE_SIZE: u32 = 500;

/// Most days of daily spend one call returns: a year.
pub const MAX_SPEND_DAYS: u32 = 366;

/// One ledger entry as a user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: EntryId,
    pub kind: EntryKind,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// `None` for recharges and withdrawals.
    pub model_id: Option<ModelId>,
    pub hold_id: Option<HoldId>,
    /// What moved in the direction the kind names (for `hold_settled`, what was charged).
    pub amount: Amount,
    /// The funding fee; zero for every other kind.
    pub fee: Amount,
    pub wallet_balance_after: Amount,
    /// The model's balance (available + held) after; `None` without a model.
    pub model_balance_after: Option<Amount>,
    pub description: String,
    /// The funding source of a recharge or withdrawal, such as `sandbox`.
    pub source: Option<String>,
    /// Whether the entry moved test money (sandbox source).
    pub test_money: bool,
}

/// Which entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryQuery {
    pub model_id: Option<ModelId>,
    pub kind: Option<EntryKind>,
    /// Only entries older than this one (the previous page's `next_before`).
    pub before: Option<EntryId>,
    /// 1–[`MAX_ENTRY_PAGE_SIZE`]; larger is clamped, `None` is [`DEFAULT_ENTRY_PAGE_SIZE`].
    pub limit: Option<u32>,
}

/// One page of entries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryPage {
    pub entries: Vec<Entry>,
    /// Pass as `before` for the next page; `None` on the last page.
    pub next_before: Option<EntryId>,
}

/// Spend of one model on one UTC day: usage plus settled holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailySpend {
    pub day: Date,
    pub spent: Amount,
}

const ENTRY_COLUMNS: &str = "id, kind, created_at, model_id, hold_id, amount, fee, \
                             wallet_balance_after, model_balance_after, description, source, \
                             test_money";

fn entry_from_row(row: SqliteRow) -> Result<Entry, FundingError> {
    let kind: String = row.try_get("kind")?;
    Ok(Entry {
        id: EntryId(row.try_get("id")?),
        kind: EntryKind::parse(&kind)
            .ok_or_else(|| FundingError::Internal(format!("unknown entry kind {kind:?}")))?,
        created_at: from_micros(row.try_get("created_at")?),
        model_id: row.try_get::<Option<String>, _>("model_id")?.map(ModelId),
        hold_id: row.try_get::<Option<i64>, _>("hold_id")?.map(HoldId),
        amount: stored_amount(row.try_get("amount")?)?,
        fee: stored_amount(row.try_get("fee")?)?,
        wallet_balance_after: stored_amount(row.try_get("wallet_balance_after")?)?,
        model_balance_after: row
            .try_get::<Option<i64>, _>("model_balance_after")?
            .map(stored_amount)
            .transpose()?,
        description: row.try_get("description")?,
        source: row.try_get("source")?,
        test_money: row.try_get("test_money")?,
    })
}

impl Funding {
    /// One page of the user's entries, newest first, filtered by model and kind.
    pub async fn list_entries(
        &self,
        user: UserId,
        query: &EntryQuery,
    ) -> Result<EntryPage, FundingError> {
        let limit = query
            .limit
            .unwrap_or(DEFAULT_ENTRY_PAGE_SIZE)
            .clamp(1, MAX_ENTRY_PAGE_SIZE);
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM entries WHERE user_id = ?1 \
             AND (?2 IS NULL OR model_id = ?2) AND (?3 IS NULL OR kind = ?3) \
             AND (?4 IS NULL OR id < ?4) ORDER BY id DESC LIMIT ?5"
        );
        // One row more than asked tells whether another page follows.
        let rows = sqlx::query(&sql)
            .bind(user.0)
            .bind(query.model_id.as_ref().map(|model| model.0.as_str()))
            .bind(query.kind.map(EntryKind::as_str))
            .bind(query.before.map(|entry| entry.0))
            .bind(i64::from(limit) + 1)
            .fetch_all(self.db.reader())
            .await?;
        let mut entries = rows
            .into_iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>, FundingError>>()?;
        let next_before = if entries.len() > limit as usize {
            entries.truncate(limit as usize);
            entries.last().map(|entry| entry.id)
        } else {
            None
        };
        Ok(EntryPage {
            entries,
            next_before,
        })
    }

    /// The user's `limit` newest entries that changed the wallet balance (see
    /// [`EntryKind::moves_wallet`]), newest first; for the wallet page.
    pub async fn recent_wallet_entries(
        &self,
        user: UserId,
        limit: u32,
    ) -> Result<Vec<Entry>, FundingError> {
        let kinds = EntryKind::ALL
            .into_iter()
            .filter(|kind| kind.moves_wallet())
            .map(|kind| format!("'{}'", kind.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM entries WHERE user_id = ?1 AND kind IN ({kinds}) \
             ORDER BY id DESC LIMIT ?2"
        );
        sqlx::query(&sql)
            .bind(user.0)
            .bind(i64::from(limit.clamp(1, MAX_ENTRY_PAGE_SIZE)))
            .fetch_all(self.db.reader())
            .await?
            .into_iter()
            .map(entry_from_row)
            .collect()
    }

    /// Every entry of the user, newest first; for the CSV export.
    pub async fn all_entries(&self, user: UserId) -> Result<Vec<Entry>, FundingError> {
        let sql =
            format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE user_id = ?1 ORDER BY id DESC");
        sqlx::query(&sql)
            .bind(user.0)
            .fetch_all(self.db.reader())
            .await?
            .into_iter()
            .map(entry_from_row)
            .collect()
    }

    /// What `model_id` cost the user on each of the last `days` UTC days (today included),
    /// oldest first, counting usage and settled holds. At most [`MAX_SPEND_DAYS`] days.
    pub async fn daily_spend(
        &self,
        user: UserId,
        model_id: &ModelId,
        days: u32,
    ) -> Result<Vec<DailySpend>, FundingError> {
        let days = days.clamp(1, MAX_SPEND_DAYS);
        let today = self.now().date();
        let first_day = today - Duration::days(i64::from(days) - 1);
        let since = to_micros(first_day.midnight().assume_utc());
        let rows = sqlx::query(
            "SELECT created_at, amount FROM entries WHERE user_id = ?1 AND model_id = ?2 \
             AND kind IN ('usage', 'hold_settled') AND created_at >= ?3",
        )
        .bind(user.0)
        .bind(&model_id.0)
        .bind(since)
        .fetch_all(self.db.reader())
        .await?;

        let mut spend: Vec<DailySpend> = (0..days)
            .map(|offset| DailySpend {
                day: first_day + Duration::days(i64::from(offset)),
                spent: Amount::ZERO,
            })
            .collect();
        for row in rows {
            let day = from_micros(row.try_get(0)?).date();
            let amount = stored_amount(row.try_get(1)?)?;
            let index = usize::try_from((day - first_day).whole_days()).unwrap_or(usize::MAX);
            if let Some(slot) = spend.get_mut(index) {
                slot.spent = slot.spent.checked_add(amount)?;
            }
        }
        Ok(spend)
    }
}
