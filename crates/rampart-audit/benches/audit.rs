//! The audit of a big spec against a parse-only baseline: how much the rules cost on top of
//! reading the document. The spec is `$RAMPART_AUDIT_BENCH_SPEC` when set (bench/audit.sh
//! points it at the 13 MB GitHub spec from npm `@octokit/openapi`), else the largest spec of the
//! committed corpus (STAPI, 363 KB).

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_audit::{AuditConfig, audit_text, load_spec};

fn spec() -> (String, String) {
    let path = std::env::var("RAMPART_AUDIT_BENCH_SPEC").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus/oas30-star-trek.yaml").to_string()
    });
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    (path, text)
}

fn bench(c: &mut Criterion) {
    let (path, text) = spec();
    if text.is_empty() {
        eprintln!("cannot read {path}: nothing to benchmark");
        return;
    }
    let config = AuditConfig::default();

    // A quick ratio first, printed plainly (criterion reports each side separately).
    let rounds = 5;
    let start = Instant::now();
    for _ in 0..rounds {
        black_box(load_spec(&text).is_ok());
    }
    let parse = start.elapsed() / rounds;
    let start = Instant::now();
    let mut findings = 0;
    for _ in 0..rounds {
        findings = black_box(audit_text("spec", &text, &config)).findings.len();
    }
    let audit = start.elapsed() / rounds;
    eprintln!(
        "{path}: {} bytes, parse only {parse:?}, full audit {audit:?} ({findings} findings): audit/parse = {:.2}",
        text.len(),
        audit.as_secs_f64() / parse.as_secs_f64().max(1e-9)
    );

    let mut group = c.benchmark_group("audit");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse_only", |b| b.iter(|| black_box(load_spec(&text).is_ok())));
    group
        .bench_function("audit", |b| b.iter(|| black_box(audit_text("spec", &text, &config).findings.len())));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
