//! Holds and usage: reserve, settle at the priced usage, release, expire; direct usage.

mod common;

use common::{OK, Op::*, Scenario, TestApp, amount, model_id};
use funding::{Caller, FundingError, HoldStatus};
use time::Duration;

#[tokio::test]
async fn hold_rules_hold_in_order() {
    let app = TestApp::start().await;
    let mut scenario = Scenario::new(&app).await;

    scenario
        .run(
            "holds",
            &[
                (
                    PlaceHold("alpha", "1", 600),
                    Err("insufficient_funds"),
                    "-",
                    None,
                ),
                (CreateWallet, OK, "0", None),
                (Recharge("50"), OK, "50", None),
                (
                    Fund("alpha", "10"),
                    OK,
                    "40",
                    Some(("alpha", "10", "0", "0")),
                ),
                (
                    PlaceHold("gamma", "1", 600),
                    Err("unknown_model"),
                    "40",
                    None,
                ),
                (
                    PlaceHold("alpha", "10.01", 600),
                    Err("insufficient_funds"),
                    "40",
                    None,
                ),
                (
                    PlaceHold("alpha", "1", 0),
                    Err("invalid_ttl_seconds"),
                    "40",
                    None,
                ),
                (
                    PlaceHold("alpha", "1", 3601),
                    Err("invalid_ttl_seconds"),
                    "40",
                    None,
                ),
                // Hold 0: 4 reserved; settling 1M input + 0.5M output tokens costs 2.00.
                (
                    PlaceHold("alpha", "4", 600),
                    OK,
                    "40",
                    Some(("alpha", "10", "4", "0")),
                ),
                (
                    SettleHold(0, 1_000_000, 500_000),
                    OK,
                    "40",
                    Some(("alpha", "8", "0", "0")),
                ),
                (SettleHold(0, 1, 1), Err("hold_not_open"), "40", None),
                (ReleaseHold(0), Err("hold_not_open"), "40", None),
                // Hold 1: released whole.
                (
                    PlaceHold("alpha", "8", 600),
                    OK,
                    "40",
                    Some(("alpha", "8", "8", "0")),
                ),
                (
                    PlaceHold("alpha", "0.01", 600),
                    Err("insufficient_funds"),
                    "40",
                    None,
                ),
                (Usage("alpha", 1, 0), Err("insufficient_funds"), "40", None),
                (ReleaseHold(1), OK, "40", Some(("alpha", "8", "0", "0"))),
                (ReleaseHold(1), Err("hold_not_open"), "40", None),
                // Hold 2: the charge is capped at the hold.
                (
                    PlaceHold("alpha", "1", 600),
                    OK,
                    "40",
                    Some(("alpha", "8", "1", "0")),
                ),
                (
                    SettleHold(2, 10_000_000, 0),
                    OK,
                    "40",
                    Some(("alpha", "7", "0", "0")),
                ),
                // Hold 3: expires after a minute; it counts as released at once.
                (
                    PlaceHold("alpha", "5", 60),
                    OK,
                    "40",
                    Some(("alpha", "7", "5", "0")),
                ),
                (
                    Advance(Duration::seconds(59)),
                    OK,
                    "40",
                    Some(("alpha", "7", "5", "0")),
                ),
                (
                    Advance(Duration::seconds(1)),
                    OK,
                    "40",
                    Some(("alpha", "7", "0", "0")),
                ),
                (SettleHold(3, 1, 1), Err("hold_not_open"), "40", None),
                (ReleaseHold(3), Err("hold_not_open"), "40", None),
                (
                    PlaceHold("alpha", "7", 60),
                    OK,
                    "40",
                    Some(("alpha", "7", "7", "0")),
                ),
                (
                    Advance(Duration::seconds(60)),
                    OK,
                    "40",
                    Some(("alpha", "7", "0", "0")),
                ),
                (SweepExpiredHolds, OK, "40", Some(("alpha", "7", "0", "0"))),
                // Direct usage: 3M output tokens at 2.00 per million.
                (
                    Usage("alpha", 0, 3_000_000),
                    OK,
                    "40",
                    Some(("alpha", "1", "0", "0")),
                ),
                (
                    Usage("alpha", 0, 500_001),
                    Err("insufficient_funds"),
                    "40",
                    None,
                ),
                (
                    Usage("alpha", 0, 500_000),
                    OK,
                    "40",
                    Some(("alpha", "0", "0", "0")),
                ),
                (Usage("gamma", 1, 1), Err("unknown_model"), "40", None),
            ],
        )
        .await;
}

#[tokio::test]
async fn settling_prices_tokens_exactly_and_rounds_up_to_a_micro_unit() {
    let app = TestApp::start().await;
    let user = app.funded_user("50", "alpha", "10").await;
    let alpha = model_id("alpha");
    let hold = app
        .funding
        .place_hold(user, &alpha, amount("1"), None, None)
        .await
        .expect("hold");

    // 334 input tokens at 1.00 per million are 0.000334; 1 output token at 2.00 is 0.000002.
    let settled = app
        .funding
        .settle_hold(Caller::Metering, hold.id, 334, 1, None)
        .await
        .expect("settled");

    assert_eq!(settled.status, HoldStatus::Settled);
    assert_eq!(settled.charged, Some(amount("0.000336")));
    assert_eq!(settled.released, Some(amount("0.999664")));
    let usage = app
        .funding
        .record_usage(user, &alpha, 1, 0, None)
        .await
        .expect("usage");
    assert_eq!(usage.charged, amount("0.000001"));
    let beta_user = app.funded_user("50", "beta", "5").await;
    // 1 input token at 0.50 per million is half a micro-unit, rounded up.
    let usage = app
        .funding
        .record_usage(beta_user, &model_id("beta"), 1, 0, None)
        .await;
    assert_eq!(usage.expect("usage").charged, amount("0.000001"));
}

#[tokio::test]
async fn a_hold_reads_as_expired_before_and_after_the_sweeper_writes_its_release() {
    let app = TestApp::start().await;
    let user = app.funded_user("50", "alpha", "10").await;
    let alpha = model_id("alpha");
    let hold = app
        .funding
        .place_hold(user, &alpha, amount("3"), Some(60), None)
        .await;
    let hold = hold.expect("hold");
    app.advance(Duration::minutes(5));

    let before_sweep = app
        .funding
        .hold(Caller::Metering, hold.id)
        .await
        .expect("hold");
    let swept = app.funding.sweep_expired_holds().await.expect("sweep");
    let after_sweep = app
        .funding
        .hold(Caller::Metering, hold.id)
        .await
        .expect("hold");

    assert_eq!(swept, 1);
    assert_eq!(before_sweep, after_sweep);
    assert_eq!(after_sweep.status, HoldStatus::Expired);
    assert_eq!(after_sweep.released, Some(amount("3")));
    assert_eq!(after_sweep.closed_at, Some(hold.expires_at));
    assert_eq!(app.funding.sweep_expired_holds().await.expect("sweep"), 0);
    let entries = app.funding.all_entries(user).await.expect("entries");
    assert_eq!(entries[0].kind, funding::EntryKind::HoldReleased);
    assert!(
        entries[0].description.contains("expired"),
        "{}",
        entries[0].description
    );
}

#[tokio::test]
async fn a_settle_that_waits_for_the_write_lock_past_expiry_finds_the_hold_expired() {
    let app = TestApp::start().await;
    let user = app.funded_user("50", "alpha", "10").await;
    let hold = app
        .funding
        .place_hold(user, &model_id("alpha"), amount("3"), Some(60), None)
        .await
        .expect("hold");
    // Someone else holds the write lock while the settle is asked for.
    let blocker = app.db.begin_write().await.expect("write lock");
    let funding = app.funding.clone();
    let settle = tokio::spawn(async move {
        funding
            .settle_hold(Caller::Metering, hold.id, 1, 1, None)
            .await
    });
    // On this single-threaded runtime, yielding lets the settle run up to the write lock.
    tokio::task::yield_now().await;

    app.advance(Duration::seconds(61));
    drop(blocker);
    let outcome = settle.await.expect("the settle task finishes");

    assert!(
        matches!(outcome, Err(FundingError::HoldNotOpen { .. })),
        "{outcome:?}"
    );
    let read = app
        .funding
        .hold(Caller::Metering, hold.id)
        .await
        .expect("hold");
    assert_eq!(read.status, HoldStatus::Expired);
    app.assert_ledger_consistent().await;
}

#[tokio::test]
async fn another_users_hold_is_not_found() {
    let app = TestApp::start().await;
    let owner = app.funded_user("50", "alpha", "10").await;
    let stranger = app.user_with_wallet().await;
    let hold = app
        .funding
        .place_hold(owner, &model_id("alpha"), amount("2"), None, None)
        .await;
    let hold = hold.expect("hold");

    let seen_by_stranger = app.funding.hold(Caller::User(stranger), hold.id).await;
    let settled_by_stranger = app
        .funding
        .settle_hold(Caller::User(stranger), hold.id, 1, 1, None)
        .await;
    let released_by_stranger = app
        .funding
        .release_hold(Caller::User(stranger), hold.id, None)
        .await;
    let seen_by_owner = app.funding.hold(Caller::User(owner), hold.id).await;

    for answer in [seen_by_stranger, settled_by_stranger, released_by_stranger] {
        assert!(
            matches!(answer, Err(FundingError::HoldNotFound { .. })),
            "{answer:?}"
        );
    }
    assert_eq!(seen_by_owner.expect("own hold").status, HoldStatus::Open);
    let missing = app
        .funding
        .hold(Caller::Metering, funding::ids::HoldId(999))
        .await;
    assert_eq!(missing.expect_err("missing").code(), "not_found");
}

#[tokio::test]
async fn holds_and_usage_for_an_unknown_user_are_not_found() {
    let app = TestApp::start().await;
    let nobody = funding::ids::UserId(404);

    let hold = app
        .funding
        .place_hold(nobody, &model_id("alpha"), amount("1"), None, None)
        .await;
    let usage = app
        .funding
        .record_usage(nobody, &model_id("alpha"), 1, 1, None)
        .await;

    assert!(matches!(hold, Err(FundingError::UserNotFound)));
    assert!(matches!(usage, Err(FundingError::UserNotFound)));
}

#[tokio::test]
async fn holds_and_usage_do_not_need_an_unlocked_wallet() {
    let app = TestApp::start().await;
    let user = app.funded_user("50", "alpha", "10").await;
    app.funding.lock_wallet(user).await.expect("locked");
    let alpha = model_id("alpha");

    let hold = app
        .funding
        .place_hold(user, &alpha, amount("2"), None, None)
        .await
        .expect("hold");
    app.funding
        .settle_hold(Caller::Metering, hold.id, 1000, 1000, None)
        .await
        .expect("settled");
    app.funding
        .record_usage(user, &alpha, 1000, 0, None)
        .await
        .expect("usage");

    assert_eq!(
        app.funding
            .model_funding(user, &alpha)
            .await
            .expect("view")
            .balance,
        amount("9.996")
    );
}

#[tokio::test]
async fn a_free_model_records_usage_at_no_cost() {
    let free = r#"
        [[models]]
        id = "free"
        name = "Free"
        provider = "Example"
        input_price_per_mtok = "0"
        output_price_per_mtok = "0"
        minimum_initial_amount = "1"
        minimum_top_up_amount = "1"
    "#;
    let app = TestApp::start().await;
    let catalog = funding::Catalog::from_toml_str(free).expect("valid");
    let service = funding::Funding::new(
        app.db.clone(),
        app.clock.clone() as std::sync::Arc<dyn funding::clock::Clock>,
        funding::Settings::default(),
        catalog,
    );
    let user = app.user_with_wallet().await;

    let usage = service
        .record_usage(user, &model_id("free"), 1000, 1000, None)
        .await;

    assert_eq!(usage.expect("recorded").charged, amount("0"));
    app.assert_ledger_consistent().await;
}
