//! What pages are sent: plain data, already formatted for people (amounts as decimal strings in
//! the deployment's display decimals, times as UTC strings). Shared by server and browser.

use serde::{Deserialize, Serialize};

/// A wallet as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletView {
    pub currency: String,
    pub balance: String,
    pub balance_is_zero: bool,
    pub locked: bool,
    pub auto_lock_minutes: u32,
    /// When the wallet locks itself unless used again, such as `2026-12-03 14:05 UTC`.
    pub unlocked_until: Option<String>,
}

/// One ledger entry as a row of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryRow {
    pub id: String,
    pub kind: String,
    pub kind_label: String,
    pub created_at: String,
    pub model_id: Option<String>,
    /// The model's name from the catalog (its id when it has left the catalog).
    pub model_name: Option<String>,
    pub amount: String,
    /// Whether the entry added to the layer it is listed under (shown with a sign).
    pub incoming: bool,
    pub fee: Option<String>,
    pub wallet_balance_after: String,
    pub model_balance_after: Option<String>,
    pub test_money: bool,
}

/// A money movement that went through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    /// A sentence saying what moved where.
    pub message: String,
}
