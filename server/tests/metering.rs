//! The API's "Usage metering" section on the real server: holds, settling, releasing, expiry,
//! direct usage, and who may call these endpoints.

mod money;
mod support;

use money::{
    METERING_TOKEN, MODEL, fund, funding_of, get_json, json_of, metering, place_hold,
    spawn_metered, user_id, user_with_funds,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Auth, TestApp, error_of};
use time::Duration;

/// A metered server and a user whose model has `funded` available.
async fn funded_user(funded: &str) -> (TestApp, Auth, String) {
    let app = spawn_metered().await;
    let auth = user_with_funds(&app, "ada@example.com", funded).await;
    fund(&app, &auth, MODEL, funded).await;
    let id = user_id(&app, &auth).await;
    (app, auth, id)
}

fn metering_requests(user: &str) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (
            Method::POST,
            "/api/v1/holds".to_owned(),
            Some(json!({"user_id": user, "model_id": MODEL, "amount": "1"})),
        ),
        (
            Method::POST,
            "/api/v1/holds/1/settle".to_owned(),
            Some(json!({"input_tokens": 1, "output_tokens": 1})),
        ),
        (Method::POST, "/api/v1/holds/1/release".to_owned(), None),
        (
            Method::POST,
            "/api/v1/usage".to_owned(),
            Some(
                json!({"user_id": user, "model_id": MODEL, "input_tokens": 1, "output_tokens": 1}),
            ),
        ),
    ]
}

#[tokio::test]
async fn a_hold_reserves_available_funding_until_it_is_settled() {
    let (app, auth, user) = funded_user("20").await;

    let response = app
        .post(
            "/api/v1/holds",
            &metering(),
            json!({"user_id": user, "model_id": MODEL, "amount": "5", "ttl_seconds": 120}),
        )
        .await;

    let placed = json_of(response, StatusCode::CREATED, "place").await;
    let hold = &placed["hold"];
    let id = hold["id"].as_str().unwrap().to_owned();
    assert_eq!(hold["status"], "open");
    assert_eq!(hold["amount"], "5.00");
    assert_eq!(hold["expires_at"], "2026-01-01T00:02:00Z");
    let funding = funding_of(&app, &auth, MODEL).await;
    assert_eq!(funding["held"], "5.00");
    assert_eq!(
        funding["holds"],
        json!([{"id": id, "amount": "5.00", "expires_at": "2026-01-01T00:02:00Z"}])
    );

    // 100,000 input tokens at 3.00 and 20,000 output tokens at 15.00 per million: 0.60.
    let response = app
        .post(
            &format!("/api/v1/holds/{id}/settle"),
            &metering(),
            json!({"input_tokens": 100_000, "output_tokens": 20_000}),
        )
        .await;

    let settled = json_of(response, StatusCode::OK, "settle").await;
    assert_eq!(settled["hold"]["status"], "settled");
    assert_eq!(settled["hold"]["charged"], "0.60");
    assert_eq!(settled["hold"]["released"], "4.40");
    let funding = funding_of(&app, &auth, MODEL).await;
    assert_eq!(funding["balance"], "19.40");
    assert_eq!(funding["held"], "0.00");
    app.stop().await;
}

#[tokio::test]
async fn settling_charges_at_most_the_hold_and_prices_below_a_cent_exactly() {
    let (app, auth, user) = funded_user("20").await;
    let small = json_of(
        place_hold(&app, &user, MODEL, "1").await,
        StatusCode::CREATED,
        "small",
    )
    .await["hold"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let capped = json_of(
        place_hold(&app, &user, MODEL, "1").await,
        StatusCode::CREATED,
        "capped",
    )
    .await["hold"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let tiny = app
        .post(
            &format!("/api/v1/holds/{small}/settle"),
            &metering(),
            json!({"input_tokens": 50, "output_tokens": 0}),
        )
        .await;
    let huge = app
        .post(
            &format!("/api/v1/holds/{capped}/settle"),
            &metering(),
            json!({"input_tokens": 10_000_000, "output_tokens": 0}),
        )
        .await;

    let tiny = json_of(tiny, StatusCode::OK, "tiny").await;
    assert_eq!(tiny["hold"]["charged"], "0.000150");
    let huge = json_of(huge, StatusCode::OK, "huge").await;
    assert_eq!(huge["hold"]["charged"], "1.00");
    assert_eq!(huge["hold"]["released"], "0.00");
    assert_eq!(funding_of(&app, &auth, MODEL).await["balance"], "18.999850");
    app.stop().await;
}

#[tokio::test]
async fn a_released_hold_returns_everything_and_cannot_be_settled_again() {
    let (app, auth, user) = funded_user("20").await;
    let placed = json_of(
        place_hold(&app, &user, MODEL, "7").await,
        StatusCode::CREATED,
        "hold",
    )
    .await;
    let id = placed["hold"]["id"].as_str().unwrap();

    let released = app
        .post(
            &format!("/api/v1/holds/{id}/release"),
            &metering(),
            json!({}),
        )
        .await;
    let again = app
        .post(
            &format!("/api/v1/holds/{id}/settle"),
            &metering(),
            json!({"input_tokens": 1, "output_tokens": 1}),
        )
        .await;

    let released = json_of(released, StatusCode::OK, "release").await;
    assert_eq!(released["hold"]["status"], "released");
    assert_eq!(released["hold"]["charged"], "0.00");
    assert_eq!(released["hold"]["released"], "7.00");
    let (status, code, _, _) = error_of(again).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "hold_not_open")
    );
    assert_eq!(funding_of(&app, &auth, MODEL).await["held"], "0.00");
    app.stop().await;
}

#[tokio::test]
async fn a_hold_past_its_ttl_counts_as_released_at_once_and_settling_it_is_409() {
    let (app, auth, user) = funded_user("20").await;
    let response = app
        .post(
            "/api/v1/holds",
            &metering(),
            json!({"user_id": user, "model_id": MODEL, "amount": "8", "ttl_seconds": 60}),
        )
        .await;
    let placed = json_of(response, StatusCode::CREATED, "hold").await;
    let id = placed["hold"]["id"].as_str().unwrap().to_owned();

    app.clock.advance(Duration::seconds(59));
    let before = funding_of(&app, &auth, MODEL).await;
    app.clock.advance(Duration::seconds(1));
    let after = funding_of(&app, &auth, MODEL).await;
    let shown = get_json(&app, &format!("/api/v1/holds/{id}"), &metering()).await;
    let settle = app
        .post(
            &format!("/api/v1/holds/{id}/settle"),
            &metering(),
            json!({"input_tokens": 1, "output_tokens": 1}),
        )
        .await;

    assert_eq!(before["held"], "8.00");
    assert_eq!(after["held"], "0.00");
    assert_eq!(after["holds"], json!([]));
    assert_eq!(shown["hold"]["status"], "released");
    assert_eq!(shown["hold"]["released"], "8.00");
    let (status, code, _, _) = error_of(settle).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "hold_not_open")
    );
    app.stop().await;
}

#[tokio::test]
async fn holds_last_600_seconds_by_default_and_1_to_3600_seconds_when_asked() {
    let (app, _auth, user) = funded_user("20").await;
    let meter = metering();
    let hold = |ttl: Value| {
        app.post(
            "/api/v1/holds",
            &meter,
            json!({"user_id": user, "model_id": MODEL, "amount": "1", "ttl_seconds": ttl}),
        )
    };

    let default = json_of(hold(Value::Null).await, StatusCode::CREATED, "default").await;

    assert_eq!(default["hold"]["expires_at"], "2026-01-01T00:10:00Z");
    for ttl in [json!(0), json!(3601), json!(-1), json!(1_u64 << 33)] {
        let (status, code, _, field) = error_of(hold(ttl.clone()).await).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (
                StatusCode::BAD_REQUEST,
                "invalid_ttl_seconds",
                Some("ttl_seconds")
            ),
            "ttl {ttl}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_hold_larger_than_available_funding_is_402() {
    let (app, _auth, user) = funded_user("20").await;

    let response = place_hold(&app, &user, MODEL, "20.01").await;

    let (status, code, message, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYMENT_REQUIRED, "insufficient_funds")
    );
    assert!(message.contains("0.01"), "{message}");
    app.stop().await;
}

#[tokio::test]
async fn holds_and_usage_for_an_unknown_user_or_model_are_404() {
    let (app, _auth, user) = funded_user("20").await;

    let cases = [
        (
            json!({"user_id": "999999", "model_id": MODEL, "amount": "1"}),
            "/api/v1/holds",
            "not_found",
        ),
        (
            json!({"user_id": "not-an-id", "model_id": MODEL, "amount": "1"}),
            "/api/v1/holds",
            "not_found",
        ),
        (
            json!({"user_id": user, "model_id": "nope", "amount": "1"}),
            "/api/v1/holds",
            "unknown_model",
        ),
        (
            json!({"user_id": "999999", "model_id": MODEL, "input_tokens": 1, "output_tokens": 1}),
            "/api/v1/usage",
            "not_found",
        ),
        (
            json!({"user_id": user, "model_id": "nope", "input_tokens": 1, "output_tokens": 1}),
            "/api/v1/usage",
            "unknown_model",
        ),
    ];
    for (body, path, expected) in cases {
        let (status, code, _, _) = error_of(app.post(path, &metering(), body.clone()).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::NOT_FOUND, expected),
            "{path} {body}"
        );
    }
    for path in [
        "/api/v1/holds/424242/release",
        "/api/v1/holds/x/release",
        "/api/v1/holds/424242",
    ] {
        let method = if path.ends_with("release") {
            Method::POST
        } else {
            Method::GET
        };
        let response = app.request(method, path, &metering(), None).await;
        let (status, code, _, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{path}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn token_counts_must_be_whole_numbers_of_zero_or_more_and_nothing_moves() {
    let (app, auth, user) = funded_user("20").await;
    let hold = json_of(
        place_hold(&app, &user, MODEL, "5").await,
        StatusCode::CREATED,
        "hold",
    )
    .await;
    let settle = format!(
        "/api/v1/holds/{}/settle",
        hold["hold"]["id"].as_str().unwrap()
    );
    let before = money::ledger_snapshot(&app, &auth).await;
    let cases = [
        (
            json!({"input_tokens": -1, "output_tokens": 0}),
            "input_tokens",
            "invalid_json",
        ),
        (
            json!({"input_tokens": 1.5, "output_tokens": 0}),
            "input_tokens",
            "invalid_json",
        ),
        (
            json!({"input_tokens": "10", "output_tokens": 0}),
            "input_tokens",
            "invalid_json",
        ),
        (json!({"input_tokens": 0}), "output_tokens", "missing_field"),
        (
            json!({"input_tokens": 0, "output_tokens": null}),
            "output_tokens",
            "missing_field",
        ),
        (
            json!({"input_tokens": true, "output_tokens": 0}),
            "input_tokens",
            "invalid_json",
        ),
        (
            json!({"input_tokens": [1], "output_tokens": 0}),
            "input_tokens",
            "invalid_json",
        ),
        (
            json!({"input_tokens": 0, "output_tokens": 1e30}),
            "output_tokens",
            "invalid_json",
        ),
        (
            json!({"input_tokens": u64::MAX, "output_tokens": 0}),
            "input_tokens",
            "invalid_json",
        ),
    ];

    for (path, base) in [
        ("/api/v1/usage", json!({"user_id": user, "model_id": MODEL})),
        (settle.as_str(), json!({})),
    ] {
        for (tokens, field, expected) in &cases {
            let mut body = base.clone();
            for (name, value) in tokens.as_object().unwrap() {
                body[name] = value.clone();
            }
            let response = app.post(path, &metering(), body).await;

            let (status, code, _, actual_field) = error_of(response).await;
            assert_eq!(
                (status, code.as_str(), actual_field.as_deref()),
                (StatusCode::BAD_REQUEST, *expected, Some(*field)),
                "{path}, case {tokens}"
            );
        }
    }
    assert_eq!(money::ledger_snapshot(&app, &auth).await, before);
    app.stop().await;
}

#[tokio::test]
async fn direct_usage_debits_available_funding_and_is_402_when_short() {
    let (app, auth, user) = funded_user("10").await;
    let meter = metering();
    let usage = |input: u64| {
        app.post(
            "/api/v1/usage",
            &meter,
            json!({"user_id": user, "model_id": MODEL, "input_tokens": input, "output_tokens": 0}),
        )
    };

    let used = json_of(usage(1_000_000).await, StatusCode::CREATED, "usage").await;
    let short = usage(3_000_000).await;

    assert!(used["entry_id"].is_string());
    assert_eq!(used["charged"], "3.00");
    let (status, code, _, _) = error_of(short).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYMENT_REQUIRED, "insufficient_funds")
    );
    assert_eq!(funding_of(&app, &auth, MODEL).await["balance"], "7.00");
    app.stop().await;
}

#[tokio::test]
async fn metering_endpoints_answer_404_when_no_metering_token_is_configured() {
    let app = TestApp::spawn().await;
    let auth = app.sign_up("ada@example.com").await;
    let user = user_id(&app, &auth).await;

    for (method, path, body) in metering_requests(&user) {
        for credential in [
            Auth::None,
            Auth::Bearer(METERING_TOKEN.to_owned()),
            auth.clone(),
        ] {
            let response = app
                .request(method.clone(), &path, &credential, body.clone())
                .await;

            let (status, code, _, _) = error_of(response).await;
            assert_eq!(
                (status, code.as_str()),
                (StatusCode::NOT_FOUND, "not_found"),
                "{path}"
            );
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn metering_endpoints_refuse_user_sessions_and_api_keys_with_403() {
    let (app, auth, user) = funded_user("20").await;
    let key = money::api_key(&app, &auth).await;

    for (method, path, body) in metering_requests(&user) {
        for (what, credential) in [("session", &auth), ("api key", &key)] {
            let response = app
                .request(method.clone(), &path, credential, body.clone())
                .await;

            let (status, code, _, _) = error_of(response).await;
            assert_eq!(
                (status, code.as_str()),
                (StatusCode::FORBIDDEN, "forbidden"),
                "{what} {path}"
            );
        }
    }
    assert_eq!(funding_of(&app, &auth, MODEL).await["held"], "0.00");
    app.stop().await;
}

#[tokio::test]
async fn metering_endpoints_refuse_a_missing_or_wrong_token_with_401() {
    let (app, _auth, user) = funded_user("20").await;
    let wrong = Auth::Bearer(format!("{METERING_TOKEN}x"));

    for (method, path, body) in metering_requests(&user) {
        for credential in [&Auth::None, &wrong, &Auth::Bearer(String::new())] {
            let response = app
                .request(method.clone(), &path, credential, body.clone())
                .await;

            let (status, code, _, _) = error_of(response).await;
            assert_eq!(
                (status, code.as_str()),
                (StatusCode::UNAUTHORIZED, "unauthenticated"),
                "{path} with {credential:?}"
            );
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_metering_token_is_no_user_credential() {
    let app = spawn_metered().await;

    let response = app.get("/api/v1/wallet", &metering()).await;

    let (status, code, _, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_user_sees_their_own_hold_and_gets_404_for_another_users_hold() {
    let (app, ada, ada_id) = funded_user("20").await;
    let bob = user_with_funds(&app, "bob@example.com", "20").await;
    let placed = json_of(
        place_hold(&app, &ada_id, MODEL, "3").await,
        StatusCode::CREATED,
        "hold",
    )
    .await;
    let path = format!("/api/v1/holds/{}", placed["hold"]["id"].as_str().unwrap());

    let own = app.get(&path, &ada).await;
    let other = app.get(&path, &bob).await;
    let nobody = app.get(&path, &Auth::None).await;

    assert_eq!(
        json_of(own, StatusCode::OK, "own").await["hold"]["amount"],
        "3.00"
    );
    let (status, code, _, _) = error_of(other).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (status, code, _, _) = error_of(nobody).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    let bob_funding = funding_of(&app, &bob, MODEL).await;
    assert_eq!(bob_funding["holds"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn the_sweeper_writes_the_release_of_an_expired_hold() {
    let (app, auth, user) = funded_user("20").await;
    let response = app
        .post(
            "/api/v1/holds",
            &metering(),
            json!({"user_id": user, "model_id": MODEL, "amount": "4", "ttl_seconds": 1}),
        )
        .await;
    json_of(response, StatusCode::CREATED, "hold").await;
    app.clock.advance(Duration::seconds(2));

    // The housekeeping task runs at start and then every minute of real time; restarting it is
    // not possible from outside, so the test asks the same service the task calls.
    let config = server::config::Config::from_lookup(|name| match name {
        "TWOFOLD_DATABASE_URL" => Some(format!("sqlite://{}", app.database_path.display())),
        _ => None,
    })
    .unwrap();
    let db = funding::db::Db::open(&config.database_url).await.unwrap();
    let service = funding::Funding::new(
        db.clone(),
        app.clock.clone(),
        config.settings,
        config.catalog,
    );
    server::housekeeping::run_once(&service).await;
    db.close().await;

    let kinds = money::entry_kinds(&app, &auth).await;
    assert_eq!(
        kinds.first().map(String::as_str),
        Some("hold_released"),
        "{kinds:?}"
    );
    app.stop().await;
}
