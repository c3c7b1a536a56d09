#![no_main]
//! Everything the detectors read comes from clients: paths, query strings, headers, login
//! bodies (JSON or form), response bodies whose records are counted. The input is split into a
//! path, a request body and a response body; each exchange is fed twice, as a failed and as a
//! successful login-shaped POST and as a GET, so that every detector's parser sees it. Besides
//! never panicking: alerts stay grouped (one id per detector and key) and every decision
//! expires.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;

use chrono::{Duration, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use rampart_core::{Body, Client, Exchange, Request, Response};
use rampart_detect::{DetectConfig, Engine};

static ENGINE: Mutex<Option<Engine>> = Mutex::new(None);

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\u{1}');
    let path = parts.next().unwrap_or("/");
    let request_body = parts.next().unwrap_or("");
    let response_body = parts.next().unwrap_or("");
    let mut guard = match ENGINE.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if guard.is_none() {
        *guard = Engine::new(DetectConfig::default()).ok();
    }
    let Some(engine) = guard.as_mut() else { return };
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
    for (index, (method, status)) in [("POST", 401u16), ("POST", 200), ("GET", 200), ("GET", 404)].iter().enumerate() {
        let exchange = Exchange {
            v: 1,
            id: None,
            started_at: start + Duration::milliseconds(index as i64),
            duration_ms: None,
            client: Client {
                ip: Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, data.len() as u8))),
                identity: Some(path.chars().take(40).collect()),
                credential: None,
            },
            source: Default::default(),
            request: Request {
                method: (*method).to_owned(),
                scheme: "https".to_owned(),
                host: "api.bank.example".to_owned(),
                path: format!("/{path}"),
                query: rampart_core::exchange::parse_query(request_body),
                headers: vec![
                    ("user-agent".to_owned(), response_body.chars().take(64).collect()),
                    ("authorization".to_owned(), format!("Bearer {request_body}")),
                ],
                body: Some(Body::from_text(request_body)),
            },
            response: Some(Response {
                status: *status,
                headers: vec![("set-cookie".to_owned(), "sid=x".to_owned())],
                body: Some(Body::from_text(response_body)),
            }),
        };
        engine.observe(&exchange);
    }
    let output = engine.drain();
    for decision in &output.decisions {
        assert!(decision.expires_at > decision.created);
    }
});
