//! The HTTP handlers of the demo bank.
//!
//! Handlers branch on the state's [`Mode`]: the flawed bank keeps its planted weaknesses (each
//! marked `PLANTED FLAW (issue 5)` or `PLANTED FLAW (issue 6)`), the fixed bank answers the same
//! requests safely.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FormRejection, QueryRejection};
use axum::extract::{ConnectInfo, Form, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, Duration, NaiveDate, SecondsFormat, Utc};
use rsa::sha2::{Digest, Sha256};
use serde_json::{Value, json};

use crate::data::{self, Beneficiary, Customer, format_minor, parse_minor};
use crate::jwt::{AUDIENCE, Claims, ISSUER};
use crate::state::{AppState, Mode, Payment, Session, Webhook};

/// Access token lifetime.
pub const TOKEN_LIFETIME_SECS: i64 = 900;
const SESSION_LIFETIME_MINUTES: i64 = 30;
const PROBLEM_BASE: &str = "https://api.demo-bank.example/problems/";

/// An RFC 9457 problem, rendered as `application/problem+json`.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    detail: String,
}

impl Problem {
    fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Problem {
        Problem { status, kind, title, detail: detail.into() }
    }
    fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Authentication required", detail)
    }
    fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }
    fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Resource not found", detail)
    }
    fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", "Malformed request", detail)
    }
    fn invalid(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "validation-error", "Validation failed", detail)
    }
    fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the request could not be completed",
        )
    }
    /// A generic problem for `status`, saying nothing about the server's internals.
    fn for_status(status: StatusCode) -> Problem {
        let title = status.canonical_reason().unwrap_or("Error");
        let kind = match status.as_u16() {
            400 => "bad-request",
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not-found",
            405 => "method-not-allowed",
            410 => "gone",
            413 => "payload-too-large",
            415 => "unsupported-media-type",
            422 => "validation-error",
            429 => "too-many-requests",
            _ if status.is_server_error() => "internal",
            _ => "error",
        };
        let detail = if status.is_server_error() { "the request could not be completed" } else { title };
        Problem::new(status, kind, title, detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = json!({
            "type": format!("{PROBLEM_BASE}{}", self.kind),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        let mut response = (self.status, Json(body)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"demo-bank\""));
        }
        response
    }
}

type ApiResult = Result<Response, Problem>;

fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

fn created(value: Value) -> ApiResult {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn money(minor: i64, currency: &str) -> Value {
    json!({"value": format_minor(minor), "currency": currency})
}

/// Adds the headers every response carries. The `Date` header comes from the API clock (hyper
/// only adds its own when none is set), which keeps recorded samples reproducible.
pub async fn common_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let request_id = {
        let mut live = state.live();
        live.requests_served += 1;
        format!("req-{:08x}", live.rng.next_u64() as u32)
    };
    let legacy = request.uri().path().starts_with("/v1/");
    let mode = state.mode();
    let mut response = next.run(request).await;
    if mode.is_fixed() {
        response = problem_for_errors(response);
    }
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert("x-request-id", v);
    }
    let date = state.now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    if let Ok(v) = HeaderValue::from_str(&date) {
        headers.insert(header::DATE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if legacy && mode == Mode::Flawed {
        // PLANTED FLAW (issue 5): the legacy `/v1` surface is still served by the old stack:
        // version banners, and neither HSTS nor `nosniff` (rules `server-banner`,
        // `missing-security-headers`).
        headers.insert(header::SERVER, HeaderValue::from_static("nginx/1.18.0"));
        headers.insert("x-powered-by", HeaderValue::from_static("PHP/7.2.34"));
    } else {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    }
    if mode.is_fixed() {
        headers.remove(header::SERVER);
        headers.remove("x-powered-by");
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// Fixed mode: an error answered by the framework itself (a rejected path, a body over the
/// limit, an unsupported media type) becomes a generic problem document, so that no error
/// carries framework internals. Problem documents and OAuth errors pass through.
fn problem_for_errors(response: Response) -> Response {
    let status = response.status();
    let content_type =
        response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !(status.is_client_error() || status.is_server_error())
        || content_type.starts_with("application/problem+json")
        || content_type.starts_with("application/json")
    {
        return response;
    }
    let mut replacement = Problem::for_status(status).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = response.headers().get(&name) {
            replacement.headers_mut().insert(name, v.clone());
        }
    }
    replacement
}

/// Decides, before any handler runs, what the mode says about the request as a whole: `TRACE`,
/// the retired legacy `/v1` API and the internal area.
pub async fn mode_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    match state.mode() {
        Mode::Flawed => {
            if request.method() == Method::TRACE {
                return trace_echo(&request);
            }
        }
        Mode::Fixed => {
            if request.method() == Method::TRACE {
                return method_not_allowed().await.into_response();
            }
            if path == "/v1" || path.starts_with("/v1/") {
                return Problem::new(
                    StatusCode::GONE,
                    "gone",
                    "API version retired",
                    "the v1 API has been retired; use /v2 and /oauth/token",
                )
                .into_response();
            }
            if (path == "/internal" || path.starts_with("/internal/"))
                && let Err(problem) = require_ops_key(&state, request.headers())
            {
                return problem.into_response();
            }
        }
    }
    next.run(request).await
}

/// PLANTED FLAW (issue 6): `TRACE` is answered on every path, echoing the request line and all
/// its headers — `Authorization` and `Cookie` included — as `message/http` (class
/// `trace-method`, cross-site tracing).
fn trace_echo(request: &Request) -> Response {
    let target = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let mut echo = format!("TRACE {target} {:?}\r\n", request.version());
    for (name, value) in request.headers() {
        echo.push_str(&format!("{}: {}\r\n", name, String::from_utf8_lossy(value.as_bytes())));
    }
    echo.push_str("\r\n");
    let mut response = (StatusCode::OK, echo).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("message/http"));
    response
}

pub async fn not_found_fallback() -> Problem {
    Problem::not_found("no such resource")
}

pub async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "method not allowed here",
    )
}

// ----------------------------------------------------------------------------------------------
// Authentication
// ----------------------------------------------------------------------------------------------

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

fn verified_claims(state: &AppState, headers: &HeaderMap) -> Result<Claims, Problem> {
    let token =
        bearer_token(headers).ok_or_else(|| Problem::unauthorized("a Bearer access token is required"))?;
    let claims =
        state.keys().verify(token, state.now().timestamp()).map_err(|e| match (state.mode(), e) {
            (Mode::Fixed, crate::jwt::JwtError::Expired) => Problem::unauthorized("access token has expired"),
            (Mode::Fixed, _) => Problem::unauthorized("invalid access token"),
            (Mode::Flawed, e) => Problem::unauthorized(format!("invalid access token: {e}")),
        })?;
    if state.live().revoked_token_ids.contains(&claims.jti) {
        return Err(Problem::unauthorized("access token has been revoked"));
    }
    Ok(claims)
}

/// The customer a `/v2` call acts for.
fn customer_caller(state: &AppState, headers: &HeaderMap) -> Result<usize, Problem> {
    let claims = verified_claims(state, headers)?;
    state
        .dataset()
        .customer_by_id(&claims.sub)
        .ok_or_else(|| Problem::forbidden("this token is not bound to a customer"))
}

/// A legacy HS256 token's customer.
fn legacy_token_caller(state: &AppState, token: &str) -> Result<usize, Problem> {
    let claims = crate::jwt::verify_legacy(token)
        .map_err(|e| Problem::unauthorized(format!("invalid access token: {e}")))?;
    state
        .dataset()
        .customer_by_id(&claims.sub)
        .ok_or_else(|| Problem::forbidden("this token is not bound to a customer"))
}

/// The `alg` of a JWT's header, when the token has a readable header.
fn jwt_alg(token: &str) -> Option<String> {
    let header = URL_SAFE_NO_PAD.decode(token.split('.').next()?.trim_end_matches('=')).ok()?;
    let header: Value = serde_json::from_slice(&header).ok()?;
    header.get("alg")?.as_str().map(str::to_owned)
}

/// PLANTED FLAW (issue 6): the legacy stack's JWT library trusts the token's own header: with
/// `"alg": "none"` it skips the signature check altogether and takes the `sub` claim as the
/// caller — any customer can be impersonated with an unsigned token (class `jwt-alg-none`).
fn unsigned_token_caller(state: &AppState, token: &str) -> Result<usize, Problem> {
    let claims = token
        .split('.')
        .nth(1)
        .and_then(|part| URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok())
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .ok_or_else(|| Problem::unauthorized("invalid access token: token is not three base64url parts"))?;
    let subject = claims.get("sub").and_then(Value::as_str).unwrap_or("");
    state
        .dataset()
        .customer_by_id(subject)
        .ok_or_else(|| Problem::forbidden("this token is not bound to a customer"))
}

/// The customer a `/v1` call acts for: a Bearer token (the current RS256 ones or the legacy
/// HS256 ones), an `access_token` query parameter, or the `session` cookie from login.
fn legacy_caller(state: &AppState, headers: &HeaderMap, query: Option<&str>) -> Result<usize, Problem> {
    // PLANTED FLAW (issue 5): the legacy API also takes the token in the query string
    // (`?access_token=`), where it lands in proxy logs and browser history (rule `token-in-url`).
    let query_token = query.and_then(|q| {
        q.split('&').find_map(|pair| pair.strip_prefix("access_token=")).filter(|t| !t.is_empty())
    });
    let unsigned = |token: &str| {
        state.mode() == Mode::Flawed && jwt_alg(token).is_some_and(|a| a.eq_ignore_ascii_case("none"))
    };
    if let Some(token) = query_token {
        if unsigned(token) {
            return unsigned_token_caller(state, token);
        }
        return legacy_token_caller(state, token);
    }
    if let Some(token) = bearer_token(headers) {
        if unsigned(token) {
            return unsigned_token_caller(state, token);
        }
        if token.starts_with("eyJhbGciOiJIUzI1NiI") {
            return legacy_token_caller(state, token);
        }
        return customer_caller(state, headers);
    }
    let session_id = cookie(headers, "session").ok_or_else(|| Problem::unauthorized("login required"))?;
    let now = state.now();
    match state.live().sessions.get(session_id) {
        Some(s) if s.expires_at > now => Ok(s.customer_index),
        _ => Err(Problem::unauthorized("session expired or unknown")),
    }
}

fn require_api_key(state: &AppState, headers: &HeaderMap) -> Result<(), Problem> {
    match headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        Some(key) if key == state.dataset().ops_api_key => Ok(()),
        Some(_) => Err(Problem::unauthorized("invalid API key")),
        None => Err(Problem::unauthorized("X-API-Key header required")),
    }
}

/// Fixed mode's gate in front of `/internal`: the ops API key, and nothing else. A customer's
/// token is a valid credential for the wrong audience: 403.
fn require_ops_key(state: &AppState, headers: &HeaderMap) -> Result<(), Problem> {
    match require_api_key(state, headers) {
        Err(_) if headers.get("x-api-key").is_none() && headers.contains_key(header::AUTHORIZATION) => {
            Err(Problem::forbidden("the internal area takes the ops API key only"))
        }
        other => other,
    }
}

fn issue_token(state: &AppState, subject: &str, client_id: &str, scope: &str) -> Result<String, Problem> {
    let now = state.now().timestamp();
    let jti = format!("{:016x}", state.live().rng.next_u64());
    let claims = Claims {
        iss: ISSUER.to_owned(),
        sub: subject.to_owned(),
        aud: AUDIENCE.to_owned(),
        exp: now + TOKEN_LIFETIME_SECS,
        iat: now,
        scope: scope.to_owned(),
        jti,
        client_id: client_id.to_owned(),
    };
    state.keys().sign(&claims).map_err(|e| {
        tracing::error!(error = %e, "token signing failed");
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "could not issue token")
    })
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({"error": error, "error_description": description}))).into_response()
}

/// Password attempts allowed per client IP and username in [`LOGIN_WINDOW_SECS`] (fixed mode).
pub const LOGIN_ATTEMPTS_PER_WINDOW: usize = 10;
/// The window of the login rate limit, in seconds.
pub const LOGIN_WINDOW_SECS: i64 = 60;

/// The client address the connection came from (never a header the client can set).
pub type ClientAddr = Option<Extension<ConnectInfo<SocketAddr>>>;

fn client_ip(client: &ClientAddr) -> String {
    client.as_ref().map_or_else(|| "unknown".to_owned(), |Extension(ConnectInfo(a))| a.ip().to_string())
}

/// Fixed mode: counts a password attempt for `username` from `client`; past the limit the answer
/// is 429 with `Retry-After`, whatever the password.
fn login_rate_limit(state: &AppState, client: &ClientAddr, username: &str) -> Result<(), Box<Response>> {
    if state.mode() == Mode::Flawed {
        // PLANTED FLAW (issue 6): the flawed bank limits no password attempts, on the token
        // endpoint's password grant as on the legacy login: credential stuffing and brute force
        // never meet a 429 (class `login-no-rate-limit`).
        return Ok(());
    }
    state
        .login_attempt(
            &client_ip(client),
            username,
            LOGIN_ATTEMPTS_PER_WINDOW,
            Duration::seconds(LOGIN_WINDOW_SECS),
        )
        .map_err(|retry_after| {
            let mut response = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many login attempts",
                "too many password attempts for this account from this address; try again later",
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Box::new(response)
        })
}

/// Checks a customer's password, counting failures for the admin view.
fn check_password(state: &AppState, username: &str, password: &str) -> Option<usize> {
    let Some(index) = state.dataset().customer_by_username(username) else {
        if state.mode().is_fixed() {
            // The same work as for a real account, so that timing does not tell them apart.
            let _ = data::password_hash(username, password);
        }
        return None;
    };
    let customer = &state.dataset().customers[index];
    let mut live = state.live();
    if data::password_hash(username, password) == customer.password_hash {
        live.failed_logins.remove(&index);
        live.last_login.insert(index, state.now());
        Some(index)
    } else {
        *live.failed_logins.entry(index).or_default() += 1;
        None
    }
}

pub async fn oauth_token(
    State(state): State<AppState>,
    peer: ClientAddr,
    form: Result<Form<BTreeMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "expected an urlencoded form body");
    };
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let client = state
        .dataset()
        .clients
        .iter()
        .find(|(id, secret, _)| id == field("client_id") && secret == field("client_secret"));
    let Some((client_id, _, client_scopes)) = client else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client or wrong secret");
    };
    let scope = if field("scope").is_empty() { client_scopes.to_string() } else { field("scope").to_owned() };
    if scope.split(' ').any(|s| !client_scopes.split(' ').any(|allowed| allowed == s)) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", "scope not allowed for this client");
    }
    if field("grant_type") == "password"
        && let Err(response) = login_rate_limit(&state, &peer, field("username"))
    {
        return *response;
    }
    let subject = match field("grant_type") {
        "client_credentials" => client_id.clone(),
        // The same answer for an unknown username and a wrong password, in both modes.
        "password" => match check_password(&state, field("username"), field("password")) {
            Some(index) => state.dataset().customers[index].customer_id.clone(),
            None => {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "wrong username or password");
            }
        },
        "" => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is required"),
        _ => return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "unsupported grant_type"),
    };
    match issue_token(&state, &subject, client_id, &scope) {
        Ok(token) => Json(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECS,
            "scope": scope,
        }))
        .into_response(),
        Err(problem) => problem.into_response(),
    }
}

pub async fn jwks(State(state): State<AppState>) -> Response {
    Json(state.keys().jwks()).into_response()
}

fn parse_json(state: &AppState, body: &Bytes) -> Result<Value, Problem> {
    let value: Value = serde_json::from_slice(body).map_err(|e| match state.mode() {
        Mode::Flawed => Problem::bad_request(format!("body is not valid JSON: {e}")),
        Mode::Fixed => Problem::bad_request("body is not valid JSON"),
    })?;
    if value.is_object() { Ok(value) } else { Err(Problem::bad_request("body must be a JSON object")) }
}

fn str_field<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// What the flawed legacy login says about an unknown username.
pub const NO_SUCH_USER: &str = "no such user";

/// The flawed legacy login: which customer the body logs in, or the answer refusing it.
fn flawed_login(state: &AppState, body: &Value) -> Result<usize, Box<Response>> {
    let (username, password) = (body.get("username"), body.get("password"));
    if username.is_some_and(Value::is_object) || password.is_some_and(Value::is_object) {
        let (Some(username), Some(password)) = (username, password) else {
            return Err(Problem::invalid("username and password are required").into_response().into());
        };
        return mongo_login(state, username, password);
    }
    let (Some(username), Some(password)) = (str_field(body, "username"), str_field(body, "password")) else {
        return Err(Problem::invalid("username and password are required").into_response().into());
    };
    // PLANTED FLAW (issue 6): the legacy login looks the user up first and says so when there is
    // none (401 `no such user`), while a wrong password is a 401 `wrong username or password`:
    // anyone can tell which usernames exist (class `user-enumeration`). (Both stay 401, the only
    // refusal the spec declares for this operation.)
    if state.dataset().customer_by_username(username).is_none() {
        return Err(Problem::unauthorized(NO_SUCH_USER).into_response().into());
    }
    check_password(state, username, password)
        .ok_or_else(|| Problem::unauthorized("wrong username or password").into_response().into())
}

/// PLANTED FLAW (issue 6): the legacy user store is queried with the JSON values of the body as
/// they came, `findOne({username: body.username, password: body.password})`, so objects are
/// evaluated as MongoDB query operators: `{"username": "<known user>", "password": {"$ne": "x"}}`
/// logs in without the password, `{"$regex": "^H"}` probes it a character at a time, and an
/// unknown operator answers 500 with the database's own error (class `nosql-injection`).
fn mongo_login(state: &AppState, username: &Value, password: &Value) -> Result<usize, Box<Response>> {
    let server_error = |e: crate::mongo::QueryError| -> Box<Response> {
        Box::new(
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({"error": format!("MongoServerError: {e}"), "code": 2, "codeName": "BadValue"})),
            )
                .into_response(),
        )
    };
    let customers = &state.dataset().customers;
    let mut user = None;
    for (index, c) in customers.iter().enumerate() {
        if crate::mongo::matches(Some(&c.username), username).map_err(server_error)? {
            user = Some(index);
            break;
        }
    }
    let Some(user) = user else {
        return Err(Problem::unauthorized(NO_SUCH_USER).into_response().into());
    };
    for (index, c) in customers.iter().enumerate() {
        if crate::mongo::matches(Some(&c.username), username).map_err(server_error)?
            && crate::mongo::matches(Some(&c.password), password).map_err(server_error)?
        {
            let mut live = state.live();
            live.failed_logins.remove(&index);
            live.last_login.insert(index, state.now());
            return Ok(index);
        }
    }
    *state.live().failed_logins.entry(user).or_default() += 1;
    Err(Problem::unauthorized("wrong username or password").into_response().into())
}

/// The fixed login: strings only, the same answer for an unknown user and a wrong password, and
/// the login rate limit.
fn fixed_login(state: &AppState, client: &ClientAddr, body: &Value) -> Result<usize, Box<Response>> {
    let (Some(username), Some(password)) = (str_field(body, "username"), str_field(body, "password")) else {
        return Err(Problem::invalid("username and password are required as strings").into_response().into());
    };
    login_rate_limit(state, client, username)?;
    check_password(state, username, password)
        .ok_or_else(|| Problem::unauthorized("wrong username or password").into_response().into())
}

// PLANTED FLAW (issue 5): no rate limit and no lockout answer on the legacy login: a client can
// try passwords as fast as it likes and never gets a 429 (rule `auth-no-rate-limit`).
pub async fn login(State(state): State<AppState>, client: ClientAddr, body: Bytes) -> ApiResult {
    let body = parse_json(&state, &body)?;
    let outcome = match state.mode() {
        Mode::Flawed => flawed_login(&state, &body),
        Mode::Fixed => fixed_login(&state, &client, &body),
    };
    let index = match outcome {
        Ok(index) => index,
        Err(response) => return Ok(*response),
    };
    let customer_id = state.dataset().customers[index].customer_id.clone();
    let mobile_client = state.dataset().clients.first().map(|c| c.0.clone()).unwrap_or_default();
    let token = issue_token(&state, &customer_id, &mobile_client, "accounts payments cards profile")?;
    let session_id = {
        let mut live = state.live();
        let id = format!("{:016x}{:016x}", live.rng.next_u64(), live.rng.next_u64());
        let expires_at = state.now() + Duration::minutes(SESSION_LIFETIME_MINUTES);
        live.sessions.insert(id.clone(), Session { customer_index: index, expires_at });
        id
    };
    let legacy_token = crate::jwt::sign_legacy(&customer_id, state.now().timestamp()).map_err(|e| {
        tracing::error!(error = %e, "legacy token signing failed");
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "could not issue token")
    })?;
    let mut response = Json(json!({
        "accessToken": token,
        "tokenType": "Bearer",
        "expiresIn": TOKEN_LIFETIME_SECS,
        "customerId": customer_id,
        "legacyToken": legacy_token,
    }))
    .into_response();
    let cookie = format!(
        "session={session_id}; Path=/; Max-Age={}; HttpOnly; Secure; SameSite=Lax",
        SESSION_LIFETIME_MINUTES * 60
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let mut ended = false;
    if bearer_token(&headers).is_some() {
        let claims = verified_claims(&state, &headers)?;
        state.live().revoked_token_ids.insert(claims.jti);
        ended = true;
    }
    if let Some(session_id) = cookie(&headers, "session") {
        ended |= state.live().sessions.remove(session_id).is_some();
    }
    if !ended {
        return Err(Problem::unauthorized("nothing to log out: no token or session"));
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax"),
    );
    Ok(response)
}

// ----------------------------------------------------------------------------------------------
// Customers
// ----------------------------------------------------------------------------------------------

/// The `/v2` customer representation.
pub fn customer_json(customer: &Customer) -> Value {
    let mut value = json!({
        "customerId": customer.customer_id,
        "username": customer.username,
        "name": {"given": customer.given_name, "family": customer.family_name, "full": customer.full_name()},
        "dateOfBirth": customer.date_of_birth.to_string(),
        "email": customer.email,
        "phone": customer.phone,
        "address": customer.address,
        "nationality": customer.country.code(),
        "segment": customer.segment,
        "customerSince": customer.customer_since.to_string(),
        "kycStatus": "VERIFIED",
    });
    if let Some(obj) = value.as_object_mut() {
        obj.insert(customer.national_id_kind.field_name().to_owned(), json!(customer.national_id));
    }
    value
}

/// The web origins of the bank's own apps: the only ones the fixed mode answers CORS for.
pub const ALLOWED_ORIGINS: [&str; 2] = ["https://app.demo-bank.example", "https://ib.demo-bank.example"];

/// `*****567D`: all but the last four characters masked.
fn mask_tail(value: &str) -> String {
    let count = value.chars().count();
    value.chars().enumerate().map(|(i, c)| if i + 4 < count { '*' } else { c }).collect()
}

/// The profile as the mode serves it: the fixed bank masks the national ID, which no screen
/// shows in full.
fn profile_json(state: &AppState, customer: &Customer) -> Value {
    let mut value = customer_json(customer);
    if state.mode().is_fixed()
        && let Some(obj) = value.as_object_mut()
    {
        obj.insert(
            customer.national_id_kind.field_name().to_owned(),
            json!(mask_tail(&customer.national_id)),
        );
    }
    value
}

pub async fn customer_me(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let mut response = Json(profile_json(&state, &state.dataset().customers[caller])).into_response();
    let Some(origin) = headers.get(header::ORIGIN).cloned() else {
        return Ok(response);
    };
    let allowed = match state.mode() {
        // PLANTED FLAW (issue 5): the profile endpoint answers CORS for whatever Origin asks,
        // with credentials: any web site a customer visits can read their profile (rule
        // `cors-credentials-any-origin`, class `cors`).
        Mode::Flawed => true,
        Mode::Fixed => origin.to_str().is_ok_and(|o| ALLOWED_ORIGINS.contains(&o)),
    };
    let h = response.headers_mut();
    if allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    }
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    Ok(response)
}

pub async fn customer_by_id(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(customer_id): Path<String>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    match state.dataset().customer_by_id(&customer_id) {
        Some(index) if index == caller => ok(profile_json(&state, &state.dataset().customers[index])),
        _ => Err(Problem::not_found(format!("no customer {customer_id} for this caller"))),
    }
}

// ----------------------------------------------------------------------------------------------
// Accounts and transactions
// ----------------------------------------------------------------------------------------------

fn account_json(state: &AppState, index: usize) -> Value {
    let data = state.dataset();
    let a = &data.accounts[index];
    let mut value = json!({
        "accountId": a.account_id,
        "customerId": data.customers[a.customer_index].customer_id,
        "type": a.kind,
        "productName": a.product_name,
        "currency": a.currency,
        "accountNumber": a.account_number,
        "bankCode": a.bank_code,
        "branchCode": a.branch_code,
        "bic": a.bic,
        "status": "ACTIVE",
        "openedOn": a.opened_on.to_string(),
    });
    if let (Some(iban), Some(obj)) = (&a.iban, value.as_object_mut()) {
        obj.insert("iban".into(), json!(iban));
    }
    value
}

/// The caller's own account by id; someone else's is reported as missing, not forbidden, so
/// that ids cannot be probed.
fn own_account(state: &AppState, caller: usize, account_id: &str) -> Result<usize, Problem> {
    match state.dataset().account_by_id(account_id) {
        Some(index) if state.dataset().accounts[index].customer_index == caller => Ok(index),
        _ => Err(Problem::not_found(format!("no account {account_id}"))),
    }
}

/// Ledger balance less the payments made through the API since the book was generated.
fn available_balance(state: &AppState, account_index: usize) -> i64 {
    let spent: i64 = state
        .live()
        .payments
        .iter()
        .filter(|p| p.from_account_index == account_index && !matches!(p.status, "REJECTED" | "CANCELLED"))
        .filter(|p| p.created_at > data::book_date().and_hms_opt(23, 59, 59).unwrap_or_default().and_utc())
        .map(|p| p.amount_minor)
        .sum();
    state.dataset().ledger_balance(account_index) - spent
}

pub async fn list_accounts(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let items: Vec<Value> =
        state.dataset().accounts_of(caller).map(|(i, _)| account_json(&state, i)).collect();
    ok(json!({"data": items, "meta": {"totalItems": items.len()}}))
}

pub async fn get_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(account_id): Path<String>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let index = own_account(&state, caller, &account_id)?;
    ok(account_json(&state, index))
}

pub async fn account_balances(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(account_id): Path<String>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let index = own_account(&state, caller, &account_id)?;
    let account = &state.dataset().accounts[index];
    let ledger = state.dataset().ledger_balance(index);
    let available = available_balance(&state, index);
    ok(json!({
        "accountId": account.account_id,
        "currency": account.currency,
        "balances": [
            {"type": "AVAILABLE", "amount": money(available, account.currency)},
            {"type": "LEDGER", "amount": money(ledger, account.currency)},
        ],
        "overdraftLimit": money(account.overdraft_limit_minor, account.currency),
        "asOf": rfc3339(state.now()),
    }))
}

/// A transaction; the list view leaves out the running balance and reference, as the detail
/// view is where apps show them.
fn transaction_json(state: &AppState, t: &data::Transaction, detailed: bool) -> Value {
    let account = &state.dataset().accounts[t.account_index];
    let mut value = json!({
        "transactionId": t.transaction_id,
        "accountId": account.account_id,
        "bookingDateTime": rfc3339(t.booked_at),
        "amount": money(t.amount_minor.abs(), account.currency),
        "creditDebitIndicator": if t.amount_minor < 0 { "DEBIT" } else { "CREDIT" },
        "status": t.status,
        "description": t.description,
    });
    if let Some(obj) = value.as_object_mut() {
        if let Some((name, mcc)) = t.merchant {
            obj.insert("merchant".into(), json!({"name": name, "categoryCode": mcc}));
        }
        if detailed {
            obj.insert("reference".into(), json!(t.reference));
            obj.insert("balanceAfter".into(), money(t.balance_after_minor, account.currency));
        }
    }
    value
}

fn query_map(
    state: &AppState,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<BTreeMap<String, String>, Problem> {
    query.map(|Query(q)| q).map_err(|e| match state.mode() {
        Mode::Flawed => Problem::bad_request(format!("bad query string: {e}")),
        Mode::Fixed => Problem::bad_request("bad query string"),
    })
}

fn positive_param(
    query: &BTreeMap<String, String>,
    name: &str,
    default: u64,
    max: u64,
) -> Result<u64, Problem> {
    match query.get(name) {
        None => Ok(default),
        Some(text) => match text.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(Problem::invalid(format!("{name} must be an integer from 1 to {max}"))),
        },
    }
}

fn date_param(query: &BTreeMap<String, String>, name: &str) -> Result<Option<NaiveDate>, Problem> {
    query
        .get(name)
        .map(|text| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| Problem::invalid(format!("{name} must be a date (YYYY-MM-DD)")))
        })
        .transpose()
}

/// Most transactions one page may hold (`page_size`, and `limit` in the fixed mode).
pub const MAX_PAGE_SIZE: u64 = 100;
/// Longest search term the fixed mode accepts (`q`).
pub const MAX_SEARCH_CHARS: usize = 100;

/// Percent-encodes everything but RFC 3986 unreserved characters, for links.
fn percent_encode(text: &str) -> String {
    crate::traffic::encode(text)
}

/// The answer to a failed search.
fn search_failure(state: &AppState, error: crate::search::SearchError) -> Response {
    match (state.mode(), error) {
        (Mode::Flawed, crate::search::SearchError::Sql { message, sql }) => {
            // PLANTED FLAW (issue 6): the database error goes back to the client as it came,
            // with the statement that failed (class `sql-injection`, error-based).
            let body = json!({
                "type": format!("{PROBLEM_BASE}database-error"),
                "title": "Database error",
                "status": 500,
                "detail": message,
                "engine": format!("SQLite {}", rusqlite::version()),
                "query": sql,
            });
            let mut response = (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
            response
        }
        (Mode::Flawed, crate::search::SearchError::Internal(message)) => {
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", message)
                .into_response()
        }
        (Mode::Fixed, error) => {
            tracing::error!(?error, "transaction search failed");
            Problem::internal().into_response()
        }
    }
}

pub async fn list_transactions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(account_id): Path<String>,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let index = own_account(&state, caller, &account_id)?;
    let query = query_map(&state, query)?;
    let page = positive_param(&query, "page", 1, 10_000)?;
    let page_size = positive_param(&query, "page_size", 20, MAX_PAGE_SIZE)?;
    // `limit`: the page size under the name the older clients use.
    let limit = match (query.get("limit"), state.mode()) {
        (None, _) => None,
        // PLANTED FLAW (issue 6): `limit` skips the page-size check that `page_size` has: the
        // spec says at most 100, the API takes any number and returns that many transactions in
        // one page (class `unbounded-page-size`).
        (Some(text), Mode::Flawed) => Some(
            text.parse::<u64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| Problem::invalid("limit must be a positive integer"))?,
        ),
        (Some(text), Mode::Fixed) => {
            Some(text.parse::<u64>().ok().filter(|n| (1..=MAX_PAGE_SIZE).contains(n)).ok_or_else(|| {
                Problem::bad_request(format!("limit must be an integer from 1 to {MAX_PAGE_SIZE}"))
            })?)
        }
    };
    let page_size = limit.unwrap_or(page_size);
    let from = date_param(&query, "from")?;
    let to = date_param(&query, "to")?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(Problem::invalid("from must not be after to"));
    }
    let search = query.get("q").map(String::as_str).filter(|q| !q.is_empty());
    if state.mode().is_fixed() && search.is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS) {
        return Err(Problem::invalid(format!("q must be at most {MAX_SEARCH_CHARS} characters")));
    }
    let data = state.dataset();
    let candidates: Vec<&data::Transaction> = match search {
        None => data.transactions[index].iter().collect(),
        Some(q) => match crate::search::search(&state, &account_id, q).await {
            Ok(hits) => hits.into_iter().filter_map(|(a, p)| data.transactions.get(a)?.get(p)).collect(),
            Err(error) => return Ok(search_failure(&state, error)),
        },
    };
    let matching: Vec<&data::Transaction> = candidates
        .into_iter()
        .filter(|t| {
            from.is_none_or(|f| t.booked_at.date_naive() >= f)
                && to.is_none_or(|d| t.booked_at.date_naive() <= d)
        })
        .collect();
    let total = matching.len() as u64;
    let total_pages = total.div_ceil(page_size).max(1);
    let start = usize::try_from((page - 1).saturating_mul(page_size)).unwrap_or(usize::MAX);
    let items: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(usize::try_from(page_size).unwrap_or(usize::MAX))
        .map(|t| transaction_json(&state, t, false))
        .collect();
    let mut filters = String::new();
    if let Some(f) = from {
        filters.push_str(&format!("&from={f}"));
    }
    if let Some(t) = to {
        filters.push_str(&format!("&to={t}"));
    }
    if let Some(q) = search {
        filters.push_str(&format!("&q={}", percent_encode(q)));
    }
    let size_name = if limit.is_some() { "limit" } else { "page_size" };
    let link =
        |p: u64| format!("/v2/accounts/{account_id}/transactions?page={p}&{size_name}={page_size}{filters}");
    let mut links = json!({"self": link(page), "first": link(1), "last": link(total_pages)});
    if let Some(obj) = links.as_object_mut() {
        if page > 1 {
            obj.insert("prev".into(), json!(link(page - 1)));
        }
        if page < total_pages {
            obj.insert("next".into(), json!(link(page + 1)));
        }
    }
    ok(json!({
        "data": items,
        "meta": {"page": page, "pageSize": page_size, "totalItems": total, "totalPages": total_pages},
        "links": links,
    }))
}

pub async fn get_transaction(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((account_id, transaction_id)): Path<(String, String)>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let index = own_account(&state, caller, &account_id)?;
    let found =
        state.dataset().transactions[index].iter().find(|t| t.transaction_id.to_string() == transaction_id);
    match found {
        Some(t) => ok(transaction_json(&state, t, true)),
        None => Err(Problem::not_found(format!("no transaction {transaction_id} on this account"))),
    }
}

// ----------------------------------------------------------------------------------------------
// Payments
// ----------------------------------------------------------------------------------------------

/// Payments at or above this (in minor units) wait for a manual review.
const REVIEW_THRESHOLD_MINOR: i64 = 500_000;

fn payment_json(state: &AppState, p: &Payment) -> Value {
    let mut value = json!({
        "paymentId": p.payment_id,
        "status": p.status,
        "fromAccountId": state.dataset().accounts[p.from_account_index].account_id,
        "amount": money(p.amount_minor, &p.currency),
        "creditor": {"name": p.creditor_name, "accountNumber": p.creditor_account, "bankCode": p.creditor_bank_code},
        "reference": p.reference,
        "createdAt": rfc3339(p.created_at),
    });
    if let (Some(b), Some(obj)) = (&p.beneficiary_id, value.as_object_mut()) {
        obj.insert("beneficiaryId".into(), json!(b));
    }
    value
}

/// The body size the fixed mode accepts on writes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The body size the flawed mode accepts on `POST /v2/payments`.
pub const FLAWED_PAYMENT_BODY_BYTES: usize = 10 * 1024 * 1024;
/// The longest payment reference the fixed mode accepts (ISO 20022 remittance information).
pub const MAX_REFERENCE_CHARS: usize = 140;

/// A body the extractor refused (over the size limit, unreadable) as a problem.
fn body_problem(rejection: BytesRejection) -> Problem {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(status, "payload-too-large", "Payload too large", "the request body is too large")
    } else {
        Problem::for_status(status)
    }
}

pub async fn create_payment(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    // PLANTED FLAW (issue 6): the flawed route takes bodies up to 10 MiB (see `router`), and
    // keeps a `reference` of any length: one request can make the bank store and echo megabytes
    // (class `oversized-body`). The fixed route stops at 64 KiB (413) and at 140 characters.
    let body = body.map_err(body_problem)?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| Problem::bad_request("Idempotency-Key header is required"))?
        .to_owned();
    let fingerprint: [u8; 32] = Sha256::digest(&body).into();
    let caller_id = state.dataset().customers[caller].customer_id.clone();
    let replay = state.live().idempotency.get(&(caller_id.clone(), key.clone())).copied();
    if let Some((seen_fingerprint, payment_index)) = replay {
        if seen_fingerprint != fingerprint {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency key reused",
                "this Idempotency-Key was used with a different request body",
            ));
        }
        let payment = state.live().payments[payment_index].clone();
        let mut response = (StatusCode::CREATED, Json(payment_json(&state, &payment))).into_response();
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
        return Ok(response);
    }
    let body = parse_json(&state, &body)?;
    let from_id =
        str_field(&body, "fromAccountId").ok_or_else(|| Problem::invalid("fromAccountId is required"))?;
    let from_index = own_account(&state, caller, from_id)?;
    let account = &state.dataset().accounts[from_index];
    let amount = body.get("amount").ok_or_else(|| Problem::invalid("amount is required"))?;
    let amount_minor =
        amount.get("value").and_then(Value::as_str).and_then(parse_minor).filter(|v| *v > 0).ok_or_else(
            || Problem::invalid("amount.value must be a positive decimal string with at most 2 places"),
        )?;
    let currency = amount.get("currency").and_then(Value::as_str).unwrap_or(account.currency);
    if currency != account.currency {
        return Err(Problem::invalid(format!(
            "amount.currency must be the account currency {}",
            account.currency
        )));
    }
    let reference = str_field(&body, "reference").unwrap_or("PAYMENT");
    let reference = match state.mode() {
        Mode::Flawed => reference.to_owned(),
        Mode::Fixed if reference.chars().count() > MAX_REFERENCE_CHARS => {
            return Err(Problem::bad_request(format!(
                "reference must be at most {MAX_REFERENCE_CHARS} characters"
            )));
        }
        Mode::Fixed => reference.chars().take(35).collect(),
    };
    let (beneficiary_id, creditor_name, creditor_account, creditor_bank) = if let Some(b) =
        str_field(&body, "beneficiaryId")
    {
        let live = state.live();
        let ben = live
            .beneficiaries
            .iter()
            .find(|x| x.beneficiary_id == b && x.customer_index == caller)
            .ok_or_else(|| Problem::invalid(format!("unknown beneficiaryId {b}")))?;
        (Some(b.to_owned()), ben.name.clone(), ben.account_number.clone(), ben.bank_code.clone())
    } else {
        let creditor =
            body.get("creditor").ok_or_else(|| Problem::invalid("beneficiaryId or creditor is required"))?;
        match (
            str_field(creditor, "name"),
            str_field(creditor, "accountNumber"),
            str_field(creditor, "bankCode"),
        ) {
            (Some(n), Some(a), Some(bank)) => (None, n.to_owned(), a.to_owned(), bank.to_owned()),
            _ => return Err(Problem::invalid("creditor needs name, accountNumber and bankCode")),
        }
    };
    if amount_minor > available_balance(&state, from_index) + account.overdraft_limit_minor {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "insufficient-funds",
            "Insufficient funds",
            "the available balance does not cover this payment",
        ));
    }
    let mut live = state.live();
    let payment = Payment {
        payment_id: live.rng.uuid(),
        customer_index: caller,
        from_account_index: from_index,
        amount_minor,
        currency: currency.to_owned(),
        beneficiary_id,
        creditor_name,
        creditor_account,
        creditor_bank_code: creditor_bank,
        reference,
        status: if amount_minor >= REVIEW_THRESHOLD_MINOR { "PENDING_REVIEW" } else { "COMPLETED" },
        created_at: state.now(),
    };
    live.payments.push(payment.clone());
    let index = live.payments.len() - 1;
    live.idempotency.insert((caller_id, key), (fingerprint, index));
    drop(live);
    let mut response = (StatusCode::CREATED, Json(payment_json(&state, &payment))).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/v2/payments/{}", payment.payment_id)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

pub async fn get_payment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(payment_id): Path<String>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let id =
        uuid::Uuid::parse_str(&payment_id).map_err(|_| Problem::bad_request("paymentId must be a UUID"))?;
    let found =
        state.live().payments.iter().find(|p| p.payment_id == id && p.customer_index == caller).cloned();
    match found {
        Some(p) => ok(payment_json(&state, &p)),
        None => Err(Problem::not_found(format!("no payment {id}"))),
    }
}

/// PLANTED FLAW (issue 6): an undeclared `DELETE` on the payment, left from the back-office
/// tooling, cancels it — even a completed one — for any customer, with no role check (class
/// `method-swap`). The fixed mode does not route it: 405 with `Allow: GET,HEAD`.
pub async fn cancel_payment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(payment_id): Path<String>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let id =
        uuid::Uuid::parse_str(&payment_id).map_err(|_| Problem::bad_request("paymentId must be a UUID"))?;
    let mut live = state.live();
    match live.payments.iter_mut().find(|p| p.payment_id == id && p.customer_index == caller) {
        Some(payment) => {
            payment.status = "CANCELLED";
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        None => Err(Problem::not_found(format!("no payment {id}"))),
    }
}

pub async fn list_payments(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let query = query_map(&state, query)?;
    let status = query.get("status").map(|s| s.to_ascii_uppercase());
    if let Some(s) = &status
        && !["COMPLETED", "PENDING_REVIEW", "REJECTED"].contains(&s.as_str())
    {
        return Err(Problem::invalid("status must be one of COMPLETED, PENDING_REVIEW, REJECTED"));
    }
    let mut mine: Vec<Payment> = state
        .live()
        .payments
        .iter()
        .filter(|p| p.customer_index == caller && status.as_deref().is_none_or(|s| s == p.status))
        .cloned()
        .collect();
    mine.sort_by_key(|p| std::cmp::Reverse(p.created_at));
    let items: Vec<Value> = mine.iter().map(|p| payment_json(&state, p)).collect();
    ok(json!({"data": items, "meta": {"totalItems": items.len()}}))
}

// ----------------------------------------------------------------------------------------------
// Beneficiaries
// ----------------------------------------------------------------------------------------------

pub async fn list_beneficiaries(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let items: Vec<Value> = state
        .live()
        .beneficiaries
        .iter()
        .filter(|b| b.customer_index == caller)
        .map(|b| serde_json::to_value(b).unwrap_or(Value::Null))
        .collect();
    ok(json!({"data": items, "meta": {"totalItems": items.len()}}))
}

pub async fn create_beneficiary(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let body = parse_json(&state, &body)?;
    let (Some(name), Some(account_number), Some(bank_code)) =
        (str_field(&body, "name"), str_field(&body, "accountNumber"), str_field(&body, "bankCode"))
    else {
        return Err(Problem::invalid("name, accountNumber and bankCode are required"));
    };
    if !account_number.bytes().all(|b| b.is_ascii_alphanumeric()) || account_number.len() > 34 {
        return Err(Problem::invalid("accountNumber must be up to 34 letters or digits"));
    }
    let customer = &state.dataset().customers[caller];
    let mut live = state.live();
    let beneficiary = Beneficiary {
        beneficiary_id: format!("ben_{}", live.rng.hex(10)),
        customer_index: caller,
        name: name.chars().take(70).collect(),
        nickname: str_field(&body, "nickname").map(|n| n.chars().take(35).collect()),
        account_number: account_number.to_owned(),
        bank_name: str_field(&body, "bankName").unwrap_or("Unknown bank").chars().take(70).collect(),
        bank_code: bank_code.chars().take(11).collect(),
        country: str_field(&body, "country").unwrap_or(customer.country.code()).chars().take(2).collect(),
        status: match state.mode() {
            // PLANTED FLAW (issue 5): the status is copied from the request when the client sends
            // one, so a client can create an ACTIVE beneficiary and skip the cooling-off period
            // that PENDING_VERIFICATION enforces (rule `mass-assignment-candidate`, class
            // `mass-assignment`).
            Mode::Flawed => {
                str_field(&body, "status").unwrap_or("PENDING_VERIFICATION").chars().take(32).collect()
            }
            Mode::Fixed => "PENDING_VERIFICATION".to_owned(),
        },
        created_at: rfc3339(state.now()),
    };
    live.beneficiaries.push(beneficiary.clone());
    drop(live);
    created(serde_json::to_value(&beneficiary).unwrap_or(Value::Null))
}

pub async fn delete_beneficiary(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(beneficiary_id): Path<String>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let mode = state.mode();
    let mut live = state.live();
    // PLANTED FLAW (issue 6): the flawed delete finds the beneficiary by id alone, not among the
    // caller's: any customer removes any other customer's payee (class `bola-write`).
    let position = live.beneficiaries.iter().position(|b| {
        b.beneficiary_id == beneficiary_id && (mode == Mode::Flawed || b.customer_index == caller)
    });
    match position {
        Some(i) => {
            live.beneficiaries.remove(i);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        None => Err(Problem::not_found(format!("no beneficiary {beneficiary_id}"))),
    }
}

// ----------------------------------------------------------------------------------------------
// Cards
// ----------------------------------------------------------------------------------------------

fn card_json(state: &AppState, index: usize, with_full_pan: bool) -> Value {
    let card = &state.dataset().cards[index];
    let frozen = state.live().frozen_cards.contains(&index);
    let mut value = json!({
        "cardId": card.card_id,
        "accountId": state.dataset().accounts[card.account_index].account_id,
        "brand": card.brand,
        "type": card.kind,
        "maskedPan": card.masked_pan(),
        "expiryMonth": card.expiry_month,
        "expiryYear": card.expiry_year,
        "cardholderName": card.cardholder_name,
        "status": if frozen { "FROZEN" } else { "ACTIVE" },
    });
    // PLANTED FLAW (issue 5): over-sharing kept on purpose: the detail view returns the full
    // PAN, which the card apps never display (rule `full-card-number-returned`, class
    // `excessive-data-exposure`). The fixed mode returns the masked PAN only.
    if let (true, Mode::Flawed, Some(obj)) = (with_full_pan, state.mode(), value.as_object_mut()) {
        obj.insert("pan".into(), json!(card.pan));
    }
    value
}

fn own_card(state: &AppState, caller: usize, card_id: &str) -> Result<usize, Problem> {
    let data = state.dataset();
    data.cards
        .iter()
        .position(|c| c.card_id == card_id && data.accounts[c.account_index].customer_index == caller)
        .ok_or_else(|| Problem::not_found(format!("no card {card_id}")))
}

pub async fn list_cards(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let data = state.dataset();
    let items: Vec<Value> = (0..data.cards.len())
        .filter(|i| data.accounts[data.cards[*i].account_index].customer_index == caller)
        .map(|i| card_json(&state, i, false))
        .collect();
    ok(json!({"data": items, "meta": {"totalItems": items.len()}}))
}

pub async fn get_card(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(card_id): Path<String>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let index = own_card(&state, caller, &card_id)?;
    ok(card_json(&state, index, true))
}

pub async fn freeze_card(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(card_id): Path<String>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let index = own_card(&state, caller, &card_id)?;
    state.live().frozen_cards.insert(index);
    ok(json!({"cardId": card_id, "status": "FROZEN", "frozenAt": rfc3339(state.now())}))
}

// ----------------------------------------------------------------------------------------------
// Statements and webhooks
// ----------------------------------------------------------------------------------------------

/// The formats a statement renders in.
pub const STATEMENT_FORMATS: [&str; 3] = ["pdf", "csv", "json"];

/// The statement summary of `caller` for `year_month`.
fn statement_json(state: &AppState, caller: usize, year_month: &str) -> Result<Value, Problem> {
    let first_day = NaiveDate::parse_from_str(&format!("{year_month}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| year_month.len() == 7)
        .ok_or_else(|| Problem::invalid("yearMonth must look like 2026-10"))?;
    let now = state.now().date_naive();
    if (first_day.year(), first_day.month()) >= (now.year(), now.month()) {
        return Err(Problem::not_found(format!("no statement for {year_month} yet")));
    }
    let next_month = first_day.checked_add_months(chrono::Months::new(1)).unwrap_or(first_day);
    let data = state.dataset();
    let accounts: Vec<Value> = data
        .accounts_of(caller)
        .map(|(i, a)| {
            let in_month: Vec<&data::Transaction> = data.transactions[i]
                .iter()
                .filter(|t| t.booked_at.date_naive() >= first_day && t.booked_at.date_naive() < next_month)
                .collect();
            // Newest first: the last element is the month's first transaction.
            let before: Option<&data::Transaction> =
                data.transactions[i].iter().find(|t| t.booked_at.date_naive() < first_day);
            let opening = before.map_or(a.opening_balance_minor, |t| t.balance_after_minor);
            let closing = in_month.first().map_or(opening, |t| t.balance_after_minor);
            let credits: i64 = in_month.iter().filter(|t| t.amount_minor > 0).map(|t| t.amount_minor).sum();
            let debits: i64 = in_month.iter().filter(|t| t.amount_minor < 0).map(|t| -t.amount_minor).sum();
            json!({
                "accountId": a.account_id,
                "currency": a.currency,
                "openingBalance": money(opening, a.currency),
                "closingBalance": money(closing, a.currency),
                "totalCredits": money(credits, a.currency),
                "totalDebits": money(debits, a.currency),
                "transactionCount": in_month.len(),
            })
        })
        .collect();
    Ok(json!({
        "yearMonth": year_month,
        "customerId": data.customers[caller].customer_id,
        "accounts": accounts,
        "generatedAt": rfc3339(state.now()),
    }))
}

/// A rendered statement: the JSON document, or another format's content type and text.
enum Rendered {
    Json(Value),
    Text(&'static str, String),
}

impl Rendered {
    fn text(&self) -> String {
        match self {
            Rendered::Json(v) => format!("{v}\n"),
            Rendered::Text(_, t) => t.clone(),
        }
    }

    fn into_response(self) -> Response {
        match self {
            Rendered::Json(v) => Json(v).into_response(),
            Rendered::Text(content_type, text) => {
                let mut response = text.into_response();
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
                response
            }
        }
    }
}

fn render_statement(
    state: &AppState,
    caller: usize,
    year_month: &str,
    format: &str,
) -> Result<Rendered, Problem> {
    if !STATEMENT_FORMATS.contains(&format) {
        return Err(Problem::bad_request(format!("format must be one of pdf, csv, json, not '{format}'")));
    }
    let statement = statement_json(state, caller, year_month)?;
    let field = |v: &Value, name: &str| v[name].as_str().map(str::to_owned).unwrap_or_default();
    Ok(match format {
        "json" => Rendered::Json(statement),
        "csv" => {
            let mut csv = String::from(
                "accountId,currency,openingBalance,closingBalance,totalCredits,totalDebits,transactionCount\n",
            );
            for a in statement["accounts"].as_array().into_iter().flatten() {
                csv.push_str(&format!(
                    "{},{},{},{},{},{},{}\n",
                    field(a, "accountId"),
                    field(a, "currency"),
                    field(&a["openingBalance"], "value"),
                    field(&a["closingBalance"], "value"),
                    field(&a["totalCredits"], "value"),
                    field(&a["totalDebits"], "value"),
                    a["transactionCount"],
                ));
            }
            Rendered::Text("text/csv; charset=utf-8", csv)
        }
        _ => {
            let mut lines = vec![format!(
                "Demo Bank statement {} for customer {}",
                field(&statement, "yearMonth"),
                field(&statement, "customerId")
            )];
            for a in statement["accounts"].as_array().into_iter().flatten() {
                lines.push(format!(
                    "{} {} closing balance {}",
                    field(a, "accountId"),
                    field(a, "currency"),
                    field(&a["closingBalance"], "value")
                ));
            }
            let text = lines.join(") Tj T* (");
            Rendered::Text(
                "application/pdf",
                format!(
                    "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n4 0 obj << >> stream\nBT /F1 10 Tf 40 800 Td 14 TL ({text}) Tj ET\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
                ),
            )
        }
    })
}

pub async fn statement(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(year_month): Path<String>,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let query = query_map(&state, query)?;
    let format = query.get("format").map(String::as_str);
    let strict_month = year_month.len() == 7
        && year_month.bytes().enumerate().all(|(i, b)| if i == 4 { b == b'-' } else { b.is_ascii_digit() });
    match state.mode() {
        Mode::Fixed => {
            Ok(render_statement(&state, caller, &year_month, format.unwrap_or("json"))?.into_response())
        }
        Mode::Flawed if format.is_none() && strict_month => ok(statement_json(&state, caller, &year_month)?),
        Mode::Flawed => Ok(rendered_by_shell(&state, caller, &year_month, format.unwrap_or("json")).await),
    }
}

/// PLANTED FLAW (issue 6): for other formats (and odd months) the statements service builds a
/// shell command line, `statement-render --month <yearMonth> --format <format>`, from the request
/// without quoting anything, and runs it with `sh -c`: `;`, `&&`, `||`, `|`, newlines, `$(...)`
/// and backticks run further commands, whose output comes back in the response (class
/// `command-injection`). The "shell" is simulated ([`crate::shell`]): no process ever starts.
async fn rendered_by_shell(state: &AppState, caller: usize, year_month: &str, format: &str) -> Response {
    let line = crate::shell::statement_command_line(year_month, format);
    let mut outcomes: Vec<Result<Rendered, Problem>> = Vec::new();
    let run = crate::shell::run(&line, &mut |name, args, _stdin| {
        if name != "statement-render" {
            return None;
        }
        let (mut month, mut fmt, mut problem) = (None, None, None);
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--month" | "--format" => match args.next() {
                    Some(value) if arg == "--month" => month = Some(value.clone()),
                    Some(value) => fmt = Some(value.clone()),
                    None => {
                        problem.get_or_insert(format!("option '{arg}' requires an argument"));
                    }
                },
                other => {
                    problem.get_or_insert(format!("unexpected argument '{other}'"));
                }
            }
        }
        let outcome = match (problem, month, fmt) {
            // A bad format is reported before stray arguments, with its value.
            (_, _, Some(f)) if !STATEMENT_FORMATS.contains(&f.as_str()) => {
                render_statement(state, caller, "", &f)
            }
            (Some(p), _, _) => Err(Problem::bad_request(p)),
            (None, Some(m), Some(f)) => render_statement(state, caller, &m, &f),
            (None, None, _) => Err(Problem::bad_request("option '--month' is required")),
            (None, _, None) => Err(Problem::bad_request("option '--format' is required")),
        };
        let exit = match &outcome {
            Ok(rendered) => crate::shell::Exit::ok(rendered.text()),
            Err(p) => crate::shell::Exit::fail(2, format!("statement-render: {}\n", p.detail)),
        };
        outcomes.push(outcome);
        Some(exit)
    });
    // The renderer alone, as an ordinary request runs it: its own answer.
    if run.commands == ["statement-render"]
        && let Some(outcome) = outcomes.pop()
    {
        return match outcome {
            Ok(rendered) => rendered.into_response(),
            Err(problem) => problem.into_response(),
        };
    }
    if !run.sleep.is_zero() {
        tokio::time::sleep(run.sleep).await;
    }
    let status = if run.status == 0 { StatusCode::OK } else { StatusCode::INTERNAL_SERVER_ERROR };
    let mut response = (status, run.output).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

fn webhook_json(w: &Webhook, with_secret: bool) -> Value {
    let mut value = json!({
        "webhookId": w.webhook_id,
        "callbackUrl": w.callback_url,
        "events": w.events,
        "status": "ACTIVE",
        "createdAt": rfc3339(w.created_at),
    });
    if let (true, Some(obj)) = (with_secret, value.as_object_mut()) {
        obj.insert("signingSecret".into(), json!(w.secret));
    }
    value
}

// PLANTED FLAW (issue 5): the webhook registration takes any http(s) URL, internal addresses
// included, which the bank's servers will later call (rule `ssrf-candidate`) — and, issue 6, calls
// it at once to "verify" it (class `ssrf`, see `webhook::verify`). The fixed registration takes
// https URLs of public hosts only, and calls nothing.
pub async fn create_webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let body = parse_json(&state, &body)?;
    let url = str_field(&body, "callbackUrl").ok_or_else(|| Problem::invalid("callbackUrl is required"))?;
    match state.mode() {
        Mode::Flawed => {
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2048 {
                return Err(Problem::invalid("callbackUrl must be an http(s) URL"));
            }
        }
        Mode::Fixed => {
            if url.len() > 2048 {
                return Err(Problem::bad_request("callbackUrl is too long"));
            }
            crate::webhook::check_public_https(url).await.map_err(Problem::bad_request)?;
        }
    }
    let events: Vec<String> = match body.get("events") {
        None => vec!["payment.completed".into()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Some(_) => return Err(Problem::invalid("events must be an array of strings")),
    };
    let webhook = {
        let mut live = state.live();
        let webhook = Webhook {
            webhook_id: format!("wh_{}", live.rng.hex(12)),
            customer_index: Some(caller),
            owner: state.dataset().customers[caller].customer_id.clone(),
            callback_url: url.to_owned(),
            events,
            secret: format!("whsec_{}", live.rng.hex(32)),
            created_at: state.now(),
        };
        live.webhooks.push(webhook.clone());
        webhook
    };
    let mut value = webhook_json(&webhook, true);
    let verify = state.mode() == Mode::Flawed
        && crate::webhook::target(url).is_some_and(|t| !crate::webhook::is_reserved_name(&t.host));
    if verify && let Some(obj) = value.as_object_mut() {
        obj.insert("verification".into(), crate::webhook::verify(url, &webhook.webhook_id).await);
    }
    created(value)
}

pub async fn list_webhooks(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let caller = customer_caller(&state, &headers)?;
    let items: Vec<Value> = state
        .live()
        .webhooks
        .iter()
        .filter(|w| w.customer_index == Some(caller))
        .map(|w| webhook_json(w, false))
        .collect();
    ok(json!({"data": items, "meta": {"totalItems": items.len()}}))
}

// ----------------------------------------------------------------------------------------------
// Internal admin area
// ----------------------------------------------------------------------------------------------

/// `w***@gmail.com`: the first character of the mailbox, and the domain.
fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((mailbox, domain)) => format!("{}***@{domain}", mailbox.chars().next().unwrap_or('*')),
        None => "***".to_owned(),
    }
}

/// The admin view of a customer. The fixed mode's list view masks the email: the list is for
/// finding an account, the detail view (one customer, ops key only) is where contact data shows.
fn admin_user_json(state: &AppState, index: usize, detailed: bool) -> Value {
    let c = &state.dataset().customers[index];
    let live = state.live();
    let mut value = json!({
        "username": c.username,
        "customerId": c.customer_id,
        "displayName": c.full_name(),
        "email": c.email,
        "roles": ["customer"],
        "status": if live.failed_logins.get(&index).copied().unwrap_or(0) >= 5 { "LOCKED" } else { "ACTIVE" },
        "mfaEnabled": c.mfa_enabled,
        "lastLoginAt": live.last_login.get(&index).map(|t| rfc3339(*t)),
        "failedLoginCount": live.failed_logins.get(&index).copied().unwrap_or(0),
    });
    if let (false, Mode::Fixed, Some(obj)) = (detailed, state.mode(), value.as_object_mut()) {
        obj.insert("email".into(), json!(mask_email(&c.email)));
    }
    if let (true, Some(obj)) = (detailed, value.as_object_mut()) {
        obj.insert("phone".into(), json!(c.phone));
        obj.insert("country".into(), json!(c.country.code()));
        obj.insert("passwordHashAlgorithm".into(), json!("sha256-salted"));
    }
    value
}

fn staff_json(s: &data::StaffUser) -> Value {
    json!({
        "username": s.username,
        "customerId": null,
        "displayName": s.display_name,
        "email": s.email,
        "roles": s.roles,
        "status": "ACTIVE",
        "mfaEnabled": true,
        "lastLoginAt": null,
        "failedLoginCount": 0,
    })
}

pub async fn admin_users(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> ApiResult {
    require_api_key(&state, &headers)?;
    let query = query_map(&state, query)?;
    let page = positive_param(&query, "page", 1, 10_000)?;
    // PLANTED FLAW (issue 5): the list pages through every customer's contact data, up to 200 a
    // page (rule `sensitive-data-in-bulk`). The fixed list masks emails and stops at 50 a page.
    let max_page_size = match state.mode() {
        Mode::Flawed => 200,
        Mode::Fixed => 50,
    };
    let page_size = positive_param(&query, "page_size", 25, max_page_size)?;
    let data = state.dataset();
    let total = (data.staff.len() + data.customers.len()) as u64;
    let start = (page - 1) * page_size;
    let items: Vec<Value> = (start..(start + page_size).min(total))
        .map(|i| {
            let i = i as usize;
            match data.staff.get(i) {
                Some(s) => staff_json(s),
                None => admin_user_json(&state, i - data.staff.len(), false),
            }
        })
        .collect();
    ok(json!({
        "data": items,
        "meta": {"page": page, "pageSize": page_size, "totalItems": total, "totalPages": total.div_ceil(page_size).max(1)},
    }))
}

pub async fn admin_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(username): Path<String>,
) -> ApiResult {
    // PLANTED FLAW (issue 5): the user lookup also accepts any valid customer access token
    // (left from a "my security settings" screen): an ordinary customer reaches an admin
    // function (rule `admin-endpoint-ordinary-identity`, class `bfla-admin`).
    if state.mode() == Mode::Flawed && headers.get("x-api-key").is_none() && bearer_token(&headers).is_some()
    {
        customer_caller(&state, &headers)?;
    } else {
        require_api_key(&state, &headers)?;
    }
    if let Some(staff) = state.dataset().staff.iter().find(|s| s.username == username) {
        return ok(staff_json(staff));
    }
    match state.dataset().customer_by_username(&username) {
        Some(index) => ok(admin_user_json(&state, index, true)),
        None => Err(Problem::not_found(format!("no user {username}"))),
    }
}

pub async fn flush_cache(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    require_api_key(&state, &headers)?;
    let flushed = std::mem::take(&mut state.live().cached_entries);
    Ok((StatusCode::ACCEPTED, Json(json!({"flushed": flushed, "flushedAt": rfc3339(state.now())})))
        .into_response())
}

/// In the fixed mode the internal gate ([`mode_guard`]) asks for the ops key first.
pub async fn health(State(state): State<AppState>) -> ApiResult {
    // Refill the "cache" so that a later flush has something to report.
    let mut live = state.live();
    live.cached_entries += 37;
    drop(live);
    ok(json!({"status": "ok", "version": "2.14.3", "checks": {"ledger": "ok", "cache": "ok", "auth": "ok"}}))
}

// ----------------------------------------------------------------------------------------------
// Legacy /v1
// ----------------------------------------------------------------------------------------------

fn legacy_account_json(state: &AppState, index: usize, detailed: bool) -> Value {
    let data = state.dataset();
    let a = &data.accounts[index];
    // The old API returned balances as floating-point numbers.
    let balance = data.ledger_balance(index) as f64 / 100.0;
    let mut value = json!({
        "id": a.account_id,
        "acct_no": a.account_number,
        "type": a.kind.to_lowercase(),
        "ccy": a.currency,
        "balance": balance,
        "owner_name": data.customers[a.customer_index].full_name(),
    });
    if let (true, Some(obj)) = (detailed, value.as_object_mut()) {
        obj.insert("available_balance".into(), json!(available_balance(state, index) as f64 / 100.0));
        obj.insert("branch".into(), json!(a.branch_code));
        obj.insert("iban".into(), json!(a.iban));
        obj.insert("opened".into(), json!(a.opened_on.format("%d/%m/%Y").to_string()));
    }
    value
}

pub async fn v1_accounts(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> ApiResult {
    let caller = legacy_caller(&state, &headers, uri.query())?;
    // PLANTED FLAW (issue 5): an unknown sort column makes the old stack answer 500 with the
    // exception's stack trace (rule `verbose-error`).
    if let Some(sort) = uri.query().and_then(|q| q.split('&').find_map(|p| p.strip_prefix("sort=")))
        && !["id", "type"].contains(&sort)
    {
        let trace = format!(
            "Fatal error: Uncaught PDOException: SQLSTATE[42S22]: Column not found: 1054 Unknown column '{}' in 'order clause' in /var/www/legacy/app/Repository/AccountRepository.php:88\nStack trace:\n#0 /var/www/legacy/app/Repository/AccountRepository.php(88): PDOStatement->execute()\n#1 /var/www/legacy/app/Controller/AccountController.php(41): AccountRepository->listForCustomer()\n#2 {{main}}\n  thrown in /var/www/legacy/app/Repository/AccountRepository.php on line 88",
            sort.chars().filter(char::is_ascii_alphanumeric).take(32).collect::<String>()
        );
        let mut response = (StatusCode::INTERNAL_SERVER_ERROR, trace).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=UTF-8"));
        return Ok(response);
    }
    let items: Vec<Value> =
        state.dataset().accounts_of(caller).map(|(i, _)| legacy_account_json(&state, i, false)).collect();
    ok(json!({"accounts": items, "count": items.len()}))
}

pub async fn v1_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(account_id): Path<String>,
    uri: axum::http::Uri,
) -> ApiResult {
    legacy_caller(&state, &headers, uri.query())?;
    // PLANTED FLAW (issue 5): the legacy account detail only checks that the caller is logged
    // in, not that the account is theirs: any customer reads any account (rule `bola-candidate`).
    let index = state
        .dataset()
        .account_by_id(&account_id)
        .ok_or_else(|| Problem::not_found(format!("no account {account_id}")))?;
    ok(legacy_account_json(&state, index, true))
}

pub async fn v1_customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(customer_id): Path<String>,
    uri: axum::http::Uri,
) -> ApiResult {
    // PLANTED FLAW (issue 5): left from a call-centre integration, the legacy customer lookup
    // answers callers without any credential (rule `sensitive-data-unauthenticated`).
    let anonymous = bearer_token(&headers).is_none()
        && cookie(&headers, "session").is_none()
        && !uri.query().is_some_and(|q| q.contains("access_token="));
    let caller = if anonymous { None } else { Some(legacy_caller(&state, &headers, uri.query())?) };
    let c = match state.dataset().customer_by_id(&customer_id) {
        Some(index) if caller.is_none_or(|c| c == index) => &state.dataset().customers[index],
        _ => return Err(Problem::not_found(format!("no customer {customer_id}"))),
    };
    ok(json!({
        "id": c.customer_id,
        "name": c.full_name(),
        "ic_number": c.national_id,
        "mobile": c.phone,
        "email": c.email,
        "dob": c.date_of_birth.format("%d/%m/%Y").to_string(),
        "address": c.address.one_line(),
    }))
}
