//! Helpers for the tests of the money endpoints: a server with metering on, users with a
//! wallet and funds, requests with an `Idempotency-Key`, and snapshots of what a user's ledger
//! shows.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the helpers"
)]

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use server::config::Config;

use crate::support::{Auth, TestApp};

/// The metering token the metered test servers are configured with.
pub const METERING_TOKEN: &str = "test-metering-token-0123456789abcdef";

/// A wallet passphrase that passes the length rule.
pub const PASSPHRASE: &str = "open sesame, twofold";

/// A model of the built-in catalog: minimum initial 10.00, minimum top-up 5.00, 3.00 per
/// million input tokens and 15.00 per million output tokens.
pub const MODEL: &str = "claude-sonnet-4-5";

/// Another built-in model: minimum initial 5.00, top-up 2.00.
pub const OTHER_MODEL: &str = "gpt-4o-mini";

pub fn metering() -> Auth {
    Auth::Bearer(METERING_TOKEN.to_owned())
}

/// A server with metering on.
pub async fn spawn_metered() -> TestApp {
    spawn_metered_with(|_| {}).await
}

pub async fn spawn_metered_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::spawn_with(|config| {
        config.metering_token = Some(METERING_TOKEN.to_owned());
        adjust(config);
    })
    .await
}

/// Sends a request with an optional JSON body and an optional `Idempotency-Key`.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    auth: &Auth,
    body: Option<Value>,
    idempotency_key: Option<&str>,
) -> Response {
    let mut request = app.client().request(method, app.url(path));
    request = match auth {
        Auth::None => request,
        Auth::Cookie(cookie) => request.header("Cookie", cookie),
        Auth::Bearer(token) => request.bearer_auth(token),
    };
    if let Some(key) = idempotency_key {
        request = request.header("Idempotency-Key", key);
    }
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    request.send().await.expect("the server answers")
}

/// The JSON body of a response that must have `expected` status; says what came instead.
pub async fn json_of(response: Response, expected: StatusCode, what: &str) -> Value {
    let status = response.status();
    let text = response.text().await.expect("a body");
    assert_eq!(status, expected, "{what}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{what}: {error}: {text}"))
}

pub async fn post_json(app: &TestApp, path: &str, auth: &Auth, body: Value) -> Response {
    send(app, Method::POST, path, auth, Some(body), None).await
}

pub async fn get_json(app: &TestApp, path: &str, auth: &Auth) -> Value {
    json_of(app.get(path, auth).await, StatusCode::OK, path).await
}

/// Signs up and creates an (unlocked) wallet.
pub async fn user_with_wallet(app: &TestApp, email: &str) -> Auth {
    let auth = app.sign_up(email).await;
    let response = post_json(
        app,
        "/api/v1/wallet",
        &auth,
        json!({"passphrase": PASSPHRASE, "auto_lock_minutes": 30}),
    )
    .await;
    json_of(response, StatusCode::CREATED, "create the wallet").await;
    auth
}

/// Signs up, creates a wallet and recharges it with `amount`.
pub async fn user_with_funds(app: &TestApp, email: &str, amount: &str) -> Auth {
    let auth = user_with_wallet(app, email).await;
    recharge(app, &auth, amount).await;
    auth
}

/// Unlocks the wallet, as a person does after the auto-lock.
pub async fn unlock(app: &TestApp, auth: &Auth) {
    let body = json!({"passphrase": PASSPHRASE});
    let response = post_json(app, "/api/v1/wallet/unlock", auth, body).await;
    json_of(response, StatusCode::OK, "unlock").await;
}

pub async fn recharge(app: &TestApp, auth: &Auth, amount: &str) -> Value {
    let response = post_json(
        app,
        "/api/v1/wallet/recharges",
        auth,
        json!({"amount": amount}),
    )
    .await;
    json_of(response, StatusCode::CREATED, "recharge").await
}

pub async fn fund(app: &TestApp, auth: &Auth, model: &str, amount: &str) -> Value {
    let path = format!("/api/v1/models/{model}/fundings");
    let response = post_json(app, &path, auth, json!({"amount": amount})).await;
    json_of(response, StatusCode::CREATED, "fund").await
}

pub async fn user_id(app: &TestApp, auth: &Auth) -> String {
    let me = get_json(app, "/api/v1/me", auth).await;
    me["user"]["id"].as_str().expect("a string id").to_owned()
}

pub async fn funding_of(app: &TestApp, auth: &Auth, model: &str) -> Value {
    get_json(app, &format!("/api/v1/models/{model}/funding"), auth).await["funding"].clone()
}

pub async fn wallet_of(app: &TestApp, auth: &Auth) -> Value {
    get_json(app, "/api/v1/wallet", auth).await["wallet"].clone()
}

/// Places a hold through the metering endpoint and returns the response.
pub async fn place_hold(app: &TestApp, user_id: &str, model: &str, amount: &str) -> Response {
    let body = json!({"user_id": user_id, "model_id": model, "amount": amount});
    post_json(app, "/api/v1/holds", &metering(), body).await
}

/// Creates an API key for the user and returns it as a bearer credential.
pub async fn api_key(app: &TestApp, auth: &Auth) -> Auth {
    let response = post_json(app, "/api/v1/api-keys", auth, json!({"name": "tests"})).await;
    let body = json_of(response, StatusCode::CREATED, "create an API key").await;
    Auth::Bearer(body["key"].as_str().expect("the key").to_owned())
}

/// Everything a user's ledger shows: every entry, the wallet and every model funding.
pub async fn ledger_snapshot(app: &TestApp, auth: &Auth) -> Value {
    json!({
        "entries": get_json(app, "/api/v1/entries?limit=500", auth).await,
        "wallet": get_json(app, "/api/v1/wallet", auth).await,
        "fundings": get_json(app, "/api/v1/fundings", auth).await,
    })
}

/// The kinds of a user's entries, newest first.
pub async fn entry_kinds(app: &TestApp, auth: &Auth) -> Vec<String> {
    let page = get_json(app, "/api/v1/entries?limit=500", auth).await;
    page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| entry["kind"].as_str().expect("a kind").to_owned())
        .collect()
}
