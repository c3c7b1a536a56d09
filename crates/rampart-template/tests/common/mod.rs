//! Shared test support: a deterministic RNG, a LeafData that remembers what it was fed, and a
//! traffic generator for route lists.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use rampart_template::{LeafData, PathTemplater, TemplatedEndpoint, TemplaterConfig};

/// Tiny LCG (Knuth's MMIX constants): deterministic, no dependency.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 11
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len).map(|_| *self.pick(CHARS) as char).collect()
    }

    pub fn hex(&mut self, len: usize) -> String {
        (0..len).map(|_| *self.pick(b"0123456789abcdef") as char).collect()
    }

    pub fn uuid(&mut self) -> String {
        format!("{}-{}-4{}-a{}-{}", self.hex(8), self.hex(4), self.hex(3), self.hex(3), self.hex(12))
    }
}

/// What the tests accumulate per endpoint: calls, the response shape, and the concrete paths.
#[derive(Default, Debug, Clone)]
pub struct Observed {
    pub calls: u64,
    pub shape: String,
    pub paths: BTreeSet<String>,
}

impl LeafData for Observed {
    fn absorb(&mut self, other: Self) {
        self.calls += other.calls;
        if self.shape.is_empty() {
            self.shape = other.shape;
        }
        self.paths.extend(other.paths);
    }

    fn weight(&self) -> u64 {
        self.calls
    }

    fn response_shape(&self) -> String {
        self.shape.clone()
    }
}

/// One true route of an API: method, template with named parameters, the top-level response
/// properties (joined, empty when not JSON), and relative traffic weight.
#[derive(Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub template: &'static str,
    pub shape: &'static str,
    pub weight: usize,
}

pub const fn route(
    method: &'static str,
    template: &'static str,
    shape: &'static str,
    weight: usize,
) -> Route {
    Route { method, template, shape, weight }
}

/// Value generation state: the RNG plus the values chosen so far for this request (so that a
/// repository can belong to its owner).
pub struct Request<'a> {
    pub rng: &'a mut Lcg,
    pub chosen: BTreeMap<String, String>,
}

/// `/users/{username}` → `/users/{}`.
pub fn normalise(template: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in template.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push_str("{}");
                }
                depth += 1;
            }
            '}' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// One concrete request per route first (every route is seen), then `extra` weighted picks.
pub fn traffic(
    routes: &[Route],
    extra: usize,
    seed: u64,
    value: &dyn Fn(&str, &mut Request<'_>) -> String,
) -> Vec<(&'static str, String, &'static str)> {
    let mut rng = Lcg(seed);
    let total: usize = routes.iter().map(|r| r.weight).sum();
    let mut picks: Vec<usize> = (0..routes.len()).collect();
    for _ in 0..extra {
        let mut ticket = rng.below(total);
        let index = routes.iter().position(|r| {
            if ticket < r.weight {
                true
            } else {
                ticket -= r.weight;
                false
            }
        });
        picks.push(index.unwrap_or(0));
    }
    picks
        .into_iter()
        .map(|index| {
            let route = routes[index];
            let mut request = Request { rng: &mut rng, chosen: BTreeMap::new() };
            let mut path = String::new();
            for segment in route.template.split('/').filter(|s| !s.is_empty()) {
                path.push('/');
                if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    let v = value(name, &mut request);
                    request.chosen.insert(name.to_string(), v.clone());
                    path.push_str(&v);
                } else {
                    path.push_str(segment);
                }
            }
            // The root, and now and then a trailing slash, as clients send them.
            if path.is_empty() || request.rng.chance(5) {
                path.push('/');
            }
            (route.method, path, route.shape)
        })
        .collect()
}

pub fn feed(
    templater: &mut PathTemplater<Observed>,
    host: &str,
    requests: &[(&'static str, String, &'static str)],
) {
    for (method, path, shape) in requests {
        let leaf = templater.leaf(host, method, path);
        leaf.calls += 1;
        if !shape.is_empty() {
            leaf.shape = shape.to_string();
        }
        leaf.paths.insert(path.clone());
    }
}

/// Runs the templater over generated traffic and returns the endpoints.
pub fn run(
    routes: &[Route],
    extra: usize,
    seed: u64,
    value: &dyn Fn(&str, &mut Request<'_>) -> String,
) -> Vec<TemplatedEndpoint<Observed>> {
    let requests = traffic(routes, extra, seed, value);
    let mut templater = PathTemplater::new(TemplaterConfig::default());
    feed(&mut templater, "api.example.test", &requests);
    templater.finish()
}

/// Asserts the (method, template) set equals the true routes, with parameter names ignored.
pub fn assert_routes(api: &str, routes: &[Route], endpoints: &[TemplatedEndpoint<Observed>]) {
    let expected: BTreeSet<String> =
        routes.iter().map(|r| format!("{} {}", r.method, normalise(r.template))).collect();
    let got: BTreeSet<String> =
        endpoints.iter().map(|e| format!("{} {}", e.method, normalise(&e.template))).collect();
    let missing: Vec<&String> = expected.difference(&got).collect();
    let unexpected: Vec<&String> = got.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "{api}: templates differ\n  missing: {missing:#?}\n  unexpected: {unexpected:#?}\n  all: {:#?}",
        endpoints.iter().map(|e| format!("{} {}", e.method, e.template)).collect::<Vec<_>>()
    );
    let templates: BTreeSet<String> = endpoints.iter().map(|e| normalise(&e.template)).collect();
    let expected_templates: BTreeSet<String> = routes.iter().map(|r| normalise(r.template)).collect();
    assert_eq!(templates, expected_templates, "{api}: template set");
}

/// The template (with names) inferred for a true route.
pub fn inferred<'a>(endpoints: &'a [TemplatedEndpoint<Observed>], method: &str, template: &str) -> &'a str {
    let wanted = normalise(template);
    endpoints
        .iter()
        .find(|e| e.method == method && normalise(&e.template) == wanted)
        .map(|e| e.template.as_str())
        .unwrap_or_else(|| panic!("no endpoint for {method} {template}"))
}
