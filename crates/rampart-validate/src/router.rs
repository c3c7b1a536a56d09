//! Method + concrete path → declared operation, through a segment trie.
//!
//! Own trie rather than `matchit`: specs from different teams name the same path position
//! differently (`/accounts/{id}` beside `/accounts/{accountId}/balances`), which matchit refuses
//! as a conflict, and OpenAPI allows partial-segment templates (`/files/{name}.{ext}`). Lookup walks
//! one node per segment with a hash lookup for literals, so it does not grow with the number of
//! operations; literal children are tried before patterned ones, and those before `{param}`, with
//! backtracking when a more specific branch dead-ends.

use std::borrow::Cow;
use std::collections::HashMap;

use http::Method;

use crate::params::percent_decode;

/// Paths deeper than this are not routed (no declared API is that deep; it bounds backtracking).
const MAX_SEGMENTS: usize = 48;

/// One segment of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplateSegment {
    Literal(Box<str>),
    /// A whole segment `{name}`.
    Param(Box<str>),
    /// Literal text mixed with parameters: `{name}.{ext}`, `v{version}`.
    Pattern(Vec<PatternPiece>),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum PatternPiece {
    Literal(Box<str>),
    Param(Box<str>),
}

pub(crate) fn parse_template(template: &str) -> Vec<TemplateSegment> {
    let trimmed = template.strip_prefix('/').unwrap_or(template);
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed.split('/').map(parse_segment).collect()
}

fn parse_segment(segment: &str) -> TemplateSegment {
    let mut pieces = Vec::new();
    let mut rest = segment;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
        if open > 0 {
            pieces.push(PatternPiece::Literal(rest[..open].into()));
        }
        pieces.push(PatternPiece::Param(rest[open + 1..close].into()));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(PatternPiece::Literal(rest.into()));
    }
    match pieces.as_slice() {
        [] => TemplateSegment::Literal("".into()),
        [PatternPiece::Literal(l)] => TemplateSegment::Literal(l.clone()),
        [PatternPiece::Param(p)] => TemplateSegment::Param(p.clone()),
        _ => TemplateSegment::Pattern(pieces),
    }
}

/// Match one concrete segment against a pattern; parameters must be non-empty and take the
/// shortest text that lets the rest match.
pub(crate) fn match_pattern<'s>(pieces: &[PatternPiece], segment: &'s str, out: &mut Vec<&'s str>) -> bool {
    let start = out.len();
    if match_pieces(pieces, segment, out) {
        true
    } else {
        out.truncate(start);
        false
    }
}

fn match_pieces<'s>(pieces: &[PatternPiece], segment: &'s str, out: &mut Vec<&'s str>) -> bool {
    match pieces.split_first() {
        None => segment.is_empty(),
        Some((PatternPiece::Literal(lit), rest)) => {
            segment.strip_prefix(&**lit).is_some_and(|after| match_pieces(rest, after, out))
        }
        Some((PatternPiece::Param(_), rest)) => {
            if rest.is_empty() {
                if segment.is_empty() {
                    return false;
                }
                out.push(segment);
                return true;
            }
            let mut ends: Vec<usize> = segment.char_indices().map(|(i, _)| i).skip(1).collect();
            ends.push(segment.len());
            for end in ends {
                let mark = out.len();
                out.push(&segment[..end]);
                if match_pieces(rest, &segment[end..], out) {
                    return true;
                }
                out.truncate(mark);
            }
            false
        }
    }
}

#[derive(Debug, Default)]
struct Node {
    literal: HashMap<Box<str>, Node>,
    pattern: Vec<(Vec<PatternPiece>, Node)>,
    param: Option<Box<Node>>,
    /// Operations ending here, by method.
    methods: Vec<(Method, usize)>,
}

/// The result of a lookup in the trie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    Found(usize),
    /// The path matches declared templates, none of them for this method.
    WrongMethod(Vec<Method>),
    NotFound,
}

#[derive(Debug, Default)]
pub(crate) struct Router {
    root: Node,
}

impl Router {
    /// Add an operation; returns the index of an operation already at the same method and
    /// template shape, which then keeps the route.
    pub(crate) fn insert(
        &mut self,
        method: Method,
        segments: &[TemplateSegment],
        index: usize,
    ) -> Option<usize> {
        let mut node = &mut self.root;
        for segment in segments {
            node = match segment {
                TemplateSegment::Literal(lit) => node.literal.entry(lit.clone()).or_default(),
                TemplateSegment::Param(_) => node.param.get_or_insert_with(Default::default),
                TemplateSegment::Pattern(pieces) => {
                    let shape: Vec<PatternPiece> = pieces
                        .iter()
                        .map(|p| match p {
                            PatternPiece::Param(_) => PatternPiece::Param("".into()),
                            lit => lit.clone(),
                        })
                        .collect();
                    match node.pattern.iter().position(|(existing, _)| *existing == shape) {
                        Some(at) => &mut node.pattern[at].1,
                        None => {
                            node.pattern.push((shape, Node::default()));
                            let last = node.pattern.len() - 1;
                            &mut node.pattern[last].1
                        }
                    }
                }
            };
        }
        if let Some((_, existing)) = node.methods.iter().find(|(m, _)| *m == method) {
            return Some(*existing);
        }
        node.methods.push((method, index));
        None
    }

    pub(crate) fn lookup(&self, method: &Method, path: &str) -> Lookup {
        let rest = path.strip_prefix('/').unwrap_or(path);
        let mut first_allowed: Option<&Node> = None;
        if let Some(found) = find(&self.root, rest, rest.is_empty(), method, 0, &mut first_allowed) {
            return Lookup::Found(found);
        }
        match first_allowed {
            Some(node) => {
                // HEAD is served wherever GET is.
                if *method == Method::HEAD
                    && let Some((_, index)) = node.methods.iter().find(|(m, _)| *m == Method::GET)
                {
                    return Lookup::Found(*index);
                }
                Lookup::WrongMethod(node.methods.iter().map(|(m, _)| m.clone()).collect())
            }
            None => Lookup::NotFound,
        }
    }
}

/// `done` is true once every segment is consumed (an empty remainder alone is ambiguous: `/a/`
/// has one more, empty, segment).
fn find<'n>(
    node: &'n Node,
    rest: &str,
    done: bool,
    method: &Method,
    depth: usize,
    first_allowed: &mut Option<&'n Node>,
) -> Option<usize> {
    if done {
        if node.methods.is_empty() {
            return None;
        }
        if let Some((_, index)) = node.methods.iter().find(|(m, _)| m == method) {
            return Some(*index);
        }
        first_allowed.get_or_insert(node);
        return None;
    }
    if depth >= MAX_SEGMENTS {
        return None;
    }
    let (segment, next, next_done) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash + 1..], false),
        None => (rest, "", true),
    };
    let decoded: Cow<'_, str> =
        if segment.contains('%') { percent_decode(segment) } else { Cow::Borrowed(segment) };
    if let Some(child) = node.literal.get(&*decoded)
        && let Some(found) = find(child, next, next_done, method, depth + 1, first_allowed)
    {
        return Some(found);
    }
    if !node.pattern.is_empty() {
        let mut scratch = Vec::new();
        for (pieces, child) in &node.pattern {
            scratch.clear();
            if match_pattern(pieces, &decoded, &mut scratch)
                && let Some(found) = find(child, next, next_done, method, depth + 1, first_allowed)
            {
                return Some(found);
            }
        }
    }
    if !segment.is_empty()
        && let Some(child) = &node.param
        && let Some(found) = find(child, next, next_done, method, depth + 1, first_allowed)
    {
        return Some(found);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[(&str, &str)]) -> Router {
        let mut r = Router::default();
        for (i, (m, t)) in routes.iter().enumerate() {
            r.insert(Method::from_bytes(m.as_bytes()).unwrap(), &parse_template(t), i);
        }
        r
    }

    #[test]
    fn literal_segments_win_over_params() {
        let r = router(&[("GET", "/v2/customers/{customerId}"), ("GET", "/v2/customers/me")]);
        assert_eq!(r.lookup(&Method::GET, "/v2/customers/me"), Lookup::Found(1));
        assert_eq!(r.lookup(&Method::GET, "/v2/customers/10000157"), Lookup::Found(0));
    }

    #[test]
    fn backtracks_from_a_dead_end_literal() {
        let r = router(&[("GET", "/a/me/x"), ("GET", "/a/{id}/y")]);
        assert_eq!(r.lookup(&Method::GET, "/a/me/y"), Lookup::Found(1));
        assert_eq!(r.lookup(&Method::GET, "/a/me/x"), Lookup::Found(0));
    }

    #[test]
    fn different_param_names_share_a_position() {
        let r = router(&[("GET", "/accounts/{id}"), ("GET", "/accounts/{accountId}/balances")]);
        assert_eq!(r.lookup(&Method::GET, "/accounts/a1"), Lookup::Found(0));
        assert_eq!(r.lookup(&Method::GET, "/accounts/a1/balances"), Lookup::Found(1));
    }

    #[test]
    fn wrong_method_and_unknown() {
        let r = router(&[("GET", "/v2/payments"), ("POST", "/v2/payments")]);
        assert_eq!(
            r.lookup(&Method::DELETE, "/v2/payments"),
            Lookup::WrongMethod(vec![Method::GET, Method::POST])
        );
        assert_eq!(r.lookup(&Method::GET, "/v2/payment"), Lookup::NotFound);
        assert_eq!(r.lookup(&Method::GET, "/v2/payments/x"), Lookup::NotFound);
        assert_eq!(r.lookup(&Method::GET, "/v2"), Lookup::NotFound);
        assert_eq!(r.lookup(&Method::HEAD, "/v2/payments"), Lookup::Found(0));
    }

    #[test]
    fn empty_segments_never_fill_a_param() {
        let r = router(&[("GET", "/a/{id}")]);
        assert_eq!(r.lookup(&Method::GET, "/a/"), Lookup::NotFound);
        assert_eq!(r.lookup(&Method::GET, "/a//"), Lookup::NotFound);
    }

    #[test]
    fn root_path() {
        let r = router(&[("GET", "/")]);
        assert_eq!(r.lookup(&Method::GET, "/"), Lookup::Found(0));
        assert_eq!(r.lookup(&Method::GET, "/x"), Lookup::NotFound);
    }

    #[test]
    fn partial_segment_templates() {
        let r = router(&[("GET", "/files/{name}.{ext}"), ("GET", "/files/{id}")]);
        assert_eq!(r.lookup(&Method::GET, "/files/report.pdf"), Lookup::Found(0));
        assert_eq!(r.lookup(&Method::GET, "/files/report"), Lookup::Found(1));
        let mut out = Vec::new();
        let TemplateSegment::Pattern(p) = parse_segment("{name}.{ext}") else { panic!() };
        assert!(match_pattern(&p, "a.b.c", &mut out));
        assert_eq!(out, vec!["a", "b.c"]);
    }

    #[test]
    fn percent_encoded_literals_match() {
        let r = router(&[("GET", "/v2/accounts")]);
        assert_eq!(r.lookup(&Method::GET, "/v2/%61ccounts"), Lookup::Found(0));
    }

    proptest::proptest! {
        #[test]
        fn any_path_routes_without_panicking(path in "(/[a-z0-9%{}.]{0,6}){0,8}/?") {
            let r = router(&[("GET", "/v2/customers/{customerId}"), ("GET", "/v2/customers/me"), ("GET", "/files/{name}.{ext}")]);
            let _ = r.lookup(&Method::GET, &path);
        }

        #[test]
        fn concrete_paths_route_to_their_template(id in "[A-Za-z0-9_-]{1,12}", tx in "[a-f0-9-]{1,36}") {
            let r = router(&[
                ("GET", "/v2/accounts/{accountId}"),
                ("GET", "/v2/accounts/{accountId}/transactions/{transactionId}"),
                ("GET", "/v2/accounts/{accountId}/balances"),
            ]);
            proptest::prop_assert_eq!(r.lookup(&Method::GET, &format!("/v2/accounts/{id}")), Lookup::Found(0));
            proptest::prop_assert_eq!(
                r.lookup(&Method::GET, &format!("/v2/accounts/{id}/transactions/{tx}")),
                Lookup::Found(1)
            );
        }
    }

    #[test]
    fn duplicate_routes_report_the_keeper() {
        let mut r = Router::default();
        assert_eq!(r.insert(Method::GET, &parse_template("/a/{x}"), 0), None);
        assert_eq!(r.insert(Method::GET, &parse_template("/a/{y}"), 1), Some(0));
    }
}
