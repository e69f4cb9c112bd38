//! Starts the real server on a free loopback port with a fresh SQLite file, and talks to it.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the support module"
)]

use std::sync::Arc;

use funding::clock::ManualClock;
use reqwest::header::{CONTENT_TYPE, HeaderMap, SET_COOKIE};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use server::RunningServer;
use server::config::Config;

pub struct TestApp {
    pub base_url: String,
    pub clock: Arc<ManualClock>,
    pub database_path: std::path::PathBuf,
    server: Option<RunningServer>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let database_path = dir.path().join("twofold.db");
        let url = format!("sqlite://{}", database_path.display());
        let mut config = Config::from_lookup(|name| match name {
            "TWOFOLD_ADDR" => Some("127.0.0.1:0".to_owned()),
            "TWOFOLD_DATABASE_URL" => Some(url.clone()),
            _ => None,
        })
        .expect("the test configuration is valid");
        adjust(&mut config);
        let clock = Arc::new(ManualClock::default());

        let server = server::spawn(&config, clock.clone())
            .await
            .expect("the server starts");

        Self {
            base_url: format!("http://{}", server.addr),
            clock,
            database_path,
            server: Some(server),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A client that keeps no cookies: each request says exactly what it carries.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client")
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        auth: &Auth,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.client().request(method, self.url(path));
        request = match auth {
            Auth::None => request,
            Auth::Cookie(cookie) => request.header("Cookie", cookie),
            Auth::Bearer(key) => request.bearer_auth(key),
        };
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        request.send().await.expect("the server answers")
    }

    pub async fn post(&self, path: &str, auth: &Auth, body: Value) -> Response {
        self.request(Method::POST, path, auth, Some(body)).await
    }

    pub async fn get(&self, path: &str, auth: &Auth) -> Response {
        self.request(Method::GET, path, auth, None).await
    }

    /// Signs up and returns the session cookie.
    pub async fn sign_up(&self, email: &str) -> Auth {
        let response = self
            .post(
                "/api/v1/accounts",
                &Auth::None,
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "sign-up of {email}");
        Auth::Cookie(session_cookie(response.headers()).expect("sign-up sets the session cookie"))
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Clone)]
pub enum Auth {
    None,
    /// A `Cookie` header value, such as `twofold_session=…`.
    Cookie(String),
    Bearer(String),
}

/// The `name=value` of the session cookie a response sets, when it sets a non-empty one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next())
        .find(|pair| pair.starts_with("twofold_session=") && pair.len() > "twofold_session=".len())
        .map(str::to_owned)
}

/// The error envelope of a response: (status, code, message, field).
pub async fn error_of(response: Response) -> (StatusCode, String, String, Option<String>) {
    let status = response.status();
    let body: Value = response.json().await.expect("an error body in JSON");
    let error = &body["error"];
    (
        status,
        error["code"].as_str().expect("a code").to_owned(),
        error["message"].as_str().expect("a message").to_owned(),
        error["field"].as_str().map(str::to_owned),
    )
}
