//! Cost of the per-request decisions, each beside a plain `HashMap` baseline in the same run.

use std::collections::HashMap;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use rampart_limits::{
    Blocklist, BlocklistConfig, EntryConfig, LimitContext, LimitKey, Per, RateLimitConfig, RateLimiter,
    RuleConfig, RuleMatch,
};

fn limiter(t0: Instant) -> RateLimiter {
    let config = RateLimitConfig {
        rules: vec![RuleConfig {
            name: "per-ip".into(),
            key: LimitKey::IdentityOrIp,
            rate: 1_000_000,
            per: Per::Second,
            burst: Some(1000),
            matcher: RuleMatch { path_prefixes: vec!["/api/".into()], ..RuleMatch::default() },
        }],
        ..RateLimitConfig::default()
    };
    RateLimiter::new(&config, t0).unwrap()
}

fn request(ip: IpAddr) -> LimitContext<'static> {
    LimitContext {
        ip,
        identity: None,
        method: "GET",
        path: "/api/accounts/123",
        route: Some("/api/accounts/{id}"),
    }
}

fn bench_rate(c: &mut Criterion) {
    let mut group = c.benchmark_group("rate_limit");
    let t0 = Instant::now();
    let hot = limiter(t0);
    let ip = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));
    let mut tick = 0u64;
    group.bench_function("check/hot_key", |b| {
        b.iter(|| {
            tick += 1;
            black_box(hot.check(&request(ip), t0 + Duration::from_micros(tick))).ok()
        })
    });

    let many = limiter(t0);
    let ips: Vec<IpAddr> = (0..100_000u32).map(|n| IpAddr::V4(Ipv4Addr::from(0x0A00_0000 + n * 7))).collect();
    let mut next = 0usize;
    group.bench_function("check/100k_keys", |b| {
        b.iter(|| {
            next = (next + 1) % ips.len();
            tick += 1;
            black_box(many.check(&request(ips[next]), t0 + Duration::from_micros(tick))).ok()
        })
    });

    let mut baseline: HashMap<IpAddr, u64> = HashMap::new();
    group.bench_function("baseline/hashmap_get_insert_100k_keys", |b| {
        b.iter(|| {
            next = (next + 1) % ips.len();
            let slot = baseline.entry(ips[next]).or_insert(0);
            *slot += 1;
            black_box(*slot)
        })
    });
    group.finish();
}

fn bench_blocklist(c: &mut Criterion) {
    let mut group = c.benchmark_group("blocklist");
    // 100k CIDRs with lengths /16../32 spread over the v4 space, as threat feeds look.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let entries: Vec<EntryConfig> = (0..100_000)
        .map(|_| {
            let bits = random();
            let addr = Ipv4Addr::from(bits as u32);
            let len = 16 + (bits >> 40) % 17;
            EntryConfig {
                kind: "ip".into(),
                value: format!("{addr}/{len}"),
                reason: "feed".into(),
                until: None,
                id: None,
            }
        })
        .collect();
    let config = BlocklistConfig { entries, ..BlocklistConfig::default() };
    let now = Utc::now();
    let (blocklist, _) = Blocklist::new(&config, now).unwrap();
    let probes: Vec<IpAddr> = (0..1024).map(|_| IpAddr::V4(Ipv4Addr::from(random() as u32))).collect();
    let hits = probes.iter().filter(|ip| blocklist.is_blocked(**ip, None, None, now).is_some()).count();
    eprintln!("blocklist: {hits}/1024 random probes hit one of 100k CIDRs");
    let mut next = 0usize;
    group.bench_function("is_blocked/100k_cidrs_random_ip", |b| {
        b.iter(|| {
            next = (next + 1) & 1023;
            black_box(blocklist.is_blocked(probes[next], Some("cust-1"), None, now))
        })
    });
    let (empty, _) = Blocklist::new(&BlocklistConfig::default(), now).unwrap();
    group.bench_function("is_blocked/empty", |b| {
        b.iter(|| {
            next = (next + 1) & 1023;
            black_box(empty.is_blocked(probes[next], Some("cust-1"), None, now))
        })
    });
    let baseline: HashMap<IpAddr, u32> = probes.iter().step_by(2).map(|ip| (*ip, 1)).collect();
    group.bench_function("baseline/hashmap_get", |b| {
        b.iter(|| {
            next = (next + 1) & 1023;
            black_box(baseline.get(&probes[next]))
        })
    });
    group.finish();
}

criterion_group!(benches, bench_rate, bench_blocklist);
criterion_main!(benches);
