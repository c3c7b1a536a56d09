//! Arbitrary text as request paths (one per line) through the path templater: must never panic,
//! and templating must neither lose nor invent observations.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_template::{LeafData, PathTemplater, TemplaterConfig, classify_segment, split_path};

#[derive(Default)]
struct Dummy {
    calls: u64,
    shape: String,
}

impl LeafData for Dummy {
    fn absorb(&mut self, other: Self) {
        self.calls += other.calls;
        if self.shape.is_empty() {
            self.shape = other.shape;
        }
    }

    fn weight(&self) -> u64 {
        self.calls
    }

    fn response_shape(&self) -> String {
        self.shape.clone()
    }
}

const METHODS: [&str; 4] = ["GET", "POST", "DELETE", "PATCH"];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut templater = PathTemplater::<Dummy>::new(TemplaterConfig::default());
    let mut observed = 0u64;
    for (i, path) in text.split('\n').enumerate() {
        for segment in split_path(path) {
            let _ = classify_segment(segment);
        }
        let host = if i % 7 == 0 { "b.example" } else { "a.example" };
        let leaf = templater.leaf(host, METHODS[i % METHODS.len()], path);
        leaf.calls += 1;
        // Some siblings agree on a shape and some do not, so both collapse paths are exercised.
        if leaf.shape.is_empty() && path.len() % 3 != 0 {
            leaf.shape = if path.len() % 2 == 0 { "id,name".to_owned() } else { "error".to_owned() };
        }
        observed += 1;
    }
    let endpoints = templater.finish();
    let counted: u64 = endpoints.iter().map(|endpoint| endpoint.data.calls).sum();
    assert_eq!(counted, observed, "every observation lands in exactly one endpoint");
    for endpoint in &endpoints {
        assert!(endpoint.template.starts_with('/'), "template {:?}", endpoint.template);
    }
});
