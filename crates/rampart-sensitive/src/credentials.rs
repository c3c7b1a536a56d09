//! Credentials in message bodies, redacted by field name: `"password": "…"`, `pin=…`,
//! `"access_token": "…"`. For copies of traffic (the gateway's tap, recorded files) that must
//! not become a credential store, while the field itself stays visible — analysis needs to see
//! that a login carried a password, never the password.
//!
//! A byte scanner, not a parser: bodies are often cut at the tap's size limit and still must be
//! redacted, formatting is kept, and a body without a credential-looking name costs one
//! Aho-Corasick pass.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};

/// What a redacted value becomes.
pub const REDACTED_CREDENTIAL: &str = "<redacted>";

/// Fragments of credential field names; a body with none of them is returned untouched.
const NEEDLES: [&str; 9] = ["pass", "pwd", "pin", "secret", "otp", "cvv", "cvc", "token", "apikey"];

fn needles() -> Option<&'static AhoCorasick> {
    static MATCHER: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    MATCHER
        .get_or_init(|| AhoCorasickBuilder::new().ascii_case_insensitive(true).build(NEEDLES).ok())
        .as_ref()
}

/// Whether a field name holds a credential (case and `_`/`-` ignored).
pub fn is_credential_name(name: &str) -> bool {
    let folded: String =
        name.chars().filter(|c| *c != '_' && *c != '-').map(|c| c.to_ascii_lowercase()).collect();
    folded.contains("password")
        || folded.contains("passwd")
        || folded.ends_with("secret")
        || folded.ends_with("token")
        || matches!(
            folded.as_str(),
            "pwd" | "pin" | "passcode" | "otp" | "otpcode" | "cvv" | "cvc" | "cvv2" | "apikey" | "xapikey"
        )
}

/// The body with the values of credential fields redacted, or `None` when there is nothing to
/// redact (the caller keeps its bytes). JSON (also cut short) and form bodies.
pub fn redact_credentials(body: &[u8]) -> Option<Vec<u8>> {
    let matcher = needles()?;
    if !matcher.is_match(body) {
        return None;
    }
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    if matches!(body[start], b'{' | b'[') { redact_json(body) } else { redact_form(body) }
}

fn redact_form(body: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(body).ok()?;
    if !text.contains('=') {
        return None;
    }
    let mut changed = false;
    let pairs: Vec<String> = text
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if !value.is_empty() && is_credential_name(&decode_name(name)) => {
                changed = true;
                format!("{name}={}", "%3Credacted%3E")
            }
            _ => pair.to_owned(),
        })
        .collect();
    changed.then(|| pairs.join("&").into_bytes())
}

fn decode_name(name: &str) -> String {
    name.replace('+', " ")
}

/// Copies `body`, replacing the value after `"<credential name>":` (a string or a bare token
/// such as a number) with `"<redacted>"`.
fn redact_json(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut changed = false;
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'"' {
            out.push(body[i]);
            i += 1;
            continue;
        }
        // A string: read to its closing quote.
        let end = string_end(body, i + 1);
        out.extend_from_slice(&body[i..end]);
        let name = body.get(i + 1..end.saturating_sub(1)).and_then(|raw| std::str::from_utf8(raw).ok());
        i = end;
        // Is it a member name followed by a value?
        let mut j = i;
        while j < body.len() && body[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= body.len() || body[j] != b':' || !name.is_some_and(is_credential_name) {
            continue;
        }
        j += 1;
        while j < body.len() && body[j].is_ascii_whitespace() {
            j += 1;
        }
        out.extend_from_slice(&body[i..j]);
        let value_end = match body.get(j) {
            Some(b'"') => string_end(body, j + 1),
            Some(b'{' | b'[') | None => {
                i = j;
                continue;
            }
            Some(_) => {
                let mut k = j;
                while k < body.len()
                    && !matches!(body[k], b',' | b'}' | b']')
                    && !body[k].is_ascii_whitespace()
                {
                    k += 1;
                }
                k
            }
        };
        // `null` and empty strings say nothing.
        let value = &body[j..value_end];
        if value == b"null" || value == b"\"\"" {
            out.extend_from_slice(value);
        } else {
            out.push(b'"');
            out.extend_from_slice(REDACTED_CREDENTIAL.as_bytes());
            out.push(b'"');
            changed = true;
        }
        i = value_end;
    }
    changed.then_some(out)
}

/// Index just past the closing quote of a string whose content starts at `from` (or the end of
/// the body when it is cut).
fn string_end(body: &[u8], from: usize) -> usize {
    let mut k = from;
    while k < body.len() {
        match body[k] {
            b'\\' => k += 2,
            b'"' => return k + 1,
            _ => k += 1,
        }
    }
    body.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn redact(text: &str) -> String {
        redact_credentials(text.as_bytes())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or(text.to_owned())
    }

    #[test]
    fn json_logins_and_tokens() {
        assert_eq!(
            redact(r#"{"username": "ana@mail.example", "password": "Winter2026!"}"#),
            r#"{"username": "ana@mail.example", "password": "<redacted>"}"#
        );
        assert_eq!(
            redact(r#"{"access_token":"eyJhbGciOi.x.y","token_type":"Bearer","expires_in":900}"#),
            r#"{"access_token":"<redacted>","token_type":"Bearer","expires_in":900}"#
        );
        assert_eq!(
            redact(r#"{"pin":1234,"card":{"cvv":"123"}}"#),
            r#"{"pin":"<redacted>","card":{"cvv":"<redacted>"}}"#
        );
        assert_eq!(
            redact(r#"{"p\"ass":"x","password":"a\"b"}"#),
            r#"{"p\"ass":"x","password":"<redacted>"}"#
        );
        // Cut at the tap's limit.
        assert_eq!(redact(r#"{"user":"a","password":"hunt"#), r#"{"user":"a","password":"<redacted>""#);
        // Values named like credentials are not names.
        assert_eq!(
            redact(r#"{"note":"password","passwordPolicy":null}"#),
            r#"{"note":"password","passwordPolicy":null}"#
        );
        assert!(redact_credentials(br#"{"amount":10}"#).is_none());
    }

    #[test]
    fn form_bodies() {
        assert_eq!(
            redact("grant_type=password&username=ana&password=Winter2026%21&client_secret=s3"),
            "grant_type=password&username=ana&password=%3Credacted%3E&client_secret=%3Credacted%3E"
        );
        assert!(redact_credentials(b"q=passport").is_none());
    }

    proptest! {
        #[test]
        fn never_panics_and_keeps_json_valid(user in "[a-z@. ]{0,20}", secret in "\\PC{1,20}", n in 0u32..100000) {
            let body = serde_json::json!({"username": user, "password": secret, "pin": n, "nested": {"refresh_token": secret}}).to_string();
            let redacted = redact(&body);
            let parsed: serde_json::Value = serde_json::from_str(&redacted).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&parsed["password"], "<redacted>");
            prop_assert_eq!(&parsed["pin"], "<redacted>");
            prop_assert_eq!(&parsed["nested"]["refresh_token"], "<redacted>");
            prop_assert_eq!(&parsed["username"], &serde_json::Value::String(user));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = redact_credentials(&bytes);
        }
    }
}
