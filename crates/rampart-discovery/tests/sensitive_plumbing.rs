//! Discovery hands every recorded value to the sensitive-data engine, with its field name, and
//! keeps what it says: per field (schema nodes), per endpoint (accepted, returned, to whom, in bulk).

use std::sync::{Arc, Mutex};

use rampart_core::{Endpoint, EndpointKey, Exchange, SensitiveType};
use rampart_discovery::{RecordConfig, ValueClassifier, record_exchange};

/// A stand-in engine: an NRIC is `S`/`T` + 7 digits + a letter; account numbers are 12 digits
/// under an `account` field. It remembers the field names it was asked about.
#[derive(Default)]
struct FakeEngine {
    fields: Mutex<Vec<Option<String>>>,
    contexts: Mutex<Vec<(Option<String>, Option<String>)>>,
}

impl ValueClassifier for FakeEngine {
    fn classify(
        &self,
        field: Option<&str>,
        context: Option<&str>,
        value: &str,
        found: &mut Vec<SensitiveType>,
    ) {
        self.fields.lock().unwrap().push(field.map(str::to_owned));
        self.contexts.lock().unwrap().push((field.map(str::to_owned), context.map(str::to_owned)));
        let b = value.as_bytes();
        if b.len() == 9 && matches!(b[0], b'S' | b'T') && b[1..8].iter().all(u8::is_ascii_digit) {
            found.push(SensitiveType::SgNric);
        }
        if b.len() == 12 && b.iter().all(u8::is_ascii_digit) && field.is_some_and(|f| f.contains("account")) {
            found.push(SensitiveType::BankAccount);
        }
    }

    fn mask(&self, _kind: SensitiveType, value: &str) -> String {
        format!("*****{}", &value[value.len().saturating_sub(4)..])
    }
}

fn exchange(json: serde_json::Value) -> Exchange {
    serde_json::from_value(json).unwrap()
}

fn endpoint() -> Endpoint {
    Endpoint::new(EndpointKey {
        host: "api.bank.example".into(),
        method: "GET".into(),
        path_template: "/x".into(),
    })
}

#[test]
fn fields_endpoints_and_exposure_carry_what_the_engine_found() {
    let engine = Arc::new(FakeEngine::default());
    let cfg = RecordConfig { classifier: Some(engine.clone()), ..RecordConfig::default() };
    let body = r#"{"customers":[{"nric":"S1234567D","accountNumber":123456789012},{"nric":"T7654321J","accountNumber":210987654321}],"count":2}"#;
    let ex = exchange(serde_json::json!({
        "started_at": "2026-11-29T10:00:00Z",
        "request": {"method": "GET", "host": "api.bank.example", "path": "/x", "query": [["nric", "S7777777A"]]},
        "response": {"status": 200, "headers": [["Content-Type", "application/json"]], "body": {"text": body}}
    }));
    let mut ep = endpoint();
    record_exchange(&mut ep, &ex, &cfg);

    let root = &ep.responses[&200]["application/json"];
    let item = &root.object.as_ref().unwrap().properties["customers"].array.as_ref().unwrap().items;
    let props = &item.object.as_ref().unwrap().properties;
    assert_eq!(props["nric"].sensitive[&SensitiveType::SgNric], 2);
    assert_eq!(
        props["accountNumber"].sensitive[&SensitiveType::BankAccount],
        2,
        "long JSON numbers are classified"
    );
    let examples = &props["nric"].string.as_ref().unwrap().examples;
    assert!(examples.iter().all(|e| e.starts_with("*****")), "the engine masks examples: {examples:?}");
    assert!(!examples.iter().any(|e| e.contains("1234567")));

    assert_eq!(ep.query_params["nric"].schema.sensitive[&SensitiveType::SgNric], 1);
    assert_eq!(ep.sensitive.accepted[&SensitiveType::SgNric], 1);
    assert_eq!(ep.sensitive.returned[&SensitiveType::SgNric], 1, "once per call");
    assert_eq!(ep.sensitive.returned_unauthenticated[&SensitiveType::SgNric], 1, "no credential was sent");
    assert_eq!(ep.sensitive.returned_in_bulk[&SensitiveType::SgNric], 1, "two records in an array");

    let fields = engine.fields.lock().unwrap();
    assert!(fields.contains(&Some("nric".to_owned())));
    assert!(fields.contains(&Some("accountNumber".to_owned())));
    let contexts = engine.contexts.lock().unwrap();
    assert!(
        contexts.contains(&(Some("nric".to_owned()), Some("customers".to_owned()))),
        "members of a list are classified with the list's name: {contexts:?}"
    );
    assert!(
        contexts.contains(&(Some("nric".to_owned()), None)),
        "the query parameter has no list: {contexts:?}"
    );
}

#[test]
fn one_record_to_an_authenticated_caller_is_neither_bulk_nor_unauthenticated() {
    let cfg = RecordConfig { classifier: Some(Arc::new(FakeEngine::default())), ..RecordConfig::default() };
    let ex = exchange(serde_json::json!({
        "started_at": "2026-11-29T10:00:00Z",
        "request": {"method": "GET", "host": "api.bank.example", "path": "/x",
                    "headers": [["Authorization", "Basic YWxpY2U6c2VjcmV0"]]},
        "response": {"status": 200, "headers": [["Content-Type", "application/json"]],
                     "body": {"text": "{\"owner\":{\"nric\":\"S1234567D\"},\"tags\":[\"a\",\"b\"]}"}}
    }));
    let mut ep = endpoint();
    record_exchange(&mut ep, &ex, &cfg);
    assert_eq!(ep.sensitive.returned[&SensitiveType::SgNric], 1);
    assert!(ep.sensitive.returned_unauthenticated.is_empty());
    assert!(ep.sensitive.returned_in_bulk.is_empty());
}

#[test]
fn without_an_engine_nothing_is_classified() {
    let ex = exchange(serde_json::json!({
        "started_at": "2026-11-29T10:00:00Z",
        "request": {"method": "GET", "host": "api.bank.example", "path": "/x"},
        "response": {"status": 200, "headers": [["Content-Type", "application/json"]], "body": {"text": "{\"nric\":\"S1234567D\"}"}}
    }));
    let mut ep = endpoint();
    record_exchange(&mut ep, &ex, &RecordConfig::default());
    assert!(ep.sensitive.is_empty());
}
