//! How the core's values look in API responses: amounts as decimal strings with the
//! deployment's display decimals, ids as strings, timestamps as RFC 3339 in UTC.
//!
//! The core's types derive `Serialize` for storage (ids as numbers, amounts at the default
//! display decimals), so the API shapes its JSON here instead, field by field as API.md names
//! them.

use funding::{
    Amount, Entry, Hold, HoldStatus, LockedFunding, Model, ModelFunding, OpenHold, Settings, Wallet,
};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An RFC 3339 timestamp in UTC; `null` only for a moment RFC 3339 cannot write (before year 0),
/// which the store never holds.
pub fn timestamp(at: OffsetDateTime) -> Value {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .map_or(Value::Null, Value::String)
}

fn optional_timestamp(at: Option<OffsetDateTime>) -> Value {
    at.map_or(Value::Null, timestamp)
}

/// Shapes the core's values with one deployment's settings.
#[derive(Clone, Copy)]
pub struct Views<'a> {
    pub settings: &'a Settings,
}

impl<'a> Views<'a> {
    pub fn new(settings: &'a Settings) -> Self {
        Self { settings }
    }

    pub fn amount(&self, amount: Amount) -> Value {
        Value::String(self.settings.format_amount(amount))
    }

    fn optional_amount(&self, amount: Option<Amount>) -> Value {
        amount.map_or(Value::Null, |amount| self.amount(amount))
    }

    pub fn wallet(&self, wallet: &Wallet) -> Value {
        json!({
            "currency": wallet.currency,
            "balance": self.amount(wallet.balance),
            "locked": wallet.locked,
            "auto_lock_minutes": wallet.auto_lock_minutes,
            "unlocked_until": optional_timestamp(wallet.unlocked_until),
        })
    }

    pub fn model(&self, model: &Model) -> Value {
        json!({
            "id": model.id.0,
            "name": model.name,
            "provider": model.provider,
            "input_price_per_mtok": self.amount(model.input_price_per_mtok),
            "output_price_per_mtok": self.amount(model.output_price_per_mtok),
            "minimum_initial_amount": self.amount(model.minimum_initial_amount),
            "minimum_top_up_amount": self.amount(model.minimum_top_up_amount),
        })
    }

    pub fn funding(&self, funding: &ModelFunding) -> Value {
        let locked_fundings: Vec<Value> = funding
            .locked_fundings
            .iter()
            .map(|locked| self.locked_funding(locked))
            .collect();
        let holds: Vec<Value> = funding
            .holds
            .iter()
            .map(|hold| self.open_hold(hold))
            .collect();
        json!({
            "model_id": funding.model_id.0,
            "status": funding_status(funding.status),
            "balance": self.amount(funding.balance),
            "held": self.amount(funding.held),
            "recently_funded": self.amount(funding.recently_funded),
            "refundable": self.amount(funding.refundable),
            "current_minimum_amount": self.amount(funding.current_minimum_amount),
            "lock_window_seconds": funding.lock_window_seconds,
            "locked_fundings": locked_fundings,
            "holds": holds,
        })
    }

    fn locked_funding(&self, locked: &LockedFunding) -> Value {
        json!({
            "entry_id": locked.entry_id.to_string(),
            "amount": self.amount(locked.amount),
            "refundable_at": timestamp(locked.refundable_at),
        })
    }

    fn open_hold(&self, hold: &OpenHold) -> Value {
        json!({
            "id": hold.id.to_string(),
            "amount": self.amount(hold.amount),
            "expires_at": timestamp(hold.expires_at),
        })
    }

    /// A hold as the metering endpoints answer it. An expired hold is `released`: expiry
    /// releases everything, and API.md knows only the three statuses.
    pub fn hold(&self, hold: &Hold) -> Value {
        let mut view = json!({
            "id": hold.id.to_string(),
            "status": hold_status(hold.status),
            "user_id": hold.user_id.to_string(),
            "model_id": hold.model_id.0,
            "amount": self.amount(hold.amount),
            "expires_at": timestamp(hold.expires_at),
        });
        if hold.status != HoldStatus::Open {
            view["charged"] = self.optional_amount(hold.charged);
            view["released"] = self.optional_amount(hold.released);
        }
        view
    }

    pub fn entry(&self, entry: &Entry) -> Value {
        json!({
            "id": entry.id.to_string(),
            "kind": entry.kind.as_str(),
            "created_at": timestamp(entry.created_at),
            "model_id": entry.model_id.as_ref().map(|model| model.0.as_str()),
            "amount": self.amount(entry.amount),
            "fee": self.amount(entry.fee),
            "wallet_balance_after": self.amount(entry.wallet_balance_after),
            "model_balance_after": self.optional_amount(entry.model_balance_after),
            "description": entry.description,
            "test_money": entry.test_money,
        })
    }
}

fn funding_status(status: funding::FundingStatus) -> &'static str {
    match status {
        funding::FundingStatus::Primary => "primary",
        funding::FundingStatus::NonPrimary => "non_primary",
        funding::FundingStatus::NotEnabled => "not_enabled",
    }
}

pub fn hold_status(status: HoldStatus) -> &'static str {
    match status {
        HoldStatus::Open => "open",
        HoldStatus::Settled => "settled",
        HoldStatus::Released | HoldStatus::Expired => "released",
    }
}
