//! `GET /metrics`: Prometheus text with request counts and latencies by route and status, and
//! the money movements of the ledger by kind.
//!
//! Each server instance keeps its own recorder instead of installing the process-wide one, so
//! that several servers in one process (as the tests run them) never mix their numbers.
//!
//! Money movements are read from the ledger when scraped rather than counted in handlers: a
//! replayed idempotent request moves nothing and must count nothing, hold releases written by
//! the sweeper count too, and the numbers survive a restart.

use std::sync::Arc;
use std::time::Instant;

use axum::Extension;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

use app::state::AppState;

const REQUESTS: &str = "twofold_http_requests_total";
const REQUEST_DURATION: &str = "twofold_http_request_duration_seconds";
const MOVEMENTS: &str = "twofold_money_movements_total";
const MOVED_MICROS: &str = "twofold_money_moved_micros_total";

/// Latency buckets in seconds: from a cached read (a millisecond) to an argon2 unlock under
/// load (seconds).
const DURATION_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Every entry kind of the ledger, so each appears in the output even before its first entry.
const ENTRY_KINDS: [&str; 8] = [
    "recharge",
    "withdrawal",
    "funding",
    "refund",
    "usage",
    "hold",
    "hold_settled",
    "hold_released",
];

/// One server's recorder and the handle that renders it.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        // Only an empty bucket list is refused, and ours is a non-empty constant.
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(REQUEST_DURATION.to_owned()),
                &DURATION_BUCKETS,
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        let metrics = Self {
            recorder: Arc::new(recorder),
            handle,
        };
        metrics.describe();
        metrics
    }

    fn describe(&self) {
        ::metrics::with_local_recorder(self.recorder.as_ref(), || {
            ::metrics::describe_counter!(REQUESTS, "HTTP requests answered, by route and status.");
            ::metrics::describe_histogram!(
                REQUEST_DURATION,
                ::metrics::Unit::Seconds,
                "Time to answer an HTTP request, by route and status."
            );
            ::metrics::describe_counter!(MOVEMENTS, "Ledger entries written, by kind.");
            ::metrics::describe_counter!(
                MOVED_MICROS,
                "Money moved by ledger entries, by kind, in millionths of the currency unit."
            );
        });
    }

    fn record_request(&self, method: String, route: String, status: StatusCode, seconds: f64) {
        let labels = [
            ("method", method),
            ("route", route),
            ("status", status.as_u16().to_string()),
        ];
        ::metrics::with_local_recorder(self.recorder.as_ref(), || {
            ::metrics::counter!(REQUESTS, &labels).increment(1);
            ::metrics::histogram!(REQUEST_DURATION, &labels).record(seconds);
        });
    }

    fn record_movements(&self, totals: &[(String, i64, i64)]) {
        ::metrics::with_local_recorder(self.recorder.as_ref(), || {
            for kind in ENTRY_KINDS {
                let (count, micros) = totals
                    .iter()
                    .find(|(stored, _, _)| stored == kind)
                    .map_or((0, 0), |(_, count, micros)| (*count, *micros));
                let labels = [("kind", kind)];
                let count = u64::try_from(count).unwrap_or_default();
                let micros = u64::try_from(micros).unwrap_or_default();
                ::metrics::counter!(MOVEMENTS, &labels).absolute(count);
                ::metrics::counter!(MOVED_MICROS, &labels).absolute(micros);
            }
        });
    }
}

/// Middleware: counts and times every request under its route pattern (`/api/v1/holds/{id}`),
/// never the raw path, so ids do not multiply the series. Requests no route matched are
/// counted as `unmatched`. It also hands the handlers the [`Metrics`].
pub async fn track_requests(
    State(metrics): State<Metrics>,
    mut req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    req.extensions_mut().insert(metrics.clone());

    let response = next.run(req).await;

    let seconds = started.elapsed().as_secs_f64();
    metrics.record_request(method, route, response.status(), seconds);
    response
}

/// `GET /metrics`.
pub async fn serve_metrics(
    State(state): State<AppState>,
    Extension(metrics): Extension<Metrics>,
) -> Response {
    let totals = sqlx::query_as::<_, (String, i64, i64)>(
        "SELECT kind, COUNT(*), COALESCE(SUM(amount), 0) FROM entries GROUP BY kind",
    )
    .fetch_all(state.funding.db().reader())
    .await;
    match totals {
        Ok(totals) => metrics.record_movements(&totals),
        Err(error) => {
            tracing::error!(%error, "metrics: reading the ledger's totals failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "ledger unavailable\n").into_response();
        }
    }
    let text = metrics.handle.render();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
