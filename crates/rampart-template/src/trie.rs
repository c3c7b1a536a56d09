//! The per-host path trie: literal children by name, at most one parameter child, leaf data
//! per method. Nodes live in an arena (indices, not pointers) so the hot path is a loop of
//! hash lookups with no borrow juggling, and merged nodes are recycled.

use std::mem;

use tracing::debug;

use crate::LeafData;
use crate::shape::{Lean, classify_segment, lean, segments, survives_collapse};
use crate::stats::{FxMap, ValueStats};

pub(crate) type NodeId = u32;
pub(crate) const ROOT: NodeId = 0;

/// More distinct methods than this at one node go to one `OTHER` bucket: hostile method names
/// must not grow a node.
const MAX_METHODS_PER_NODE: usize = 16;

pub(crate) struct Node<T> {
    pub(crate) literals: FxMap<Box<str>, NodeId>,
    pub(crate) param: Option<NodeId>,
    pub(crate) leaves: Vec<(Box<str>, T)>,
    /// Values seen at this position; set on parameter children.
    pub(crate) values: Option<Box<ValueStats>>,
    /// Too many distinct literals were seen here: new non-route-word segments go straight to
    /// the parameter child.
    pub(crate) collapsed: bool,
}

impl<T> Default for Node<T> {
    fn default() -> Self {
        Node { literals: FxMap::default(), param: None, leaves: Vec::new(), values: None, collapsed: false }
    }
}

pub(crate) struct Trie<T> {
    pub(crate) nodes: Vec<Node<T>>,
    free: Vec<NodeId>,
}

impl<T: LeafData> Trie<T> {
    pub(crate) fn new() -> Self {
        Trie { nodes: vec![Node::default()], free: Vec::new() }
    }

    pub(crate) fn live_nodes(&self) -> usize {
        self.nodes.len() - self.free.len()
    }

    pub(crate) fn node(&self, id: NodeId) -> &Node<T> {
        &self.nodes[id as usize]
    }

    pub(crate) fn node_mut(&mut self, id: NodeId) -> &mut Node<T> {
        &mut self.nodes[id as usize]
    }

    fn alloc(&mut self) -> NodeId {
        if let Some(id) = self.free.pop() {
            return id;
        }
        self.nodes.push(Node::default());
        // An arena of 4 billion nodes is far past any memory limit; saturating keeps the type
        // small without a panic path.
        u32::try_from(self.nodes.len() - 1).unwrap_or(u32::MAX)
    }

    pub(crate) fn ensure_param(&mut self, parent: NodeId) -> NodeId {
        if let Some(param) = self.node(parent).param {
            return param;
        }
        let param = self.alloc();
        self.node_mut(param).values = Some(Box::default());
        self.node_mut(parent).param = Some(param);
        param
    }

    pub(crate) fn values_mut(&mut self, id: NodeId) -> &mut ValueStats {
        self.node_mut(id).values.get_or_insert_with(Box::default)
    }

    /// The node for `path`, created as needed.
    #[inline]
    pub(crate) fn descend(&mut self, path: &str, cap: usize) -> NodeId {
        let mut current = ROOT;
        for (index, segment) in segments(path).enumerate() {
            if let Some(&child) = self.node(current).literals.get(segment) {
                current = child;
                continue;
            }
            current = self.child_for_new_segment(current, segment, index, cap);
        }
        current
    }

    fn child_for_new_segment(&mut self, parent: NodeId, segment: &str, index: usize, cap: usize) -> NodeId {
        let (lean, shape) = lean(segment, index);
        if lean == Lean::Obvious || (self.node(parent).collapsed && !survives_collapse(segment)) {
            let param = self.ensure_param(parent);
            self.values_mut(param).record(segment, shape);
            return param;
        }
        if !self.node(parent).collapsed && self.node(parent).literals.len() >= cap {
            self.collapse(parent, cap);
            if !survives_collapse(segment) {
                let param = self.ensure_param(parent);
                self.values_mut(param).record(segment, shape);
                return param;
            }
        }
        let child = self.alloc();
        self.node_mut(parent).literals.insert(segment.into(), child);
        child
    }

    /// Folds the value-like literal children of a crowded node into its parameter child,
    /// keeping route words and children that answer methods their siblings never do (a
    /// POST-only `login` among GET-only ids).
    fn collapse(&mut self, parent: NodeId, cap: usize) {
        let masks: Vec<(Box<str>, NodeId, u16)> = self
            .node(parent)
            .literals
            .iter()
            .map(|(name, &id)| (name.clone(), id, method_mask(&self.node(id).leaves)))
            .collect();
        let mut mask_counts: FxMap<u16, usize> = FxMap::default();
        for (_, _, mask) in &masks {
            *mask_counts.entry(*mask).or_default() += 1;
        }
        let common = mask_counts
            .iter()
            .max_by_key(|(mask, count)| (**count, **mask))
            .map(|(mask, _)| *mask)
            .unwrap_or(0);
        let param = self.ensure_param(parent);
        let mut pairs = Vec::new();
        for (name, id, mask) in masks {
            let static_looking = matches!(lean(&name, usize::MAX).0, Lean::Static | Lean::Tier2);
            let distinct_behaviour = mask & !common != 0 && !matches!(lean(&name, usize::MAX).0, Lean::Value);
            if static_looking || distinct_behaviour {
                continue;
            }
            self.node_mut(parent).literals.remove(&name);
            self.values_mut(param).record(&name, classify_segment(&name));
            pairs.push((param, id));
        }
        debug!(merged = pairs.len(), cap, "path trie node collapsed into a parameter");
        self.node_mut(parent).collapsed = true;
        self.merge_pairs(pairs, cap);
    }

    /// Merges each `(destination, source)` subtree pair; sources are detached from the tree.
    /// Merging may crowd a destination past the cap, which collapses it in the same loop.
    pub(crate) fn merge_pairs(&mut self, mut work: Vec<(NodeId, NodeId)>, cap: usize) {
        // A destination may itself be merged away before its pending pairs run; follow it.
        let mut forwarded: FxMap<NodeId, NodeId> = FxMap::default();
        let mut freed = Vec::new();
        while let Some((mut destination, source)) = work.pop() {
            while let Some(&next) = forwarded.get(&destination) {
                destination = next;
            }
            if destination == source {
                continue;
            }
            let source_node = mem::take(self.node_mut(source));
            forwarded.insert(source, destination);
            freed.push(source);

            for (method, data) in source_node.leaves {
                let leaves = &mut self.node_mut(destination).leaves;
                match leaves.iter_mut().find(|(existing, _)| *existing == method) {
                    Some((_, existing)) => existing.absorb(data),
                    None => leaves.push((method, data)),
                }
            }
            if let Some(values) = source_node.values {
                match &mut self.node_mut(destination).values {
                    Some(existing) => existing.merge(&values),
                    slot @ None => *slot = Some(values),
                }
            }
            if source_node.collapsed {
                self.node_mut(destination).collapsed = true;
            }
            if let Some(source_param) = source_node.param {
                match self.node(destination).param {
                    Some(destination_param) => work.push((destination_param, source_param)),
                    None => self.node_mut(destination).param = Some(source_param),
                }
            }
            for (name, child) in source_node.literals {
                if let Some(&existing) = self.node(destination).literals.get(&name) {
                    work.push((existing, child));
                } else if self.node(destination).collapsed && !survives_collapse(&name) {
                    let param = self.ensure_param(destination);
                    self.values_mut(param).record(&name, classify_segment(&name));
                    work.push((param, child));
                } else {
                    self.node_mut(destination).literals.insert(name, child);
                }
            }
            if !self.node(destination).collapsed && self.node(destination).literals.len() > cap {
                self.collapse_later(destination, &mut work);
            }
        }
        self.free.extend(freed);
    }

    /// Like [`Trie::collapse`] but queues the merges on an ongoing merge loop.
    fn collapse_later(&mut self, parent: NodeId, work: &mut Vec<(NodeId, NodeId)>) {
        let param = self.ensure_param(parent);
        let names: Vec<(Box<str>, NodeId)> = self
            .node(parent)
            .literals
            .iter()
            .filter(|(name, _)| !matches!(lean(name, usize::MAX).0, Lean::Static | Lean::Tier2))
            .map(|(name, &id)| (name.clone(), id))
            .collect();
        for (name, id) in names {
            self.node_mut(parent).literals.remove(&name);
            self.values_mut(param).record(&name, classify_segment(&name));
            work.push((param, id));
        }
        self.node_mut(parent).collapsed = true;
    }
}

fn method_bit(method: &str) -> u16 {
    match method {
        "GET" => 1,
        "POST" => 2,
        "PUT" => 4,
        "PATCH" => 8,
        "DELETE" => 16,
        "HEAD" => 32,
        "OPTIONS" => 64,
        _ => 128,
    }
}

fn method_mask<T>(leaves: &[(Box<str>, T)]) -> u16 {
    leaves.iter().fold(0, |mask, (method, _)| mask | method_bit(method))
}

/// The leaf for `method` among `leaves`, created if missing. Methods are compared ignoring
/// ASCII case and stored upper-case; invalid or excess methods share an `OTHER` leaf.
#[inline]
pub(crate) fn leaf_for_method<'a, T: Default>(leaves: &'a mut Vec<(Box<str>, T)>, method: &str) -> &'a mut T {
    let position = match leaves.iter().position(|(existing, _)| existing.eq_ignore_ascii_case(method)) {
        Some(position) => position,
        None => {
            let name = normalise_method(method, leaves.len());
            match leaves.iter().position(|(existing, _)| **existing == *name) {
                Some(position) => position,
                None => {
                    leaves.push((name.into(), T::default()));
                    leaves.len() - 1
                }
            }
        }
    };
    &mut leaves[position].1
}

fn normalise_method(method: &str, methods_seen: usize) -> String {
    let valid = (1..=32).contains(&method.len())
        && method.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid || methods_seen >= MAX_METHODS_PER_NODE {
        return "OTHER".to_string();
    }
    method.to_ascii_uppercase()
}
