//! A realistic stream of exchanges for one endpoint, recorded end to end.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_core::{AuthKind, Endpoint, EndpointKey, Exchange, StringFormat};
use rampart_discovery::auth::{classify, identity};
use rampart_discovery::record::{RecordConfig, record_exchange, response_shape};

fn jwt(sub: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":"k1"}"#);
    let payload = URL_SAFE_NO_PAD.encode(format!(
        r#"{{"iss":"https://idp.bank.example","sub":"{sub}","iat":1764400000,"exp":1764401800}}"#
    ));
    format!("{header}.{payload}.c2lnbmF0dXJl")
}

fn transactions_call(
    minute: u32,
    sub: &str,
    account: &str,
    page: Option<u32>,
    body: &str,
    status: u16,
) -> Exchange {
    let query = page.map(|p| format!(r#","query":[["page","{p}"],["size","20"]]"#)).unwrap_or_default();
    let line = format!(
        r#"{{"v":1,"started_at":"2026-11-29T10:{minute:02}:00Z","duration_ms":{ms},
        "request":{{"method":"GET","host":"api.bank.example","path":"/v2/accounts/{account}/transactions"{query},
          "headers":[["Authorization","Bearer {token}"],["Accept","application/json"],
                     ["X-Request-Id","req-{minute}"],["User-Agent","BankApp/5.1 (iOS)"]]}},
        "response":{{"status":{status},"headers":[["Content-Type","application/json; charset=utf-8"]],
          "body":{{"text":{body}}}}}}}"#,
        ms = 20 + minute,
        token = jwt(sub),
        body = serde_json::to_string(body).unwrap(),
    );
    serde_json::from_str(&line).unwrap()
}

#[test]
fn records_a_stream_of_transaction_listings() {
    let page1 = r#"{"accountId":"8812345","transactions":[
        {"id":"TX1","amount":-42.5,"currency":"SGD","bookedAt":"2026-11-29T10:00:00Z","merchant":{"name":"GRAB","mcc":"4121"}},
        {"id":"TX2","amount":2500,"currency":"SGD","bookedAt":"2026-11-28T09:30:00+08:00","merchant":null}],
        "nextPage":2}"#;
    let page2 = r#"{"accountId":"8812345","transactions":[
        {"id":"TX3","amount":-12.9,"currency":"SGD","bookedAt":"2026-11-27T19:12:44Z"}],"nextPage":null}"#;
    let empty = r#"{"accountId":"7700001","transactions":[]}"#;
    let not_found =
        r#"{"type":"https://bank.example/problems/not-found","title":"Account not found","status":404}"#;
    let stream = [
        transactions_call(0, "cust-1", "8812345", Some(1), page1, 200),
        transactions_call(1, "cust-1", "8812345", Some(2), page2, 200),
        transactions_call(2, "cust-2", "7700001", None, empty, 200),
        transactions_call(3, "cust-2", "8812345", None, not_found, 404),
    ];

    let mut ep = Endpoint::new(EndpointKey {
        host: "api.bank.example".into(),
        method: "GET".into(),
        path_template: "/v2/accounts/{accountId}/transactions".into(),
    });
    let cfg = RecordConfig::default();
    for ex in &stream {
        record_exchange(&mut ep, ex, &cfg);
    }

    assert_eq!(ep.calls, 4);
    assert_eq!(ep.success_calls(), 3);
    assert_eq!(ep.statuses.get(&404), Some(&1));
    assert_eq!(ep.first_seen, Some("2026-11-29T10:00:00Z".parse().unwrap()));
    assert_eq!(ep.last_seen, Some("2026-11-29T10:03:00Z".parse().unwrap()));
    assert_eq!(ep.latency.count(), 4);
    assert_eq!(ep.api_versions.get("v2"), Some(&4));
    assert_eq!(ep.response_content_types.get("application/json"), Some(&4));

    // Auth: one JWT scheme, decoded claims summarised.
    assert_eq!(ep.auth.schemes.len(), 1);
    assert_eq!(ep.auth.schemes[0].kind, AuthKind::BearerJwt);
    let jwt_obs = ep.auth.jwt.as_ref().unwrap();
    assert_eq!((jwt_obs.tokens, jwt_obs.with_exp, jwt_obs.max_lifetime_secs), (4, 4, Some(1800)));
    assert_eq!(jwt_obs.issuers.get("https://idp.bank.example"), Some(&4));
    assert_eq!(identity(&classify(&stream[0].request)).as_deref(), Some("jwt:cust-1"));

    // Parameters: `page` is optional (2 of 4 calls), only non-standard headers kept.
    assert_eq!(ep.query_params["page"].seen, 2);
    assert!(ep.query_params["size"].schema.integer.is_some());
    assert_eq!(ep.header_params.keys().collect::<Vec<_>>(), ["x-request-id"]);
    assert_eq!(ep.header_params["x-request-id"].seen, ep.calls);

    // Response schemas per status.
    let ok = &ep.responses[&200]["application/json"];
    let root = ok.object.as_ref().unwrap();
    assert_eq!(root.count, 3);
    assert_eq!(root.properties["accountId"].seen, 3);
    assert_eq!(root.properties["nextPage"].seen, 2);
    let next = &root.properties["nextPage"];
    assert_eq!((next.null, next.integer.as_ref().map(|n| n.count)), (1, Some(1)));
    let txs = root.properties["transactions"].array.as_ref().unwrap();
    assert_eq!((txs.count, txs.min_items, txs.max_items), (3, 0, 2));
    let tx = txs.items.object.as_ref().unwrap();
    assert_eq!(tx.count, 3);
    assert_eq!(tx.properties["merchant"].seen, 2, "merchant is optional");
    let amount = &tx.properties["amount"];
    assert_eq!(amount.integer.as_ref().map(|n| n.count), Some(1));
    assert_eq!(amount.number.as_ref().map(|n| (n.count, n.min)), Some((2, -42.5)));
    let booked = tx.properties["bookedAt"].string.as_ref().unwrap();
    assert_eq!(booked.common_format(), Some(StringFormat::DateTime));
    let problem = ep.responses[&404]["application/json"].object.as_ref().unwrap();
    assert!(problem.properties.contains_key("title"));

    assert_eq!(response_shape(&ep), "accountId,nextPage,transactions");
    assert_eq!(ep.unparsed_bodies, 0);

    // What is stored never holds a raw credential.
    let stored = serde_json::to_string(&ep).unwrap();
    assert!(!stored.contains(&jwt("cust-1")));

    // Recording in two halves and merging gives the same endpoint as recording in one go.
    let mut first = Endpoint::new(ep.key.clone());
    let mut second = Endpoint::new(ep.key.clone());
    for ex in &stream[..2] {
        record_exchange(&mut first, ex, &cfg);
    }
    for ex in &stream[2..] {
        record_exchange(&mut second, ex, &cfg);
    }
    first.merge(&second);
    assert_eq!(first.calls, ep.calls);
    assert_eq!(first.responses, ep.responses);
    assert_eq!(first.query_params, ep.query_params);
}
