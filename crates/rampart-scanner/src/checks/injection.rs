//! Injection (reported under API8, as OWASP's 2023 list folds it into misconfiguration):
//! SQL, NoSQL and OS command injection on path, query and JSON body parameters, proven three
//! ways: error signatures the payload provokes and the plain value does not; boolean pairs
//! (a true condition answers like the plain value, a false one does not); and time (a sleep
//! payload delays the answer, a zero sleep does not, twice). Shell payloads also ask for an
//! arithmetic echo (`R$((6*7))` → `R42`), which only a shell evaluates.

use std::time::Duration;

use rampart_core::{OwaspApi2023, ParamLocation, Severity};
use serde_json::{Value, json};

use crate::checks::{sql_error, success_baseline};
use crate::client::Response;
use crate::context::{Context, NewFinding};
use crate::identities::Identity;
use crate::model::RecordedExchange;
use crate::plan::{Instance, Operation};

/// Seconds a timing payload asks the target to sleep.
const SLEEP_SECS: u64 = 3;

#[derive(Debug, Clone)]
enum Slot {
    Path(String),
    Query(String),
    Body(String),
}

impl Slot {
    fn name(&self) -> String {
        match self {
            Slot::Path(n) => format!("path.{n}"),
            Slot::Query(n) => format!("query.{n}"),
            Slot::Body(n) => format!("body.{n}"),
        }
    }
}

/// `instance` with `slot` set to `value` (a JSON value for bodies: strings or operator objects).
fn with_value(instance: &Instance, slot: &Slot, value: &Value) -> Instance {
    let mut out = instance.clone();
    let text = crate::plan::scalar_text(value);
    match slot {
        Slot::Path(name) => {
            if let Some(original) = instance.path_values.get(name) {
                out.path = instance.path.replacen(
                    &crate::plan::encode_component(original),
                    &crate::plan::encode_component(&text),
                    1,
                );
            }
        }
        Slot::Query(name) => {
            if let Some(entry) = out.query.iter_mut().find(|(k, _)| k == name) {
                entry.1 = text;
            } else {
                out.query.push((name.clone(), text));
            }
        }
        Slot::Body(name) => {
            if let Some(Value::Object(body)) = out.body.as_mut() {
                body.insert(name.clone(), value.clone());
            }
        }
    }
    out
}

fn slots(op: &Operation, instance: &Instance) -> Vec<(Slot, String)> {
    let mut out = Vec::new();
    for (name, value) in &instance.path_values {
        out.push((Slot::Path(name.clone()), value.clone()));
    }
    for param in op.parameters.iter().filter(|p| p.location == ParamLocation::Query) {
        let is_text = !matches!(
            param.schema.get("type").and_then(Value::as_str),
            Some("integer" | "number" | "boolean")
        );
        if is_text || param.schema.get("enum").is_some() {
            let current = instance
                .query
                .iter()
                .find(|(k, _)| *k == param.name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| "rampart".into());
            out.push((Slot::Query(param.name.clone()), current));
        }
    }
    if let Some(Value::Object(body)) = &instance.body {
        for (k, v) in body {
            if let Value::String(s) = v {
                out.push((Slot::Body(k.clone()), s.clone()));
            }
        }
    }
    out
}

pub async fn run(ctx: &mut Context) {
    if !ctx.wants("injection") {
        return;
    }
    let users = ctx.users();
    let identity = users.first().cloned();
    let operations = ctx.operations.clone();
    for op in &operations {
        let label = op.label();
        if !ctx.begin("injection", OwaspApi2023::Api8, &label) {
            continue;
        }
        if op.method == http::Method::GET && !op.is_read() {
            // `GET /createdb`: every payload would run the action again.
            ctx.skip("a GET that changes state (its path names the action) is not fuzzed");
            continue;
        }
        if !op.is_read() && !ctx.allow_writes && !is_login(ctx, op) {
            ctx.skip("read-only scan: needs --allow-writes");
            continue;
        }
        let instance = match identity.as_ref().and_then(|i| success_baseline(ctx, i, op)) {
            Some(b) => b.instance.clone(),
            None => {
                let values = identity
                    .as_ref()
                    .map(|i| crate::checks::pool_values(ctx, &i.name, op))
                    .unwrap_or_default();
                ctx.instance(identity.as_ref().map(|i| i.name.as_str()), op, &values)
            }
        };
        let mut instance = instance;
        let login = ctx.login_targets.iter().find(|t| t.label == label).cloned();
        if let Some(login) = &login
            && let Some(Value::Object(body)) = instance.body.as_mut()
        {
            // A real user with a wrong password: an operator that turns it into a success is proof.
            body.insert(login.username_field.clone(), json!(login.username));
            body.insert(
                login.password_field.clone(),
                json!(format!("Rampart-wrong-{}!", ctx.seed % 100_000)),
            );
        }
        let as_identity = if login.is_some() { None } else { identity.clone() };
        for (slot, original) in slots(op, &instance) {
            if !ctx.operation_alive(&label) {
                break;
            }
            let Some(plain) =
                send(ctx, op, as_identity.as_ref(), &with_value(&instance, &slot, &json!(original))).await
            else {
                continue;
            };
            if command(ctx, op, as_identity.as_ref(), &instance, &slot, &original, &plain).await {
                continue;
            }
            if sql(ctx, op, as_identity.as_ref(), &instance, &slot, &original, &plain).await {
                continue;
            }
            if matches!(slot, Slot::Body(_)) {
                nosql(ctx, op, as_identity.as_ref(), &instance, &slot, &plain).await;
            }
        }
    }
    ctx.end();
}

fn is_login(ctx: &Context, op: &Operation) -> bool {
    ctx.login_targets.iter().any(|t| t.label == op.label())
}

async fn send(
    ctx: &mut Context,
    op: &Operation,
    identity: Option<&Identity>,
    instance: &Instance,
) -> Option<(Response, RecordedExchange)> {
    let request = instance.request(&op.method).header("accept", "application/json");
    ctx.send_as(identity, request).await.ok()
}

/// What a payload proved, for [`report`].
struct Proof<'a> {
    rule: &'a str,
    title: &'a str,
    severity: Severity,
    description: String,
    evidence: String,
    exchanges: Vec<RecordedExchange>,
    fix: &'a str,
    cwe: u32,
}

fn report(ctx: &mut Context, op: &Operation, slot: &Slot, proof: Proof<'_>) {
    let mut finding =
        NewFinding::new(proof.rule, OwaspApi2023::Api8, proof.severity, &op.label(), proof.title)
            .parameter(slot.name())
            .description(proof.description)
            .evidence(proof.evidence)
            .fix(proof.fix)
            .cwe(proof.cwe);
    for exchange in proof.exchanges {
        finding = finding.exchange(exchange);
    }
    ctx.report(finding);
}

const SQL_FIX: &str = "Use parameterised queries (bound parameters) everywhere; never build SQL from input, including sort columns (map them through an allowlist).";

async fn sql(
    ctx: &mut Context,
    op: &Operation,
    identity: Option<&Identity>,
    instance: &Instance,
    slot: &Slot,
    original: &str,
    plain: &(Response, RecordedExchange),
) -> bool {
    // Error-based: a lone quote breaks the statement.
    if sql_error(&plain.0.text()).is_none() {
        for payload in [format!("{original}'"), format!("{original}\"")] {
            let Some((response, exchange)) =
                send(ctx, op, identity, &with_value(instance, slot, &json!(payload))).await
            else {
                return false;
            };
            if let Some(db) = sql_error(&response.text()) {
                report(
                    ctx,
                    op,
                    slot,
                    Proof {
                        rule: "sql-injection",
                        title: "SQL injection",
                        severity: Severity::Critical,
                        description: format!(
                            "Adding a quote to {} made the target answer {} with a {db} syntax error: the value is pasted into SQL.",
                            slot.name(),
                            response.status.as_u16()
                        ),
                        evidence: format!("{db} error for {payload:?}"),
                        exchanges: vec![plain.1.clone(), exchange],
                        fix: SQL_FIX,
                        cwe: 89,
                    },
                );
                return true;
            }
        }
    }
    // Boolean-based: `x' AND '1'='1` answers like x, `x' AND '1'='2` does not.
    if plain.0.is_success() {
        for (t, f) in [
            (format!("{original}' AND '1'='1"), format!("{original}' AND '1'='2")),
            (format!("{original} AND 1=1"), format!("{original} AND 1=2")),
        ] {
            let Some((yes, yes_exchange)) =
                send(ctx, op, identity, &with_value(instance, slot, &json!(t))).await
            else {
                return false;
            };
            let Some((no, no_exchange)) =
                send(ctx, op, identity, &with_value(instance, slot, &json!(f))).await
            else {
                return false;
            };
            if yes.status == plain.0.status && yes.body == plain.0.body && no.body != plain.0.body {
                // Once more, so that a changing answer is not taken for a difference.
                let Some((again, _)) =
                    send(ctx, op, identity, &with_value(instance, slot, &json!(original))).await
                else {
                    return false;
                };
                if again.body == plain.0.body {
                    report(
                        ctx,
                        op,
                        slot,
                        Proof {
                            rule: "sql-injection",
                            title: "SQL injection (boolean)",
                            severity: Severity::Critical,
                            description: format!(
                                "{} = {t:?} answered exactly like the plain value and {f:?} did not ({} vs {} bytes): the condition is evaluated by the database.",
                                slot.name(),
                                yes.body.len(),
                                no.body.len()
                            ),
                            evidence: format!(
                                "true condition: {} bytes, false condition: {} bytes, plain: {} bytes",
                                yes.body.len(),
                                no.body.len(),
                                plain.0.body.len()
                            ),
                            exchanges: vec![yes_exchange, no_exchange],
                            fix: SQL_FIX,
                            cwe: 89,
                        },
                    );
                    return true;
                }
            }
        }
        // `x' OR '1'='1` widening a search is the same proof from the other side.
        let widened = format!("{original}' OR '1'='1");
        let Some((wide, wide_exchange)) =
            send(ctx, op, identity, &with_value(instance, slot, &json!(widened))).await
        else {
            return false;
        };
        let narrow = format!("{original}' AND '1'='2");
        let Some((none, none_exchange)) =
            send(ctx, op, identity, &with_value(instance, slot, &json!(narrow))).await
        else {
            return false;
        };
        if wide.is_success()
            && none.is_success()
            && wide.body.len() > none.body.len()
            && wide.body != plain.0.body
            && none.body != wide.body
        {
            let Some((wide_again, _)) =
                send(ctx, op, identity, &with_value(instance, slot, &json!(widened))).await
            else {
                return false;
            };
            if wide_again.body == wide.body {
                report(
                    ctx,
                    op,
                    slot,
                    Proof {
                        rule: "sql-injection",
                        title: "SQL injection (boolean)",
                        severity: Severity::Critical,
                        description: format!(
                            "{} = {widened:?} answered {} bytes and {narrow:?} {} bytes: the condition is evaluated by the database.",
                            slot.name(),
                            wide.body.len(),
                            none.body.len()
                        ),
                        evidence: format!(
                            "OR-true: {} bytes, AND-false: {} bytes",
                            wide.body.len(),
                            none.body.len()
                        ),
                        exchanges: vec![wide_exchange, none_exchange],
                        fix: SQL_FIX,
                        cwe: 89,
                    },
                );
                return true;
            }
        }
    }
    false
}

async fn command(
    ctx: &mut Context,
    op: &Operation,
    identity: Option<&Identity>,
    instance: &Instance,
    slot: &Slot,
    original: &str,
    plain: &(Response, RecordedExchange),
) -> bool {
    let marker = "RMP42RMP";
    if plain.0.text().contains(marker) {
        return false;
    }
    let fix = "Never pass input to a shell: call programs with an argument vector (no shell), validate input against an allowlist, and run with least privilege.";
    // A lone quote that makes a shell complain.
    if !crate::checks::shell_error(&plain.0.text()) {
        let quoted = format!("{original}'");
        let Some((response, exchange)) =
            send(ctx, op, identity, &with_value(instance, slot, &json!(quoted))).await
        else {
            return false;
        };
        if crate::checks::shell_error(&response.text()) {
            report(
                ctx,
                op,
                slot,
                Proof {
                    rule: "command-injection",
                    title: "OS command injection",
                    severity: Severity::Critical,
                    description: format!(
                        "Adding a quote to {} made the target answer {} with a shell syntax error: the value is pasted into a shell command line.",
                        slot.name(),
                        response.status.as_u16()
                    ),
                    evidence: "shell syntax error for a quote".into(),
                    exchanges: vec![exchange],
                    fix,
                    cwe: 78,
                },
            );
            return true;
        }
    }
    for separator in [";", "|", "&&", "\n", "$(", "`"] {
        let payload = match separator {
            "$(" => format!("{original}$(echo RMP$((6*7))RMP)"),
            "`" => format!("{original}`echo RMP$((6*7))RMP`"),
            s => format!("{original}{s}echo RMP$((6*7))RMP"),
        };
        let Some((response, exchange)) =
            send(ctx, op, identity, &with_value(instance, slot, &json!(payload))).await
        else {
            return false;
        };
        if response.text().contains(marker) {
            report(
                ctx,
                op,
                slot,
                Proof {
                    rule: "command-injection",
                    title: "OS command injection",
                    severity: Severity::Critical,
                    description: format!(
                        "{} = {payload:?} made the answer contain {marker}: a shell evaluated `$((6*7))`.",
                        slot.name()
                    ),
                    evidence: format!("arithmetic echo evaluated via {separator:?}"),
                    exchanges: vec![exchange],
                    fix,
                    cwe: 78,
                },
            );
            return true;
        }
    }
    // Time: sleep delays the answer, a zero sleep does not, and again.
    let base = plain.0.elapsed;
    if base > Duration::from_secs(2) {
        return false;
    }
    let sleep = format!("{original};sleep {SLEEP_SECS}");
    let Some((slow, slow_exchange)) =
        send(ctx, op, identity, &with_value(instance, slot, &json!(sleep))).await
    else {
        return false;
    };
    if slow.elapsed < base + Duration::from_millis(SLEEP_SECS * 900) {
        return false;
    }
    let Some((quick, _)) =
        send(ctx, op, identity, &with_value(instance, slot, &json!(format!("{original};sleep 0")))).await
    else {
        return false;
    };
    let Some((slow_again, _)) = send(ctx, op, identity, &with_value(instance, slot, &json!(sleep))).await
    else {
        return false;
    };
    if quick.elapsed < base + Duration::from_secs(1)
        && slow_again.elapsed >= base + Duration::from_millis(SLEEP_SECS * 900)
    {
        report(
            ctx,
            op,
            slot,
            Proof {
                rule: "command-injection",
                title: "OS command injection (time)",
                severity: Severity::Critical,
                description: format!(
                    "{} = {sleep:?} took {} ms twice, `sleep 0` {} ms, the plain value {} ms: the value reaches a shell.",
                    slot.name(),
                    slow.elapsed.as_millis(),
                    quick.elapsed.as_millis(),
                    base.as_millis()
                ),
                evidence: format!(
                    "sleep {SLEEP_SECS}: {} ms and {} ms; sleep 0: {} ms",
                    slow.elapsed.as_millis(),
                    slow_again.elapsed.as_millis(),
                    quick.elapsed.as_millis()
                ),
                exchanges: vec![slow_exchange],
                fix,
                cwe: 78,
            },
        );
        return true;
    }
    false
}

async fn nosql(
    ctx: &mut Context,
    op: &Operation,
    identity: Option<&Identity>,
    instance: &Instance,
    slot: &Slot,
    plain: &(Response, RecordedExchange),
) {
    let fix = "Accept only scalars where scalars are expected (validate types against the schema), and never pass request objects to the database as query operators.";
    // Error-based: an unknown operator reaches the database.
    let Some((error, error_exchange)) =
        send(ctx, op, identity, &with_value(instance, slot, &json!({"$rampart": 1}))).await
    else {
        return;
    };
    let text = error.text();
    if ["MongoError", "MongoServerError", "unknown operator", "CastError", "BSONError", "$where"]
        .iter()
        .any(|s| text.contains(s))
        && !plain.0.text().contains("MongoError")
    {
        report(
            ctx,
            op,
            slot,
            Proof {
                rule: "nosql-injection",
                title: "NoSQL injection",
                severity: Severity::Critical,
                description: format!(
                    "Sending the object {{\"$rampart\": 1}} as {} made the target answer {} with a database operator error: objects reach the query.",
                    slot.name(),
                    error.status.as_u16()
                ),
                evidence: "database operator error".into(),
                exchanges: vec![error_exchange],
                fix,
                cwe: 943,
            },
        );
        return;
    }
    // Operator-based: `{"$ne": …}` succeeds where the plain (wrong) value failed.
    let login = is_login(ctx, op);
    let granted = |r: &Response| {
        if login {
            crate::checks::auth::login_granted(r)
        } else {
            r.is_success() && crate::checks::has_content(r)
        }
    };
    if granted(&plain.0) {
        return;
    }
    for operator in [json!({"$ne": "rampart-no-such-value"}), json!({"$gt": ""}), json!({"$regex": ".*"})] {
        let Some((response, exchange)) =
            send(ctx, op, identity, &with_value(instance, slot, &operator)).await
        else {
            return;
        };
        if granted(&response) {
            report(
                ctx,
                op,
                slot,
                Proof {
                    rule: "nosql-injection",
                    title: "NoSQL injection (operator)",
                    severity: Severity::Critical,
                    description: format!(
                        "{} = {operator} was answered {} where the plain value was refused ({}): the operator was evaluated by the database.",
                        slot.name(),
                        response.status.as_u16(),
                        plain.0.status.as_u16()
                    ),
                    evidence: format!(
                        "operator {operator}: {}, plain: {}",
                        response.status.as_u16(),
                        plain.0.status.as_u16()
                    ),
                    exchanges: vec![plain.1.clone(), exchange],
                    fix,
                    cwe: 943,
                },
            );
            return;
        }
    }
}
