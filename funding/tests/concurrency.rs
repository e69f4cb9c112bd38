//! Simultaneous requests: the single writer and `BEGIN IMMEDIATE` make them run one after the
//! other, so none can overspend and one idempotency key produces one effect.

mod common;

use common::{TestApp, amount, key, model_id};
use funding::{EntryKind, EntryQuery, FundingError, RefundAmount, Settings};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_simultaneous_holds_of_100_against_1000_available_let_exactly_ten_through() {
    let app = TestApp::start().await;
    let user = app.funded_user("1000", "alpha", "1000").await;
    let alpha = model_id("alpha");

    let attempts = (0..50).map(|_| {
        let funding = app.funding.clone();
        let alpha = alpha.clone();
        tokio::spawn(async move {
            funding
                .place_hold(user, &alpha, amount("100"), None, None)
                .await
        })
    });
    let mut placed = 0;
    let mut refused = 0;
    for attempt in attempts {
        match attempt.await.expect("the task finishes") {
            Ok(_) => placed += 1,
            Err(FundingError::InsufficientFunds { .. }) => refused += 1,
            Err(other) => panic!("unexpected answer {other:?}"),
        }
    }

    assert_eq!((placed, refused), (10, 40));
    let funding = app.funding.model_funding(user, &alpha).await.expect("view");
    assert_eq!(
        (funding.balance, funding.held),
        (amount("1000"), amount("1000"))
    );
    app.assert_ledger_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_simultaneous_fundings_with_one_key_make_one_entry_and_fifty_identical_answers() {
    let app = TestApp::start().await;
    let user = app.user_with_wallet().await;
    app.funding
        .recharge_wallet(user, amount("1000"), None)
        .await
        .expect("recharged");
    let alpha = model_id("alpha");

    let attempts: Vec<_> = (0..50)
        .map(|_| {
            let funding = app.funding.clone();
            let alpha = alpha.clone();
            tokio::spawn(async move {
                funding
                    .fund_model(user, &alpha, amount("10"), key("one-key"))
                    .await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for attempt in attempts {
        answers.push(attempt.await.expect("the task finishes").expect("funded"));
    }

    assert!(
        answers.iter().all(|answer| answer == &answers[0]),
        "answers differ"
    );
    let fundings = EntryQuery {
        kind: Some(EntryKind::Funding),
        ..EntryQuery::default()
    };
    let fundings = app
        .funding
        .list_entries(user, &fundings)
        .await
        .expect("entries");
    assert_eq!(fundings.entries.len(), 1);
    assert_eq!(app.wallet_balance(user).await, amount("990"));
    app.assert_ledger_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_refunds_of_everything_refund_the_refundable_amount_once() {
    let settings = Settings {
        lock_window_seconds: 0,
        ..Settings::default()
    };
    let app = TestApp::with_settings(settings).await;
    let user = app.funded_user("100", "alpha", "40").await;
    let alpha = model_id("alpha");

    let attempts: Vec<_> = (0..20)
        .map(|_| {
            let funding = app.funding.clone();
            let alpha = alpha.clone();
            tokio::spawn(async move {
                funding
                    .refund_model(user, &alpha, RefundAmount::All, None)
                    .await
            })
        })
        .collect();
    let mut refunded = Vec::new();
    for attempt in attempts {
        match attempt.await.expect("the task finishes") {
            Ok(receipt) => refunded.push(receipt.amount),
            Err(error) => assert_eq!(error.code(), "nothing_refundable"),
        }
    }

    assert_eq!(refunded, [amount("40")]);
    assert_eq!(app.wallet_balance(user).await, amount("100"));
    app.assert_ledger_consistent().await;
}
