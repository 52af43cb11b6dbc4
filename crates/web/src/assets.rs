//! Static files: GOV.UK Frontend from npm (embedded at build time) and h2h's own.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

include!(concat!(env!("OUT_DIR"), "/govuk_assets.rs"));

static OWN_ASSETS: &[(&str, &[u8])] = &[
    ("app.css", include_bytes!("../static/app.css")),
    ("app.mjs", include_bytes!("../static/app.mjs")),
    ("enable-js.js", include_bytes!("../static/enable-js.js")),
    ("favicon.svg", include_bytes!("../static/favicon.svg")),
];

pub(crate) fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route(
            "/assets/{*path}",
            get(|Path(path): Path<String>| async move { serve(GOVUK_ASSETS, &path) }),
        )
        .route(
            "/static/{*path}",
            get(|Path(path): Path<String>| async move { serve(OWN_ASSETS, &path) }),
        )
}

fn serve(files: &'static [(&'static str, &'static [u8])], path: &str) -> Response {
    match files.iter().find(|(name, _)| *name == path) {
        Some((name, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type(name)),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}
