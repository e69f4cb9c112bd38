//! Model funding: minimums, fees, the primary model and the funding view.

mod common;

use common::{OK, Op::*, Scenario, TestApp, amount, model_id};
use funding::{FundingError, FundingStatus, MinimumKind, Settings};
use rust_decimal::Decimal;

#[tokio::test]
async fn funding_rules_hold_in_order() {
    let app = TestApp::start().await;
    let mut scenario = Scenario::new(&app).await;

    scenario
        .run(
            "funding",
            &[
                (Fund("alpha", "10"), Err("wallet_not_found"), "-", None),
                (CreateWallet, OK, "0", Some(("alpha", "0", "0", "0"))),
                (Fund("gamma", "10"), Err("unknown_model"), "0", None),
                (Fund("alpha", "10"), Err("insufficient_funds"), "0", None),
                (Recharge("30"), OK, "30", None),
                (
                    Fund("alpha", "9.99"),
                    Err("below_minimum"),
                    "30",
                    Some(("alpha", "0", "0", "0")),
                ),
                (
                    Fund("alpha", "10"),
                    OK,
                    "20",
                    Some(("alpha", "10", "0", "0")),
                ),
                (
                    Fund("alpha", "4.99"),
                    Err("below_minimum"),
                    "20",
                    Some(("alpha", "10", "0", "0")),
                ),
                (
                    Fund("alpha", "5"),
                    OK,
                    "15",
                    Some(("alpha", "15", "0", "0")),
                ),
                (
                    Fund("alpha", "15.01"),
                    Err("insufficient_funds"),
                    "15",
                    None,
                ),
                (
                    Fund("beta", "4.99"),
                    Err("below_minimum"),
                    "15",
                    Some(("beta", "0", "0", "0")),
                ),
                (Fund("beta", "5"), OK, "10", Some(("beta", "5", "0", "0"))),
                (Fund("beta", "1"), OK, "9", Some(("beta", "6", "0", "0"))),
                (Fund("alpha", "9"), OK, "0", Some(("alpha", "24", "0", "0"))),
            ],
        )
        .await;
}

#[tokio::test]
async fn below_minimum_names_the_current_minimum() {
    let app = TestApp::start().await;
    let user = app.funded_user("100", "alpha", "10").await;

    let error = app
        .funding
        .fund_model(user, &model_id("alpha"), amount("0.50"), None)
        .await
        .expect_err("below the top-up minimum");

    assert!(matches!(
        error,
        FundingError::BelowMinimum { which: MinimumKind::TopUp, minimum, .. }
            if minimum == amount("5")
    ));
    assert_eq!(
        error.to_string(),
        "Top-up of 0.50 is below this model's minimum top-up of 5.00."
    );
    assert_eq!(error.field(), Some("amount"));
}

#[tokio::test]
async fn the_fee_is_charged_to_the_wallet_on_top_and_posted_apart() {
    let settings = Settings {
        funding_fee_flat: amount("0.50"),
        funding_fee_percent: Decimal::new(25, 1),
        ..Settings::default()
    };
    let app = TestApp::with_settings(settings).await;
    let user = app.user_with_wallet().await;
    app.funding
        .recharge_wallet(user, amount("21"), None)
        .await
        .expect("recharged");
    let alpha = model_id("alpha");

    let receipt = app
        .funding
        .fund_model(user, &alpha, amount("10"), None)
        .await
        .expect("funded");

    // 0.50 + 2.5% of 10.00 = 0.75.
    assert_eq!(receipt.fee, amount("0.75"));
    assert_eq!(receipt.wallet.balance, amount("10.25"));
    assert_eq!(receipt.funding.balance, amount("10"));
    let error = app
        .funding
        .fund_model(user, &alpha, amount("10"), None)
        .await
        .expect_err("short");
    // 10.00 + 0.75 fee = 10.75 needed, 10.25 there.
    assert!(matches!(
        error,
        FundingError::InsufficientFunds { needed, shortfall, .. }
            if needed == amount("10.75") && shortfall == amount("0.50")
    ));
    let entries = app.funding.all_entries(user).await.expect("entries");
    assert_eq!(
        (entries[0].amount, entries[0].fee),
        (amount("10"), amount("0.75"))
    );
    let fees: i64 = sqlx::query_scalar("SELECT balance FROM accounts WHERE kind = 'fees'")
        .fetch_one(app.db.reader())
        .await
        .expect("fees account");
    assert_eq!(fees, 750_000);
    app.assert_ledger_consistent().await;
}

#[tokio::test]
async fn choosing_a_primary_model_demotes_the_previous_one_and_funding_does_not_change_it() {
    let app = TestApp::start().await;
    let mut scenario = Scenario::new(&app).await;
    scenario
        .run(
            "primary",
            &[
                (SetPrimary("gamma"), Err("unknown_model"), "-", None),
                (SetPrimary("alpha"), OK, "-", None),
                (CreateWallet, OK, "0", None),
                (Recharge("100"), OK, "100", None),
                (Fund("beta", "5"), OK, "95", None),
            ],
        )
        .await;
    let user = scenario.user();
    let status = |funding: &funding::FundingList, model: &str| {
        funding
            .fundings
            .iter()
            .find(|f| f.model_id.0 == model)
            .map(|f| f.status)
    };

    let before = app.funding.list_fundings(user).await.expect("list");
    app.funding
        .set_primary_model(user, &model_id("beta"))
        .await
        .expect("primary changed");
    let after = app.funding.list_fundings(user).await.expect("list");

    assert_eq!(status(&before, "alpha"), Some(FundingStatus::Primary));
    assert_eq!(status(&before, "beta"), Some(FundingStatus::NonPrimary));
    assert_eq!(status(&after, "alpha"), Some(FundingStatus::NonPrimary));
    assert_eq!(status(&after, "beta"), Some(FundingStatus::Primary));
    assert_eq!(
        after.fundings[0].model_id,
        model_id("beta"),
        "primary first"
    );
    assert_eq!(
        after.fundings[0].balance,
        amount("5"),
        "beta keeps its funds"
    );
    assert_eq!(after.wallet_balance, amount("95"));
}

#[tokio::test]
async fn the_database_refuses_a_second_primary_model() {
    let app = TestApp::start().await;
    let user = app.new_user().await;
    app.funding
        .set_primary_model(user, &model_id("alpha"))
        .await
        .expect("primary");

    let mut tx = app.db.begin_write().await.expect("write");
    let second = sqlx::query(
        "INSERT INTO user_models (user_id, model_id, is_primary, added_at) \
         VALUES (?1, 'beta', 1, 0)",
    )
    .bind(user.0)
    .execute(&mut *tx)
    .await;

    assert!(
        second.is_err(),
        "a partial unique index allows one primary model per user"
    );
}

#[tokio::test]
async fn a_model_never_funded_shows_zeros_and_its_initial_minimum() {
    let app = TestApp::start().await;
    let user = app.new_user().await;

    let funding = app
        .funding
        .model_funding(user, &model_id("alpha"))
        .await
        .expect("view");

    assert_eq!(funding.status, FundingStatus::NotEnabled);
    assert_eq!(funding.balance, amount("0"));
    assert_eq!(funding.refundable, amount("0"));
    assert_eq!(funding.current_minimum_amount, amount("10"));
    assert_eq!(funding.lock_window_seconds, 86_400);
    assert!(funding.locked_fundings.is_empty() && funding.holds.is_empty());
    assert!(
        app.funding
            .list_fundings(user)
            .await
            .expect("list")
            .fundings
            .is_empty()
    );
    let unknown = app
        .funding
        .model_funding(user, &model_id("gamma"))
        .await
        .expect_err("unknown");
    assert_eq!(unknown.code(), "unknown_model");
}

#[tokio::test]
async fn after_the_first_funding_the_current_minimum_is_the_top_up_minimum() {
    let app = TestApp::start().await;
    let user = app.funded_user("50", "alpha", "10").await;

    let funding = app
        .funding
        .model_funding(user, &model_id("alpha"))
        .await
        .expect("view");

    assert_eq!(funding.status, FundingStatus::NonPrimary);
    assert_eq!(funding.current_minimum_amount, amount("5"));
}

#[tokio::test]
async fn setup_facts_follow_the_path_a_user_takes() {
    let app = TestApp::start().await;
    let user = app.new_user().await;
    let alpha = model_id("alpha");
    let facts = |setup: funding::Setup| {
        (
            setup.wallet_created,
            setup.wallet_recharged,
            setup.primary_model_id.map(|model| model.0),
            setup.primary_model_funded,
        )
    };

    let mut seen = vec![facts(app.funding.setup(user).await.expect("setup"))];
    app.funding
        .create_wallet(user, common::PASSPHRASE, None)
        .await
        .expect("wallet");
    seen.push(facts(app.funding.setup(user).await.expect("setup")));
    app.funding
        .recharge_wallet(user, amount("20"), None)
        .await
        .expect("recharged");
    seen.push(facts(app.funding.setup(user).await.expect("setup")));
    app.funding
        .set_primary_model(user, &alpha)
        .await
        .expect("primary");
    seen.push(facts(app.funding.setup(user).await.expect("setup")));
    app.funding
        .fund_model(user, &alpha, amount("10"), None)
        .await
        .expect("funded");
    seen.push(facts(app.funding.setup(user).await.expect("setup")));

    let alpha = Some("alpha".to_owned());
    assert_eq!(
        seen,
        [
            (false, false, None, false),
            (true, false, None, false),
            (true, true, None, false),
            (true, true, alpha.clone(), false),
            (true, true, alpha, true),
        ]
    );
}
