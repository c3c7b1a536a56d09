//! The web dashboard: one page and its script and style, compiled into the binary (nothing is
//! fetched from the internet, at build or at run time). The page talks to the API with the
//! token the person signs in with; the files themselves are public, the data is not.

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::api::ApiState;

const INDEX_HTML: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");
const FAVICON_SVG: &str = include_str!("../assets/favicon.svg");

pub fn router() -> Router<Arc<ApiState>> {
    Router::new()
        .route("/", get(|| async { asset(INDEX_HTML, "text/html; charset=utf-8") }))
        .route("/index.html", get(|| async { asset(INDEX_HTML, "text/html; charset=utf-8") }))
        .route("/assets/app.js", get(|| async { asset(APP_JS, "text/javascript; charset=utf-8") }))
        .route("/assets/app.css", get(|| async { asset(APP_CSS, "text/css; charset=utf-8") }))
        .route("/assets/favicon.svg", get(|| async { asset(FAVICON_SVG, "image/svg+xml") }))
        .route("/favicon.ico", get(|| async { asset(FAVICON_SVG, "image/svg+xml") }))
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The files change with the binary only; a restart after an upgrade must not serve stale
    // scripts from a cache, so they are revalidated rather than cached for long.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
