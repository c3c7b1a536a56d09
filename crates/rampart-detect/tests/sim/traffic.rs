//! Building exchanges: who sends (client + headers), what is called, and the output stream.

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use rampart_core::{Body, Client, Exchange, Request, Response, Source, SourceKind};
use rampart_detect::ClientKey;

use super::bank::{self, Bank, HOST};
use super::util::{Rng, base64url, fingerprint};

/// The sender of a request: its client record and the headers it sends every time.
#[derive(Debug, Clone)]
pub struct Who {
    pub ip: IpAddr,
    pub identity: Option<String>,
    /// Token fingerprint (32 hex chars), also set as `client.credential` when the field exists.
    pub credential: Option<String>,
    pub client: Client,
    pub headers: Vec<(String, String)>,
}

/// Builds a [`Client`] through serde so that `credential` is set when `rampart_core::Client` has
/// the field and silently ignored while it does not: the simulator compiles either way.
pub fn make_client(ip: IpAddr, identity: Option<&str>, credential: Option<&str>) -> Client {
    let mut map = serde_json::Map::new();
    map.insert("ip".into(), serde_json::Value::String(ip.to_string()));
    if let Some(identity) = identity {
        map.insert("identity".into(), serde_json::Value::String(identity.to_owned()));
    }
    if let Some(credential) = credential {
        map.insert("credential".into(), serde_json::Value::String(credential.to_owned()));
    }
    serde_json::from_value(serde_json::Value::Object(map)).expect("a valid client record")
}

/// Whether `rampart_core::Client` carries the credential fingerprint yet.
pub fn credential_supported() -> bool {
    let client = make_client(IpAddr::from([192, 0, 2, 1]), None, Some("00112233445566778899aabbccddeeff"));
    serde_json::to_value(&client).map(|v| v.get("credential").is_some()).unwrap_or(false)
}

impl Who {
    pub fn anon(ip: IpAddr, ua: &str) -> Who {
        Who {
            ip,
            identity: None,
            credential: None,
            client: make_client(ip, None, None),
            headers: vec![("user-agent".into(), ua.into()), ("accept".into(), "application/json".into())],
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Who {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The same sender from another address (a phone moving from mobile data to Wi-Fi).
    pub fn moved_to(&self, ip: IpAddr) -> Who {
        let mut who = self.clone();
        who.ip = ip;
        who.client = make_client(ip, who.identity.as_deref(), who.credential.as_deref());
        who
    }

    /// This sender presenting a bearer token.
    pub fn bearer(&self, identity: &str, token: &str) -> Who {
        let fp = fingerprint(token);
        let mut headers: Vec<(String, String)> =
            self.headers.iter().filter(|(n, _)| !n.eq_ignore_ascii_case("authorization")).cloned().collect();
        headers.push(("authorization".into(), format!("Bearer {token}")));
        Who {
            ip: self.ip,
            identity: Some(identity.to_owned()),
            client: make_client(self.ip, Some(identity), Some(&fp)),
            credential: Some(fp),
            headers,
        }
    }

    /// The bearer token this sender presents.
    pub fn token(&self) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == "authorization").and_then(|(_, v)| v.strip_prefix("Bearer "))
    }

    /// This sender presenting an API key (masked in the capture, as the gateway's tap does).
    pub fn api_key(&self, identity: &str, key: &str) -> Who {
        let fp = fingerprint(key);
        let mut headers = self.headers.clone();
        headers.push(("x-api-key".into(), "<redacted>".into()));
        Who {
            ip: self.ip,
            identity: Some(identity.to_owned()),
            client: make_client(self.ip, Some(identity), Some(&fp)),
            credential: Some(fp),
            headers,
        }
    }
}

/// One call and its answer.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: &'static str,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<String>,
    pub status: u16,
    pub resp: Option<String>,
    pub ms: Option<f64>,
}

impl Call {
    pub fn new(method: &'static str, path: impl Into<String>) -> Call {
        Call { method, path: path.into(), query: Vec::new(), body: None, status: 200, resp: None, ms: None }
    }
    pub fn get(path: impl Into<String>) -> Call {
        Call::new("GET", path)
    }
    pub fn post(path: impl Into<String>, body: impl Into<String>) -> Call {
        let mut call = Call::new("POST", path);
        call.body = Some(body.into());
        call
    }
    pub fn q(mut self, name: &str, value: impl Into<String>) -> Call {
        self.query.push((name.into(), value.into()));
        self
    }
    pub fn answer(mut self, status: u16, body: impl Into<String>) -> Call {
        self.status = status;
        self.resp = Some(body.into());
        self
    }
    pub fn status(mut self, status: u16) -> Call {
        self.status = status;
        self
    }
    pub fn took(mut self, ms: f64) -> Call {
        self.ms = Some(ms);
        self
    }
}

/// The stream being generated (sorted by time at the end).
pub struct Out {
    pub start: DateTime<Utc>,
    pub exchanges: Vec<Exchange>,
}

impl Out {
    pub fn new(start: DateTime<Utc>) -> Out {
        Out { start, exchanges: Vec::with_capacity(64 * 1024) }
    }

    pub fn emit(&mut self, at_ms: i64, who: &Who, call: Call) {
        let n = self.exchanges.len() as u64;
        let mut headers = who.headers.clone();
        if call.body.is_some() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        // Deterministic, cheap latency: 15..~250 ms.
        let jitter = (at_ms as u64 ^ n.wrapping_mul(0x9E37_79B9)).wrapping_mul(0x2545_F491_4F6C_DD1D) >> 54;
        let duration = call.ms.unwrap_or(15.0 + jitter as f64 / 4.4);
        let response = Response {
            status: call.status,
            headers: if call.resp.is_some() {
                vec![("content-type".into(), "application/json".into())]
            } else {
                Vec::new()
            },
            body: call.resp.map(Body::from_text),
        };
        self.exchanges.push(Exchange {
            v: 1,
            id: None,
            started_at: self.start + Duration::milliseconds(at_ms),
            duration_ms: Some(duration),
            client: who.client.clone(),
            source: Source { kind: SourceKind::Gateway, name: Some("edge-1".into()), entry: None },
            request: Request {
                method: call.method.into(),
                scheme: "https".into(),
                host: HOST.into(),
                path: call.path,
                query: call.query,
                headers,
                body: call.body.map(Body::from_text),
            },
            response: Some(response),
        });
    }
}

/// Emits into an [`Out`] and records the client keys and the time span of what it emitted:
/// one sink for the benign traffic, one per attack (its ground truth).
pub struct Sink<'a> {
    pub out: &'a mut Out,
    pub keys: BTreeSet<ClientKey>,
    pub first_ms: i64,
    pub last_ms: i64,
    pub count: usize,
}

impl<'a> Sink<'a> {
    pub fn new(out: &'a mut Out) -> Sink<'a> {
        Sink { out, keys: BTreeSet::new(), first_ms: i64::MAX, last_ms: i64::MIN, count: 0 }
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.out.start
    }

    pub fn emit(&mut self, at_ms: i64, who: &Who, call: Call) {
        self.keys.insert(ClientKey::Ip(who.ip));
        if let Some(identity) = &who.identity {
            self.keys.insert(ClientKey::Identity(identity.clone()));
        }
        if let Some(fp) = &who.credential {
            self.keys.insert(ClientKey::Token(fp.clone()));
        }
        self.first_ms = self.first_ms.min(at_ms);
        self.last_ms = self.last_ms.max(at_ms);
        self.count += 1;
        self.out.emit(at_ms, who, call);
    }

    pub fn username(&mut self, username: &str) {
        self.keys.insert(ClientKey::Username(username.to_ascii_lowercase()));
    }
}

const JWT_HEADER: &str = r#"{"alg":"RS256","kid":"2025-01","typ":"JWT"}"#;
pub const TOKEN_TTL_MS: i64 = 900_000;

/// A JWT-like access token as the tap records it: header and claims kept, signature masked.
pub fn make_token(rng: &mut Rng, out_start: DateTime<Utc>, at_ms: i64, sub: &str, scope: &str) -> String {
    let iat = out_start.timestamp() + at_ms / 1000;
    let claims = format!(
        r#"{{"iss":"https://auth.bank.example","sub":"{sub}","aud":"open-banking","iat":{iat},"exp":{},"jti":"{}","scope":"{scope}"}}"#,
        iat + TOKEN_TTL_MS / 1000,
        rng.hex(16)
    );
    format!("{}.{}.redacted", base64url(JWT_HEADER.as_bytes()), base64url(claims.as_bytes()))
}

/// A logged-in session: the sender with its token.
#[derive(Debug, Clone)]
pub struct Session {
    pub who: Who,
    pub customer: usize,
    pub issued_ms: i64,
}

impl Session {
    pub fn expired(&self, at_ms: i64) -> bool {
        at_ms - self.issued_ms > TOKEN_TTL_MS - 30_000
    }
}

pub fn login_body(username: &str, password: &str) -> String {
    format!(r#"{{"username":"{username}","password":"{password}"}}"#)
}

/// A successful login of customer `c`; returns the session with its fresh token.
pub fn login_ok(out: &mut Sink, rng: &mut Rng, bank: &Bank, at_ms: i64, who: &Who, c: usize) -> Session {
    let customer = &bank.customers[c];
    let who = login_as(
        out,
        rng,
        at_ms,
        who,
        &customer.sub,
        &customer.username,
        &customer.password,
        "accounts:read transfers:write",
    );
    Session { who, customer: c, issued_ms: at_ms }
}

/// A successful login of any subject; returns the sender with its bearer token.
#[allow(clippy::too_many_arguments)]
pub fn login_as(
    out: &mut Sink,
    rng: &mut Rng,
    at_ms: i64,
    who: &Who,
    sub: &str,
    username: &str,
    password: &str,
    scope: &str,
) -> Who {
    let token = make_token(rng, out.start(), at_ms, sub, scope);
    out.username(username);
    let resp = format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":900}}"#);
    out.emit(
        at_ms,
        who,
        Call::post("/api/v1/auth/login", login_body(username, password)).answer(200, resp).took(180.0),
    );
    who.bearer(&format!("jwt:{sub}"), &token)
}

/// A failed login for `username`.
pub fn login_fail(out: &mut Sink, at_ms: i64, who: &Who, username: &str, password: &str) {
    out.username(username);
    out.emit(
        at_ms,
        who,
        Call::post("/api/v1/auth/login", login_body(username, password))
            .answer(401, bank::BAD_CREDENTIALS)
            .took(160.0),
    );
}

/// A wrong password a person types (a near miss of the real one).
pub fn typo(rng: &mut Rng, password: &str) -> String {
    let mut p: Vec<char> = password.chars().collect();
    let i = rng.index(p.len());
    p[i] = char::from(b'a' + rng.below(26) as u8);
    p.into_iter().collect()
}
