//! A dry run sends nothing and lists what a scan would send; the same seed lists the same
//! requests, another seed other generated values.

use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use rampart_scanner::client::PlannedRequest;
use rampart_scanner::plan;
use rampart_scanner::{Callback, ClientConfig, ScanOptions, Target};

fn options(target: &str, seed: u64) -> ScanOptions {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let spec =
        rampart_openapi::load_spec(&root.join("bank-api.openapi.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let identities = rampart_scanner::identities::load(&root.join("scan/demo-identities.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    ScanOptions {
        client: ClientConfig {
            target: Target::parse(target).unwrap_or_else(|e| panic!("{e}")),
            timeout: Duration::from_secs(2),
            max_body: 64 * 1024,
            budget: 10_000,
            rate: 0.0,
            dry_run: true,
            insecure_tls: false,
            user_agent: "rampart-scan-test".into(),
        },
        operations: plan::operations(&spec, ""),
        spec_label: "bank-api.openapi.yaml".into(),
        identities,
        seed,
        allow_writes: true,
        only: Default::default(),
        callback: Callback::Loopback,
        burst: 12,
    }
}

async fn dry_run(target: &str, seed: u64) -> Vec<PlannedRequest> {
    let (report, planned) = rampart_scanner::scan(options(target, seed), Box::new(|_, _| {}))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.stats.requests_sent, 0);
    assert!(report.findings.is_empty());
    planned
}

#[tokio::test]
async fn a_dry_run_sends_nothing_and_repeats_with_its_seed() {
    // A listener that would see any connection: nothing may arrive.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    listener.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
    let target = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));

    let first = dry_run(&target, 7).await;
    let again = dry_run(&target, 7).await;
    let other = dry_run(&target, 8).await;
    assert!(first.len() > 30, "{}", first.len());
    assert_eq!(first, again, "the same seed plans the same requests");
    assert_ne!(first, other, "another seed generates other values");
    assert!(first.iter().all(|r| r.url.starts_with(&target)));
    // The login flows are planned first, and with --allow-writes the writes are planned too.
    assert!(first.iter().any(|r| r.method == "POST" && r.url.ends_with("/oauth/token")));
    assert!(first.iter().any(|r| r.method == "DELETE"));
    assert!(listener.accept().is_err(), "a dry run connected to the target");
}
