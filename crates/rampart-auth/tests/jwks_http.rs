//! A JWKS served by a local identity provider on 127.0.0.1: fetched at start, cached, refreshed
//! on an unknown kid (rate-limited), and kept when the provider misbehaves or goes away.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use common::*;
use rampart_auth::{AuthError, Authenticator, reason};
use rampart_demo::jwt::{AUDIENCE, ISSUER};
use serde_json::json;
use tokio::sync::oneshot;

#[derive(Clone)]
struct Idp {
    answer: Arc<Mutex<(StatusCode, String)>>,
    hits: Arc<AtomicUsize>,
}

impl Idp {
    fn serve(&self, status: StatusCode, body: String) {
        *self.answer.lock().unwrap() = (status, body);
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn jwks(State(idp): State<Idp>) -> (StatusCode, String) {
    idp.hits.fetch_add(1, Ordering::SeqCst);
    idp.answer.lock().unwrap().clone()
}

struct RunningIdp {
    idp: Idp,
    url: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningIdp {
    async fn start(body: String) -> RunningIdp {
        let idp =
            Idp { answer: Arc::new(Mutex::new((StatusCode::OK, body))), hits: Arc::new(AtomicUsize::new(0)) };
        let app = Router::new().route("/.well-known/jwks.json", get(jwks)).with_state(idp.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        RunningIdp { idp, url, stop: Some(stop), task }
    }

    /// Stops accepting and closes idle keep-alive connections, so the gateway's pooled client
    /// really finds nobody there.
    async fn shut_down(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), self.task).await.expect("server did not stop").unwrap();
    }
}

fn jwks_url_config(url: &str, extra: &str) -> rampart_auth::AuthConfig {
    config(&format!(
        "[jwt]\nissuers = [\"{ISSUER}\"]\naudiences = [\"{AUDIENCE}\"]\njwks_url = \"{url}\"\n\
         jwks_refresh_interval_seconds = 3600\njwks_unknown_kid_refresh_seconds = 30\n{extra}"
    ))
}

fn both_keys() -> String {
    let mut jwks = demo_key().jwks();
    jwks["keys"].as_array_mut().unwrap().push(rotated_demo_key().jwks()["keys"][0].clone());
    jwks.to_string()
}

/// Polls until `done` holds; the deadline only turns a hang into a failure.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn keys_are_fetched_once_cached_and_refreshed_on_unknown_kid() {
    let server = RunningIdp::start(demo_key().jwks().to_string()).await;
    let auth = Arc::new(Authenticator::from_config(&jwks_url_config(&server.url, "")).await.unwrap());
    assert_eq!(server.idp.hits(), 1);
    let token = demo_key().sign(&demo_claims()).unwrap();
    for second in 0..50 {
        accepted(&auth, &token, NOW + second);
    }
    assert_eq!(server.idp.hits(), 1, "verification must not fetch");

    let refresher = auth.spawn_refresh().expect("a JWKS URL is configured");
    server.idp.serve(StatusCode::OK, both_keys());
    let rotated = rotated_demo_key().sign(&demo_claims()).unwrap();
    assert_eq!(rejected(&auth, &rotated, NOW), reason::JWT_UNKNOWN_KID);
    assert_eq!(auth.unknown_kid_refresh_requests(), 1);
    // A burst of unknown kids inside the window asks for nothing more.
    for second in 1..20 {
        assert_eq!(rejected(&auth, &rotated, NOW + second), reason::JWT_UNKNOWN_KID);
    }
    eventually("the refresh to land", || auth.key_generation() == 1).await;
    assert_eq!(server.idp.hits(), 2);
    assert_eq!(auth.unknown_kid_refresh_requests(), 1);
    assert_eq!(accepted(&auth, &rotated, NOW + 21).key_id.as_deref(), Some(rotated_demo_key().kid()));
    accepted(&auth, &token, NOW + 21);

    // After the window, another unknown kid may ask again.
    let stranger = sign_rs256(own_rsa_key(), &json!({"alg": "RS256", "kid": "stranger"}), &claims_json());
    assert_eq!(rejected(&auth, &stranger, NOW + 31), reason::JWT_UNKNOWN_KID);
    assert_eq!(auth.unknown_kid_refresh_requests(), 2);
    eventually("the second refresh", || auth.key_generation() == 2).await;
    assert_eq!(rejected(&auth, &stranger, NOW + 32), reason::JWT_UNKNOWN_KID);

    refresher.abort();
    server.shut_down().await;
}

#[tokio::test]
async fn last_good_keys_survive_a_provider_outage() {
    let server = RunningIdp::start(demo_key().jwks().to_string()).await;
    let url = server.url.clone();
    let auth =
        Authenticator::from_config(&jwks_url_config(&url, "jwks_fetch_timeout_ms = 2000")).await.unwrap();
    server.shut_down().await;
    let err = auth.refresh_jwks().await.unwrap_err();
    assert!(matches!(err, AuthError::JwksFetch { .. }), "{err}");
    assert_eq!(auth.key_generation(), 0);
    accepted(&auth, &demo_key().sign(&demo_claims()).unwrap(), NOW);
}

#[tokio::test]
async fn bad_answers_keep_the_last_good_keys_and_a_good_one_rotates() {
    let server = RunningIdp::start(demo_key().jwks().to_string()).await;
    let auth =
        Authenticator::from_config(&jwks_url_config(&server.url, "jwks_max_bytes = 2048")).await.unwrap();
    let token = demo_key().sign(&demo_claims()).unwrap();
    let short_key = rampart_demo::jwt::SigningKeys::from_demo_seed(5, 1024).unwrap().jwks();
    let padding = json!({"keys": demo_key().jwks()["keys"], "pad": "x".repeat(4096)});
    let bad_answers = [
        (StatusCode::INTERNAL_SERVER_ERROR, demo_key().jwks().to_string(), "500"),
        (StatusCode::OK, "<html>maintenance</html>".to_owned(), "not a JWKS"),
        (StatusCode::OK, json!({"keys": []}).to_string(), "no usable key"),
        (StatusCode::OK, short_key.to_string(), "no usable key"),
        (StatusCode::OK, padding.to_string(), "2048 bytes"),
    ];
    for (status, body, expected) in bad_answers {
        server.idp.serve(status, body);
        let err = auth.refresh_jwks().await.unwrap_err();
        assert!(err.to_string().contains(expected), "{expected}: {err}");
        assert_eq!(auth.key_generation(), 0);
        accepted(&auth, &token, NOW);
    }
    // A completed rotation: the old key is gone, so are its tokens.
    server.idp.serve(StatusCode::OK, rotated_demo_key().jwks().to_string());
    assert_eq!(auth.refresh_jwks().await.unwrap(), 1);
    assert_eq!(auth.key_generation(), 1);
    assert_eq!(rejected(&auth, &token, NOW), reason::JWT_UNKNOWN_KID);
    accepted(&auth, &rotated_demo_key().sign(&demo_claims()).unwrap(), NOW);
    server.shut_down().await;
}

#[tokio::test]
async fn an_unreachable_provider_fails_the_start() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    drop(listener);
    let err = Authenticator::from_config(&jwks_url_config(&url, "")).await.unwrap_err();
    assert!(matches!(err, AuthError::JwksFetch { .. }), "{err}");
}

#[cfg(feature = "https")]
#[tokio::test]
async fn https_urls_speak_tls() {
    // A plain-http server behind an https URL: the fetch must fail in the TLS handshake rather
    // than silently downgrade.
    let server = RunningIdp::start(demo_key().jwks().to_string()).await;
    let url = server.url.replace("http://", "https://");
    let err =
        Authenticator::from_config(&jwks_url_config(&url, "jwks_fetch_timeout_ms = 2000")).await.unwrap_err();
    assert!(matches!(err, AuthError::JwksFetch { .. }), "{err}");
    assert_eq!(server.idp.hits(), 0);
    server.shut_down().await;
}
