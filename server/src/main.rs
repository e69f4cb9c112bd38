//! `twofold`: serves Twofold. Configuration comes from the environment (see the README).
//!
//! `twofold check-ledger` instead proves the ledger of `TWOFOLD_DATABASE_URL` consistent: every
//! entry sums to zero and every materialised balance equals the sum of its postings.

use std::process::ExitCode;
use std::sync::Arc;

use funding::clock::SystemClock;
use server::config::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => serve().await,
        (Some("check-ledger"), None) => check_ledger().await,
        _ => {
            eprintln!("usage: twofold [check-ledger]");
            ExitCode::from(2)
        }
    }
}

/// The database `check-ledger` reads when `TWOFOLD_DATABASE_URL` is unset, as the server does.
const DEFAULT_DATABASE_URL: &str = "sqlite://data/twofold.db";

/// Exits 0 when the ledger is consistent, 1 on any mismatch, 2 when it cannot be read.
async fn check_ledger() -> ExitCode {
    let url =
        std::env::var("TWOFOLD_DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
    let db = match funding::db::Db::open_existing(&url).await {
        Ok(db) => db,
        Err(error) => {
            eprintln!("twofold check-ledger: cannot open {url}: {error}");
            return ExitCode::from(2);
        }
    };
    let report = funding::check_ledger(&db).await;
    db.close().await;
    match report {
        Ok(report) => {
            // The report ends with its verdict.
            print!("{report}");
            if report.is_consistent() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("twofold check-ledger: reading the ledger failed: {error}");
            ExitCode::from(2)
        }
    }
}

async fn serve() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("twofold: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    server::telemetry::init(config.log_format);

    let (listener, application) = match server::bind(&config, Arc::new(SystemClock)).await {
        Ok(bound) => bound,
        Err(error) => {
            eprintln!("twofold: cannot start: {error}");
            return ExitCode::from(2);
        }
    };
    let url = listener
        .local_addr()
        .map(|addr| format!("http://{addr}"))
        .unwrap_or_default();
    tracing::info!(%url, "Twofold is serving at {url}");

    match server::serve(listener, application, shutdown_signal()).await {
        Ok(()) => {
            tracing::info!("Twofold stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, "the server failed");
            ExitCode::FAILURE
        }
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
