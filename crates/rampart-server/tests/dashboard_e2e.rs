//! The dashboard in a real browser: the demo bank behind `rampart serve`, its customers and
//! three attackers through the gateway, then `e2e/dashboard.mjs` drives headless Chromium
//! (Debian's `chromium` through `playwright-core`) over every page as a person would — the
//! shadow endpoints, the card endpoint that over-shares, a finding's status, the blocked
//! attacker and the Lift button, the spec diff, a viewer's read-only view, the sign-in page.
//! Screenshots of each page are kept in `e2e/screenshots/`.
//!
//! Runs when `RAMPART_TEST_CHROMIUM` is set (`.ci/run` installs Chromium and `npm ci`s `e2e/`
//! and sets it); then a missing browser, Node.js or `playwright-core` is a failure, not a skip.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use rampart_demo::attackers::{Attacker, AttackerConfig};

const SEED: u64 = 42;
const CUSTOMERS: usize = 120;

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_a_person_what_the_issue_promises() {
    if std::env::var_os("RAMPART_TEST_CHROMIUM").is_none() {
        eprintln!(
            "note: the dashboard's browser tests were not run (set RAMPART_TEST_CHROMIUM=1 with Debian's chromium \
             installed and `npm ci` run in e2e/, as .ci/run does)"
        );
        return;
    }
    let e2e = repository().join("e2e");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "RAMPART_TEST_CHROMIUM is set but {chromium} is missing"
    );
    assert!(
        e2e.join("node_modules/playwright-core").is_dir(),
        "RAMPART_TEST_CHROMIUM is set but e2e/node_modules/playwright-core is missing (npm ci in e2e/)"
    );

    let bank = common::demo_bank(SEED, CUSTOMERS).await;

    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config(&format!("http://{bank}"), dir.path());
    config.pipeline.specs = vec![repository().join("examples/bank-api.openapi.yaml")];
    config.gateway.forwarding.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    let tokens = common::tokens(&config.store.path);
    let server = rampart_server::start(config).await.unwrap();
    let gateway = format!("http://{}", server.gateway_addr);

    // Customers, then three attackers, each bounded.
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let mut customers = rampart_demo::traffic::TrafficConfig::demo(gateway.clone(), SEED, CUSTOMERS, 0.0);
    customers.requests = 1500;
    customers.pace = None;
    rampart_demo::traffic::run(&customers).await.unwrap();
    let attackers = AttackerConfig {
        target: gateway,
        seed: SEED,
        customers: CUSTOMERS,
        start_delay: Duration::ZERO,
        stagger: Duration::ZERO,
        round_pause: Duration::from_millis(200),
        attackers: vec![Attacker::CredentialStuffer, Attacker::Enumerator, Attacker::Injector],
        max_requests: Some(40),
    };
    let summary = rampart_demo::attackers::run_attackers(&attackers, stopped).await.unwrap();
    for attacker in &attackers.attackers {
        let stats = summary.get(*attacker).cloned().unwrap_or_default();
        assert!(stats.refused > 0, "{} was never refused: {stats:?}", attacker.name());
    }
    assert!(server.pipeline().flush(Duration::from_secs(60)));

    let screenshots = e2e.join("screenshots");
    let output = tokio::task::spawn_blocking({
        let control = format!("http://{}", server.control_addr);
        let (admin, viewer) = (tokens.admin.clone(), tokens.viewer.clone());
        move || {
            Command::new("node")
                .arg(e2e.join("dashboard.mjs"))
                .env("RAMPART_URL", control)
                .env("RAMPART_TOKEN", admin)
                .env("RAMPART_VIEWER_TOKEN", viewer)
                .env("RAMPART_ATTACKER_IP", Attacker::CredentialStuffer.address())
                .env("SCREENSHOT_DIR", &screenshots)
                .env("CHROMIUM", chromium)
                .output()
        }
    })
    .await
    .unwrap()
    .expect("RAMPART_TEST_CHROMIUM is set but `node` could not be started");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}");
    assert!(output.status.success(), "the browser test failed:\n{stdout}\n{stderr}");
    server.shutdown().await;
}
