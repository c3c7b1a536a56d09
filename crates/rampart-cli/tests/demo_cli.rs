//! `rampart demo`, the README's run command, as a new user runs it: it prints a dashboard URL
//! with a token; through that, within the demo's first minute, the inventory shows the shadow
//! endpoints and the card endpoint's card numbers, and the attackers are blocked; Ctrl-C stops
//! it cleanly with a summary.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;

/// A GET with the token; the JSON body of a 200, else `None` (not up yet, or refused).
fn get(addr: SocketAddr, path: &str, token: &str) -> Option<Value> {
    let (status, body) = common::http(addr, "GET", path, Some(token), None);
    if status != 200 {
        return None;
    }
    serde_json::from_str(&body).ok()
}

#[test]
fn the_demo_shows_the_inventory_and_blocks_its_attackers_and_stops_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["demo", "--listen", "127.0.0.1:0", "--control-listen", "127.0.0.1:0", "--customers", "80"])
        .args(["--attack-after", "2", "--db", &dir.path().join("demo.db").display().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rampart demo");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).unwrap();
    let url = url.trim().to_owned();
    let (address, token) = url
        .strip_prefix("http://")
        .and_then(|rest| rest.split_once("/#token="))
        .unwrap_or_else(|| panic!("no dashboard URL with a token on stdout: {url:?}"));
    let control: SocketAddr = address.parse().unwrap();
    let token = token.to_owned();

    // What the README promises for the first minute (with a hang guard, not a timing assertion).
    let started = Instant::now();
    let blocked = ["198.18.5.66", "198.18.7.20", "198.18.9.30"];
    loop {
        let decisions = get(control, "/api/v1/decisions", &token);
        let in_force: Vec<String> = decisions
            .as_ref()
            .and_then(|d| d["items"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter(|d| d["action"] == "block")
            .filter_map(|d| d["target"]["value"].as_str().map(str::to_owned))
            .collect();
        if blocked.iter().all(|ip| in_force.iter().any(|v| v == ip)) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(180), "attackers not all blocked: {in_force:?}");
        std::thread::sleep(Duration::from_millis(500));
    }
    eprintln!("the demo's three blocking detections were in force {:?} after it started", started.elapsed());
    let overview = get(control, "/api/v1/overview", &token).expect("overview");
    assert!(overview["endpoints"]["shadow"].as_u64().unwrap() > 0, "{overview}");
    assert!(overview["endpoints"]["zombie"].as_u64().unwrap() > 0, "{overview}");
    let cards = get(control, "/api/v1/endpoints?q=/v2/cards/&sensitive=true", &token).expect("endpoints");
    assert!(
        cards["items"].as_array().unwrap().iter().any(|e| e["path"] == "/v2/cards/{cardId}"
            && e["sensitive_types"].as_array().unwrap().iter().any(|t| t == "card-number")),
        "{cards}"
    );
    // No ordinary customer is blocked.
    let decisions = get(control, "/api/v1/decisions", &token).unwrap();
    for decision in decisions["items"].as_array().unwrap() {
        let value = decision["target"]["value"].as_str().unwrap_or("");
        assert!(value.starts_with("198.18."), "a decision against a customer: {decision}");
    }

    // Ctrl-C.
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert!(stderr.contains("credential-stuffer") && stderr.contains("refused by the gateway"), "{stderr}");
}
