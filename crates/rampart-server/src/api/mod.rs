//! The control plane's HTTP side: the REST API under `/api/v1` (`docs/control-plane-api.md`,
//! described by `api/openapi.yaml`) and the dashboard's files.
//!
//! Access control is one middleware in front of every API route: the bearer token is looked up
//! by its hash, and the role the route needs comes from [`ROUTES`] — the same table the tests
//! check against the `x-rampart-role` of every operation in the API's own OpenAPI document, so
//! a route cannot be added without a role. Failed token checks are counted per address and
//! answered 429 beyond `[server] auth_failures_per_minute`.

mod handlers;
mod problem;
pub mod views;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use rampart_limits::Blocklist;
use rampart_store::{Role, SqliteStore, TokenRecord};

pub use problem::ApiError;

use crate::pipeline::{PipelineHandle, Shared};

/// Every API route and the least role it needs. Paths are axum's (`{id}` parameters).
pub const ROUTES: &[(&str, &str, Role)] = &[
    ("GET", "/api/v1/whoami", Role::Viewer),
    ("GET", "/api/v1/overview", Role::Viewer),
    ("GET", "/api/v1/endpoints", Role::Viewer),
    ("GET", "/api/v1/endpoints/{id}", Role::Viewer),
    ("GET", "/api/v1/findings", Role::Viewer),
    ("GET", "/api/v1/findings/{id}", Role::Viewer),
    ("PATCH", "/api/v1/findings/{id}", Role::Operator),
    ("GET", "/api/v1/alerts", Role::Viewer),
    ("GET", "/api/v1/alerts/{id}", Role::Viewer),
    ("GET", "/api/v1/decisions", Role::Viewer),
    ("POST", "/api/v1/decisions", Role::Operator),
    ("DELETE", "/api/v1/decisions/{id}", Role::Operator),
    ("GET", "/api/v1/specs", Role::Viewer),
    ("POST", "/api/v1/specs", Role::Operator),
    ("GET", "/api/v1/specs/{id}", Role::Viewer),
    ("DELETE", "/api/v1/specs/{id}", Role::Operator),
    ("GET", "/api/v1/spec-diff", Role::Viewer),
    ("GET", "/api/v1/reconstructed-spec", Role::Viewer),
    ("GET", "/api/v1/metrics", Role::Viewer),
    ("GET", "/api/v1/tokens", Role::Admin),
    ("POST", "/api/v1/tokens", Role::Admin),
    ("DELETE", "/api/v1/tokens/{id}", Role::Admin),
    ("GET", "/api/v1/audit-log", Role::Admin),
    ("GET", "/api/v1/openapi.json", Role::Viewer),
];

/// The API's own OpenAPI document, as written (YAML).
pub const OPENAPI_YAML: &str = include_str!("../../api/openapi.yaml");

/// The largest request body: a declared spec.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// What the handlers share.
pub struct ApiState {
    /// The control plane's own connection (the pipeline has another): reads and the few writes
    /// of people, serialised.
    pub store: Arc<Mutex<SqliteStore>>,
    pub shared: Arc<Shared>,
    pub pipeline: PipelineHandle,
    /// The gateway's blocklist, when one runs in this process: decisions added and lifted here
    /// take effect there at once.
    pub blocklist: Option<Arc<Blocklist>>,
    pub gateway_metrics: Option<Arc<rampart_gateway::metrics::Metrics>>,
    pub started: Instant,
    pub auth_failures_per_minute: u32,
    auth_failures: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    openapi_json: String,
}

impl ApiState {
    pub fn new(
        store: SqliteStore,
        pipeline: PipelineHandle,
        blocklist: Option<Arc<Blocklist>>,
        gateway_metrics: Option<Arc<rampart_gateway::metrics::Metrics>>,
        auth_failures_per_minute: u32,
    ) -> Result<ApiState, String> {
        let openapi: serde_json::Value = yaml_serde::from_str(OPENAPI_YAML)
            .map_err(|error| format!("the API's own OpenAPI document: {error}"))?;
        let openapi_json = serde_json::to_string_pretty(&openapi).map_err(|error| error.to_string())?;
        Ok(ApiState {
            store: Arc::new(Mutex::new(store)),
            shared: pipeline.shared().clone(),
            pipeline,
            blocklist,
            gateway_metrics,
            started: Instant::now(),
            auth_failures_per_minute,
            auth_failures: Mutex::new(HashMap::new()),
            openapi_json,
        })
    }

    /// Runs `work` on the store off the async threads.
    pub async fn with_store<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut SqliteStore) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = match store.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            work(&mut guard)
        })
        .await
        .map_err(|error| ApiError::Internal(format!("store task: {error}")))?
    }

    /// Counts a failed token check; true when the address is over its budget.
    fn note_auth_failure(&self, ip: IpAddr) -> bool {
        let mut failures = match self.auth_failures.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = Instant::now();
        if failures.len() > 10_000 {
            failures.retain(|_, (since, _)| now.duration_since(*since).as_secs() < 60);
        }
        let entry = failures.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0).as_secs() >= 60 {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 > self.auth_failures_per_minute
    }

    fn over_auth_budget(&self, ip: IpAddr) -> bool {
        let failures = match self.auth_failures.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        failures.get(&ip).is_some_and(|(since, count)| {
            Instant::now().duration_since(*since).as_secs() < 60 && *count >= self.auth_failures_per_minute
        })
    }
}

/// Who is calling: set by the access middleware for every API handler.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token: TokenRecord,
    pub ip: IpAddr,
}

impl Caller {
    /// How the audit log names the caller.
    pub fn actor(&self) -> String {
        format!("{} ({})", self.token.id, self.token.name)
    }
}

/// The whole control-plane router: API, dashboard, security headers.
pub fn router(state: Arc<ApiState>, dashboard: bool) -> Router {
    use axum::routing::{delete, patch, post};
    let api = Router::new()
        .route("/v1/whoami", get(handlers::whoami))
        .route("/v1/overview", get(handlers::overview))
        .route("/v1/endpoints", get(handlers::endpoints))
        .route("/v1/endpoints/{id}", get(handlers::endpoint))
        .route("/v1/findings", get(handlers::findings))
        .route("/v1/findings/{id}", get(handlers::finding).merge(patch(handlers::set_finding_status)))
        .route("/v1/alerts", get(handlers::alerts))
        .route("/v1/alerts/{id}", get(handlers::alert))
        .route("/v1/decisions", get(handlers::decisions).merge(post(handlers::add_decision)))
        .route("/v1/decisions/{id}", delete(handlers::lift_decision))
        .route("/v1/specs", get(handlers::specs).merge(post(handlers::upload_spec)))
        .route("/v1/specs/{id}", get(handlers::spec).merge(delete(handlers::delete_spec)))
        .route("/v1/spec-diff", get(handlers::spec_diff))
        .route("/v1/reconstructed-spec", get(handlers::reconstructed_spec))
        .route("/v1/metrics", get(handlers::metrics))
        .route("/v1/tokens", get(handlers::tokens).merge(post(handlers::create_token)))
        .route("/v1/tokens/{id}", delete(handlers::revoke_token))
        .route("/v1/audit-log", get(handlers::audit_log))
        .route("/v1/openapi.json", get(openapi_json))
        .fallback(api_not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), require_token))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES));
    let mut router = Router::new().nest("/api", api);
    if dashboard {
        router = router.merge(crate::dashboard::router());
    }
    router.fallback(not_found).layer(axum::middleware::from_fn(security_headers)).with_state(state)
}

async fn openapi_json(State(state): State<Arc<ApiState>>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], state.openapi_json.clone()).into_response()
}

async fn api_not_found() -> ApiError {
    ApiError::NotFound("no such route".to_owned())
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such page".to_owned())
}

/// The role a route needs, from [`ROUTES`].
pub fn required_role(method: &Method, path: &str) -> Option<Role> {
    ROUTES.iter().find(|(m, p, _)| *m == method.as_str() && *p == path).map(|(_, _, role)| *role)
}

/// Access control for every API route (the fallback included: an unknown route is only told
/// apart from a known one after authentication).
async fn require_token(
    State(state): State<Arc<ApiState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let ip = peer.ip();
    if state.over_auth_budget(ip) {
        return ApiError::TooManyFailures.into_response();
    }
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
        })
        .filter(|token| !token.is_empty() && token.len() <= 256);
    let Some(presented) = presented else {
        let _ = state.note_auth_failure(ip);
        return ApiError::Unauthorized("a bearer token is needed (rampart token create)".to_owned())
            .into_response();
    };
    let token = state.with_store(move |store| Ok(store.authenticate_token(&presented, Utc::now())?)).await;
    let token = match token {
        Ok(Some(token)) => token,
        Ok(None) => {
            if state.note_auth_failure(ip) {
                return ApiError::TooManyFailures.into_response();
            }
            return ApiError::Unauthorized("the token is unknown, revoked or expired".to_owned())
                .into_response();
        }
        Err(error) => return error.into_response(),
    };
    // Inside the nested router the matched path may or may not carry the `/api` prefix.
    let path = request.extensions().get::<MatchedPath>().map(|p| {
        let path = p.as_str();
        if path.starts_with("/api/") { path.to_owned() } else { format!("/api{path}") }
    });
    if let Some(path) = path {
        let needed = required_role(request.method(), &path).unwrap_or(Role::Admin);
        if token.role < needed {
            return ApiError::Forbidden(format!(
                "this needs the {} role; the token `{}` has {}",
                needed.as_str(),
                token.name,
                token.role.as_str()
            ))
            .into_response();
        }
    }
    request.extensions_mut().insert(Caller { token, ip });
    next.run(request).await
}

/// The framework's own refusals (a body over the limit, a wrong content type) are plain text:
/// the API answers every error as a problem document, so they are rewritten as one.
async fn as_problem(response: Response) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let mut detail = String::from_utf8_lossy(&text).trim().to_owned();
    if detail.is_empty() {
        detail = status.canonical_reason().unwrap_or("error").to_owned();
    }
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    let mut response = Response::from_parts(parts, axum::body::Body::from(body.to_string()));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response.headers_mut().remove(header::CONTENT_LENGTH);
    response
}

/// Headers every answer carries: no framing, no sniffing, no caching of API data, and a
/// content policy that allows the dashboard's own files only.
async fn security_headers(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    if api {
        response = as_problem(response).await;
    }
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if api || !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
