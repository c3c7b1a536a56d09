//! The discovery engine: exchanges in, inventory out.
//!
//! It ties the templater (which decides what an endpoint *is*) to [`record_exchange`] (which
//! learns what an endpoint *does*). Exchanges are recorded into the accumulator of their
//! concrete path as they stream by; templates are decided once at [`Discovery::finish`], when
//! all the evidence — value shapes, cardinality per position, methods and response shapes of
//! siblings — is in. Memory is bounded by the templater's trie, not by the input.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use rampart_core::{Endpoint, EndpointKey, Exchange, Inventory, ParamObservation, SchemaNode};
use rampart_template::{LeafData, PathParam, PathTemplater, TemplaterConfig};

use crate::classify::ValueClassifier;
use crate::record::{RecordConfig, record_exchange, response_shape};
use crate::schema::{Scratch, observe_text_value_with};
use rampart_core::schema::MAX_EXAMPLES;

/// Settings of a discovery run.
#[derive(Debug, Clone, Default)]
pub struct DiscoveryConfig {
    pub record: RecordConfig,
    pub templater: TemplaterConfig,
    /// Also catalogue static assets (`.js`, `.css`, images, fonts, source maps, HTML pages) that
    /// browser recordings are full of. Off by default: they are not APIs, and their hashed file
    /// names would only crowd the inventory.
    pub include_static_assets: bool,
    /// Distinct hosts catalogued; traffic for further hosts is pooled under [`OTHER_HOSTS`].
    /// `Host` is chosen by the client: without a bound, a scan with random host names would
    /// grow the inventory without end. 0 means the default.
    pub max_hosts: usize,
}

/// Host name under which traffic beyond [`DiscoveryConfig::max_hosts`] is pooled.
pub const OTHER_HOSTS: &str = "(other-hosts)";
const DEFAULT_MAX_HOSTS: usize = 4096;

/// What the templater accumulates per path: the endpoint being learned. Its key is set when the
/// template is decided.
#[derive(Debug)]
pub struct Leaf(Endpoint);

impl Default for Leaf {
    fn default() -> Leaf {
        Leaf(Endpoint::new(EndpointKey {
            host: String::new(),
            method: String::new(),
            path_template: String::new(),
        }))
    }
}

impl LeafData for Leaf {
    fn absorb(&mut self, other: Leaf) {
        self.0.merge(&other.0);
    }

    fn weight(&self) -> u64 {
        self.0.calls
    }

    fn response_shape(&self) -> String {
        response_shape(&self.0)
    }
}

/// A discovery run.
pub struct Discovery {
    config: DiscoveryConfig,
    templater: PathTemplater<Leaf>,
    prior: Vec<Endpoint>,
    observed: u64,
    static_assets_skipped: u64,
    enforcement_refusals_skipped: u64,
    hosts: HashSet<String>,
}

impl Discovery {
    pub fn new(config: DiscoveryConfig) -> Discovery {
        let templater = PathTemplater::new(config.templater.clone());
        Discovery {
            config,
            templater,
            prior: Vec::new(),
            observed: 0,
            static_assets_skipped: 0,
            enforcement_refusals_skipped: 0,
            hosts: HashSet::new(),
        }
    }

    /// A template that wins over inference (from a declared spec). `host: None` = every host.
    pub fn declare_template(&mut self, host: Option<&str>, template: &str) {
        self.templater.add_declared(host, template);
    }

    /// Start from an inventory learned before: its templates are kept and its endpoints merged
    /// with what this run sees. Endpoints only a spec knew of (never called) are dropped: the
    /// comparison with specs is redone after every run.
    pub fn seed(&mut self, prior: Inventory) {
        for mut endpoint in prior.endpoints {
            if endpoint.calls == 0 {
                continue;
            }
            endpoint.spec = None;
            self.templater.add_declared(Some(&endpoint.key.host), &endpoint.key.path_template);
            self.prior.push(endpoint);
        }
    }

    /// Learn from one exchange.
    pub fn observe(&mut self, exchange: &Exchange) {
        let request = &exchange.request;
        // The query is never part of the path; sources should have split it already.
        let path = request.path.split_once('?').map_or(request.path.as_str(), |(p, _)| p);
        if !self.config.include_static_assets && is_static_asset(path, exchange) {
            self.static_assets_skipped += 1;
            return;
        }
        // A client refused by the gateway's block or rate limit (in a gateway's tap) never
        // reached the API: its 403s and 429s are not the API's answers (nor drift from its spec).
        if rampart_core::exchange::enforcement_refusal(exchange).is_some() {
            self.enforcement_refusals_skipped += 1;
            return;
        }
        // Sources normally send a lower-case host and an upper-case method: only allocate when not.
        let host = if request.host.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(request.host.to_ascii_lowercase())
        } else {
            Cow::Borrowed(request.host.as_str())
        };
        let method = if request.method.bytes().any(|b| b.is_ascii_lowercase()) {
            Cow::Owned(request.method.to_ascii_uppercase())
        } else {
            Cow::Borrowed(request.method.as_str())
        };
        let host = bounded(&mut self.hosts, host, self.config.max_hosts_or_default(), OTHER_HOSTS);
        // Methods need no bound here: the templater pools invalid and excess ones per node.
        let leaf = self.templater.leaf(&host, &method, path);
        record_exchange(&mut leaf.0, exchange, &self.config.record);
        self.observed += 1;
    }

    /// Exchanges the gateway refused to enforce a block or a rate limit, left out.
    pub fn enforcement_refusals_skipped(&self) -> u64 {
        self.enforcement_refusals_skipped
    }

    /// Static-asset requests left out (see [`DiscoveryConfig::include_static_assets`]).
    pub fn static_assets_skipped(&self) -> u64 {
        self.static_assets_skipped
    }

    /// Exchanges observed in this run.
    pub fn observed(&self) -> u64 {
        self.observed
    }

    /// Decide templates and return the inventory (this run merged with the seed).
    pub fn finish(self) -> Inventory {
        let mut by_key: BTreeMap<EndpointKey, Endpoint> = BTreeMap::new();
        for templated in self.templater.finish() {
            let mut endpoint = templated.data.0;
            endpoint.key = EndpointKey {
                host: templated.host,
                method: templated.method,
                path_template: templated.template,
            };
            let calls = endpoint.calls;
            endpoint.path_params = templated
                .params
                .iter()
                .map(|p| path_param(p, calls, self.config.record.classifier.clone()))
                .collect();
            // Identifiers in paths land in logs and caches: what they carry counts as accepted.
            for param in &endpoint.path_params {
                for (kind, n) in &param.schema.sensitive {
                    *endpoint.sensitive.accepted.entry(*kind).or_default() += n;
                }
            }
            match by_key.get_mut(&endpoint.key) {
                Some(existing) => existing.merge(&endpoint),
                None => {
                    by_key.insert(endpoint.key.clone(), endpoint);
                }
            }
        }
        for prior in self.prior {
            match by_key.get_mut(&prior.key) {
                Some(fresh) => {
                    let mut merged = prior;
                    merged.merge(fresh);
                    *fresh = merged;
                }
                None => {
                    by_key.insert(prior.key.clone(), prior);
                }
            }
        }
        Inventory { endpoints: by_key.into_values().collect() }
    }
}

impl DiscoveryConfig {
    fn max_hosts_or_default(&self) -> usize {
        if self.max_hosts == 0 { DEFAULT_MAX_HOSTS } else { self.max_hosts }
    }
}

/// `value` itself while fewer than `max` distinct values were seen (or it is one of them),
/// `other` after that.
fn bounded<'a>(
    seen: &mut HashSet<String>,
    value: Cow<'a, str>,
    max: usize,
    other: &'static str,
) -> Cow<'a, str> {
    if seen.contains(value.as_ref()) {
        return value;
    }
    if seen.len() < max {
        seen.insert(value.clone().into_owned());
        return value;
    }
    Cow::Borrowed(other)
}

/// Whether discovery leaves this exchange out as a static asset (unless
/// [`DiscoveryConfig::include_static_assets`]): other stages fed the same stream use it to agree.
pub fn is_static_asset_exchange(exchange: &Exchange) -> bool {
    let path = &exchange.request.path;
    let path = path.split_once('?').map_or(path.as_str(), |(p, _)| p);
    is_static_asset(path, exchange)
}

/// File extensions of what browsers fetch besides APIs.
const STATIC_EXTENSIONS: &[&str] = &[
    "js", "mjs", "css", "map", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "avif", "bmp", "woff",
    "woff2", "ttf", "otf", "eot", "mp4", "webm", "mp3", "html", "htm",
];

/// A request for a static file: answered with a style sheet or a script, or named like a static
/// file and not answered with data (`/repos/vercel/next.js` answering JSON is an API call).
fn is_static_asset(path: &str, exchange: &Exchange) -> bool {
    let media = exchange.response.as_ref().and_then(|r| r.content_type());
    if let Some(media) = media.as_deref() {
        if media == "text/css" || media.ends_with("/javascript") || media == "application/x-javascript" {
            return true;
        }
        if rampart_core::exchange::is_json_media_type(media)
            || (media.ends_with("xml") && !media.starts_with("image/"))
        {
            return false;
        }
    }
    let last = path.rsplit('/').next().unwrap_or("");
    last.rsplit_once('.')
        .is_some_and(|(_, ext)| STATIC_EXTENSIONS.iter().any(|s| s.eq_ignore_ascii_case(ext)))
}

/// A path parameter's observation from the values the templater saw at its position.
fn path_param(
    param: &PathParam,
    calls: u64,
    classifier: Option<Arc<dyn ValueClassifier>>,
) -> ParamObservation {
    let mut schema = SchemaNode::default();
    let mut scratch = Scratch::with_classifier(classifier);
    scratch.set_field(&param.name);
    // Examples are masked as they are recorded: the raw values never reach the inventory.
    for value in &param.examples {
        observe_text_value_with(&mut schema, value, MAX_EXAMPLES, &mut scratch);
    }
    ParamObservation { name: param.name.clone(), seen: calls, schema }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(host: &str, method: &str, path: &str) -> Exchange {
        serde_json::from_value(serde_json::json!({
            "started_at": "2026-11-29T10:00:00Z",
            "request": {"method": method, "host": host, "path": path},
            "response": {"status": 200, "headers": [["Content-Type", "application/json"]], "body": {"text": "{\"id\":1}"}}
        }))
        .unwrap()
    }

    #[test]
    fn hosts_and_methods_chosen_by_clients_stay_bounded() {
        let mut discovery = Discovery::new(DiscoveryConfig { max_hosts: 3, ..DiscoveryConfig::default() });
        for i in 0..1000 {
            discovery.observe(&exchange(&format!("h{i}.bank.example"), "GET", "/health"));
            discovery.observe(&exchange("api.bank.example", &format!("M{i}"), "/health"));
        }
        discovery.observe(&exchange("api.bank.example", "GET /x HTTP/1.1", "/health"));
        let inventory = discovery.finish();
        let hosts: HashSet<&str> = inventory.endpoints.iter().map(|e| e.key.host.as_str()).collect();
        assert_eq!(hosts.len(), 4, "three hosts and the pool: {hosts:?}");
        assert!(hosts.contains(OTHER_HOSTS));
        let methods: HashSet<&str> = inventory.endpoints.iter().map(|e| e.key.method.as_str()).collect();
        assert!(methods.len() < 100, "methods are pooled by the templater: {}", methods.len());
        let calls: u64 = inventory.endpoints.iter().map(|e| e.calls).sum();
        assert_eq!(calls, 2001, "nothing is lost, only pooled");
    }

    #[test]
    fn the_gateways_blocks_and_rate_limits_are_not_the_apis_answers() {
        let refused = |reason: &str| {
            let mut e = exchange("api.bank.example", "POST", "/oauth/token");
            let response = e.response.as_mut().unwrap();
            response.status = if reason.starts_with("rate") { 429 } else { 403 };
            response.headers.push(("x-rampart-refusal".into(), reason.into()));
            e
        };
        let mut discovery = Discovery::new(DiscoveryConfig::default());
        discovery.observe(&exchange("api.bank.example", "POST", "/oauth/token"));
        for reason in ["blocked-ip", "blocked-token", "rate-limited", "rate-limited-by-decision"] {
            discovery.observe(&refused(reason));
        }
        // A refusal about the request itself (an injection) still shows who calls what.
        discovery.observe(&refused("sqli"));
        assert_eq!(discovery.enforcement_refusals_skipped(), 4);
        let inventory = discovery.finish();
        let token = inventory.endpoints.iter().find(|e| e.key.path_template == "/oauth/token").unwrap();
        assert_eq!(token.calls, 2);
        assert_eq!(token.statuses.keys().copied().collect::<Vec<_>>(), [200, 403]);
    }

    #[test]
    fn static_files_are_told_from_api_calls_named_like_files() {
        let mut asset = exchange("ib.bank.example", "GET", "/static/js/main.4f3a2b91.js");
        asset.response.as_mut().unwrap().headers =
            vec![("Content-Type".into(), "application/javascript".into())];
        assert!(is_static_asset("/static/js/main.4f3a2b91.js", &asset));
        let repo = exchange("api.github.example", "GET", "/repos/vercel/next.js");
        assert!(!is_static_asset("/repos/vercel/next.js", &repo), "answered with JSON: an API call");
        let mut logo = exchange("ib.bank.example", "GET", "/assets/logo.svg");
        logo.response.as_mut().unwrap().headers = vec![("Content-Type".into(), "image/svg+xml".into())];
        assert!(is_static_asset("/assets/logo.svg", &logo));
    }
}
