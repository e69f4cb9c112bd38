//! The API's "Models and model funding" section on the real server: the catalog, funding
//! views, the primary model, fundings with their minimums and fee, refunds and the lock window.

mod money;
mod support;

use money::{
    MODEL, OTHER_MODEL, fund, funding_of, get_json, json_of, post_json, unlock, user_with_funds,
    wallet_of,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Auth, TestApp, error_of};
use time::Duration;

fn refunds(model: &str) -> String {
    format!("/api/v1/models/{model}/refunds")
}

fn fundings(model: &str) -> String {
    format!("/api/v1/models/{model}/fundings")
}

#[tokio::test]
async fn the_catalog_lists_every_model_with_prices_and_minimums_as_strings() {
    let app = TestApp::spawn().await;

    let body = get_json(&app, "/api/v1/models", &Auth::None).await;

    let models = body["models"].as_array().unwrap();
    assert!(models.len() >= 4, "{body}");
    let sonnet = models.iter().find(|model| model["id"] == MODEL).unwrap();
    assert_eq!(
        *sonnet,
        json!({
            "id": MODEL,
            "name": "Claude Sonnet 4.5",
            "provider": "Anthropic",
            "input_price_per_mtok": "3.00",
            "output_price_per_mtok": "15.00",
            "minimum_initial_amount": "10.00",
            "minimum_top_up_amount": "5.00",
        })
    );
    let mini = models
        .iter()
        .find(|model| model["id"] == OTHER_MODEL)
        .unwrap();
    assert_eq!(mini["input_price_per_mtok"], "0.15");
    app.stop().await;
}

#[tokio::test]
async fn a_model_never_funded_has_a_funding_view_with_its_initial_minimum() {
    let app = TestApp::spawn().await;
    let auth = app.sign_up("ada@example.com").await;

    let funding = funding_of(&app, &auth, MODEL).await;

    assert_eq!(
        funding,
        json!({
            "model_id": MODEL,
            "status": "not_enabled",
            "balance": "0.00",
            "held": "0.00",
            "recently_funded": "0.00",
            "refundable": "0.00",
            "current_minimum_amount": "10.00",
            "lock_window_seconds": 86400,
            "locked_fundings": [],
            "holds": [],
        })
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_model_is_404_unknown_model_everywhere() {
    let app = TestApp::spawn().await;
    let auth = user_with_funds(&app, "ada@example.com", "100").await;

    let show = app.get("/api/v1/models/no-such-model/funding", &auth).await;
    let fund = post_json(
        &app,
        &fundings("no-such-model"),
        &auth,
        json!({"amount": "10"}),
    )
    .await;
    let refund = post_json(
        &app,
        &refunds("no-such-model"),
        &auth,
        json!({"amount": "all"}),
    )
    .await;
    let primary = app
        .request(
            Method::PUT,
            "/api/v1/primary-model",
            &auth,
            Some(json!({"model_id": "nope"})),
        )
        .await;

    for (what, response) in [
        ("show", show),
        ("fund", fund),
        ("refund", refund),
        ("primary", primary),
    ] {
        let (status, code, _, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::NOT_FOUND, "unknown_model"),
            "{what}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn funding_moves_money_from_the_wallet_and_charges_the_fee_on_top() {
    let app = TestApp::spawn_with(|config| {
        config.settings.funding_fee_flat = funding::Amount::from_micros(300_000).unwrap();
        config.settings.funding_fee_percent = rust_decimal::Decimal::new(29, 1);
    })
    .await;
    let auth = user_with_funds(&app, "ada@example.com", "100").await;

    let receipt = fund(&app, &auth, MODEL, "20").await;

    // 0.30 + 2.9% of 20.00 = 0.88.
    assert_eq!(receipt["amount"], "20.00");
    assert_eq!(receipt["fee"], "0.88");
    assert_eq!(receipt["wallet"]["balance"], "79.12");
    let funding = &receipt["funding"];
    assert_eq!(funding["balance"], "20.00");
    assert_eq!(funding["recently_funded"], "20.00");
    assert_eq!(funding["refundable"], "0.00");
    assert_eq!(funding["status"], "non_primary");
    assert_eq!(funding["current_minimum_amount"], "5.00");
    let locked = &funding["locked_fundings"][0];
    assert_eq!(locked["entry_id"], receipt["entry_id"]);
    assert_eq!(locked["amount"], "20.00");
    assert_eq!(locked["refundable_at"], "2026-01-02T00:00:00Z");
    app.stop().await;
}

#[tokio::test]
async fn fundings_below_the_current_minimum_are_422_naming_the_minimum() {
    let app = TestApp::spawn().await;
    let auth = user_with_funds(&app, "ada@example.com", "100").await;

    let initial = post_json(&app, &fundings(MODEL), &auth, json!({"amount": "9.99"})).await;
    fund(&app, &auth, MODEL, "10").await;
    let top_up = post_json(&app, &fundings(MODEL), &auth, json!({"amount": "4.99"})).await;

    let (status, code, message, field) = error_of(initial).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "below_minimum")
    );
    assert_eq!(field.as_deref(), Some("amount"));
    assert!(message.contains("10.00"), "{message}");
    let (status, code, message, _) = error_of(top_up).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "below_minimum")
    );
    assert!(message.contains("5.00"), "{message}");
    app.stop().await;
}

#[tokio::test]
async fn funding_more_than_the_wallet_holds_is_402_naming_the_shortfall() {
    let app = TestApp::spawn().await;
    let auth = user_with_funds(&app, "ada@example.com", "15").await;

    let response = post_json(&app, &fundings(MODEL), &auth, json!({"amount": "20"})).await;

    let (status, code, message, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYMENT_REQUIRED, "insufficient_funds")
    );
    assert!(message.contains("5.00"), "{message}");
    assert_eq!(wallet_of(&app, &auth).await["balance"], "15.00");
    app.stop().await;
}

#[tokio::test]
async fn choosing_a_primary_model_demotes_the_previous_one_and_fundings_list_both() {
    let app = TestApp::spawn().await;
    let auth = user_with_funds(&app, "ada@example.com", "100").await;
    let put_primary = |model: &'static str| {
        let auth = auth.clone();
        let app = &app;
        async move {
            app.request(
                Method::PUT,
                "/api/v1/primary-model",
                &auth,
                Some(json!({"model_id": model})),
            )
            .await
        }
    };

    json_of(put_primary(MODEL).await, StatusCode::OK, "first primary").await;
    fund(&app, &auth, MODEL, "10").await;
    let second = json_of(put_primary(OTHER_MODEL).await, StatusCode::OK, "second").await;
    let list = get_json(&app, "/api/v1/fundings", &auth).await;

    assert_eq!(second["primary_model_id"], OTHER_MODEL);
    assert_eq!(list["wallet_balance"], "90.00");
    let statuses: Vec<(Value, Value)> = list["fundings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|funding| (funding["model_id"].clone(), funding["status"].clone()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (json!(OTHER_MODEL), json!("primary")),
            (json!(MODEL), json!("non_primary"))
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_primary_model_needs_a_model_id() {
    let app = TestApp::spawn().await;
    let auth = app.sign_up("ada@example.com").await;

    let response = app
        .request(Method::PUT, "/api/v1/primary-model", &auth, Some(json!({})))
        .await;

    let (status, code, _, field) = error_of(response).await;
    assert_eq!(
        (status, code.as_str(), field.as_deref()),
        (StatusCode::BAD_REQUEST, "missing_field", Some("model_id"))
    );
    app.stop().await;
}

#[tokio::test]
async fn funds_become_refundable_when_the_lock_window_has_passed() {
    let app = TestApp::spawn().await;
    let auth = user_with_funds(&app, "ada@example.com", "100").await;
    fund(&app, &auth, MODEL, "30").await;

    let early = post_json(&app, &refunds(MODEL), &auth, json!({"amount": "all"})).await;
    app.clock.advance(Duration::hours(23));
    unlock(&app, &auth).await;
    fund(&app, &auth, MODEL, "10").await;
    app.clock.advance(Duration::hours(1));
    unlock(&app, &auth).await;
    let funding = funding_of(&app, &auth, MODEL).await;
    let too_much = post_json(&app, &refunds(MODEL), &auth, json!({"amount": "30.01"})).await;
    let partial = post_json(&app, &refunds(MODEL), &auth, json!({"amount": "12.50"})).await;
    let rest = post_json(&app, &refunds(MODEL), &auth, json!({"amount": "all"})).await;

    let (status, code, message, _) = error_of(early).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "nothing_refundable")
    );
    assert!(message.contains("2026-01-02T00:00:00Z"), "{message}");
    assert_eq!(funding["balance"], "40.00");
    assert_eq!(funding["recently_funded"], "10.00");
    assert_eq!(funding["refundable"], "30.00");
    assert_eq!(funding["locked_fundings"].as_array().unwrap().len(), 1);
    let (status, code, message, field) = error_of(too_much).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "exceeds_refundable")
    );
    assert_eq!(field.as_deref(), Some("amount"));
    assert!(message.contains("30.00"), "{message}");
    let partial = json_of(partial, StatusCode::CREATED, "partial refund").await;
    assert_eq!(partial["amount"], "12.50");
    assert_eq!(partial["wallet"]["balance"], "72.50");
    assert_eq!(partial["funding"]["refundable"], "17.50");
    let rest = json_of(rest, StatusCode::CREATED, "refund the rest").await;
    assert_eq!(rest["amount"], "17.50");
    assert_eq!(rest["wallet"]["balance"], "90.00");
    assert_eq!(rest["funding"]["balance"], "10.00");
    assert_eq!(rest["funding"]["refundable"], "0.00");
    app.stop().await;
}

#[tokio::test]
async fn funding_reads_need_a_user() {
    let app = TestApp::spawn().await;

    for path in [
        "/api/v1/fundings",
        "/api/v1/models/claude-sonnet-4-5/funding",
    ] {
        let response = app.get(path, &Auth::None).await;

        let (status, code, _, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNAUTHORIZED, "unauthenticated"),
            "{path}"
        );
    }
    app.stop().await;
}
