//! The ledger itself: entry listing, the database's own guards, and `check_ledger`.

mod common;

use common::{TestApp, amount, model_id};
use funding::ids::EntryId;
use funding::{Caller, EntryKind, EntryQuery, check_ledger};
use time::Duration;

/// A user with one entry of several kinds: recharge, funding ×2, hold, settle, usage, refund.
async fn busy_user(app: &TestApp) -> funding::ids::UserId {
    let user = app.funded_user("100", "alpha", "10").await;
    let alpha = model_id("alpha");
    app.funding
        .fund_model(user, &model_id("beta"), amount("5"), None)
        .await
        .expect("beta");
    let hold = app
        .funding
        .place_hold(user, &alpha, amount("2"), None, None)
        .await
        .expect("hold");
    app.funding
        .settle_hold(Caller::Metering, hold.id, 1_000_000, 0, None)
        .await
        .expect("settle");
    app.funding
        .record_usage(user, &alpha, 0, 1_000_000, None)
        .await
        .expect("usage");
    user
}

#[tokio::test]
async fn entries_are_listed_newest_first_with_the_balances_after_each() {
    let app = TestApp::start().await;
    let user = busy_user(&app).await;

    let page = app
        .funding
        .list_entries(user, &EntryQuery::default())
        .await
        .expect("entries");

    let rows: Vec<_> = page
        .entries
        .iter()
        .map(|entry| {
            (
                entry.kind,
                entry.model_id.as_ref().map(|model| model.0.as_str()),
                entry.amount,
                entry.wallet_balance_after,
                entry.model_balance_after,
            )
        })
        .collect();
    let some = |value: &str| Some(amount(value));
    assert_eq!(
        rows,
        [
            (
                EntryKind::Usage,
                Some("alpha"),
                amount("2"),
                amount("85"),
                some("7")
            ),
            (
                EntryKind::HoldSettled,
                Some("alpha"),
                amount("1"),
                amount("85"),
                some("9")
            ),
            (
                EntryKind::Hold,
                Some("alpha"),
                amount("2"),
                amount("85"),
                some("10")
            ),
            (
                EntryKind::Funding,
                Some("beta"),
                amount("5"),
                amount("85"),
                some("5")
            ),
            (
                EntryKind::Funding,
                Some("alpha"),
                amount("10"),
                amount("90"),
                some("10")
            ),
            (
                EntryKind::Recharge,
                None,
                amount("100"),
                amount("100"),
                None
            ),
        ]
    );
    assert_eq!(page.next_before, None);
}

#[tokio::test]
async fn entries_page_with_a_cursor_and_filter_by_model_and_kind() {
    let app = TestApp::start().await;
    let user = busy_user(&app).await;
    let ids = |page: &funding::EntryPage| page.entries.iter().map(|e| e.id.0).collect::<Vec<_>>();
    let query = |before: Option<EntryId>| EntryQuery {
        limit: Some(4),
        before,
        ..EntryQuery::default()
    };

    let first = app
        .funding
        .list_entries(user, &query(None))
        .await
        .expect("page 1");
    let second = app
        .funding
        .list_entries(user, &query(first.next_before))
        .await
        .expect("page 2");
    let by_model = EntryQuery {
        model_id: Some(model_id("beta")),
        ..EntryQuery::default()
    };
    let by_model = app
        .funding
        .list_entries(user, &by_model)
        .await
        .expect("beta");
    let by_kind = EntryQuery {
        kind: Some(EntryKind::Funding),
        ..EntryQuery::default()
    };
    let by_kind = app
        .funding
        .list_entries(user, &by_kind)
        .await
        .expect("fundings");

    assert_eq!(ids(&first), [6, 5, 4, 3]);
    assert_eq!(first.next_before, Some(EntryId(3)));
    assert_eq!(ids(&second), [2, 1]);
    assert_eq!(second.next_before, None);
    assert_eq!(ids(&by_model), [3]);
    assert_eq!(ids(&by_kind), [3, 2]);
    assert_eq!(app.funding.all_entries(user).await.expect("all").len(), 6);
}

#[tokio::test]
async fn one_users_entries_are_never_listed_for_another() {
    let app = TestApp::start().await;
    let busy = busy_user(&app).await;
    let other = app.user_with_wallet().await;

    let seen = app
        .funding
        .list_entries(other, &EntryQuery::default())
        .await
        .expect("entries");

    assert!(seen.entries.is_empty());
    assert_eq!(
        app.funding.all_entries(busy).await.expect("entries").len(),
        6
    );
}

#[tokio::test]
async fn daily_spend_counts_usage_and_settled_holds_per_utc_day() {
    let app = TestApp::start().await;
    let user = busy_user(&app).await;
    let alpha = model_id("alpha");
    app.advance(Duration::days(2));
    app.funding
        .record_usage(user, &alpha, 500_000, 0, None)
        .await
        .expect("usage");

    let spend = app
        .funding
        .daily_spend(user, &alpha, 3)
        .await
        .expect("spend");

    let spent: Vec<_> = spend
        .iter()
        .map(|day| (day.day.to_string(), day.spent))
        .collect();
    assert_eq!(
        spent,
        [
            ("2026-01-01".to_owned(), amount("3")),
            ("2026-01-02".to_owned(), amount("0")),
            ("2026-01-03".to_owned(), amount("0.50")),
        ]
    );
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_entries_and_postings() {
    let app = TestApp::start().await;
    busy_user(&app).await;
    let statements = [
        "UPDATE entries SET amount = amount + 1 WHERE id = 1",
        "DELETE FROM entries WHERE id = 1",
        "UPDATE postings SET amount = 0 WHERE entry_id = 1",
        "DELETE FROM postings WHERE entry_id = 1",
        "DELETE FROM accounts WHERE id = 1",
        "UPDATE accounts SET user_id = NULL WHERE kind = 'wallet'",
        "DELETE FROM holds",
        "UPDATE holds SET status = 'open'",
    ];

    for statement in statements {
        let mut tx = app.db.begin_write().await.expect("write");
        let result = sqlx::query(statement).execute(&mut *tx).await;
        assert!(result.is_err(), "{statement} must be refused");
    }
    app.assert_ledger_consistent().await;
}

#[tokio::test]
async fn the_database_refuses_unbalanced_entries_and_negative_user_balances() {
    let app = TestApp::start().await;
    let user = app.funded_user("100", "alpha", "10").await;
    let wallet_account: i64 =
        sqlx::query_scalar("SELECT id FROM accounts WHERE kind = 'wallet' AND user_id = ?1")
            .bind(user.0)
            .fetch_one(app.db.reader())
            .await
            .expect("wallet account");
    let insert_entry = "INSERT INTO entries (id, kind, user_id, created_at, amount, \
                        wallet_balance_after, description, source) \
                        VALUES (100, 'recharge', ?1, 0, 1, 0, 'forged', 'sandbox')";
    let attempts: [(&str, Vec<&str>); 3] = [
        ("no postings", vec![insert_entry]),
        (
            "postings that do not sum to zero",
            vec![
                "INSERT INTO postings VALUES (100, ?2, 1000000)",
                insert_entry,
            ],
        ),
        (
            "a wallet taken below zero",
            vec![
                "INSERT INTO postings VALUES (100, ?2, -1000000000)",
                "INSERT INTO postings VALUES (100, 1, 1000000000)",
                insert_entry,
            ],
        ),
    ];

    for (name, statements) in attempts {
        let mut tx = app.db.begin_write().await.expect("write");
        let mut refused = false;
        for statement in statements {
            let result = sqlx::query(statement)
                .bind(user.0)
                .bind(wallet_account)
                .execute(&mut *tx)
                .await;
            refused |= result.is_err();
        }
        let committed = tx.commit().await;
        assert!(refused || committed.is_err(), "{name} must be refused");
    }
    app.assert_ledger_consistent().await;
}

#[tokio::test]
async fn check_ledger_passes_after_operations_and_fails_after_a_balance_is_altered_by_hand() {
    let app = TestApp::start().await;
    let user = busy_user(&app).await;
    let report = check_ledger(&app.db).await.expect("check");
    assert!(report.is_consistent(), "{report}");
    assert_eq!((report.entries, report.mismatches()), (6, 0));

    let mut tx = app.db.begin_write().await.expect("write");
    sqlx::query("UPDATE accounts SET balance = balance + 1 WHERE kind = 'wallet' AND user_id = ?1")
        .bind(user.0)
        .execute(&mut *tx)
        .await
        .expect("balance altered");
    tx.commit().await.expect("commit");
    let report = check_ledger(&app.db).await.expect("check");

    assert!(!report.is_consistent());
    assert_eq!(report.balance_mismatches.len(), 1);
    assert_eq!(report.balance_mismatches[0].user_id, Some(user));
    assert_eq!(
        report.mismatches(),
        2,
        "the account, and the total no longer zero"
    );
    assert!(
        report.to_string().contains("but postings sum to"),
        "{report}"
    );
}
