//! Simultaneous requests through HTTP: no interleaving overspends, one idempotency key moves
//! money once, and "refund all" leaves once.

mod money;
mod support;

use std::collections::HashSet;

use money::{
    MODEL, fund, funding_of, metering, send, spawn_metered, spawn_metered_with, user_id,
    user_with_funds, wallet_of,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::TestApp;

/// Runs every future concurrently on the test's runtime and collects their outputs in order.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        outputs.push(handle.await.expect("the request task finished"));
    }
    outputs
}

async fn assert_ledger_consistent(app: &TestApp) {
    let db = funding::db::Db::open(&format!("sqlite://{}", app.database_path.display()))
        .await
        .unwrap();
    let report = funding::check_ledger(&db).await.unwrap();
    db.close().await;
    assert!(report.is_consistent(), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_simultaneous_holds_of_100_against_1000_available_let_exactly_ten_through() {
    let app = spawn_metered().await;
    let auth = user_with_funds(&app, "ada@example.com", "1000").await;
    fund(&app, &auth, MODEL, "1000").await;
    let user = user_id(&app, &auth).await;
    let app = std::sync::Arc::new(app);

    let answers = {
        let app = app.clone();
        all_at_once_owned(app, 50, move || {
            let body = json!({"user_id": user, "model_id": MODEL, "amount": "100"});
            (
                Method::POST,
                "/api/v1/holds".to_owned(),
                metering(),
                Some(body),
                None,
            )
        })
        .await
    };

    let placed = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::CREATED)
        .count();
    let refused: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status != StatusCode::CREATED)
        .map(|(_, body)| body)
        .collect();
    assert_eq!(placed, 10, "{refused:?}");
    assert!(
        refused
            .iter()
            .all(|body| body["error"]["code"] == "insufficient_funds"),
        "{refused:?}"
    );
    let funding = funding_of(&app, &auth, MODEL).await;
    assert_eq!(funding["balance"], "1000.00");
    assert_eq!(funding["held"], "1000.00");
    assert_eq!(funding["holds"].as_array().unwrap().len(), 10);
    assert_ledger_consistent(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_simultaneous_fundings_with_one_key_move_money_once_and_answer_alike() {
    let app = std::sync::Arc::new(spawn_metered().await);
    let auth = user_with_funds(&app, "ada@example.com", "1000").await;

    let answers = {
        let auth = auth.clone();
        all_at_once_owned(app.clone(), 50, move || {
            let path = format!("/api/v1/models/{MODEL}/fundings");
            let body = json!({"amount": "10"});
            (
                Method::POST,
                path,
                auth.clone(),
                Some(body),
                Some("one-key".to_owned()),
            )
        })
        .await
    };

    let distinct: HashSet<String> = answers.iter().map(|(_, body)| body.to_string()).collect();
    assert!(
        answers
            .iter()
            .all(|(status, _)| *status == StatusCode::CREATED),
        "{distinct:?}"
    );
    assert_eq!(distinct.len(), 1, "{distinct:?}");
    let kinds = money::entry_kinds(&app, &auth).await;
    assert_eq!(kinds, ["funding", "recharge"]);
    assert_eq!(wallet_of(&app, &auth).await["balance"], "990.00");
    assert_eq!(funding_of(&app, &auth, MODEL).await["balance"], "10.00");
    assert_ledger_consistent(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_refunds_of_all_move_the_refundable_amount_once() {
    let app = spawn_metered_with(|config| config.settings.lock_window_seconds = 0).await;
    let app = std::sync::Arc::new(app);
    let auth = user_with_funds(&app, "ada@example.com", "100").await;
    fund(&app, &auth, MODEL, "60").await;

    let answers = {
        let auth = auth.clone();
        all_at_once_owned(app.clone(), 20, move || {
            let path = format!("/api/v1/models/{MODEL}/refunds");
            (
                Method::POST,
                path,
                auth.clone(),
                Some(json!({"amount": "all"})),
                None,
            )
        })
        .await
    };

    let refunded: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::CREATED)
        .map(|(_, body)| body)
        .collect();
    assert_eq!(refunded.len(), 1, "{answers:?}");
    assert_eq!(refunded[0]["amount"], "60.00");
    for (status, body) in answers
        .iter()
        .filter(|(status, _)| *status != StatusCode::CREATED)
    {
        assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], "nothing_refundable", "{body}");
    }
    assert_eq!(wallet_of(&app, &auth).await["balance"], "100.00");
    assert_eq!(funding_of(&app, &auth, MODEL).await["balance"], "0.00");
    assert_ledger_consistent(&app).await;
}

/// Sends `count` requests built by `request` at once; returns (status, body) of each.
async fn all_at_once_owned(
    app: std::sync::Arc<TestApp>,
    count: usize,
    request: impl Fn() -> (Method, String, support::Auth, Option<Value>, Option<String>),
) -> Vec<(StatusCode, Value)> {
    let requests: Vec<_> = (0..count)
        .map(|_| {
            let (method, path, auth, body, key) = request();
            let app = app.clone();
            async move {
                let response = send(&app, method, &path, &auth, body, key.as_deref()).await;
                let status = response.status();
                let body: Value = response.json().await.unwrap_or(Value::Null);
                (status, body)
            }
        })
        .collect();
    futures_join_all(requests.into_iter()).await
}
