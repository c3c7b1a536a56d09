//! `rampart discover` on traffic recorded from real API servers Rampart was never tuned on.
//!
//! Each `tests/data/unseen/NAME.har` was recorded through mitmproxy (`mitmdump --mode
//! reverse:... --set hardump=...`) in front of a real server (httpbin, json-server, the Petstore
//! spec served by Prism), then trimmed for size (JSON bodies with arrays cut to three items,
//! most headers and all credentials dropped). `NAME.truth` holds the server's true route list
//! for what the client called, one `METHOD /template` a line; how the list was obtained and
//! what was left out (catch-all paths) is written at its top.
//!
//! The reconstructed endpoint set must equal the truth with parameter names ignored: no two
//! endpoints merged, none split, parameters where the API has them. A truth file may list
//! `known-missing` / `known-extra` lines: mistakes the templater still makes on that recording,
//! kept visible here rather than hidden by editing the recording. They are checked exactly
//! too, so a fix shows up as a failure asking for the truth file to be updated.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/unseen")
}

/// `/users/{userId}/posts` → `/users/{}/posts`.
fn normalise(template: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

fn endpoint_line(line: &str) -> String {
    let (method, template) = line.split_once(' ').unwrap_or_else(|| panic!("bad truth line {line:?}"));
    format!("{} {}", method.trim(), normalise(template.trim()))
}

struct Truth {
    routes: BTreeSet<String>,
    known_missing: BTreeSet<String>,
    known_extra: BTreeSet<String>,
}

fn truth(name: &str) -> Truth {
    let text = std::fs::read_to_string(data_dir().join(format!("{name}.truth"))).unwrap();
    let mut truth =
        Truth { routes: BTreeSet::new(), known_missing: BTreeSet::new(), known_extra: BTreeSet::new() };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        if let Some(rest) = line.strip_prefix("known-missing ") {
            truth.known_missing.insert(endpoint_line(rest));
        } else if let Some(rest) = line.strip_prefix("known-extra ") {
            truth.known_extra.insert(endpoint_line(rest));
        } else {
            truth.routes.insert(endpoint_line(line));
        }
    }
    truth
}

/// The reconstructed endpoints, normalised, each with the template as printed.
fn discover(name: &str) -> Vec<(String, String)> {
    let har = data_dir().join(format!("{name}.har"));
    let out = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["discover", "--no-db", "--format", "json"])
        .arg(&har)
        .output()
        .expect("run rampart");
    assert!(
        out.status.success(),
        "rampart discover {} failed: {}",
        har.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    report["endpoints"]
        .as_array()
        .expect("endpoints array")
        .iter()
        .map(|e| {
            let method = e["key"]["method"].as_str().expect("method");
            let template = e["key"]["path_template"].as_str().expect("path_template");
            (format!("{method} {}", normalise(template)), format!("{method} {template}"))
        })
        .collect()
}

fn check(name: &str) {
    let truth = truth(name);
    let found = discover(name);
    let got: BTreeSet<String> = found.iter().map(|(key, _)| key.clone()).collect();
    assert_eq!(got.len(), found.len(), "{name}: two endpoints with one template: {found:#?}");
    let expected: BTreeSet<String> = truth
        .routes
        .difference(&truth.known_missing)
        .cloned()
        .chain(truth.known_extra.iter().cloned())
        .collect();
    if got == expected {
        return;
    }
    let printed = |key: &String| {
        found.iter().find(|(k, _)| k == key).map(|(_, shown)| shown.clone()).unwrap_or_else(|| key.clone())
    };
    let mut report = format!("{name}: reconstructed endpoints differ from the real API\n");
    for key in expected.difference(&got) {
        let note = if truth.known_extra.contains(key) {
            "  (known mistake no longer made: update the truth)"
        } else {
            ""
        };
        let _ = writeln!(report, "  missing     {key}{note}");
    }
    for key in got.difference(&expected) {
        let note = if truth.known_missing.contains(key) {
            "  (known mistake now fixed: update the truth)"
        } else {
            ""
        };
        let _ = writeln!(report, "  unexpected  {}{note}", printed(key));
    }
    let _ = writeln!(report, "  ({} expected, {} reconstructed)", expected.len(), got.len());
    panic!("{report}");
}

#[test]
fn httpbin_is_reconstructed_exactly() {
    check("httpbin");
}

#[test]
fn httpbin_sparse_recording_has_only_its_known_mistakes() {
    check("httpbin_sparse");
}

#[test]
fn petstore_is_reconstructed_exactly() {
    check("petstore");
}

#[test]
fn petstore_sparse_recording_is_reconstructed_exactly() {
    check("petstore_sparse");
}

#[test]
fn json_server_is_reconstructed_exactly() {
    check("json_server");
}

#[test]
fn json_server_sparse_recording_is_reconstructed_exactly() {
    check("json_server_sparse");
}

/// A sparse recording from GitHub's published spec (mocked): 90 operations, 165 calls, most called
/// once; its truth file lists the mistakes no reader could avoid with a single sample.
#[test]
fn github_sparse_recording_has_only_its_known_mistakes() {
    check("github_sparse");
}

#[test]
fn truth_files_are_well_formed() {
    for name in [
        "httpbin",
        "httpbin_sparse",
        "petstore",
        "petstore_sparse",
        "json_server",
        "json_server_sparse",
        "github_sparse",
    ] {
        let truth = truth(name);
        assert!(truth.routes.len() >= 18, "{name}: truth too small");
        for key in &truth.known_missing {
            assert!(truth.routes.contains(key), "{name}: known-missing {key} is not a true route");
        }
        for key in &truth.known_extra {
            assert!(!truth.routes.contains(key), "{name}: known-extra {key} is a true route");
        }
    }
}
