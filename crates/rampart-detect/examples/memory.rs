//! Memory and throughput with many distinct clients: feeds the engine exchanges from N distinct
//! client IPs and identities (default 1,000,000; each logs in and reads its account), then
//! prints the engine's own state estimate, the process's resident memory before and after, and
//! exchanges per second on this one thread. Used by `bench/detect.sh`.
//!
//! `cargo run --release -p rampart-detect --example memory -- [CLIENTS]`

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use chrono::{Duration, Utc};
use rampart_core::{Body, Client, Exchange, Request, Response};
use rampart_detect::{DetectConfig, Engine};

fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn exchange(client: u32, step: u32, at: chrono::DateTime<Utc>) -> Exchange {
    let ip = IpAddr::V4(Ipv4Addr::from(0x0B00_0000u32 + client));
    let (method, path, body, status, response) = if step == 0 {
        (
            "POST",
            "/api/v1/auth/login".to_owned(),
            Some(Body::from_text(format!(r#"{{"username":"c{client}@mail.example","password":"x"}}"#))),
            200,
            r#"{"access_token":"eyJhbGciOiJIUzI1NiJ9.e30.redacted"}"#.to_owned(),
        )
    } else {
        ("GET", format!("/api/v1/accounts/{}", 1_000_000 + client), None, 200, r#"{"balance":10}"#.to_owned())
    };
    Exchange {
        v: 1,
        id: None,
        started_at: at,
        duration_ms: None,
        client: Client {
            ip: Some(ip),
            identity: (step > 0).then(|| format!("jwt:c{client}")),
            credential: (step > 0).then(|| format!("{:032x}", u128::from(client) * 0x9E37_79B9)),
        },
        source: Default::default(),
        request: Request {
            method: method.to_owned(),
            scheme: "https".to_owned(),
            host: "api.bank.example".to_owned(),
            path,
            query: Vec::new(),
            headers: vec![("user-agent".to_owned(), "BankApp/5.2 (Android 14)".to_owned())],
            body,
        },
        response: Some(Response { status, headers: Vec::new(), body: Some(Body::from_text(response)) }),
    }
}

fn main() {
    let clients: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let mut engine = match Engine::new(DetectConfig::default()) {
        Ok(engine) => engine,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    let before = resident_bytes().unwrap_or(0);
    let start = Utc::now();
    let timer = Instant::now();
    let mut exchanges = 0u64;
    // 5,000 new clients a second of event time: a million clients in 200 s, all inside the
    // detectors' windows, so none of their state has expired.
    for client in 0..clients {
        let at = start + Duration::microseconds(i64::from(client) * 200);
        for step in 0..2 {
            engine.observe(&exchange(client, step, at));
            exchanges += 1;
        }
    }
    let elapsed = timer.elapsed().as_secs_f64();
    let output = engine.drain();
    let after = resident_bytes().unwrap_or(0);
    let stats = engine.stats();
    println!("clients\t{clients}");
    println!("exchanges\t{exchanges}");
    println!("exchanges_per_sec\t{:.0}", exchanges as f64 / elapsed);
    println!("tracked_keys\t{}", stats.tracked_keys);
    println!("evicted_keys\t{}", stats.evicted_keys);
    println!("state_bytes_estimate\t{}", stats.state_bytes);
    println!("rss_before\t{before}");
    println!("rss_after\t{after}");
    println!("rss_growth_mib\t{:.1}", (after.saturating_sub(before)) as f64 / 1_048_576.0);
    println!("alerts\t{}", output.alerts.len());
}
