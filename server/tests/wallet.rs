//! The API's "Wallet" section on the real server: setup, reads, unlock and lock, recharge and
//! withdraw, the auto-lock and the lock at logout.

mod money;
mod support;

use money::{
    PASSPHRASE, get_json, json_of, post_json, recharge, user_with_funds, user_with_wallet,
    wallet_of,
};
use reqwest::header::RETRY_AFTER;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Auth, TestApp, error_of};
use time::Duration;

#[tokio::test]
async fn creating_a_wallet_answers_201_with_an_unlocked_empty_wallet() {
    let app = TestApp::spawn().await;
    let auth = app.sign_up("ada@example.com").await;

    let response = post_json(
        &app,
        "/api/v1/wallet",
        &auth,
        json!({"passphrase": PASSPHRASE, "auto_lock_minutes": 15}),
    )
    .await;

    let body = json_of(response, StatusCode::CREATED, "create").await;
    let wallet = &body["wallet"];
    assert_eq!(wallet["currency"], "USD");
    assert_eq!(wallet["balance"], "0.00");
    assert_eq!(wallet["locked"], false);
    assert_eq!(wallet["auto_lock_minutes"], 15);
    assert_eq!(wallet["unlocked_until"], "2026-01-01T00:15:00Z");
    assert_eq!(wallet_of(&app, &auth).await, *wallet);
    app.stop().await;
}

#[tokio::test]
async fn auto_lock_minutes_default_to_ten() {
    let app = TestApp::spawn().await;
    let auth = app.sign_up("ada@example.com").await;

    let response = post_json(
        &app,
        "/api/v1/wallet",
        &auth,
        json!({"passphrase": PASSPHRASE}),
    )
    .await;

    let body = json_of(response, StatusCode::CREATED, "create").await;
    assert_eq!(body["wallet"]["auto_lock_minutes"], 10);
    app.stop().await;
}

#[tokio::test]
async fn each_wallet_setup_rule_is_answered_with_its_status_code_and_field() {
    let app = TestApp::spawn().await;
    let auth = app.sign_up("ada@example.com").await;
    let cases = [
        (
            json!({"passphrase": "short"}),
            400,
            "weak_passphrase",
            "passphrase",
        ),
        (
            json!({"passphrase": "x".repeat(129)}),
            400,
            "weak_passphrase",
            "passphrase",
        ),
        (
            json!({"passphrase": 12345678}),
            400,
            "weak_passphrase",
            "passphrase",
        ),
        (json!({}), 400, "missing_field", "passphrase"),
        (
            json!({"passphrase": null}),
            400,
            "missing_field",
            "passphrase",
        ),
        (
            json!({"passphrase": PASSPHRASE, "auto_lock_minutes": 0}),
            400,
            "invalid_auto_lock_minutes",
            "auto_lock_minutes",
        ),
        (
            json!({"passphrase": PASSPHRASE, "auto_lock_minutes": 61}),
            400,
            "invalid_auto_lock_minutes",
            "auto_lock_minutes",
        ),
        (
            json!({"passphrase": PASSPHRASE, "auto_lock_minutes": -1}),
            400,
            "invalid_auto_lock_minutes",
            "auto_lock_minutes",
        ),
        (
            json!({"passphrase": PASSPHRASE, "auto_lock_minutes": 1_u64 << 40}),
            400,
            "invalid_auto_lock_minutes",
            "auto_lock_minutes",
        ),
        (
            json!({"passphrase": PASSPHRASE, "auto_lock_minutes": "10"}),
            400,
            "invalid_json",
            "auto_lock_minutes",
        ),
        (
            json!({"passphrase": PASSPHRASE, "auto_lock_minutes": 2.5}),
            400,
            "invalid_json",
            "auto_lock_minutes",
        ),
    ];

    for (body, status, code, field) in cases {
        let response = post_json(&app, "/api/v1/wallet", &auth, body.clone()).await;

        let (actual_status, actual_code, _, actual_field) = error_of(response).await;
        assert_eq!(
            (
                actual_status.as_u16(),
                actual_code.as_str(),
                actual_field.as_deref()
            ),
            (status, code, Some(field)),
            "case {body}"
        );
    }
    let response = app.get("/api/v1/wallet", &auth).await;
    let (status, code, _, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "wallet_not_found")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_second_wallet_is_refused_with_409() {
    let app = TestApp::spawn().await;
    let auth = user_with_wallet(&app, "ada@example.com").await;

    let response = post_json(
        &app,
        "/api/v1/wallet",
        &auth,
        json!({"passphrase": PASSPHRASE}),
    )
    .await;

    let (status, code, _, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "wallet_exists")
    );
    app.stop().await;
}

#[tokio::test]
async fn wallet_endpoints_need_a_user() {
    let app = TestApp::spawn().await;

    for (method, path) in [
        (Method::POST, "/api/v1/wallet"),
        (Method::GET, "/api/v1/wallet"),
        (Method::POST, "/api/v1/wallet/unlock"),
        (Method::POST, "/api/v1/wallet/lock"),
        (Method::POST, "/api/v1/wallet/recharges"),
        (Method::POST, "/api/v1/wallet/withdrawals"),
    ] {
        let response = app
            .request(method.clone(), path, &Auth::None, Some(json!({})))
            .await;

        let (status, code, _, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNAUTHORIZED, "unauthenticated"),
            "{path}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn recharge_and_withdraw_move_the_wallet_balance_and_name_their_entry() {
    let app = TestApp::spawn().await;
    let auth = user_with_wallet(&app, "ada@example.com").await;

    let recharged = recharge(&app, &auth, "100.50").await;
    let response = post_json(
        &app,
        "/api/v1/wallet/withdrawals",
        &auth,
        json!({"amount": "40"}),
    )
    .await;

    let withdrawn = json_of(response, StatusCode::CREATED, "withdraw").await;
    assert!(recharged["entry_id"].is_string());
    assert_eq!(recharged["wallet"]["balance"], "100.50");
    assert_eq!(withdrawn["wallet"]["balance"], "60.50");
    assert_ne!(recharged["entry_id"], withdrawn["entry_id"]);
    assert_eq!(wallet_of(&app, &auth).await["balance"], "60.50");
    app.stop().await;
}

#[tokio::test]
async fn withdrawing_more_than_the_wallet_holds_is_402_naming_the_shortfall() {
    let app = TestApp::spawn().await;
    let auth = user_with_funds(&app, "ada@example.com", "10").await;

    let response = post_json(
        &app,
        "/api/v1/wallet/withdrawals",
        &auth,
        json!({"amount": "12.50"}),
    )
    .await;

    let (status, code, message, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYMENT_REQUIRED, "insufficient_funds")
    );
    assert!(message.contains("2.50"), "{message}");
    app.stop().await;
}

#[tokio::test]
async fn lock_and_unlock_switch_the_wallet() {
    let app = TestApp::spawn().await;
    let auth = user_with_wallet(&app, "ada@example.com").await;

    let locked = json_of(
        post_json(&app, "/api/v1/wallet/lock", &auth, json!({})).await,
        StatusCode::OK,
        "lock",
    )
    .await;
    let unlocked = json_of(
        post_json(
            &app,
            "/api/v1/wallet/unlock",
            &auth,
            json!({"passphrase": PASSPHRASE}),
        )
        .await,
        StatusCode::OK,
        "unlock",
    )
    .await;

    assert_eq!(locked["wallet"]["locked"], true);
    assert_eq!(locked["wallet"]["unlocked_until"], serde_json::Value::Null);
    assert_eq!(unlocked["wallet"]["locked"], false);
    app.stop().await;
}

#[tokio::test]
async fn a_locked_wallet_refuses_every_movement_with_423_but_still_reads() {
    let app = TestApp::spawn().await;
    let auth = user_with_funds(&app, "ada@example.com", "100").await;
    money::fund(&app, &auth, money::MODEL, "50").await;
    post_json(&app, "/api/v1/wallet/lock", &auth, json!({})).await;
    let movements = [
        "/api/v1/wallet/recharges".to_owned(),
        "/api/v1/wallet/withdrawals".to_owned(),
        format!("/api/v1/models/{}/fundings", money::MODEL),
        format!("/api/v1/models/{}/refunds", money::MODEL),
    ];

    for path in &movements {
        let response = post_json(&app, path, &auth, json!({"amount": "10"})).await;

        let (status, code, message, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::LOCKED, "wallet_locked"),
            "{path}"
        );
        assert!(message.contains("unlock"), "{path}: {message}");
    }
    assert_eq!(wallet_of(&app, &auth).await["balance"], "50.00");
    app.stop().await;
}

#[tokio::test]
async fn the_wallet_locks_itself_after_its_auto_lock_minutes_without_a_wallet_action() {
    let app = TestApp::spawn().await;
    let auth = app.sign_up("ada@example.com").await;
    post_json(
        &app,
        "/api/v1/wallet",
        &auth,
        json!({"passphrase": PASSPHRASE, "auto_lock_minutes": 5}),
    )
    .await;

    app.clock.advance(Duration::minutes(4));
    let still_open = recharge(&app, &auth, "10").await;
    app.clock
        .advance(Duration::minutes(5) + Duration::seconds(1));
    let response = post_json(
        &app,
        "/api/v1/wallet/recharges",
        &auth,
        json!({"amount": "10"}),
    )
    .await;

    assert_eq!(
        still_open["wallet"]["unlocked_until"],
        "2026-01-01T00:09:00Z"
    );
    let (status, code, _, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::LOCKED, "wallet_locked")
    );
    assert_eq!(wallet_of(&app, &auth).await["locked"], true);
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_passphrase_is_401_and_the_sixth_try_in_a_row_is_429_with_retry_after() {
    let app = TestApp::spawn().await;
    let auth = user_with_wallet(&app, "ada@example.com").await;
    let wrong = json!({"passphrase": "not the passphrase"});

    for attempt in 1..=5 {
        let response = post_json(&app, "/api/v1/wallet/unlock", &auth, wrong.clone()).await;

        let (status, code, _, field) = error_of(response).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (
                StatusCode::UNAUTHORIZED,
                "wrong_passphrase",
                Some("passphrase")
            ),
            "attempt {attempt}"
        );
    }
    let response = post_json(
        &app,
        "/api/v1/wallet/unlock",
        &auth,
        json!({"passphrase": PASSPHRASE}),
    )
    .await;

    let retry_after: i64 = response.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    let (status, code, _, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
    );

    app.clock
        .advance(Duration::minutes(15) + Duration::seconds(1));
    let response = post_json(
        &app,
        "/api/v1/wallet/unlock",
        &auth,
        json!({"passphrase": PASSPHRASE}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "the pause ends");
    app.stop().await;
}

#[tokio::test]
async fn logging_out_locks_the_wallet() {
    let app = TestApp::spawn().await;
    let auth = user_with_wallet(&app, "ada@example.com").await;
    let key = money::api_key(&app, &auth).await;

    let response = app
        .request(Method::DELETE, "/api/v1/sessions/current", &auth, None)
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(wallet_of(&app, &key).await["locked"], true);
    app.stop().await;
}

#[tokio::test]
async fn logging_out_through_the_page_locks_the_wallet_too() {
    let app = TestApp::spawn().await;
    let auth = user_with_wallet(&app, "ada@example.com").await;
    let key = money::api_key(&app, &auth).await;
    let Auth::Cookie(cookie) = &auth else {
        unreachable!("sign-up answers with a cookie")
    };

    let response = app
        .client()
        .post(app.url("/fn/log_out"))
        .header("Cookie", cookie)
        .header("Accept", "text/html")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();

    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(wallet_of(&app, &key).await["locked"], true);
    let me = app.get("/api/v1/me", &auth).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "the session ended");
    app.stop().await;
}

#[tokio::test]
async fn logging_out_without_a_wallet_still_works() {
    let app = TestApp::spawn().await;
    let auth = app.sign_up("ada@example.com").await;

    let response = app
        .request(Method::DELETE, "/api/v1/sessions/current", &auth, None)
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    app.stop().await;
}

#[tokio::test]
async fn me_reports_each_setup_step_as_it_is_done() {
    let app = TestApp::spawn().await;
    let auth = app.sign_up("ada@example.com").await;
    let setup = |me: serde_json::Value| me["setup"].clone();

    let fresh = setup(get_json(&app, "/api/v1/me", &auth).await);
    post_json(
        &app,
        "/api/v1/wallet",
        &auth,
        json!({"passphrase": PASSPHRASE}),
    )
    .await;
    recharge(&app, &auth, "50").await;
    let primary = json_of(
        app.request(
            Method::PUT,
            "/api/v1/primary-model",
            &auth,
            Some(json!({"model_id": money::MODEL})),
        )
        .await,
        StatusCode::OK,
        "primary",
    )
    .await;
    let chosen = setup(get_json(&app, "/api/v1/me", &auth).await);
    money::fund(&app, &auth, money::MODEL, "10").await;
    let done = setup(get_json(&app, "/api/v1/me", &auth).await);

    assert_eq!(
        fresh,
        json!({"wallet_created": false, "wallet_recharged": false,
               "primary_model_id": null, "primary_model_funded": false})
    );
    assert_eq!(primary, json!({"primary_model_id": money::MODEL}));
    assert_eq!(
        chosen,
        json!({"wallet_created": true, "wallet_recharged": true,
               "primary_model_id": money::MODEL, "primary_model_funded": false})
    );
    assert_eq!(done["primary_model_funded"], true);
    app.stop().await;
}
