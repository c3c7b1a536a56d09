//! Exchanges recorded as evidence, masked: a finding must prove the weakness without becoming
//! the leak. Credentials in headers, cookies and query strings keep only a short prefix and
//! their length; bodies are masked with the sensitive-data engine (cards, national IDs,
//! secrets, passwords by name) and cut to [`MAX_RECORDED_BODY`] bytes.

use std::sync::OnceLock;
use std::time::Duration;

use rampart_core::SensitiveType;
use rampart_sensitive::{Classifier, ClassifierConfig};

use crate::client::{Request, Response, SendError, Target};
use crate::model::{RecordedExchange, RecordedRequest, RecordedResponse};

/// Bytes of a body kept in a recorded exchange.
pub const MAX_RECORDED_BODY: usize = 4096;

pub fn classifier() -> &'static Classifier {
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    CLASSIFIER.get_or_init(|| Classifier::new(ClassifierConfig::default()))
}

/// Header and parameter names whose values are credentials.
pub fn is_credential_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["authorization", "cookie", "set-cookie", "proxy-authorization"].contains(&name.as_str())
        || [
            "token",
            "secret",
            "password",
            "passwd",
            "api-key",
            "apikey",
            "api_key",
            "session",
            "signature",
            "x-api-key",
            "otp",
        ]
        .iter()
        .any(|word| name.contains(word))
}

/// A credential for display: a few leading characters (a scheme, a JWT's `eyJ`), then its length.
pub fn mask_credential(value: &str) -> String {
    let value = value.trim();
    if let Some((scheme, rest)) = value.split_once(' ')
        && !rest.is_empty()
        && scheme.chars().all(|c| c.is_ascii_alphabetic())
    {
        return format!("{scheme} {}", mask_credential(rest));
    }
    // Cookies: `name=value; other=value` keep the names.
    if value.contains('=') && !value.starts_with("eyJ") {
        return value
            .split(';')
            .map(|pair| match pair.split_once('=') {
                Some((name, v)) if !v.is_empty() => format!("{}={}", name.trim(), mask_opaque(v)),
                _ => pair.trim().to_string(),
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    mask_opaque(value)
}

fn mask_opaque(value: &str) -> String {
    let count = value.chars().count();
    if count <= 4 {
        return "****".into();
    }
    let keep: String = value.chars().take(4.min(count / 4)).collect();
    format!("{keep}…[masked, {count} chars]")
}

/// A URL with credential-like query values masked.
pub fn mask_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else { return url.to_string() };
    let query = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if is_credential_name(name) && !value.is_empty() => {
                format!("{name}={}", mask_opaque(value))
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&");
    format!("{base}?{query}")
}

/// A body for display: masked sensitive values, cut to [`MAX_RECORDED_BODY`].
pub fn mask_body(body: &[u8], content_type: &str) -> (String, bool) {
    let cut = body.len() > MAX_RECORDED_BODY;
    let looks_json = content_type.contains("json")
        || matches!(body.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'['));
    if looks_json
        && !cut
        && let Ok(masked) = classifier().mask_json(body, &SensitiveType::ALL)
    {
        let bytes = masked.map(|m| m.body).unwrap_or_else(|| body.to_vec());
        return (String::from_utf8_lossy(&bytes).into_owned(), false);
    }
    let shown = &body[..body.len().min(MAX_RECORDED_BODY)];
    let text = String::from_utf8_lossy(shown).into_owned();
    (mask_text(&text), cut)
}

/// Free text with every detected sensitive value replaced by its masked form.
pub fn mask_text(text: &str) -> String {
    let mut detections = classifier().scan_text(text);
    detections.sort_by_key(|d| std::cmp::Reverse(d.span.0));
    let mut out = text.to_string();
    let mut limit = out.len();
    for detection in detections {
        let (start, end) = detection.span;
        if end > limit || start >= end || !out.is_char_boundary(start) || !out.is_char_boundary(end) {
            continue;
        }
        out.replace_range(start..end, &detection.masked);
        limit = start;
    }
    out
}

fn headers_of(headers: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    headers
        .map(|(name, value)| {
            let value = if is_credential_name(&name) { mask_credential(&value) } else { value };
            (name, value)
        })
        .collect()
}

/// The masked record of one exchange.
pub fn record(
    target: &Target,
    request: &Request,
    result: &Result<Response, SendError>,
    elapsed: Duration,
) -> RecordedExchange {
    let request_content_type = request
        .headers
        .iter()
        .find(|(n, _)| n == http::header::CONTENT_TYPE)
        .and_then(|(_, v)| v.to_str().ok())
        .unwrap_or("");
    let request_body = request.body.as_ref().filter(|b| !b.is_empty()).map(|b| {
        let (text, cut) = mask_body(b, request_content_type);
        if cut { format!("{text}… [{} bytes in all]", b.len()) } else { text }
    });
    let recorded_request = RecordedRequest {
        method: request.method.to_string(),
        url: mask_url(&target.url(&request.path_and_query)),
        headers: headers_of(
            request
                .headers
                .iter()
                .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())),
        ),
        body: request_body,
    };
    match result {
        Ok(response) => {
            let (body, cut) = mask_body(&response.body, response.content_type());
            RecordedExchange {
                request: recorded_request,
                response: Some(RecordedResponse {
                    status: response.status.as_u16(),
                    headers: headers_of(
                        response.headers.iter().map(|(n, v)| {
                            (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())
                        }),
                    ),
                    body: (!body.is_empty()).then_some(body),
                    truncated: cut || response.truncated,
                }),
                error: None,
                elapsed_ms: response.elapsed.as_millis() as u64,
            }
        }
        Err(error) => RecordedExchange {
            request: recorded_request,
            response: None,
            error: Some(error.to_string()),
            elapsed_ms: elapsed.as_millis() as u64,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_keep_a_prefix_and_their_length_only() {
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjdXN0LTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        let masked = mask_credential(&format!("Bearer {token}"));
        assert!(masked.starts_with("Bearer eyJ"), "{masked}");
        assert!(!masked.contains("eyJzdWIi"), "{masked}");
        let cookie = mask_credential("session=5f1e2d3c4b5a69788796a5b4c3d2e1f0; theme=dark");
        assert!(
            cookie.starts_with("session=") && !cookie.contains("5f1e2d3c4b5a") && cookie.contains("theme="),
            "{cookie}"
        );
        assert_eq!(
            mask_url("http://h/x?access_token=abcdefghijkl&page=2"),
            "http://h/x?access_token=abc…[masked, 12 chars]&page=2"
        );
    }

    #[test]
    fn bodies_lose_card_numbers_and_passwords() {
        let (body, cut) = mask_body(
            br#"{"pan":"4111111111111111","password":"Winter!2024","name":"x"}"#,
            "application/json",
        );
        assert!(!cut);
        assert!(!body.contains("4111111111111111") && !body.contains("Winter!2024"), "{body}");
        let (text, _) =
            mask_body(b"username=alice&password=Winter!2024", "application/x-www-form-urlencoded");
        assert!(!text.contains("Winter!2024"), "{text}");
        let long = vec![b'a'; MAX_RECORDED_BODY * 2];
        let (text, cut) = mask_body(&long, "text/plain");
        assert!(cut && text.len() == MAX_RECORDED_BODY);
    }
}
