//! The h2h web application: server-rendered pages in the GOV.UK Design System that work
//! without JavaScript, and the JSON API under `/api/v1` with its OpenAPI document.

mod access_cache;
mod account;
mod admin;
mod api;
mod assets;
pub mod attendance;
pub mod auth;
pub mod contract;
mod error;
pub mod indicators;
mod overview;
mod pages;
mod partnerships;
mod plans;
mod records_api;
pub mod report;
mod routes;
mod scorecard_page;
pub mod scorecards;
mod series;
mod signed;
pub mod snapshot;
mod views;

use std::sync::Arc;

use axum::routing::get;
use axum::{Router, middleware};
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
    /// Who the server has recognised and what is published, until access changes.
    pub access: Arc<access_cache::AccessCache>,
}

impl AppState {
    /// A state over `store` whose requests wait up to `fresh_wait` for figures being rebuilt.
    fn new(store: Arc<dyn Store>, fresh_wait: std::time::Duration) -> Self {
        Self {
            store,
            snapshots: Arc::new(snapshot::SnapshotCache::waiting(fresh_wait)),
            access: Arc::default(),
        }
    }

    /// The snapshot of the store's data as of the request being answered (its data version
    /// was read once, with the viewer), or as of now outside a request.
    pub async fn snapshot(&self) -> Result<Arc<snapshot::Snapshot>, h2h_store::StoreError> {
        match auth::request_versions() {
            Some(versions) => self.snapshots.get_at(&self.store, versions.data).await,
            None => self.snapshots.get(&self.store).await,
        }
    }
}

/// Builds the application: pages, API, OpenAPI document, health check and assets. The
/// first request reads the snapshot; [`ready_app`] reads it before serving. Every answer
/// reflects the data as of its request, however long the figures take to rebuild (tests and
/// one-shot tools want that); a server uses [`ready_app`], which answers from the previous
/// figures after [`snapshot::FRESH_WAIT`] rather than stall during a large import.
pub fn app(store: Arc<dyn Store>) -> Router {
    app_with(AppState::new(store, std::time::Duration::from_secs(120)))
}

/// The application with its snapshot already read, so the first visitor does not wait.
pub async fn ready_app(store: Arc<dyn Store>) -> Result<Router, h2h_store::StoreError> {
    let state = AppState::new(store, snapshot::FRESH_WAIT);
    state.snapshot().await?;
    Ok(app_with(state))
}

/// Every page route, with its paths.
fn page_routes() -> routes::Routes {
    pages::router()
        .merge(plans::router())
        .merge(report::router())
        .merge(signed::router())
        .merge(partnerships::router())
        .merge(scorecard_page::router())
        .merge(account::router())
        .merge(admin::router())
        .merge(assets::router())
}

/// The path of the OpenAPI document.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// Every path the application routes, as declared (`{name}` for a parameter): the pages,
/// the API (from its OpenAPI document) and the document itself. The permission tests
/// enumerate these, so no route can be added without being tested.
pub fn route_paths() -> Vec<String> {
    let (_, pages) = page_routes().into_parts();
    let mut paths: Vec<String> = pages.into_iter().map(str::to_owned).collect();
    paths.extend(openapi().paths.paths.keys().cloned());
    paths.push(OPENAPI_PATH.to_owned());
    paths
}

fn app_with(state: AppState) -> Router {
    let (api_router, api_doc) = api::router_and_document();
    let api_doc = Arc::new(api_doc);
    let (pages, _) = page_routes().into_parts();
    Router::new()
        .merge(pages)
        .merge(api_router)
        .route(
            OPENAPI_PATH,
            get(move || {
                let doc = Arc::clone(&api_doc);
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::resolve_viewer,
        ))
        .layer(middleware::from_fn(auth::refuse_cross_site))
        .layer(middleware::from_fn(auth::protective_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `app` on a bound listener until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
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
