//! The `twofold check-ledger` command, run as the real binary against a test server's database.

mod money;
mod support;

use std::process::Output;

use money::{MODEL, fund, json_of, metering, place_hold, spawn_metered, user_id, user_with_funds};
use reqwest::StatusCode;
use serde_json::json;
use support::TestApp;

fn check_ledger(app: &TestApp) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_twofold"))
        .arg("check-ledger")
        .env(
            "TWOFOLD_DATABASE_URL",
            format!("sqlite://{}", app.database_path.display()),
        )
        .env_remove("RUST_LOG")
        .output()
        .expect("the twofold binary runs")
}

/// Recharges, withdraws, funds two models, holds, settles, releases, uses and refunds.
async fn a_suite_of_operations(app: &TestApp) {
    let ada = user_with_funds(app, "ada@example.com", "500").await;
    let bob = user_with_funds(app, "bob@example.com", "80").await;
    let ada_id = user_id(app, &ada).await;
    fund(app, &ada, MODEL, "200").await;
    fund(app, &ada, money::OTHER_MODEL, "50").await;
    fund(app, &bob, MODEL, "30").await;
    money::post_json(
        app,
        "/api/v1/wallet/withdrawals",
        &ada,
        json!({"amount": "20"}),
    )
    .await;
    let settled = json_of(
        place_hold(app, &ada_id, MODEL, "10").await,
        StatusCode::CREATED,
        "hold",
    )
    .await;
    let id = settled["hold"]["id"].as_str().unwrap();
    let settle = json!({"input_tokens": 12_345, "output_tokens": 6_789});
    app.post(&format!("/api/v1/holds/{id}/settle"), &metering(), settle)
        .await;
    let released = json_of(
        place_hold(app, &ada_id, MODEL, "5").await,
        StatusCode::CREATED,
        "hold",
    )
    .await;
    let id = released["hold"]["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/holds/{id}/release"),
        &metering(),
        json!({}),
    )
    .await;
    let usage =
        json!({"user_id": ada_id, "model_id": MODEL, "input_tokens": 1, "output_tokens": 1});
    app.post("/api/v1/usage", &metering(), usage).await;
    app.clock.advance(time::Duration::days(2));
    money::post_json(
        app,
        "/api/v1/wallet/unlock",
        &ada,
        json!({"passphrase": money::PASSPHRASE}),
    )
    .await;
    let refund = format!("/api/v1/models/{MODEL}/refunds");
    let refunded = money::post_json(app, &refund, &ada, json!({"amount": "all"})).await;
    assert_eq!(refunded.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn check_ledger_passes_on_the_database_after_a_suite_of_operations() {
    let app = spawn_metered().await;
    a_suite_of_operations(&app).await;

    let output = check_ledger(&app);

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("the ledger is consistent"), "{stdout}");
    assert!(!stdout.contains("checked 0 entries"), "{stdout}");
    app.stop().await;
}

#[tokio::test]
async fn check_ledger_fails_on_a_balance_altered_by_hand() {
    let app = spawn_metered().await;
    a_suite_of_operations(&app).await;
    let db = funding::db::Db::open(&format!("sqlite://{}", app.database_path.display()))
        .await
        .unwrap();
    let mut tx = db.begin_write().await.unwrap();
    sqlx::query(
        "UPDATE accounts SET balance = balance + 1000000 \
         WHERE id = (SELECT MIN(id) FROM accounts WHERE user_id IS NOT NULL)",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    db.close().await;

    let output = check_ledger(&app);

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("NOT consistent"), "{stdout}");
    assert!(stdout.contains("balance"), "{stdout}");
    app.stop().await;
}

#[test]
fn check_ledger_refuses_a_database_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such.db");

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_twofold"))
        .arg("check-ledger")
        .env(
            "TWOFOLD_DATABASE_URL",
            format!("sqlite://{}", missing.display()),
        )
        .env_remove("RUST_LOG")
        .output()
        .expect("the twofold binary runs");

    assert_eq!(output.status.code(), Some(2));
    assert!(!missing.exists(), "the checker created the file");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot open"), "{stderr}");
}
