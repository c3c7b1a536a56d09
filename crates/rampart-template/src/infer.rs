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
//! 4. a sibling that behaves exactly like the already-known parameter values;
//! 5. items: words edited or deleted by name (`PUT /user/jdoe`, `DELETE /user/gunnar`) make a
//!    position hold items like a collection, whatever its name (Petstore's singular `/user`);
//! 6. chains of values: siblings that never answer themselves, answer alike further down, and
//!    have varying words below (`/basic-auth/alice/secret`, `/basic-auth/bob/hunter2`) are all
//!    values down to the first level that stops varying or holds route words
//!    (`/auth/github/callback` keeps its `callback`, `/repos/{owner}/{repo}/issues` its
//!    `issues`).
//!
//! Route words (`me`, `login`, `search`, ...) and versions are never merged by inference, and a
//! response shape equal to the parent's own (an envelope like `{data,status}` everywhere) is not
//! counted as evidence.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::naming::{NamingSegment, param_names};
use crate::shape::{Lean, SegmentShape, classify_segment, is_collection_name, is_version_segment, lean};
use crate::trie::{NodeId, ROOT, Trie};
use crate::{LeafData, PathParam, TemplatedEndpoint, TemplaterConfig};

struct Frame {
    node: NodeId,
    depth: usize,
    /// The literal this node hangs under, versions skipped (`/users/v1/x` → `users`).
    parent_literal: Option<Box<str>>,
    parent_is_param: bool,
    /// Bit k set: the literals k levels below this node are values too, because an ancestor
    /// was found to be the head of a chain of values (`/basic-auth/{user}/{password}`).
    value_levels: u32,
}

pub(crate) fn resolve<T: LeafData>(trie: &mut Trie<T>, config: &TemplaterConfig) {
    let mut stack =
        vec![Frame { node: ROOT, depth: 0, parent_literal: None, parent_is_param: false, value_levels: 0 }];
    while let Some(frame) = stack.pop() {
        let (to_merge, chain_levels) = decide(trie, &frame, config);
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
            stack.push(Frame {
                node: child,
                depth: frame.depth + 1,
                parent_literal,
                parent_is_param: false,
                value_levels: 0,
            });
        }
        if let Some(param) = node.param {
            stack.push(Frame {
                node: param,
                depth: frame.depth + 1,
                parent_literal: None,
                parent_is_param: true,
                value_levels: (frame.value_levels >> 1) | chain_levels,
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
    id: NodeId,
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

/// Some method answered by both with the same informative shape, and no method with
/// different ones: `GET` alike, whatever else each was seen answering.
fn share_telling_shape(a: &Signature, b: &Signature, parent_shapes: &BTreeMap<&str, String>) -> bool {
    compatible(a, b)
        && compatible(b, a)
        && a.methods.iter().any(|(method, shape)| {
            !shape.is_empty()
                && b.methods.get(method) == Some(shape)
                && parent_shapes.get(&**method) != Some(shape)
        })
}

/// Answers only item verbs (PUT, PATCH, DELETE), no GET or POST: nothing a route name would
/// be on its own.
fn is_item_verbs_only(signature: &Signature) -> bool {
    !signature.methods.is_empty()
        && signature.methods.keys().all(|method| matches!(&**method, "PUT" | "PATCH" | "DELETE"))
}

/// A version-shaped segment (`v42`, `0.5`) that answers and has nothing under it.
fn is_leaf_version(child: &Child) -> bool {
    child.signature.structure.is_empty()
        && !child.signature.methods.is_empty()
        && classify_segment(&child.name) == SegmentShape::Version
}

/// Answers PUT, PATCH or DELETE itself (not only through a sub-route).
fn answers_item_verb(signature: &Signature) -> bool {
    signature.methods.keys().any(|method| matches!(&**method, "PUT" | "PATCH" | "DELETE"))
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

/// The first levels of a subtree: what a chain of values (`/basic-auth/alice/secret`,
/// `/basic-auth/bob/hunter2`) looks like from its head.
#[derive(Debug, Default)]
struct Profile {
    /// Levels below the node down to the first one that answers anything; 0 = it answers.
    leaf_depth: usize,
    /// Literal names at each level `1..`.
    levels: Vec<BTreeSet<Box<str>>>,
    /// Per level that answers: the methods, with their non-empty response shapes.
    leaf_methods: BTreeMap<usize, BTreeMap<Box<str>, BTreeSet<String>>>,
}

/// Deepest chain head looked for: `/digest-auth/{qop}/{user}/{passwd}` is three, and a few
/// levels more show the longer routes of the same family.
const CHAIN_MAX_DEPTH: usize = 6;

/// Stands for a parameter among the literal names of a level; no literal segment is empty.
const PARAM_MARKER: &str = "";

fn profile<T: LeafData>(trie: &Trie<T>, id: NodeId) -> Option<Profile> {
    let mut level = vec![id];
    let mut out = Profile { leaf_depth: usize::MAX, ..Profile::default() };
    let mut visits = 0;
    for depth in 0..=CHAIN_MAX_DEPTH {
        if level.is_empty() {
            break;
        }
        let mut names = BTreeSet::new();
        let mut next = Vec::new();
        for n in level {
            let node = trie.node(n);
            visits += node.literals.len() + 1;
            if visits > STRUCTURE_MAX_VISITS {
                return None;
            }
            if !node.leaves.is_empty() {
                out.leaf_depth = out.leaf_depth.min(depth);
                let methods = out.leaf_methods.entry(depth).or_default();
                for (method, data) in &node.leaves {
                    let shapes = methods.entry(method.clone()).or_default();
                    let shape = data.response_shape();
                    if !shape.is_empty() {
                        shapes.insert(shape);
                    }
                }
            }
            for (name, &child) in &node.literals {
                names.insert(name.clone());
                next.push(child);
            }
            if let Some(param) = node.param {
                // Values already known at this level count as one more varying name.
                names.insert(PARAM_MARKER.into());
                next.push(param);
            }
        }
        out.levels.push(names);
        level = next;
    }
    (out.leaf_depth != usize::MAX).then_some(out)
}

/// Two chain heads alike: neither answers itself, they answer at some common depth, and at
/// every common depth with the same methods and no conflicting response shape.
fn profiles_alike(a: &Profile, b: &Profile) -> bool {
    if a.leaf_depth == 0 || b.leaf_depth == 0 {
        return false;
    }
    let mut common = 0;
    for (depth, methods) in &a.leaf_methods {
        let Some(other) = b.leaf_methods.get(depth) else { continue };
        common += 1;
        let same = methods.keys().eq(other.keys())
            && methods.iter().all(|(method, shapes)| {
                let theirs = &other[method];
                shapes.is_empty() || theirs.is_empty() || !shapes.is_disjoint(theirs)
            });
        if !same {
            return false;
        }
    }
    common > 0
}

/// Merges chain heads: siblings that are not endpoints themselves, whose subtrees answer at
/// the same depth with the same methods, and whose names below vary from sibling to sibling.
/// A human reads `/basic-auth/alice/secret`, `/basic-auth/bob/hunter2` as one route with two
/// values because nothing is ever answered half-way and the words below change together;
/// `/auth/google/callback`, `/auth/github/callback` keep their shared `callback`. Returns the
/// levels below the new parameter that are values too (bit k-1 for level k).
/// Only the first level must vary; deeper ones are values when they vary too.
fn chain_heads<T: LeafData>(
    trie: &Trie<T>,
    children: &[Child],
    merge: &mut [bool],
    param: Option<NodeId>,
) -> u32 {
    // Where some value answers on its own (`/repos/{owner}/hello-world`), the levels below
    // are sub-routes, not more values.
    let answers = |id: NodeId| !trie.node(id).leaves.is_empty();
    if param.is_some_and(answers)
        || children.iter().any(|child| answers(child.id) && !matches!(child.lean, Lean::Static | Lean::Tier2))
    {
        return 0;
    }
    let mut profiles: Vec<(Option<usize>, Profile)> = Vec::new();
    for (i, child) in children.iter().enumerate() {
        if matches!(child.lean, Lean::LeadingDate) || child.name.starts_with(['_', '.', '$']) {
            continue;
        }
        if classify_segment(&child.name) == SegmentShape::Version && child.name.starts_with(['v', 'V']) {
            continue;
        }
        if let Some(found) = children_profile(trie, child) {
            profiles.push((Some(i), found));
        }
    }
    if let Some(param) = param
        && let Some(found) = profile(trie, param)
        && found.leaf_depth >= 1
    {
        profiles.push((None, found));
    }
    if profiles.len() < 2 || profiles.len() > MAX_PAIRWISE {
        return 0;
    }
    let mut parent: Vec<usize> = (0..profiles.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for a in 0..profiles.len() {
        for b in a + 1..profiles.len() {
            if profiles_alike(&profiles[a].1, &profiles[b].1) {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                parent[ra] = rb;
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for k in 0..profiles.len() {
        groups.entry(root(&mut parent, k)).or_default().push(k);
    }
    let mut levels_mask = 0u32;
    for members in groups.values() {
        if members.len() < 2 {
            continue;
        }
        // The levels above the shallowest endpoint of any member: nothing answers there.
        let depth = members.iter().map(|&k| profiles[k].1.leaf_depth).min().unwrap_or(0);
        // Plain words (or known values) must lead the group; route words may only join a
        // deep or a crowded one, where the structure below speaks louder than the word.
        let valueish = members
            .iter()
            .filter(|&&k| match profiles[k].0 {
                None => true,
                Some(i) => {
                    merge[i] || matches!(children[i].lean, Lean::Neutral | Lean::Value | Lean::Obvious)
                }
            })
            .count();
        if valueish < 2 && !(valueish >= 1 && (depth >= 2 || members.len() >= 3)) {
            continue;
        }
        let mut mask = 0u32;
        // Below the shallowest endpoint the chain goes on while every level varies like values
        // (`/digest-auth/{qop}/{user}/{passwd}/{algorithm}/{stale_after}`); a route word or a
        // collection name (`/issues`) ends it.
        let deepest = members.iter().map(|&k| profiles[k].1.levels.len()).min().unwrap_or(0);
        for level in 0..deepest {
            let sets: Vec<&BTreeSet<Box<str>>> =
                members.iter().filter_map(|&k| profiles[k].1.levels.get(level)).collect();
            let union: BTreeSet<&Box<str>> = sets.iter().flat_map(|set| set.iter()).collect();
            // Values from a small pool may all be seen under every head; four or more
            // different words below are values too.
            let varies =
                union.len() >= 2 && (union.len() >= 4 || sets.windows(2).any(|pair| pair[0] != pair[1]));
            // Route words and collection names below are sub-routes (`/issues`, `/pulls`).
            let no_route_words = union.iter().all(|name| {
                &***name == PARAM_MARKER || !matches!(lean(name, usize::MAX).0, Lean::Static | Lean::Plural)
            });
            if varies && no_route_words {
                mask |= 1 << level;
            } else if level >= depth {
                break;
            }
        }
        // The words below must vary like values, or the head is a namespace of routes.
        if mask & 1 == 0 {
            continue;
        }
        levels_mask |= mask;
        for &k in members {
            if let Some(i) = profiles[k].0 {
                merge[i] = true;
            }
        }
    }
    levels_mask
}

fn children_profile<T: LeafData>(trie: &Trie<T>, child: &Child) -> Option<Profile> {
    let found = profile(trie, child.id)?;
    (found.leaf_depth >= 1).then_some(found)
}

fn decide<T: LeafData>(trie: &Trie<T>, frame: &Frame, config: &TemplaterConfig) -> (Vec<Box<str>>, u32) {
    let node = trie.node(frame.node);
    if node.literals.is_empty() {
        return (Vec::new(), 0);
    }
    let parent_shapes: BTreeMap<&str, String> =
        node.leaves.iter().map(|(method, data)| (&**method, data.response_shape())).collect();
    let mut children: Vec<Child> = node
        .literals
        .iter()
        .map(|(name, &id)| Child {
            id,
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
        // `/delay/0.5`: a dotted number that answers and has no sub-routes is a number; a
        // version (`/api/1.0/users`) prefixes routes.
        if frame.depth >= 1 && is_leaf_version(child) && !child.name.starts_with(['v', 'V']) {
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

    // 2b. Elsewhere (`/user/jdoe`, `/user/bob_k` beside `/user/login`): three or more plain
    //     words answering alike with a telling shape, one of them edited or deleted like an
    //     item or values already known here. Reports (`/summary/daily`, `/summary/weekly`) answer alike but are never
    //     edited.
    if !collection && !frame.parent_is_param && frame.depth >= 1 {
        let candidates: Vec<usize> =
            (0..count).filter(|&i| !merge[i] && children[i].lean == Lean::Neutral).collect();
        if (2..=MAX_PAIRWISE).contains(&candidates.len()) {
            let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            let mut leader: Vec<usize> = candidates.clone();
            for (k, &a) in candidates.iter().enumerate() {
                for (l, &b) in candidates.iter().enumerate().skip(k + 1) {
                    if leader[l] == b
                        && share_telling_shape(&children[a].signature, &children[b].signature, &parent_shapes)
                    {
                        leader[l] = leader[k];
                    }
                }
            }
            for (k, &i) in candidates.iter().enumerate() {
                groups.entry(leader[k]).or_default().push(i);
            }
            for members in groups.values() {
                // Words only ever edited or deleted (`DELETE /user/emma-w`) are items too.
                let items_beside = children.iter().any(|child| {
                    child.lean == Lean::Neutral
                        && child.signature.structure.is_empty()
                        && is_item_verbs_only(&child.signature)
                });
                // Known values that are edited or deleted: the position holds items.
                let known_items = items_beside
                    || node.param.is_some_and(|param| signature(trie, param).mutable)
                    || (0..count).any(|i| merge[i] && children[i].signature.mutable);
                let values_known = node.param.is_some() || merge.iter().any(|m| *m) || items_beside;
                let item_like = members.iter().any(|&i| children[i].signature.mutable);
                if (members.len() >= 3 && (values_known || item_like))
                    || (members.len() >= 2 && ((values_known && item_like) || known_items))
                {
                    for &i in members {
                        merge[i] = true;
                    }
                }
            }
        }
    }

    // 2c. Two or more plain words only ever edited or deleted (`PUT /user/dmitri`,
    //     `DELETE /user/gunnar`): no API edits two route names at one position.
    if !frame.parent_is_param && frame.depth >= 1 {
        let edited: Vec<usize> = (0..count)
            .filter(|&i| {
                let child = &children[i];
                !merge[i]
                    && child.lean == Lean::Neutral
                    && child.signature.structure.is_empty()
                    && is_item_verbs_only(&child.signature)
            })
            .collect();
        if edited.len() >= 2 {
            for i in edited {
                merge[i] = true;
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

    // Every value known here has an id shape (numbers, hex, UUIDs): a plain word beside them
    // is a route (`/gists/starred` beside gist ids, `/sub_issues/priority` beside issue
    // numbers) unless it answers exactly like them.
    let typed_values = node
        .param
        .and_then(|param| trie.node(param).values.as_deref())
        .is_some_and(|values| values.distinct() > 0 && values.dominant_shape().is_obvious_value())
        && (0..count).all(|i| !merge[i] || children[i].lean == Lean::Obvious);

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
            // `/etag/v42` beside `/etag/abc123`: a version-like leaf that answers like the
            // values is one of them.
            if !merge[i] && is_leaf_version(child) && cluster.matches(&child.signature, false, &parent_shapes)
            {
                merge[i] = true;
                continue;
            }
            // `DELETE /user/jdoe` beside `GET /user/{username}`: an item verb on a plain word
            // that nothing contradicts, where values are known, is one more item.
            if !merge[i]
                && !typed_values
                && child.lean == Lean::Neutral
                && child.signature.structure.is_empty()
                && is_item_verbs_only(&child.signature)
                && cluster.compatible(&child.signature, &parent_shapes)
            {
                merge[i] = true;
                continue;
            }
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
    //    A position whose known values are edited or deleted by name (`PUT /user/jdoe`) holds
    //    items like a collection, whatever its name.
    let items_position = !frame.parent_is_param
        && frame.depth >= 1
        && (node.param.is_some_and(|param| signature(trie, param).mutable)
            || (0..count).any(|i| merge[i] && children[i].signature.mutable));
    if collection || items_position {
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
                    || (child.lean == Lean::Tier2 && has_cluster && child.signature.mutable)
                    // `DELETE /orgs/{org}/members/torvalds` beside known members: a plural-looking
                    // word edited or deleted itself is an item; a sub-collection is not.
                    // It must not look like a collection itself: no values of its own below
                    // (`/actions/caches/{key}`) and no POST to add to it (`/contexts`).
                    || (child.lean == Lean::Plural
                        && answers_item_verb(&child.signature)
                        && !child.signature.methods.contains_key("POST")
                        && !child.signature.structure.contains("1:{}"));
                // Beside id-shaped values only words with sub-routes (`/workflows/ci.yml/runs`
                // beside `/workflows/161335/runs`) or oddly cased ones (`IQKLKpdU`) may be
                // values too; a lower-case leaf word (`starred`) is a route.
                let route_cased =
                    child.name.bytes().all(|b| b.is_ascii_lowercase() || matches!(b, b'-' | b'_' | b'.'));
                !merge[i]
                    && eligible
                    && (!typed_values || !child.signature.structure.is_empty() || !route_cased)
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
                // A lone item is a value only where siblings do not answer the same thing
                // differently: `/actions/cache` beside `/actions/caches`, `/actions/secrets`
                // (other shapes) is one more route of a namespace. One such sibling is common
                // beside a value (`/posts/recent` beside `/posts/IQKLKpdU`); several are a
                // namespace.
                let contradicted = || {
                    children
                        .iter()
                        .enumerate()
                        .filter(|(j, other)| {
                            *j != i
                                && !merge[*j]
                                && !matches!(other.lean, Lean::Static | Lean::Tier2)
                                && !compatible(signature, &other.signature)
                        })
                        .count()
                        >= 2
                };
                // Plural-looking names (`torvalds`) need the item verb and no contradiction.
                let fits = if children[i].lean == Lean::Plural {
                    has_cluster || !contradicted()
                } else {
                    // Plural-looking candidates vouch for no one: `/actions/caches` (DELETE)
                    // says nothing about `/actions/cache`.
                    has_cluster
                        || candidates.iter().any(|&j| {
                            j != i
                                && children[j].lean != Lean::Plural
                                && compatible(signature, &children[j].signature)
                        })
                        // Alone, it must answer itself: `/actions/cache`, only ever seen
                        // through `/actions/cache/usage`, is a namespace, not an item.
                        || (item_like && !signature.methods.is_empty() && !contradicted())
                };
                if fits {
                    merge[i] = true;
                }
            }
        }
    }

    // 6. Heads of chains of values (`/basic-auth/{user}/{password}`), and the levels an
    //    ancestor's chain says are values.
    // Not at the root: `/basic-auth/...` and `/hidden-basic-auth/...` are alike chains of
    // values, and first segments are route names far more often than values.
    let chain_levels =
        if frame.depth == 0 { 0 } else { chain_heads(trie, &children, &mut merge, node.param) };
    if frame.value_levels & 1 == 1 {
        for (i, child) in children.iter().enumerate() {
            if !matches!(child.lean, Lean::Static | Lean::LeadingDate) {
                merge[i] = true;
            }
        }
    }

    let names =
        children.into_iter().zip(merge).filter(|(_, merge)| *merge).map(|(child, _)| child.name).collect();
    (names, chain_levels)
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
