//! The wallet's rules: creation, locking, auto-lock, unlock limits, recharge and withdraw.

mod common;

use common::{OK, Op::*, PASSPHRASE, Scenario, TestApp, amount, model_id};
use funding::{FundingError, RefundAmount};
use time::Duration;

#[tokio::test]
async fn wallet_rules_hold_in_order() {
    let app = TestApp::start().await;
    let mut scenario = Scenario::new(&app).await;

    scenario
        .run(
            "wallet",
            &[
                (Recharge("10"), Err("wallet_not_found"), "-", None),
                (UnlockWallet(PASSPHRASE), Err("wallet_not_found"), "-", None),
                (CreateWallet, OK, "0", None),
                (CreateWallet, Err("wallet_exists"), "0", None),
                (Recharge("100"), OK, "100", None),
                (Withdraw("30"), OK, "70", None),
                (Withdraw("70.01"), Err("insufficient_funds"), "70", None),
                (Withdraw("70"), OK, "0", None),
                (Recharge("100"), OK, "100", None),
                (LockWallet, OK, "100", None),
                (Recharge("1"), Err("wallet_locked"), "100", None),
                (Withdraw("1"), Err("wallet_locked"), "100", None),
                (Fund("alpha", "10"), Err("wallet_locked"), "100", None),
                (RefundAll("alpha"), Err("wallet_locked"), "100", None),
                (
                    UnlockWallet("not the passphrase"),
                    Err("wrong_passphrase"),
                    "100",
                    None,
                ),
                (UnlockWallet(PASSPHRASE), OK, "100", None),
                (
                    Fund("alpha", "10"),
                    OK,
                    "90",
                    Some(("alpha", "10", "0", "0")),
                ),
                // Auto-lock after ten minutes without a wallet action.
                (Advance(Duration::minutes(10)), OK, "90", None),
                (Recharge("1"), Err("wallet_locked"), "90", None),
                (UnlockWallet(PASSPHRASE), OK, "90", None),
                // Each money action pushes the auto-lock back.
                (Advance(Duration::minutes(9)), OK, "90", None),
                (Recharge("1"), OK, "91", None),
                (Advance(Duration::minutes(9)), OK, "91", None),
                (Withdraw("1"), OK, "90", None),
                (Advance(Duration::minutes(9)), OK, "90", None),
                (
                    Fund("alpha", "5"),
                    OK,
                    "85",
                    Some(("alpha", "15", "0", "0")),
                ),
                (Advance(Duration::minutes(10)), OK, "85", None),
                (Fund("alpha", "5"), Err("wallet_locked"), "85", None),
            ],
        )
        .await;
}

#[tokio::test]
async fn a_new_wallet_is_unlocked_until_its_auto_lock_timeout() {
    let app = TestApp::start().await;
    let user = app.new_user().await;
    let start = app.now();

    let wallet = app
        .funding
        .create_wallet(user, PASSPHRASE, Some(15))
        .await
        .expect("created");

    assert_eq!(wallet.currency, "USD");
    assert_eq!(wallet.balance, amount("0"));
    assert!(!wallet.locked);
    assert_eq!(wallet.auto_lock_minutes, 15);
    assert_eq!(wallet.unlocked_until, Some(start + Duration::minutes(15)));
    app.advance(Duration::minutes(15));
    let later = app.funding.wallet(user).await.expect("readable");
    assert!(later.locked);
    assert_eq!(later.unlocked_until, None);
}

#[tokio::test]
async fn wallet_creation_refuses_bad_timeouts_and_weak_passphrases() {
    let app = TestApp::start().await;
    let user = app.new_user().await;
    let cases: [(&str, Option<u32>, &str, Option<&str>); 5] = [
        (
            PASSPHRASE,
            Some(0),
            "invalid_auto_lock_minutes",
            Some("auto_lock_minutes"),
        ),
        (
            PASSPHRASE,
            Some(61),
            "invalid_auto_lock_minutes",
            Some("auto_lock_minutes"),
        ),
        ("short", None, "weak_passphrase", Some("passphrase")),
        (
            &"x".repeat(129),
            None,
            "weak_passphrase",
            Some("passphrase"),
        ),
        ("", None, "weak_passphrase", Some("passphrase")),
    ];

    for (passphrase, minutes, code, field) in cases {
        let error = app
            .funding
            .create_wallet(user, passphrase, minutes)
            .await
            .expect_err(code);

        assert_eq!(
            (error.code(), error.field()),
            (code, field),
            "{minutes:?} {passphrase:?}"
        );
    }
    assert!(matches!(
        app.funding.wallet(user).await,
        Err(FundingError::WalletNotFound)
    ));
    assert!(
        app.funding
            .create_wallet(user, PASSPHRASE, Some(60))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn five_failed_unlocks_within_fifteen_minutes_pause_unlocking() {
    let app = TestApp::start().await;
    let user = app.user_with_wallet().await;
    app.funding.lock_wallet(user).await.expect("locked");

    for attempt in 0..5 {
        let error = app
            .funding
            .unlock_wallet(user, "wrong guess!")
            .await
            .expect_err("wrong");
        assert_eq!(error.code(), "wrong_passphrase", "attempt {attempt}");
        app.advance(Duration::minutes(1));
    }
    let paused = app.funding.unlock_wallet(user, PASSPHRASE).await;

    // The first failure was five minutes ago; it leaves the window in ten.
    match paused {
        Err(FundingError::TooManyAttempts { retry_after }) => {
            assert_eq!(retry_after, Duration::minutes(10));
        }
        other => panic!("expected too_many_attempts, got {other:?}"),
    }
    app.advance(Duration::minutes(10));
    let wallet = app
        .funding
        .unlock_wallet(user, PASSPHRASE)
        .await
        .expect("unlocks again");
    assert!(!wallet.locked);
}

#[tokio::test]
async fn a_successful_unlock_forgets_earlier_failures() {
    let app = TestApp::start().await;
    let user = app.user_with_wallet().await;
    for _ in 0..4 {
        let _ = app.funding.unlock_wallet(user, "wrong guess!").await;
    }

    app.funding
        .unlock_wallet(user, PASSPHRASE)
        .await
        .expect("fifth attempt is right");

    for _ in 0..4 {
        let error = app
            .funding
            .unlock_wallet(user, "wrong guess!")
            .await
            .expect_err("wrong");
        assert_eq!(error.code(), "wrong_passphrase");
    }
}

#[tokio::test]
async fn the_wallet_is_readable_while_locked() {
    let app = TestApp::start().await;
    let user = app.funded_user("50", "alpha", "10").await;

    app.funding.lock_wallet(user).await.expect("locked");

    let wallet = app.funding.wallet(user).await.expect("readable");
    assert!(wallet.locked);
    assert_eq!(wallet.balance, amount("40"));
    let funding = app
        .funding
        .model_funding(user, &model_id("alpha"))
        .await
        .expect("readable");
    assert_eq!(funding.balance, amount("10"));
}

#[tokio::test]
async fn changing_auto_lock_minutes_needs_an_unlocked_wallet_and_restarts_the_timeout() {
    let app = TestApp::start().await;
    let user = app.user_with_wallet().await;
    let now = app.now();

    let wallet = app
        .funding
        .set_auto_lock_minutes(user, 30)
        .await
        .expect("changed");
    assert_eq!(wallet.unlocked_until, Some(now + Duration::minutes(30)));
    let error = app
        .funding
        .set_auto_lock_minutes(user, 61)
        .await
        .expect_err("out of range");
    assert_eq!(error.code(), "invalid_auto_lock_minutes");
    app.funding.lock_wallet(user).await.expect("locked");
    let error = app
        .funding
        .set_auto_lock_minutes(user, 60)
        .await
        .expect_err("locked");
    assert_eq!(error.code(), "wallet_locked");
}

#[tokio::test]
async fn sandbox_recharges_and_withdrawals_say_they_are_test_money() {
    let app = TestApp::start().await;
    let user = app.user_with_wallet().await;

    app.funding
        .recharge_wallet(user, amount("20"), None)
        .await
        .expect("recharged");
    app.funding
        .withdraw_from_wallet(user, amount("5"), None)
        .await
        .expect("withdrawn");

    let entries = app.funding.all_entries(user).await.expect("entries");
    assert_eq!(entries.len(), 2);
    for entry in entries {
        assert!(entry.test_money, "{entry:?}");
        assert_eq!(entry.source.as_deref(), Some("sandbox"));
        assert!(
            entry.description.contains("test money"),
            "{}",
            entry.description
        );
    }
}

#[tokio::test]
async fn a_withdrawal_names_the_shortfall() {
    let app = TestApp::start().await;
    let user = app.user_with_wallet().await;
    app.funding
        .recharge_wallet(user, amount("12.50"), None)
        .await
        .expect("recharged");

    let error = app
        .funding
        .withdraw_from_wallet(user, amount("20"), None)
        .await
        .expect_err("short");

    assert!(matches!(
        error,
        FundingError::InsufficientFunds { shortfall, .. } if shortfall == amount("7.50")
    ));
    assert!(error.to_string().contains("add 7.50"), "{error}");
}

#[tokio::test]
async fn zero_and_above_maximum_amounts_are_refused_by_every_movement() {
    let app = TestApp::start().await;
    let user = app.funded_user("100", "alpha", "10").await;
    let alpha = model_id("alpha");
    let too_much = amount("100000.01");

    for value in [amount("0"), too_much] {
        let funding = &app.funding;
        let answers = [
            funding.recharge_wallet(user, value, None).await.map(drop),
            funding
                .withdraw_from_wallet(user, value, None)
                .await
                .map(drop),
            funding
                .fund_model(user, &alpha, value, None)
                .await
                .map(drop),
            funding
                .refund_model(user, &alpha, RefundAmount::Exactly(value), None)
                .await
                .map(drop),
            funding
                .place_hold(user, &alpha, value, None, None)
                .await
                .map(drop),
        ];

        for (index, answer) in answers.into_iter().enumerate() {
            let error = answer.expect_err("refused");
            assert_eq!(
                (error.code(), error.field()),
                ("invalid_amount", Some("amount")),
                "{index}"
            );
        }
    }
    assert_eq!(
        app.funding.all_entries(user).await.expect("entries").len(),
        2
    );
}

#[tokio::test]
async fn recent_wallet_entries_skip_model_only_movements_however_many_there_are() {
    let app = TestApp::start().await;
    let user = app.funded_user("50", "alpha", "10").await;
    let alpha = model_id("alpha");
    for _ in 0..30 {
        app.funding
            .record_usage(user, &alpha, 1_000, 0, None)
            .await
            .expect("usage");
    }

    let entries = app
        .funding
        .recent_wallet_entries(user, 10)
        .await
        .expect("entries");

    let kinds: Vec<_> = entries.iter().map(|entry| entry.kind.as_str()).collect();
    assert_eq!(kinds, ["funding", "recharge"]);
}
