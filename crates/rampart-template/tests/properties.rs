//! Property tests: hostile paths never panic, and every observed path lands in exactly one
//! endpoint whose template matches it, and is its most specific match.

mod common;

use std::collections::BTreeSet;

use common::Observed;
use proptest::prelude::*;
use rampart_template::{PathTemplater, TemplaterConfig, classify_segment, split_path};

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "users", "v1", "me", "login", "accounts", "admin", "name1", "bookTitle7", "{id}", "%2F", "a%40b.c",
            "..", ".", "_debug", "2026-10-31", "caf%C3%A9", "x y", "UPPER", "credit-cards",
        ])
        .prop_map(str::to_string),
        3 => any::<u32>().prop_map(|n| n.to_string()),
        3 => "[a-z]{1,10}",
        2 => "[A-Za-z0-9_.~%-]{1,24}",
        2 => "\\PC{1,12}",
        1 => "[a-z0-9]{200,3000}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        20 => prop::collection::vec(segment(), 0..7).prop_map(|segments| {
            let mut path = String::new();
            for s in segments {
                path.push('/');
                path.push_str(&s);
            }
            path
        }),
        2 => "(/[a-z0-9]{0,3}){0,12}/?",
        1 => prop::collection::vec("[a-z]{1,3}", 1000..3000).prop_map(|segments| format!("/{}", segments.join("/"))),
    ]
}

fn is_param(template_segment: &str) -> bool {
    template_segment.starts_with('{') && template_segment.ends_with('}')
}

fn matches(template: &str, path: &[&str]) -> bool {
    let template = split_path(template);
    template.len() == path.len()
        && template.iter().zip(path).all(|(t, p)| if is_param(t) { !p.is_empty() } else { t == p })
}

/// Literal beats parameter, position by position from the left.
fn specificity(template: &str) -> Vec<bool> {
    split_path(template).iter().map(|s| !is_param(s)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn classify_never_panics(text in "\\PC{0,64}") {
        let _ = classify_segment(&text);
    }

    #[test]
    fn every_path_lands_in_exactly_one_matching_endpoint(
        requests in prop::collection::vec(
            (prop::sample::select(vec!["GET", "POST", "delete", "X-ODD", "GET\u{e9}"]), path(), 0usize..3),
            1..120,
        ),
        cap in 2usize..70,
        declare in any::<bool>(),
    ) {
        let mut templater = PathTemplater::new(TemplaterConfig { max_literal_children: cap, ..TemplaterConfig::default() });
        if declare {
            templater.add_declared(None, "/users/{uid}");
            templater.add_declared(Some("h1"), "/accounts/{id}/x");
        }
        let shapes = ["", "id,name", "items"];
        for (method, path, shape) in &requests {
            let host = if path.len() % 2 == 0 { "h1" } else { "h2" };
            let leaf: &mut Observed = templater.leaf(host, method, path);
            leaf.calls += 1;
            leaf.shape = shapes[*shape].to_string();
            leaf.paths.insert(format!("{host} {method} {path}"));
        }
        let endpoints = templater.finish();

        let mut keys = BTreeSet::new();
        for e in &endpoints {
            prop_assert!(keys.insert((e.host.clone(), e.method.clone(), e.template.clone())), "duplicate {}", e.template);
            let names: BTreeSet<&String> = e.params.iter().map(|p| &p.name).collect();
            prop_assert_eq!(names.len(), e.params.len(), "parameter names not unique in {}", e.template);
        }
        for (method, path, _) in &requests {
            let host = if path.len() % 2 == 0 { "h1" } else { "h2" };
            let key = format!("{host} {method} {path}");
            let holders: Vec<_> = endpoints.iter().filter(|e| e.data.paths.contains(&key)).collect();
            prop_assert_eq!(holders.len(), 1, "{} held by {} endpoints", key, holders.len());
            let holder = holders[0];
            let segments = split_path(path);
            prop_assert!(matches(&holder.template, &segments), "{} does not match {}", holder.template, path);
            let best = endpoints
                .iter()
                .filter(|e| e.host == holder.host && e.method == holder.method && matches(&e.template, &segments))
                .max_by_key(|e| specificity(&e.template))
                .map(|e| e.template.clone());
            prop_assert_eq!(best, Some(holder.template.clone()));
        }
    }
}
