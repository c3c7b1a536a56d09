//! Compact JWS verification for RS256, ES256 and HS256.
//!
//! The order of checks is deliberate: cheap structural checks first, then the header decides the
//! key, the signature is verified, and only then are the claims parsed and trusted. Every branch
//! ends in a [`Rejection`] with a stable reason; nothing here panics on input.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac;
use p256::ecdsa::signature::Verifier as _;
use serde::Deserialize;
use serde::de::IgnoredAny;
use sha2::Sha256;

use crate::config::{Algorithm, JwtConfig};
use crate::keys::{KeyMaterial, KeySet, VerificationKey};
use crate::outcome::{CredentialKind, Fingerprint, Identity, Rejection, reason};

/// Longest attacker-chosen string (a `kid`, an `alg`) echoed into a rejection detail.
const MAX_ECHO_CHARS: usize = 64;

#[derive(Debug)]
pub(crate) struct JwtVerifier {
    allowed: Vec<Algorithm>,
    issuers: Vec<String>,
    audiences: Vec<String>,
    leeway_seconds: i64,
    max_token_bytes: usize,
    verified: VerifiedTokens,
}

/// Tokens whose signature and claims were verified, by fingerprint: a client presents the same
/// token for minutes, and an RS256 check costs about 65 µs (ES256 about 270 µs) — the cost of the
/// whole proxy. An entry holds only for the key set it was verified with (a rotation or refresh
/// makes it miss) and until the token's own `exp` (and from its `nbf`), both re-checked on every
/// use; issuer and audience do not change for a token. Sharded and bounded: a flood of distinct
/// tokens clears shards, it never grows memory.
struct VerifiedTokens {
    shards: [std::sync::Mutex<std::collections::HashMap<Fingerprint, Verified>>; VERIFIED_SHARDS],
}

const VERIFIED_SHARDS: usize = 16;
const VERIFIED_PER_SHARD: usize = 4096;

#[derive(Clone)]
struct Verified {
    identity: Identity,
    generation: u64,
    exp: i64,
    nbf: Option<i64>,
}

impl VerifiedTokens {
    fn new() -> VerifiedTokens {
        VerifiedTokens { shards: std::array::from_fn(|_| std::sync::Mutex::default()) }
    }

    fn shard(
        &self,
        fingerprint: &Fingerprint,
    ) -> &std::sync::Mutex<std::collections::HashMap<Fingerprint, Verified>> {
        &self.shards[usize::from(fingerprint.0[0]) % VERIFIED_SHARDS]
    }

    fn get(&self, fingerprint: &Fingerprint, generation: u64) -> Option<Verified> {
        let shard = self.shard(fingerprint).lock().ok()?;
        shard.get(fingerprint).filter(|v| v.generation == generation).cloned()
    }

    fn put(&self, fingerprint: Fingerprint, verified: Verified) {
        if let Ok(mut shard) = self.shard(&fingerprint).lock() {
            if shard.len() >= VERIFIED_PER_SHARD {
                shard.clear();
            }
            shard.insert(fingerprint, verified);
        }
    }
}

impl std::fmt::Debug for VerifiedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifiedTokens")
    }
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow, default)]
    alg: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    kid: Option<Cow<'a, str>>,
    /// Any critical extension is one this verifier does not implement (RFC 7515 §4.1.11), so
    /// only its presence matters. `jku`, `x5u`, `jwk` and `x5c` are not even read: keys come from
    /// configuration only.
    #[serde(default)]
    crit: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<'a> {
    One(#[serde(borrow)] Cow<'a, str>),
    Many(#[serde(borrow)] Vec<Cow<'a, str>>),
}

impl OneOrMany<'_> {
    fn iter(&self) -> impl Iterator<Item = &str> {
        let (one, many) = match self {
            OneOrMany::One(value) => (Some(value.as_ref()), &[][..]),
            OneOrMany::Many(values) => (None, values.as_slice()),
        };
        one.into_iter().chain(many.iter().map(|v| v.as_ref()))
    }
}

#[derive(Deserialize)]
struct Claims<'a> {
    #[serde(borrow, default)]
    iss: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    sub: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    aud: Option<OneOrMany<'a>>,
    /// NumericDate may be fractional (RFC 7519 §2), hence f64.
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    nbf: Option<f64>,
    #[serde(borrow, default)]
    scope: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    scp: Option<OneOrMany<'a>>,
}

fn reject(reason: &'static str, detail: impl Into<String>) -> Rejection {
    Rejection::new(reason, detail)
}

/// An attacker-chosen value made safe to put in a log line: bounded and escaped.
fn echo(value: &str) -> String {
    let bounded: String = value.chars().take(MAX_ECHO_CHARS).collect();
    format!("{bounded:?}")
}

fn decode_part(part: &str, what: &str) -> Result<Vec<u8>, Rejection> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| reject(reason::JWT_MALFORMED, format!("{what} is not unpadded base64url")))
}

/// NumericDate seconds as i64, refusing NaN and infinities rather than letting `as` saturate.
fn numeric_date(value: f64, claim: &str) -> Result<i64, Rejection> {
    if !value.is_finite() {
        return Err(reject(reason::JWT_MALFORMED, format!("`{claim}` is not a finite number")));
    }
    Ok(value.floor().clamp(i64::MIN as f64, i64::MAX as f64) as i64)
}

impl JwtVerifier {
    pub(crate) fn new(config: &JwtConfig) -> JwtVerifier {
        JwtVerifier {
            allowed: config.algorithms.clone(),
            issuers: config.issuers.clone(),
            audiences: config.audiences.clone(),
            leeway_seconds: i64::try_from(config.leeway_seconds).unwrap_or(i64::MAX),
            max_token_bytes: config.max_token_bytes,
            verified: VerifiedTokens::new(),
        }
    }

    /// Verifies `token` against `keys` at `now` (Unix seconds).
    pub(crate) fn verify(&self, token: &str, keys: &KeySet, now: i64) -> Result<Identity, Rejection> {
        let fingerprint = Fingerprint::of(token.as_bytes());
        if token.len() <= self.max_token_bytes
            && let Some(verified) = self.verified.get(&fingerprint, keys.generation)
        {
            return self
                .still_valid(verified, now)
                .map_err(|rejection| rejection.with_fingerprint(fingerprint));
        }
        self.verify_inner(token, keys, now, fingerprint)
            .map_err(|rejection| rejection.with_fingerprint(fingerprint))
    }

    /// The time checks again, for a token verified earlier.
    fn still_valid(&self, verified: Verified, now: i64) -> Result<Identity, Rejection> {
        if now >= verified.exp.saturating_add(self.leeway_seconds) {
            return Err(reject(
                reason::JWT_EXPIRED,
                format!("expired at {}, now {now}, leeway {} s", verified.exp, self.leeway_seconds),
            ));
        }
        if let Some(nbf) = verified.nbf
            && now.saturating_add(self.leeway_seconds) < nbf
        {
            return Err(reject(
                reason::JWT_NOT_YET_VALID,
                format!("not valid before {nbf}, now {now}, leeway {} s", self.leeway_seconds),
            ));
        }
        Ok(verified.identity)
    }

    fn verify_inner(
        &self,
        token: &str,
        keys: &KeySet,
        now: i64,
        fingerprint: Fingerprint,
    ) -> Result<Identity, Rejection> {
        if token.len() > self.max_token_bytes {
            return Err(reject(
                reason::JWT_TOO_LONG,
                format!("token is {} bytes; the limit is {}", token.len(), self.max_token_bytes),
            ));
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            let count = token.split('.').count();
            return Err(reject(
                reason::JWT_MALFORMED,
                format!("token has {count} dot-separated parts, not 3"),
            ));
        };

        let header_json = decode_part(header_b64, "header")?;
        // serde would also accept a JSON array positionally; a JOSE header is an object.
        if !header_json.starts_with(b"{") {
            return Err(reject(reason::JWT_MALFORMED, "header is not a JSON object"));
        }
        let header: Header<'_> = serde_json::from_slice(&header_json)
            .map_err(|_| reject(reason::JWT_MALFORMED, "header is not valid JOSE JSON"))?;
        let Some(alg_name) = header.alg.as_deref() else {
            return Err(reject(reason::JWT_MALFORMED, "header has no `alg`"));
        };
        if alg_name.trim().eq_ignore_ascii_case("none") {
            return Err(reject(reason::JWT_ALG_NONE, "unsigned token (`alg: none`)"));
        }
        if header.crit.is_some() {
            return Err(reject(
                reason::JWT_CRIT_UNSUPPORTED,
                "header lists critical extensions (`crit`) that are not understood",
            ));
        }
        let algorithm =
            Algorithm::from_jws_name(alg_name).filter(|alg| self.allowed.contains(alg)).ok_or_else(|| {
                reject(reason::JWT_ALG_NOT_ALLOWED, format!("alg {} is not allowed", echo(alg_name)))
            })?;

        let key = select_key(keys, header.kid.as_deref(), algorithm)?;
        let key_alg = key.material.algorithm();
        if key_alg != algorithm {
            return Err(reject(
                reason::JWT_ALG_CONFUSION,
                format!(
                    "token says {} but key {} is a {} key",
                    algorithm.jws_name(),
                    echo(key.kid.as_deref().unwrap_or("")),
                    key_alg.jws_name()
                ),
            ));
        }

        let signature = decode_part(signature_b64, "signature")?;
        let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
        if !signature_matches(&key.material, signing_input.as_bytes(), &signature) {
            return Err(reject(reason::JWT_BAD_SIGNATURE, "signature does not verify"));
        }

        let payload = decode_part(payload_b64, "payload")?;
        if !payload.starts_with(b"{") {
            return Err(reject(reason::JWT_MALFORMED, "payload is not a JSON object"));
        }
        let claims: Claims<'_> = serde_json::from_slice(&payload).map_err(|err| {
            // Only the position: serde_json's message can quote claim values, which may be
            // personal data.
            reject(
                reason::JWT_MALFORMED,
                format!("claims do not parse (column {} of the payload)", err.column()),
            )
        })?;
        self.check_claims(&claims, now)?;

        let subject = claims
            .sub
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| reject(reason::JWT_MISSING_CLAIM, "token has no `sub`"))?;
        let identity = Identity {
            subject: subject.to_owned(),
            via: CredentialKind::Jwt,
            issuer: claims.iss.as_deref().map(str::to_owned),
            key_id: key.kid.as_deref().map(str::to_owned),
            scopes: scopes_of(&claims),
            fingerprint,
        };
        // `check_claims` has read both as numbers already.
        let exp = claims.exp.and_then(|exp| numeric_date(exp, "exp").ok());
        let nbf = claims.nbf.and_then(|nbf| numeric_date(nbf, "nbf").ok());
        if let Some(exp) = exp {
            self.verified.put(
                fingerprint,
                Verified { identity: identity.clone(), generation: keys.generation, exp, nbf },
            );
        }
        Ok(identity)
    }

    fn check_claims(&self, claims: &Claims<'_>, now: i64) -> Result<(), Rejection> {
        let exp = claims.exp.ok_or_else(|| reject(reason::JWT_MISSING_CLAIM, "token has no `exp`"))?;
        let exp = numeric_date(exp, "exp")?;
        if now >= exp.saturating_add(self.leeway_seconds) {
            return Err(reject(
                reason::JWT_EXPIRED,
                format!("expired at {exp}, now {now}, leeway {} s", self.leeway_seconds),
            ));
        }
        if let Some(nbf) = claims.nbf {
            let nbf = numeric_date(nbf, "nbf")?;
            if now.saturating_add(self.leeway_seconds) < nbf {
                return Err(reject(
                    reason::JWT_NOT_YET_VALID,
                    format!("not valid before {nbf}, now {now}, leeway {} s", self.leeway_seconds),
                ));
            }
        }
        match claims.iss.as_deref() {
            None => return Err(reject(reason::JWT_MISSING_CLAIM, "token has no `iss`")),
            Some(iss) if !self.issuers.iter().any(|known| known == iss) => {
                return Err(reject(reason::JWT_WRONG_ISSUER, format!("issuer {} is not trusted", echo(iss))));
            }
            Some(_) => {}
        }
        let Some(aud) = &claims.aud else {
            return Err(reject(reason::JWT_MISSING_CLAIM, "token has no `aud`"));
        };
        if !aud.iter().any(|a| self.audiences.iter().any(|known| known == a)) {
            return Err(reject(reason::JWT_WRONG_AUDIENCE, "no audience in the token is accepted here"));
        }
        Ok(())
    }
}

/// Picks the key a token asks for. Without a `kid`, a key is only guessed when exactly one key
/// of the token's algorithm exists; with several, guessing would let the token choose.
fn select_key<'k>(
    keys: &'k KeySet,
    kid: Option<&str>,
    algorithm: Algorithm,
) -> Result<&'k VerificationKey, Rejection> {
    if let Some(kid) = kid {
        return keys
            .by_kid(kid)
            .ok_or_else(|| reject(reason::JWT_UNKNOWN_KID, format!("no key with kid {}", echo(kid))));
    }
    let mut candidates = keys.keys.iter().filter(|k| k.material.algorithm() == algorithm);
    match (candidates.next(), candidates.next()) {
        (Some(key), None) => Ok(key),
        (Some(_), Some(_)) => Err(reject(
            reason::JWT_MISSING_KID,
            format!("token has no kid and several {} keys are configured", algorithm.jws_name()),
        )),
        // An HMAC token where only public keys exist can only have been signed with a public
        // key used as the secret.
        (None, _) if algorithm == Algorithm::HS256 && !keys.keys.is_empty() => {
            Err(reject(reason::JWT_ALG_CONFUSION, "HS256 token but only asymmetric keys are configured"))
        }
        (None, _) => Err(reject(
            reason::JWT_UNKNOWN_KID,
            format!("token has no kid and no {} key is configured", algorithm.jws_name()),
        )),
    }
}

fn signature_matches(material: &KeyMaterial, signing_input: &[u8], signature: &[u8]) -> bool {
    match material {
        KeyMaterial::Rsa(key) => key.pkcs1v15_verify::<Sha256>(signing_input, signature).is_ok(),
        KeyMaterial::P256(key) => {
            // JWS ES256 signatures are the raw 64-byte r‖s, not DER.
            let Ok(signature) = p256::ecdsa::Signature::from_slice(signature) else {
                return false;
            };
            key.verify(signing_input, &signature).is_ok()
        }
        KeyMaterial::Hmac(keyed) => {
            let mut mac = keyed.clone();
            mac.update(signing_input);
            // verify_slice compares in constant time and refuses a truncated tag.
            mac.verify_slice(signature).is_ok()
        }
    }
}

fn scopes_of(claims: &Claims<'_>) -> Vec<String> {
    if let Some(scope) = &claims.scope {
        return scope.split_ascii_whitespace().map(str::to_owned).collect();
    }
    match &claims.scp {
        Some(OneOrMany::One(scope)) => scope.split_ascii_whitespace().map(str::to_owned).collect(),
        Some(many @ OneOrMany::Many(_)) => many.iter().map(str::to_owned).collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::hmac_key;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: i64 = 1_800_000_000;

    fn verifier() -> JwtVerifier {
        JwtVerifier {
            allowed: vec![Algorithm::HS256, Algorithm::RS256],
            issuers: vec!["https://idp".into()],
            audiences: vec!["api".into()],
            leeway_seconds: 30,
            max_token_bytes: 4096,
            verified: VerifiedTokens::new(),
        }
    }

    fn key_set() -> KeySet {
        KeySet { keys: vec![hmac_key(SECRET, Some("h1")).unwrap()], generation: 0 }
    }

    fn sign(header: &serde_json::Value, claims: &serde_json::Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut mac = <hmac::Hmac<Sha256> as hmac::KeyInit>::new_from_slice(SECRET).unwrap();
        mac.update(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn verified_tokens_are_remembered_but_still_expire_and_follow_key_rotation() {
        let verifier = verifier();
        let token = sign(&header(), &claims());
        let keys = key_set();
        assert!(verifier.verify(&token, &keys, NOW).is_ok());
        // Remembered: accepted again, without the signature being checked against the keys.
        let no_keys = KeySet { keys: vec![], generation: 0 };
        assert!(verifier.verify(&token, &no_keys, NOW + 1).is_ok());
        // Expiry still applies to a remembered token.
        let exp = claims()["exp"].as_i64().unwrap();
        assert_eq!(verifier.verify(&token, &keys, exp + 31).unwrap_err().reason, reason::JWT_EXPIRED);
        // A new key set (rotation, refresh) is a miss: the token is checked against it.
        let rotated = KeySet { keys: vec![], generation: 1 };
        assert_eq!(verifier.verify(&token, &rotated, NOW + 2).unwrap_err().reason, reason::JWT_UNKNOWN_KID);
        // A rejected token is never remembered.
        let mut tampered = claims();
        tampered["sub"] = serde_json::json!("someone-else");
        let forged = format!(
            "{}.{}",
            token.rsplit_once('.').map(|(head, _)| head.split_once('.').unwrap().0).unwrap(),
            "x"
        );
        assert!(verifier.verify(&forged, &keys, NOW).is_err());
        assert!(verifier.verify(&forged, &keys, NOW).is_err());
    }

    fn claims() -> serde_json::Value {
        serde_json::json!({"iss": "https://idp", "sub": "cust-1", "aud": "api", "exp": NOW + 600,
            "scope": "accounts payments"})
    }

    fn header() -> serde_json::Value {
        serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": "h1"})
    }

    fn reason_for(header: serde_json::Value, claims: serde_json::Value, now: i64) -> &'static str {
        match verifier().verify(&sign(&header, &claims), &key_set(), now) {
            Ok(identity) => panic!("accepted: {identity:?}"),
            Err(rejection) => rejection.reason,
        }
    }

    fn with(mut value: serde_json::Value, key: &str, field: serde_json::Value) -> serde_json::Value {
        value[key] = field;
        value
    }

    fn without(mut value: serde_json::Value, key: &str) -> serde_json::Value {
        value.as_object_mut().unwrap().remove(key);
        value
    }

    #[test]
    fn valid_token_yields_identity_with_scopes() {
        let token = sign(&header(), &claims());
        let identity = verifier().verify(&token, &key_set(), NOW).unwrap();
        assert_eq!(identity.subject, "cust-1");
        assert_eq!(identity.issuer.as_deref(), Some("https://idp"));
        assert_eq!(identity.key_id.as_deref(), Some("h1"));
        assert_eq!(identity.scopes, ["accounts", "payments"]);
        assert_eq!(identity.fingerprint, Fingerprint::of(token.as_bytes()));
    }

    #[test]
    fn scp_array_and_audience_array_are_read() {
        let c = with(without(claims(), "scope"), "scp", serde_json::json!(["a", "b"]));
        let c = with(c, "aud", serde_json::json!(["other", "api"]));
        let identity = verifier().verify(&sign(&header(), &c), &key_set(), NOW).unwrap();
        assert_eq!(identity.scopes, ["a", "b"]);
        let c = with(claims(), "aud", serde_json::json!(["other", "more"]));
        assert_eq!(reason_for(header(), c, NOW), reason::JWT_WRONG_AUDIENCE);
    }

    #[test]
    fn expiry_honours_leeway_at_the_boundary() {
        let exp = NOW + 600;
        let check = |now| verifier().verify(&sign(&header(), &claims()), &key_set(), now);
        assert!(check(exp + 29).is_ok());
        assert_eq!(check(exp + 30).unwrap_err().reason, reason::JWT_EXPIRED);
        let fractional = with(claims(), "exp", serde_json::json!(exp as f64 + 0.5));
        assert!(verifier().verify(&sign(&header(), &fractional), &key_set(), exp + 29).is_ok());
    }

    #[test]
    fn not_before_honours_leeway() {
        let c = with(claims(), "nbf", serde_json::json!(NOW + 100));
        assert_eq!(reason_for(header(), c.clone(), NOW), reason::JWT_NOT_YET_VALID);
        assert!(verifier().verify(&sign(&header(), &c), &key_set(), NOW + 70).is_ok());
    }

    #[test]
    fn required_claims_are_required() {
        for claim in ["exp", "iss", "aud", "sub"] {
            assert_eq!(
                reason_for(header(), without(claims(), claim), NOW),
                reason::JWT_MISSING_CLAIM,
                "{claim}"
            );
        }
        assert_eq!(
            reason_for(header(), with(claims(), "iss", "https://evil".into()), NOW),
            reason::JWT_WRONG_ISSUER
        );
        assert_eq!(reason_for(header(), with(claims(), "exp", "soon".into()), NOW), reason::JWT_MALFORMED);
        let personal = sign(&header(), &with(claims(), "nbf", "S1234567D".into()));
        let rejection = verifier().verify(&personal, &key_set(), NOW).unwrap_err();
        assert_eq!(rejection.reason, reason::JWT_MALFORMED);
        assert!(!rejection.detail.contains("S1234567D"), "{}", rejection.detail);
        assert_eq!(reason_for(header(), with(claims(), "aud", 7.into()), NOW), reason::JWT_MALFORMED);
    }

    #[test]
    fn duplicate_claims_are_malformed() {
        let header_b64 = URL_SAFE_NO_PAD.encode(header().to_string());
        let payload = r#"{"iss":"https://idp","sub":"a","sub":"admin","aud":"api","exp":1900000000}"#;
        let input = format!("{header_b64}.{}", URL_SAFE_NO_PAD.encode(payload));
        let mut mac = <hmac::Hmac<Sha256> as hmac::KeyInit>::new_from_slice(SECRET).unwrap();
        mac.update(input.as_bytes());
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
        assert_eq!(verifier().verify(&token, &key_set(), NOW).unwrap_err().reason, reason::JWT_MALFORMED);
    }

    #[test]
    fn header_attacks_are_named() {
        for alg in ["none", "None", "NONE", "nOnE"] {
            assert_eq!(reason_for(with(header(), "alg", alg.into()), claims(), NOW), reason::JWT_ALG_NONE);
        }
        assert_eq!(
            reason_for(with(header(), "alg", "ES256".into()), claims(), NOW),
            reason::JWT_ALG_NOT_ALLOWED
        );
        assert_eq!(
            reason_for(with(header(), "alg", "HS512".into()), claims(), NOW),
            reason::JWT_ALG_NOT_ALLOWED
        );
        assert_eq!(
            reason_for(with(header(), "alg", "hs256".into()), claims(), NOW),
            reason::JWT_ALG_NOT_ALLOWED
        );
        assert_eq!(
            reason_for(with(header(), "alg", "RS256".into()), claims(), NOW),
            reason::JWT_ALG_CONFUSION
        );
        assert_eq!(reason_for(without(header(), "alg"), claims(), NOW), reason::JWT_MALFORMED);
        assert_eq!(reason_for(with(header(), "alg", 256.into()), claims(), NOW), reason::JWT_MALFORMED);
        let crit = with(header(), "crit", serde_json::json!(["exp"]));
        assert_eq!(reason_for(crit, claims(), NOW), reason::JWT_CRIT_UNSUPPORTED);
        assert_eq!(reason_for(with(header(), "kid", "h2".into()), claims(), NOW), reason::JWT_UNKNOWN_KID);
        // A header-supplied key or key URL changes nothing: the configured secret still decides.
        let jku = with(header(), "jku", "https://evil.example/jwks".into());
        let jku = with(jku, "x5u", "https://evil.example/cert".into());
        assert!(verifier().verify(&sign(&jku, &claims()), &key_set(), NOW).is_ok());
    }

    #[test]
    fn structural_damage_is_malformed() {
        let token = sign(&header(), &claims());
        let (head, rest) = token.split_once('.').unwrap();
        let cases = [
            "".to_owned(),
            "a.b".to_owned(),
            format!("{token}.extra"),
            format!("{head}==.{rest}"),
            format!("{head}+.{rest}"),
            format!("{}.{rest}", URL_SAFE_NO_PAD.encode("[\"HS256\"]")),
            format!("{}.{rest}", URL_SAFE_NO_PAD.encode("{\"alg\":")),
        ];
        for case in cases {
            let rejection = verifier().verify(&case, &key_set(), NOW).unwrap_err();
            assert_eq!(rejection.reason, reason::JWT_MALFORMED, "{case}");
        }
        let huge = format!("{head}.{}.{}", "A".repeat(5000), "B");
        assert_eq!(verifier().verify(&huge, &key_set(), NOW).unwrap_err().reason, reason::JWT_TOO_LONG);
    }

    #[test]
    fn tampering_breaks_the_signature() {
        let token = sign(&header(), &claims());
        let parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(with(claims(), "sub", "admin".into()).to_string());
        let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);
        assert_eq!(
            verifier().verify(&tampered, &key_set(), NOW).unwrap_err().reason,
            reason::JWT_BAD_SIGNATURE
        );
        let truncated = format!("{}.{}.{}", parts[0], parts[1], &parts[2][..20]);
        assert_eq!(
            verifier().verify(&truncated, &key_set(), NOW).unwrap_err().reason,
            reason::JWT_BAD_SIGNATURE
        );
    }

    #[test]
    fn rejections_never_echo_the_token() {
        let token = sign(&header(), &with(claims(), "exp", 5.into()));
        let rejection = verifier().verify(&token, &key_set(), NOW).unwrap_err();
        assert_eq!(rejection.reason, reason::JWT_EXPIRED);
        let signature = token.rsplit('.').next().unwrap();
        assert!(!rejection.detail.contains(signature));
        assert_eq!(rejection.fingerprint, Some(Fingerprint::of(token.as_bytes())));
    }
}
