//! Path skeletons and their mapping onto the inventory's templates.
//!
//! The observer cannot wait for discovery to decide templates, so it keys its state by a
//! *skeleton*: the concrete path with every identifier-looking segment (digits, UUIDs, long hex,
//! mixed letters and digits, e-mail addresses) replaced by `{}`. A skeleton is at least as
//! specific as the template discovery will decide, so at the end each skeleton maps onto the
//! one template that matches it (a `{param}` of the template matches any segment; `{}` of the
//! skeleton only a parameter). Segments discovery turns into parameters that do not look like
//! identifiers (user names) simply give several skeletons that map onto one template.

use std::collections::HashMap;

use rampart_core::{EndpointKey, Inventory};

/// Longest path kept in a skeleton; longer paths are cut (they are not APIs one fixes by name).
const MAX_SKELETON_LEN: usize = 512;

/// Whether a path segment looks like an object identifier.
pub fn is_identifier(segment: &str) -> bool {
    let b = segment.as_bytes();
    if b.is_empty() {
        return false;
    }
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    if digits == b.len() {
        return true;
    }
    // `v1`, `v2.1`: API versions, not identifiers.
    if (b[0] == b'v' || b[0] == b'V')
        && b.len() <= 6
        && b[1..].iter().all(|c| c.is_ascii_digit() || *c == b'.')
    {
        return false;
    }
    if b.contains(&b'@') {
        return true;
    }
    let hex = b.iter().all(|c| c.is_ascii_hexdigit() || *c == b'-');
    if hex && b.len() >= 16 {
        return true;
    }
    digits > 0 && b.len() >= 4
}

/// The skeleton of a concrete path: identifier segments become `{}`.
pub fn skeleton(path: &str) -> String {
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let mut out = String::with_capacity(path.len().min(MAX_SKELETON_LEN));
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if out.len() >= MAX_SKELETON_LEN {
            break;
        }
        if is_identifier(segment) {
            out.push_str("{}");
        } else {
            out.push_str(segment);
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// The templates of one (host, method), each with its segments.
type Templates<'a> = Vec<(&'a EndpointKey, Vec<&'a str>)>;

/// Templates of an inventory by host and method, split in segments, for matching skeletons.
pub struct TemplateIndex<'a> {
    by_operation: HashMap<(&'a str, &'a str), Templates<'a>>,
}

impl<'a> TemplateIndex<'a> {
    pub fn new(inventory: &'a Inventory) -> TemplateIndex<'a> {
        let mut by_operation: HashMap<(&str, &str), Templates<'a>> = HashMap::new();
        for e in &inventory.endpoints {
            by_operation
                .entry((e.key.host.as_str(), e.key.method.as_str()))
                .or_default()
                .push((&e.key, e.key.path_template.split('/').collect()));
        }
        TemplateIndex { by_operation }
    }

    /// The template a skeleton belongs to: the matching one with the most literal segments.
    pub fn find(&self, host: &str, method: &str, skeleton: &str) -> Option<&'a EndpointKey> {
        let candidates = self.by_operation.get(&(host, method))?;
        let segments: Vec<&str> = skeleton.split('/').collect();
        candidates
            .iter()
            .filter(|(_, t)| t.len() == segments.len())
            .filter_map(|(key, t)| {
                let mut literal = 0usize;
                for (ts, ss) in t.iter().zip(&segments) {
                    let param = ts.starts_with('{') && ts.ends_with('}');
                    if param {
                        continue;
                    }
                    if *ss == "{}" || ts != ss {
                        return None;
                    }
                    literal += 1;
                }
                Some((literal, *key))
            })
            .max_by_key(|(literal, key)| (*literal, std::cmp::Reverse(&key.path_template)))
            .map(|(_, key)| key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::Endpoint;

    #[test]
    fn identifiers_become_placeholders_and_versions_stay() {
        assert_eq!(skeleton("/v2/accounts/8812345/transactions"), "/v2/accounts/{}/transactions");
        assert_eq!(skeleton("/v1/customers/C0001234"), "/v1/customers/{}");
        assert_eq!(skeleton("/v2/payments/5f0c7e2a-8a3b-4c1e-9d2f-0a1b2c3d4e5f"), "/v2/payments/{}");
        assert_eq!(skeleton("/internal/admin/users/tan.wei"), "/internal/admin/users/tan.wei");
        assert_eq!(skeleton("/users/jane@bank.example"), "/users/{}");
        assert_eq!(skeleton("/"), "/");
        assert_eq!(skeleton("/a?b=1"), "/a");
    }

    #[test]
    fn skeletons_map_to_the_most_specific_template() {
        let key =
            |m: &str, t: &str| EndpointKey { host: "h".into(), method: m.into(), path_template: t.into() };
        let inventory = Inventory {
            endpoints: vec![
                Endpoint::new(key("GET", "/v2/customers/me")),
                Endpoint::new(key("GET", "/v2/customers/{customerId}")),
                Endpoint::new(key("GET", "/users/{username}")),
            ],
        };
        let index = TemplateIndex::new(&inventory);
        let found = |m: &str, s: &str| index.find("h", m, s).map(|k| k.path_template.as_str());
        assert_eq!(found("GET", "/v2/customers/me"), Some("/v2/customers/me"));
        assert_eq!(found("GET", "/v2/customers/{}"), Some("/v2/customers/{customerId}"));
        assert_eq!(found("GET", "/users/tan.wei"), Some("/users/{username}"));
        assert_eq!(found("POST", "/users/tan.wei"), None);
        assert_eq!(found("GET", "/v2/customers"), None);
    }
}
