//! Human-readable and machine-readable renderings of the inventory.

use std::fmt::Write as _;

use rampart_core::inventory::NO_RESPONSE_STATUS;
use rampart_core::{AuthKind, Endpoint, Inventory, SpecStatus};
use rampart_posture::Assessment;

use crate::discover::{Sort, Summary};

/// Columns of the inventory table.
const COLUMNS: usize = 13;

/// The inventory as a table, grouped by host; within a host sorted by path then method, by risk
/// (highest first) or by calls (most first).
pub fn inventory_table(inventory: &Inventory, assessment: &Assessment, sort: Sort) -> String {
    let mut endpoints: Vec<&Endpoint> = inventory.endpoints.iter().collect();
    let risk = |e: &Endpoint| assessment.risk_of(&e.key).map_or(0, |r| r.score);
    endpoints.sort_by(|a, b| {
        let by_path = (&a.key.path_template, &a.key.method).cmp(&(&b.key.path_template, &b.key.method));
        let within = match sort {
            Sort::Path => by_path,
            Sort::Risk => risk(b).cmp(&risk(a)).then(by_path),
            Sort::Calls => b.calls.cmp(&a.calls).then(by_path),
        };
        a.key.host.cmp(&b.key.host).then(within)
    });
    let header = [
        "METHOD",
        "PATH",
        "CALLS",
        "STATUS",
        "P50 ms",
        "P95 ms",
        "AUTH",
        "VERSION",
        "SENSITIVE",
        "SPEC",
        "RISK",
        "FINDINGS",
        "FLAGS",
    ];
    let mut out = String::new();
    let mut host_start = 0;
    while host_start < endpoints.len() {
        let host = &endpoints[host_start].key.host;
        let host_end = endpoints[host_start..]
            .iter()
            .position(|e| &e.key.host != host)
            .map_or(endpoints.len(), |n| host_start + n);
        let rows: Vec<[String; COLUMNS]> =
            endpoints[host_start..host_end].iter().map(|e| row(e, assessment)).collect();
        let mut widths = header.map(str::len);
        for r in &rows {
            for (w, cell) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let _ = writeln!(out, "{host}  ({} endpoints)", rows.len());
        push_row(&mut out, &header.map(str::to_owned), &widths);
        for r in &rows {
            push_row(&mut out, r, &widths);
        }
        out.push('\n');
        host_start = host_end;
    }
    if endpoints.is_empty() {
        out.push_str("no endpoints\n");
    }
    out
}

fn push_row(out: &mut String, cells: &[String; COLUMNS], widths: &[usize; COLUMNS]) {
    let mut line = String::from("  ");
    for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
        // Numbers read best right-aligned.
        if matches!(i, 2 | 4 | 5 | 10) {
            let _ = write!(line, "{cell:>w$}  ");
        } else {
            let _ = write!(line, "{cell:<w$}  ");
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// `1C 2H 1M`: findings by severity, worst first; `-` for none.
pub fn findings_summary(counts: [usize; 5]) -> String {
    let letters = ["I", "L", "M", "H", "C"];
    let parts: Vec<String> =
        (0..5).rev().filter(|i| counts[*i] > 0).map(|i| format!("{}{}", counts[i], letters[i])).collect();
    if parts.is_empty() { "-".to_owned() } else { parts.join(" ") }
}

fn row(e: &Endpoint, assessment: &Assessment) -> [String; COLUMNS] {
    let ms = |q: f64| e.latency.quantile(q).map_or_else(|| "-".to_owned(), format_ms);
    [
        e.key.method.clone(),
        e.key.path_template.clone(),
        e.calls.to_string(),
        status_summary(e),
        ms(0.5),
        ms(0.95),
        auth_summary(e),
        e.api_versions.keys().cloned().collect::<Vec<_>>().join(","),
        sensitive_summary(e),
        spec_label(e),
        assessment.risk_of(&e.key).map_or_else(|| "-".to_owned(), |r| r.score.to_string()),
        findings_summary(assessment.counts_of(&e.key)),
        flags(e).join(" "),
    ]
}

fn format_ms(ms: f64) -> String {
    if ms < 10.0 { format!("{ms:.1}") } else { format!("{ms:.0}") }
}

/// `2xx:120 4xx:3` — status classes keep the column short; `none` counts calls without a response.
pub fn status_summary(e: &Endpoint) -> String {
    let mut classes = [0u64; 6];
    for (status, n) in &e.statuses {
        let class = if *status == NO_RESPONSE_STATUS { 0 } else { usize::from((status / 100).clamp(1, 5)) };
        classes[class] += n;
    }
    let mut parts: Vec<String> =
        (1..6).filter(|c| classes[*c] > 0).map(|c| format!("{c}xx:{}", classes[c])).collect();
    if classes[0] > 0 {
        parts.push(format!("none:{}", classes[0]));
    }
    parts.join(" ")
}

pub fn auth_summary(e: &Endpoint) -> String {
    let mut labels: Vec<String> = e
        .auth
        .schemes
        .iter()
        .map(|s| {
            let kind = match s.kind {
                AuthKind::None => "none",
                AuthKind::Basic => "basic",
                AuthKind::Bearer => "bearer",
                AuthKind::BearerJwt => "jwt",
                AuthKind::ApiKeyHeader => "apikey-header",
                AuthKind::ApiKeyQuery => "apikey-query",
                AuthKind::Cookie => "cookie",
                AuthKind::Other => "other",
            };
            match &s.name {
                Some(name) => format!("{kind}({name})"),
                None => kind.to_owned(),
            }
        })
        .collect();
    labels.dedup();
    labels.join(",")
}

fn spec_label(e: &Endpoint) -> String {
    match e.spec.as_ref().map(|s| s.status) {
        Some(SpecStatus::Documented) => "documented",
        Some(SpecStatus::Shadow) => "SHADOW",
        Some(SpecStatus::Zombie) => "ZOMBIE",
        Some(SpecStatus::Unused) => "unused",
        None => "-",
    }
    .to_owned()
}

/// Sensitive kinds the endpoint returns (then those it only accepts, marked `in:`), a few by
/// name and the rest counted, so the column stays readable.
pub fn sensitive_summary(e: &Endpoint) -> String {
    const SHOWN: usize = 3;
    let returned: Vec<&str> = e.sensitive.returned.keys().map(|k| k.name()).collect();
    let accepted_only: Vec<String> = e
        .sensitive
        .accepted
        .keys()
        .filter(|k| !e.sensitive.returned.contains_key(k))
        .map(|k| format!("in:{}", k.name()))
        .collect();
    let all: Vec<&str> = returned.iter().copied().chain(accepted_only.iter().map(String::as_str)).collect();
    let mut text = all.iter().take(SHOWN).copied().collect::<Vec<_>>().join(",");
    if all.len() > SHOWN {
        text.push_str(&format!(",+{}", all.len() - SHOWN));
    }
    text
}

/// Whether any of these kinds is customer data. Tokens handed out by login and token endpoints
/// are their job, not a leak: the exposure flags and counts are about customer data.
pub fn has_personal(kinds: &std::collections::BTreeMap<rampart_core::SensitiveType, u64>) -> bool {
    kinds.keys().any(|k| k.category() != rampart_core::SensitiveCategory::Secret)
}

fn flags(e: &Endpoint) -> Vec<String> {
    let mut flags = Vec::new();
    if has_personal(&e.sensitive.returned_unauthenticated) {
        flags.push("pii-unauth".to_owned());
    }
    if has_personal(&e.sensitive.returned_in_bulk) {
        flags.push("pii-bulk".to_owned());
    }
    if e.auth.unauthenticated_success > 0 {
        flags.push(format!("unauth-2xx:{}", e.auth.unauthenticated_success));
    }
    if let Some(spec) = &e.spec {
        if !spec.drift.is_empty() {
            flags.push(format!("drift:{}", spec.drift.len()));
        }
        if spec.deprecated {
            flags.push("deprecated".to_owned());
        }
    }
    flags
}

/// Drift items shown per endpoint under the table; `--format json` has them all.
const DRIFT_SHOWN: usize = 5;

/// Why endpoints are zombies and how traffic drifts from the specs, under the table.
pub fn spec_report(inventory: &Inventory) -> String {
    let mut out = String::new();
    for e in &inventory.endpoints {
        let Some(spec) = &e.spec else { continue };
        let name = format!("{} {}{}", e.key.method, e.key.host, e.key.path_template);
        if let (SpecStatus::Zombie, Some(reason)) = (spec.status, &spec.reason) {
            let _ = writeln!(out, "  ZOMBIE  {name}: {reason}");
        }
        for d in spec.drift.iter().take(DRIFT_SHOWN) {
            let kind = serde_json::to_value(d.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = writeln!(out, "  DRIFT   {name}: {kind} {}: {}", d.location, d.detail);
        }
        if spec.drift.len() > DRIFT_SHOWN {
            let _ = writeln!(
                out,
                "  DRIFT   {name}: … and {} more (see --format json)",
                spec.drift.len() - DRIFT_SHOWN
            );
        }
    }
    if out.is_empty() { out } else { format!("Against the declared specs:\n{out}\n") }
}

pub fn summary_line(s: &Summary) -> String {
    let mut line = format!(
        "{} exchanges ({} skipped) → {} endpoints on {} host(s)",
        s.exchanges, s.skipped, s.endpoints, s.hosts
    );
    if s.sensitive_endpoints > 0 {
        let _ = write!(
            line,
            "; {} return sensitive data ({} to unauthenticated callers, {} in bulk)",
            s.sensitive_endpoints, s.sensitive_unauthenticated, s.sensitive_in_bulk
        );
    }
    if s.static_assets_skipped > 0 {
        let _ = write!(
            line,
            "; {} static-asset requests left out (see --include-static)",
            s.static_assets_skipped
        );
    }
    if s.not_found_paths > 0 {
        let _ = write!(line, "; {} path(s) only answered 404/405 (not shown, see --all)", s.not_found_paths);
    }
    if s.findings > 0 {
        let _ = write!(
            line,
            "; {} finding(s) on {} endpoint(s) (see `rampart findings`)",
            s.findings, s.endpoints_with_findings
        );
    }
    if s.documented + s.shadow + s.zombie + s.unused > 0 {
        let _ = write!(
            line,
            "; documented {}, shadow {}, zombie {}, unused {}, with drift {}",
            s.documented, s.shadow, s.zombie, s.unused, s.with_drift
        );
    }
    line
}

/// One endpoint for `--format json` (`docs/inventory-json.md`); the control plane's endpoint
/// page shows the same document.
pub fn endpoint_json(e: &Endpoint, assessment: &Assessment) -> serde_json::Value {
    rampart_server::api::views::endpoint_json(e, assessment)
}
