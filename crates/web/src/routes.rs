//! The application's page routes, kept with their paths so that tests can enumerate every
//! route the router serves (the API's come from its OpenAPI document, which utoipa builds
//! from the same declarations as its router).

use axum::Router;
use axum::routing::MethodRouter;

use crate::AppState;

/// A router that remembers the paths it was given.
pub(crate) struct Routes {
    router: Router<AppState>,
    paths: Vec<&'static str>,
}

impl Routes {
    /// No routes yet.
    pub(crate) fn new() -> Self {
        Self {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    /// Adds a route.
    pub(crate) fn route(mut self, path: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.paths.push(path);
        self.router = self.router.route(path, handler);
        self
    }

    /// Adds every route of `other`.
    pub(crate) fn merge(mut self, other: Routes) -> Self {
        self.paths.extend(other.paths);
        self.router = self.router.merge(other.router);
        self
    }

    /// The router and the paths.
    pub(crate) fn into_parts(self) -> (Router<AppState>, Vec<&'static str>) {
        (self.router, self.paths)
    }
}
