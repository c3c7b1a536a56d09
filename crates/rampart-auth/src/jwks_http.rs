//! Fetching a JWKS over http(s) with hyper's pooled client.
//!
//! No redirects are followed, the body is size-capped and the whole exchange is time-boxed: the
//! identity provider is trusted for keys, not for the gateway's memory or patience.

use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::AuthError;

#[cfg(feature = "https")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(feature = "https"))]
type Connector = HttpConnector;

pub(crate) struct JwksFetcher {
    uri: http::Uri,
    /// The URL without userinfo or query, safe to log.
    pub(crate) display_url: String,
    client: Client<Connector, Empty<Bytes>>,
    timeout: Duration,
    max_bytes: usize,
}

impl std::fmt::Debug for JwksFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksFetcher").field("url", &self.display_url).finish_non_exhaustive()
    }
}

fn display_url(uri: &http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("?");
    let host = uri.host().unwrap_or("?");
    let port = uri.port_u16().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{scheme}://{host}{port}{}", uri.path())
}

#[cfg(feature = "https")]
fn connector() -> Result<Connector, String> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .map_err(|err| format!("TLS setup failed: {err}"))?;
    Ok(builder.https_or_http().enable_http1().wrap_connector(http))
}

#[cfg(not(feature = "https"))]
fn connector() -> Result<Connector, String> {
    Ok(HttpConnector::new())
}

impl JwksFetcher {
    pub(crate) fn new(url: &str, timeout: Duration, max_bytes: usize) -> Result<JwksFetcher, AuthError> {
        let config_error =
            |message: String| AuthError::Config { field: "auth.jwt.jwks_url".to_owned(), message };
        let uri: http::Uri = url.parse().map_err(|_| config_error("is not a valid URL".into()))?;
        if uri.host().is_none() {
            return Err(config_error("has no host".into()));
        }
        let display_url = display_url(&uri);
        if uri.scheme_str() == Some("http") {
            tracing::warn!(
                url = %display_url,
                "JWKS over plain http: anyone on the path can substitute signing keys"
            );
        }
        let client = Client::builder(TokioExecutor::new()).build(connector().map_err(config_error)?);
        Ok(JwksFetcher { uri, display_url, client, timeout, max_bytes })
    }

    pub(crate) async fn fetch(&self) -> Result<Bytes, AuthError> {
        match tokio::time::timeout(self.timeout, self.fetch_untimed()).await {
            Ok(result) => result,
            Err(_) => Err(self.error(format!("no complete answer within {:?}", self.timeout))),
        }
    }

    fn error(&self, message: String) -> AuthError {
        AuthError::JwksFetch { url: self.display_url.clone(), message }
    }

    async fn fetch_untimed(&self) -> Result<Bytes, AuthError> {
        let request = http::Request::get(self.uri.clone())
            .header(http::header::ACCEPT, "application/jwk-set+json, application/json")
            .header(http::header::USER_AGENT, concat!("rampart-auth/", env!("CARGO_PKG_VERSION")))
            .body(Empty::<Bytes>::new())
            .map_err(|err| self.error(format!("cannot build request: {err}")))?;
        let response =
            self.client.request(request).await.map_err(|err| self.error(format!("request failed: {err}")))?;
        let status = response.status();
        if status != http::StatusCode::OK {
            return Err(self.error(format!("answered {status}")));
        }
        let body = Limited::new(response.into_body(), self.max_bytes)
            .collect()
            .await
            .map_err(|err| self.error(format!("body unreadable or over {} bytes: {err}", self.max_bytes)))?;
        Ok(body.to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_url_drops_credentials_and_query() {
        let uri: http::Uri = "https://user:pw@idp.example:8443/jwks?token=abc".parse().unwrap();
        assert_eq!(display_url(&uri), "https://idp.example:8443/jwks");
    }
}
