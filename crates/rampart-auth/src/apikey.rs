//! API keys, known only by their SHA-256.
//!
//! The gateway never holds a key in the clear: configuration carries `id:sha256-hex`, a request's
//! key is hashed and looked up, and the identity is the id. Lookup goes through an index on the
//! first 8 bytes of the hash, then a constant-time comparison of the full 32 bytes. The index can
//! leak, through timing, only whether SHA-256 of the attacker's own guess shares a prefix with a
//! stored hash — which is no help in finding a key — while a plain `HashMap<[u8; 32], _>` would
//! compare whole hashes with a short-circuiting `memcmp`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use http::{HeaderMap, HeaderName};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::{ApiKeyConfig, ApiKeyEntry};
use crate::error::AuthError;
use crate::outcome::{CredentialKind, Fingerprint, Identity, Rejection, reason};

/// Keys longer than this are refused before hashing.
const MAX_API_KEY_BYTES: usize = 512;

#[derive(Debug)]
struct StoredKey {
    id: String,
    sha256: [u8; 32],
}

#[derive(Debug)]
pub(crate) struct ApiKeyStore {
    header: HeaderName,
    query_param: Option<String>,
    keys: Vec<StoredKey>,
    by_prefix: HashMap<[u8; 8], Vec<usize>>,
}

/// What a request presented.
pub(crate) enum Presented<'a> {
    None,
    /// Borrowed from the header; owned only when percent-decoded from the query.
    Key(Cow<'a, [u8]>),
    Invalid(Rejection),
}

fn parse_hex_sha256(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (index, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(index * 2..index * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

fn check_id(id: &str) -> Result<(), &'static str> {
    if id.is_empty() {
        return Err("empty key id");
    }
    if id.len() > 128 || id.chars().any(|c| c.is_control() || c == ':') {
        return Err("key id must be at most 128 characters, without ':' or control characters");
    }
    Ok(())
}

impl ApiKeyStore {
    pub(crate) fn load(config: &ApiKeyConfig) -> Result<ApiKeyStore, AuthError> {
        let header = config.header.parse::<HeaderName>().map_err(|_| AuthError::Config {
            field: "auth.api_keys.header".into(),
            message: "is not a valid HTTP header name".into(),
        })?;
        let mut store = ApiKeyStore {
            header,
            query_param: config.query_param.clone(),
            keys: Vec::new(),
            by_prefix: HashMap::new(),
        };
        for (index, ApiKeyEntry { id, sha256 }) in config.keys.iter().enumerate() {
            let field = format!("auth.api_keys.keys[{index}]");
            let config_error = |message: String| AuthError::Config { field: field.clone(), message };
            check_id(id).map_err(|m| config_error(m.to_owned()))?;
            let hash = parse_hex_sha256(sha256)
                .ok_or_else(|| config_error("sha256 must be 64 hex digits".to_owned()))?;
            store.insert(id, hash).map_err(config_error)?;
        }
        if let Some(path) = &config.file {
            store.load_file(path)?;
        }
        Ok(store)
    }

    fn load_file(&mut self, path: &Path) -> Result<(), AuthError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| AuthError::Read { path: path.to_owned(), source })?;
        for (index, line) in text.lines().enumerate() {
            let line_error =
                |message: String| AuthError::ApiKeyFile { path: path.to_owned(), line: index + 1, message };
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (id, hash) =
                line.split_once(':').ok_or_else(|| line_error("expected `id:sha256-hex`".to_owned()))?;
            let id = id.trim();
            check_id(id).map_err(|m| line_error(m.to_owned()))?;
            let hash = parse_hex_sha256(hash)
                .ok_or_else(|| line_error("the hash must be 64 hex digits".to_owned()))?;
            self.insert(id, hash).map_err(line_error)?;
        }
        Ok(())
    }

    fn insert(&mut self, id: &str, sha256: [u8; 32]) -> Result<(), String> {
        if self.keys.iter().any(|k| k.id == id) {
            return Err(format!("duplicate key id {id:?}"));
        }
        if self.keys.iter().any(|k| k.sha256 == sha256) {
            return Err(format!("key {id:?} has the same hash as another key"));
        }
        self.by_prefix.entry(prefix(&sha256)).or_default().push(self.keys.len());
        self.keys.push(StoredKey { id: id.to_owned(), sha256 });
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Finds the key in the configured header or query parameter. A key in both places, or
    /// twice in one, is refused: the upstream might read the other copy.
    pub(crate) fn presented<'a>(&self, headers: &'a HeaderMap, query: Option<&str>) -> Presented<'a> {
        let mut from_header = headers.get_all(&self.header).iter();
        let header_value = match (from_header.next(), from_header.next()) {
            (Some(_), Some(_)) => {
                return Presented::Invalid(Rejection::new(
                    reason::AMBIGUOUS_CREDENTIALS,
                    format!("more than one {} header", self.header),
                ));
            }
            (first, _) => first.map(|v| Cow::Borrowed(v.as_bytes())),
        };
        let query_value = match (&self.query_param, query) {
            (Some(name), Some(query)) => match query_parameter(query, name) {
                Ok(value) => value.map(Cow::Owned),
                Err(rejection) => return Presented::Invalid(rejection),
            },
            _ => None,
        };
        let key = match (header_value, query_value) {
            (Some(_), Some(_)) => {
                return Presented::Invalid(Rejection::new(
                    reason::AMBIGUOUS_CREDENTIALS,
                    "API key in both the header and the query string",
                ));
            }
            (Some(key), None) | (None, Some(key)) => key,
            (None, None) => return Presented::None,
        };
        if key.is_empty() || key.len() > MAX_API_KEY_BYTES {
            return Presented::Invalid(Rejection::new(
                reason::API_KEY_MALFORMED,
                format!("API key must be 1 to {MAX_API_KEY_BYTES} bytes"),
            ));
        }
        Presented::Key(key)
    }

    pub(crate) fn authenticate(&self, key: &[u8]) -> Result<Identity, Rejection> {
        let hash: [u8; 32] = Sha256::digest(key).into();
        let mut first_half = [0u8; 16];
        first_half.copy_from_slice(&hash[..16]);
        let fingerprint = Fingerprint(first_half);
        let found = self.by_prefix.get(&prefix(&hash)).and_then(|candidates| {
            candidates
                .iter()
                .filter_map(|&i| self.keys.get(i))
                .find(|stored| bool::from(stored.sha256.ct_eq(&hash)))
        });
        match found {
            Some(stored) => Ok(Identity {
                subject: stored.id.clone(),
                via: CredentialKind::ApiKey,
                issuer: None,
                key_id: None,
                scopes: Vec::new(),
                fingerprint,
            }),
            None => {
                Err(Rejection::new(reason::API_KEY_UNKNOWN, "API key is not known")
                    .with_fingerprint(fingerprint))
            }
        }
    }
}

fn prefix(hash: &[u8; 32]) -> [u8; 8] {
    let mut out = [0u8; 8];
    out.copy_from_slice(&hash[..8]);
    out
}

/// The percent-decoded value of `name` in `query`; `+` is kept as is, since API keys are often
/// base64 and clients rarely form-encode them.
fn query_parameter(query: &str, name: &str) -> Result<Option<Vec<u8>>, Rejection> {
    let mut found = None;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != name {
            continue;
        }
        if found.is_some() {
            return Err(Rejection::new(
                reason::AMBIGUOUS_CREDENTIALS,
                format!("query parameter {name:?} given more than once"),
            ));
        }
        found =
            Some(percent_decode(value).ok_or_else(|| {
                Rejection::new(reason::API_KEY_MALFORMED, "API key has bad percent-encoding")
            })?);
    }
    Ok(found)
}

fn percent_decode(value: &str) -> Option<Vec<u8>> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = value.get(index + 1..index + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_found_and_decoded() {
        assert_eq!(query_parameter("a=1&api_key=k%2By+z&b", "api_key").unwrap(), Some(b"k+y+z".to_vec()));
        assert_eq!(query_parameter("a=1", "api_key").unwrap(), None);
        assert_eq!(query_parameter("api_keyx=1", "api_key").unwrap(), None);
        let twice = query_parameter("api_key=1&api_key=2", "api_key").unwrap_err();
        assert_eq!(twice.reason, reason::AMBIGUOUS_CREDENTIALS);
        let bad = query_parameter("api_key=%zz", "api_key").unwrap_err();
        assert_eq!(bad.reason, reason::API_KEY_MALFORMED);
        assert!(query_parameter("api_key=%e", "api_key").is_err());
        assert!(query_parameter("api_key=%é", "api_key").is_err());
    }

    #[test]
    fn hex_hashes_parse_strictly() {
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(parse_hex_sha256(hex).unwrap()[0], 0xba);
        assert_eq!(parse_hex_sha256(&hex.to_uppercase()).unwrap()[31], 0xad);
        assert!(parse_hex_sha256(&hex[1..]).is_none());
        assert!(parse_hex_sha256(&format!("{}g", &hex[1..])).is_none());
        assert!(parse_hex_sha256(&format!("é{}", &hex[2..])).is_none());
    }

    #[test]
    fn ids_and_hashes_must_be_unique() {
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let entry = |id: &str, sha256: &str| ApiKeyEntry { id: id.into(), sha256: sha256.into() };
        let config = |keys| ApiKeyConfig { header: "x-api-key".into(), query_param: None, file: None, keys };
        let same_hash = config(vec![entry("a", hex), entry("b", hex)]);
        assert!(ApiKeyStore::load(&same_hash).unwrap_err().to_string().contains("keys[1]"));
        let bad_id = config(vec![entry("a:b", hex)]);
        assert!(ApiKeyStore::load(&bad_id).unwrap_err().to_string().contains("keys[0]"));
    }
}
