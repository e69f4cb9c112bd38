//! `GET /metrics` on the real server: request counts and latencies by route, money movements by
//! kind.

mod money;
mod support;

use money::{MODEL, fund, user_with_funds};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use support::{Auth, TestApp};

async fn scrape(app: &TestApp) -> String {
    let response = app.get("/metrics", &Auth::None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    response.text().await.unwrap()
}

/// The value of the sample whose line starts with `series` (name and labels, in the exporter's
/// label order).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| line.starts_with(name) && !line.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let rest = series.strip_prefix(name)?;
            let matches = (rest.is_empty() && labels.is_empty())
                || (rest.starts_with('{')
                    && labels
                        .iter()
                        .all(|(key, value)| rest.contains(&format!("{key}=\"{value}\""))));
            matches.then(|| value.parse().ok()).flatten()
        })
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_time_them() {
    let app = TestApp::spawn().await;
    let auth = user_with_funds(&app, "ada@example.com", "100").await;
    fund(&app, &auth, MODEL, "10").await;
    app.get("/api/v1/models/no-such-model/funding", &auth).await;
    app.get("/api/v1/models/claude-haiku-4-5/funding", &auth)
        .await;

    let text = scrape(&app).await;

    let route = "/api/v1/models/{model_id}/funding";
    let found = sample(
        &text,
        "twofold_http_requests_total",
        &[("route", route), ("status", "404")],
    );
    let ok = sample(
        &text,
        "twofold_http_requests_total",
        &[("route", route), ("status", "200")],
    );
    assert_eq!(found, Some(1.0), "{text}");
    assert_eq!(ok, Some(1.0), "{text}");
    let recharges = [
        ("route", "/api/v1/wallet/recharges"),
        ("method", "POST"),
        ("status", "201"),
    ];
    assert_eq!(
        sample(&text, "twofold_http_requests_total", &recharges),
        Some(1.0),
        "{text}"
    );
    let buckets = "twofold_http_request_duration_seconds_bucket";
    assert!(
        sample(
            &text,
            buckets,
            &[("route", "/api/v1/wallet/recharges"), ("le", "+Inf")]
        )
        .is_some(),
        "{text}"
    );
    assert!(
        !text.contains("no-such-model"),
        "raw paths never become labels: {text}"
    );
    app.stop().await;
}

#[tokio::test]
async fn metrics_show_money_movements_by_kind_with_their_amounts() {
    let app = TestApp::spawn().await;
    let auth = user_with_funds(&app, "ada@example.com", "100").await;
    money::recharge(&app, &auth, "0.50").await;
    fund(&app, &auth, MODEL, "10").await;

    let text = scrape(&app).await;

    let count = |kind| sample(&text, "twofold_money_movements_total", &[("kind", kind)]);
    let micros = |kind| sample(&text, "twofold_money_moved_micros_total", &[("kind", kind)]);
    assert_eq!(count("recharge"), Some(2.0), "{text}");
    assert_eq!(micros("recharge"), Some(100_500_000.0), "{text}");
    assert_eq!(count("funding"), Some(1.0), "{text}");
    assert_eq!(micros("funding"), Some(10_000_000.0), "{text}");
    assert_eq!(count("refund"), Some(0.0), "{text}");
    app.stop().await;
}

#[tokio::test]
async fn each_server_keeps_its_own_numbers() {
    let busy = TestApp::spawn().await;
    let quiet = TestApp::spawn().await;
    user_with_funds(&busy, "ada@example.com", "100").await;

    let text = scrape(&quiet).await;

    let recharges = [("route", "/api/v1/wallet/recharges")];
    assert_eq!(
        sample(&text, "twofold_http_requests_total", &recharges),
        None,
        "{text}"
    );
    busy.stop().await;
    quiet.stop().await;
}
