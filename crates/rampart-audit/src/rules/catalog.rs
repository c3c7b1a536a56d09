//! The rules: identifiers, OWASP categories, default severities, what they mean, how to fix,
//! and which Spectral OWASP rules (`@stoplight/spectral-owasp-ruleset` 2.x) they cover.

use rampart_core::{OwaspApi2023, Severity};

/// What a rule is, independent of any document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable kebab-case identifier: what config files and `x-rampart-ignore` name.
    pub id: &'static str,
    pub owasp: OwaspApi2023,
    /// Default severity; a finding may be raised or lowered from it by context (for example
    /// a public login endpoint without security is `info`, a write endpoint `high`).
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    pub fix: &'static str,
    /// The Spectral OWASP rules this rule covers (same class, same place).
    pub spectral: &'static [&'static str],
}

use OwaspApi2023::*;
use Severity::*;

macro_rules! rule {
    ($id:literal, $owasp:expr, $sev:expr, $summary:literal, $fix:literal, [$($sp:literal),*]) => {
        RuleInfo { id: $id, owasp: $owasp, severity: $sev, summary: $summary, fix: $fix, spectral: &[$($sp),*] }
    };
}

/// Every rule, in report order (by OWASP category).
pub const RULES: &[RuleInfo] = &[
    rule!(
        "numeric-id-parameter",
        Api1,
        Medium,
        "An object identifier parameter is a sequential integer: easy to enumerate (BOLA).",
        "Use random, unguessable identifiers (UUIDs) and check the caller owns the object on every request.",
        ["owasp:api1:2023-no-numeric-ids"]
    ),
    rule!(
        "operation-without-security",
        Api2,
        High,
        "The operation has no security requirement (or an empty one): anyone can call it.",
        "Add a `security` requirement to the operation or at the root, naming a scheme of `components.securitySchemes`.",
        ["owasp:api2:2023-write-restricted", "owasp:api2:2023-read-restricted"]
    ),
    rule!(
        "undefined-security-scheme",
        Api2,
        High,
        "A security requirement names a scheme that `components.securitySchemes` does not define.",
        "Define the scheme under `components.securitySchemes` or fix the name in the requirement.",
        []
    ),
    rule!(
        "http-basic-auth",
        Api2,
        High,
        "The security scheme is HTTP Basic: a reusable password on every request.",
        "Use OAuth 2.0 / OpenID Connect with short-lived bearer tokens (or mutual TLS) instead of Basic.",
        ["owasp:api2:2023-no-http-basic"]
    ),
    rule!(
        "insecure-auth-scheme",
        Api2,
        High,
        "The HTTP authentication scheme is outdated or insecure (Negotiate/NTLM, OAuth 1, Digest).",
        "Use `bearer` tokens from OAuth 2.0 / OpenID Connect.",
        ["owasp:api2:2023-auth-insecure-schemes"]
    ),
    rule!(
        "api-key-in-url",
        Api2,
        High,
        "An API key is sent in the query string or path, where logs, proxies and browser history keep it.",
        "Send API keys in a header (`in: header`).",
        ["owasp:api2:2023-no-api-keys-in-url"]
    ),
    rule!(
        "credentials-in-url",
        Api2,
        High,
        "A query or path parameter carries a credential (password, token, secret, API key).",
        "Move credentials to a header or the request body; never put them in URLs.",
        ["owasp:api2:2023-no-credentials-in-url"]
    ),
    rule!(
        "oauth-implicit-flow",
        Api2,
        High,
        "The OAuth 2.0 implicit flow returns tokens in the URL fragment; OAuth 2.0 Security BCP forbids it.",
        "Use the authorization code flow with PKCE.",
        []
    ),
    rule!(
        "oauth-password-flow",
        Api2,
        Medium,
        "The OAuth 2.0 resource owner password flow hands the user's password to the client; OAuth 2.0 Security BCP forbids it.",
        "Use the authorization code flow with PKCE (or client credentials for machine clients).",
        []
    ),
    rule!(
        "insecure-oauth-url",
        Api2,
        High,
        "An OAuth 2.0 / OpenID Connect URL (authorization, token, refresh, discovery) uses plain http://.",
        "Use https:// for every authorization, token, refresh and discovery URL.",
        []
    ),
    rule!(
        "oauth-no-refresh-url",
        Api2,
        Low,
        "The OAuth 2.0 flow declares no `refreshUrl`: access tokens are likely long-lived.",
        "Issue short-lived access tokens with refresh tokens and declare `refreshUrl`.",
        ["owasp:api2:2023-short-lived-access-tokens"]
    ),
    rule!(
        "jwt-without-rfc8725",
        Api2,
        Low,
        "The JWT / OAuth 2.0 scheme does not state that its tokens follow RFC 8725 (JWT best practices).",
        "Follow RFC 8725 (fixed algorithms, no `alg: none`, audience and expiry checks) and say so in the scheme's `description`.",
        ["owasp:api2:2023-jwt-best-practices"]
    ),
    rule!(
        "additional-properties-allowed",
        Api3,
        Medium,
        "The object schema explicitly allows additional properties: mass-assignment risk.",
        "Set `additionalProperties: false` (or `unevaluatedProperties: false` in 3.1), or bound them with `maxProperties`.",
        ["owasp:api3:2023-no-additionalProperties", "owasp:api3:2023-no-unevaluatedProperties"]
    ),
    rule!(
        "additional-properties-unbounded",
        Api3,
        Low,
        "The object schema allows any number of additional properties (no `maxProperties`).",
        "Add `maxProperties`, or set `additionalProperties: false`.",
        [
            "owasp:api3:2023-constrained-additionalProperties",
            "owasp:api3:2023-constrained-unevaluatedProperties"
        ]
    ),
    rule!(
        "sensitive-data-in-response",
        Api3,
        Low,
        "A response property is named after a national ID, card number or password: make sure it is masked or not returned.",
        "Return masked values (`S****567D`, `4111 **** **** 1111`) or drop the property; never return passwords.",
        []
    ),
    rule!(
        "open-request-object",
        Api3,
        Low,
        "A request body object accepts properties it does not declare (no `additionalProperties: false`): mass-assignment candidate.",
        "Set `additionalProperties: false` on request objects so that unknown fields (`role`, `isAdmin`, `balance`) are refused.",
        []
    ),
    rule!(
        "array-without-max-items",
        Api4,
        Medium,
        "The array schema has no `maxItems`.",
        "Add `maxItems` (and constrain `items`).",
        ["owasp:api4:2023-array-limit"]
    ),
    rule!(
        "string-without-max-length",
        Api4,
        Medium,
        "The string schema has no `maxLength`, `enum` or `const`.",
        "Add `maxLength` (or an `enum`/`const`).",
        ["owasp:api4:2023-string-limit"]
    ),
    rule!(
        "string-unrestricted",
        Api4,
        Low,
        "The string schema has no `format`, `pattern`, `enum` or `const`.",
        "Add a `pattern` or `format` (or an `enum`/`const`) describing the values accepted.",
        ["owasp:api4:2023-string-restricted"]
    ),
    rule!(
        "integer-unbounded",
        Api4,
        Medium,
        "The integer schema has no `minimum` and `maximum`.",
        "Add `minimum` and `maximum` (or the exclusive forms).",
        ["owasp:api4:2023-integer-limit", "owasp:api4:2023-integer-limit-legacy"]
    ),
    rule!(
        "integer-without-format",
        Api4,
        Low,
        "The integer schema has no `format` (`int32` or `int64`).",
        "Add `format: int32` or `format: int64`.",
        ["owasp:api4:2023-integer-format"]
    ),
    rule!(
        "number-unbounded",
        Api4,
        Low,
        "The number schema has no `minimum` and `maximum`.",
        "Add `minimum` and `maximum` (or the exclusive forms).",
        []
    ),
    rule!(
        "no-429-response",
        Api4,
        Low,
        "The operation declares no 429 (Too Many Requests) response with content: no sign of rate limiting.",
        "Rate-limit the operation and declare its 429 response (problem details and `Retry-After`).",
        ["owasp:api4:2023-rate-limit-responses-429"]
    ),
    rule!(
        "retry-after-missing",
        Api4,
        Low,
        "The 429 response declares no `Retry-After` header.",
        "Declare the `Retry-After` header on 429 responses.",
        ["owasp:api4:2023-rate-limit-retry-after"]
    ),
    rule!(
        "rate-limit-headers-missing",
        Api4,
        Info,
        "The 2xx/4xx response declares no rate-limit headers (`RateLimit`, `RateLimit-Limit`/`-Reset`, `X-RateLimit-Limit`).",
        "Declare the rate-limit headers the API sends, e.g. `RateLimit` and `RateLimit-Policy`.",
        ["owasp:api4:2023-rate-limit"]
    ),
    rule!(
        "admin-security-not-unique",
        Api5,
        Medium,
        "An admin operation has the same security requirement as non-admin operations.",
        "Protect admin operations with their own scheme or scopes.",
        ["owasp:api5:2023-admin-security-unique"]
    ),
    rule!(
        "url-parameter-ssrf",
        Api7,
        Info,
        "The parameter takes a URL (callback, redirect, *_url): a server-side request forgery candidate.",
        "Validate such URLs against an allow-list of hosts and schemes; never fetch internal addresses.",
        ["owasp:api7:2023-concerning-url-parameter"]
    ),
    rule!(
        "server-plain-http",
        Api8,
        High,
        "The server URL uses plain http://.",
        "Serve the API over https:// only.",
        ["owasp:api8:2023-no-server-http"]
    ),
    rule!(
        "sensitive-data-in-url",
        Api8,
        Medium,
        "A query or path parameter carries sensitive personal or payment data (card number, national ID, account number…).",
        "Send sensitive values in the request body (POST) or a header, never in URLs that logs keep.",
        []
    ),
    rule!(
        "no-401-response",
        Api8,
        Low,
        "The operation declares no 401 (Unauthorized) response with content.",
        "Declare the 401 response with a problem-details body.",
        ["owasp:api8:2023-define-error-responses-401"]
    ),
    rule!(
        "no-403-response",
        Api8,
        Info,
        "The secured operation declares no 403 (Forbidden) response.",
        "Declare the 403 response returned when the caller lacks the scope or does not own the object.",
        []
    ),
    rule!(
        "no-validation-error-response",
        Api8,
        Low,
        "The operation declares no 400, 422 or 4XX response for invalid requests.",
        "Declare the validation error response (400 or 422) with a problem-details body.",
        ["owasp:api8:2023-define-error-validation"]
    ),
    rule!(
        "no-500-response",
        Api8,
        Info,
        "The operation declares no 500 response with content.",
        "Declare the 500 response with a generic problem-details body (no stack traces).",
        ["owasp:api8:2023-define-error-responses-500"]
    ),
    rule!(
        "no-error-responses",
        Api8,
        Medium,
        "The operation declares no error response at all (no 4xx, no `default`).",
        "Declare the error responses (400, 401, 403, 404, 429, default) with problem-details bodies.",
        []
    ),
    rule!(
        "cors-origin-undefined",
        Api8,
        Info,
        "The response headers do not declare `Access-Control-Allow-Origin`.",
        "Declare the CORS policy: `Access-Control-Allow-Origin` with the allowed origins.",
        ["owasp:api8:2023-define-cors-origin"]
    ),
    rule!(
        "server-audience-undeclared",
        Api9,
        Info,
        "The server does not say whether it is internal or public (`x-internal`).",
        "Add `x-internal: true` or `false` to every server.",
        ["owasp:api9:2023-inventory-access"]
    ),
    rule!(
        "server-environment-undeclared",
        Api9,
        Info,
        "The server description does not name its environment (production, staging, sandbox…).",
        "Say which environment each server is in its `description`.",
        ["owasp:api9:2023-inventory-environment"]
    ),
    rule!(
        "superseded-version-path",
        Api9,
        Low,
        "An old API version is still declared beside a newer one (`/v1/…` and `/v2/…`).",
        "Retire the old version, or mark its operations `deprecated: true` with a sunset date.",
        []
    ),
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

/// The Rampart rule that covers a Spectral OWASP rule (`owasp:api4:2023-array-limit` →
/// `array-without-max-items`). `None` for Spectral rules Rampart does not cover, which are
/// the Swagger 2.0 only `owasp:api8:2023-no-scheme-http` (Rampart audits OpenAPI 3.x only).
pub fn spectral_equivalent(spectral_rule: &str) -> Option<&'static str> {
    RULES.iter().find(|r| r.spectral.contains(&spectral_rule)).map(|r| r.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate rule {}", r.id);
            assert!(
                r.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                r.id
            );
            assert!(!r.summary.is_empty() && !r.fix.is_empty());
        }
    }

    #[test]
    fn every_spectral_owasp_rule_but_the_swagger_two_one_has_an_equivalent() {
        let spectral = [
            "owasp:api1:2023-no-numeric-ids",
            "owasp:api2:2023-no-http-basic",
            "owasp:api2:2023-no-api-keys-in-url",
            "owasp:api2:2023-no-credentials-in-url",
            "owasp:api2:2023-auth-insecure-schemes",
            "owasp:api2:2023-jwt-best-practices",
            "owasp:api2:2023-short-lived-access-tokens",
            "owasp:api2:2023-write-restricted",
            "owasp:api2:2023-read-restricted",
            "owasp:api3:2023-no-additionalProperties",
            "owasp:api3:2023-constrained-additionalProperties",
            "owasp:api3:2023-no-unevaluatedProperties",
            "owasp:api3:2023-constrained-unevaluatedProperties",
            "owasp:api4:2023-rate-limit",
            "owasp:api4:2023-rate-limit-retry-after",
            "owasp:api4:2023-rate-limit-responses-429",
            "owasp:api4:2023-array-limit",
            "owasp:api4:2023-string-limit",
            "owasp:api4:2023-string-restricted",
            "owasp:api4:2023-integer-limit",
            "owasp:api4:2023-integer-limit-legacy",
            "owasp:api4:2023-integer-format",
            "owasp:api5:2023-admin-security-unique",
            "owasp:api7:2023-concerning-url-parameter",
            "owasp:api8:2023-define-cors-origin",
            "owasp:api8:2023-no-server-http",
            "owasp:api8:2023-define-error-validation",
            "owasp:api8:2023-define-error-responses-401",
            "owasp:api8:2023-define-error-responses-500",
            "owasp:api9:2023-inventory-access",
            "owasp:api9:2023-inventory-environment",
        ];
        for name in spectral {
            assert!(spectral_equivalent(name).is_some(), "{name}");
        }
        assert_eq!(spectral_equivalent("owasp:api8:2023-no-scheme-http"), None);
    }
}
