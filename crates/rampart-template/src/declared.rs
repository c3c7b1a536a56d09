//! Declared templates (from an OpenAPI spec or a previous run): they win over inference.
//!
//! They live in their own small trie. A path is matched depth-first, literal children before
//! parameters, so the first full match is the most specific one (`/users/me` before
//! `/users/{id}`); every declared node is visited at most once per match.

use std::collections::HashMap;

use tracing::warn;

use crate::shape::segments;
use crate::stats::FxMap;

/// Declared templates deeper than this are ignored: matching keeps segments in a stack array.
pub(crate) const MAX_DECLARED_DEPTH: usize = 64;

#[derive(Debug, Clone)]
pub(crate) enum DeclaredSegment {
    Literal(Box<str>),
    /// `{name}`, or `prefix{name}suffix` inside one segment (`{fileName}.json`, `{id}:cancel`).
    /// Several parameters in one segment (`{name}.{ext}`) match as one; `display` keeps the
    /// declared text.
    Param {
        name: String,
        prefix: Box<str>,
        suffix: Box<str>,
        display: Box<str>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct DeclaredTemplate {
    pub(crate) template: String,
    pub(crate) segments: Vec<DeclaredSegment>,
    /// For each segment, the index of its parameter among the template's parameters.
    pub(crate) param_slots: Vec<Option<usize>>,
    pub(crate) param_count: usize,
}

#[derive(Default)]
struct DeclaredNode {
    literals: FxMap<Box<str>, usize>,
    /// Parameter children, most specific (longest fixed affix) first.
    params: Vec<(Box<str>, Box<str>, usize)>,
    terminals: Vec<(Option<Box<str>>, usize)>,
}

#[derive(Default)]
pub(crate) struct DeclaredSet {
    nodes: Vec<DeclaredNode>,
    pub(crate) templates: Vec<DeclaredTemplate>,
    known: HashMap<(Option<Box<str>>, String), usize>,
    max_depth: usize,
}

impl DeclaredSet {
    pub(crate) fn add(&mut self, host: Option<&str>, template: &str) {
        let parsed = parse_template(template);
        if parsed.segments.len() > MAX_DECLARED_DEPTH {
            warn!(segments = parsed.segments.len(), "declared template too deep, ignored");
            return;
        }
        let key = (host.map(Box::from), parsed.template.clone());
        if self.known.contains_key(&key) {
            return;
        }
        if self.nodes.is_empty() {
            self.nodes.push(DeclaredNode::default());
        }
        let mut current = 0;
        for segment in &parsed.segments {
            current = match segment {
                DeclaredSegment::Literal(text) => match self.nodes[current].literals.get(text) {
                    Some(&next) => next,
                    None => {
                        let next = self.push_node();
                        self.nodes[current].literals.insert(text.clone(), next);
                        next
                    }
                },
                DeclaredSegment::Param { prefix, suffix, .. } => {
                    let existing = self.nodes[current]
                        .params
                        .iter()
                        .find(|(p, s, _)| p == prefix && s == suffix)
                        .map(|(_, _, next)| *next);
                    match existing {
                        Some(next) => next,
                        None => {
                            let next = self.push_node();
                            let params = &mut self.nodes[current].params;
                            params.push((prefix.clone(), suffix.clone(), next));
                            params.sort_by_key(|(p, s, _)| std::cmp::Reverse(p.len() + s.len()));
                            next
                        }
                    }
                }
            };
        }
        let id = self.templates.len();
        self.max_depth = self.max_depth.max(parsed.segments.len());
        self.nodes[current].terminals.push((key.0.clone(), id));
        self.known.insert(key, id);
        self.templates.push(parsed);
    }

    fn push_node(&mut self) -> usize {
        self.nodes.push(DeclaredNode::default());
        self.nodes.len() - 1
    }

    /// The declared template `path` belongs to on `host`, if any.
    pub(crate) fn match_path(&self, host: &str, path: &str) -> Option<usize> {
        if self.templates.is_empty() {
            return None;
        }
        let mut buffer = [""; MAX_DECLARED_DEPTH];
        let mut count = 0;
        for segment in segments(path) {
            if count == self.max_depth {
                return None;
            }
            buffer[count] = segment;
            count += 1;
        }
        self.match_from(0, &buffer[..count], host)
    }

    fn match_from(&self, node: usize, rest: &[&str], host: &str) -> Option<usize> {
        let node_ref = &self.nodes[node];
        let Some((first, tail)) = rest.split_first() else {
            let for_host = node_ref.terminals.iter().find(|(h, _)| h.as_deref() == Some(host));
            let for_all = node_ref.terminals.iter().find(|(h, _)| h.is_none());
            return for_host.or(for_all).map(|(_, id)| *id);
        };
        if let Some(&next) = node_ref.literals.get(*first)
            && let Some(found) = self.match_from(next, tail, host)
        {
            return Some(found);
        }
        for (prefix, suffix, next) in &node_ref.params {
            let fits = first.len() > prefix.len() + suffix.len()
                && first.starts_with(&**prefix)
                && first.ends_with(&**suffix);
            if fits && let Some(found) = self.match_from(*next, tail, host) {
                return Some(found);
            }
        }
        None
    }
}

/// Parses `/users/{id}/files/{name}.json` (trailing and double slashes normalised). A segment
/// with braces is a parameter; text around the braces must match literally.
pub(crate) fn parse_template(template: &str) -> DeclaredTemplate {
    let mut parsed = Vec::new();
    let mut slots = Vec::new();
    let mut param_count = 0;
    for segment in segments(template) {
        match (segment.find('{'), segment.rfind('}')) {
            (Some(open), Some(close)) if open < close => {
                let inner = &segment[open + 1..close];
                let name = inner.split('}').next().unwrap_or(inner).trim();
                let name =
                    if name.is_empty() { format!("param{}", param_count + 1) } else { name.to_string() };
                let display: Box<str> = if inner.contains('}') {
                    segment.into()
                } else {
                    format!("{}{{{name}}}{}", &segment[..open], &segment[close + 1..]).into()
                };
                parsed.push(DeclaredSegment::Param {
                    name,
                    prefix: segment[..open].into(),
                    suffix: segment[close + 1..].into(),
                    display,
                });
                slots.push(Some(param_count));
                param_count += 1;
            }
            _ => {
                parsed.push(DeclaredSegment::Literal(segment.into()));
                slots.push(None);
            }
        }
    }
    let mut text = String::new();
    for segment in &parsed {
        text.push('/');
        match segment {
            DeclaredSegment::Literal(literal) => text.push_str(literal),
            DeclaredSegment::Param { display, .. } => text.push_str(display),
        }
    }
    if text.is_empty() {
        text.push('/');
    }
    DeclaredTemplate { template: text, segments: parsed, param_slots: slots, param_count }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_match_wins() {
        let mut set = DeclaredSet::default();
        set.add(None, "/users/{id}");
        set.add(None, "/users/me");
        set.add(None, "/users/{id}/files/{name}.json");
        set.add(Some("api.example.com"), "/users/{userId}");
        assert_eq!(set.match_path("x", "/users/me/"), Some(1));
        assert_eq!(set.match_path("x", "/users/42"), Some(0));
        assert_eq!(set.match_path("api.example.com", "/users/42"), Some(3));
        assert_eq!(set.match_path("x", "/users/42/files/a.json"), Some(2));
        assert_eq!(set.match_path("x", "/users/42/files/a.xml"), None);
        assert_eq!(set.match_path("x", "/users"), None);
        assert_eq!(set.match_path("x", "/users/42/extra"), None);
    }

    #[test]
    fn parses_and_normalises() {
        let parsed = parse_template("//v1/files/{fileId}.{ext}/");
        assert_eq!(parsed.template, "/v1/files/{fileId}.{ext}");
        assert_eq!(parsed.param_count, 1);
        assert_eq!(parse_template("/").template, "/");
        assert_eq!(parse_template("/a/{}").template, "/a/{param1}");
    }
}
