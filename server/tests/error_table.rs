//! Every row of API.md's error table, reached through the real server with its status and code.
//! The other test files check each rule in depth; this one proves the table is complete.

mod money;
mod support;

use std::collections::BTreeSet;

use money::{
    MODEL, OTHER_MODEL, PASSPHRASE, fund, json_of, metering, place_hold, post_json, send,
    spawn_metered, spawn_metered_with, user_id, user_with_funds,
};
use reqwest::header::RETRY_AFTER;
use reqwest::{Method, Response, StatusCode};
use serde_json::json;
use support::{Auth, PASSWORD, error_of};

/// API.md's table: (status, code).
const TABLE: [(u16, &str); 23] = [
    (400, "invalid_amount"),
    (400, "invalid_email"),
    (400, "weak_password"),
    (400, "missing_field"),
    (400, "invalid_json"),
    (401, "unauthenticated"),
    (401, "invalid_credentials"),
    (401, "wrong_passphrase"),
    (402, "insufficient_funds"),
    (403, "forbidden"),
    (404, "not_found"),
    (404, "wallet_not_found"),
    (404, "unknown_model"),
    (409, "email_taken"),
    (409, "wallet_exists"),
    (409, "hold_not_open"),
    (409, "idempotency_key_reused"),
    (413, "body_too_large"),
    (422, "below_minimum"),
    (422, "exceeds_refundable"),
    (422, "nothing_refundable"),
    (423, "wallet_locked"),
    (429, "too_many_attempts"),
];

#[tokio::test]
async fn every_code_of_the_error_table_is_reached_with_its_status() {
    let app = spawn_metered_with(|config| config.settings.lock_window_seconds = 0).await;
    let ada = user_with_funds(&app, "ada@example.com", "100").await;
    let ada_id = user_id(&app, &ada).await;
    let newcomer = app.sign_up("new@example.com").await;
    fund(&app, &ada, MODEL, "20").await;
    let hold = json_of(
        place_hold(&app, &ada_id, MODEL, "1").await,
        StatusCode::CREATED,
        "hold",
    )
    .await;
    let hold_path = format!("/api/v1/holds/{}", hold["hold"]["id"].as_str().unwrap());
    app.post(&format!("{hold_path}/release"), &metering(), json!({}))
        .await;
    let fundings = format!("/api/v1/models/{MODEL}/fundings");
    let refunds = format!("/api/v1/models/{MODEL}/refunds");
    let other_refunds = format!("/api/v1/models/{OTHER_MODEL}/refunds");
    let recharges = "/api/v1/wallet/recharges";
    send(
        &app,
        Method::POST,
        recharges,
        &ada,
        Some(json!({"amount": "1"})),
        Some("k"),
    )
    .await;

    let mut reached: Vec<(&str, Response)> = vec![
        (
            "invalid_amount",
            post_json(&app, recharges, &ada, json!({"amount": "1e3"})).await,
        ),
        (
            "invalid_email",
            app.post(
                "/api/v1/accounts",
                &Auth::None,
                json!({"email": "x", "password": PASSWORD}),
            )
            .await,
        ),
        (
            "weak_password",
            app.post(
                "/api/v1/accounts",
                &Auth::None,
                json!({"email": "z@example.com", "password": "short"}),
            )
            .await,
        ),
        (
            "missing_field",
            post_json(&app, recharges, &ada, json!({})).await,
        ),
        (
            "invalid_json",
            post_json(&app, recharges, &ada, json!(["1"])).await,
        ),
        (
            "unauthenticated",
            app.get("/api/v1/wallet", &Auth::None).await,
        ),
        (
            "invalid_credentials",
            app.post(
                "/api/v1/sessions",
                &Auth::None,
                json!({"email": "ada@example.com", "password": "wrong password!"}),
            )
            .await,
        ),
        (
            "insufficient_funds",
            post_json(&app, &fundings, &ada, json!({"amount": "500"})).await,
        ),
        (
            "forbidden",
            app.post("/api/v1/holds", &ada, json!({})).await,
        ),
        (
            "not_found",
            app.get(&hold_path.replace("/holds/", "/holds/9"), &ada)
                .await,
        ),
        (
            "wallet_not_found",
            app.get("/api/v1/wallet", &newcomer).await,
        ),
        (
            "unknown_model",
            app.get("/api/v1/models/nope/funding", &ada).await,
        ),
        (
            "email_taken",
            app.post(
                "/api/v1/accounts",
                &Auth::None,
                json!({"email": "ada@example.com", "password": PASSWORD}),
            )
            .await,
        ),
        (
            "wallet_exists",
            post_json(
                &app,
                "/api/v1/wallet",
                &ada,
                json!({"passphrase": PASSPHRASE}),
            )
            .await,
        ),
        (
            "hold_not_open",
            app.post(
                &format!("{hold_path}/settle"),
                &metering(),
                json!({"input_tokens": 1, "output_tokens": 1}),
            )
            .await,
        ),
        (
            "idempotency_key_reused",
            send(
                &app,
                Method::POST,
                recharges,
                &ada,
                Some(json!({"amount": "2"})),
                Some("k"),
            )
            .await,
        ),
        (
            "body_too_large",
            post_json(
                &app,
                recharges,
                &ada,
                json!({"amount": "1", "pad": "x".repeat(70_000)}),
            )
            .await,
        ),
        (
            "below_minimum",
            post_json(&app, &fundings, &ada, json!({"amount": "1"})).await,
        ),
        (
            "exceeds_refundable",
            post_json(&app, &refunds, &ada, json!({"amount": "30"})).await,
        ),
        (
            "nothing_refundable",
            post_json(&app, &other_refunds, &ada, json!({"amount": "all"})).await,
        ),
    ];
    for _ in 0..5 {
        post_json(
            &app,
            "/api/v1/wallet/unlock",
            &ada,
            json!({"passphrase": "wrong passphrase"}),
        )
        .await;
    }
    reached.push((
        "too_many_attempts",
        post_json(
            &app,
            "/api/v1/wallet/unlock",
            &ada,
            json!({"passphrase": "wrong passphrase"}),
        )
        .await,
    ));
    post_json(&app, "/api/v1/wallet/lock", &ada, json!({})).await;
    reached.push((
        "wallet_locked",
        post_json(&app, recharges, &ada, json!({"amount": "1"})).await,
    ));
    let newcomer_wallet = json!({"passphrase": PASSPHRASE});
    post_json(&app, "/api/v1/wallet", &newcomer, newcomer_wallet).await;
    reached.push((
        "wrong_passphrase",
        post_json(
            &app,
            "/api/v1/wallet/unlock",
            &newcomer,
            json!({"passphrase": "not it at all"}),
        )
        .await,
    ));

    let mut seen = BTreeSet::new();
    for (expected_code, response) in reached {
        let retry_after = response.headers().get(RETRY_AFTER).cloned();
        let (status, code, message, _) = error_of(response).await;
        let expected_status = TABLE.iter().find(|(_, c)| *c == expected_code).unwrap().0;
        assert_eq!(
            (status.as_u16(), code.as_str()),
            (expected_status, expected_code),
            "{message}"
        );
        assert!(!message.is_empty(), "{code}");
        if code == "too_many_attempts" {
            assert!(retry_after.is_some(), "429 carries Retry-After");
        }
        seen.insert(code);
    }
    let table: BTreeSet<String> = TABLE.iter().map(|(_, code)| (*code).to_owned()).collect();
    assert_eq!(seen, table);
    app.stop().await;
}

#[tokio::test]
async fn unexpected_codes_outside_the_table_keep_a_status_of_their_kind() {
    let app = spawn_metered().await;
    let auth = app.sign_up("ada@example.com").await;
    let user = user_id(&app, &auth).await;

    let auto_lock = post_json(
        &app,
        "/api/v1/wallet",
        &auth,
        json!({"passphrase": PASSPHRASE, "auto_lock_minutes": 0}),
    )
    .await;
    let passphrase = post_json(
        &app,
        "/api/v1/wallet",
        &auth,
        json!({"passphrase": "short"}),
    )
    .await;
    let ttl = app
        .post(
            "/api/v1/holds",
            &metering(),
            json!({"user_id": user, "model_id": MODEL, "amount": "1", "ttl_seconds": 0}),
        )
        .await;

    for (response, code, field) in [
        (auto_lock, "invalid_auto_lock_minutes", "auto_lock_minutes"),
        (passphrase, "weak_passphrase", "passphrase"),
        (ttl, "invalid_ttl_seconds", "ttl_seconds"),
    ] {
        let (status, actual_code, _, actual_field) = error_of(response).await;
        assert_eq!(
            (status, actual_code.as_str(), actual_field.as_deref()),
            (StatusCode::BAD_REQUEST, code, Some(field))
        );
    }
    app.stop().await;
}
