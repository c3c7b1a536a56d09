//! API2 Broken Authentication: operations that answer without credentials, tokens whose
//! signature is not checked (tampered, `alg: none`), HMAC tokens signed with a well-known weak
//! secret (then forged: expired, another audience), tokens without expiry, logins that tell
//! known from unknown users, and logins without lockout or rate limit.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::Method;
use rampart_core::{OwaspApi2023, Severity};
use serde_json::{Value, json};

use crate::checks::{has_content, refused, same_document, success_baseline};
use crate::client::Request;
use crate::context::{Context, NewFinding};
use crate::evidence;
use crate::plan::{self, Operation, encode_component};

pub async fn run(ctx: &mut Context) {
    let mut accepting = Vec::new();
    if ctx.wants("auth-bypass") {
        accepting = bypass(ctx).await;
    }
    if ctx.wants("jwt") {
        harvest_tokens(ctx).await;
        jwt(ctx, &accepting).await;
    }
    if ctx.wants("user-enumeration") {
        user_enumeration(ctx).await;
    }
}

/// Each read that an identity could call, asked again without credentials. Returns the
/// operations that refused the anonymous call (where token tests can tell accepted from not).
async fn bypass(ctx: &mut Context) -> Vec<(String, Operation)> {
    let mut refusing = Vec::new();
    let users = ctx.users();
    let operations = ctx.operations.clone();
    for op in operations.iter().filter(|op| op.method == Method::GET) {
        let Some((identity, baseline)) =
            users.iter().find_map(|u| success_baseline(ctx, u, op).map(|b| (u.clone(), b.clone())))
        else {
            continue;
        };
        let label = op.label();
        if !ctx.begin("auth-bypass", OwaspApi2023::Api2, &label) {
            continue;
        }
        let request = baseline.instance.request(&op.method).header("accept", "application/json");
        let Ok((response, exchange)) = ctx.send(&request).await else { continue };
        if refused(&response) {
            refusing.push((identity.name.clone(), op.clone()));
            continue;
        }
        if !response.is_success() || !has_content(&response) || !same_document(&response, &baseline.response)
        {
            continue;
        }
        let sensitive = sensitive_kinds(&response.body);
        if op.secured != Some(true) && sensitive.is_empty() {
            // Not declared protected, and nothing sensitive in it: public by design.
            continue;
        }
        let (rule, title, severity) = if op.secured != Some(true) {
            ("sensitive-data-without-auth", "Sensitive data served without authentication", Severity::High)
        } else if sensitive.is_empty() {
            ("auth-not-enforced", "A protected operation answers without credentials", Severity::High)
        } else {
            (
                "auth-not-enforced",
                "A protected operation serves sensitive data without credentials",
                Severity::Critical,
            )
        };
        let mut finding = NewFinding::new(rule, OwaspApi2023::Api2, severity, &label, title)
            .description(format!(
                "{label} answered {} with the same document {} got, to a request with no credentials at all{}.",
                response.status.as_u16(),
                identity.name,
                if sensitive.is_empty() { String::new() } else { format!(", carrying {}", sensitive.join(", ")) }
            ))
            .evidence(format!("no credentials: status {}", response.status.as_u16()))
            .exchange(exchange)
            .fix("Require authentication on every operation that is not deliberately public, at the service and at the gateway (deny by default).")
            .cwe(306);
        if !sensitive.is_empty() {
            finding = finding.evidence(format!("sensitive data: {}", sensitive.join(", ")));
        }
        ctx.report(finding);
    }
    if ctx.allow_writes {
        anonymous_writes(ctx).await;
    }
    ctx.end();
    refusing
}

/// Writes the spec protects, sent without credentials (with `--allow-writes`: were one
/// accepted, it would change data). A refusal is the pass.
async fn anonymous_writes(ctx: &mut Context) {
    let operations = ctx.operations.clone();
    let owner = ctx.users().first().map(|u| u.name.clone());
    for op in operations.iter().filter(|op| !op.is_read() && op.secured == Some(true)) {
        let label = op.label();
        if ctx.login_targets.iter().any(|t| t.label == label)
            || !ctx.begin("auth-bypass", OwaspApi2023::Api2, &label)
        {
            continue;
        }
        let values = owner.as_deref().map(|o| crate::checks::pool_values(ctx, o, op)).unwrap_or_default();
        let instance = ctx.instance(owner.as_deref(), op, &values);
        let Ok((response, exchange)) =
            ctx.send(&instance.request(&op.method).header("accept", "application/json")).await
        else {
            continue;
        };
        if response.is_success() {
            ctx.report(
                NewFinding::new("auth-not-enforced", OwaspApi2023::Api2, Severity::Critical, &label, "A protected write is accepted without credentials")
                    .description(format!("{label} answered {} to a request with no credentials at all.", response.status.as_u16()))
                    .evidence(format!("no credentials: status {}", response.status.as_u16()))
                    .exchange(exchange)
                    .fix("Require authentication on every operation that is not deliberately public (deny by default), at the service and at the gateway.")
                    .cwe(306),
            );
        }
    }
}

/// The sensitive kinds (medium confidence or more) in a JSON or text body that make an
/// answer sensitive: any national ID, payment or secret data, a date of birth, or contact
/// details of two kinds or more (a public directory of user names and emails alone is not).
pub fn sensitive_kinds(body: &[u8]) -> Vec<String> {
    use rampart_core::{SensitiveCategory, SensitiveType};
    let detections = match evidence::classifier().scan_json(body) {
        Ok(d) => d,
        Err(_) => evidence::classifier().scan_text(&String::from_utf8_lossy(body)),
    };
    let mut strong: Vec<SensitiveType> = Vec::new();
    let mut contact: Vec<SensitiveType> = Vec::new();
    for d in &detections {
        match (d.kind, d.kind.category()) {
            (SensitiveType::IpAddress, _) => {}
            (SensitiveType::DateOfBirth, _) => strong.push(d.kind),
            (_, SensitiveCategory::Personal) => contact.push(d.kind),
            _ => strong.push(d.kind),
        }
    }
    contact.sort();
    contact.dedup();
    if contact.len() >= 2 {
        strong.extend(contact);
    }
    let mut kinds: Vec<String> = strong.iter().map(|k| k.name().to_string()).collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

struct Jwt {
    header: Value,
    payload: Value,
    header_b64: String,
    payload_b64: String,
    signature_b64: String,
}

fn decode_jwt(token: &str) -> Option<Jwt> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    let header = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h.trim_end_matches('=')).ok()?).ok()?;
    let payload = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok()?).ok()?;
    Some(Jwt { header, payload, header_b64: h.into(), payload_b64: p.into(), signature_b64: s.into() })
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn sign_hmac(alg: &str, secret: &str, header: &Value, payload: &Value) -> Option<String> {
    let input = format!("{}.{}", b64(header), b64(payload));
    let signature = rampart_posture::jwt::hmac_sign(alg, secret.as_bytes(), &input)?;
    Some(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

/// Token tests. Each token (identities' own, and others met in login answers) is judged
/// statically, then tried where the anonymous call was refused.
async fn jwt(ctx: &mut Context, refusing: &[(String, Operation)]) {
    let mut tokens: Vec<(String, String, String)> = ctx
        .identities
        .iter()
        .filter_map(|i| {
            i.bearer
                .clone()
                .filter(|t| crate::scan::looks_like_jwt(t))
                .map(|t| (i.name.clone(), format!("token of {}", i.name), t))
        })
        .collect();
    tokens.extend(ctx.extra_tokens.iter().cloned());
    let mut families_done = std::collections::BTreeSet::new();
    for (owner, source, token) in tokens {
        let Some(decoded) = decode_jwt(&token) else { continue };
        let alg = decoded.header.get("alg").and_then(Value::as_str).unwrap_or("").to_string();
        let iss = decoded.payload.get("iss").and_then(Value::as_str).unwrap_or("").to_string();
        // One family (algorithm and issuer) is tested once: the identities' own tokens first.
        if !families_done.insert((alg.clone(), iss.clone())) {
            continue;
        }
        let label = format!("JWT {alg} {source}");
        if !ctx.begin("jwt", OwaspApi2023::Api2, &label) {
            continue;
        }
        // Static: weak secret, no expiry.
        let secret = rampart_posture::jwt::find_weak_secret(&token, &alg)
            .and_then(|i| rampart_posture::jwt::weak_secrets().get(i).copied());
        if let Some(secret) = secret {
            ctx.report(
                NewFinding::new("jwt-weak-secret", OwaspApi2023::Api2, Severity::Critical, &label, "JWTs are signed with a well-known weak secret")
                    .identities(&[&owner])
                    .description(format!("The {alg} token ({source}) verifies with a secret from a public list of defaults: anyone can forge tokens for any user."))
                    .evidence(format!("secret: {}", rampart_posture::jwt::mask_secret(secret)))
                    .fix("Sign with a random secret of at least 256 bits kept in a secrets manager, or better an asymmetric key (RS256/ES256); rotate now and revoke issued tokens.")
                    .cwe(1391),
            );
        }
        if decoded.payload.get("exp").is_none() {
            ctx.report(
                NewFinding::new(
                    "jwt-without-expiry",
                    OwaspApi2023::Api2,
                    Severity::Medium,
                    &label,
                    "JWTs never expire",
                )
                .identities(&[&owner])
                .description(format!(
                    "The {alg} token ({source}) has no `exp` claim: a stolen token works forever."
                ))
                .evidence("no exp claim")
                .fix("Issue short-lived tokens (minutes) with `exp`, and refresh tokens that can be revoked.")
                .cwe(613),
            );
        }
        // Dynamic: find where this token is accepted and the anonymous call is refused.
        let Some((op, instance)) = accepting_operation(ctx, &owner, &token, refusing).await else {
            ctx.skip("no operation found that accepts this token and refuses anonymous calls");
            continue;
        };
        let op_label = op.label();
        let try_token =
            |forged: String,
             rule: &'static str,
             severity: Severity,
             title: &'static str,
             what: String,
             fix: &'static str,
             cwe: u32| { (forged, rule, severity, title, what, fix, cwe) };
        let mut attempts = Vec::new();
        // A signature of the same length with its middle changed.
        let mut sig: Vec<char> = decoded.signature_b64.chars().collect();
        if !sig.is_empty() {
            let mid = sig.len() / 2;
            sig[mid] = if sig[mid] == 'A' { 'B' } else { 'A' };
            let tampered = format!(
                "{}.{}.{}",
                decoded.header_b64,
                decoded.payload_b64,
                sig.into_iter().collect::<String>()
            );
            attempts.push(try_token(
                tampered,
                "jwt-signature-not-verified",
                Severity::Critical,
                "JWT signatures are not verified",
                "a token with a tampered signature".into(),
                "Verify every token's signature with the issuer's key before reading any claim.",
                347,
            ));
        }
        for none in ["none", "None", "NONE"] {
            let mut header = decoded.header.clone();
            header["alg"] = json!(none);
            let unsigned = format!("{}.{}.", b64(&header), decoded.payload_b64);
            attempts.push(try_token(unsigned, "jwt-alg-none-accepted", Severity::Critical, "Unsigned JWTs (alg: none) are accepted",
                format!("an unsigned token (alg: {none})"),
                "Accept only the algorithms you issue (an allowlist such as RS256); refuse `none` and algorithm changes.", 347));
        }
        if let Some(secret) = secret {
            let now = chrono::Utc::now().timestamp();
            let mut expired = decoded.payload.clone();
            expired["exp"] = json!(now - 3600);
            expired["iat"] = json!(now - 7200);
            if let Some(forged) = sign_hmac(&alg, secret, &decoded.header, &expired) {
                attempts.push(try_token(
                    forged,
                    "jwt-expired-accepted",
                    Severity::High,
                    "Expired JWTs are accepted",
                    "a correctly signed token that expired an hour ago".into(),
                    "Check `exp` (and `nbf`) on every request, with at most a minute of clock skew.",
                    613,
                ));
            }
            let mut other_audience = decoded.payload.clone();
            other_audience["aud"] = json!("rampart-other-audience");
            if let Some(forged) = sign_hmac(&alg, secret, &decoded.header, &other_audience) {
                attempts.push(try_token(
                    forged,
                    "jwt-audience-not-checked",
                    Severity::Medium,
                    "JWTs for another audience are accepted",
                    "a correctly signed token for audience `rampart-other-audience`".into(),
                    "Check `aud` against this API's own identifier.",
                    287,
                ));
            }
        }
        for (forged, rule, severity, title, what, fix, cwe) in attempts {
            if ctx.findings.iter().any(|f| f.rule == rule && f.operation == label) {
                continue;
            }
            let request = instance
                .request(&op.method)
                .header("authorization", &format!("Bearer {forged}"))
                .header("accept", "application/json");
            let Ok((response, exchange)) = ctx.send(&request).await else { continue };
            if response.is_success() && has_content(&response) {
                ctx.report(
                    NewFinding::new(rule, OwaspApi2023::Api2, severity, &label, title)
                        .identities(&[&owner])
                        .description(format!("{op_label} answered {} to {what}, where a request without credentials is refused.", response.status.as_u16()))
                        .evidence(format!("{what}: status {}", response.status.as_u16()))
                        .exchange(exchange)
                        .fix(fix)
                        .cwe(cwe),
                );
            }
        }
    }
    ctx.end();
}

/// An operation (with a concrete request) where `token` gets a success and no credentials get
/// a refusal.
async fn accepting_operation(
    ctx: &mut Context,
    owner: &str,
    token: &str,
    refusing: &[(String, Operation)],
) -> Option<(Operation, plan::Instance)> {
    let owner_identity = ctx.identities.iter().find(|i| i.name == owner).cloned()?;
    let own = owner_identity.bearer.as_deref() == Some(token);
    let mut candidates: Vec<(Operation, plan::Instance)> = Vec::new();
    for (identity, op) in refusing {
        if let Some(b) = ctx.baselines.get(&(identity.clone(), op.label())) {
            candidates.push((op.clone(), b.instance.clone()));
        }
    }
    if own {
        return candidates
            .into_iter()
            .find(|(op, _)| refusing.iter().any(|(i, o)| i == owner && o.label() == op.label()));
    }
    // Another token: try read operations (without path parameters first) until one takes it.
    let operations = ctx.operations.clone();
    let mut ordered: Vec<&Operation> = operations.iter().filter(|o| o.method == Method::GET).collect();
    ordered.sort_by_key(|o| o.has_path_params());
    for op in ordered.into_iter().take(8) {
        let values = ctx.pools.get(owner).map(|pool| {
            crate::scan::template_params(&op.template)
                .into_iter()
                .filter_map(|p| pool.values_for(op, &p).into_iter().next().map(|v| (p, v)))
                .collect()
        });
        let instance = plan::instantiate(op, &values.unwrap_or_default(), &mut ctx.generator);
        let with = instance
            .request(&op.method)
            .header("authorization", &format!("Bearer {token}"))
            .header("accept", "application/json");
        let Ok((response, _)) = ctx.send(&with).await else { continue };
        if !response.is_success() {
            continue;
        }
        let Ok((anonymous, _)) = ctx.send(&instance.request(&op.method)).await else { continue };
        if refused(&anonymous) {
            return Some((op.clone(), instance));
        }
    }
    None
}

/// A login operation and how to fill its username and password.
#[derive(Debug, Clone)]
pub struct LoginTarget {
    pub label: String,
    pub method: Method,
    pub path: String,
    /// Body template: form pairs or JSON; `{username}`/`{password}` fields are named here.
    pub form: Option<Vec<(String, String)>>,
    pub json: Option<Value>,
    pub username_field: String,
    pub password_field: String,
    pub username: String,
}

impl LoginTarget {
    pub fn request(&self, username: &str, password: &Value) -> Request {
        let request =
            Request::new(self.method.clone(), self.path.clone()).header("accept", "application/json");
        if let Some(form) = &self.form {
            let pairs: Vec<String> = form
                .iter()
                .map(|(k, v)| {
                    let value = if *k == self.username_field {
                        username.to_string()
                    } else if *k == self.password_field {
                        plan::scalar_text(password)
                    } else {
                        v.clone()
                    };
                    format!("{}={}", encode_component(k), encode_component(&value))
                })
                .collect();
            return request.form(pairs.join("&"));
        }
        let mut body = self.json.clone().unwrap_or_else(|| json!({}));
        if let Some(obj) = body.as_object_mut() {
            obj.insert(self.username_field.clone(), json!(username));
            obj.insert(self.password_field.clone(), password.clone());
        }
        request.json(&body)
    }
}

const USERNAME_FIELDS: [&str; 6] = ["username", "user", "login", "email", "userName", "user_name"];
const PASSWORD_FIELDS: [&str; 4] = ["password", "pass", "passwd", "pwd"];

/// The login operations: the identities' own login flows, and spec operations that take a
/// username and a password.
pub fn login_targets(ctx: &Context) -> Vec<LoginTarget> {
    let mut out: Vec<LoginTarget> = Vec::new();
    let Some((username, password)) =
        ctx.identities.iter().find_map(|i| Some((i.login_username.clone()?, i.login_password.clone()?)))
    else {
        return out;
    };
    for (_, login) in &ctx.logins {
        let method = Method::from_bytes(login.method.to_ascii_uppercase().as_bytes()).unwrap_or(Method::POST);
        let label = format!("{method} {}", login.path);
        if out.iter().any(|t| t.label == label) {
            continue;
        }
        let fields: Vec<String> = match (&login.form, &login.json) {
            (Some(form), _) => form.keys().cloned().collect(),
            (_, Some(Value::Object(obj))) => obj.keys().cloned().collect(),
            _ => continue,
        };
        let pick = |names: &[&str], value: &str| -> Option<String> {
            let by_value = match (&login.form, &login.json) {
                (Some(form), _) => form.iter().find(|(_, v)| *v == value).map(|(k, _)| k.clone()),
                (_, Some(Value::Object(obj))) => {
                    obj.iter().find(|(_, v)| v.as_str() == Some(value)).map(|(k, _)| k.clone())
                }
                _ => None,
            };
            by_value
                .or_else(|| fields.iter().find(|f| names.iter().any(|n| f.eq_ignore_ascii_case(n))).cloned())
        };
        let (Some(user_field), Some(pass_field)) =
            (pick(&USERNAME_FIELDS, &username), pick(&PASSWORD_FIELDS, &password))
        else {
            continue;
        };
        out.push(LoginTarget {
            label,
            method,
            path: login.path.clone(),
            form: login.form.as_ref().map(|f| f.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            json: login.json.clone(),
            username_field: user_field,
            password_field: pass_field,
            username: username.clone(),
        });
    }
    for op in &ctx.operations {
        if op.method != Method::POST || out.iter().any(|t| t.label == op.label()) {
            continue;
        }
        // A sign-up also takes a username and a password; only logins are tested as logins.
        let is_login_path = op.static_segments().iter().any(|s| {
            [
                "login",
                "signin",
                "sign-in",
                "sign_in",
                "logon",
                "authenticate",
                "auth",
                "token",
                "session",
                "sessions",
            ]
            .iter()
            .any(|w| s == w || s.starts_with(w))
        });
        if !is_login_path {
            continue;
        }
        let Some(body) = &op.body else { continue };
        let props: Vec<String> = body
            .schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let user_field =
            props.iter().find(|p| USERNAME_FIELDS.iter().any(|n| p.eq_ignore_ascii_case(n))).cloned();
        let pass_field =
            props.iter().find(|p| PASSWORD_FIELDS.iter().any(|n| p.eq_ignore_ascii_case(n))).cloned();
        let (Some(user_field), Some(pass_field)) = (user_field, pass_field) else { continue };
        let mut generator = plan::Generator::new(ctx.seed);
        let template = generator.value("body", &body.schema);
        let form = body.form.then(|| {
            template
                .as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), plan::scalar_text(v))).collect())
                .unwrap_or_default()
        });
        out.push(LoginTarget {
            label: op.label(),
            method: op.method.clone(),
            path: op.template.clone(),
            form,
            json: (!body.form).then_some(template),
            username_field: user_field,
            password_field: pass_field,
            username: username.clone(),
        });
    }
    out
}

/// Logs in once through every login operation other than the identities' own flows (a legacy
/// `/v1/auth/login` beside `/oauth/token`), with an identity's real credentials: the tokens
/// those answers carry are tested like the identities' own.
async fn harvest_tokens(ctx: &mut Context) {
    let own: Vec<String> =
        ctx.logins.iter().map(|(_, l)| format!("{} {}", l.method.to_ascii_uppercase(), l.path)).collect();
    let Some((owner, password)) =
        ctx.identities.iter().find_map(|i| Some((i.name.clone(), i.login_password.clone()?)))
    else {
        return;
    };
    for target in ctx.login_targets.clone().into_iter().filter(|t| !own.contains(&t.label)) {
        if !ctx.begin("login", OwaspApi2023::Api2, &target.label) {
            continue;
        }
        let Ok((response, _)) = ctx.send(&target.request(&target.username, &json!(password))).await else {
            continue;
        };
        if let Some(body) = response.json().filter(|_| response.is_success()) {
            for token in crate::scan::jwts_in(&body) {
                if !ctx.extra_tokens.iter().any(|(_, _, t)| *t == token) {
                    ctx.extra_tokens.push((owner.clone(), target.label.clone(), token));
                }
            }
        }
    }
    ctx.end();
}

/// Whether a login answer let the caller in: a success carrying a token (a JWT, or a field
/// named like one) or setting a cookie. Many APIs answer a failed login 200 `{"status": "fail"}`.
pub fn login_granted(response: &crate::client::Response) -> bool {
    if !response.is_success() {
        return false;
    }
    if response.headers.contains_key(http::header::SET_COOKIE) {
        return true;
    }
    let Some(json) = response.json() else { return false };
    if !crate::scan::jwts_in(&json).is_empty() {
        return true;
    }
    let mut stack = vec![&json];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    let key = key.to_ascii_lowercase();
                    if (key.contains("token") || key == "session" || key == "sessionid")
                        && v.as_str().is_some_and(|s| s.len() >= 8)
                    {
                        return true;
                    }
                    stack.push(v);
                }
            }
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    false
}

/// A wrong password that cannot be the real one.
fn wrong_password(ctx: &Context) -> String {
    format!("Rampart-wrong-{}!", ctx.seed % 100_000)
}

/// A body with user names and the volatile parts taken out, to compare two error answers.
fn normalised_text(text: &str, names: &[&str]) -> String {
    let mut out = text.to_string();
    for name in names {
        out = out.replace(name, "<user>");
    }
    // Request ids, timestamps and counters differ between any two answers.
    out.chars().map(|c| if c.is_ascii_digit() { '0' } else { c }).collect::<String>()
}

async fn user_enumeration(ctx: &mut Context) {
    for target in ctx.login_targets.clone() {
        if !ctx.begin("user-enumeration", OwaspApi2023::Api2, &target.label) {
            continue;
        }
        let wrong = json!(wrong_password(ctx));
        let unknown = format!("rampart.nobody.{}", ctx.seed % 1_000_000);
        let Ok((known_answer, known_exchange)) = ctx.send(&target.request(&target.username, &wrong)).await
        else {
            continue;
        };
        let Ok((unknown_answer, unknown_exchange)) = ctx.send(&target.request(&unknown, &wrong)).await else {
            continue;
        };
        if login_granted(&known_answer)
            || login_granted(&unknown_answer)
            || known_answer.status.as_u16() == 429
            || unknown_answer.status.as_u16() == 429
        {
            continue;
        }
        let names = [target.username.as_str(), unknown.as_str()];
        let differs_status = known_answer.status != unknown_answer.status;
        let differs_body =
            normalised_text(&known_answer.text(), &names) != normalised_text(&unknown_answer.text(), &names);
        if differs_status || differs_body {
            ctx.report(
                NewFinding::new("user-enumeration", OwaspApi2023::Api2, Severity::Medium, &target.label, "The login tells existing users from unknown ones")
                    .parameter(format!("body.{}", target.username_field))
                    .description(format!(
                        "A wrong password for an existing user got {} and the same wrong password for an unknown user got {}{}: an attacker can list valid usernames before guessing passwords.",
                        known_answer.status.as_u16(),
                        unknown_answer.status.as_u16(),
                        if differs_status { "" } else { ", with a different message" }
                    ))
                    .evidence(format!("existing user: {}, unknown user: {}", known_answer.status.as_u16(), unknown_answer.status.as_u16()))
                    .exchange(known_exchange)
                    .exchange(unknown_exchange)
                    .fix("Answer every failed login the same way (status, message, timing): `invalid username or password`.")
                    .cwe(204),
            );
        }
    }
    ctx.end();
}

/// Many wrong passwords in a row: no 429, no lockout means unlimited guessing. Runs last.
pub async fn login_burst(ctx: &mut Context, burst: u32) {
    if !ctx.wants("login-rate-limit") || burst == 0 {
        return;
    }
    for target in ctx.login_targets.clone() {
        if !ctx.begin("login-rate-limit", OwaspApi2023::Api2, &target.label) {
            continue;
        }
        let wrong = json!(wrong_password(ctx));
        let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
        let mut limited = false;
        let mut last = None;
        let mut answered = 0;
        let mut granted = false;
        for _ in 0..burst {
            let Ok((response, exchange)) = ctx.send(&target.request(&target.username, &wrong)).await else {
                break;
            };
            answered += 1;
            granted |= login_granted(&response);
            *statuses.entry(response.status.as_u16()).or_default() += 1;
            let text = response.text().to_ascii_lowercase();
            if matches!(response.status.as_u16(), 429 | 423 | 503)
                || text.contains("locked")
                || text.contains("too many")
                || text.contains("captcha")
            {
                limited = true;
                break;
            }
            last = Some(exchange);
        }
        // Only refusals of the credentials count: a retired (404/410) or broken login is not guessable.
        let refusals_only = !granted && statuses.keys().all(|s| matches!(s, 200 | 400 | 401 | 403 | 422));
        if !limited && answered == burst && refusals_only {
            let summary: Vec<String> = statuses.iter().map(|(s, n)| format!("{n}× {s}")).collect();
            let mut finding = NewFinding::new("login-no-rate-limit", OwaspApi2023::Api2, Severity::High, &target.label, "The login has no rate limit or lockout")
                .description(format!(
                    "{burst} wrong passwords for one user in a row were all answered ({}), none with 429, a lockout or a challenge: passwords can be guessed and stolen credentials stuffed without limit.",
                    summary.join(", ")
                ))
                .evidence(format!("{burst} attempts: {}", summary.join(", ")))
                .fix("Limit failed logins per account and per client (e.g. 5 per minute, then 429 with Retry-After), add progressive delays or a challenge, and alert on bursts.")
                .cwe(307);
            if let Some(exchange) = last {
                finding = finding.exchange(exchange);
            }
            ctx.report(finding);
        }
    }
    ctx.end();
}
