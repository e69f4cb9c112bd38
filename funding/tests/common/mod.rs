//! The test harness: a fresh SQLite file per test, a clock the test moves, a small catalog with
//! round numbers, and a scenario runner for tables of (operation, outcome, balances after).

#![allow(
    dead_code,
    reason = "each test file uses a different part of the harness"
)]

use std::sync::Arc;

use funding::clock::{Clock, ManualClock};
use funding::db::Db;
use funding::ids::{HoldId, ModelId, UserId};
use funding::{
    Amount, Caller, Catalog, Funding, FundingError, IdempotencyKey, RefundAmount, Settings,
    check_ledger,
};
use rust_decimal::Decimal;
use time::Duration;

pub const PASSPHRASE: &str = "correct horse battery";

/// Two models with round numbers: `alpha` costs 1.00 per million input tokens and 2.00 per
/// million output tokens, needs 10 to start and 5 per top-up; `beta` is cheaper.
pub const TEST_CATALOG: &str = r#"
[[models]]
id = "alpha"
name = "Alpha"
provider = "Example"
input_price_per_mtok = "1.00"
output_price_per_mtok = "2.00"
minimum_initial_amount = "10.00"
minimum_top_up_amount = "5.00"

[[models]]
id = "beta"
name = "Beta"
provider = "Example"
input_price_per_mtok = "0.50"
output_price_per_mtok = "1.50"
minimum_initial_amount = "5.00"
minimum_top_up_amount = "1.00"
"#;

pub struct TestApp {
    pub funding: Funding,
    pub clock: Arc<ManualClock>,
    pub db: Db,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn start() -> Self {
        Self::with_settings(Settings::default()).await
    }

    pub async fn with_settings(settings: Settings) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("twofold.db").display());
        let db = Db::open(&url).await.expect("the database opens");
        let clock = Arc::new(ManualClock::default());
        let catalog = Catalog::from_toml_str(TEST_CATALOG).expect("the test catalog is valid");
        let funding = Funding::new(
            db.clone(),
            clock.clone() as Arc<dyn Clock>,
            settings,
            catalog,
        );
        Self {
            funding,
            clock,
            db,
            _dir: dir,
        }
    }

    /// A user row, as the accounts module would make it.
    pub async fn new_user(&self) -> UserId {
        let mut tx = self.db.begin_write().await.expect("write transaction");
        let next: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM users")
            .fetch_one(&mut *tx)
            .await
            .expect("next user id");
        let id = sqlx::query_scalar(
            "INSERT INTO users (email, password_hash, created_at) VALUES (?1, ?2, 0) RETURNING id",
        )
        .bind(format!("user{next}@example.com"))
        .bind("$argon2id$not-a-real-hash")
        .fetch_one(&mut *tx)
        .await
        .expect("user inserted");
        tx.commit().await.expect("commit");
        UserId(id)
    }

    pub async fn user_with_wallet(&self) -> UserId {
        let user = self.new_user().await;
        self.funding
            .create_wallet(user, PASSPHRASE, None)
            .await
            .expect("wallet created");
        user
    }

    /// A user whose wallet got `recharged` and who funded `model` with `funded`.
    pub async fn funded_user(&self, recharged: &str, model: &str, funded: &str) -> UserId {
        let user = self.user_with_wallet().await;
        self.funding
            .recharge_wallet(user, amount(recharged), None)
            .await
            .expect("recharged");
        self.funding
            .fund_model(user, &model_id(model), amount(funded), None)
            .await
            .expect("funded");
        user
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    pub async fn assert_ledger_consistent(&self) {
        let report = check_ledger(&self.db).await.expect("the check runs");
        assert!(report.is_consistent(), "{report}");
    }

    pub async fn wallet_balance(&self, user: UserId) -> Amount {
        self.funding
            .list_fundings(user)
            .await
            .expect("fundings read")
            .wallet_balance
    }
}

/// An exact amount from a decimal string, such as `amount("10.50")`.
pub fn amount(text: &str) -> Amount {
    Decimal::from_str_exact(text)
        .ok()
        .and_then(Amount::from_decimal)
        .unwrap_or_else(|| panic!("{text:?} is not an amount"))
}

pub fn model_id(id: &str) -> ModelId {
    ModelId(id.to_owned())
}

pub fn key(text: &str) -> Option<IdempotencyKey> {
    Some(IdempotencyKey::parse(text).expect("a valid key"))
}

/// One operation of a scenario, always by the scenario's user.
#[derive(Debug, Clone)]
pub enum Op {
    CreateWallet,
    LockWallet,
    UnlockWallet(&'static str),
    Recharge(&'static str),
    Withdraw(&'static str),
    Fund(&'static str, &'static str),
    Refund(&'static str, &'static str),
    RefundAll(&'static str),
    SetPrimary(&'static str),
    /// Model, amount, time to live in seconds.
    PlaceHold(&'static str, &'static str, u32),
    /// Index of the hold among those placed so far, input tokens, output tokens.
    SettleHold(usize, u64, u64),
    ReleaseHold(usize),
    Usage(&'static str, u64, u64),
    Advance(Duration),
    SweepExpiredHolds,
}

/// What a step must answer: success, or the error with this code.
pub type Outcome = Result<(), &'static str>;

pub const OK: Outcome = Ok(());

/// A model's balance, held and refundable amounts after a step.
pub type ModelAfter = Option<(&'static str, &'static str, &'static str, &'static str)>;

/// One row of a scenario table: operation, outcome, wallet balance after ("-" without a
/// wallet), and optionally (model, balance, held, refundable) after.
pub type Step = (Op, Outcome, &'static str, ModelAfter);

pub struct Scenario<'a> {
    app: &'a TestApp,
    user: UserId,
    holds: Vec<HoldId>,
}

impl<'a> Scenario<'a> {
    pub async fn new(app: &'a TestApp) -> Self {
        let user = app.new_user().await;
        Self {
            app,
            user,
            holds: Vec::new(),
        }
    }

    pub fn user(&self) -> UserId {
        self.user
    }

    /// Runs every step, checking its outcome, the balances after it and the whole ledger.
    pub async fn run(&mut self, name: &str, steps: &[Step]) {
        for (index, (op, outcome, wallet, model)) in steps.iter().enumerate() {
            let at = format!("{name}, step {index} ({op:?})");
            let answer = self.apply(op).await;
            let code = answer.as_ref().map(|_| ()).map_err(FundingError::code);
            assert_eq!(code, *outcome, "{at}: answered {answer:?}");
            self.check_wallet(&at, wallet).await;
            if let Some((model, balance, held, refundable)) = model {
                let funding = self
                    .app
                    .funding
                    .model_funding(self.user, &model_id(model))
                    .await;
                let funding = funding.unwrap_or_else(|error| panic!("{at}: {error:?}"));
                let seen = (funding.balance, funding.held, funding.refundable);
                assert_eq!(
                    seen,
                    (amount(balance), amount(held), amount(refundable)),
                    "{at}"
                );
            }
            self.app.assert_ledger_consistent().await;
        }
    }

    async fn check_wallet(&self, at: &str, expected: &str) {
        let wallet = self.app.funding.wallet(self.user).await;
        match (expected, wallet) {
            ("-", Err(FundingError::WalletNotFound)) => {}
            ("-", other) => panic!("{at}: expected no wallet, found {other:?}"),
            (balance, Ok(wallet)) => assert_eq!(wallet.balance, amount(balance), "{at}"),
            (_, Err(error)) => panic!("{at}: wallet unreadable: {error:?}"),
        }
    }

    async fn apply(&mut self, op: &Op) -> Result<(), FundingError> {
        let funding = &self.app.funding;
        let user = self.user;
        match op {
            Op::CreateWallet => funding
                .create_wallet(user, PASSPHRASE, None)
                .await
                .map(drop),
            Op::LockWallet => funding.lock_wallet(user).await.map(drop),
            Op::UnlockWallet(passphrase) => funding.unlock_wallet(user, passphrase).await.map(drop),
            Op::Recharge(value) => funding
                .recharge_wallet(user, amount(value), None)
                .await
                .map(drop),
            Op::Withdraw(value) => funding
                .withdraw_from_wallet(user, amount(value), None)
                .await
                .map(drop),
            Op::Fund(model, value) => funding
                .fund_model(user, &model_id(model), amount(value), None)
                .await
                .map(drop),
            Op::Refund(model, value) => {
                let value = RefundAmount::Exactly(amount(value));
                funding
                    .refund_model(user, &model_id(model), value, None)
                    .await
                    .map(drop)
            }
            Op::RefundAll(model) => funding
                .refund_model(user, &model_id(model), RefundAmount::All, None)
                .await
                .map(drop),
            Op::SetPrimary(model) => funding
                .set_primary_model(user, &model_id(model))
                .await
                .map(drop),
            Op::PlaceHold(model, value, ttl) => {
                let hold = funding
                    .place_hold(user, &model_id(model), amount(value), Some(*ttl), None)
                    .await?;
                self.holds.push(hold.id);
                Ok(())
            }
            Op::SettleHold(index, input, output) => {
                let hold = self.holds[*index];
                funding
                    .settle_hold(Caller::Metering, hold, *input, *output, None)
                    .await
                    .map(drop)
            }
            Op::ReleaseHold(index) => {
                let hold = self.holds[*index];
                funding
                    .release_hold(Caller::Metering, hold, None)
                    .await
                    .map(drop)
            }
            Op::Usage(model, input, output) => funding
                .record_usage(user, &model_id(model), *input, *output, None)
                .await
                .map(drop),
            Op::Advance(by) => {
                self.app.advance(*by);
                Ok(())
            }
            Op::SweepExpiredHolds => funding.sweep_expired_holds().await.map(drop),
        }
    }
}
