//! The tests, one module per OWASP API Top 10 (2023) concern, and the response signatures they
//! share. A check proves what it reports with the exchanges it attaches; where a signal could
//! come from something else (a gateway answering every path the same way, a public resource),
//! it asks a control question first and reports only what the control does not explain.

pub mod auth;
pub mod bfla;
pub mod bola;
pub mod injection;
pub mod inventory;
pub mod misconfig;
pub mod property;
pub mod resource;
pub mod ssrf;

use serde_json::Value;

use crate::client::Response;
use crate::context::Context;
use crate::identities::Identity;
use crate::plan::Operation;

/// Stack traces and framework error pages, by what gives them away.
const STACK_TRACE_SIGNATURES: [(&str, &str); 16] = [
    ("Traceback (most recent call last)", "a Python traceback"),
    ("\tat java.", "a Java stack trace"),
    ("at org.springframework.", "a Spring stack trace"),
    ("Exception in thread \"", "a Java exception"),
    ("java.lang.NullPointerException", "a Java exception"),
    ("at Object.<anonymous>", "a Node.js stack trace"),
    ("node_modules/", "a Node.js module path"),
    ("System.NullReferenceException", "a .NET exception"),
    (".cs:line ", "a .NET stack trace"),
    ("goroutine 1 [running]", "a Go panic"),
    ("panicked at ", "a Rust panic"),
    ("PHP Fatal error", "a PHP error"),
    ("Stack trace:\n#0 ", "a PHP stack trace"),
    ("site-packages/", "a Python module path"),
    ("Werkzeug Debugger", "the Werkzeug debugger"),
    ("    at ", "a stack trace"),
];

/// What gives a stack trace away in `text`, if one is there.
pub fn stack_trace(text: &str) -> Option<&'static str> {
    STACK_TRACE_SIGNATURES
        .iter()
        .find(|(needle, _)| {
            if *needle == "    at " {
                // Generic "    at x.y(...)" lines: need several, with a file position.
                text.matches("\n    at ").count() >= 2
                    && (text.contains(".js:") || text.contains(".java:") || text.contains(".ts:"))
            } else {
                text.contains(needle)
            }
        })
        .map(|(_, what)| *what)
}

/// Database error messages that show a query was broken by input.
pub fn sql_error(text: &str) -> Option<&'static str> {
    if shell_error(text) {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    const SIGNATURES: [(&str, &str); 14] = [
        ("sqlite_error", "SQLite"),
        ("sqlite3.operationalerror", "SQLite"),
        ("unrecognized token:", "SQLite"),
        ("you have an error in your sql syntax", "MySQL"),
        ("warning: mysql", "MySQL"),
        ("syntax error at or near", "PostgreSQL"),
        ("unterminated quoted string", "PostgreSQL"),
        ("pg::syntaxerror", "PostgreSQL"),
        ("quoted string not properly terminated", "Oracle"),
        ("ora-00933", "Oracle"),
        ("unclosed quotation mark after the character string", "SQL Server"),
        ("microsoft ole db provider for sql server", "SQL Server"),
        ("sqlstate[", "PDO"),
        ("org.hibernate.exception", "Hibernate"),
    ];
    if let Some((_, db)) = SIGNATURES.iter().find(|(needle, _)| lower.contains(needle)) {
        return Some(db);
    }
    // SQLite's own wording: `near "x": syntax error`.
    if lower.contains("near \"") && lower.contains("syntax error") {
        return Some("SQLite");
    }
    None
}

/// A shell complaining about the command line it was given (`sh: 1: Syntax error:
/// Unterminated quoted string`, `/bin/sh: …: not found`): input reached a shell.
pub fn shell_error(text: &str) -> bool {
    (text.contains("sh: 1: ") || text.contains("/bin/sh: ") || text.contains("bash: "))
        && (text.contains("Syntax error") || text.contains("not found") || text.contains("unexpected"))
}

/// The shape of a JSON document: its keys at every depth (array positions folded).
pub fn shape(value: &Value) -> std::collections::BTreeSet<String> {
    let mut keys = std::collections::BTreeSet::new();
    let mut stack = vec![(value, String::new(), 0usize)];
    while let Some((v, at, depth)) = stack.pop() {
        if depth > 6 || keys.len() > 500 {
            continue;
        }
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let path = format!("{at}/{k}");
                    keys.insert(path.clone());
                    stack.push((child, path, depth + 1));
                }
            }
            Value::Array(items) => {
                for item in items.iter().take(3) {
                    stack.push((item, format!("{at}/*"), depth + 1));
                }
            }
            _ => {}
        }
    }
    keys
}

/// Whether two successful answers carry the same kind of document: same JSON keys (mostly),
/// or, for non-JSON bodies, lengths within a tenth.
pub fn same_document(a: &Response, b: &Response) -> bool {
    match (a.json(), b.json()) {
        (Some(x), Some(y)) => {
            let (sx, sy) = (shape(&x), shape(&y));
            if sx.is_empty() && sy.is_empty() {
                return x == y;
            }
            let common = sx.intersection(&sy).count();
            let union = sx.union(&sy).count().max(1);
            common * 10 >= union * 8
        }
        (None, None) => {
            let (la, lb) = (a.body.len() as f64, b.body.len() as f64);
            (la - lb).abs() <= la.max(lb) * 0.1
        }
        _ => false,
    }
}

/// Whether a 2xx body carries data (not `{}`, `[]`, `null` or empty).
pub fn has_content(response: &Response) -> bool {
    match response.json() {
        Some(Value::Object(map)) => !map.is_empty(),
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::Null) => false,
        Some(_) => true,
        None => !response.body.iter().all(u8::is_ascii_whitespace),
    }
}

/// An identity's answer to `op` from the crawl, when it was a success.
pub fn success_baseline<'a>(
    ctx: &'a Context,
    identity: &Identity,
    op: &Operation,
) -> Option<&'a crate::context::Baseline> {
    ctx.baselines.get(&(identity.name.clone(), op.label())).filter(|b| b.response.is_success())
}

/// Path parameter values for `op` from `identity`'s harvested pool (first value of each).
pub fn pool_values(
    ctx: &Context,
    identity: &str,
    op: &Operation,
) -> std::collections::BTreeMap<String, String> {
    let Some(pool) = ctx.pools.get(identity) else { return Default::default() };
    crate::scan::template_params(&op.template)
        .into_iter()
        .filter_map(|p| pool.values_for(op, &p).into_iter().next().map(|v| (p, v)))
        .collect()
}

/// `401`, `403`, `404` and friends: the target said no.
pub fn refused(response: &Response) -> bool {
    matches!(response.status.as_u16(), 400..=499)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_recognise_real_error_pages() {
        assert_eq!(
            stack_trace("Traceback (most recent call last):\n  File \"app.py\""),
            Some("a Python traceback")
        );
        assert_eq!(
            stack_trace(
                "TypeError: x\n    at Object.get (/srv/app/routes.js:12:5)\n    at next (/srv/node_modules/express/router.js:1:1)"
            ),
            Some("a Node.js module path")
        );
        assert_eq!(stack_trace("{\"error\":\"not found\"}"), None);
        assert_eq!(sql_error("near \"x\": syntax error"), Some("SQLite"));
        assert_eq!(sql_error("ERROR: syntax error at or near \"'\""), Some("PostgreSQL"));
        assert_eq!(sql_error("{\"detail\":\"body is not valid JSON: syntax error at line 1\"}"), None);
    }
}
