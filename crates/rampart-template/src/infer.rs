//! Deciding, at the end, which literal siblings are really values of one parameter.
//!
//! The trie is resolved top-down: at each node the literal children that are values are merged
//! into the parameter child (merging their whole subtrees), then the surviving children are
//! resolved. Top-down matters: once `/repos/octocat` and `/repos/torvalds` are one
//! `/repos/{owner}`, their repositories become siblings and show their own cardinality.
//!
//! Evidence, strongest first:
//! 1. the segment text (numbers, ids, `name1`, long slugs) — see [`crate::shape::lean`];
//! 2. siblings that behave the same (same methods, same response shape, same sub-routes) under
//!    a collection (`/users/alice`, `/users/bob`);
//! 3. many siblings with the same behaviour (high cardinality at the position);
//! 4. a sibling that behaves exactly like the already-known parameter values.
//!
//! Route words (`me`, `login`, `search`, ...) and versions are never merged by inference, and a
//! response shape equal to the parent's own (an envelope like `{data,status}` everywhere) is not
//! counted as evidence.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::naming::{NamingSegment, param_names};
use crate::shape::{Lean, classify_segment, is_collection_name, is_version_segment, lean};
use crate::trie::{NodeId, ROOT, Trie};
use crate::{LeafData, PathParam, TemplatedEndpoint, TemplaterConfig};

struct Frame {
    node: NodeId,
    depth: usize,
    /// The literal this node hangs under, versions skipped (`/users/v1/x` → `users`).
    parent_literal: Option<Box<str>>,
    parent_is_param: bool,
}

pub(crate) fn resolve<T: LeafData>(trie: &mut Trie<T>, config: &TemplaterConfig) {
    let mut stack = vec![Frame { node: ROOT, depth: 0, parent_literal: None, parent_is_param: false }];
    while let Some(frame) = stack.pop() {
        let to_merge = decide(trie, &frame, config);
        if !to_merge.is_empty() {
            let param = trie.ensure_param(frame.node);
            let mut pairs = Vec::with_capacity(to_merge.len());
            for name in to_merge {
                if let Some(child) = trie.node_mut(frame.node).literals.remove(&name) {
                    trie.values_mut(param).record(&name, classify_segment(&name));
                    pairs.push((param, child));
                }
            }
            trie.merge_pairs(pairs, usize::MAX);
        }
        let node = trie.node(frame.node);
        for (name, &child) in &node.literals {
            let parent_literal =
                if is_version_segment(name) { frame.parent_literal.clone() } else { Some(name.clone()) };
            stack.push(Frame { node: child, depth: frame.depth + 1, parent_literal, parent_is_param: false });
        }
        if let Some(param) = node.param {
            stack.push(Frame {
                node: param,
                depth: frame.depth + 1,
                parent_literal: None,
                parent_is_param: true,
            });
        }
    }
}

/// What a child answers: methods with their response shapes, and the sub-routes under it.
#[derive(Debug, Default)]
struct Signature {
    methods: BTreeMap<Box<str>, String>,
    /// `depth:name` of descendants up to three levels down; value-like names are `{}`.
    structure: BTreeSet<String>,
    /// It or a direct sub-route answers PUT, PATCH or DELETE: it is an item, not a listing.
    mutable: bool,
}

struct Child {
    name: Box<str>,
    lean: Lean,
    signature: Signature,
}

const STRUCTURE_DEPTH: usize = 3;
const STRUCTURE_MAX_KEYS: usize = 64;
const STRUCTURE_MAX_VISITS: usize = 256;
/// Pairwise sibling comparison is quadratic; past this many, only grouping by equal
/// behaviour is used.
const MAX_PAIRWISE: usize = 512;

fn signature<T: LeafData>(trie: &Trie<T>, id: NodeId) -> Signature {
    let node = trie.node(id);
    let methods = node.leaves.iter().map(|(method, data)| (method.clone(), data.response_shape())).collect();
    let mut structure = BTreeSet::new();
    let mut queue = VecDeque::from([(id, 0usize)]);
    let mut visits = 0;
    while let Some((current, depth)) = queue.pop_front() {
        visits += 1;
        if visits > STRUCTURE_MAX_VISITS || structure.len() >= STRUCTURE_MAX_KEYS {
            break;
        }
        let node = trie.node(current);
        let mut literals: Vec<(&Box<str>, &NodeId)> = node.literals.iter().collect();
        literals.sort();
        for (name, &child) in literals {
            let key = match lean(name, usize::MAX).0 {
                Lean::Obvious | Lean::Value => "{}",
                _ => name,
            };
            structure.insert(format!("{}:{key}", depth + 1));
            if depth + 1 < STRUCTURE_DEPTH {
                queue.push_back((child, depth + 1));
            }
        }
        if let Some(param) = node.param {
            structure.insert(format!("{}:{{}}", depth + 1));
            if depth + 1 < STRUCTURE_DEPTH {
                queue.push_back((param, depth + 1));
            }
        }
    }
    let is_mutating = |id: NodeId| {
        trie.node(id).leaves.iter().any(|(method, _)| matches!(&**method, "PUT" | "PATCH" | "DELETE"))
    };
    let mutable = is_mutating(id)
        || trie.node(id).literals.values().any(|&child| is_mutating(child))
        || trie.node(id).param.is_some_and(is_mutating);
    Signature { methods, structure, mutable }
}

/// Shared sub-routes: at least one common literal, and half of the smaller set in common.
fn structure_similar(a: &BTreeSet<String>, b: &BTreeSet<String>) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let common: Vec<&String> = a.intersection(b).collect();
    let literal_common = common.iter().any(|key| !key.ends_with(":{}"));
    literal_common && common.len() * 2 >= a.len().min(b.len())
}

/// Two siblings that do the same thing: same methods, no conflicting response shape, and a
/// positive sign (an informative shape in common, or shared sub-routes).
fn same_behaviour(
    a: &Signature,
    b: &Signature,
    shape_counts: bool,
    parent_shapes: &BTreeMap<&str, String>,
) -> bool {
    if !a.methods.keys().eq(b.methods.keys()) {
        return false;
    }
    let mut shape_evidence = false;
    for (method, shape_a) in &a.methods {
        let shape_b = b.methods.get(method).map(String::as_str).unwrap_or("");
        if shape_a.is_empty() || shape_b.is_empty() {
            continue;
        }
        if shape_a != shape_b {
            return false;
        }
        if parent_shapes.get(&**method) != Some(shape_a) {
            shape_evidence = true;
        }
    }
    (shape_counts && shape_evidence) || structure_similar(&a.structure, &b.structure)
}

/// The behaviour of the values already known at a position.
#[derive(Default)]
struct Cluster {
    methods: BTreeMap<Box<str>, BTreeSet<String>>,
    structure: BTreeSet<String>,
}

impl Cluster {
    fn add(&mut self, signature: &Signature) {
        for (method, shape) in &signature.methods {
            let shapes = self.methods.entry(method.clone()).or_default();
            if !shape.is_empty() {
                shapes.insert(shape.clone());
            }
        }
        self.structure.extend(signature.structure.iter().cloned());
    }

    /// The child answers no method with a shape the known values never had (envelope shapes
    /// equal to the parent's are ignored, they say nothing).
    fn compatible(&self, child: &Signature, parent_shapes: &BTreeMap<&str, String>) -> bool {
        child.methods.iter().all(|(method, shape)| {
            shape.is_empty()
                || parent_shapes.get(&**method) == Some(shape)
                || self.methods.get(method).is_none_or(|known| known.is_empty() || known.contains(shape))
        })
    }

    fn matches(
        &self,
        child: &Signature,
        structure_only: bool,
        parent_shapes: &BTreeMap<&str, String>,
    ) -> bool {
        let mut shape_evidence = false;
        for (method, shape) in &child.methods {
            let Some(known) = self.methods.get(method) else { continue };
            if shape.is_empty() || known.is_empty() {
                continue;
            }
            if !known.contains(shape) {
                return false;
            }
            if parent_shapes.get(&**method) != Some(shape) {
                shape_evidence = true;
            }
        }
        let structure_evidence = !child.structure.is_empty() && {
            let common: Vec<&String> = child.structure.intersection(&self.structure).collect();
            common.iter().any(|key| !key.ends_with(":{}")) && common.len() * 2 >= child.structure.len()
        };
        structure_evidence || (!structure_only && shape_evidence)
    }
}

/// Answers only POST: an action (`login`, `return_order`), not an item.
fn is_action(signature: &Signature) -> bool {
    !signature.methods.is_empty() && signature.methods.keys().all(|method| &**method == "POST")
}

/// No method answered with different non-empty shapes by the two.
fn compatible(a: &Signature, b: &Signature) -> bool {
    a.methods.iter().all(|(method, shape)| {
        shape.is_empty() || b.methods.get(method).is_none_or(|other| other.is_empty() || other == shape)
    })
}

fn behaviour_key(signature: &Signature) -> String {
    let mut key = String::new();
    for (method, shape) in &signature.methods {
        key.push_str(method);
        key.push('=');
        key.push_str(shape);
        key.push(';');
    }
    key
}

fn decide<T: LeafData>(trie: &Trie<T>, frame: &Frame, config: &TemplaterConfig) -> Vec<Box<str>> {
    let node = trie.node(frame.node);
    if node.literals.is_empty() {
        return Vec::new();
    }
    let parent_shapes: BTreeMap<&str, String> =
        node.leaves.iter().map(|(method, data)| (&**method, data.response_shape())).collect();
    let mut children: Vec<Child> = node
        .literals
        .iter()
        .map(|(name, &id)| Child {
            name: name.clone(),
            lean: lean(name, frame.depth).0,
            signature: signature(trie, id),
        })
        .collect();
    children.sort_by(|a, b| a.name.cmp(&b.name));
    let count = children.len();
    let mut merge = vec![false; count];
    let collection = frame.parent_literal.as_deref().is_some_and(is_collection_name);

    // 1. The text says "value".
    for (i, child) in children.iter().enumerate() {
        if matches!(child.lean, Lean::Obvious | Lean::Value) {
            merge[i] = true;
        }
    }
    let leading_dates: Vec<usize> = (0..count).filter(|&i| children[i].lean == Lean::LeadingDate).collect();
    if leading_dates.len() >= 4 {
        for i in leading_dates {
            merge[i] = true;
        }
    }

    // 2. Plain words that behave alike under a collection (`/users/alice`, `/users/bob`), or
    //    share sub-routes under a parameter (`/repos/{owner}/hello-world/issues`).
    if collection || frame.parent_is_param {
        // Plural-looking names (`torvalds`) may join a group but not form one alone: two
        // collections (`groups`, `roles`) answering alike are still two routes.
        let candidates: Vec<usize> = (0..count)
            .filter(|&i| !merge[i] && matches!(children[i].lean, Lean::Neutral | Lean::Plural))
            .collect();
        if (2..=MAX_PAIRWISE).contains(&candidates.len()) {
            let mut parent: Vec<usize> = (0..count).collect();
            fn root(parent: &mut [usize], mut i: usize) -> usize {
                while parent[i] != i {
                    parent[i] = parent[parent[i]];
                    i = parent[i];
                }
                i
            }
            for (k, &a) in candidates.iter().enumerate() {
                for &b in &candidates[k + 1..] {
                    if same_behaviour(
                        &children[a].signature,
                        &children[b].signature,
                        collection,
                        &parent_shapes,
                    ) {
                        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                        parent[ra] = rb;
                    }
                }
            }
            let mut sizes: BTreeMap<usize, (usize, bool)> = BTreeMap::new();
            for &i in &candidates {
                let entry = sizes.entry(root(&mut parent, i)).or_default();
                entry.0 += 1;
                entry.1 |= children[i].lean == Lean::Neutral;
            }
            for &i in &candidates {
                if let Some(&(size, has_word)) = sizes.get(&root(&mut parent, i))
                    && size >= 2
                    && has_word
                {
                    merge[i] = true;
                }
            }
        }
    }

    // 3. Many siblings with identical behaviour: the position has high cardinality.
    let threshold = if collection {
        config.collection_min_siblings
    } else if frame.depth == 0 {
        config.position_min_siblings.saturating_mul(2)
    } else {
        config.position_min_siblings
    };
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, child) in children.iter().enumerate() {
        let eligible = child.lean == Lean::Neutral || (child.lean == Lean::Plural && collection);
        if !merge[i] && eligible {
            groups.entry(behaviour_key(&child.signature)).or_default().push(i);
        }
    }
    for members in groups.values() {
        if members.len() >= threshold.max(2) {
            for &i in members {
                merge[i] = true;
            }
        }
    }

    // 4. Siblings that behave exactly like the known values of this position.
    if node.param.is_some() || merge.iter().any(|m| *m) {
        let mut cluster = Cluster::default();
        if let Some(param) = node.param {
            cluster.add(&signature(trie, param));
        }
        for (i, child) in children.iter().enumerate() {
            if merge[i] {
                cluster.add(&child.signature);
            }
        }
        for (i, child) in children.iter().enumerate() {
            let structure_only = match child.lean {
                Lean::Neutral | Lean::Tier2 => false,
                // Under a collection or an item an item shape is telling (`/users/torvalds`,
                // `/repos/{owner}/rustlings`); elsewhere a plural is a sub-collection unless it
                // has the same sub-routes.
                Lean::Plural => !(collection || frame.parent_is_param),
                _ => continue,
            };
            if !merge[i] && cluster.matches(&child.signature, structure_only, &parent_shapes) {
                merge[i] = true;
            }
        }
    }

    // 5. Under a collection, plain words that are not route words are values unless they are
    //    actions (POST only) or contradict the known values: `/orgs/github` with
    //    `/orgs/rust-lang/members`. One such word alone, with no value known, stays static.
    if collection {
        let has_cluster = node.param.is_some() || merge.iter().any(|m| *m);
        let mut cluster = Cluster::default();
        if let Some(param) = node.param {
            cluster.add(&signature(trie, param));
        }
        for (i, child) in children.iter().enumerate() {
            if merge[i] {
                cluster.add(&child.signature);
            }
        }
        let candidates: Vec<usize> = (0..count)
            .filter(|&i| {
                let child = &children[i];
                let eligible = child.lean == Lean::Neutral
                    // `admin` among user names: only as an item like the others.
                    || (child.lean == Lean::Tier2 && has_cluster && child.signature.mutable);
                !merge[i]
                    && eligible
                    && !is_action(&child.signature)
                    && (!has_cluster || cluster.compatible(&child.signature, &parent_shapes))
            })
            .collect();
        let compatible_pairs = candidates.iter().enumerate().any(|(k, &a)| {
            candidates[k + 1..].iter().any(|&b| compatible(&children[a].signature, &children[b].signature))
        });
        let any_item_like = candidates.iter().any(|&i| {
            let signature = &children[i].signature;
            signature.mutable || (signature.methods.contains_key("GET") && !signature.structure.is_empty())
        });
        if has_cluster || compatible_pairs || any_item_like {
            for &i in &candidates {
                let signature = &children[i].signature;
                // An item with sub-resources (`/orgs/rust-lang` and `/orgs/rust-lang/members`)
                // is a value even when it is the only one seen.
                let item_like = signature.mutable
                    || (signature.methods.contains_key("GET") && !signature.structure.is_empty());
                let fits = has_cluster
                    || item_like
                    || candidates.iter().any(|&j| j != i && compatible(signature, &children[j].signature));
                if fits {
                    merge[i] = true;
                }
            }
        }
    }

    children.into_iter().zip(merge).filter(|(_, merge)| *merge).map(|(child, _)| child.name).collect()
}

enum Step {
    Literal(Box<str>),
    Param(NodeId),
}

/// One entry per (method, template) of the resolved trie; leaf data is moved out.
pub(crate) fn emit<T: LeafData>(trie: &mut Trie<T>, host: &str, out: &mut Vec<TemplatedEndpoint<T>>) {
    // Parent-linked steps instead of a path per stack entry: paths may be thousands deep.
    let mut steps: Vec<(usize, Option<Step>)> = vec![(usize::MAX, None)];
    let mut stack = vec![(ROOT, 0usize)];
    while let Some((id, step)) = stack.pop() {
        let node = trie.node(id);
        for (name, &child) in &node.literals {
            steps.push((step, Some(Step::Literal(name.clone()))));
            stack.push((child, steps.len() - 1));
        }
        if let Some(param) = node.param {
            steps.push((step, Some(Step::Param(param))));
            stack.push((param, steps.len() - 1));
        }
        if node.leaves.is_empty() {
            continue;
        }
        let mut path: Vec<&Step> = Vec::new();
        let mut cursor = step;
        while cursor != usize::MAX {
            if let Some(step) = &steps[cursor].1 {
                path.push(step);
            }
            cursor = steps[cursor].0;
        }
        path.reverse();
        let (template, params) = render(trie, &path);
        let leaves = std::mem::take(&mut trie.node_mut(id).leaves);
        for (method, data) in leaves {
            out.push(TemplatedEndpoint {
                host: host.to_string(),
                method: method.into(),
                template: template.clone(),
                declared: false,
                params: params.clone(),
                data,
            });
        }
    }
}

fn render<T: LeafData>(trie: &Trie<T>, path: &[&Step]) -> (String, Vec<PathParam>) {
    let empty = Default::default();
    let naming: Vec<NamingSegment<'_>> = path
        .iter()
        .map(|step| match step {
            Step::Literal(text) => NamingSegment::Literal(text),
            Step::Param(id) => {
                let values = trie.node(*id).values.as_deref().unwrap_or(&empty);
                NamingSegment::Param { shape: values.dominant_shape(), examples: &values.examples }
            }
        })
        .collect();
    let names = param_names(&naming);
    let mut template = String::new();
    let mut params = Vec::with_capacity(names.len());
    let mut names = names.into_iter();
    for (index, step) in path.iter().enumerate() {
        template.push('/');
        match step {
            Step::Literal(text) => template.push_str(text),
            Step::Param(id) => {
                let name = names.next().unwrap_or_else(|| format!("param{index}"));
                template.push('{');
                template.push_str(&name);
                template.push('}');
                let values = trie.node(*id).values.as_deref().unwrap_or(&empty);
                params.push(PathParam {
                    name,
                    segment_index: index,
                    shape: values.dominant_shape(),
                    examples: values.examples.iter().map(|e| e.to_string()).collect(),
                    distinct_values: values.distinct(),
                });
            }
        }
    }
    if template.is_empty() {
        template.push('/');
    }
    (template, params)
}
