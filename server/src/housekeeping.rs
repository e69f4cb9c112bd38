//! The background work that runs beside the server: writing the release of expired holds,
//! forgetting old idempotency keys, idle sessions and old failed log-ins. Reads, money
//! movements and log-ins are correct without it; it keeps the ledger's entries current and the
//! other tables small.

use std::time::Duration;

use funding::Funding;
use funding::accounts::Accounts;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How often the housekeeping runs. A minute keeps an expired hold's release entry at most a
/// minute behind its expiry, which no reader depends on, at the cost of two small writes.
pub const INTERVAL: Duration = Duration::from_secs(60);

/// The running task; [`Housekeeping::stop`] ends it between two runs.
pub struct Housekeeping {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Housekeeping {
    /// Starts the task; its first run is immediate.
    pub fn start(funding: Funding, accounts: Accounts) -> Self {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(funding, accounts, stopped));
        Self { stop, task }
    }

    /// Stops the task, letting a run in progress finish, and waits until it has.
    pub async fn stop(self) {
        // The task may have ended already; then there is nobody to tell.
        let _ = self.stop.send(());
        if let Err(error) = self.task.await {
            tracing::error!(%error, "housekeeping: the task failed");
        }
    }
}

async fn run(funding: Funding, accounts: Accounts, mut stopped: oneshot::Receiver<()>) {
    let mut ticker = tokio::time::interval(INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            _ = ticker.tick() => {
                run_once(&funding).await;
                purge_accounts(&accounts).await;
            }
        }
    }
}

/// One round: each job logs its own failure and the other still runs.
pub async fn run_once(funding: &Funding) {
    match funding.sweep_expired_holds().await {
        Ok(0) => {}
        Ok(released) => tracing::info!(holds.released = released, "released expired holds"),
        Err(error) => {
            tracing::error!(error = ?error, "housekeeping: releasing expired holds failed")
        }
    }
    match funding.purge_idempotency_keys().await {
        Ok(0) => {}
        Ok(purged) => tracing::info!(keys.purged = purged, "forgot old idempotency keys"),
        Err(error) => {
            tracing::error!(error = ?error, "housekeeping: forgetting old idempotency keys failed");
        }
    }
}

/// Forgets idle sessions and failed log-ins that have left the rate limit's window.
pub async fn purge_accounts(accounts: &Accounts) {
    match accounts.purge_stale().await {
        Ok((0, 0)) => {}
        Ok((sessions, failures)) => tracing::info!(
            sessions.purged = sessions,
            login_failures.purged = failures,
            "forgot idle sessions and old failed log-ins"
        ),
        Err(error) => {
            tracing::error!(error = ?error, "housekeeping: forgetting idle sessions failed");
        }
    }
}
