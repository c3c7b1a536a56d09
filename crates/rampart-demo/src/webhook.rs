//! Webhook callback URLs: the flawed mode's verification call at registration (a planted SSRF)
//! and the fixed mode's check that a callback can only ever reach the public internet.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use axum::http::Uri;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

/// How long the verification call, or the fixed mode's name lookup, may take.
pub const CALLBACK_TIMEOUT: Duration = Duration::from_secs(2);
/// How much of the callback's answer the verification reads.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// How much of it the registration reports.
const PREVIEW_CHARS: usize = 512;

/// The parts of a callback URL that matter here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    pub host: String,
    pub port: u16,
    /// Whether the authority carried user information (`user@host`).
    pub userinfo: bool,
}

/// Reads `url` as an absolute http(s) URL.
pub fn target(url: &str) -> Option<Target> {
    let uri: Uri = url.parse().ok()?;
    let https = match uri.scheme_str()? {
        "https" => true,
        "http" => false,
        _ => return None,
    };
    let authority = uri.authority()?;
    let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_owned();
    if host.is_empty() {
        return None;
    }
    let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
    Some(Target { https, host, port, userinfo: authority.as_str().contains('@') })
}

/// Names under the reserved `.example` and `.invalid` top-level domains (RFC 2606, RFC 6761),
/// which never resolve: the demo does not try to call them.
pub fn is_reserved_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    ["example", "invalid"].iter().any(|tld| host == *tld || host.ends_with(&format!(".{tld}")))
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && (c == 0 || c == 2))
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || a >= 224)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return public_v4(v4);
    }
    let s = ip.segments();
    // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses carry an IPv4 address.
    if s[..6] == [0; 6] || (s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4]) {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return public_v4(Ipv4Addr::new(a, b, c, d));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local, fd00:ec2::254 (cloud metadata) among them
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] < 0x0200) // IETF protocol assignments, Teredo
        || (s[0] == 0x0100 && s[1..4] == [0; 3])) // discard
}

/// Whether `ip` is a public internet address: not loopback, private, link-local (the cloud
/// metadata service at 169.254.169.254 among them), shared, documentation, multicast or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

/// The fixed mode's check: `url` is https, names a host that resolves, and every address it
/// resolves to is public. Nothing is fetched. The error is the client-facing reason.
pub async fn check_public_https(url: &str) -> Result<(), String> {
    let Some(target) = target(url) else {
        return Err("callbackUrl must be an absolute https URL".into());
    };
    if !target.https {
        return Err("callbackUrl must use https".into());
    }
    if target.userinfo {
        return Err("callbackUrl must not carry user information".into());
    }
    let lookup = tokio::net::lookup_host((target.host.as_str(), target.port));
    let addresses: Vec<IpAddr> = match tokio::time::timeout(CALLBACK_TIMEOUT, lookup).await {
        Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
        _ => return Err("callbackUrl host does not resolve".into()),
    };
    if addresses.is_empty() {
        return Err("callbackUrl host does not resolve".into());
    }
    if addresses.iter().any(|ip| !is_public(*ip)) {
        return Err(
            "callbackUrl must not point to a private, loopback, link-local or metadata address".into()
        );
    }
    Ok(())
}

/// PLANTED FLAW (issue 6): the flawed registration "verifies" the callback by calling it from
/// the bank's own network — any host, loopback and the metadata service included, following
/// whatever name resolution says — and reports what came back: its status, its content type and
/// the start of its body (class `ssrf`). `https` callbacks are called without TLS (the demo
/// has no TLS client); the answer says so.
pub async fn verify(url: &str, webhook_id: &str) -> Value {
    let mut report = json!({"url": url});
    let result = tokio::time::timeout(CALLBACK_TIMEOUT, fetch(url, webhook_id)).await;
    let fields = match result {
        Ok(Ok((status, content_type, preview))) => json!({
            "status": status,
            "contentType": content_type,
            "bodyPreview": preview,
        }),
        Ok(Err(error)) => json!({"status": null, "error": error}),
        Err(_) => {
            json!({"status": null, "error": format!("timed out after {} s", CALLBACK_TIMEOUT.as_secs())})
        }
    };
    if let (Some(obj), Value::Object(more)) = (report.as_object_mut(), fields) {
        obj.extend(more);
        if url.starts_with("https://") {
            obj.insert("note".into(), json!("called without TLS"));
        }
    }
    report
}

async fn fetch(url: &str, webhook_id: &str) -> Result<(u16, Option<String>, String), String> {
    let mut connector = HttpConnector::new();
    connector.enforce_http(false);
    connector.set_connect_timeout(Some(CALLBACK_TIMEOUT));
    let client: Client<HttpConnector, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    // The demo has no TLS client: an https callback is called in plain HTTP on its port.
    let uri: Uri = url.parse().map_err(|e| format!("invalid callback URL: {e}"))?;
    let plain = match (uri.scheme_str(), uri.authority()) {
        (Some("https"), Some(authority)) => format!(
            "http://{}:{}{}",
            authority.host(),
            authority.port_u16().unwrap_or(443),
            uri.path_and_query().map_or("/", |pq| pq.as_str())
        ),
        _ => url.to_owned(),
    };
    let request = hyper::Request::get(plain.as_str())
        .header("user-agent", "DemoBank-Webhooks/2.14 (+https://api.demo-bank.example)")
        .header("x-demobank-event", "webhook.verification")
        .header("x-demobank-webhook-id", webhook_id)
        .body(Empty::new())
        .map_err(|e| format!("invalid callback URL: {e}"))?;
    let response = client.request(request).await.map_err(|e| {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(inner) = source {
            message.push_str(&format!(": {inner}"));
            source = inner.source();
        }
        message
    })?;
    let status = response.status().as_u16();
    let content_type =
        response.headers().get(hyper::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let preview: String = String::from_utf8_lossy(&body).chars().take(PREVIEW_CHARS).collect();
    Ok((status, content_type, preview))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_reserved_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "fd00:ec2::254",
            "fe80::1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn targets_are_read_from_urls() {
        let t = target("https://[::1]:8443/hook").unwrap();
        assert_eq!((t.https, t.host.as_str(), t.port), (true, "::1", 8443));
        assert_eq!(target("http://localhost/x").unwrap().port, 80);
        assert!(target("http://user@127.0.0.1/").unwrap().userinfo);
        assert!(target("ftp://host/").is_none());
        assert!(target("/relative").is_none());
        assert!(is_reserved_name("hooks.budget-buddy.example"));
        assert!(!is_reserved_name("127.0.0.1"));
    }
}
