//! A table of malformed amounts and JSON shapes, sent to each endpoint that moves money: every
//! one is a 400 naming the `amount` field, and the ledger is unchanged afterwards.

mod money;
mod support;

use money::{MODEL, fund, ledger_snapshot, metering, post_json, spawn_metered_with, user_id};
use reqwest::StatusCode;
use serde_json::{Map, Value, json};
use support::{Auth, TestApp, error_of};

/// What the amount field holds in a case.
enum Shape {
    /// `"amount": "<text>"`.
    Text(&'static str),
    /// `"amount": <any JSON value>`.
    Json(Value),
    /// No `amount` at all.
    Missing,
}

/// (case, shape, expected code). Each would move money if the parser let it through.
fn cases() -> Vec<(&'static str, Shape, &'static str)> {
    use Shape::{Json, Missing, Text};
    let forty_digits: &'static str = "1234567890123456789012345678901234567890";
    vec![
        ("empty", Text(""), "invalid_amount"),
        ("a space", Text(" "), "invalid_amount"),
        ("negative", Text("-5"), "invalid_amount"),
        ("negative decimal", Text("-0.01"), "invalid_amount"),
        ("plus sign", Text("+5"), "invalid_amount"),
        ("negative zero", Text("-0"), "invalid_amount"),
        ("zero", Text("0"), "invalid_amount"),
        ("zero with decimals", Text("0.00"), "invalid_amount"),
        ("zeros", Text("000"), "invalid_amount"),
        ("exponent", Text("1e3"), "invalid_amount"),
        ("capital exponent", Text("1E3"), "invalid_amount"),
        ("decimal exponent", Text("0.5e1"), "invalid_amount"),
        ("comma separator", Text("1,000"), "invalid_amount"),
        ("decimal comma", Text("5,50"), "invalid_amount"),
        ("underscore separator", Text("1_000"), "invalid_amount"),
        ("apostrophe separator", Text("1'000"), "invalid_amount"),
        ("space separator", Text("1 000"), "invalid_amount"),
        (
            "no-break space separator",
            Text("1\u{a0}000"),
            "invalid_amount",
        ),
        ("leading space", Text(" 5"), "invalid_amount"),
        ("trailing space", Text("5 "), "invalid_amount"),
        ("leading tab", Text("\t5"), "invalid_amount"),
        ("trailing newline", Text("5\n"), "invalid_amount"),
        ("three decimals", Text("1.234"), "invalid_amount"),
        ("a tenth of a cent", Text("0.001"), "invalid_amount"),
        ("six decimals", Text("10.000001"), "invalid_amount"),
        ("trailing zero decimals", Text("10.000"), "invalid_amount"),
        (
            "just above the maximum",
            Text("100000.01"),
            "invalid_amount",
        ),
        ("above the maximum", Text("100001"), "invalid_amount"),
        ("a million", Text("1000000"), "invalid_amount"),
        ("forty digits", Text(forty_digits), "invalid_amount"),
        ("leading dot", Text(".5"), "invalid_amount"),
        ("trailing dot", Text("5."), "invalid_amount"),
        ("two dots", Text("1.2.3"), "invalid_amount"),
        ("a word", Text("five"), "invalid_amount"),
        ("NaN", Text("NaN"), "invalid_amount"),
        ("Infinity", Text("Infinity"), "invalid_amount"),
        ("hexadecimal", Text("0x10"), "invalid_amount"),
        (
            "Arabic-Indic digits",
            Text("\u{661}\u{662}"),
            "invalid_amount",
        ),
        ("fullwidth digits", Text("\u{ff15}"), "invalid_amount"),
        (
            "Devanagari digits",
            Text("\u{967}\u{966}"),
            "invalid_amount",
        ),
        ("superscript digit", Text("\u{b2}"), "invalid_amount"),
        ("currency symbol", Text("$5"), "invalid_amount"),
        ("currency code", Text("5 USD"), "invalid_amount"),
        ("percent", Text("5%"), "invalid_amount"),
        ("fraction", Text("1/2"), "invalid_amount"),
        ("parentheses", Text("(5)"), "invalid_amount"),
        ("double minus", Text("--5"), "invalid_amount"),
        ("NUL byte", Text("5\u{0}"), "invalid_amount"),
        ("JSON integer", Json(json!(5)), "invalid_amount"),
        ("JSON float", Json(json!(5.5)), "invalid_amount"),
        ("JSON negative", Json(json!(-5)), "invalid_amount"),
        ("JSON true", Json(json!(true)), "invalid_amount"),
        ("JSON array", Json(json!(["5"])), "invalid_amount"),
        ("JSON object", Json(json!({"value": "5"})), "invalid_amount"),
        ("JSON null", Json(Value::Null), "missing_field"),
        ("missing", Missing, "missing_field"),
    ]
}

/// A metered server with no lock window, so every endpoint could move money right away, and a
/// user with a wallet, a funded model and refundable funds.
async fn ready() -> (TestApp, Auth, String) {
    let app = spawn_metered_with(|config| config.settings.lock_window_seconds = 0).await;
    let auth = money::user_with_funds(&app, "ada@example.com", "5000").await;
    fund(&app, &auth, MODEL, "2000").await;
    let user = user_id(&app, &auth).await;
    (app, auth, user)
}

/// Sends every case to `path` with `base` as the rest of the body; asserts each is a 400 on
/// `amount` with its code and that the user's ledger did not change.
async fn assert_every_case_refused(
    app: &TestApp,
    owner: &Auth,
    caller: &Auth,
    path: &str,
    base: Value,
) {
    let before = ledger_snapshot(app, owner).await;
    let cases = cases();
    assert!(cases.len() >= 40, "the table has {} cases", cases.len());

    for (case, shape, expected) in cases {
        let mut body: Map<String, Value> = base.as_object().cloned().unwrap_or_default();
        match shape {
            Shape::Text(text) => body.insert("amount".to_owned(), json!(text)),
            Shape::Json(value) => body.insert("amount".to_owned(), value),
            Shape::Missing => body.remove("amount"),
        };

        let response = post_json(app, path, caller, Value::Object(body)).await;

        let (status, code, message, field) = error_of(response).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (StatusCode::BAD_REQUEST, expected, Some("amount")),
            "{path}, case {case:?}: {message}"
        );
        assert!(!message.is_empty(), "{path}, case {case:?}");
    }
    assert_eq!(
        ledger_snapshot(app, owner).await,
        before,
        "{path}: the ledger is unchanged"
    );
}

#[tokio::test]
async fn recharges_refuse_every_malformed_amount() {
    let (app, auth, _) = ready().await;

    assert_every_case_refused(&app, &auth, &auth, "/api/v1/wallet/recharges", json!({})).await;
    app.stop().await;
}

#[tokio::test]
async fn withdrawals_refuse_every_malformed_amount() {
    let (app, auth, _) = ready().await;

    assert_every_case_refused(&app, &auth, &auth, "/api/v1/wallet/withdrawals", json!({})).await;
    app.stop().await;
}

#[tokio::test]
async fn fundings_refuse_every_malformed_amount() {
    let (app, auth, _) = ready().await;
    let path = format!("/api/v1/models/{MODEL}/fundings");

    assert_every_case_refused(&app, &auth, &auth, &path, json!({})).await;
    app.stop().await;
}

#[tokio::test]
async fn refunds_refuse_every_malformed_amount_and_every_spelling_of_all_but_one() {
    let (app, auth, _) = ready().await;
    let path = format!("/api/v1/models/{MODEL}/refunds");

    assert_every_case_refused(&app, &auth, &auth, &path, json!({})).await;
    for spelling in ["ALL", "All", " all", "all ", "everything"] {
        let response = post_json(&app, &path, &auth, json!({"amount": spelling})).await;
        let (status, code, _, field) = error_of(response).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (StatusCode::BAD_REQUEST, "invalid_amount", Some("amount")),
            "spelling {spelling:?}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn holds_refuse_every_malformed_amount() {
    let (app, auth, user) = ready().await;
    let base = json!({"user_id": user, "model_id": MODEL});

    assert_every_case_refused(&app, &auth, &metering(), "/api/v1/holds", base).await;
    app.stop().await;
}

#[tokio::test]
async fn bodies_that_are_not_json_objects_are_refused_before_anything_moves() {
    let (app, auth, _) = ready().await;
    let before = ledger_snapshot(&app, &auth).await;
    let path = "/api/v1/wallet/recharges";
    let cookie = match &auth {
        Auth::Cookie(cookie) => cookie.clone(),
        _ => unreachable!("ready() signs up with a cookie"),
    };
    let cases: [(&str, &str, &str, StatusCode, &str); 5] = [
        (
            "not JSON",
            "application/json",
            "amount=10",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "a JSON string",
            "application/json",
            "\"10\"",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "a JSON array",
            "application/json",
            "[\"10\"]",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "truncated",
            "application/json",
            "{\"amount\": \"10\"",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "a form",
            "application/x-www-form-urlencoded",
            "amount=10",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ];

    for (case, content_type, body, expected_status, expected_code) in cases {
        let response = app
            .client()
            .post(app.url(path))
            .header("Cookie", &cookie)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();

        let (status, code, _, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (expected_status, expected_code),
            "case {case}"
        );
    }
    let huge = json!({"amount": "10", "padding": "x".repeat(70_000)});
    let (status, code, _, _) = error_of(post_json(&app, path, &auth, huge).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    );
    assert_eq!(ledger_snapshot(&app, &auth).await, before);
    app.stop().await;
}
