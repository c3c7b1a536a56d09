//! Which upstream a request goes to: by host, then by the longest matching path prefix.

use http::uri::{Authority, Scheme};

use crate::config::{AuthRequirement, Mode, RouteConfig};
use rampart_core::SensitiveType;

/// Where a route forwards: scheme, authority and a base path the request path is appended to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub scheme: Scheme,
    pub authority: Authority,
    /// Without a trailing slash; empty for none.
    pub base_path: String,
}

impl Upstream {
    pub fn parse(url: &str) -> Result<Upstream, String> {
        let uri: http::Uri = url.parse().map_err(|e| format!("{url:?} is not a URL: {e}"))?;
        let scheme = uri.scheme().cloned().ok_or_else(|| format!("{url:?} has no scheme (http://…)"))?;
        if scheme != Scheme::HTTP {
            return Err(format!("{url:?}: only http:// upstreams are supported (TLS terminates here)"));
        }
        let authority = uri.authority().cloned().ok_or_else(|| format!("{url:?} has no host"))?;
        if uri.query().is_some() {
            return Err(format!("{url:?}: an upstream URL takes no query string"));
        }
        let base_path = uri.path().trim_end_matches('/').to_owned();
        Ok(Upstream { scheme, authority, base_path })
    }

    /// The upstream URI for a request's path and query.
    pub fn uri_for(&self, path_and_query: &str) -> Result<http::Uri, http::Error> {
        let mut target = String::with_capacity(self.base_path.len() + path_and_query.len());
        target.push_str(&self.base_path);
        target.push_str(path_and_query);
        http::Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(target)
            .build()
    }
}

/// A configured route, ready to match.
#[derive(Debug, Clone)]
pub struct Route {
    pub name: String,
    host: Option<String>,
    prefix: String,
    pub upstream: Upstream,
    pub mode: Mode,
    pub auth: AuthRequirement,
    pub mask: Vec<SensitiveType>,
}

impl Route {
    fn from_config(config: &RouteConfig, global_mask: &[SensitiveType]) -> Result<Route, String> {
        let upstream = Upstream::parse(&config.upstream)?;
        let mut mask = global_mask.to_vec();
        for kind in &config.mask {
            if !mask.contains(kind) {
                mask.push(*kind);
            }
        }
        Ok(Route {
            name: config.name.clone().unwrap_or_else(|| config.path_prefix.clone()),
            host: config.host.as_ref().map(|h| h.to_ascii_lowercase()),
            prefix: config.path_prefix.clone(),
            upstream,
            mode: config.mode,
            auth: config.auth,
            mask,
        })
    }

    fn matches_path(&self, path: &str) -> bool {
        // `/v2` matches `/v2` and `/v2/…`, not `/v20`.
        path.starts_with(&self.prefix)
            && (self.prefix.ends_with('/')
                || path.len() == self.prefix.len()
                || path.as_bytes()[self.prefix.len()] == b'/')
    }
}

/// All routes; host-specific ones are tried before host-less ones, longest prefix first.
#[derive(Debug, Clone, Default)]
pub struct Router {
    routes: Vec<Route>,
}

impl Router {
    pub fn new(configs: &[RouteConfig], global_mask: &[SensitiveType]) -> Result<Router, String> {
        let mut routes = configs
            .iter()
            .enumerate()
            .map(|(i, c)| Route::from_config(c, global_mask).map_err(|e| format!("routes[{i}]: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        routes.sort_by(|a, b| {
            b.host.is_some().cmp(&a.host.is_some()).then(b.prefix.len().cmp(&a.prefix.len()))
        });
        Ok(Router { routes })
    }

    /// The route for `host` (port ignored) and `path`.
    pub fn find(&self, host: Option<&str>, path: &str) -> Option<&Route> {
        self.find_index(host, path).map(|index| &self.routes[index])
    }

    /// [`Router::find`], as an index into [`Router::routes`] (metrics count per index).
    pub fn find_index(&self, host: Option<&str>, path: &str) -> Option<usize> {
        let host = host.map(|h| {
            h.rsplit_once(':')
                .map_or(h, |(name, port)| if port.bytes().all(|b| b.is_ascii_digit()) { name } else { h })
        });
        self.routes.iter().position(|route| {
            route.host.as_deref().is_none_or(|wanted| host.is_some_and(|h| h.eq_ignore_ascii_case(wanted)))
                && route.matches_path(path)
        })
    }

    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(host: Option<&str>, prefix: &str, upstream: &str) -> RouteConfig {
        RouteConfig {
            name: None,
            host: host.map(str::to_owned),
            path_prefix: prefix.to_owned(),
            upstream: upstream.to_owned(),
            mode: Mode::Monitor,
            auth: AuthRequirement::Optional,
            mask: Vec::new(),
        }
    }

    #[test]
    fn host_then_longest_prefix_wins() {
        let router = Router::new(
            &[
                route(None, "/", "http://127.0.0.1:1"),
                route(None, "/v2", "http://127.0.0.1:2"),
                route(Some("partner.bank.example"), "/", "http://127.0.0.1:3"),
            ],
            &[],
        )
        .unwrap();
        let port =
            |host: Option<&str>, path: &str| router.find(host, path).map(|r| r.upstream.authority.port_u16());
        assert_eq!(port(Some("api.bank.example"), "/v2/accounts"), Some(Some(2)));
        assert_eq!(port(Some("api.bank.example"), "/v20"), Some(Some(1)));
        assert_eq!(port(Some("api.bank.example"), "/v2"), Some(Some(2)));
        assert_eq!(port(Some("PARTNER.bank.example:443"), "/v2/accounts"), Some(Some(3)));
        assert_eq!(port(None, "/health"), Some(Some(1)));
    }

    #[test]
    fn upstreams_keep_their_base_path() {
        let upstream = Upstream::parse("http://127.0.0.1:3000/api/").unwrap();
        assert_eq!(upstream.uri_for("/v1/x?a=1").unwrap().to_string(), "http://127.0.0.1:3000/api/v1/x?a=1");
        assert!(Upstream::parse("https://bank.example").is_err());
        assert!(Upstream::parse("127.0.0.1:3000").is_err());
    }
}
