//! The h2h web application: server-rendered pages in the GOV.UK Design System that work
//! without JavaScript, and the JSON API under `/api/v1` with its OpenAPI document.

mod api;
mod assets;
pub mod attendance;
pub mod contract;
mod error;
pub mod indicators;
mod overview;
mod pages;
mod partnerships;
mod plans;
mod records_api;
pub mod report;
mod scorecard_page;
pub mod scorecards;
mod series;
mod signed;
pub mod snapshot;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use h2h_store::Store;
use tower_http::trace::TraceLayer;

pub use api::openapi;
pub use error::WebError;
pub use scorecard_page::scorecard_document;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The store every page and API answer reads from.
    pub store: Arc<dyn Store>,
    /// What pages and API answers read, rebuilt when the data change.
    pub snapshots: Arc<snapshot::SnapshotCache>,
}

impl AppState {
    /// The snapshot of the store's current data.
    pub async fn snapshot(&self) -> Result<Arc<snapshot::Snapshot>, h2h_store::StoreError> {
        self.snapshots.get(&self.store).await
    }
}

/// Builds the application: pages, API, OpenAPI document, health check and assets. The
/// first request reads the snapshot; [`ready_app`] reads it before serving.
pub fn app(store: Arc<dyn Store>) -> Router {
    app_with(AppState {
        store,
        snapshots: Arc::new(snapshot::SnapshotCache::default()),
    })
}

/// The application with its snapshot already read, so the first visitor does not wait.
pub async fn ready_app(store: Arc<dyn Store>) -> Result<Router, h2h_store::StoreError> {
    let state = AppState {
        store,
        snapshots: Arc::new(snapshot::SnapshotCache::default()),
    };
    state.snapshot().await?;
    Ok(app_with(state))
}

fn app_with(state: AppState) -> Router {
    let (api_router, api_doc) = api::router().split_for_parts();
    let api_doc = Arc::new(api_doc);
    Router::new()
        .merge(pages::router())
        .merge(plans::router())
        .merge(report::router())
        .merge(signed::router())
        .merge(partnerships::router())
        .merge(scorecard_page::router())
        .merge(api_router)
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = Arc::clone(&api_doc);
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .merge(assets::router())
        .fallback(pages::not_found)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `app` on a bound listener until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
