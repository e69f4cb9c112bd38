//! Health, security headers and unknown routes on the real server.

mod support;

use reqwest::{Method, StatusCode};
use support::{Auth, TestApp, error_of};

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    let app = TestApp::spawn().await;

    let response = app.get("/healthz", &Auth::None).await;

    assert_eq!(response.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;

    for path in ["/healthz", "/login", "/api/v1/me", "/no-such-page"] {
        let response = app.get(path, &Auth::None).await;

        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
    app.stop().await;
}

#[tokio::test]
async fn pages_allow_only_their_own_nonced_script() {
    let app = TestApp::spawn().await;

    let response = app.get("/login", &Auth::None).await;

    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = response.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
}

#[tokio::test]
async fn unknown_api_paths_are_404_in_the_error_envelope() {
    let app = TestApp::spawn().await;

    let response = app.get("/api/v1/nothing-here", &Auth::None).await;

    let (status, code, _, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_method_on_an_api_path_is_405_in_the_error_envelope() {
    let app = TestApp::spawn().await;

    let response = app
        .request(Method::PUT, "/api/v1/accounts", &Auth::None, None)
        .await;

    let allow = response.headers().get("allow").cloned();
    let (status, code, _, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    assert_eq!(allow.as_ref().and_then(|v| v.to_str().ok()), Some("POST"));
    app.stop().await;
}

#[tokio::test]
async fn unknown_pages_are_404_with_a_page() {
    let app = TestApp::spawn().await;

    let response = app.get("/no-such-page", &Auth::None).await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Page not found"));
    app.stop().await;
}

#[tokio::test]
async fn the_log_in_page_renders_without_javascript() {
    let app = TestApp::spawn().await;

    let response = app.get("/login", &Auth::None).await;

    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("<form"), "a real form");
    assert!(html.contains("action=\"/fn/log_in\""), "{html}");
    assert!(
        html.contains("<label for=\"field-email\""),
        "labelled fields"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_home_page_sends_visitors_to_log_in() {
    let app = TestApp::spawn().await;

    let response = app
        .client()
        .get(app.url("/"))
        .header("Accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/login");
    app.stop().await;
}
