//! The demo API over real HTTP: tokens, auth enforcement, idempotency, pagination.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::sha2::Sha256;
use rsa::{BoxedUint, PublicKey};
use serde_json::{Value, json};

#[tokio::test]
async fn issued_token_verifies_against_the_published_jwks() {
    let api = common::start().await;
    let token = api.token_for(3).await;
    let jwks = api.call("GET", "/.well-known/jwks.json", &[], None).await;
    assert_eq!(jwks.status, 200);
    let jwk = &jwks.json["keys"][0];
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["alg"], "RS256");
    let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
    let e = URL_SAFE_NO_PAD.decode(jwk["e"].as_str().unwrap()).unwrap();
    assert_eq!(n.len(), 256, "a 2048-bit modulus");
    let public =
        PublicKey::new(BoxedUint::from_be_slice_vartime(&n), BoxedUint::from_be_slice_vartime(&e)).unwrap();

    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], jwk["kid"]);
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let signing_input = format!("{}.{}", parts[0], parts[1]);
    public.pkcs1v15_verify::<Sha256>(signing_input.as_bytes(), &signature).unwrap();
    let mut forged = signing_input.into_bytes();
    forged[parts[0].len() + 3] ^= 1;
    assert!(public.pkcs1v15_verify::<Sha256>(&forged, &signature).is_err());

    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["sub"], api.state.dataset().customers[3].customer_id.as_str());
    assert_eq!(claims["iss"], "https://auth.demo-bank.example");
    assert_eq!(claims["aud"], "https://api.demo-bank.example");
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 900);
    assert!(claims["scope"].as_str().unwrap().contains("payments"));

    // Client credentials for the partner, and a wrong secret refused the OAuth way.
    let (partner, secret, _) = &api.state.dataset().clients[1];
    let form = format!("grant_type=client_credentials&client_id={partner}&client_secret={secret}");
    let ct = [("Content-Type", "application/x-www-form-urlencoded")];
    let reply = api.call("POST", "/oauth/token", &ct, Some(&form)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json["token_type"], "Bearer");
    let bad = format!("grant_type=client_credentials&client_id={partner}&client_secret=nope");
    let reply = api.call("POST", "/oauth/token", &ct, Some(&bad)).await;
    assert_eq!((reply.status, reply.json["error"].as_str()), (401, Some("invalid_client")));
}

#[tokio::test]
async fn every_protected_area_demands_its_credential() {
    let api = common::start().await;
    let reply = api.call("GET", "/v2/accounts", &[], None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("content-type"), Some("application/problem+json"));
    assert_eq!(reply.json["status"], 401);
    assert!(reply.json["type"].as_str().unwrap().starts_with("https://"));
    assert_eq!(api.get("/v2/customers/me", "not.a.jwt").await.status, 401);

    // A token signed by another key does not pass, even with the right claims.
    let stranger = rampart_demo::jwt::SigningKeys::from_demo_seed(99, 1024).unwrap();
    let now = chrono::Utc::now().timestamp();
    let forged = stranger
        .sign(&rampart_demo::jwt::Claims {
            iss: "https://auth.demo-bank.example".into(),
            sub: api.state.dataset().customers[0].customer_id.clone(),
            aud: "https://api.demo-bank.example".into(),
            exp: now + 600,
            iat: now,
            scope: "accounts".into(),
            jti: "x".into(),
            client_id: "demo-bank-mobile".into(),
        })
        .unwrap();
    assert_eq!(api.get("/v2/accounts", &forged).await.status, 401);

    assert_eq!(api.call("GET", "/internal/admin/users", &[], None).await.status, 401);
    assert_eq!(
        api.call("GET", "/internal/admin/users", &[("X-API-Key", "rk_live_guess")], None).await.status,
        401
    );
    let key = api.state.dataset().ops_api_key.clone();
    let users = api.call("GET", "/internal/admin/users", &[("X-API-Key", &key)], None).await;
    assert_eq!(users.status, 200);
    assert_eq!(users.json["meta"]["totalItems"], 3 + common::CUSTOMERS);
    assert_eq!(api.call("GET", "/internal/health", &[], None).await.status, 200);

    // The legacy API takes the session cookie from login; the token from login works on /v2.
    let c = &api.state.dataset().customers[5];
    let body = json!({"username": c.username, "password": c.password}).to_string();
    let login =
        api.call("POST", "/v1/auth/login", &[("Content-Type", "application/json")], Some(&body)).await;
    assert_eq!(login.status, 200);
    let cookie = login.header("set-cookie").unwrap().split(';').next().unwrap().to_owned();
    assert!(cookie.starts_with("session="));
    let legacy = api.call("GET", "/v1/accounts", &[("Cookie", &cookie)], None).await;
    assert_eq!(legacy.status, 200);
    assert!(legacy.json["accounts"][0]["balance"].is_number());
    assert_eq!(api.call("GET", "/v1/accounts", &[], None).await.status, 401);
    let token = login.json["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(api.get("/v2/accounts", &token).await.status, 200);

    // Logout revokes both.
    let auth = format!("Bearer {token}");
    let out =
        api.call("POST", "/v1/auth/logout", &[("Authorization", &auth), ("Cookie", &cookie)], None).await;
    assert_eq!(out.status, 204);
    assert_eq!(api.get("/v2/accounts", &token).await.status, 401);
    assert_eq!(api.call("GET", "/v1/accounts", &[("Cookie", &cookie)], None).await.status, 401);

    // Someone else's account is not found, not served.
    let mine = api.token_for(5).await;
    let other = api.state.dataset().accounts_of(6).next().unwrap().1.account_id.clone();
    assert_eq!(api.get(&format!("/v2/accounts/{other}"), &mine).await.status, 404);
    assert_eq!(api.get("/v2/no-such-thing", &mine).await.status, 404);
}

#[tokio::test]
async fn payments_replay_on_the_same_idempotency_key() {
    let api = common::start().await;
    let token = api.token_for(8).await;
    let account = api.state.dataset().accounts_of(8).next().unwrap().1.clone();
    let body = json!({
        "fromAccountId": account.account_id,
        "amount": {"value": "12.50", "currency": account.currency},
        "creditor": {"name": "Tan Ah Kow", "accountNumber": "0123456789", "bankCode": "7339"},
        "reference": "Dinner"
    })
    .to_string();
    let auth = format!("Bearer {token}");
    let headers =
        [("Authorization", auth.as_str()), ("Content-Type", "application/json"), ("Idempotency-Key", "k-1")];
    let first = api.call("POST", "/v2/payments", &headers, Some(&body)).await;
    assert_eq!(first.status, 201, "{}", first.json);
    assert_eq!(first.json["amount"]["value"], "12.50");
    let id = first.json["paymentId"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok());

    let replay = api.call("POST", "/v2/payments", &headers, Some(&body)).await;
    assert_eq!(replay.status, 201);
    assert_eq!(replay.json, first.json);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));

    let other_body = body.replace("12.50", "13.50");
    let conflict = api.call("POST", "/v2/payments", &headers, Some(&other_body)).await;
    assert_eq!(conflict.status, 422);

    let fresh = [headers[0], headers[1], ("Idempotency-Key", "k-2")];
    let second = api.call("POST", "/v2/payments", &fresh, Some(&other_body)).await;
    assert_eq!(second.status, 201);
    assert_ne!(second.json["paymentId"], first.json["paymentId"]);

    let missing_key = api.call("POST", "/v2/payments", &headers[..2], Some(&body)).await;
    assert_eq!(missing_key.status, 400);
    let bad_amount = body.replace("12.50", "12.505");
    let bad = [headers[0], headers[1], ("Idempotency-Key", "k-3")];
    assert_eq!(api.call("POST", "/v2/payments", &bad, Some(&bad_amount)).await.status, 422);

    let fetched = api.get(&format!("/v2/payments/{id}"), &token).await;
    assert_eq!(fetched.json, first.json);
    let listed = api.get("/v2/payments?status=COMPLETED", &token).await;
    let ids: Vec<&str> =
        listed.json["data"].as_array().unwrap().iter().filter_map(|p| p["paymentId"].as_str()).collect();
    assert!(ids.contains(&id.as_str()));
    assert_eq!(api.get("/v2/payments?status=LOST", &token).await.status, 422);
    assert_eq!(api.get("/v2/payments/not-a-uuid", &token).await.status, 400);
}

#[tokio::test]
async fn transactions_paginate_with_links_and_filters() {
    let api = common::start().await;
    let token = api.token_for(11).await;
    let (index, account) = api.state.dataset().accounts_of(11).next().unwrap();
    let expected = api.state.dataset().transactions[index].len();
    let base = format!("/v2/accounts/{}/transactions", account.account_id);

    let mut seen = Vec::new();
    let mut next = Some(format!("{base}?page_size=7"));
    let mut pages = 0;
    while let Some(path) = next {
        let reply = api.get(&path, &token).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.json);
        pages += 1;
        assert_eq!(reply.json["meta"]["totalItems"], expected);
        assert_eq!(reply.json["meta"]["pageSize"], 7);
        let items = reply.json["data"].as_array().unwrap();
        assert!(items.len() <= 7 && !items.is_empty());
        seen.extend(items.iter().map(|t| t["transactionId"].as_str().unwrap().to_owned()));
        assert_eq!(reply.json["links"]["first"], format!("{base}?page=1&page_size=7"));
        next = reply.json["links"]["next"].as_str().map(str::to_owned);
    }
    assert_eq!(pages, expected.div_ceil(7));
    assert_eq!(seen.len(), expected);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), expected, "no transaction on two pages");

    let filtered = api.get(&format!("{base}?from=2026-10-01&to=2026-10-31&page_size=100"), &token).await;
    for t in filtered.json["data"].as_array().unwrap() {
        assert!(t["bookingDateTime"].as_str().unwrap().starts_with("2026-10"), "{t}");
    }
    assert_eq!(api.get(&format!("{base}?page_size=500"), &token).await.status, 422);
    assert_eq!(api.get(&format!("{base}?from=yesterday"), &token).await.status, 422);
    assert_eq!(api.get(&format!("{base}?page=0"), &token).await.status, 422);

    let one = &seen[0];
    let detail = api.get(&format!("{base}/{one}"), &token).await;
    assert_eq!(detail.status, 200);
    assert_eq!(detail.json["transactionId"], one.as_str());
}
