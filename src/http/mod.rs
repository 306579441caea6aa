//! HTTP: the axum router, health probes and serving with graceful shutdown.

pub mod access;
mod arguments;
mod cache;
pub mod console;
pub mod export;
mod fan_out;
pub mod graphql;
pub mod idempotency;
pub mod limits;
mod nulls;
mod ordered;
mod panics;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;

use crate::config::Limits;
use crate::graphql::AppSchema;
use crate::storage::Db;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub schema: AppSchema,
    pub limits: Arc<Limits>,
    pub rate: Arc<limits::RateLimiter>,
    pub cache: Arc<cache::ResponseCache>,
    /// The schema's field types, to put a failed field's null where the specification does
    /// and to count a query's lists by their rows.
    pub field_types: Arc<nulls::FieldTypes>,
}

/// The router production serves and tests drive.
pub fn app(db: Db, limits: Limits) -> Router {
    let schema = crate::graphql::build_schema(Some(db.clone()), &limits);
    let concurrency = limits.max_concurrent_requests.max(1);
    let sdl = schema.sdl();
    let field_types = Arc::new(nulls::FieldTypes::from_sdl(&sdl));
    let state = AppState {
        db,
        schema,
        field_types,
        rate: Arc::new(limits::RateLimiter::new(limits.rate_limit_per_minute)),
        cache: Arc::new(cache::ResponseCache::new(
            limits.response_cache_mb.saturating_mul(1024 * 1024),
        )),
        limits: Arc::new(limits),
    };
    // One count over every route that does work: `Router::layer` gives each route and method
    // a layer of its own, and a plain ConcurrencyLimitLayer a semaphore per layer, which let
    // GET and POST /graphql and each export run their own `max_concurrent_requests` at once.
    // The probes stay outside it, so that a busy server still answers that it is alive.
    let work = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/export/iati.xml", get(export::iati_xml))
        .route("/export/indicators.csv", get(export::indicators_csv))
        .route("/export/activities.csv", get(export::activities_csv))
        .route("/export/budgets.csv", get(export::budgets_csv))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(concurrency));
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/graphql") }))
        .merge(work)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .layer(axum::middleware::from_fn(panics::catch))
        .layer(axum::middleware::from_fn(access::log_requests))
        .with_state(state)
}

/// How long `/readyz` waits for the database: a load balancer's probe gives up after a few
/// seconds, and the pool would wait up to its acquire timeout (10 s) for a connection.
pub const READINESS_DEADLINE: Duration = Duration::from_secs(2);

/// Ready when the database answers within `READINESS_DEADLINE` and carries exactly this
/// binary's migrations; else 503 with the reason, which is also logged.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let reason = match tokio::time::timeout(READINESS_DEADLINE, state.db.unready()).await {
        Ok(None) => return (StatusCode::OK, "ready".to_string()),
        Ok(Some(reason)) => reason,
        Err(_) => format!(
            "the database did not answer within {} seconds",
            READINESS_DEADLINE.as_secs()
        ),
    };
    tracing::warn!(%reason, "not ready");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        format!("not ready: {reason}"),
    )
}

/// Serves `router` on `listener` until SIGINT or SIGTERM, then lets the requests in flight
/// finish for up to `grace` (a second signal ends the wait at once). Returns false when some
/// were still running then: the caller stops the runtime, which cuts them off, each logged with
/// `incomplete=true` by the access log. Without a deadline a slow download kept the process up.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    grace: Duration,
) -> std::io::Result<bool> {
    let stopping = Arc::new(tokio::sync::Notify::new());
    let signalled = stopping.clone();
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!(
            "shutting down: finishing requests in flight, for up to {} seconds",
            grace.as_secs()
        );
        signalled.notify_one();
    });
    let deadline = async {
        stopping.notified().await;
        tokio::select! {
            () = tokio::time::sleep(grace) => tracing::warn!(
                "the shutdown deadline of {} seconds passed: stopping now, cutting off the \
                 requests still in flight (each logged with incomplete=true)",
                grace.as_secs()
            ),
            () = shutdown_signal() => tracing::warn!(
                "a second signal: stopping now, cutting off the requests still in flight \
                 (each logged with incomplete=true)"
            ),
        }
    };
    tokio::select! {
        served = server.into_future() => served.map(|()| true),
        () = deadline => Ok(false),
    }
}

/// The first SIGINT or SIGTERM from now on.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
