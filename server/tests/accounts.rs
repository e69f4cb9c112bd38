//! The API's "Accounts" section, end to end on the real server.

mod support;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER, SET_COOKIE};
use serde_json::{Value, json};
use support::{Auth, PASSWORD, TestApp, error_of, session_cookie};

#[tokio::test]
async fn sign_up_creates_the_account_and_a_session() {
    let app = TestApp::spawn().await;

    let response = app
        .post(
            "/api/v1/accounts",
            &Auth::None,
            json!({"email": " Ada@Example.com ", "password": PASSWORD}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let set_cookie = response
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    let cookie = session_cookie(response.headers()).unwrap();
    let token = cookie.trim_start_matches("twofold_session=");
    assert!(token.len() >= 32, "at least 128 bits of hex: {token}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert!(body["user"]["id"].is_string());

    let me = app.get("/api/v1/me", &Auth::Cookie(cookie)).await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["user"]["email"], "ada@example.com");
    app.stop().await;
}

#[tokio::test]
async fn secure_cookies_are_marked_secure_when_configured() {
    let app = TestApp::spawn_with(|config| config.secure_cookies = true).await;

    let response = app
        .post(
            "/api/v1/accounts",
            &Auth::None,
            json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;

    let set_cookie = response
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
    app.stop().await;
}

#[tokio::test]
async fn duplicate_email_is_refused_with_409_whatever_its_case() {
    let app = TestApp::spawn().await;
    app.sign_up("ada@example.com").await;

    let response = app
        .post(
            "/api/v1/accounts",
            &Auth::None,
            json!({"email": "ADA@example.com", "password": PASSWORD}),
        )
        .await;

    let (status, code, _, field) = error_of(response).await;
    assert_eq!(
        (status, code.as_str(), field.as_deref()),
        (StatusCode::CONFLICT, "email_taken", Some("email"))
    );
    app.stop().await;
}

#[tokio::test]
async fn each_email_and_password_rule_is_answered_with_its_code_and_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"email": "ada", "password": PASSWORD}),
            "invalid_email",
            "email",
        ),
        (
            json!({"email": "ada@localhost", "password": PASSWORD}),
            "invalid_email",
            "email",
        ),
        (
            json!({"email": "", "password": PASSWORD}),
            "invalid_email",
            "email",
        ),
        (
            json!({"email": 42, "password": PASSWORD}),
            "invalid_email",
            "email",
        ),
        (json!({"password": PASSWORD}), "missing_field", "email"),
        (
            json!({"email": "ada@example.com"}),
            "missing_field",
            "password",
        ),
        (
            json!({"email": "ada@example.com", "password": "short"}),
            "weak_password",
            "password",
        ),
        (
            json!({"email": "ada@example.com", "password": "123456789"}),
            "weak_password",
            "password",
        ),
        (
            json!({"email": "ada@example.com", "password": "x".repeat(129)}),
            "weak_password",
            "password",
        ),
        (
            json!({"email": "ada@example.com", "password": null}),
            "missing_field",
            "password",
        ),
    ];

    for (body, expected_code, expected_field) in cases {
        let response = app
            .post("/api/v1/accounts", &Auth::None, body.clone())
            .await;

        let (status, code, message, field) = error_of(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(code, expected_code, "{body}");
        assert_eq!(field.as_deref(), Some(expected_field), "{body}");
        assert!(!message.is_empty(), "{body}");
    }
    let me = app
        .post(
            "/api/v1/sessions",
            &Auth::None,
            json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        me.status(),
        StatusCode::UNAUTHORIZED,
        "no account was created by any bad case"
    );
    app.stop().await;
}

#[tokio::test]
async fn log_in_issues_a_new_session_id() {
    let app = TestApp::spawn().await;
    let Auth::Cookie(first) = app.sign_up("ada@example.com").await else {
        unreachable!()
    };

    let response = app
        .post(
            "/api/v1/sessions",
            &Auth::None,
            json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let second = session_cookie(response.headers()).unwrap();
    assert_ne!(first, second);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], "ada@example.com");
    for cookie in [first, second] {
        assert_eq!(
            app.get("/api/v1/me", &Auth::Cookie(cookie)).await.status(),
            StatusCode::OK
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.sign_up("ada@example.com").await;

    let wrong_password = app
        .post(
            "/api/v1/sessions",
            &Auth::None,
            json!({"email": "ada@example.com", "password": "not the password"}),
        )
        .await;
    let unknown_email = app
        .post(
            "/api/v1/sessions",
            &Auth::None,
            json!({"email": "bob@example.com", "password": "not the password"}),
        )
        .await;

    let wrong_password = error_of(wrong_password).await;
    let unknown_email = error_of(unknown_email).await;
    assert_eq!(wrong_password.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.1, "invalid_credentials");
    assert_eq!(wrong_password, unknown_email);
    app.stop().await;
}

#[tokio::test]
async fn me_without_a_session_is_unauthenticated() {
    let app = TestApp::spawn().await;

    let anonymous = app.get("/api/v1/me", &Auth::None).await;
    let forged = app
        .get("/api/v1/me", &Auth::Cookie("twofold_session=00ff".into()))
        .await;

    for response in [anonymous, forged] {
        let (status, code, _, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNAUTHORIZED, "unauthenticated")
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_old_cookie_is_refused_after_logout() {
    let app = TestApp::spawn().await;
    let session = app.sign_up("ada@example.com").await;

    let logout = app
        .request(
            reqwest::Method::DELETE,
            "/api/v1/sessions/current",
            &session,
            None,
        )
        .await;

    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let cleared = logout.headers().get(SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let (status, code, _, _) = error_of(app.get("/api/v1/me", &session).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    app.stop().await;
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app =
        TestApp::spawn_with(|config| config.session_idle_timeout = time::Duration::hours(1)).await;
    let session = app.sign_up("ada@example.com").await;

    app.clock.advance(time::Duration::minutes(59));
    let still_active = app.get("/api/v1/me", &session).await.status();
    app.clock.advance(time::Duration::minutes(59));
    let refreshed_by_use = app.get("/api/v1/me", &session).await.status();
    app.clock.advance(time::Duration::minutes(61));
    let idle_too_long = app.get("/api/v1/me", &session).await.status();

    assert_eq!(still_active, StatusCode::OK);
    assert_eq!(refreshed_by_use, StatusCode::OK);
    assert_eq!(idle_too_long, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn the_eleventh_failed_login_within_the_window_is_refused_with_429() {
    let app = TestApp::spawn().await;
    app.sign_up("ada@example.com").await;
    let wrong = json!({"email": "ada@example.com", "password": "not the password"});
    for attempt in 1..=10 {
        let response = app
            .post("/api/v1/sessions", &Auth::None, wrong.clone())
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }

    let eleventh = app
        .post(
            "/api/v1/sessions",
            &Auth::None,
            json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;

    let retry_after: i64 = eleventh.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
    let (status, code, _, _) = error_of(eleventh).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
    );

    app.clock.advance(time::Duration::minutes(16));
    let after_the_window = app
        .post(
            "/api/v1/sessions",
            &Auth::None,
            json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(after_the_window.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn the_log_in_page_is_limited_like_the_api() {
    let app = TestApp::spawn().await;
    app.sign_up("ada@example.com").await;
    let wrong = json!({"email": "ada@example.com", "password": "not the password"});
    for _ in 1..=10 {
        app.post("/api/v1/sessions", &Auth::None, wrong.clone())
            .await;
    }

    let page = app
        .client()
        .post(app.url("/fn/log_in"))
        .form(&[("email", "ada@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();

    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers().contains_key(RETRY_AFTER));
    app.stop().await;
}

#[tokio::test]
async fn a_burst_of_simultaneous_failed_logins_gets_no_more_than_ten_tries() {
    let app = TestApp::spawn().await;
    app.sign_up("ada@example.com").await;
    let wrong = json!({"email": "ada@example.com", "password": "not the password"});
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let client = app.client();
        let url = app.url("/api/v1/sessions");
        let body = wrong.to_string();
        attempts.spawn(async move {
            client
                .post(url)
                .header(CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        });
    }

    let statuses = attempts.join_all().await;

    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (10, 20), "{statuses:?}");
    app.stop().await;
}

#[tokio::test]
async fn failures_across_accounts_from_one_address_are_limited_too() {
    let app = TestApp::spawn().await;
    for attempt in 1..=10 {
        let email = format!("nobody{attempt}@example.com");
        let response = app
            .post(
                "/api/v1/sessions",
                &Auth::None,
                json!({"email": email, "password": "not the password"}),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }

    let response = app
        .post(
            "/api/v1/sessions",
            &Auth::None,
            json!({"email": "someone@example.com", "password": PASSWORD}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

#[tokio::test]
async fn a_cross_origin_write_is_refused() {
    let app = TestApp::spawn().await;
    let body = json!({"email": "ada@example.com", "password": PASSWORD}).to_string();
    let cases = [
        ("Origin", "http://evil.example"),
        ("Referer", "http://evil.example/page"),
        ("Origin", "null"),
    ];

    for (header, value) in cases {
        let response = app
            .client()
            .post(app.url("/api/v1/accounts"))
            .header(CONTENT_TYPE, "application/json")
            .header(header, value)
            .body(body.clone())
            .send()
            .await
            .unwrap();

        let (status, code, _, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{header}: {value}"
        );
    }
    let server_fn = app
        .client()
        .post(app.url("/fn/log_in"))
        .header("Origin", "http://evil.example")
        .form(&[("email", "ada@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(server_fn.status(), StatusCode::FORBIDDEN);
    let same_origin = app
        .client()
        .post(app.url("/api/v1/accounts"))
        .header(CONTENT_TYPE, "application/json")
        .header("Origin", app.base_url.clone())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::CREATED);
    app.stop().await;
}

#[tokio::test]
async fn a_non_json_write_is_refused_with_415() {
    let app = TestApp::spawn().await;

    let response = app
        .client()
        .post(app.url("/api/v1/accounts"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("email=ada%40example.com&password={PASSWORD}"))
        .send()
        .await
        .unwrap();

    let (status, code, _, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_body_over_64_kib_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let padding = "x".repeat(65 * 1024);

    let response = app
        .post(
            "/api/v1/accounts",
            &Auth::None,
            json!({"email": "ada@example.com", "password": padding}),
        )
        .await;

    let (status, code, _, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_chunked_body_over_64_kib_is_refused_with_413_by_api_and_server_functions() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn().await;
    let authority = app.base_url.trim_start_matches("http://").to_owned();

    for (path, content_type) in [
        ("/api/v1/accounts", "application/json"),
        ("/fn/log_in", "application/x-www-form-urlencoded"),
    ] {
        // A body with no declared length, sent in five 16 KiB chunks: 80 KiB in all.
        let mut stream = tokio::net::TcpStream::connect(&authority).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: {content_type}\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let chunk = format!("4000\r\n{}\r\n", "x".repeat(16 * 1024));
        for _ in 0..5 {
            // The server may answer and stop reading before the last chunk; that is fine.
            if stream.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;

        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
        assert!(answer.contains("body_too_large"), "{path}: {answer}");
    }
    app.stop().await;
}

#[tokio::test]
async fn malformed_json_is_answered_with_invalid_json() {
    let app = TestApp::spawn().await;
    let bodies = ["{\"email\": ", "[1, 2]", "\"text\"", ""];

    for body in bodies {
        let response = app
            .client()
            .post(app.url("/api/v1/accounts"))
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .unwrap();

        let (status, code, _, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_json"),
            "{body:?}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn api_keys_authenticate_their_owner_until_deleted() {
    let app = TestApp::spawn().await;
    let session = app.sign_up("ada@example.com").await;

    let created = app
        .post(
            "/api/v1/api-keys",
            &session,
            json!({"name": "metering script"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let key = created["key"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["name"], "metering script");

    let me: Value = app
        .get("/api/v1/me", &Auth::Bearer(key.clone()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["email"], "ada@example.com");

    let listed = app.get("/api/v1/api-keys", &session).await;
    let listed_text = listed.text().await.unwrap();
    assert!(
        !listed_text.contains(&key),
        "the list never shows the secret"
    );
    let listed: Value = serde_json::from_str(&listed_text).unwrap();
    let keys = listed["api_keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["id"], id.as_str());
    assert_eq!(keys[0]["name"], "metering script");
    assert!(keys[0]["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(keys[0]["last_used_at"].is_string(), "the key was used once");

    let deleted = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/api-keys/{id}"),
            &session,
            None,
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let refused = app.get("/api/v1/me", &Auth::Bearer(key)).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn another_users_api_key_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    let ada = app.sign_up("ada@example.com").await;
    let bob = app.sign_up("bob@example.com").await;
    let created: Value = app
        .post("/api/v1/api-keys", &ada, json!({"name": "ada's key"}))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();

    let response = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/api-keys/{id}"),
            &bob,
            None,
        )
        .await;

    let (status, code, _, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let bobs: Value = app
        .get("/api/v1/api-keys", &bob)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bobs["api_keys"].as_array().unwrap().len(), 0);
    let adas: Value = app
        .get("/api/v1/api-keys", &ada)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(adas["api_keys"].as_array().unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn api_key_names_are_required() {
    let app = TestApp::spawn().await;
    let session = app.sign_up("ada@example.com").await;

    for body in [
        json!({}),
        json!({"name": "   "}),
        json!({"name": "x".repeat(101)}),
    ] {
        let response = app.post("/api/v1/api-keys", &session, body.clone()).await;

        let (status, _, _, field) = error_of(response).await;
        assert_eq!(
            (status, field.as_deref()),
            (StatusCode::BAD_REQUEST, Some("name")),
            "{body}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn housekeeping_forgets_idle_sessions_and_old_failed_log_ins() {
    let app = TestApp::spawn().await;
    let auth = app.sign_up("ada@example.com").await;
    let wrong = json!({"email": "ada@example.com", "password": "not the password"});
    for _ in 0..3 {
        app.post("/api/v1/sessions", &Auth::None, wrong.clone())
            .await;
    }
    let db = funding::db::Db::open(&format!("sqlite://{}", app.database_path.display()))
        .await
        .unwrap();
    let accounts =
        funding::accounts::Accounts::new(db.clone(), app.clock.clone(), time::Duration::days(7));
    assert_eq!(
        accounts.purge_stale().await.unwrap(),
        (0, 0),
        "all still fresh"
    );

    app.clock.advance(time::Duration::days(8));
    let purged = accounts.purge_stale().await.unwrap();
    db.close().await;

    // Each failure counts against the account and the address: three failures, six records.
    assert_eq!(purged, (1, 6));
    let me = app.get("/api/v1/me", &auth).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}
