//! Every route of the control plane, enumerated from the API's own OpenAPI document, refuses a
//! request without a valid token (401) and one whose role is too low (403), and lets the role
//! the document names through.

mod common;

use std::collections::BTreeSet;

use rampart_server::api::{OPENAPI_YAML, ROUTES};
use rampart_store::Role;

/// `(METHOD, path, role)` of every operation in `api/openapi.yaml`.
fn documented_routes() -> Vec<(String, String, Role)> {
    let doc: serde_json::Value = yaml_serde::from_str(OPENAPI_YAML).unwrap();
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().unwrap() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let role = operation["x-rampart-role"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no x-rampart-role"))
                .parse::<Role>()
                .unwrap();
            routes.push((method.to_ascii_uppercase(), path.clone(), role));
        }
    }
    routes
}

/// A concrete URL path for a templated one, with ids of the right shape.
fn concrete(path: &str) -> String {
    let id = if path.starts_with("/api/v1/endpoints/") {
        "ep_0123456789abcdef"
    } else if path.starts_with("/api/v1/findings/") {
        "f_0123456789abcdef"
    } else if path.starts_with("/api/v1/specs/") {
        "spec_0123456789ab"
    } else if path.starts_with("/api/v1/tokens/") {
        "tok_0123456789ab"
    } else {
        "credential-stuffing%2Fip%3A203.0.113.66%2F1764468000"
    };
    path.replace("{id}", id)
}

#[test]
fn the_documented_routes_are_the_served_routes_with_the_same_roles() {
    let documented: BTreeSet<(String, String, Role)> = documented_routes().into_iter().collect();
    let served: BTreeSet<(String, String, Role)> =
        ROUTES.iter().map(|(m, p, r)| ((*m).to_owned(), (*p).to_owned(), *r)).collect();
    assert_eq!(documented, served, "api/openapi.yaml and api::ROUTES disagree");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_missing_bad_and_too_weak_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config("http://127.0.0.1:9", dir.path());
    // Every refusal below is a failed authentication: keep the per-address limit out of the way.
    config.server.auth_failures_per_minute = 1_000_000;
    let tokens = common::tokens(&config.store.path);
    let server = rampart_server::start(config).await.unwrap();
    let base = format!("http://{}", server.control_addr);
    let http = common::Http::new();
    let routes = documented_routes();
    assert!(routes.len() >= 20, "{} routes", routes.len());
    for (method, path, needed) in &routes {
        let url = format!("{base}{}", concrete(path));
        let body = matches!(method.as_str(), "POST" | "PATCH").then(|| ("application/json", "{}".to_owned()));

        let reply = http.send(method, &url, None, body.clone()).await;
        assert_eq!(reply.status, 401, "{method} {path} without a token: {}", reply.body);
        assert!(reply.headers.contains_key("www-authenticate"), "{method} {path}");
        assert_eq!(reply.headers["content-type"], "application/problem+json");

        let reply = http.send(method, &url, Some("rmp_notatokenatall"), body.clone()).await;
        assert_eq!(reply.status, 401, "{method} {path} with a made-up token");

        for role in [Role::Viewer, Role::Operator, Role::Admin] {
            let reply = http.send(method, &url, Some(tokens.of(role)), body.clone()).await;
            if role < *needed {
                assert_eq!(reply.status, 403, "{method} {path} as {role:?}: {}", reply.body);
            } else {
                assert!(
                    reply.status != 401 && reply.status != 403,
                    "{method} {path} as {role:?} (needs {needed:?}): {} {}",
                    reply.status,
                    reply.body
                );
            }
        }
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_and_expired_tokens_are_refused_and_guessing_is_slowed_down() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config("http://127.0.0.1:9", dir.path());
    config.server.auth_failures_per_minute = 5;
    let tokens = common::tokens(&config.store.path);
    let expired = {
        let mut store = rampart_store::SqliteStore::open(&config.store.path).unwrap();
        let past = chrono::Utc::now() - chrono::Duration::days(1);
        store
            .create_token("old-laptop", Role::Admin, Some(past), "test", past - chrono::Duration::days(30))
            .unwrap()
            .secret
    };
    let server = rampart_server::start(config).await.unwrap();
    let base = format!("http://{}", server.control_addr);
    let http = common::Http::new();
    let whoami = format!("{base}/api/v1/whoami");

    let reply = http.get(&whoami, &tokens.admin).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["role"], "admin");
    assert_eq!(http.get(&whoami, &expired).await.status, 401);

    // An admin creates a token through the API, sees it listed (without its secret), revokes it.
    let created = http
        .json(
            "POST",
            &format!("{base}/api/v1/tokens"),
            &tokens.admin,
            serde_json::json!({"name": "siem", "role": "viewer"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let secret = created.json()["token"].as_str().unwrap().to_owned();
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(http.get(&whoami, &secret).await.json()["name"], "siem");
    let listed = http.get(&format!("{base}/api/v1/tokens"), &tokens.admin).await;
    assert!(!listed.body.contains(&secret), "a secret was listed");
    let revoked = http.send("DELETE", &format!("{base}/api/v1/tokens/{id}"), Some(&tokens.admin), None).await;
    assert_eq!(revoked.status, 200);
    assert_eq!(http.get(&whoami, &secret).await.status, 401);

    // The audit log has both changes, with who made them.
    let log = http.get(&format!("{base}/api/v1/audit-log"), &tokens.admin).await.json();
    let actions: Vec<&str> =
        log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"token.create") && actions.contains(&"token.revoke"), "{actions:?}");
    assert!(log["items"][0]["actor"].as_str().unwrap().contains("platform-admin"));

    // Guessing: after 5 failures in a minute the address is answered 429, even with a good token.
    let mut statuses = Vec::new();
    for attempt in 0..8 {
        statuses.push(http.get(&whoami, &format!("rmp_guess{attempt}")).await.status);
    }
    // (The expired and the revoked token above were failures too: 5 in all before the 429s.)
    assert_eq!(statuses, [401, 401, 401, 429, 429, 429, 429, 429], "{statuses:?}");
    let reply = http.get(&whoami, &tokens.viewer).await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.headers["retry-after"], "60");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_bodies_are_answered_as_problems() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config("http://127.0.0.1:9", dir.path());
    let tokens = common::tokens(&config.store.path);
    let server = rampart_server::start(config).await.unwrap();
    let base = format!("http://{}", server.control_addr);
    let http = common::Http::new();

    // Raw TCP: the server answers 413 as soon as the limit is crossed and may close before the
    // whole body is sent, which an HTTP client library reports as its own error.
    let huge = format!(
        "openapi: 3.1.0\ninfo: {{title: big, version: '1'}}\ndescription: '{}'\n",
        "x".repeat(6 << 20)
    );
    let reply = {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(server.control_addr).await.unwrap();
        let head = format!(
            "POST /api/v1/specs?name=big.yaml HTTP/1.1\r\nhost: rampart\r\nauthorization: Bearer {}\r\ncontent-type: application/yaml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            tokens.operator,
            huge.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let _ = stream.write_all(huge.as_bytes()).await;
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    };
    assert!(reply.starts_with("HTTP/1.1 413"), "{}", &reply[..reply.len().min(300)]);
    assert!(reply.to_ascii_lowercase().contains("content-type: application/problem+json"), "{reply}");
    assert!(reply.contains("\"status\":413"), "{reply}");
    let reply = http
        .send(
            "POST",
            &format!("{base}/api/v1/decisions"),
            Some(&tokens.operator),
            Some(("application/json", "{not json".to_owned())),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.headers["content-type"], "application/problem+json");

    let reply = http
        .send(
            "POST",
            &format!("{base}/api/v1/specs?name=notes.yaml"),
            Some(&tokens.operator),
            Some(("application/yaml", "just: notes\n".to_owned())),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(reply.json()["detail"].as_str().unwrap().contains("notes.yaml"), "{}", reply.body);

    // A reason with a terminal escape would reach the audit log and the dashboard as written.
    let reply = http
        .json(
            "POST",
            &format!("{base}/api/v1/decisions"),
            &tokens.operator,
            serde_json::json!({"kind": "ip", "value": "192.0.2.9", "action": "block", "reason": "ok\u{1b}[2J"}),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply.json()["detail"].as_str().unwrap().contains("reason"));

    let reply = http.get(&format!("{base}/api/v1/endpoints?sort=danger"), &tokens.viewer).await;
    assert_eq!(reply.status, 400);
    assert!(reply.json()["detail"].as_str().unwrap().contains("sort"));
    server.shutdown().await;
}
