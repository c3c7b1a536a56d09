//! Discovery alone vs discovery + the posture observer, on the demo bank's sample traffic.
//!
//! `cargo bench -p rampart-posture --bench posture`: the ratio of the two throughputs is the cost
//! of passive posture on the hot path.

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_core::Exchange;
use rampart_discovery::{Discovery, DiscoveryConfig, SensitiveEngine};
use rampart_posture::PostureObserver;

fn sample() -> Vec<Exchange> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sample.har");
    let mut out = Vec::new();
    let file = std::fs::File::open(&path).expect("examples/sample.har");
    rampart_ingest::read_har(
        "sample.har",
        std::io::BufReader::new(file),
        &rampart_ingest::IngestOptions::default(),
        &mut |e| out.push(e),
    );
    out
}

fn config() -> DiscoveryConfig {
    let mut config = DiscoveryConfig::default();
    config.record.classifier = Some(Arc::new(SensitiveEngine::default()));
    config
}

fn bench(c: &mut Criterion) {
    let exchanges = sample();
    let mut group = c.benchmark_group("posture");
    group.throughput(Throughput::Elements(exchanges.len() as u64));
    group.sample_size(10);
    group.bench_function("discovery", |b| {
        b.iter(|| {
            let mut d = Discovery::new(config());
            for e in &exchanges {
                d.observe(e);
            }
            d.finish()
        })
    });
    group.bench_function("discovery+posture", |b| {
        b.iter(|| {
            let mut d = Discovery::new(config());
            let mut p = PostureObserver::new();
            for e in &exchanges {
                d.observe(e);
                p.observe(e);
            }
            let inventory = d.finish();
            rampart_posture::assess(&inventory, &p.finish(), &rampart_posture::PostureConfig::default())
        })
    });
    group.bench_function("posture-observer-only", |b| {
        b.iter(|| {
            let mut p = PostureObserver::new();
            for e in &exchanges {
                p.observe(e);
            }
            p.finish()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
