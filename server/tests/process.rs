//! The `twofold` binary as an operator runs it: JSON log lines that never carry an email, a
//! password, a passphrase or a session token, and a clean stop on SIGTERM and on SIGINT.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

const EMAIL: &str = "private.person@example.com";
const PASSWORD: &str = "a password nobody may log";
const PASSPHRASE: &str = "a passphrase nobody may log";

/// The running binary and the log lines it has printed so far.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    _dir: tempfile::TempDir,
}

impl Running {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_twofold"))
            .env("TWOFOLD_ADDR", "127.0.0.1:0")
            .env(
                "TWOFOLD_DATABASE_URL",
                format!("sqlite://{}", dir.path().join("twofold.db").display()),
            )
            .env("TWOFOLD_SITE_ROOT", dir.path())
            .env("TWOFOLD_LOG_FORMAT", "json")
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the twofold binary starts");
        let (sender, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = sender.send(line);
                }
            });
        }
        Self {
            child,
            lines,
            seen: Vec::new(),
            _dir: dir,
        }
    }

    /// Waits for the log line that says where the server listens; returns its URL.
    fn url(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) else {
                continue;
            };
            let url = serde_json::from_str::<Value>(&line)
                .ok()
                .and_then(|event| event["url"].as_str().map(str::to_owned));
            self.seen.push(line);
            if let Some(url) = url {
                return url;
            }
        }
        panic!("no URL was logged: {:?}", self.seen);
    }

    /// Sends `signal` and waits for the process to exit; returns every line it printed.
    fn stop_with(mut self, signal: &str) -> (std::process::ExitStatus, Vec<String>) {
        let sent = Command::new("kill")
            .args(["-s", signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -s {signal}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "still running after {signal}");
            std::thread::sleep(Duration::from_millis(50));
        };
        // The reader threads end with the pipes; what they read is all in the channel.
        let deadline = Instant::now() + Duration::from_secs(5);
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
            self.seen.push(line);
            if Instant::now() > deadline {
                break;
            }
        }
        (status, self.seen)
    }
}

/// Signs up, fails a log-in, creates and unlocks a wallet, recharges: every secret crosses the
/// server once. Returns the session cookie the server set.
async fn use_every_secret(url: &str) -> String {
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value, cookie: Option<&str>| {
        let mut request = client.post(format!("{url}{path}")).json(&body);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send()
    };
    let signed_up = post(
        "/api/v1/accounts",
        json!({"email": EMAIL, "password": PASSWORD}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(signed_up.status(), StatusCode::CREATED);
    let cookie = signed_up.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let wrong = post(
        "/api/v1/sessions",
        json!({"email": EMAIL, "password": "not the password"}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wallet = json!({"passphrase": PASSPHRASE, "auto_lock_minutes": 10});
    let created = post("/api/v1/wallet", wallet, Some(&cookie)).await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let unlock = json!({"passphrase": PASSPHRASE});
    let unlocked = post("/api/v1/wallet/unlock", unlock, Some(&cookie))
        .await
        .unwrap();
    assert_eq!(unlocked.status(), StatusCode::OK);
    let recharge = json!({"amount": "10.00"});
    let recharged = post("/api/v1/wallet/recharges", recharge, Some(&cookie))
        .await
        .unwrap();
    assert_eq!(recharged.status(), StatusCode::CREATED);
    cookie
}

#[tokio::test]
async fn json_logs_carry_no_secret_and_sigterm_stops_the_server_cleanly() {
    let mut server = Running::start();
    let url = server.url();
    let cookie = use_every_secret(&url).await;
    let token = cookie.split_once('=').unwrap().1.to_owned();

    let (status, lines) = server.stop_with("TERM");

    assert!(status.success(), "{status}: {lines:?}");
    for line in &lines {
        assert!(
            serde_json::from_str::<Value>(line).is_ok(),
            "not a JSON line: {line}"
        );
        for secret in [
            EMAIL,
            "private.person",
            PASSWORD,
            PASSPHRASE,
            token.as_str(),
        ] {
            assert!(
                !line.contains(secret),
                "a log line carries {secret:?}: {line}"
            );
        }
    }
    assert!(
        lines.iter().any(|line| line.contains("wallet recharged")),
        "money movements are logged: {lines:?}"
    );
    assert!(
        lines.iter().any(|line| line.contains("Twofold stopped")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn sigint_stops_the_server_cleanly_too() {
    let mut server = Running::start();
    let url = server.url();
    let health = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    let (status, lines) = server.stop_with("INT");

    assert!(status.success(), "{status}: {lines:?}");
    assert!(
        lines.iter().any(|line| line.contains("Twofold stopped")),
        "{lines:?}"
    );
}
