//! `leaf()` throughput on a realistic mix: mostly known routes with numeric, UUID and string
//! ids, a few hosts, some new paths.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_template::{LeafData, PathTemplater, TemplaterConfig};

#[derive(Default)]
struct Calls(u64);

impl LeafData for Calls {
    fn absorb(&mut self, other: Self) {
        self.0 += other.0;
    }
    fn weight(&self) -> u64 {
        self.0
    }
    fn response_shape(&self) -> String {
        String::new()
    }
}

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) % n
    }
}

fn paths() -> Vec<(&'static str, &'static str, String)> {
    let mut rng = Lcg(5);
    let users = ["name1", "name2", "admin", "johndoe", "octocat", "torvalds"];
    (0..10_000)
        .map(|_| {
            let id = 8_800_000 + rng.below(5_000);
            let uuid = format!("550e8400-e29b-41d4-a716-{:012x}", rng.below(1_000));
            let user = users[rng.below(users.len() as u64) as usize];
            match rng.below(10) {
                0 => ("api.bank.example", "GET", "/v1/accounts".to_string()),
                1 | 2 => ("api.bank.example", "GET", format!("/v1/accounts/{id}/transactions")),
                3 => ("api.bank.example", "GET", format!("/v1/accounts/{id}")),
                4 => ("api.bank.example", "POST", "/oauth/token".to_string()),
                5 => ("api.bank.example", "GET", format!("/v1/payments/{uuid}")),
                6 => ("vampi.local", "GET", format!("/users/v1/{user}")),
                7 => ("vampi.local", "POST", "/users/v1/login".to_string()),
                8 => (
                    "api.github.example",
                    "GET",
                    format!("/repos/{user}/hello-world/issues/{}", rng.below(900)),
                ),
                _ => ("api.bank.example", "GET", "/v1/customers/me".to_string()),
            }
        })
        .collect()
}

fn leaf_throughput(c: &mut Criterion) {
    let paths = paths();
    let mut templater = PathTemplater::<Calls>::new(TemplaterConfig::default());
    for (host, method, path) in &paths {
        templater.leaf(host, method, path).0 += 1;
    }
    let mut group = c.benchmark_group("templater");
    group.throughput(Throughput::Elements(paths.len() as u64));
    group.bench_function("leaf_warm_mix", |b| {
        b.iter(|| {
            for (host, method, path) in &paths {
                templater.leaf(host, method, path).0 += 1;
            }
        })
    });
    group.bench_function("leaf_and_finish_cold", |b| {
        b.iter(|| {
            let mut fresh = PathTemplater::<Calls>::new(TemplaterConfig::default());
            for (host, method, path) in &paths {
                fresh.leaf(host, method, path).0 += 1;
            }
            fresh.finish().len()
        })
    });
    group.finish();
}

criterion_group!(benches, leaf_throughput);
criterion_main!(benches);
