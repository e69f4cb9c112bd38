//! A property test: random sequences of every operation against a small reference model. After
//! each step the answer must match the model's, every balance must equal the model's, the
//! refundable amount must follow its formula and the ledger must check out. Repeating the last
//! movement with its idempotency key must answer the first outcome and move nothing.
//!
//! `PROPTEST_CASES` overrides the number of cases (64 by default).

mod common;

use common::{PASSPHRASE, TestApp, model_id};
use funding::ids::{HoldId, UserId};
use funding::{Amount, Caller, FundingError, IdempotencyKey, RefundAmount, Settings};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

const MODELS: [&str; 2] = ["alpha", "beta"];
const AUTO_LOCK_MINUTES: i64 = 60;
const LOCK_WINDOW_SECONDS: i64 = 86_400;
/// The funding fee of these runs: 0.10 + 1%.
const FEE_FLAT_MICROS: i64 = 100_000;

#[derive(Debug, Clone)]
enum Op {
    Recharge(i64),
    Withdraw(i64),
    Fund(usize, i64),
    Refund(usize, Option<i64>),
    Hold(usize, i64, u32),
    Settle(usize, u64, u64),
    Release(usize),
    Usage(usize, u64, u64),
    Advance(i64),
    Unlock,
    Sweep,
    RepeatLast,
}

/// An amount in micro-units, from whole cents in `range`, with the funding minimums likely.
fn cents(range: std::ops::RangeInclusive<i64>) -> impl Strategy<Value = i64> {
    prop_oneof![4 => range, 1 => Just(100), 1 => Just(500), 1 => Just(1_000)]
        .prop_map(|cents| cents * 10_000)
}

fn tokens() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0u64), 1u64..=1_000, 1_000u64..=5_000_000]
}

fn op() -> impl Strategy<Value = Op> {
    let model = 0..MODELS.len();
    prop_oneof![
        2 => cents(1_000..=50_000).prop_map(Op::Recharge),
        1 => cents(1..=60_000).prop_map(Op::Withdraw),
        4 => (model.clone(), cents(1..=15_000)).prop_map(|(m, a)| Op::Fund(m, a)),
        3 => (model.clone(), proptest::option::of(cents(1..=10_000)))
            .prop_map(|(m, a)| Op::Refund(m, a)),
        4 => (model.clone(), cents(1..=2_000), prop_oneof![Just(30u32), Just(600), Just(3_600)])
            .prop_map(|(m, a, ttl)| Op::Hold(m, a, ttl)),
        3 => (0usize..8, tokens(), tokens()).prop_map(|(h, i, o)| Op::Settle(h, i, o)),
        2 => (0usize..8).prop_map(Op::Release),
        2 => (model, tokens(), tokens()).prop_map(|(m, i, o)| Op::Usage(m, i, o)),
        2 => prop_oneof![Just(30i64), Just(600), Just(7_200), Just(46_800), Just(90_000)]
            .prop_map(Op::Advance),
        2 => Just(Op::Unlock),
        1 => Just(Op::Sweep),
        2 => Just(Op::RepeatLast),
    ]
}

/// Every case starts from money in the wallet and in both models, some of it past the lock
/// window, so the random steps reach refunds, holds and usage rather than only refusals.
fn opening() -> Vec<Op> {
    vec![
        Op::Recharge(500_000_000),
        Op::Fund(0, 60_000_000),
        Op::Fund(1, 30_000_000),
        Op::Advance(90_000),
        Op::Unlock,
        Op::Fund(0, 20_000_000),
    ]
}

/// The reference: plain integers of micro-units and a list of holds.
#[derive(Debug, Clone, Default)]
struct ModelRef {
    balance: i64,
    funded_before: bool,
    fundings: Vec<(OffsetDateTime, i64)>,
}

#[derive(Debug, Clone)]
struct HoldRef {
    id: HoldId,
    model: usize,
    amount: i64,
    expires_at: OffsetDateTime,
    open: bool,
}

#[derive(Debug, Clone)]
struct Reference {
    now: OffsetDateTime,
    wallet: i64,
    unlocked_until: OffsetDateTime,
    models: [ModelRef; 2],
    holds: Vec<HoldRef>,
}

impl Reference {
    fn locked(&self) -> bool {
        self.now >= self.unlocked_until
    }

    fn touch(&mut self) {
        self.unlocked_until = self.now + Duration::minutes(AUTO_LOCK_MINUTES);
    }

    fn held(&self, model: usize) -> i64 {
        self.holds
            .iter()
            .filter(|h| h.model == model && h.open && h.expires_at > self.now)
            .map(|h| h.amount)
            .sum()
    }

    fn recently_funded(&self, model: usize) -> i64 {
        let window = Duration::seconds(LOCK_WINDOW_SECONDS);
        self.models[model]
            .fundings
            .iter()
            .filter(|(at, _)| *at + window > self.now)
            .map(|(_, amount)| amount)
            .sum()
    }

    fn refundable(&self, model: usize) -> i64 {
        (self.models[model].balance - self.held(model) - self.recently_funded(model)).max(0)
    }

    fn available(&self, model: usize) -> i64 {
        self.models[model].balance - self.held(model)
    }
}

fn price(model: usize, input: u64, output: u64) -> i64 {
    let (input_price, output_price): (i128, i128) = if model == 0 {
        (1_000_000, 2_000_000)
    } else {
        (500_000, 1_500_000)
    };
    let micro_tokens = i128::from(input) * input_price + i128::from(output) * output_price;
    i64::try_from((micro_tokens + 999_999) / 1_000_000).expect("small")
}

fn fee(amount: i64) -> i64 {
    FEE_FLAT_MICROS + (amount + 99) / 100
}

fn micros(value: i64) -> Amount {
    Amount::from_micros(value).expect("non-negative")
}

/// What the reference expects an operation to answer, applying it when it succeeds.
fn expect(reference: &mut Reference, op: &Op) -> Result<(), &'static str> {
    let r = reference;
    match *op {
        Op::Recharge(a) => {
            if r.locked() {
                return Err("wallet_locked");
            }
            r.wallet += a;
            r.touch();
        }
        Op::Withdraw(a) => {
            if r.locked() {
                return Err("wallet_locked");
            }
            if a > r.wallet {
                return Err("insufficient_funds");
            }
            r.wallet -= a;
            r.touch();
        }
        Op::Fund(m, a) => {
            if r.locked() {
                return Err("wallet_locked");
            }
            let minimum = match (m, r.models[m].funded_before) {
                (0, false) => 10_000_000,
                (0, true) => 5_000_000,
                (_, false) => 5_000_000,
                (_, true) => 1_000_000,
            };
            if a < minimum {
                return Err("below_minimum");
            }
            if a + fee(a) > r.wallet {
                return Err("insufficient_funds");
            }
            r.wallet -= a + fee(a);
            let now = r.now;
            let model = &mut r.models[m];
            model.balance += a;
            model.funded_before = true;
            model.fundings.push((now, a));
            r.touch();
        }
        Op::Refund(m, a) => {
            if r.locked() {
                return Err("wallet_locked");
            }
            let refundable = r.refundable(m);
            if refundable == 0 {
                return Err("nothing_refundable");
            }
            let a = a.unwrap_or(refundable);
            if a > refundable {
                return Err("exceeds_refundable");
            }
            r.models[m].balance -= a;
            r.wallet += a;
            r.touch();
        }
        Op::Hold(m, a, _) => {
            if a > r.available(m) {
                return Err("insufficient_funds");
            }
        }
        Op::Settle(h, input, output) => {
            let now = r.now;
            let hold = &mut r.holds[h];
            if !hold.open || hold.expires_at <= now {
                return Err("hold_not_open");
            }
            hold.open = false;
            let charged = price(hold.model, input, output).min(hold.amount);
            let model = hold.model;
            r.models[model].balance -= charged;
        }
        Op::Release(h) => {
            let now = r.now;
            let hold = &mut r.holds[h];
            if !hold.open || hold.expires_at <= now {
                return Err("hold_not_open");
            }
            hold.open = false;
        }
        Op::Usage(m, input, output) => {
            let cost = price(m, input, output);
            if cost > r.available(m) {
                return Err("insufficient_funds");
            }
            r.models[m].balance -= cost;
        }
        Op::Advance(seconds) => r.now += Duration::seconds(seconds),
        Op::Unlock => r.touch(),
        Op::Sweep | Op::RepeatLast => {}
    }
    Ok(())
}

/// Runs `op` against the service with `key`; a success answers its outcome as JSON.
async fn perform(
    app: &TestApp,
    user: UserId,
    op: &Op,
    key: Option<IdempotencyKey>,
) -> Result<serde_json::Value, FundingError> {
    let funding = &app.funding;
    let json = |value: &dyn erased::Json| value.to_json();
    Ok(match *op {
        Op::Recharge(a) => json(&funding.recharge_wallet(user, micros(a), key).await?),
        Op::Withdraw(a) => json(&funding.withdraw_from_wallet(user, micros(a), key).await?),
        Op::Fund(m, a) => json(
            &funding
                .fund_model(user, &model_id(MODELS[m]), micros(a), key)
                .await?,
        ),
        Op::Refund(m, a) => {
            let a = a.map_or(RefundAmount::All, |a| RefundAmount::Exactly(micros(a)));
            json(
                &funding
                    .refund_model(user, &model_id(MODELS[m]), a, key)
                    .await?,
            )
        }
        Op::Hold(m, a, ttl) => json(
            &funding
                .place_hold(user, &model_id(MODELS[m]), micros(a), Some(ttl), key)
                .await?,
        ),
        Op::Settle(h, input, output) => {
            let id = HoldId(i64::try_from(h).expect("small"));
            json(
                &funding
                    .settle_hold(Caller::Metering, id, input, output, key)
                    .await?,
            )
        }
        Op::Release(h) => {
            let id = HoldId(i64::try_from(h).expect("small"));
            json(&funding.release_hold(Caller::Metering, id, key).await?)
        }
        Op::Usage(m, input, output) => json(
            &funding
                .record_usage(user, &model_id(MODELS[m]), input, output, key)
                .await?,
        ),
        Op::Advance(seconds) => {
            app.advance(Duration::seconds(seconds));
            serde_json::Value::Null
        }
        Op::Unlock => json(&funding.unlock_wallet(user, PASSPHRASE).await?),
        Op::Sweep => json(&funding.sweep_expired_holds().await?),
        Op::RepeatLast => serde_json::Value::Null,
    })
}

mod erased {
    /// Lets `perform` turn each operation's own outcome type into JSON with one closure.
    pub trait Json {
        fn to_json(&self) -> serde_json::Value;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> serde_json::Value {
            serde_json::to_value(self).expect("outcomes serialise")
        }
    }
}

/// Compares every balance with the reference and checks the whole ledger.
async fn assert_matches_reference(app: &TestApp, user: UserId, reference: &Reference, at: &str) {
    let list = app.funding.list_fundings(user).await.expect("fundings");
    assert_eq!(
        list.wallet_balance,
        micros(reference.wallet),
        "{at}: wallet"
    );
    let wallet = app.funding.wallet(user).await.expect("wallet");
    assert_eq!(wallet.locked, reference.locked(), "{at}: locked");
    for (index, model) in MODELS.iter().enumerate() {
        let funding = app
            .funding
            .model_funding(user, &model_id(model))
            .await
            .expect("view");
        let expected = (
            micros(reference.models[index].balance),
            micros(reference.held(index)),
            micros(reference.recently_funded(index)),
            micros(reference.refundable(index)),
        );
        let seen = (
            funding.balance,
            funding.held,
            funding.recently_funded,
            funding.refundable,
        );
        assert_eq!(
            seen, expected,
            "{at}: {model} (balance, held, recent, refundable)"
        );
        let formula = funding.balance.saturating_sub(funding.held);
        assert_eq!(
            funding.refundable,
            formula.saturating_sub(funding.recently_funded),
            "{at}"
        );
    }
    app.assert_ledger_consistent().await;
}

async fn run_case(ops: Vec<Op>) {
    let settings = Settings {
        funding_fee_flat: micros(FEE_FLAT_MICROS),
        funding_fee_percent: Decimal::ONE,
        lock_window_seconds: LOCK_WINDOW_SECONDS,
        ..Settings::default()
    };
    let app = TestApp::with_settings(settings).await;
    let user = app.new_user().await;
    app.funding
        .create_wallet(user, PASSPHRASE, Some(AUTO_LOCK_MINUTES as u32))
        .await
        .expect("wallet");
    let mut reference = Reference {
        now: app.now(),
        wallet: 0,
        unlocked_until: app.now() + Duration::minutes(AUTO_LOCK_MINUTES),
        models: Default::default(),
        holds: Vec::new(),
    };
    // The last successful movement: its operation, key, outcome and when it happened.
    let mut last: Option<(Op, IdempotencyKey, serde_json::Value, OffsetDateTime)> = None;

    for (step, op) in ops.into_iter().enumerate() {
        let at = format!("step {step} {op:?}");
        if let Op::RepeatLast = op {
            let Some((op, key, first, when)) = last.clone() else {
                continue;
            };
            if reference.now - when >= Duration::hours(23) {
                continue;
            }
            let again = perform(&app, user, &op, Some(key))
                .await
                .expect("a repeat succeeds");
            assert_eq!(again, first, "{at}: a repeat answers the first outcome");
            assert_matches_reference(&app, user, &reference, &at).await;
            continue;
        }
        // Settle and release name a hold by its position among the holds placed so far; the
        // service is asked about that hold's id.
        let op = match op {
            Op::Settle(..) | Op::Release(_) if reference.holds.is_empty() => continue,
            Op::Settle(h, i, o) => Op::Settle(h % reference.holds.len(), i, o),
            Op::Release(h) => Op::Release(h % reference.holds.len()),
            other => other,
        };
        let expected = expect(&mut reference, &op);
        let hold_id = |h: usize| usize::try_from(reference.holds[h].id.0).expect("positive");
        let service_op = match op {
            Op::Settle(h, i, o) => Op::Settle(hold_id(h), i, o),
            Op::Release(h) => Op::Release(hold_id(h)),
            ref other => other.clone(),
        };
        let key = IdempotencyKey::parse(&format!("step-{step}")).expect("key");
        let answer = perform(&app, user, &service_op, Some(key.clone())).await;
        let code = answer.as_ref().map(drop).map_err(FundingError::code);
        assert_eq!(code, expected, "{at}: answered {answer:?}");

        if let (Op::Hold(m, a, ttl), Ok(outcome)) = (&op, &answer) {
            let id = outcome["id"].as_i64().expect("a hold id");
            reference.holds.push(HoldRef {
                id: HoldId(id),
                model: *m,
                amount: *a,
                expires_at: reference.now + Duration::seconds(i64::from(*ttl)),
                open: true,
            });
        }
        let moves_money = !matches!(op, Op::Advance(_) | Op::Unlock | Op::Sweep);
        if let (true, Ok(outcome)) = (moves_money, answer) {
            last = Some((service_op, key, outcome, reference.now));
        }
        assert_matches_reference(&app, user, &reference, &at).await;
    }
}

#[test]
fn random_operations_keep_the_ledger_equal_to_the_reference_model() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(64);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut runner = TestRunner::new(config);

    let result = runner.run(&proptest::collection::vec(op(), 1..=30), |ops| {
        runtime.block_on(run_case(opening().into_iter().chain(ops).collect()));
        Ok(())
    });

    if let Err(failure) = result {
        panic!("{failure}");
    }
}
