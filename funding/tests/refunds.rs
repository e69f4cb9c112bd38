//! Refunds: only what is refundable now, `max(0, balance − held − recently funded)`.

mod common;

use common::{OK, Op::*, Scenario, TestApp, amount, model_id};
use funding::{FundingError, RefundAmount};
use time::Duration;

#[tokio::test]
async fn refund_rules_follow_the_lock_window_and_holds() {
    let app = TestApp::start().await;
    let mut scenario = Scenario::new(&app).await;

    scenario
        .run(
            "refunds",
            &[
                (CreateWallet, OK, "0", None),
                (RefundAll("alpha"), Err("nothing_refundable"), "0", None),
                (Recharge("100"), OK, "100", None),
                (
                    Fund("alpha", "20"),
                    OK,
                    "80",
                    Some(("alpha", "20", "0", "0")),
                ),
                (RefundAll("alpha"), Err("nothing_refundable"), "80", None),
                (Refund("alpha", "1"), Err("nothing_refundable"), "80", None),
                (
                    Advance(Duration::hours(12)),
                    OK,
                    "80",
                    Some(("alpha", "20", "0", "0")),
                ),
                (UnlockWallet(common::PASSPHRASE), OK, "80", None),
                (
                    Fund("alpha", "10"),
                    OK,
                    "70",
                    Some(("alpha", "30", "0", "0")),
                ),
                // The first funding leaves the lock window; the top-up stays locked.
                (
                    Advance(Duration::hours(12)),
                    OK,
                    "70",
                    Some(("alpha", "30", "0", "20")),
                ),
                (UnlockWallet(common::PASSPHRASE), OK, "70", None),
                (
                    Refund("alpha", "20.01"),
                    Err("exceeds_refundable"),
                    "70",
                    None,
                ),
                (
                    Refund("alpha", "5"),
                    OK,
                    "75",
                    Some(("alpha", "25", "0", "15")),
                ),
                // A hold reduces what is refundable, until it expires.
                (
                    PlaceHold("alpha", "12", 60),
                    OK,
                    "75",
                    Some(("alpha", "25", "12", "3")),
                ),
                (
                    Refund("alpha", "3.01"),
                    Err("exceeds_refundable"),
                    "75",
                    None,
                ),
                (
                    Advance(Duration::seconds(60)),
                    OK,
                    "75",
                    Some(("alpha", "25", "0", "15")),
                ),
                (
                    RefundAll("alpha"),
                    OK,
                    "90",
                    Some(("alpha", "10", "0", "0")),
                ),
                (
                    Advance(Duration::hours(12)),
                    OK,
                    "90",
                    Some(("alpha", "10", "0", "10")),
                ),
                (UnlockWallet(common::PASSPHRASE), OK, "90", None),
                (
                    RefundAll("alpha"),
                    OK,
                    "100",
                    Some(("alpha", "0", "0", "0")),
                ),
                (RefundAll("alpha"), Err("nothing_refundable"), "100", None),
            ],
        )
        .await;
}

#[tokio::test]
async fn usage_of_recently_funded_money_never_makes_refundable_negative() {
    let app = TestApp::start().await;
    let mut scenario = Scenario::new(&app).await;

    scenario
        .run(
            "spent recent funding",
            &[
                (CreateWallet, OK, "0", None),
                (Recharge("20"), OK, "20", None),
                (Fund("alpha", "10"), OK, "10", None),
                // 4 million input tokens at 1.00 per million.
                (
                    Usage("alpha", 4_000_000, 0),
                    OK,
                    "10",
                    Some(("alpha", "6", "0", "0")),
                ),
                (
                    Advance(Duration::days(1)),
                    OK,
                    "10",
                    Some(("alpha", "6", "0", "6")),
                ),
            ],
        )
        .await;
}

#[tokio::test]
async fn nothing_refundable_says_when_more_will_be() {
    let app = TestApp::start().await;
    let funded_at = app.now();
    let user = app.funded_user("50", "alpha", "10").await;

    let error = app
        .funding
        .refund_model(user, &model_id("alpha"), RefundAmount::All, None)
        .await
        .expect_err("locked");

    let next = funded_at + Duration::days(1);
    assert!(matches!(
        error,
        FundingError::NothingRefundable { next_refundable_at: Some(at) } if at == next
    ));
    assert_eq!(
        error.to_string(),
        "Nothing is refundable now; more becomes refundable at 2026-01-02T00:00:00Z."
    );
}

#[tokio::test]
async fn exceeds_refundable_names_what_is_refundable_now() {
    let app = TestApp::start().await;
    let user = app.funded_user("50", "alpha", "10").await;
    app.advance(Duration::days(1));
    app.funding
        .unlock_wallet(user, common::PASSPHRASE)
        .await
        .expect("unlocked");
    app.funding
        .fund_model(user, &model_id("alpha"), amount("5"), None)
        .await
        .expect("top-up");

    let asked = RefundAmount::Exactly(amount("12"));
    let error = app
        .funding
        .refund_model(user, &model_id("alpha"), asked, None)
        .await;

    let error = error.expect_err("too much");
    assert!(matches!(
        error,
        FundingError::ExceedsRefundable { refundable, next_refundable_at: Some(_), .. }
            if refundable == amount("10")
    ));
    assert!(
        error
            .to_string()
            .starts_with("You asked to refund 12.00 but 10.00 is refundable now")
    );
}

#[tokio::test]
async fn the_funding_view_itemises_locked_fundings_and_open_holds() {
    let app = TestApp::start().await;
    let start = app.now();
    let user = app.funded_user("100", "alpha", "20").await;
    let alpha = model_id("alpha");
    app.advance(Duration::hours(1));
    app.funding
        .unlock_wallet(user, common::PASSPHRASE)
        .await
        .expect("unlocked");
    let top_up = app
        .funding
        .fund_model(user, &alpha, amount("5"), None)
        .await
        .expect("top-up");
    let hold = app
        .funding
        .place_hold(user, &alpha, amount("3"), Some(600), None)
        .await;
    let hold = hold.expect("hold placed");

    let funding = app.funding.model_funding(user, &alpha).await.expect("view");

    assert_eq!(funding.recently_funded, amount("25"));
    assert_eq!(funding.held, amount("3"));
    assert_eq!(funding.refundable, amount("0"));
    let locked: Vec<_> = funding
        .locked_fundings
        .iter()
        .map(|f| (f.amount, f.refundable_at))
        .collect();
    assert_eq!(
        locked,
        [
            (amount("20"), start + Duration::days(1)),
            (amount("5"), start + Duration::hours(25)),
        ]
    );
    assert_eq!(funding.locked_fundings[1].entry_id, top_up.entry_id);
    assert_eq!(funding.holds.len(), 1);
    assert_eq!(
        (funding.holds[0].id, funding.holds[0].amount),
        (hold.id, amount("3"))
    );
    assert_eq!(
        funding.holds[0].expires_at,
        start + Duration::hours(1) + Duration::minutes(10)
    );
    // The hold's expiry alone frees nothing (all 25 are recently funded); the first funding
    // leaving the lock window does.
    assert_eq!(
        funding.next_refundable_at(),
        Some(start + Duration::days(1))
    );
}

#[tokio::test]
async fn a_zero_lock_window_makes_funding_refundable_at_once() {
    let settings = funding::Settings {
        lock_window_seconds: 0,
        ..funding::Settings::default()
    };
    let app = TestApp::with_settings(settings).await;
    let user = app.funded_user("50", "alpha", "10").await;

    let receipt = app
        .funding
        .refund_model(user, &model_id("alpha"), RefundAmount::All, None)
        .await
        .expect("refunded");

    assert_eq!(receipt.amount, amount("10"));
    assert_eq!(receipt.wallet.balance, amount("50"));
    assert_eq!(receipt.funding.balance, amount("0"));
}
