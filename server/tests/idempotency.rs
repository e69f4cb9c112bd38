//! The `Idempotency-Key` header on every endpoint that moves money: a repeat answers the first
//! response and moves nothing; the same key for a different request is a 409.

mod money;
mod support;

use money::{
    MODEL, entry_kinds, fund, json_of, ledger_snapshot, metering, send, spawn_metered, user_id,
    user_with_funds,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Auth, TestApp, error_of};

/// Sends the request twice with `key`; asserts both answers are equal and that the second moved
/// nothing. Returns the answer.
async fn twice(
    app: &TestApp,
    owner: &Auth,
    auth: &Auth,
    path: &str,
    body: Option<Value>,
    key: &str,
) -> Value {
    let first = send(app, Method::POST, path, auth, body.clone(), Some(key)).await;
    let first_status = first.status();
    let first: Value = first.json().await.unwrap();
    let after_first = ledger_snapshot(app, owner).await;

    let second = send(app, Method::POST, path, auth, body, Some(key)).await;

    assert!(first_status.is_success(), "{path}: {first}");
    assert_eq!(second.status(), first_status, "{path}");
    let second: Value = second.json().await.unwrap();
    assert_eq!(
        second, first,
        "{path}: the repeat answers the first response"
    );
    assert_eq!(
        ledger_snapshot(app, owner).await,
        after_first,
        "{path}: the repeat moved nothing"
    );
    first
}

#[tokio::test]
async fn a_repeated_request_with_the_same_key_answers_the_same_and_moves_nothing() {
    let app = spawn_metered().await;
    let auth = user_with_funds(&app, "ada@example.com", "100").await;
    let user = user_id(&app, &auth).await;
    let refunds = format!("/api/v1/models/{MODEL}/refunds");

    twice(
        &app,
        &auth,
        &auth,
        "/api/v1/wallet/recharges",
        Some(json!({"amount": "10"})),
        "r-1",
    )
    .await;
    twice(
        &app,
        &auth,
        &auth,
        "/api/v1/wallet/withdrawals",
        Some(json!({"amount": "5"})),
        "w-1",
    )
    .await;
    let path = format!("/api/v1/models/{MODEL}/fundings");
    twice(
        &app,
        &auth,
        &auth,
        &path,
        Some(json!({"amount": "50"})),
        "f-1",
    )
    .await;
    let hold_body = json!({"user_id": user, "model_id": MODEL, "amount": "4"});
    let hold = twice(
        &app,
        &auth,
        &metering(),
        "/api/v1/holds",
        Some(hold_body),
        "h-1",
    )
    .await;
    let hold_id = hold["hold"]["id"].as_str().unwrap().to_owned();
    let settle = json!({"input_tokens": 1000, "output_tokens": 1000});
    let path = format!("/api/v1/holds/{hold_id}/settle");
    twice(&app, &auth, &metering(), &path, Some(settle), "s-1").await;
    let second_hold = json_of(
        money::place_hold(&app, &user, MODEL, "2").await,
        StatusCode::CREATED,
        "a second hold",
    )
    .await;
    let path = format!(
        "/api/v1/holds/{}/release",
        second_hold["hold"]["id"].as_str().unwrap()
    );
    twice(&app, &auth, &metering(), &path, None, "rel-1").await;
    let usage =
        json!({"user_id": user, "model_id": MODEL, "input_tokens": 10, "output_tokens": 10});
    twice(
        &app,
        &auth,
        &metering(),
        "/api/v1/usage",
        Some(usage),
        "u-1",
    )
    .await;
    app.clock.advance(time::Duration::days(2));
    let unlock = json!({"passphrase": money::PASSPHRASE});
    let unlocked = money::post_json(&app, "/api/v1/wallet/unlock", &auth, unlock).await;
    assert_eq!(unlocked.status(), StatusCode::OK);
    twice(
        &app,
        &auth,
        &auth,
        &refunds,
        Some(json!({"amount": "1"})),
        "rf-1",
    )
    .await;

    let kinds = entry_kinds(&app, &auth).await;
    let expected = [
        "refund",
        "usage",
        "hold_released",
        "hold",
        "hold_settled",
        "hold",
        "funding",
        "withdrawal",
        "recharge",
        "recharge",
    ];
    assert_eq!(kinds, expected);
    app.stop().await;
}

#[tokio::test]
async fn the_same_key_for_a_different_request_is_409() {
    let app = TestApp::spawn().await;
    let auth = user_with_funds(&app, "ada@example.com", "100").await;
    let recharge = |amount: &'static str, key: &'static str| {
        send(
            &app,
            Method::POST,
            "/api/v1/wallet/recharges",
            &auth,
            Some(json!({"amount": amount})),
            Some(key),
        )
    };
    json_of(recharge("10", "key-1").await, StatusCode::CREATED, "first").await;
    let before = ledger_snapshot(&app, &auth).await;

    let other_amount = recharge("11", "key-1").await;
    let other_operation = send(
        &app,
        Method::POST,
        "/api/v1/wallet/withdrawals",
        &auth,
        Some(json!({"amount": "10"})),
        Some("key-1"),
    )
    .await;

    for (what, response) in [
        ("another amount", other_amount),
        ("another operation", other_operation),
    ] {
        let (status, code, _, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::CONFLICT, "idempotency_key_reused"),
            "{what}"
        );
    }
    assert_eq!(ledger_snapshot(&app, &auth).await, before);
    app.stop().await;
}

#[tokio::test]
async fn keys_belong_to_their_user() {
    let app = TestApp::spawn().await;
    let ada = user_with_funds(&app, "ada@example.com", "100").await;
    let bob = user_with_funds(&app, "bob@example.com", "100").await;
    let path = "/api/v1/wallet/recharges";

    let by_ada = send(
        &app,
        Method::POST,
        path,
        &ada,
        Some(json!({"amount": "10"})),
        Some("k"),
    )
    .await;
    let by_bob = send(
        &app,
        Method::POST,
        path,
        &bob,
        Some(json!({"amount": "10"})),
        Some("k"),
    )
    .await;

    let by_ada = json_of(by_ada, StatusCode::CREATED, "ada").await;
    let by_bob = json_of(by_bob, StatusCode::CREATED, "bob").await;
    assert_ne!(by_ada["entry_id"], by_bob["entry_id"]);
    assert_eq!(by_bob["wallet"]["balance"], "110.00");
    app.stop().await;
}

#[tokio::test]
async fn the_metering_service_has_one_key_space_across_users() {
    let app = spawn_metered().await;
    let ada = user_with_funds(&app, "ada@example.com", "100").await;
    let bob = user_with_funds(&app, "bob@example.com", "100").await;
    fund(&app, &ada, MODEL, "50").await;
    fund(&app, &bob, MODEL, "50").await;
    let hold_for = |user: String| json!({"user_id": user, "model_id": MODEL, "amount": "5"});
    let for_ada = hold_for(user_id(&app, &ada).await);
    let for_bob = hold_for(user_id(&app, &bob).await);
    let bob_before = ledger_snapshot(&app, &bob).await;

    let first = send(
        &app,
        Method::POST,
        "/api/v1/holds",
        &metering(),
        Some(for_ada),
        Some("m1"),
    )
    .await;
    let reused = send(
        &app,
        Method::POST,
        "/api/v1/holds",
        &metering(),
        Some(for_bob),
        Some("m1"),
    )
    .await;

    assert_eq!(first.status(), StatusCode::CREATED);
    let (status, code, _, _) = error_of(reused).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "idempotency_key_reused")
    );
    assert_eq!(
        ledger_snapshot(&app, &bob).await,
        bob_before,
        "bob's money did not move"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_users_key_and_the_metering_services_key_do_not_collide() {
    let app = spawn_metered().await;
    let ada = user_with_funds(&app, "ada@example.com", "100").await;
    fund(&app, &ada, MODEL, "50").await;
    let hold = json!({"user_id": user_id(&app, &ada).await, "model_id": MODEL, "amount": "5"});

    let by_ada = send(
        &app,
        Method::POST,
        "/api/v1/wallet/recharges",
        &ada,
        Some(json!({"amount": "10"})),
        Some("shared"),
    )
    .await;
    let by_metering = send(
        &app,
        Method::POST,
        "/api/v1/holds",
        &metering(),
        Some(hold),
        Some("shared"),
    )
    .await;

    json_of(by_ada, StatusCode::CREATED, "ada's recharge").await;
    json_of(by_metering, StatusCode::CREATED, "the operator's hold").await;
    app.stop().await;
}

#[tokio::test]
async fn a_malformed_key_is_400_naming_the_header_and_nothing_moves() {
    let app = TestApp::spawn().await;
    let auth = user_with_funds(&app, "ada@example.com", "100").await;
    let before = ledger_snapshot(&app, &auth).await;
    let too_long = "k".repeat(256);
    let longest = "k".repeat(255);

    for key in ["", "has space", "tab\there", too_long.as_str(), "ключ"] {
        let request = app
            .client()
            .post(app.url("/api/v1/wallet/recharges"))
            .header(
                "Cookie",
                match &auth {
                    Auth::Cookie(cookie) => cookie.clone(),
                    _ => unreachable!(),
                },
            )
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key.as_bytes())
            .body(json!({"amount": "10"}).to_string());

        let response = request.send().await.unwrap();

        let (status, code, _, field) = error_of(response).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (
                StatusCode::BAD_REQUEST,
                "invalid_idempotency_key",
                Some("Idempotency-Key")
            ),
            "key {key:?}"
        );
    }
    assert_eq!(ledger_snapshot(&app, &auth).await, before);
    let accepted = send(
        &app,
        Method::POST,
        "/api/v1/wallet/recharges",
        &auth,
        Some(json!({"amount": "10"})),
        Some(&longest),
    )
    .await;
    assert_eq!(
        accepted.status(),
        StatusCode::CREATED,
        "255 visible characters are a key"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_refused_request_does_not_use_up_its_key() {
    let app = TestApp::spawn().await;
    let auth = user_with_funds(&app, "ada@example.com", "10").await;
    let path = format!("/api/v1/models/{MODEL}/fundings");

    let short = send(
        &app,
        Method::POST,
        &path,
        &auth,
        Some(json!({"amount": "20"})),
        Some("f"),
    )
    .await;
    money::recharge(&app, &auth, "20").await;
    let retried = send(
        &app,
        Method::POST,
        &path,
        &auth,
        Some(json!({"amount": "20"})),
        Some("f"),
    )
    .await;

    assert_eq!(short.status(), StatusCode::PAYMENT_REQUIRED);
    assert_eq!(retried.status(), StatusCode::CREATED);
    let funded = fund(&app, &auth, MODEL, "5").await;
    assert_eq!(funded["funding"]["balance"], "25.00");
    app.stop().await;
}
