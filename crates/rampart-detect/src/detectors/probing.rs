//! Injection and probing: runs of injection payloads (the gateway's libinjection-based
//! inspector, on query, path, headers and bodies), attack tools known by their user agent,
//! requests for well-known sensitive paths (`/.env`, `/.git/config`, `/actuator/env`), and runs
//! of 404s (forced browsing with a word list).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use rampart_core::Severity;
use rampart_injection::{InjectionConfig, InjectionKind, Inspector, Location};
use std::collections::HashSet;

use crate::alert::{ClientKey, Confidence, DetectorKind};
use crate::config::{ConfigError, DetectConfig};
use crate::engine::{AlertBook, Footprint, Signal};
use crate::facts::{Facts, domain, hash_str};
use crate::state::{KeyTable, Sweeper};
use crate::window::{Distinct, SlidingCount};

use super::{client_cap, secs};

/// User-agent fragments of attack and reconnaissance tools (lower case).
const SCANNER_AGENTS: [&str; 41] = [
    "sqlmap",
    "nikto",
    "nuclei",
    "projectdiscovery",
    "ffuf",
    "fuzz faster u fool",
    "gobuster",
    "dirbuster",
    "dirb/",
    "wfuzz",
    "feroxbuster",
    "hydra",
    "medusa",
    "masscan",
    "zgrab",
    "nmap",
    "nessus",
    "openvas",
    "acunetix",
    "netsparker",
    "invicti",
    "appscan",
    "burp",
    "zaproxy",
    "owasp zap",
    "wpscan",
    "arachni",
    "w3af",
    "skipfish",
    "whatweb",
    "jaeles",
    "dalfox",
    "commix",
    "kiterunner",
    "arjun",
    "havij",
    "fimap",
    "xsstrike",
    "paros",
    "webinspect",
    "ghauri",
];

/// Paths no bank API serves: asking for them is reconnaissance whatever the answer.
const PROBE_PATHS: [&str; 44] = [
    "/.env",
    "/.git/",
    "/.git/config",
    "/.svn/",
    "/.hg/",
    "/.ds_store",
    "/.aws/",
    "/.ssh/",
    "/.htaccess",
    "/.htpasswd",
    "/.npmrc",
    "/.dockerenv",
    "/wp-admin",
    "/wp-login",
    "/wp-content",
    "/wp-includes",
    "/xmlrpc.php",
    "/phpmyadmin",
    "/pma/",
    "/phpinfo",
    "/server-status",
    "/server-info",
    "/actuator",
    "/jolokia",
    "/manager/html",
    "/jmx-console",
    "/web-console",
    "/cgi-bin/",
    "/etc/passwd",
    "/etc/shadow",
    "/win.ini",
    "/boot.ini",
    "/web.config",
    "/vendor/phpunit",
    "/solr/admin",
    "/console/login",
    "/_profiler",
    "/debug/pprof",
    "/.vscode/",
    "/config.php",
    "/backup.sql",
    "/dump.sql",
    "/hnap1",
    "/boaform",
];
/// Paths that are probes only when refused: a bank may serve them to its staff.
const GUARDED_PATHS: [&str; 8] =
    ["/admin", "/console", "/swagger-ui", "/api-docs", "/graphql", "/debug", "/metrics", "/env"];
/// Traversal and encoded traversal in the path.
const TRAVERSAL: [&str; 4] = ["../", "..%2f", "%2e%2e", "..\\"];

#[derive(Default)]
struct Probe {
    injections: SlidingCount,
    probes: Distinct<2>,
    not_found: SlidingCount,
    requests: SlidingCount,
}

pub(crate) struct ProbingDetector {
    clients: KeyTable<Probe>,
    inspector: Inspector,
    agents: AhoCorasick,
    probe_paths: AhoCorasick,
    guarded_paths: AhoCorasick,
    clean_headers: HashSet<u64>,
    sweeper: Sweeper,
}

fn matcher(
    patterns: impl IntoIterator<Item = impl AsRef<[u8]>>,
    field: &str,
) -> Result<AhoCorasick, ConfigError> {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(patterns)
        .map_err(|error| ConfigError { field: field.to_owned(), message: error.to_string() })
}

impl ProbingDetector {
    pub(crate) fn new(config: &DetectConfig) -> Result<ProbingDetector, ConfigError> {
        let agents: Vec<String> = SCANNER_AGENTS
            .iter()
            .map(|a| (*a).to_owned())
            .chain(
                config
                    .probing
                    .scanner_agents
                    .iter()
                    .map(|a| a.to_ascii_lowercase())
                    .filter(|a| !a.is_empty()),
            )
            .collect();
        let inspector = Inspector::new(InjectionConfig::default())
            .map_err(|error| ConfigError { field: "probing".to_owned(), message: error.to_string() })?;
        Ok(ProbingDetector {
            clients: KeyTable::new(client_cap(config.max_keys)),
            inspector,
            agents: matcher(&agents, "probing.scanner_agents")?,
            probe_paths: matcher(PROBE_PATHS.iter().chain(TRAVERSAL.iter()), "probing")?,
            guarded_paths: matcher(GUARDED_PATHS, "probing")?,
            clean_headers: HashSet::new(),
            sweeper: Sweeper::default(),
        })
    }

    pub(crate) fn observe(&mut self, facts: &Facts<'_>, book: &mut AlertBook, config: &DetectConfig) {
        let Some(ip) = facts.ip else { return };
        let cfg = &config.probing;
        let window = secs(cfg.window_secs);
        let now = facts.now;
        let action = config.action_of(cfg.action);
        let key_hash = facts.ip_hash;

        // Attack tools say who they are unless told otherwise.
        if let Some(agent) = facts.user_agent
            && let Some(found) = self.agents.find(agent)
            && !book.touch(DetectorKind::Scanner, key_hash, facts, "attack tool user agent")
        {
            let tool = &agent[found.start()..found.end()];
            book.raise(
                Signal {
                    detector: DetectorKind::Scanner,
                    key: ClientKey::Ip(ip),
                    key_hash,
                    confidence: Confidence::High,
                    severity: Severity::High,
                    action,
                    summary: format!("{ip} is running an attack tool ({tool} in its user agent)"),
                    measures: Vec::new(),
                    related: Vec::new(),
                    quiet_secs: window,
                },
                facts,
                &format!("user agent names {tool}"),
            );
        }

        // Per-IP state only for clients that did something suspect: the million ordinary
        // clients cost nothing here. Requests are counted from then on (the 404 share is of
        // what followed the first miss).
        let hits = inspect(&self.inspector, &mut self.clean_headers, facts);
        let refused = matches!(facts.status, Some(401 | 403 | 404 | 405));
        let probe = self
            .probe_paths
            .find(facts.path)
            .or_else(|| if refused { self.guarded_paths.find(facts.path) } else { None });
        let not_found = facts.status == Some(404);
        let suspect = hits.is_some() || probe.is_some() || not_found;
        let client = if suspect {
            self.clients.entry(key_hash, now)
        } else {
            match self.clients.get_mut(key_hash) {
                Some(client) => client,
                None => return,
            }
        };
        client.requests.add(now, window, 1);

        // Injection payloads.
        if let Some((kind, location)) = hits {
            let injections = client.injections.add_get(now, window, 1);
            let note = format!("{kind} payload in {location}");
            if !book.touch(DetectorKind::Injection, key_hash, facts, &note)
                && injections >= f64::from(cfg.injection_requests)
            {
                book.raise(
                    Signal {
                        detector: DetectorKind::Injection,
                        key: ClientKey::Ip(ip),
                        key_hash,
                        confidence: Confidence::High,
                        severity: Severity::High,
                        action,
                        summary: format!(
                            "{injections:.0} requests with injection payloads from {ip} in {window} s"
                        ),
                        measures: vec![("injection_requests", injections)],
                        related: facts
                            .identity
                            .map(|i| ClientKey::Identity(i.to_owned()))
                            .into_iter()
                            .collect(),
                        quiet_secs: window,
                    },
                    facts,
                    &note,
                );
            }
        }

        // Well-known sensitive paths, and runs of 404s.
        if not_found {
            client.not_found.add(now, window, 1);
        }
        if probe.is_none() && !not_found {
            return;
        }
        if probe.is_some() {
            client.probes.insert(now, window, hash_str(domain::PROBE, facts.path));
        }
        let note = if probe.is_some() { "request for a well-known sensitive path" } else { "not found" };
        if book.settled(DetectorKind::PathProbing, key_hash, facts, note) {
            return;
        }
        let probes = client.probes.estimate();
        let misses = client.not_found.get(now, window);
        let miss_share = misses / client.requests.get(now, window).max(1.0);
        let confidence = if probes >= f64::from(cfg.probe_paths) {
            Confidence::High
        } else if misses >= f64::from(cfg.not_found) && miss_share >= 0.5 {
            if miss_share >= 0.7 { Confidence::High } else { Confidence::Medium }
        } else {
            return;
        };
        book.raise(
            Signal {
                detector: DetectorKind::PathProbing,
                key: ClientKey::Ip(ip),
                key_hash,
                confidence,
                severity: Severity::Medium,
                action,
                summary: format!(
                    "{ip} asked for {probes:.0} well-known sensitive paths and got {misses:.0} not-found answers ({:.0}% of its requests) in {window} s",
                    miss_share * 100.0
                ),
                measures: vec![("sensitive_paths", probes), ("not_found", misses), ("not_found_share", miss_share)],
                related: Vec::new(),
                quiet_secs: window,
            },
            facts,
            note,
        );
    }

    pub(crate) fn housekeeping(&mut self, now: u32, config: &DetectConfig) {
        if self.sweeper.due(now, 60) {
            self.clients.sweep(now.saturating_sub(2 * secs(config.probing.window_secs)));
        }
    }

    pub(crate) fn footprint(&self) -> Footprint {
        Footprint::of(&self.clients)
    }
}

/// Runs the injection inspector on an exchange's request; the first hit's kind and location.
/// Header values known to be clean, by hash: user agents, referers and (masked) cookies repeat
/// across millions of requests, and libinjection on each was most of the detectors' cost.
const CLEAN_HEADER_CACHE: usize = 16_384;

fn inspect(
    inspector: &Inspector,
    clean: &mut HashSet<u64>,
    facts: &Facts<'_>,
) -> Option<(&'static str, String)> {
    let request = &facts.exchange.request;
    let method = Method::from_bytes(request.method.as_bytes()).unwrap_or(Method::GET);
    let mut target = String::with_capacity(request.path.len() + 64);
    target.push_str(&request.path);
    for (index, (name, value)) in request.query.iter().enumerate() {
        target.push(if index == 0 { '?' } else { '&' });
        encode_component(&mut target, name);
        target.push('=');
        encode_component(&mut target, value);
    }
    let mut headers = HeaderMap::new();
    let mut fresh = Vec::new();
    for (name, value) in &request.headers {
        let lower = name.to_ascii_lowercase();
        if !matches!(lower.as_str(), "user-agent" | "referer" | "cookie") {
            continue;
        }
        let hash = hash_str(domain::PROBE, value);
        if clean.contains(&hash) {
            continue;
        }
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(lower.as_bytes()), HeaderValue::from_str(value))
        {
            headers.append(name, value);
            fresh.push(hash);
        }
    }
    let content_type = request.header("content-type");
    let body = request.body.as_ref().and_then(|b| b.bytes());
    let hits =
        inspector.inspect(&method, &target, &headers, content_type, body.as_deref().unwrap_or_default());
    if !hits.iter().any(|hit| matches!(hit.location, Location::Header(_) | Location::Cookie(_))) {
        if clean.len() + fresh.len() > CLEAN_HEADER_CACHE {
            clean.clear();
        }
        clean.extend(fresh);
    }
    let hit = hits.first()?;
    let kind = match hit.kind {
        InjectionKind::Sqli => "SQL injection",
        InjectionKind::Xss => "XSS",
    };
    Some((kind, hit.location.to_string()))
}

/// Percent-encodes the bytes that would change how a query string splits.
fn encode_component(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '%' => out.push_str("%25"),
            '&' => out.push_str("%26"),
            '=' => out.push_str("%3D"),
            '#' => out.push_str("%23"),
            '+' => out.push_str("%2B"),
            ' ' => out.push_str("%20"),
            _ => out.push(c),
        }
    }
}
