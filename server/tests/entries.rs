//! The API's "Ledger" section on the real server: entries page by page, filtered, and as CSV.

mod money;
mod support;

use money::{MODEL, OTHER_MODEL, fund, get_json, recharge, user_with_funds};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use support::{Auth, TestApp, error_of};

/// A user with a recharge of 100, fundings of 10 and 5 into two models and a second recharge.
async fn user_with_history(app: &TestApp, email: &str) -> Auth {
    let auth = user_with_funds(app, email, "100").await;
    fund(app, &auth, MODEL, "10").await;
    fund(app, &auth, OTHER_MODEL, "5").await;
    recharge(app, &auth, "1.25").await;
    auth
}

fn ids(page: &Value) -> Vec<String> {
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn entries_come_newest_first_with_the_balances_after_each() {
    let app = TestApp::spawn().await;
    let auth = user_with_history(&app, "ada@example.com").await;

    let page = get_json(&app, "/api/v1/entries", &auth).await;

    let entries = page["entries"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|entry| entry["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["recharge", "funding", "funding", "recharge"]);
    assert_eq!(page["next_before"], Value::Null);
    let funding = &entries[2];
    assert_eq!(funding["model_id"], MODEL);
    assert_eq!(funding["amount"], "10.00");
    assert_eq!(funding["fee"], "0.00");
    assert_eq!(funding["wallet_balance_after"], "90.00");
    assert_eq!(funding["model_balance_after"], "10.00");
    assert_eq!(funding["created_at"], "2026-01-01T00:00:00Z");
    assert!(funding["id"].is_string());
    let first = &entries[3];
    assert_eq!(first["model_id"], Value::Null);
    assert_eq!(first["model_balance_after"], Value::Null);
    assert_eq!(
        first["test_money"], true,
        "sandbox recharges say they are test money"
    );
    assert_eq!(entries[0]["wallet_balance_after"], "86.25");
    app.stop().await;
}

#[tokio::test]
async fn pages_follow_next_before_until_the_oldest_entry() {
    let app = TestApp::spawn().await;
    let auth = user_with_history(&app, "ada@example.com").await;
    let all = ids(&get_json(&app, "/api/v1/entries", &auth).await);

    let first = get_json(&app, "/api/v1/entries?limit=3", &auth).await;
    let before = first["next_before"].as_str().unwrap().to_owned();
    let second = get_json(
        &app,
        &format!("/api/v1/entries?limit=3&before={before}"),
        &auth,
    )
    .await;

    assert_eq!(ids(&first), all[..3]);
    assert_eq!(before, all[2]);
    assert_eq!(ids(&second), all[3..]);
    assert_eq!(second["next_before"], Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn entries_filter_by_model_and_kind_and_empty_parameters_mean_none() {
    let app = TestApp::spawn().await;
    let auth = user_with_history(&app, "ada@example.com").await;

    let by_model = get_json(&app, &format!("/api/v1/entries?model_id={MODEL}"), &auth).await;
    let by_kind = get_json(&app, "/api/v1/entries?kind=recharge", &auth).await;
    let empty = get_json(&app, "/api/v1/entries?model_id=&limit=&before=", &auth).await;

    assert_eq!(by_model["entries"].as_array().unwrap().len(), 1);
    assert_eq!(by_model["entries"][0]["model_id"], MODEL);
    assert_eq!(by_kind["entries"].as_array().unwrap().len(), 2);
    assert_eq!(empty["entries"].as_array().unwrap().len(), 4);
    app.stop().await;
}

#[tokio::test]
async fn bad_query_parameters_are_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let auth = app.sign_up("ada@example.com").await;
    let cases = [
        ("kind=gift", "kind"),
        ("kind=RECHARGE", "kind"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("limit=1.5", "limit"),
        ("before=abc", "before"),
        ("before=-", "before"),
        ("before=99999999999999999999999", "before"),
    ];

    for (query, field) in cases {
        let response = app.get(&format!("/api/v1/entries?{query}"), &auth).await;

        let (status, code, _, actual_field) = error_of(response).await;
        assert_eq!(
            (status, code.as_str(), actual_field.as_deref()),
            (StatusCode::BAD_REQUEST, "invalid_query", Some(field)),
            "case {query}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_csv_export_has_a_header_and_every_entry() {
    let app = TestApp::spawn().await;
    let auth = user_with_history(&app, "ada@example.com").await;
    let listed = get_json(&app, "/api/v1/entries", &auth).await;

    let response = app.get("/api/v1/entries.csv", &auth).await;

    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header[..8],
        [
            "id",
            "kind",
            "created_at",
            "model_id",
            "amount",
            "fee",
            "wallet_balance_after",
            "model_balance_after"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    for (row, entry) in rows.iter().zip(listed["entries"].as_array().unwrap()) {
        assert_eq!(row.get(0), entry["id"].as_str());
        assert_eq!(row.get(1), entry["kind"].as_str());
        assert_eq!(row.get(4), entry["amount"].as_str());
        assert_eq!(row.get(6), entry["wallet_balance_after"].as_str());
        assert_eq!(
            row.get(7),
            Some(entry["model_balance_after"].as_str().unwrap_or(""))
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_user_sees_none_of_another_users_entries_and_gets_404_for_each() {
    let app = TestApp::spawn().await;
    let ada = user_with_history(&app, "ada@example.com").await;
    let bob = app.sign_up("bob@example.com").await;
    let ada_ids = ids(&get_json(&app, "/api/v1/entries", &ada).await);
    let newest = &ada_ids[0];
    let after_newest = newest.parse::<i64>().unwrap() + 1;

    let listed = get_json(&app, "/api/v1/entries", &bob).await;
    let paged = get_json(
        &app,
        &format!("/api/v1/entries?before={after_newest}"),
        &bob,
    )
    .await;
    let filtered = get_json(&app, &format!("/api/v1/entries?model_id={MODEL}"), &bob).await;
    let csv = app
        .get("/api/v1/entries.csv", &bob)
        .await
        .text()
        .await
        .unwrap();

    assert_eq!(listed["entries"], json!([]));
    assert_eq!(paged["entries"], json!([]));
    assert_eq!(filtered["entries"], json!([]));
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
    let own = app.get(&format!("/api/v1/entries/{newest}"), &ada).await;
    assert_eq!(own.status(), StatusCode::OK);
    let own: Value = own.json().await.unwrap();
    assert_eq!(own["entry"]["id"], json!(newest));
    for id in &ada_ids {
        let response = app.get(&format!("/api/v1/entries/{id}"), &bob).await;
        let (status, code, _, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::NOT_FOUND, "not_found"),
            "entry {id}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn entries_need_a_user() {
    let app = TestApp::spawn().await;

    for path in ["/api/v1/entries", "/api/v1/entries.csv"] {
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
