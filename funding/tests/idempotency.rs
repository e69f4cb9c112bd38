//! Idempotency: the same key with the same request answers the first outcome and moves nothing;
//! the same key with a different request is refused.

mod common;

use common::{PASSPHRASE, TestApp, amount, key, model_id};
use funding::{Caller, RefundAmount, Settings};
use time::Duration;

async fn entry_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM entries")
        .fetch_one(app.db.reader())
        .await
        .expect("count")
}

#[tokio::test]
async fn every_money_movement_answers_a_repeat_with_its_first_outcome() {
    let settings = Settings {
        lock_window_seconds: 0,
        ..Settings::default()
    };
    let app = TestApp::with_settings(settings).await;
    let user = app.user_with_wallet().await;
    let alpha = model_id("alpha");
    let funding = &app.funding;

    // Each closure runs one movement with its own key; the second run must change nothing.
    macro_rules! twice {
        ($name:literal, $call:expr) => {{
            let first = $call.await.expect($name);
            let entries = entry_count(&app).await;
            app.advance(Duration::seconds(1));
            let second = $call.await.expect($name);
            assert_eq!(first, second, "{} answers its first outcome", $name);
            assert_eq!(
                entry_count(&app).await,
                entries,
                "{} moves nothing again",
                $name
            );
            first
        }};
    }

    twice!(
        "recharge",
        funding.recharge_wallet(user, amount("100"), key("r1"))
    );
    twice!(
        "withdraw",
        funding.withdraw_from_wallet(user, amount("10"), key("w1"))
    );
    twice!(
        "fund",
        funding.fund_model(user, &alpha, amount("20"), key("f1"))
    );
    twice!(
        "refund",
        funding.refund_model(user, &alpha, RefundAmount::Exactly(amount("1")), key("x1"))
    );
    twice!(
        "refund all",
        funding.refund_model(user, &alpha, RefundAmount::All, key("x2"))
    );
    twice!(
        "fund again",
        funding.fund_model(user, &alpha, amount("20"), key("f2"))
    );
    let hold = twice!(
        "hold",
        funding.place_hold(user, &alpha, amount("5"), None, key("h1"))
    );
    twice!(
        "settle",
        funding.settle_hold(Caller::Metering, hold.id, 10, 10, key("s1"))
    );
    let hold = twice!(
        "hold",
        funding.place_hold(user, &alpha, amount("5"), None, key("h2"))
    );
    twice!(
        "release",
        funding.release_hold(Caller::Metering, hold.id, key("l1"))
    );
    twice!(
        "usage",
        funding.record_usage(user, &alpha, 1000, 0, key("u1"))
    );

    assert_eq!(app.wallet_balance(user).await, amount("70"));
    app.assert_ledger_consistent().await;
}

#[tokio::test]
async fn the_same_key_with_a_different_request_is_refused() {
    let app = TestApp::start().await;
    let user = app.user_with_wallet().await;
    let alpha = model_id("alpha");
    app.funding
        .recharge_wallet(user, amount("100"), key("k"))
        .await
        .expect("recharged");

    let other_amount = app
        .funding
        .recharge_wallet(user, amount("101"), key("k"))
        .await;
    let other_operation = app
        .funding
        .withdraw_from_wallet(user, amount("100"), key("k"))
        .await;
    let other_model = {
        app.funding
            .fund_model(user, &alpha, amount("10"), key("f"))
            .await
            .expect("funded");
        app.funding
            .fund_model(user, &model_id("beta"), amount("10"), key("f"))
            .await
    };

    for answer in [
        other_amount.map(drop),
        other_operation.map(drop),
        other_model.map(drop),
    ] {
        let error = answer.expect_err("reused key");
        assert_eq!(error.code(), "idempotency_key_reused");
    }
    assert_eq!(app.wallet_balance(user).await, amount("90"));
}

#[tokio::test]
async fn keys_belong_to_one_user() {
    let app = TestApp::start().await;
    let first = app.user_with_wallet().await;
    let second = app.user_with_wallet().await;

    app.funding
        .recharge_wallet(first, amount("10"), key("same"))
        .await
        .expect("first");
    app.funding
        .recharge_wallet(second, amount("20"), key("same"))
        .await
        .expect("second");

    assert_eq!(app.wallet_balance(first).await, amount("10"));
    assert_eq!(app.wallet_balance(second).await, amount("20"));
}

#[tokio::test]
async fn a_refused_request_is_not_remembered_and_may_be_retried_with_its_key() {
    let app = TestApp::start().await;
    let user = app.user_with_wallet().await;
    app.funding.lock_wallet(user).await.expect("locked");

    let refused = app
        .funding
        .recharge_wallet(user, amount("10"), key("retry"))
        .await;
    app.funding
        .unlock_wallet(user, PASSPHRASE)
        .await
        .expect("unlocked");
    let retried = app
        .funding
        .recharge_wallet(user, amount("10"), key("retry"))
        .await;

    assert_eq!(refused.expect_err("locked").code(), "wallet_locked");
    assert_eq!(retried.expect("recharged").wallet.balance, amount("10"));
}

#[tokio::test]
async fn a_repeat_is_answered_even_after_the_wallet_locked() {
    let app = TestApp::start().await;
    let user = app.user_with_wallet().await;
    let first = app
        .funding
        .recharge_wallet(user, amount("10"), key("k"))
        .await
        .expect("done");
    app.funding.lock_wallet(user).await.expect("locked");

    let repeat = app
        .funding
        .recharge_wallet(user, amount("10"), key("k"))
        .await;

    assert_eq!(repeat.expect("the first outcome"), first);
}

#[tokio::test]
async fn keys_are_kept_for_a_day_then_purged() {
    let app = TestApp::start().await;
    let user = app.user_with_wallet().await;
    app.funding
        .recharge_wallet(user, amount("10"), key("old"))
        .await
        .expect("recharged");

    app.advance(Duration::hours(23));
    app.funding
        .unlock_wallet(user, PASSPHRASE)
        .await
        .expect("unlocked");
    app.funding
        .recharge_wallet(user, amount("10"), key("old"))
        .await
        .expect("repeat");
    let purged_early = app.funding.purge_idempotency_keys().await.expect("purge");
    app.advance(Duration::hours(1));
    let purged = app.funding.purge_idempotency_keys().await.expect("purge");
    app.funding
        .unlock_wallet(user, PASSPHRASE)
        .await
        .expect("unlocked");
    app.funding
        .recharge_wallet(user, amount("10"), key("old"))
        .await
        .expect("a new request");

    assert_eq!((purged_early, purged), (0, 1));
    assert_eq!(app.wallet_balance(user).await, amount("20"));
}

#[tokio::test]
async fn an_expired_key_not_yet_purged_counts_as_unused() {
    let app = TestApp::start().await;
    let user = app.user_with_wallet().await;
    app.funding
        .recharge_wallet(user, amount("10"), key("k"))
        .await
        .expect("recharged");
    app.advance(Duration::hours(24));
    app.funding
        .unlock_wallet(user, PASSPHRASE)
        .await
        .expect("unlocked");

    app.funding
        .withdraw_from_wallet(user, amount("5"), key("k"))
        .await
        .expect("a new request");

    assert_eq!(app.wallet_balance(user).await, amount("5"));
}
