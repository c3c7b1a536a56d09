//! Memory stays bounded when ids are strings that no shape rule catches.

mod common;

use common::{Lcg, Observed};
use rampart_template::{PathTemplater, SegmentShape, TemplaterConfig};

fn hit(templater: &mut PathTemplater<Observed>, method: &str, path: &str, shape: &str) {
    let leaf = templater.leaf("api.example.test", method, path);
    leaf.calls += 1;
    leaf.shape = shape.to_string();
}

/// Plain lower-case "names" that look like words: nothing but the cap stops them.
fn word(rng: &mut Lcg) -> String {
    const SYLLABLES: &[&str] = &["ka", "lo", "mi", "ren", "sa", "to", "vel", "dor", "an", "is", "qu", "ber"];
    (0..5).map(|_| *rng.pick(SYLLABLES)).collect()
}

#[test]
fn hundred_thousand_string_ids_keep_the_trie_small() {
    let mut templater = PathTemplater::new(TemplaterConfig::default());
    let mut rng = Lcg(7);
    hit(&mut templater, "POST", "/members/login", "token");
    hit(&mut templater, "GET", "/members/me", "id,name");
    let mut distinct_names = std::collections::HashSet::new();
    for i in 0..100_000 {
        let name = word(&mut rng);
        distinct_names.insert(name.clone());
        hit(&mut templater, "GET", &format!("/members/{name}"), "id,name");
        if i % 10 == 0 {
            hit(&mut templater, "GET", &format!("/members/{name}/posts/{}", word(&mut rng)), "items");
        }
        if i % 1000 == 0 {
            assert!(templater.node_count() < 300, "node count {} after {i} ids", templater.node_count());
        }
    }
    assert!(templater.node_count() < 300, "node count {}", templater.node_count());
    let endpoints = templater.finish();
    let got: Vec<String> = endpoints.iter().map(|e| format!("{} {}", e.method, e.template)).collect();
    assert_eq!(
        got,
        [
            "POST /members/login",
            "GET /members/me",
            "GET /members/{username}",
            "GET /members/{username}/posts/{postId}"
        ]
    );
    let member = &endpoints[2];
    assert_eq!(member.data.calls, 100_000);
    let distinct = member.params[0].distinct_values as f64;
    let truth = distinct_names.len() as f64;
    assert!((truth * 0.7..truth * 1.3).contains(&distinct), "distinct estimate {distinct} for {truth}");
    assert_eq!(member.params[0].examples.len(), 16);
}

#[test]
fn millions_of_numeric_ids_are_one_parameter_from_the_start() {
    let mut templater = PathTemplater::new(TemplaterConfig::default());
    for id in 0..300_000u64 {
        hit(
            &mut templater,
            "GET",
            &format!("/v1/accounts/{}/transactions", 10_000_000 + id * 7),
            "transactions",
        );
    }
    // root, v1, accounts, {accountId}, transactions
    assert_eq!(templater.node_count(), 5);
    let endpoints = templater.finish();
    assert_eq!(endpoints.len(), 1);
    assert_eq!(endpoints[0].template, "/v1/accounts/{accountId}/transactions");
    assert_eq!(endpoints[0].params[0].shape, SegmentShape::Integer);
}

#[test]
fn nested_string_ids_collapse_at_every_level() {
    let config = TemplaterConfig { max_literal_children: 16, ..TemplaterConfig::default() };
    let mut templater = PathTemplater::new(config);
    let mut rng = Lcg(99);
    for _ in 0..20_000 {
        let path = format!("/orgs/{}/projects/{}/files/{}", word(&mut rng), word(&mut rng), word(&mut rng));
        hit(&mut templater, "GET", &path, "content,name");
    }
    assert!(templater.node_count() < 120, "node count {}", templater.node_count());
    let endpoints = templater.finish();
    let got: Vec<&str> = endpoints.iter().map(|e| e.template.as_str()).collect();
    assert_eq!(got, ["/orgs/{orgId}/projects/{projectId}/files/{fileId}"]);
}
