//! Run-time decisions through the whole gateway: a detector's rate limit lets a client through
//! at its rate and answers 429 beyond it, a block answers 403, both name the decision in the
//! problem body; an allowlisted address is exempt from detector decisions; a token decision
//! matches the session cookie's fingerprint, the one the tap records as `client.credential`.

mod common;

use std::net::SocketAddr;

use chrono::{TimeDelta, Utc};
use rampart_gateway::tap::Tap;
use rampart_gateway::{Checks, TapTarget, start};
use rampart_limits::{BlockTarget, Decision, Enforcement, EntrySource};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    fn problem(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One request from the loopback address `from` (the gateway sees it as the client IP).
async fn get_from(gateway: SocketAddr, from: &str, path: &str, extra_headers: &str) -> Reply {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    let mut stream = socket.connect(gateway).await.unwrap();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: bank.example\r\n{extra_headers}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    let status = head.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    Reply { status, head: head.to_owned(), body: body.to_owned() }
}

fn detector(target: BlockTarget, action: Enforcement, id: &str) -> Decision {
    Decision {
        target,
        reason: format!("{} detected", id.split('/').next().unwrap_or(id)),
        source: EntrySource::Detector,
        action,
        expires_at: Some(Utc::now() + TimeDelta::minutes(30)),
        id: Some(id.to_owned()),
    }
}

#[tokio::test]
async fn decisions_are_enforced_by_action_and_named_in_the_problem() {
    let upstream = common::upstream().await;
    let mut config = common::config(upstream);
    config.blocklist.allow = vec!["127.0.0.5".to_owned()];
    let checks = Checks::from_config(&config).await.unwrap();
    let blocklist = checks.decisions().unwrap();
    let (tap, records, _) = Tap::channel(64);

    let session = "s3ss10n-0f7c2a";
    let fingerprint = rampart_auth::token_fingerprint(session);
    let limited = "scraping/ip:127.0.0.3/1732900000";
    let blocked = "credential-stuffing/ip:127.0.0.4/1732900000";
    let stolen = "session-hijack/token:0f7c/1732900000";
    blocklist.add_decisions(
        [
            detector(
                BlockTarget::Ip("127.0.0.3".parse().unwrap()),
                Enforcement::RateLimit { per_minute: 2 },
                limited,
            ),
            detector(BlockTarget::Ip("127.0.0.4".parse().unwrap()), Enforcement::Block, blocked),
            detector(
                BlockTarget::Ip("127.0.0.5".parse().unwrap()),
                Enforcement::Block,
                "flood/ip:127.0.0.5/1",
            ),
            detector(BlockTarget::TokenFingerprint(fingerprint.clone()), Enforcement::Block, stolen),
        ],
        Utc::now(),
    );
    let gateway = start(config, checks, TapTarget::Channel(tap)).await.unwrap();
    let path = "/v2/customers/me";

    // The rate-limited client gets its two a minute, then 429 with Retry-After and the decision.
    for _ in 0..2 {
        let reply = get_from(gateway.addr, "127.0.0.3", path, "").await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let reply = get_from(gateway.addr, "127.0.0.3", path, "").await;
    assert_eq!(reply.status, 429, "{}", reply.body);
    let retry_after: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    let problem = reply.problem();
    assert_eq!(problem["reason"], "rate-limited-by-decision");
    assert_eq!(problem["decision"], limited);
    assert_eq!(problem["status"], 429);
    assert!(problem["instance"].is_string(), "{problem}");

    // The blocked client gets 403 whatever its rate.
    let reply = get_from(gateway.addr, "127.0.0.4", path, "").await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    let problem = reply.problem();
    assert_eq!(problem["reason"], "blocked-ip");
    assert_eq!(problem["decision"], blocked);

    // A token decision matches the session cookie's fingerprint, before any authentication.
    let cookie = format!("Cookie: theme=dark; sessionid={session}\r\n");
    let reply = get_from(gateway.addr, "127.0.0.6", path, &cookie).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    let problem = reply.problem();
    assert_eq!(problem["reason"], "blocked-token");
    assert_eq!(problem["decision"], stolen);

    // The allowlisted address is exempt from detector decisions, on its IP and its token.
    let reply = get_from(gateway.addr, "127.0.0.5", path, &cookie).await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // The tap recorded the fingerprint the token decision was made on, never the cookie.
    common::eventually("the tap record of the allowlisted request", || {
        records.try_iter().any(|record| {
            if record.client_ip.to_string() != "127.0.0.5" {
                return false;
            }
            let mut line = Vec::new();
            record.write_jsonl(&mut line).unwrap();
            let line = String::from_utf8(line).unwrap();
            assert!(!line.contains(session), "{line}");
            let exchange = record.into_exchange();
            assert_eq!(exchange.client.credential.as_deref(), Some(fingerprint.as_str()));
            let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(parsed["client"]["credential"], fingerprint.as_str());
            true
        })
    })
    .await;

    let metrics = gateway.metrics();
    assert_eq!(metrics.decisions("rate-limited-by-decision"), 1);
    assert_eq!(metrics.decisions("blocked-token"), 1);
    gateway.shutdown().await;
}
