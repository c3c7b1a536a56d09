//! Flawed and fixed mode, over real HTTP: for every planted flaw, a request sequence that shows it
//! on the flawed bank and the safe answer of the fixed bank to the same requests.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{TestApi, start_mode};
use rampart_demo::Mode;
use rsa::sha2::{Digest, Sha256};
use serde_json::{Value, json};

async fn pair() -> (TestApi, TestApi) {
    (start_mode(Mode::Flawed).await, start_mode(Mode::Fixed).await)
}

/// Percent-encodes a query value.
fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Logs customer `index` in on the legacy login.
async fn legacy_login(api: &TestApi, index: usize) -> common::Reply {
    let c = &api.state.dataset().customers[index];
    let body = json!({"username": c.username, "password": c.password}).to_string();
    api.call("POST", "/v1/auth/login", &[("Content-Type", "application/json")], Some(&body)).await
}

async fn login_json(api: &TestApi, body: Value) -> common::Reply {
    api.call("POST", "/v1/auth/login", &[("Content-Type", "application/json")], Some(&body.to_string())).await
}

async fn password_grant(api: &TestApi, username: &str, password: &str) -> common::Reply {
    let (client_id, secret, _) = &api.state.dataset().clients[0];
    let form = format!(
        "grant_type=password&username={}&password={}&client_id={client_id}&client_secret={secret}",
        enc(username),
        enc(password)
    );
    api.call("POST", "/oauth/token", &[("Content-Type", "application/x-www-form-urlencoded")], Some(&form))
        .await
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut k = [0u8; 64];
    k[..key.len()].copy_from_slice(key);
    let inner = Sha256::new().chain_update(k.map(|b| b ^ 0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(k.map(|b| b ^ 0x5c)).chain_update(inner).finalize().to_vec()
}

fn first_account(api: &TestApi, customer: usize) -> (usize, String) {
    let (index, account) = api.state.dataset().accounts_of(customer).next().unwrap();
    (index, account.account_id.clone())
}

fn payment_body(api: &TestApi, customer: usize, reference: &str) -> String {
    let (_, account) = api.state.dataset().accounts_of(customer).next().unwrap();
    json!({
        "fromAccountId": account.account_id,
        "amount": {"value": "1.00", "currency": account.currency},
        "creditor": {"name": "Tan Ah Kow", "accountNumber": "0123456789", "bankCode": "7339"},
        "reference": reference,
    })
    .to_string()
}

async fn pay(api: &TestApi, token: &str, body: &str, key: &str) -> common::Reply {
    let auth = bearer(token);
    let headers =
        [("Authorization", auth.as_str()), ("Content-Type", "application/json"), ("Idempotency-Key", key)];
    api.call("POST", "/v2/payments", &headers, Some(body)).await
}

#[tokio::test]
async fn the_legacy_v1_surface_is_live_when_flawed_and_retired_when_fixed() {
    let (flawed, fixed) = pair().await;
    let data = flawed.state.dataset();

    // Flawed: the legacy login hands out an HS256 token signed with a tutorial secret, no `exp`.
    let login = legacy_login(&flawed, 5).await;
    assert_eq!(login.status, 200, "{}", login.text);
    let legacy = login.json["legacyToken"].as_str().unwrap();
    let parts: Vec<&str> = legacy.split('.').collect();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    assert!(claims.get("exp").is_none(), "jwt-no-expiry: {claims}");
    let mac = hmac_sha256(b"s3cr3t", format!("{}.{}", parts[0], parts[1]).as_bytes());
    assert_eq!(URL_SAFE_NO_PAD.encode(mac), parts[2], "jwt-weak-secret: signed with `s3cr3t`");
    let cookie = login.header("set-cookie").unwrap().split(';').next().unwrap().to_owned();

    // bola-read: customer 5 reads customer 6's account.
    let (_, other) = first_account(&flawed, 6);
    let read = flawed.call("GET", &format!("/v1/accounts/{other}"), &[("Cookie", &cookie)], None).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json["owner_name"], data.customers[6].full_name());
    // no-auth-sensitive-data: the customer lookup answers without any credential.
    let id = &data.customers[9].customer_id;
    let anonymous = flawed.call("GET", &format!("/v1/customers/{id}"), &[], None).await;
    assert_eq!(anonymous.status, 200);
    assert_eq!(anonymous.json["ic_number"], data.customers[9].national_id.as_str());
    // verbose-error: an unknown sort column gives the stack trace.
    let trace = flawed.call("GET", "/v1/accounts?sort=balance", &[("Cookie", &cookie)], None).await;
    assert_eq!(trace.status, 500);
    assert!(trace.text.contains("Stack trace:") && trace.text.contains("PDOException"), "{}", trace.text);
    // security-headers: the old stack's banners, no HSTS, no nosniff.
    assert_eq!(trace.header("server"), Some("nginx/1.18.0"));
    assert_eq!(trace.header("x-powered-by"), Some("PHP/7.2.34"));
    assert!(
        trace.header("strict-transport-security").is_none()
            && trace.header("x-content-type-options").is_none()
    );

    // Fixed: every /v1 route is gone, whatever the credential.
    let fixed_login = legacy_login(&fixed, 5).await;
    assert_eq!(fixed_login.status, 410);
    assert!(fixed_login.json.get("legacyToken").is_none());
    let token = fixed.token_for(5).await;
    for (method, path) in [
        ("GET", format!("/v1/accounts/{other}")),
        ("GET", format!("/v1/customers/{id}")),
        ("GET", "/v1/accounts?sort=balance".to_owned()),
        ("GET", "/v1/accounts".to_owned()),
        ("POST", "/v1/auth/logout".to_owned()),
    ] {
        let reply = fixed.call(method, &path, &[("Authorization", &bearer(&token))], None).await;
        assert_eq!(reply.status, 410, "{method} {path}");
        assert_eq!(reply.header("content-type"), Some("application/problem+json"));
        assert!(!reply.text.contains("Stack trace") && !reply.text.contains("ic_number"));
        assert!(reply.header("server").is_none() && reply.header("x-powered-by").is_none());
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert!(reply.header("strict-transport-security").is_some());
    }
}

#[tokio::test]
async fn unsigned_tokens_pass_the_flawed_legacy_api_only() {
    let (flawed, fixed) = pair().await;
    let customer = &flawed.state.dataset().customers[12];
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD.encode(json!({"sub": customer.customer_id, "iat": 1}).to_string());
    let unsigned = format!("{header}.{claims}.");
    let (_, account) = first_account(&flawed, 12);

    let list = flawed.get("/v1/accounts", &unsigned).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json["accounts"][0]["id"], account.as_str());
    assert_eq!(flawed.get(&format!("/v1/accounts/{account}"), &unsigned).await.status, 200);
    // The same token in the query string, and a capitalised `None`.
    let reply = flawed.call("GET", &format!("/v1/accounts?access_token={unsigned}"), &[], None).await;
    assert_eq!(reply.status, 200);
    let capitalised = format!("{}.{claims}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"None"}"#));
    assert_eq!(flawed.get("/v1/accounts", &capitalised).await.status, 200);
    // A garbage token is refused, and /v2 never takes an unsigned one.
    assert_eq!(flawed.get("/v1/accounts", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln").await.status, 401);
    assert_eq!(flawed.get("/v2/accounts", &unsigned).await.status, 401);

    assert_eq!(fixed.get("/v1/accounts", &unsigned).await.status, 410);
    assert_eq!(fixed.get(&format!("/v1/accounts/{account}"), &unsigned).await.status, 410);
    assert_eq!(fixed.get("/v2/accounts", &unsigned).await.status, 401);
}

#[tokio::test]
async fn the_flawed_login_evaluates_query_operators_and_tells_users_apart() {
    let (flawed, fixed) = pair().await;
    let data = flawed.state.dataset();
    let victim = &data.customers[21];

    // nosql-injection: operators instead of the password.
    for password in [
        json!({"$ne": "x"}),
        json!({"$gt": ""}),
        json!({"$exists": true}),
        json!({"$regex": format!("^{}", &victim.password[..3])}),
        json!({"$in": ["a", victim.password]}),
    ] {
        let reply = login_json(&flawed, json!({"username": victim.username, "password": password})).await;
        assert_eq!(reply.status, 200, "{password}: {}", reply.text);
        assert_eq!(reply.json["customerId"], victim.customer_id.as_str());
        assert!(reply.json["accessToken"].is_string());
    }
    // Without knowing any username: the first user of the store.
    let anyone = login_json(&flawed, json!({"username": {"$gt": ""}, "password": {"$ne": null}})).await;
    assert_eq!(anyone.status, 200);
    assert_eq!(anyone.json["customerId"], data.customers[0].customer_id.as_str());
    // A regex that does not match the password is a wrong password.
    let miss =
        login_json(&flawed, json!({"username": victim.username, "password": {"$regex": "^~~~"}})).await;
    assert_eq!(miss.status, 401);
    // An unknown operator is the database's own error.
    let error = login_json(&flawed, json!({"username": victim.username, "password": {"$foo": 1}})).await;
    assert_eq!(error.status, 500);
    assert!(error.text.contains("MongoServerError: unknown operator: $foo"), "{}", error.text);
    // Plain logins work as before.
    assert_eq!(legacy_login(&flawed, 21).await.status, 200);

    // user-enumeration: both 401, but the unknown user is named as such.
    let unknown = login_json(&flawed, json!({"username": "no.such.user77", "password": "x"})).await;
    let wrong = login_json(&flawed, json!({"username": victim.username, "password": "x"})).await;
    assert_eq!((unknown.status, wrong.status), (401, 401));
    assert_eq!(unknown.json["detail"], "no such user");
    assert_eq!(wrong.json["detail"], "wrong username or password");

    // Fixed: the legacy login is gone, operators and all.
    let fixed_nosql =
        login_json(&fixed, json!({"username": victim.username, "password": {"$ne": "x"}})).await;
    assert_eq!(fixed_nosql.status, 410);
    assert!(!fixed_nosql.text.contains("Mongo"));
    let fixed_unknown = login_json(&fixed, json!({"username": "no.such.user77", "password": "x"})).await;
    assert_eq!(fixed_unknown.status, 410);

    // The token endpoint answers an unknown user and a wrong password alike, in both modes.
    for api in [&flawed, &fixed] {
        let unknown = password_grant(api, "no.such.user77", "x").await;
        let wrong = password_grant(api, &victim.username, "x").await;
        assert_eq!((unknown.status, &unknown.text), (wrong.status, &wrong.text));
        assert_eq!(unknown.json["error"], "invalid_grant");
    }
}

#[tokio::test]
async fn only_the_fixed_bank_limits_password_attempts() {
    let (flawed, fixed) = pair().await;
    let victim = flawed.state.dataset().customers[30].clone();

    // Flawed: no 429 on either login, however many attempts.
    for attempt in 0..15 {
        let reply = password_grant(&flawed, &victim.username, &format!("guess-{attempt}")).await;
        assert_eq!(reply.status, 400);
        let reply = login_json(&flawed, json!({"username": victim.username, "password": "guess"})).await;
        assert_eq!(reply.status, 401);
    }
    assert_eq!(password_grant(&flawed, &victim.username, &victim.password).await.status, 200);

    // Fixed: ten attempts a minute per address and username, then 429 with Retry-After.
    for attempt in 0..rampart_demo::api::LOGIN_ATTEMPTS_PER_WINDOW {
        let reply = password_grant(&fixed, &victim.username, &format!("guess-{attempt}")).await;
        assert_eq!(reply.status, 400, "attempt {attempt}");
    }
    let limited = password_grant(&fixed, &victim.username, "guess-again").await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    let retry_after: i64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=rampart_demo::api::LOGIN_WINDOW_SECS).contains(&retry_after));
    // The right password does not get through the limit either…
    assert_eq!(password_grant(&fixed, &victim.username, &victim.password).await.status, 429);
    // …while another customer logs in as usual.
    let other = flawed.state.dataset().customers[31].clone();
    assert_eq!(password_grant(&fixed, &other.username, &other.password).await.status, 200);
}

#[tokio::test]
async fn beneficiaries_cards_and_the_internal_area() {
    let (flawed, fixed) = pair().await;
    let key = flawed.state.dataset().ops_api_key.clone();
    let username = flawed.state.dataset().customers[3].username.clone();
    for api in [&flawed, &fixed] {
        let fixed_mode = api.state.mode() == Mode::Fixed;
        let alice = api.token_for(3).await;
        let bob = api.token_for(4).await;

        // mass-assignment: the status of a new payee.
        let payee =
            json!({"name": "Lim Wei", "accountNumber": "0123456789", "bankCode": "7171", "status": "ACTIVE"});
        let created = api.send_json("POST", "/v2/beneficiaries", &alice, &payee).await;
        assert_eq!(created.status, 201);
        let expected = if fixed_mode { "PENDING_VERIFICATION" } else { "ACTIVE" };
        assert_eq!(created.json["status"], expected);

        // bola-write: bob deletes alice's payee.
        let id = created.json["beneficiaryId"].as_str().unwrap().to_owned();
        let delete = api
            .call("DELETE", &format!("/v2/beneficiaries/{id}"), &[("Authorization", &bearer(&bob))], None)
            .await;
        let listed = api.get("/v2/beneficiaries", &alice).await;
        let still_there =
            listed.json["data"].as_array().unwrap().iter().any(|b| b["beneficiaryId"] == id.as_str());
        if fixed_mode {
            assert_eq!((delete.status, still_there), (404, true));
        } else {
            assert_eq!((delete.status, still_there), (204, false));
        }

        // excessive-data-exposure: the card detail.
        let cards = api.get("/v2/cards", &alice).await;
        let card_id = cards.json["data"][0]["cardId"].as_str().unwrap().to_owned();
        let card = api.get(&format!("/v2/cards/{card_id}"), &alice).await;
        assert_eq!(card.status, 200);
        assert!(card.json["maskedPan"].as_str().unwrap().contains("****"));
        assert_eq!(card.json.get("pan").is_some(), !fixed_mode, "{}", card.json);

        // bfla-admin and the internal area.
        let lookup = format!("/internal/admin/users/{username}");
        let as_customer = api.call("GET", &lookup, &[("Authorization", &bearer(&alice))], None).await;
        let health = api.call("GET", "/internal/health", &[], None).await;
        let no_key = api.call("GET", "/internal/admin/users", &[], None).await;
        let wrong_key =
            api.call("GET", "/internal/admin/users", &[("X-API-Key", "rk_live_guess")], None).await;
        let with_key = api.call("GET", &lookup, &[("X-API-Key", &key)], None).await;
        let health_with_key = api.call("GET", "/internal/health", &[("X-API-Key", &key)], None).await;
        assert_eq!(
            (no_key.status, wrong_key.status, with_key.status, health_with_key.status),
            (401, 401, 200, 200)
        );
        // The user list: contact data in bulk when flawed, masked and in smaller pages when fixed.
        let page =
            api.call("GET", "/internal/admin/users?page=2&page_size=50", &[("X-API-Key", &key)], None).await;
        let email = page.json["data"][0]["email"].as_str().unwrap();
        let bulk = api.call("GET", "/internal/admin/users?page_size=200", &[("X-API-Key", &key)], None).await;
        assert_eq!(email.contains("***@"), fixed_mode, "{email}");
        assert_eq!(bulk.status, if fixed_mode { 422 } else { 200 });
        if fixed_mode {
            assert_eq!((as_customer.status, health.status), (403, 401));
            let health_as_customer =
                api.call("GET", "/internal/health", &[("Authorization", &bearer(&alice))], None).await;
            assert_eq!(health_as_customer.status, 403);
        } else {
            assert_eq!((as_customer.status, health.status), (200, 200));
            assert_eq!(as_customer.json["username"], username.as_str());
        }
    }
}

#[tokio::test]
async fn cors_and_security_headers() {
    let (flawed, fixed) = pair().await;
    let evil = "https://evil.example";
    let app = "https://app.demo-bank.example";

    let token = flawed.token_for(2).await;
    let reply = flawed
        .call("GET", "/v2/customers/me", &[("Authorization", &bearer(&token)), ("Origin", evil)], None)
        .await;
    assert_eq!(reply.header("access-control-allow-origin"), Some(evil));
    assert_eq!(reply.header("access-control-allow-credentials"), Some("true"));

    let token = fixed.token_for(2).await;
    let reply = fixed
        .call("GET", "/v2/customers/me", &[("Authorization", &bearer(&token)), ("Origin", evil)], None)
        .await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.header("access-control-allow-origin").is_none()
            && reply.header("access-control-allow-credentials").is_none()
    );
    let reply = fixed
        .call("GET", "/v2/customers/me", &[("Authorization", &bearer(&token)), ("Origin", app)], None)
        .await;
    assert_eq!(reply.header("access-control-allow-origin"), Some(app));
    // The fixed profile masks the national ID.
    let customer = &fixed.state.dataset().customers[2];
    let field = customer.national_id_kind.field_name();
    let shown = reply.json[field].as_str().unwrap();
    assert!(
        shown.starts_with('*') && shown.ends_with(&customer.national_id[customer.national_id.len() - 4..])
    );

    // Every fixed response carries the security headers and no banner, errors included.
    let (_, account) = first_account(&fixed, 2);
    let auth = bearer(&token);
    for (method, path, with_token, status) in [
        ("GET", "/v2/accounts".to_owned(), true, 200),
        ("GET", "/v2/accounts".to_owned(), false, 401),
        ("GET", "/v2/no-such-thing".to_owned(), true, 404),
        ("PUT", "/v2/accounts".to_owned(), true, 405),
        ("GET", "/v1/accounts".to_owned(), true, 410),
        ("GET", format!("/v2/accounts/{account}/transactions?page=0"), true, 422),
        ("GET", "/.well-known/jwks.json".to_owned(), false, 200),
        ("GET", "/internal/health".to_owned(), false, 401),
    ] {
        let headers: &[(&str, &str)] = if with_token { &[("Authorization", auth.as_str())] } else { &[] };
        let reply = fixed.call(method, &path, headers, None).await;
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text);
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{method} {path}");
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{method} {path}");
        assert!(
            reply.header("strict-transport-security").is_some_and(|h| h.contains("max-age=")),
            "{method} {path}"
        );
        assert!(
            reply.header("server").is_none() && reply.header("x-powered-by").is_none(),
            "{method} {path}"
        );
        if status >= 400 {
            assert_eq!(reply.header("content-type"), Some("application/problem+json"), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn the_transaction_search_is_injectable_when_flawed_and_bound_when_fixed() {
    let (flawed, fixed) = pair().await;
    let data = flawed.state.dataset();
    let (index, account) = first_account(&flawed, 11);
    let own = &data.transactions[index];
    let base = format!("/v2/accounts/{account}/transactions");
    let term = own[0].description.split(' ').next().unwrap().to_lowercase();
    let expected = own
        .iter()
        .filter(|t| {
            t.description.to_lowercase().contains(&term) || t.merchant.is_some_and(|(m, _)| m == term)
        })
        .count();
    assert!(expected > 0);
    let book: usize = data.transactions.iter().map(Vec::len).sum();

    let search = async |api: &TestApi, token: &str, q: &str| {
        api.get(&format!("{base}?page_size=100&q={}", enc(q)), token).await
    };
    let flawed_token = flawed.token_for(11).await;
    let fixed_token = fixed.token_for(11).await;

    // An ordinary search: the same results in both modes, with the term kept in the links.
    let a = search(&flawed, &flawed_token, &term).await;
    let b = search(&fixed, &fixed_token, &term).await;
    assert_eq!((a.status, b.status), (200, 200), "{}", a.text);
    assert_eq!(a.json["meta"]["totalItems"], expected);
    assert_eq!(a.json["data"], b.json["data"]);
    assert!(a.json["links"]["self"].as_str().unwrap().contains(&format!("q={}", enc(&term))));

    // Flawed: a quote breaks the SQL, and SQLite says so.
    let broken = search(&flawed, &flawed_token, "'").await;
    assert_eq!(broken.status, 500);
    assert!(broken.json["detail"].as_str().unwrap().contains("unrecognized token"), "{}", broken.text);
    assert!(broken.json["query"].as_str().unwrap().starts_with("SELECT"));
    let syntax = search(&flawed, &flawed_token, "x' ORDER BY 9 --").await;
    assert_eq!(syntax.status, 500);
    assert!(
        syntax.text.contains("syntax error") || syntax.text.contains("incomplete input"),
        "{}",
        syntax.text
    );
    // Boolean payloads change the result set…
    let all = search(&flawed, &flawed_token, "x' OR '1'='1").await;
    let none = search(&flawed, &flawed_token, "x' OR '1'='2").await;
    assert_eq!(
        (all.json["meta"]["totalItems"].as_u64(), none.json["meta"]["totalItems"].as_u64()),
        (Some(own.len() as u64), Some(0))
    );
    // …and reach every customer's transactions.
    let everyone = search(&flawed, &flawed_token, "x') OR 1=1 --").await;
    assert_eq!(everyone.json["meta"]["totalItems"].as_u64(), Some(book as u64));
    assert!(everyone.json["data"].as_array().unwrap().iter().any(|t| t["accountId"] != account.as_str()));

    // Fixed: the same inputs are just search terms.
    for q in ["'", "x' ORDER BY 9 --", "x' OR '1'='1", "x') OR 1=1 --"] {
        let reply = search(&fixed, &fixed_token, q).await;
        assert_eq!(reply.status, 200, "{q}: {}", reply.text);
        assert_eq!(reply.json["meta"]["totalItems"], 0, "{q}");
    }
    assert_eq!(search(&fixed, &fixed_token, &"a".repeat(101)).await.status, 422);
}

#[tokio::test]
async fn the_statement_renderer_runs_shell_commands_only_when_flawed() {
    let (flawed, fixed) = pair().await;
    let flawed_token = flawed.token_for(14).await;
    let fixed_token = fixed.token_for(14).await;
    let statement = |format: &str| format!("/v2/statements/2024-05?format={}", enc(format));

    for (format, expect) in [
        ("json;echo R$((6*7))", "R42"),
        ("json|id", "uid=33(www-data) gid=33(www-data)"),
        ("json && whoami", "www-data"),
        ("x || id", "uid=33(www-data)"),
        ("json$(id)", "uid=33(www-data)"),
        ("json`whoami`", "www-data"),
        ("json\nuname -a", "Linux statements-"),
        ("csv;cat /etc/passwd", "root:x:0:0:root:/root:/bin/bash"),
        ("json;sleep 0", "\"yearMonth\":\"2024-05\""),
        ("json;nosuchcommand", "sh: 1: nosuchcommand: not found"),
    ] {
        let reply = flawed.get(&statement(format), &flawed_token).await;
        assert!(reply.text.contains(expect), "{format:?}: {} {}", reply.status, reply.text);
        assert!(reply.header("content-type").unwrap().starts_with("text/plain"), "{format:?}");
        let safe = fixed.get(&statement(format), &fixed_token).await;
        assert_eq!(safe.status, 400, "{format:?}: {}", safe.text);
        assert!(!safe.text.contains("uid=") && !safe.text.contains("www-data") && !safe.text.contains("R42"));
    }
    // The month is pasted into the same line.
    let reply = flawed.get(&format!("/v2/statements/{}", enc("2024-05;id")), &flawed_token).await;
    assert!(reply.text.contains("uid=33(www-data)"), "{}", reply.text);
    let reply = fixed.get(&format!("/v2/statements/{}", enc("2024-05;id")), &fixed_token).await;
    assert_eq!(reply.status, 422);

    // Ordinary requests render alike in both modes.
    for api_token in [(&flawed, &flawed_token), (&fixed, &fixed_token)] {
        let (api, token) = api_token;
        let plain = api.get("/v2/statements/2024-05", token).await;
        let json = api.get(&statement("json"), token).await;
        assert_eq!((plain.status, json.status), (200, 200));
        assert_eq!(plain.json["accounts"], json.json["accounts"]);
        let csv = api.get(&statement("csv"), token).await;
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        assert!(csv.text.starts_with("accountId,currency,"));
        let pdf = api.get(&statement("pdf"), token).await;
        assert_eq!(pdf.header("content-type"), Some("application/pdf"));
        assert!(pdf.text.starts_with("%PDF-1.4"));
        assert_eq!(api.get(&statement("xml"), token).await.status, 400);
        assert_eq!(api.get("/v2/statements/2026-13", token).await.status, 422);
        assert_eq!(api.get("/v2/statements/2099-01", token).await.status, 404);
    }
}

#[tokio::test]
async fn page_size_and_body_size_limits() {
    let (flawed, fixed) = pair().await;
    for api in [&flawed, &fixed] {
        let fixed_mode = api.state.mode() == Mode::Fixed;
        let token = api.token_for(17).await;
        let (index, account) = first_account(api, 17);
        let total = api.state.dataset().transactions[index].len();
        let base = format!("/v2/accounts/{account}/transactions");

        // unbounded-page-size: `limit` over the declared maximum of 100.
        let big = api.get(&format!("{base}?limit=500"), &token).await;
        if fixed_mode {
            assert_eq!(big.status, 400);
        } else {
            assert_eq!(big.status, 200);
            assert_eq!(big.json["meta"]["pageSize"], 500);
            assert_eq!(big.json["data"].as_array().unwrap().len(), total);
            assert!(big.json["links"]["self"].as_str().unwrap().contains("limit=500"));
        }
        let small = api.get(&format!("{base}?limit=5"), &token).await;
        assert_eq!((small.status, small.json["data"].as_array().unwrap().len()), (200, 5));
        assert_eq!(api.get(&format!("{base}?page_size=500"), &token).await.status, 422);

        // oversized-body: a payment with a huge reference.
        let huge = payment_body(api, 17, &"R".repeat(3 * 1024 * 1024));
        let reply = pay(api, &token, &huge, "big-1").await;
        let long = payment_body(api, 17, &"R".repeat(141));
        let long_reply = pay(api, &token, &long, "long-1").await;
        let fine = payment_body(api, 17, &"R".repeat(100));
        let fine_reply = pay(api, &token, &fine, "fine-1").await;
        assert_eq!(fine_reply.status, 201);
        if fixed_mode {
            assert_eq!(reply.status, 413);
            assert_eq!(reply.header("content-type"), Some("application/problem+json"));
            assert_eq!(long_reply.status, 400);
            assert_eq!(fine_reply.json["reference"].as_str().unwrap().len(), 35);
        } else {
            assert_eq!(reply.status, 201, "{}", &reply.text[..reply.text.len().min(300)]);
            assert_eq!(reply.json["reference"].as_str().unwrap().len(), 3 * 1024 * 1024);
            assert_eq!(long_reply.status, 201);
            assert_eq!(fine_reply.json["reference"].as_str().unwrap().len(), 100);
        }
    }
}

#[tokio::test]
async fn undeclared_methods_delete_and_trace() {
    let (flawed, fixed) = pair().await;
    for api in [&flawed, &fixed] {
        let fixed_mode = api.state.mode() == Mode::Fixed;
        let token = api.token_for(19).await;
        let other = api.token_for(20).await;
        let created = pay(api, &token, &payment_body(api, 19, "Dinner"), "swap-1").await;
        assert_eq!(created.status, 201);
        let path = format!("/v2/payments/{}", created.json["paymentId"].as_str().unwrap());

        // method-swap: DELETE on a payment, which the spec does not declare.
        let by_other = api.call("DELETE", &path, &[("Authorization", &bearer(&other))], None).await;
        let cancel = api.call("DELETE", &path, &[("Authorization", &bearer(&token))], None).await;
        let after = api.get(&path, &token).await;
        if fixed_mode {
            assert_eq!((by_other.status, cancel.status), (405, 405));
            assert!(cancel.header("allow").is_some_and(|a| a.contains("GET")), "{:?}", cancel.headers);
            assert_eq!(after.json["status"], "COMPLETED");
        } else {
            assert_eq!((by_other.status, cancel.status), (404, 204));
            assert_eq!(after.json["status"], "CANCELLED");
        }

        // trace-method: TRACE echoes the request, credentials included.
        let headers = [("Authorization", "Bearer very-secret-token"), ("Cookie", "session=abc123")];
        for path in ["/v2/accounts", "/no/such/path"] {
            let trace = api.call("TRACE", path, &headers, None).await;
            if fixed_mode {
                assert_eq!(trace.status, 405, "{path}");
                assert!(!trace.text.contains("very-secret-token"));
            } else {
                assert_eq!(trace.status, 200, "{path}");
                assert_eq!(trace.header("content-type"), Some("message/http"));
                assert!(trace.text.starts_with(&format!("TRACE {path} HTTP/1.1\r\n")), "{}", trace.text);
                assert!(trace.text.contains("authorization: Bearer very-secret-token"));
                assert!(trace.text.contains("cookie: session=abc123"));
            }
        }
    }
}

/// A plain HTTP listener on loopback that records the request heads it gets and answers 200.
async fn callback_listener() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    if socket.readable().await.is_err() {
                        return;
                    }
                    match socket.try_read(&mut buf) {
                        Ok(0) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                        Err(_) => return,
                    }
                }
                log.lock().unwrap().push(String::from_utf8_lossy(&head).into_owned());
                let answer: &[u8] =
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\ninternal-data";
                let mut written = 0;
                while written < answer.len() {
                    if socket.writable().await.is_err() {
                        return;
                    }
                    match socket.try_write(&answer[written..]) {
                        Ok(n) => written += n,
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                        Err(_) => return,
                    }
                }
            });
        }
    });
    (port, seen)
}

#[tokio::test]
async fn webhook_registration_calls_any_callback_only_when_flawed() {
    let (flawed, fixed) = pair().await;
    let (port, seen) = callback_listener().await;
    let register = async |api: &TestApi, token: &str, url: String| {
        api.send_json("POST", "/v2/webhooks", token, &json!({"callbackUrl": url})).await
    };

    let token = flawed.token_for(25).await;
    let reply = register(&flawed, &token, format!("http://127.0.0.1:{port}/latest/meta-data/iam")).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json["verification"]["status"], 200);
    assert_eq!(reply.json["verification"]["bodyPreview"], "internal-data");
    let heads = seen.lock().unwrap().clone();
    assert_eq!(heads.len(), 1);
    assert!(heads[0].starts_with("GET /latest/meta-data/iam HTTP/1.1\r\n"), "{}", heads[0]);
    // The bank's own internal area, through its own webhook verifier.
    let own = register(&flawed, &token, format!("{}/internal/health", flawed.base)).await;
    assert_eq!(own.json["verification"]["status"], 200);
    assert!(own.json["verification"]["bodyPreview"].as_str().unwrap().contains("\"version\":\"2.14.3\""));
    // A closed port: the error tells it apart from an open one.
    let closed = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let refused = register(&flawed, &token, format!("http://127.0.0.1:{closed}/")).await;
    assert_eq!(refused.status, 201);
    assert!(refused.json["verification"]["status"].is_null());
    assert!(!refused.json["verification"]["error"].as_str().unwrap().is_empty());
    // Reserved documentation names are registered without a call, as they always were.
    let plain = register(&flawed, &token, "https://hooks.budget-buddy.example/x".into()).await;
    assert_eq!(plain.status, 201);
    assert!(plain.json.get("verification").is_none());

    // Fixed: https to public addresses only, and nothing is ever called.
    let token = fixed.token_for(25).await;
    for url in [
        format!("http://127.0.0.1:{port}/latest/meta-data/iam"),
        format!("https://127.0.0.1:{port}/"),
        "https://localhost/hook".to_owned(),
        "https://169.254.169.254/latest/meta-data/".to_owned(),
        "https://[::1]/hook".to_owned(),
        "https://[::ffff:10.0.0.1]/hook".to_owned(),
        "https://2130706433/hook".to_owned(),
        "https://user@127.0.0.1/hook".to_owned(),
        "ftp://93.184.215.14/hook".to_owned(),
    ] {
        let reply = register(&fixed, &token, url.clone()).await;
        assert_eq!(reply.status, 400, "{url}: {}", reply.text);
        assert_eq!(reply.header("content-type"), Some("application/problem+json"));
    }
    let public = register(&fixed, &token, "https://93.184.215.14/hooks/demo-bank".into()).await;
    assert_eq!(public.status, 201, "{}", public.text);
    assert!(public.json.get("verification").is_none());
    assert_eq!(seen.lock().unwrap().len(), 1, "the fixed bank called a callback");
}

#[tokio::test]
async fn the_identities_file_is_the_generators_output_and_its_logins_work() {
    let committed = include_str!("../../../examples/scan/demo-identities.toml");
    let generated =
        rampart_demo::identities::identities_toml(&rampart_demo::data::Dataset::generate(42, 300));
    assert_eq!(committed, generated, "rerun `rampart-demo identities > examples/scan/demo-identities.toml`");
    assert!(
        committed
            .starts_with("# Identities for `rampart scan` against the demo bank (seed 42, 300 customers).")
    );
    assert_eq!(committed.matches("[[identity]]").count(), 3);
    assert!(committed.contains("role = \"admin\"\napi_key = { header = \"X-API-Key\", value = \"rk_live_"));

    // The same file for the test book: its logins and key work in both modes.
    let (flawed, fixed) = pair().await;
    for api in [&flawed, &fixed] {
        let data = api.state.dataset();
        let toml = rampart_demo::identities::identities_toml(data);
        let (client_id, secret, _) = &data.clients[0];
        assert!(toml.contains(&format!("client_id = \"{client_id}\", client_secret = \"{secret}\"")));
        for customer in &data.customers[..2] {
            assert!(toml.contains(&format!(
                "username = \"{}\"\npassword = \"{}\"\n",
                customer.username, customer.password
            )));
            let login = password_grant(api, &customer.username, &customer.password).await;
            assert_eq!(login.status, 200);
            assert!(login.json["access_token"].is_string());
        }
        assert!(toml.contains(&data.ops_api_key));
        let admin = api.call("GET", "/internal/admin/users", &[("X-API-Key", &data.ops_api_key)], None).await;
        assert_eq!(admin.status, 200);
    }
}

#[test]
fn the_scan_ground_truth_names_every_class_once_per_instance() {
    let flaws = rampart_demo::scan_planted_flaws();
    let unique: BTreeSet<_> = flaws.iter().collect();
    assert_eq!(unique.len(), flaws.len(), "duplicates");
    let classes: BTreeSet<&str> = flaws.iter().map(|f| f.1).collect();
    let known: BTreeSet<&str> = rampart_demo::SCAN_FLAW_CLASSES.into_iter().collect();
    assert_eq!(classes, known, "every class has an instance, and no other class is used");
    let routes: BTreeSet<(&str, &str)> = rampart_demo::routes().into_iter().collect();
    for (owasp, class, method, template) in &flaws {
        let category = owasp.strip_prefix("API").and_then(|n| n.parse::<u8>().ok());
        assert!(category.is_some_and(|n| (1..=10).contains(&n)), "{owasp} {class}");
        let hidden = [("DELETE", "/v2/payments/{paymentId}"), ("TRACE", "*")];
        assert!(
            routes.contains(&(*method, *template)) || hidden.contains(&(*method, *template)),
            "{method} {template}"
        );
    }
    // The injection classes sit on the parameters the spec declares for them.
    let spec =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/bank-api.openapi.yaml"))
            .unwrap();
    for parameter in ["name: q", "name: limit", "name: format", "name: sort"] {
        assert!(spec.contains(parameter), "{parameter}");
    }
}
