//! The discovery engine: exchanges in, inventory out.
//!
//! It ties the templater (which decides what an endpoint *is*) to [`record_exchange`] (which
//! learns what an endpoint *does*). Exchanges are recorded into the accumulator of their
//! concrete path as they stream by; templates are decided once at [`Discovery::finish`], when
//! all the evidence — value shapes, cardinality per position, methods and response shapes of
//! siblings — is in. Memory is bounded by the templater's trie, not by the input.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rampart_core::{Endpoint, EndpointKey, Exchange, Inventory, ParamObservation, SchemaNode};
use rampart_template::{LeafData, PathParam, PathTemplater, TemplaterConfig};

use crate::record::{RecordConfig, record_exchange, response_shape};
use crate::schema::observe_text_value;

/// Settings of a discovery run.
#[derive(Debug, Clone, Default)]
pub struct DiscoveryConfig {
    pub record: RecordConfig,
    pub templater: TemplaterConfig,
    /// Also catalogue static assets (`.js`, `.css`, images, fonts, source maps, HTML pages) that
    /// browser recordings are full of. Off by default: they are not APIs, and their hashed file
    /// names would only crowd the inventory.
    pub include_static_assets: bool,
}

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
}

impl Discovery {
    pub fn new(config: DiscoveryConfig) -> Discovery {
        let templater = PathTemplater::new(config.templater.clone());
        Discovery { config, templater, prior: Vec::new(), observed: 0, static_assets_skipped: 0 }
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
        let leaf = self.templater.leaf(&host, &method, path);
        record_exchange(&mut leaf.0, exchange, &self.config.record);
        self.observed += 1;
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
            endpoint.path_params = templated.params.iter().map(|p| path_param(p, calls)).collect();
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
fn path_param(param: &PathParam, calls: u64) -> ParamObservation {
    let mut schema = SchemaNode::default();
    // Examples are masked as they are recorded: the raw values never reach the inventory.
    for value in &param.examples {
        observe_text_value(&mut schema, value);
    }
    ParamObservation { name: param.name.clone(), seen: calls, schema }
}
