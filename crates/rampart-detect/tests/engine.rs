//! The engine's contract, on small hand-made traffic: one alert per attack (opened once,
//! updated, closed), decisions only when confident and not monitoring, allowlisted networks
//! never alerted on, decisions renewed while an attack outlives them, bounded state.

use std::net::IpAddr;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rampart_core::{Body, Client, Exchange, Request, Response};
use rampart_detect::{Action, AlertState, ClientKey, DetectConfig, DetectorKind, Engine, Output};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).single().unwrap_or_default()
}

fn login(ip: &str, username: &str, ok: bool, at: DateTime<Utc>) -> Exchange {
    Exchange {
        v: 1,
        id: None,
        started_at: at,
        duration_ms: Some(40.0),
        client: Client { ip: ip.parse::<IpAddr>().ok(), ..Client::default() },
        source: Default::default(),
        request: Request {
            method: "POST".into(),
            scheme: "https".into(),
            host: "api.bank.example".into(),
            path: "/api/v1/auth/login".into(),
            query: Vec::new(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("user-agent".into(), "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0".into()),
            ],
            body: Some(Body::from_text(format!(r#"{{"username":"{username}","password":"Winter2026!"}}"#))),
        },
        response: Some(Response {
            status: if ok { 200 } else { 401 },
            headers: vec![("content-type".into(), "application/json".into())],
            body: Some(Body::from_text(if ok {
                r#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.redacted","token_type":"Bearer"}"#
            } else {
                r#"{"error":"invalid_credentials"}"#
            })),
        }),
    }
}

fn run(config: DetectConfig, exchanges: &[Exchange]) -> Output {
    let mut engine = match Engine::new(config) {
        Ok(engine) => engine,
        Err(error) => panic!("{error}"),
    };
    let mut all = Output::default();
    for exchange in exchanges {
        engine.observe(exchange);
        let out = engine.drain();
        all.alerts.extend(out.alerts);
        all.decisions.extend(out.decisions);
    }
    let out = engine.finish();
    all.alerts.extend(out.alerts);
    all.decisions.extend(out.decisions);
    all
}

/// 200 usernames from one address, one attempt every 2 s.
fn stuffing(ip: &str) -> Vec<Exchange> {
    (0..200)
        .map(|i| login(ip, &format!("victim{i}@mail.example"), false, t0() + Duration::seconds(2 * i)))
        .collect()
}

#[test]
fn one_attack_is_one_alert_opened_updated_and_closed() {
    let out = run(DetectConfig::default(), &stuffing("203.0.113.7"));
    let stuffing: Vec<_> =
        out.alerts.iter().filter(|a| a.detector == DetectorKind::CredentialStuffing).collect();
    let ids: std::collections::BTreeSet<_> = stuffing.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(stuffing.first().map(|a| a.state), Some(AlertState::Open));
    assert!(stuffing.iter().any(|a| a.state == AlertState::Update));
    let last = stuffing.last().map(|a| (*a).clone()).unwrap_or_else(|| panic!("no alert"));
    assert_eq!(last.state, AlertState::Closed);
    assert_eq!(last.key, ClientKey::Ip("203.0.113.7".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))));
    // Every request of the attack from the one that crossed the threshold on is counted.
    assert!(last.count >= 190, "{}", last.count);
    assert!(last.samples.len() <= 5 && !last.samples.is_empty());
    // Usernames are masked in the evidence.
    for sample in &last.samples {
        assert!(!sample.note.contains("victim1"), "{}", sample.note);
    }
    assert_eq!(out.decisions.len(), 1, "{:?}", out.decisions);
    assert_eq!(out.decisions[0].action, Action::Block);
    assert_eq!(out.decisions[0].id, last.id);
}

#[test]
fn monitor_mode_alerts_the_same_and_decides_nothing() {
    let config = DetectConfig { monitor: true, ..DetectConfig::default() };
    let monitored = run(config, &stuffing("203.0.113.7"));
    let enforced = run(DetectConfig::default(), &stuffing("203.0.113.7"));
    assert!(monitored.decisions.is_empty());
    let ids =
        |out: &Output| out.alerts.iter().map(|a| a.id.clone()).collect::<std::collections::BTreeSet<_>>();
    assert_eq!(ids(&monitored), ids(&enforced));
    assert!(monitored.alerts.iter().all(|a| a.action == Action::Report && a.monitor_only));
}

#[test]
fn allowlisted_networks_are_not_analysed() {
    let config = DetectConfig {
        allow: vec!["203.0.113.0/24".parse().unwrap_or_else(|e| panic!("{e}"))],
        ..DetectConfig::default()
    };
    let out = run(config, &stuffing("203.0.113.7"));
    assert!(out.alerts.is_empty() && out.decisions.is_empty(), "{:?}", out.alerts);
}

#[test]
fn a_decision_is_renewed_while_the_attack_outlives_it() {
    let config = DetectConfig { decision_ttl_secs: 60, ..DetectConfig::default() };
    let out = run(config, &stuffing("203.0.113.7"));
    // 400 s of attack, 60 s decisions: renewed several times, always for the same alert.
    assert!(out.decisions.len() >= 5, "{}", out.decisions.len());
    assert!(
        out.decisions
            .windows(2)
            .all(|pair| pair[0].id == pair[1].id && pair[0].expires_at < pair[1].expires_at)
    );
}

#[test]
fn typos_behind_a_shared_address_are_not_an_attack() {
    // A carrier NAT: 300 customers log in over an hour, one in ten mistypes once first.
    let mut exchanges = Vec::new();
    for i in 0..300i64 {
        let at = t0() + Duration::seconds(12 * i);
        let user = format!("customer{i}@mail.example");
        if i % 10 == 0 {
            exchanges.push(login("100.64.10.1", &user, false, at));
        }
        exchanges.push(login("100.64.10.1", &user, true, at + Duration::seconds(5)));
    }
    let out = run(DetectConfig::default(), &exchanges);
    assert!(out.alerts.is_empty(), "{:#?}", out.alerts.first());
}

#[test]
fn invalid_config_names_the_field() {
    let mut config = DetectConfig::default();
    config.enumeration.denied_share = 1.5;
    let error = Engine::new(config).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("detect.enumeration.denied_share"), "{error}");
    let mut config = DetectConfig::default();
    config.flows.flows.push(rampart_detect::config::FlowConfig {
        name: "pay".into(),
        steps: vec!["GET /a".into(), "nonsense".into()],
    });
    let error = Engine::new(config).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("flows.flows[0].steps[1]"), "{error}");
}

#[test]
fn state_is_bounded_by_max_keys() {
    let config = DetectConfig { max_keys: 1_000, ..DetectConfig::default() };
    let mut engine = Engine::new(config).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..20_000u32 {
        let ip = format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
        engine.observe(&login(&ip, &format!("u{i}"), false, t0() + Duration::milliseconds(i64::from(i))));
    }
    let stats = engine.stats();
    assert!(stats.evicted_keys > 0);
    // Each table holds at most max_keys.
    assert!(stats.tracked_keys <= 1_000 * 12, "{}", stats.tracked_keys);
}

/// A login endpoint whose path and body say nothing of a login (`credential`, not `password`):
/// found only through the discovery inventory, where its answers issued tokens.
#[test]
fn login_endpoints_from_the_inventory_count_as_logins() {
    let attempt = |i: i64| {
        let mut exchange = login("198.51.100.23", "x", false, t0() + Duration::seconds(3 * i));
        exchange.request.path = "/api/v2/session-start".into();
        exchange.request.body =
            Some(Body::from_text(format!(r#"{{"customerId":"c{i:04}","credential":"Spring2026!"}}"#)));
        exchange
    };
    let traffic: Vec<Exchange> = (0..60).map(attempt).collect();
    let without = run(DetectConfig::default(), &traffic);
    assert!(without.alerts.iter().all(|a| a.detector != DetectorKind::CredentialStuffing));

    let inventory: rampart_core::Inventory = serde_json::from_value(serde_json::json!({
        "endpoints": [{
            "key": {"host": "api.bank.example", "method": "POST", "path_template": "/api/v2/session-start"},
            "calls": 40,
            "statuses": {"200": 38, "401": 2},
            "latency": {},
            "responses": {"200": {"application/json": {"seen": 38, "object": {"count": 38, "properties": {
                "access_token": {"seen": 38}, "expires_in": {"seen": 38}
            }}}}}
        }]
    }))
    .unwrap_or_else(|e| panic!("inventory: {e}"));
    let logins = rampart_detect::login_endpoints(&inventory);
    assert_eq!(logins, vec![("POST".to_owned(), "/api/v2/session-start".to_owned())]);
    let mut engine = Engine::new(DetectConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    engine.add_login_endpoints(logins.iter().map(|(m, p)| (m.as_str(), p.as_str())));
    for exchange in &traffic {
        engine.observe(exchange);
    }
    let out = engine.finish();
    assert!(
        out.alerts.iter().any(|a| a.detector == DetectorKind::CredentialStuffing),
        "{:#?}",
        out.alerts.iter().map(|a| &a.summary).collect::<Vec<_>>()
    );
}

/// A tool that rotates its address on every attempt (a proxy pool) but keeps the device id of
/// the app it imitates: caught by the device, and each address it used is blocked.
#[test]
fn stuffing_through_rotating_addresses_is_caught_by_its_device_id() {
    let traffic: Vec<Exchange> = (0..40)
        .map(|i| {
            let mut exchange = login(
                &format!("198.18.{}.{}", i / 200, i % 200 + 1),
                &format!("leak{i}@mail.example"),
                false,
                t0() + Duration::seconds(i64::from(i)),
            );
            exchange
                .request
                .headers
                .push(("x-device-id".into(), "A1B2C3D4-0000-4000-8000-00000000BEEF".into()));
            exchange
        })
        .collect();
    let out = run(DetectConfig::default(), &traffic);
    let alert = out
        .alerts
        .iter()
        .find(|a| a.detector == DetectorKind::CredentialStuffing && matches!(a.key, ClientKey::Device(_)))
        .unwrap_or_else(|| {
            panic!("{:#?}", out.alerts.iter().map(|a| (&a.key, &a.summary)).collect::<Vec<_>>())
        });
    assert!(alert.summary.contains("one device id"), "{}", alert.summary);
    // Every address used after the alert opened is blocked.
    let blocked: Vec<_> = out.decisions.iter().filter(|d| matches!(d.key, ClientKey::Ip(_))).collect();
    assert!(blocked.len() >= 30, "{}", blocked.len());
}

/// A customer whose logins the gateway rate-limits (its own 429s, marked as the gateway's) is
/// not failing logins: no brute-force alert, and no decision against it.
#[test]
fn the_gateways_own_refusals_are_not_answers_of_the_api() {
    let traffic: Vec<Exchange> = (0..30)
        .map(|i| {
            let mut exchange = login("100.64.3.3", "ana@mail.example", false, t0() + Duration::seconds(i));
            if let Some(response) = exchange.response.as_mut() {
                response.status = 429;
                response.headers.push(("x-rampart-refusal".into(), "rate-limited".into()));
            }
            exchange
        })
        .collect();
    let out = run(DetectConfig::default(), &traffic);
    assert!(
        out.alerts.is_empty() && out.decisions.is_empty(),
        "{:#?}",
        out.alerts.first().map(|a| &a.summary)
    );
    // The same 429s from the API itself (a lockout) are failures.
    let api: Vec<Exchange> = traffic
        .into_iter()
        .map(|mut exchange| {
            if let Some(response) = exchange.response.as_mut() {
                response.headers.retain(|(name, _)| name != "x-rampart-refusal");
            }
            exchange
        })
        .collect();
    let out = run(DetectConfig::default(), &api);
    assert!(out.alerts.iter().any(|a| a.detector == DetectorKind::BruteForce));
}
