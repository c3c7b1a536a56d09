//! The checks, run over one loaded document.
//!
//! Each family of checks walks the part of the document it is about (security schemes,
//! operations and their responses, parameters, schemas, servers) structurally, in the document
//! as written: a component referenced from a hundred operations is visited once, where it is
//! defined, and its findings point there. `$ref`s are resolved (with a cache and cycle
//! detection) only where a check needs the referenced value, and findings are deduplicated by
//! rule and JSON pointer.

pub mod catalog;
mod operations;
mod schemas;
mod security;

use std::collections::{HashMap, HashSet};

use rampart_core::{Finding, Severity, SourceLocation};

use crate::config::AuditConfig;
use crate::doc::{Doc, NodeId, Pos, Seg, Value, pointer_of, unescape_segment};
use crate::{SpecError, Version};

pub use catalog::{RULES, RuleInfo, rule, spectral_equivalent};

/// HTTP methods of a path item that hold operations.
pub const METHODS: [&str; 9] = ["get", "put", "post", "delete", "options", "head", "patch", "trace", "query"];

/// A node reached in the document: its id, the position to report for it (its key's position
/// when it is a mapping value) and its path from the root.
#[derive(Debug, Clone)]
pub struct At<'a> {
    pub node: NodeId,
    pub pos: Pos,
    pub path: Vec<Seg<'a>>,
}

impl<'a> At<'a> {
    /// The child `key` of this mapping node.
    pub fn child(&self, doc: &'a Doc, key: &str) -> Option<At<'a>> {
        let entry = doc.entries(self.node).iter().find(|e| &*e.key == key)?;
        let mut path = self.path.clone();
        path.push(Seg::Key(&entry.key));
        Some(At { node: entry.value, pos: entry.key_pos, path })
    }

    /// All entries of this mapping node.
    pub fn children(&self, doc: &'a Doc) -> Vec<(&'a str, At<'a>)> {
        doc.entries(self.node)
            .iter()
            .map(|entry| {
                let mut path = self.path.clone();
                path.push(Seg::Key(&entry.key));
                (&*entry.key, At { node: entry.value, pos: entry.key_pos, path })
            })
            .collect()
    }

    /// All items of this sequence node.
    pub fn items(&self, doc: &'a Doc) -> Vec<At<'a>> {
        doc.items(self.node)
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let mut path = self.path.clone();
                path.push(Seg::Index(i));
                At { node: *item, pos: doc.node(*item).pos, path }
            })
            .collect()
    }

    pub fn pointer(&self) -> String {
        pointer_of(&self.path)
    }
}

/// What the checks share: the document, the findings so far, the `$ref` cache.
pub struct Ctx<'a> {
    pub doc: &'a Doc,
    pub version: Version,
    file: &'a str,
    config: &'a AuditConfig,
    findings: Vec<Finding>,
    reported: HashSet<(&'static str, String)>,
    ref_cache: HashMap<&'a str, Option<At<'a>>>,
}

impl<'a> Ctx<'a> {
    pub fn root(&self) -> At<'a> {
        At { node: self.doc.root, pos: self.doc.node(self.doc.root).pos, path: Vec::new() }
    }

    /// Record a finding of `rule` at `at`, once per rule and place.
    pub fn report(&mut self, rule_id: &'static str, severity: Option<Severity>, at: &At<'a>, title: String) {
        self.report_with(rule_id, severity, at, title, Vec::new());
    }

    pub fn report_with(
        &mut self,
        rule_id: &'static str,
        severity: Option<Severity>,
        at: &At<'a>,
        title: String,
        evidence: Vec<String>,
    ) {
        let Some(info) = rule(rule_id) else {
            tracing::error!(rule_id, "finding of an unknown rule dropped");
            return;
        };
        if !self.config.enabled(rule_id) {
            return;
        }
        let pointer = at.pointer();
        if !self.reported.insert((rule_id, pointer.clone())) {
            return;
        }
        let severity = self.config.severity_of(rule_id).unwrap_or(severity.unwrap_or(info.severity));
        self.findings.push(Finding {
            rule: rule_id.to_string(),
            owasp: info.owasp,
            severity,
            title,
            endpoint: None,
            location: Some(SourceLocation {
                file: self.file.to_string(),
                line: at.pos.line,
                column: at.pos.col,
                pointer,
            }),
            evidence,
            fix: info.fix.to_string(),
        });
    }

    /// Follow `$ref`s from `at` to the node they name (local refs only). `None` when a ref is
    /// external, broken or circular (those are reported once by [`check_refs`]).
    pub fn deref(&mut self, at: &At<'a>) -> Option<At<'a>> {
        let mut current = at.clone();
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = self.doc.get(current.node, "$ref").and_then(|r| self.doc.as_str(r)) else {
                return Some(current);
            };
            current = self.resolve(reference)?;
        }
        None
    }

    /// The node a local `$ref` (`#/components/schemas/User`) names, without following further refs.
    pub fn resolve(&mut self, reference: &'a str) -> Option<At<'a>> {
        if let Some(cached) = self.ref_cache.get(reference) {
            return cached.clone();
        }
        let resolved = resolve_in(self.doc, reference);
        self.ref_cache.insert(reference, resolved.clone());
        resolved
    }

    /// `at`, or the node its `$ref` names, and whether it was a ref.
    pub fn deref_or_self(&mut self, at: &At<'a>) -> At<'a> {
        self.deref(at).unwrap_or_else(|| at.clone())
    }
}

const MAX_REF_HOPS: usize = 64;

/// What a field or parameter name says about its value: `rampart-sensitive`'s field-name
/// vocabulary (strong hints only), plus generic national-ID names that vocabulary knows but its
/// public API does not type (`nric`, `national_id`, `ssn`, `passport_number`, …).
pub fn sensitive_name(name: &str) -> Option<(rampart_core::SensitiveType, &'static str)> {
    use rampart_sensitive::field_names::{self, Strength};
    if let Some((kind, Strength::Strong)) = field_names::hint(name) {
        return Some((kind, kind.name()));
    }
    let squashed: String =
        name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    const NATIONAL_IDS: [&str; 14] = [
        "nric",
        "nricnumber",
        "nationalid",
        "nationalidnumber",
        "ssn",
        "socialsecuritynumber",
        "passportnumber",
        "passportno",
        "taxid",
        "idnumber",
        "icnumber",
        "identitynumber",
        "identitycardnumber",
        "fin",
    ];
    let generic = NATIONAL_IDS.iter().any(|n| squashed == *n || (n.len() > 4 && squashed.ends_with(n)));
    generic.then_some((rampart_core::SensitiveType::SgNric, "national-id"))
}

/// Resolve a local ref against the document: the path is made of the document's own keys.
fn resolve_in<'a>(doc: &'a Doc, reference: &str) -> Option<At<'a>> {
    let fragment = reference.strip_prefix('#')?;
    let mut at = At { node: doc.root, pos: doc.node(doc.root).pos, path: Vec::new() };
    if fragment.is_empty() {
        return Some(at);
    }
    let rest = fragment.strip_prefix('/')?;
    for raw in rest.split('/') {
        let segment = unescape_segment(raw);
        match doc.value(at.node) {
            Value::Map(entries) => {
                let entry = entries.iter().find(|e| *e.key == *segment)?;
                at.path.push(Seg::Key(&entry.key));
                at.node = entry.value;
                at.pos = entry.key_pos;
            }
            Value::Seq(items) => {
                let index: usize = segment.parse().ok()?;
                let item = *items.get(index)?;
                at.path.push(Seg::Index(index));
                at.node = item;
                at.pos = doc.node(item).pos;
            }
            _ => return None,
        }
    }
    Some(at)
}

/// Where a `x-rampart-ignore` applies: a pointer prefix and the rules it silences.
#[derive(Debug, Clone)]
struct IgnoreScope {
    pointer: String,
    rules: Vec<String>,
}

/// One pass over the whole document (each node once, aliases included): every `$ref` is
/// checked (broken, circular, external), and every `x-rampart-ignore` is collected.
fn check_refs_and_ignores(
    doc: &Doc,
    errors: &mut Vec<SpecError>,
    scopes: &mut Vec<IgnoreScope>,
    external: &mut usize,
) {
    let mut visited = vec![false; doc.nodes.len()];
    let mut path: Vec<Seg<'_>> = Vec::new();
    walk_all(doc, doc.root, &mut path, &mut visited, errors, scopes, external);
}

/// Walks stop this deep: YAML aliases can chain nodes deeper than the text nests them, and the
/// stack must stay bounded.
const MAX_WALK_DEPTH: usize = 2 * crate::load::MAX_DEPTH;

fn walk_all<'a>(
    doc: &'a Doc,
    id: NodeId,
    path: &mut Vec<Seg<'a>>,
    visited: &mut [bool],
    errors: &mut Vec<SpecError>,
    scopes: &mut Vec<IgnoreScope>,
    external: &mut usize,
) {
    if path.len() > MAX_WALK_DEPTH {
        return;
    }
    match visited.get_mut(id as usize) {
        Some(seen) if !*seen => *seen = true,
        _ => return,
    }
    match doc.value(id) {
        Value::Map(entries) => {
            for entry in entries {
                if &*entry.key == "$ref" {
                    if let Some(reference) = doc.as_str(entry.value) {
                        let pos = doc.node(entry.value).pos;
                        check_one_ref(doc, reference, pos, path, errors, external);
                    }
                } else if &*entry.key == "x-rampart-ignore" {
                    let rules: Vec<String> = match doc.value(entry.value) {
                        Value::String(s) => vec![s.to_string()],
                        Value::Seq(items) => {
                            items.iter().filter_map(|i| doc.as_str(*i)).map(str::to_string).collect()
                        }
                        _ => Vec::new(),
                    };
                    scopes.push(IgnoreScope { pointer: pointer_of(path), rules });
                }
                path.push(Seg::Key(&entry.key));
                walk_all(doc, entry.value, path, visited, errors, scopes, external);
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk_all(doc, *item, path, visited, errors, scopes, external);
                path.pop();
            }
        }
        _ => {}
    }
}

fn check_one_ref(
    doc: &Doc,
    reference: &str,
    pos: Pos,
    path: &[Seg<'_>],
    errors: &mut Vec<SpecError>,
    external: &mut usize,
) {
    // A `$ref` key inside `properties` names a property called `$ref`, not a reference.
    if matches!(path.last(), Some(Seg::Key("properties"))) {
        return;
    }
    if !reference.starts_with('#') {
        *external += 1;
        return;
    }
    let pointer = pointer_of(path);
    let mut seen: Vec<&str> = Vec::new();
    let mut current = reference;
    loop {
        if seen.contains(&current) {
            errors.push(SpecError {
                line: pos.line,
                column: pos.col,
                pointer,
                message: format!("circular $ref: {} → {current}", seen.join(" → ")),
            });
            return;
        }
        seen.push(current);
        let Some(target) = resolve_in(doc, current) else {
            errors.push(SpecError {
                line: pos.line,
                column: pos.col,
                pointer,
                message: if current == reference {
                    format!("broken $ref `{reference}`: no such node in the document")
                } else {
                    format!(
                        "broken $ref `{current}` (reached from `{reference}`): no such node in the document"
                    )
                },
            });
            return;
        };
        match doc.get(target.node, "$ref").and_then(|r| doc.as_str(r)) {
            Some(next) if next.starts_with('#') => current = next,
            _ => return,
        }
        if seen.len() > MAX_REF_HOPS {
            return;
        }
    }
}

fn ignored(scopes: &[IgnoreScope], finding: &Finding) -> bool {
    let pointer = finding.location.as_ref().map(|l| l.pointer.as_str()).unwrap_or("");
    scopes.iter().any(|scope| {
        let under = pointer == scope.pointer
            || (pointer.starts_with(&scope.pointer)
                && pointer.as_bytes().get(scope.pointer.len()) == Some(&b'/'));
        under && scope.rules.iter().any(|r| r == &finding.rule || r == "*" || r == "all")
    })
}

/// Run every enabled check over a loaded, version-checked document.
pub fn run(
    doc: &Doc,
    version: Version,
    file: &str,
    config: &AuditConfig,
) -> (Vec<Finding>, Vec<SpecError>, usize) {
    let mut errors = Vec::new();
    let mut scopes = Vec::new();
    let mut external = 0;
    check_refs_and_ignores(doc, &mut errors, &mut scopes, &mut external);

    let mut ctx = Ctx {
        doc,
        version,
        file,
        config,
        findings: Vec::new(),
        reported: HashSet::new(),
        ref_cache: HashMap::new(),
    };
    security::check(&mut ctx);
    operations::check(&mut ctx);
    schemas::check(&mut ctx);

    let mut findings: Vec<Finding> = ctx.findings.into_iter().filter(|f| !ignored(&scopes, f)).collect();
    findings.sort_by(|a, b| {
        let key = |f: &Finding| f.location.as_ref().map(|l| (l.line, l.column)).unwrap_or_default();
        key(a).cmp(&key(b)).then_with(|| a.rule.cmp(&b.rule))
    });
    (findings, errors, external)
}
