//! URL splitting and percent-coding, hand-written so the crate needs no `url` dependency: HAR URLs
//! are absolute and already normalised by the tool that wrote them, so we only split them; we never
//! resolve or validate them.

/// The parts of a URL Rampart cares about. The fragment is dropped: it never goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SplitUrl<'a> {
    pub scheme: Option<&'a str>,
    pub authority: Option<&'a str>,
    pub path: &'a str,
    pub query: Option<&'a str>,
}

pub(crate) fn split_url(url: &str) -> SplitUrl<'_> {
    let url = url.trim();
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    let (scheme, rest) = match url.find("://") {
        Some(i) if is_scheme(&url[..i]) => (Some(&url[..i]), &url[i + 3..]),
        _ => (None, url),
    };
    let (authority, path_and_query) = match (scheme, rest.strip_prefix("//")) {
        (Some(_), _) => split_authority(rest),
        // A network-path reference (`//host/path`), as some proxies log.
        (None, Some(after_slashes)) => split_authority(after_slashes),
        (None, None) => (None, rest),
    };
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    SplitUrl { scheme, authority, path, query }
}

fn split_authority(rest: &str) -> (Option<&str>, &str) {
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    (Some(&rest[..end]), &rest[end..])
}

fn is_scheme(candidate: &str) -> bool {
    let mut chars = candidate.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Host as the client addressed it: lower-case, without user-info (credentials never leave the
/// parser), with the port only when it is not the scheme's default.
pub(crate) fn normalize_host(authority: &str, scheme: &str) -> String {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host).trim();
    let host_port = host_port.strip_suffix(':').unwrap_or(host_port);
    let default_port = match scheme {
        "https" | "wss" => Some(":443"),
        "http" | "ws" => Some(":80"),
        _ => None,
    };
    let without_default = match default_port {
        Some(port) => host_port.strip_suffix(port).unwrap_or(host_port),
        None => host_port,
    };
    without_default.to_ascii_lowercase()
}

/// Percent-encodes a query or form component so that [`rampart_core::exchange::decode_query_component`]
/// gives it back exactly:
/// `+`, `&`, `=`, `#` and `%` are always escaped.
pub(crate) fn encode_component(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(value.len());
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$'()*,/:;@".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push('%');
            encoded.push(char::from(HEX[usize::from(byte >> 4)]));
            encoded.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    encoded
}

/// `a=1&b=x%20y` from pairs.
pub(crate) fn encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode_component(name));
        out.push('=');
        out.push_str(&encode_component(value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_an_absolute_url_and_drops_the_fragment() {
        let url = split_url("https://API.Bank.example:8443/v1/accounts/42?expand=owner&x=1#frag");
        assert_eq!(url.scheme, Some("https"));
        assert_eq!(url.authority, Some("API.Bank.example:8443"));
        assert_eq!(url.path, "/v1/accounts/42");
        assert_eq!(url.query, Some("expand=owner&x=1"));
    }

    #[test]
    fn splits_urls_without_path_or_scheme() {
        let bare = split_url("http://example.com?q=1");
        assert_eq!((bare.authority, bare.path, bare.query), (Some("example.com"), "", Some("q=1")));
        let relative = split_url("/v1/ping?x");
        assert_eq!((relative.scheme, relative.authority, relative.path), (None, None, "/v1/ping"));
        let network = split_url("//cdn.example/a.js");
        assert_eq!((network.scheme, network.authority, network.path), (None, Some("cdn.example"), "/a.js"));
    }

    #[test]
    fn host_keeps_only_non_default_ports_and_drops_credentials() {
        assert_eq!(normalize_host("API.Example.COM:443", "https"), "api.example.com");
        assert_eq!(normalize_host("api.example.com:80", "http"), "api.example.com");
        assert_eq!(normalize_host("api.example.com:8443", "https"), "api.example.com:8443");
        assert_eq!(normalize_host("api.example.com:443", "http"), "api.example.com:443");
        assert_eq!(normalize_host("user:secret@Host.example", "https"), "host.example");
        assert_eq!(normalize_host("[::1]:443", "https"), "[::1]");
    }

    #[test]
    fn encoding_round_trips_through_decoding() {
        for value in ["a b+c", "x=y&z", "100%", "é/ü?#", ""] {
            assert_eq!(rampart_core::exchange::decode_query_component(&encode_component(value)), value);
        }
    }
}
