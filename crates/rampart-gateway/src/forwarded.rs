//! Who the client is, and what the upstream is told about it.
//!
//! `X-Forwarded-For` and `Forwarded` are believed only from the trusted proxies in the config:
//! from anyone else they are what an attacker wants the bank to log (and to rate-limit), so they
//! are replaced. Hop-by-hop headers never cross the gateway.

use std::net::IpAddr;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use ipnet::IpNet;

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

#[derive(Debug, Clone, Default)]
pub struct Forwarding {
    trusted: Vec<IpNet>,
}

impl Forwarding {
    pub fn new(trusted: Vec<IpNet>) -> Forwarding {
        Forwarding { trusted }
    }

    fn is_trusted(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy — then the nearest
    /// address in `X-Forwarded-For` that is not itself a trusted proxy (walking from the right,
    /// since only the entries our own proxies appended can be believed).
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.is_trusted(peer) {
            return peer;
        }
        let mut client = peer;
        for value in headers.get_all(&X_FORWARDED_FOR).iter().rev() {
            let Ok(text) = value.to_str() else { return client };
            for entry in text.rsplit(',') {
                let Some(ip) = parse_forwarded_address(entry) else { return client };
                client = ip;
                if !self.is_trusted(ip) {
                    return client;
                }
            }
        }
        client
    }

    /// Rewrites the request headers for the upstream: hop-by-hop headers removed, the client
    /// appended to `X-Forwarded-For` (which is reset when the peer is not trusted), and
    /// `X-Forwarded-Proto`, `X-Forwarded-Host` and `Forwarded` set.
    pub fn prepare_upstream_headers(
        &self,
        headers: &mut HeaderMap,
        peer: IpAddr,
        scheme: &str,
        host: Option<&str>,
    ) {
        remove_hop_by_hop(headers);
        let trusted = self.is_trusted(peer);
        let previous = if trusted {
            let joined: Vec<&str> =
                headers.get_all(&X_FORWARDED_FOR).iter().filter_map(|v| v.to_str().ok()).collect();
            (!joined.is_empty()).then(|| joined.join(", "))
        } else {
            None
        };
        let chain = match previous {
            Some(previous) => format!("{previous}, {peer}"),
            None => peer.to_string(),
        };
        headers.remove(&X_FORWARDED_FOR);
        if let Ok(value) = HeaderValue::from_str(&chain) {
            headers.insert(X_FORWARDED_FOR.clone(), value);
        }
        if !trusted || !headers.contains_key(&X_FORWARDED_PROTO) {
            headers.insert(
                X_FORWARDED_PROTO.clone(),
                HeaderValue::from_static(if scheme == "https" { "https" } else { "http" }),
            );
        }
        if let Some(host) = host
            && (!trusted || !headers.contains_key(&X_FORWARDED_HOST))
            && let Ok(value) = HeaderValue::from_str(host)
        {
            headers.insert(X_FORWARDED_HOST.clone(), value);
        }
        let node = match peer {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("\"[{v6}]\""),
        };
        let mut forwarded = format!("for={node};proto={scheme}");
        if let Some(host) =
            host.filter(|h| h.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b';' && b != b','))
        {
            forwarded.push_str(";host=");
            forwarded.push_str(host);
        }
        let forwarded = match headers.get(header::FORWARDED).and_then(|v| v.to_str().ok()).filter(|_| trusted)
        {
            Some(previous) => format!("{previous}, {forwarded}"),
            None => forwarded,
        };
        if let Ok(value) = HeaderValue::from_str(&forwarded) {
            headers.insert(header::FORWARDED, value);
        }
    }
}

/// An `X-Forwarded-For` entry: an address, possibly with a port or IPv6 brackets.
fn parse_forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse() {
        return Some(ip);
    }
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    entry.rsplit_once(':').and_then(|(ip, port)| port.parse::<u16>().ok().and(ip.parse().ok()))
}

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus any the
/// `Connection` header names.
pub fn remove_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in [
        header::CONNECTION,
        header::TE,
        header::TRAILER,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
        header::PROXY_AUTHORIZATION,
        HeaderName::from_static("keep-alive"),
        HeaderName::from_static("proxy-connection"),
    ] {
        headers.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let forwarding = Forwarding::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(
            forwarding.client_ip("203.0.113.9".parse().unwrap(), &spoofed),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // Through our load balancer: the client is the right-most untrusted entry, whatever the
        // client itself put in front of it.
        let via_lb = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.1.1.1")]);
        assert_eq!(
            forwarding.client_ip("10.0.0.2".parse().unwrap(), &via_lb),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        let garbage = headers(&[("x-forwarded-for", "not-an-ip")]);
        assert_eq!(
            forwarding.client_ip("10.0.0.2".parse().unwrap(), &garbage),
            "10.0.0.2".parse::<IpAddr>().unwrap()
        );
        let with_port = headers(&[("x-forwarded-for", "[2001:db8::1]:443")]);
        assert_eq!(
            forwarding.client_ip("10.0.0.2".parse().unwrap(), &with_port),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn upstream_headers_are_rewritten() {
        let forwarding = Forwarding::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let mut map = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("connection", "keep-alive, x-secret-hop"),
            ("x-secret-hop", "1"),
            ("keep-alive", "timeout=5"),
            ("authorization", "Bearer abc"),
        ]);
        forwarding.prepare_upstream_headers(
            &mut map,
            "203.0.113.9".parse().unwrap(),
            "https",
            Some("api.bank.example"),
        );
        assert_eq!(map["x-forwarded-for"], "203.0.113.9");
        assert_eq!(map["x-forwarded-proto"], "https");
        assert_eq!(map["x-forwarded-host"], "api.bank.example");
        assert_eq!(map["forwarded"], "for=203.0.113.9;proto=https;host=api.bank.example");
        assert!(
            !map.contains_key("x-secret-hop")
                && !map.contains_key("connection")
                && !map.contains_key("keep-alive")
        );
        assert_eq!(map["authorization"], "Bearer abc");

        let mut map = headers(&[("x-forwarded-for", "198.51.100.7")]);
        forwarding.prepare_upstream_headers(&mut map, "10.0.0.2".parse().unwrap(), "http", None);
        assert_eq!(map["x-forwarded-for"], "198.51.100.7, 10.0.0.2");
    }
}
