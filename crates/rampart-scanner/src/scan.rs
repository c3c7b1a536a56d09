//! One scan from start to end: log the identities in, crawl the read operations as each of
//! them (harvesting object IDs and keeping each answer as a baseline), run the checks in a
//! fixed order, and assemble the report.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use http::Method;
use rampart_core::OwaspApi2023;
use serde_json::Value;

use crate::callback::CallbackServer;
use crate::checks;
use crate::client::{Client, ClientConfig, PlannedRequest, Request, Response};
use crate::context::{Baseline, Context, Progress};
use crate::identities::{Identity, IdentitySpec, Login};
use crate::model::{Outcome, ScanReport, ScanStats};
use crate::plan::{self, Operation};

/// Where the SSRF test points URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// A listener the scanner runs on 127.0.0.1 (a target on this machine can reach it).
    Loopback,
    /// Off: the SSRF test is skipped.
    Off,
}

pub struct ScanOptions {
    pub client: ClientConfig,
    pub operations: Vec<Operation>,
    /// Where the operations came from, for the report.
    pub spec_label: String,
    pub identities: Vec<IdentitySpec>,
    pub seed: u64,
    pub allow_writes: bool,
    /// Tests to run (names as in the report); empty = all.
    pub only: BTreeSet<String>,
    pub callback: Callback,
    /// Requests of the rate-limit bursts.
    pub burst: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{0}")]
    Client(#[from] crate::client::SendError),
    #[error("no operations to test: the spec or inventory declares none")]
    NoOperations,
}

/// Runs the scan. The dry run's planned requests come back beside the report.
pub async fn scan(
    options: ScanOptions,
    progress: Progress,
) -> Result<(ScanReport, Vec<PlannedRequest>), ScanError> {
    if options.operations.is_empty() {
        return Err(ScanError::NoOperations);
    }
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let client = Client::new(options.client.clone())?;
    let target = client.target().origin() + &client.target().base_path;
    let identities: Vec<Identity> = options.identities.iter().map(Identity::from_spec).collect();
    let mut ctx =
        Context::new(client, options.operations, identities, options.seed, options.allow_writes, progress);
    ctx.only = options.only;
    ctx.logins =
        options.identities.iter().filter_map(|i| i.login.clone().map(|l| (i.name.clone(), l))).collect();

    login_all(&mut ctx, &options.identities).await;
    if ctx.users().len() < 2 {
        ctx.warnings.push(format!(
            "{} ordinary identit{} usable: the cross-identity BOLA tests need two (ID enumeration still runs)",
            ctx.users().len(),
            if ctx.users().len() == 1 { "y is" } else { "ies are" }
        ));
    }
    ctx.login_targets = checks::auth::login_targets(&ctx);
    crawl(&mut ctx).await;

    let callback = match options.callback {
        Callback::Loopback if !ctx.client.is_dry_run() => match CallbackServer::start().await {
            Ok(server) => Some(server),
            Err(e) => {
                ctx.warnings
                    .push(format!("SSRF callback listener could not start ({e}); SSRF tests skipped"));
                None
            }
        },
        _ => None,
    };

    checks::misconfig::run(&mut ctx).await;
    checks::inventory::run(&mut ctx).await;
    checks::auth::run(&mut ctx).await;
    checks::bola::run(&mut ctx).await;
    checks::bfla::run(&mut ctx).await;
    checks::property::run(&mut ctx).await;
    checks::resource::run(&mut ctx).await;
    checks::ssrf::run(&mut ctx, callback.as_ref()).await;
    checks::injection::run(&mut ctx).await;
    // Last: a login burst may lock the test accounts or rate-limit the scanner's address.
    checks::auth::login_burst(&mut ctx, options.burst).await;
    checks::misconfig::finish(&mut ctx);
    ctx.end();

    let planned = ctx.client.planned();
    let counters = ctx.client.counters();
    use std::sync::atomic::Ordering::Relaxed;
    let stats = ScanStats {
        operations: ctx.operations.len(),
        tests_run: ctx.tests.iter().filter(|t| t.outcome != Outcome::Skipped).count(),
        tests_skipped: ctx.tests.iter().filter(|t| t.outcome == Outcome::Skipped).count(),
        requests_sent: ctx.client.requests_sent(),
        request_budget: ctx.client.config().budget,
        transport_errors: counters.transport_errors.load(Relaxed),
        truncated_responses: counters.truncated.load(Relaxed),
        off_target_redirects: counters.off_target_redirects.load(Relaxed),
        out_of_scope_refused: counters.out_of_scope.load(Relaxed),
        elapsed_ms: started.elapsed().as_millis() as u64,
    };
    if stats.off_target_redirects > 0 {
        ctx.warnings.push(format!(
            "{} redirects led off the target and were not followed",
            stats.off_target_redirects
        ));
    }
    if stats.transport_errors > 0 {
        ctx.warnings.push(format!(
            "{} requests got no response (timeouts, resets, refused connections)",
            stats.transport_errors
        ));
    }
    let mut findings = std::mem::take(&mut ctx.findings);
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.operation.cmp(&b.operation))
    });
    let report = ScanReport {
        tool: "rampart-scan".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        target,
        spec: options.spec_label,
        seed: options.seed,
        allow_writes: options.allow_writes,
        started_at,
        identities: ctx
            .identities
            .iter()
            .map(|i| (i.name.clone(), i.role.to_string()))
            .collect::<BTreeMap<_, _>>(),
        findings,
        tests: std::mem::take(&mut ctx.tests),
        stats,
        warnings: std::mem::take(&mut ctx.warnings),
    };
    Ok((report, planned))
}

/// Common names of the token in a login response.
const TOKEN_POINTERS: [&str; 7] =
    ["/access_token", "/accessToken", "/token", "/id_token", "/jwt", "/data/token", "/data/access_token"];

async fn login_all(ctx: &mut Context, specs: &[IdentitySpec]) {
    let mut usable = Vec::new();
    for spec in specs {
        let mut identity = Identity::from_spec(spec);
        let Some(login) = &spec.login else {
            usable.push(identity);
            continue;
        };
        let request = login_request(login);
        let label = format!("{} {}", request.method, login.path);
        ctx.begin("login", OwaspApi2023::Api2, &label);
        let answer = ctx.send(&request).await;
        let Ok((response, _)) = answer else {
            if !ctx.client.is_dry_run() {
                ctx.warnings.push(format!(
                    "identity `{}`: login {label} got no response; identity not used",
                    spec.name
                ));
            }
            ctx.skip("login failed");
            ctx.end();
            // A dry run still lists every test with the identity's name.
            if ctx.client.is_dry_run() {
                usable.push(identity);
            }
            continue;
        };
        match token_from(login, &response) {
            Some(token) if response.is_success() => {
                if let Some(json) = response.json() {
                    for other in jwts_in(&json) {
                        if other != token {
                            ctx.extra_tokens.push((spec.name.clone(), label.clone(), other));
                        }
                    }
                }
                identity = identity.with_login_token(login.use_as.as_deref(), &token);
                ctx.last_login.insert(spec.name.clone(), std::time::Instant::now());
                usable.push(identity);
            }
            _ => {
                ctx.warnings.push(format!(
                    "identity `{}`: login {label} answered {} without a token; identity not used",
                    spec.name, response.status
                ));
                ctx.skip("login failed");
            }
        }
        ctx.end();
    }
    ctx.identities = usable;
}

/// The request a login flow sends.
pub fn login_request(login: &Login) -> Request {
    let method = Method::from_bytes(login.method.to_ascii_uppercase().as_bytes()).unwrap_or(Method::POST);
    let mut request = Request::new(method, login.path.clone());
    if let Some(form) = &login.form {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{}={}", plan::encode_component(k), plan::encode_component(v)))
            .collect();
        request = request.form(body.join("&"));
    } else if let Some(json) = &login.json {
        request = request.json(json);
    }
    request.header("accept", "application/json")
}

/// The credential a login answer carries: its cookies, or the token at the configured pointer
/// (or a common one).
pub fn token_from(login: &Login, response: &Response) -> Option<String> {
    if !response.is_success() {
        return None;
    }
    if login.use_as.as_deref() == Some("cookie") {
        let cookies: Vec<String> = response
            .headers
            .get_all(http::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|c| c.split(';').next().map(str::trim).map(String::from))
            .collect();
        return (!cookies.is_empty()).then(|| cookies.join("; "));
    }
    let json = response.json()?;
    let pointers: Vec<&str> = match &login.token {
        Some(p) => vec![p.as_str()],
        None => TOKEN_POINTERS.to_vec(),
    };
    pointers.iter().find_map(|p| json.pointer(p).and_then(Value::as_str).map(String::from))
}

/// Compact JWS strings anywhere in a JSON document.
pub fn jwts_in(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if looks_like_jwt(s) => out.push(s.clone()),
            Value::Object(map) => stack.extend(map.values()),
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    out
}

pub fn looks_like_jwt(s: &str) -> bool {
    s.starts_with("eyJ") && s.matches('.').count() == 2 && s.len() < 8192
}

/// Crawls every read operation as every identity, shallow operations first, so that item
/// operations get IDs the collections returned.
async fn crawl(ctx: &mut Context) {
    let identities = ctx.identities.clone();
    let reads: Vec<Operation> =
        ctx.operations.iter().filter(|op| op.method == Method::GET && op.is_read()).cloned().collect();
    for identity in &identities {
        ctx.begin("crawl", OwaspApi2023::Api9, &format!("* as {}", identity.name));
        let mut done = BTreeSet::new();
        for pass in 0..3 {
            for op in &reads {
                let label = op.label();
                if done.contains(&label) {
                    continue;
                }
                let pool = ctx.pools.entry(identity.name.clone()).or_default().clone();
                let mut values = BTreeMap::new();
                let mut missing = false;
                for param in template_params(&op.template) {
                    match pool.values_for(op, &param).into_iter().next() {
                        Some(v) => {
                            values.insert(param, v);
                        }
                        None => missing = true,
                    }
                }
                // Query parameters that name objects (`accountId`), from what the identity has.
                for param in op.parameters.iter().filter(|p| p.location == rampart_core::ParamLocation::Query)
                {
                    let name = plan::normalise(&param.name);
                    let names_object = name.len() > 2 && (name.ends_with("id") || name.ends_with("number"));
                    if (param.required || names_object)
                        && let Some(v) = pool.values_for(op, &param.name).into_iter().next()
                    {
                        values.insert(param.name.clone(), v);
                    }
                }
                // The last pass tries generated values, so unlinked operations get a baseline too.
                if missing && pass < 2 {
                    continue;
                }
                done.insert(label.clone());
                if !ctx.operation_alive(&label) {
                    continue;
                }
                ctx.focus = Some(label.clone());
                let instance = plan::instantiate(op, &values, &mut ctx.generator);
                let request = instance.request(&op.method).header("accept", "application/json");
                let Ok((response, exchange)) = ctx.send_as(Some(identity), request).await else { continue };
                if response.is_success()
                    && let Some(json) = response.json()
                {
                    ctx.pools.entry(identity.name.clone()).or_default().harvest(op, &json);
                }
                ctx.baselines
                    .insert((identity.name.clone(), label), Baseline { instance, response, exchange });
            }
        }
        ctx.focus = None;
        ctx.end();
    }
}

/// The parameter names of a template, in order.
pub fn template_params(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else { break };
        names.push(rest[start + 1..start + end].to_string());
        rest = &rest[start + end + 1..];
    }
    names
}
