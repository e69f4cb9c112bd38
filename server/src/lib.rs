//! Twofold's server: builds the application from its configuration and serves it. `main` only
//! reads the configuration and calls [`serve`]; the tests call [`spawn`] with the same code.

pub mod api;
pub mod config;
pub mod housekeeping;
pub mod metrics;
mod middleware;
pub mod telemetry;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use app::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::routing::get;
use funding::Funding;
use funding::accounts::Accounts;
use funding::clock::Clock;
use funding::db::Db;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("TWOFOLD_DATABASE_URL: {0}")]
    Database(#[from] funding::db::OpenError),
    #[error("TWOFOLD_ADDR: cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// The whole application, built and ready to [`serve`]: its routes and what runs beside them.
pub struct Application {
    router: Router,
    db: Db,
    funding: Funding,
    accounts: Accounts,
}

/// Opens the database and builds the whole application: pages, server functions, JSON API,
/// metrics.
pub async fn build(config: &Config, clock: Arc<dyn Clock>) -> Result<Application, StartError> {
    let db = Db::open(&config.database_url).await?;

    let leptos_options = LeptosOptions::builder()
        .output_name("twofold")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build();
    let state = AppState {
        leptos_options: leptos_options.clone(),
        accounts: Accounts::new(db.clone(), clock.clone(), config.session_idle_timeout),
        funding: Funding::new(
            db.clone(),
            clock,
            config.settings.clone(),
            config.catalog.clone(),
        ),
        metering_token: config.metering_token.as_deref().map(Arc::from),
        secure_cookies: config.secure_cookies,
        flashes: Default::default(),
    };

    state.accounts.prepare().await;

    let routes = generate_route_list(App);
    let pages = Router::new()
        .route("/fn/{*name}", get(server_fn).post(server_fn))
        .leptos_routes_with_context(&state, routes, page_context(&state), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context(&state), shell));

    let funding = state.funding.clone();
    let accounts = state.accounts.clone();
    let router = Router::new()
        .nest("/api/v1", api::routes())
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::serve_metrics))
        .merge(pages)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            api::auth::authenticate,
        ))
        .layer(axum::middleware::from_fn(
            middleware::refuse_cross_site_writes,
        ))
        .layer(RequestBodyLimitLayer::new(middleware::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(middleware::limit_body_size))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        // `Router::layer` wraps each route, so the matched route is known to the metrics.
        .layer(axum::middleware::from_fn_with_state(
            metrics::Metrics::new(),
            metrics::track_requests,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state);
    Ok(Application {
        router,
        db,
        funding,
        accounts,
    })
}

/// What every page and server function gets in its context.
fn page_context(state: &AppState) -> impl Fn() + Clone + Send + 'static + use<> {
    let state = state.clone();
    move || provide_context(state.clone())
}

async fn server_fn(
    State(state): State<AppState>,
    req: Request,
) -> impl axum::response::IntoResponse {
    handle_server_fns_with_context(page_context(&state), req).await
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    // The state's account store shares the database handle; a read proves it answers.
    if state.accounts.ping().await {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
    }
}

/// The span of one request. Only the path is recorded: query strings can carry form errors
/// with what a person typed, and they stay out of the logs.
fn request_span(req: &Request) -> tracing::Span {
    tracing::info_span!(
        "request",
        http.method = %req.method(),
        http.path = req.uri().path(),
        user.id = tracing::field::Empty,
    )
}

/// Serves the application on `listener`, with its housekeeping beside it, until `shutdown`
/// completes; then lets requests in flight finish, stops the housekeeping and closes the
/// database.
pub async fn serve(
    listener: TcpListener,
    application: Application,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let Application {
        router,
        db,
        funding,
        accounts,
    } = application;
    let housekeeping = housekeeping::Housekeeping::start(funding, accounts);
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await;
    housekeeping.stop().await;
    db.close().await;
    served
}

/// Binds `config.addr` and builds the application, ready to [`serve`].
pub async fn bind(
    config: &Config,
    clock: Arc<dyn Clock>,
) -> Result<(TcpListener, Application), StartError> {
    let application = build(config, clock).await?;
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
    Ok((listener, application))
}

/// A server running in the background, as the tests use it.
pub struct RunningServer {
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops the server gracefully and waits until it has.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Starts the real application in the background on `config.addr` (port 0 picks a free one).
pub async fn spawn(config: &Config, clock: Arc<dyn Clock>) -> Result<RunningServer, StartError> {
    let (listener, application) = bind(config, clock).await?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.addr,
        source,
    })?;
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, application, async {
        let _ = stopped.await;
    }));
    Ok(RunningServer {
        addr,
        shutdown: Some(shutdown),
        task,
    })
}
