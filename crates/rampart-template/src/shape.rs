//! What a single path segment looks like, on its own.
//!
//! [`classify_segment`] is a pure function of the segment text. [`lean`] adds the
//! route-vocabulary knowledge (route words, plurals, version segments) and says how strongly the
//! segment's text alone argues for "parameter value" or "static route name".

use serde::{Deserialize, Serialize};

use crate::naming::{is_plural_word, singularize};

/// Shape class of a path segment value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SegmentShape {
    /// Decimal integer without leading zero, up to 10 digits: `8812345`.
    Integer,
    /// Long digit strings, digits with leading zeros or separators: card and account numbers,
    /// `4111-1111-1111-1111`, `000123`.
    Digits,
    /// IBAN-like or masked account numbers: `GB29NWBK60161331926819`, `****1234`.
    AccountNumber,
    /// RFC 4122 textual UUID.
    Uuid,
    /// Hexadecimal token of 8+ characters with digits and letters: object ids, hashes.
    Hex,
    /// ISO date (optionally with time): `2026-10-31`, `2026-10`, `2026-10-31T12:00:00Z`.
    Date,
    /// E-mail address.
    Email,
    /// Random-looking or base64-like token: `xK8pLm2Q`, JWTs, `cus_NffrFeUfNV2Hib`.
    Token,
    /// API version: `v1`, `v2beta1`, `1.0`.
    Version,
    /// Letters only: `accounts`, `octocat`, `SecurityQuestions`.
    Word,
    /// Words joined by `-` or `_`: `credit-cards`, `how-to-save-money`.
    Slug,
    /// Letters with digits: `name1`, `bookTitle56`, `oauth2`.
    Mixed,
    /// Anything else: punctuation, non-ASCII text, spaces.
    String,
}

impl SegmentShape {
    pub(crate) const COUNT: usize = 13;

    /// Shapes that are parameter values wherever they appear (dates in leading position aside).
    pub fn is_obvious_value(self) -> bool {
        matches!(
            self,
            SegmentShape::Integer
                | SegmentShape::Digits
                | SegmentShape::AccountNumber
                | SegmentShape::Uuid
                | SegmentShape::Hex
                | SegmentShape::Date
                | SegmentShape::Email
                | SegmentShape::Token
        )
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn from_index(index: usize) -> SegmentShape {
        const ALL: [SegmentShape; SegmentShape::COUNT] = [
            SegmentShape::Integer,
            SegmentShape::Digits,
            SegmentShape::AccountNumber,
            SegmentShape::Uuid,
            SegmentShape::Hex,
            SegmentShape::Date,
            SegmentShape::Email,
            SegmentShape::Token,
            SegmentShape::Version,
            SegmentShape::Word,
            SegmentShape::Slug,
            SegmentShape::Mixed,
            SegmentShape::String,
        ];
        ALL.get(index).copied().unwrap_or(SegmentShape::String)
    }
}

/// Normalise a raw path into its segments: empty segments (`//`, a trailing `/`) are dropped, so
/// `/a/b/`, `/a//b` and `a/b` are the same endpoint and `/` has no segments.
pub fn split_path(path: &str) -> Vec<&str> {
    segments(path).collect()
}

pub(crate) fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|segment| !segment.is_empty())
}

/// Shape class of one path segment. Percent-escapes are decoded before classifying, so
/// `jane%40example.com` is an [`SegmentShape::Email`]. Never panics.
pub fn classify_segment(segment: &str) -> SegmentShape {
    if segment.as_bytes().contains(&b'%') {
        let decoded = percent_decode(segment);
        return classify_plain(&decoded);
    }
    classify_plain(segment)
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) =
                (bytes.get(i + 1).and_then(|b| hex_value(*b)), bytes.get(i + 2).and_then(|b| hex_value(*b)))
        {
            out.push(high * 16 + low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

fn classify_plain(segment: &str) -> SegmentShape {
    let bytes = segment.as_bytes();
    if bytes.is_empty() {
        return SegmentShape::String;
    }
    if bytes.iter().all(u8::is_ascii_digit) {
        return if bytes.len() <= 10 && (bytes.len() == 1 || bytes[0] != b'0') {
            SegmentShape::Integer
        } else {
            SegmentShape::Digits
        };
    }
    if is_uuid(bytes) {
        return SegmentShape::Uuid;
    }
    if is_date(bytes) {
        return SegmentShape::Date;
    }
    if is_email(bytes) {
        return SegmentShape::Email;
    }
    if is_version(bytes) {
        return SegmentShape::Version;
    }
    if is_separated_digits(bytes) {
        return SegmentShape::Digits;
    }
    if is_iban(bytes) || is_masked_number(bytes) {
        return SegmentShape::AccountNumber;
    }
    if is_hex_token(bytes) {
        return SegmentShape::Hex;
    }
    if is_slug(bytes) {
        return SegmentShape::Slug;
    }
    if is_random_token(bytes) {
        return SegmentShape::Token;
    }
    if bytes.iter().all(u8::is_ascii_alphabetic) {
        return SegmentShape::Word;
    }
    if bytes.iter().all(u8::is_ascii_alphanumeric) {
        return SegmentShape::Mixed;
    }
    SegmentShape::String
}

fn is_uuid(bytes: &[u8]) -> bool {
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn two_digits(bytes: &[u8]) -> Option<u32> {
    match bytes {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        }
        _ => None,
    }
}

fn is_date(bytes: &[u8]) -> bool {
    if bytes.len() < 7 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return false;
    }
    let year = bytes[..4].iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    if !(1900..=2199).contains(&year) {
        return false;
    }
    let Some(month) = two_digits(&bytes[5..7]) else { return false };
    if !(1..=12).contains(&month) {
        return false;
    }
    if bytes.len() == 7 {
        return true;
    }
    if bytes.len() < 10 || bytes[7] != b'-' {
        return false;
    }
    let Some(day) = two_digits(&bytes[8..10]) else { return false };
    if !(1..=31).contains(&day) {
        return false;
    }
    bytes.len() == 10 || (bytes.len() >= 13 && matches!(bytes[10], b'T' | b't' | b' ' | b'_'))
}

fn is_email(bytes: &[u8]) -> bool {
    let Some(at) = bytes.iter().position(|b| *b == b'@') else { return false };
    let (local, domain) = (&bytes[..at], &bytes[at + 1..]);
    !local.is_empty()
        && local.len() <= 64
        && local.iter().all(|b| b.is_ascii_alphanumeric() || b"._%+-'".contains(b))
        && domain.len() >= 3
        && domain.contains(&b'.')
        && domain.first() != Some(&b'.')
        && domain.last() != Some(&b'.')
        && domain.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-')
}

/// `v1`, `V2`, `v1.2`, `v1beta1`, `v2alpha`, and dotted numbers of 2-3 parts (`1.0`, `2.1.3`).
fn is_version(bytes: &[u8]) -> bool {
    if let [b'v' | b'V', rest @ ..] = bytes {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 4 {
            return false;
        }
        let mut tail = &rest[digits..];
        while let [b'.' | b'_', more @ ..] = tail {
            let n = more.iter().take_while(|b| b.is_ascii_digit()).count();
            if n == 0 {
                return false;
            }
            tail = &more[n..];
        }
        let letters = tail.iter().take_while(|b| b.is_ascii_lowercase()).count();
        if letters > 7 {
            return false;
        }
        return tail[letters..].iter().all(u8::is_ascii_digit)
            && (letters == 0
                || matches!(&tail[..letters], b"alpha" | b"beta" | b"rc" | b"preview" | b"dev" | b"p"));
    }
    let mut parts = 0;
    for part in bytes.split(|b| *b == b'.') {
        if part.is_empty() || part.len() > 4 || !part.iter().all(u8::is_ascii_digit) {
            return false;
        }
        parts += 1;
    }
    (2..=3).contains(&parts)
}

fn is_separated_digits(bytes: &[u8]) -> bool {
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    digits >= 8 && bytes.iter().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b' ' | b'.'))
}

fn is_iban(bytes: &[u8]) -> bool {
    (15..=34).contains(&bytes.len())
        && bytes[..2].iter().all(u8::is_ascii_uppercase)
        && bytes[2..4].iter().all(u8::is_ascii_digit)
        && bytes[4..].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && bytes.iter().filter(|b| b.is_ascii_digit()).count() >= 8
}

fn is_masked_number(bytes: &[u8]) -> bool {
    let masks = bytes.iter().filter(|b| matches!(b, b'*' | b'X' | b'x' | b'#')).count();
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    masks >= 4
        && digits >= 2
        && bytes.iter().all(|b| b.is_ascii_digit() || matches!(b, b'*' | b'X' | b'x' | b'#' | b'-' | b' '))
}

fn is_hex_token(bytes: &[u8]) -> bool {
    if bytes.len() < 8 || bytes.first() == Some(&b'-') || bytes.last() == Some(&b'-') {
        return false;
    }
    let mut digits = 0;
    let mut letters = 0;
    for b in bytes {
        match b {
            b'0'..=b'9' => digits += 1,
            b'a'..=b'f' | b'A'..=b'F' => letters += 1,
            b'-' => {}
            _ => return false,
        }
    }
    digits >= 1 && letters >= 1 && digits + letters >= 8 && !bytes.windows(2).any(|w| w == b"--")
}

/// Lower-case words joined by `-` or `_` (digits allowed in parts), at least two parts.
fn is_slug(bytes: &[u8]) -> bool {
    let mut parts = 0;
    for part in bytes.split(|b| *b == b'-' || *b == b'_') {
        if part.is_empty() || !part.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
            return false;
        }
        parts += 1;
    }
    parts >= 2
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CharClass {
    Lower,
    Upper,
    Digit,
    Other,
}

fn char_class(byte: u8) -> CharClass {
    match byte {
        b'a'..=b'z' => CharClass::Lower,
        b'A'..=b'Z' => CharClass::Upper,
        b'0'..=b'9' => CharClass::Digit,
        _ => CharClass::Other,
    }
}

/// Number of "word chunks" in camelCase / digit-run terms: `getUserById` → 4,
/// `xK8pLm2Q` → 7. Random identifiers have many short chunks; route names have few long ones.
fn chunk_count(bytes: &[u8]) -> usize {
    let mut chunks = 0;
    let mut previous = CharClass::Other;
    let mut upper_run = 0;
    for &byte in bytes {
        let class = char_class(byte);
        let boundary = match (previous, class) {
            (_, CharClass::Other) => false,
            (CharClass::Other, _) => true,
            (CharClass::Lower, CharClass::Upper) => true,
            (CharClass::Upper, CharClass::Lower) => upper_run > 1,
            (a, b) => (a == CharClass::Digit) != (b == CharClass::Digit),
        };
        if boundary {
            chunks += 1;
        }
        upper_run = if class == CharClass::Upper { upper_run + 1 } else { 0 };
        previous = class;
    }
    chunks
}

fn is_random_token(bytes: &[u8]) -> bool {
    let len = bytes.len();
    if len < 8 || !bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"-_=.~+".contains(b)) {
        return false;
    }
    let mut letters = 0usize;
    let mut vowels = 0usize;
    let mut digits = 0usize;
    let mut uppers = 0usize;
    for &b in bytes {
        if b.is_ascii_alphabetic() {
            letters += 1;
            if b"aeiouyAEIOUY".contains(&b) {
                vowels += 1;
            }
            if b.is_ascii_uppercase() {
                uppers += 1;
            }
        } else if b.is_ascii_digit() {
            digits += 1;
        }
    }
    if letters == 0 {
        return false;
    }
    let chunks = chunk_count(bytes).max(1);
    let mean_chunk = len as f64 / chunks as f64;
    (chunks >= 4 && mean_chunk <= 2.2)
        || (len >= 12 && chunks >= 5 && mean_chunk <= 3.0)
        || (letters >= 6 && vowels * 5 < letters && (uppers > 0 || digits > 0 || len >= 10))
        || (len >= 16 && digits >= 2 && chunks >= 3)
        || (len >= 24 && (digits > 0 || uppers > 0) && !bytes.contains(&b'-'))
}

/// How strongly a segment's text alone argues for "value" or "route name".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lean {
    /// A value wherever it is: numbers, UUIDs, dates, e-mails, tokens, huge segments.
    Obvious,
    /// Probably a value: `name1`, `bookTitle56`, `how-to-save-money`, `CUST-0042`, `caf%C3%A9`.
    Value,
    /// A plain word or short slug: could be either.
    Neutral,
    /// A plural noun: a collection name more often than a value.
    Plural,
    /// A route word that is also a plausible value (`admin`, `test`): static unless it behaves
    /// exactly like its value siblings.
    Tier2,
    /// A route word, a version, or a `_`/`.`-prefixed name: static.
    Static,
    /// A date in leading position: an API version (`/2015-03-31/functions`) unless many.
    LeadingDate,
}

/// Segments longer than this are values: no route is named like that, and keeping them as
/// literals would let one request pin megabytes.
const MAX_ROUTE_NAME_LEN: usize = 64;

pub(crate) fn lean(segment: &str, index: usize) -> (Lean, SegmentShape) {
    if segment.len() > MAX_ROUTE_NAME_LEN {
        return (
            Lean::Obvious,
            if is_random_token(segment.as_bytes()) { SegmentShape::Token } else { SegmentShape::String },
        );
    }
    let shape = classify_segment(segment);
    if segment.contains(['{', '}']) {
        return (Lean::Obvious, shape);
    }
    if shape == SegmentShape::Date && index == 0 {
        return (Lean::LeadingDate, shape);
    }
    if shape.is_obvious_value() {
        return (Lean::Obvious, shape);
    }
    let lean = match shape {
        // `v2.3.1`, `1.2.3`: three-part numbers are release tags, not API versions.
        SegmentShape::Version if segment.bytes().filter(|b| *b == b'.').count() >= 2 => Lean::Value,
        SegmentShape::Version => {
            if segment.starts_with(['v', 'V']) {
                Lean::Static
            } else {
                Lean::Neutral
            }
        }
        _ if segment.starts_with(['_', '.', '$']) => Lean::Static,
        _ => lean_by_words(segment, shape),
    };
    (lean, shape)
}

fn lean_by_words(segment: &str, shape: SegmentShape) -> Lean {
    let mut buffer = [0u8; MAX_ROUTE_NAME_LEN];
    let lower = ascii_lowercase(segment, &mut buffer);
    match route_word_tier(lower) {
        Some(1) => return Lean::Static,
        Some(_) => return Lean::Tier2,
        None => {}
    }
    match shape {
        SegmentShape::Word => {
            let letters = lower.len();
            let vowels = lower.bytes().filter(|b| b"aeiouy".contains(b)).count();
            if letters >= 10 && vowels * 6 < letters {
                Lean::Value
            } else if is_plural_word(lower) {
                Lean::Plural
            } else {
                Lean::Neutral
            }
        }
        SegmentShape::Mixed => {
            if mixed_is_value(segment) {
                Lean::Value
            } else {
                Lean::Neutral
            }
        }
        SegmentShape::Slug => {
            let parts: Vec<&str> = lower.split(['-', '_']).collect();
            let plural_end = parts.last().is_some_and(|last| is_plural_word(last));
            // A long kebab-case slug is a title (`how-to-save-money`) unless it names a
            // collection (`fork-pr-workflows-private-repos`); snake_case is how code names
            // things (`file_versions_on_hold`), not how people title pages.
            let title = parts.len() >= 4 && !plural_end && !lower.contains('_');
            if parts.iter().any(|p| p.bytes().any(|b| b.is_ascii_digit())) || title {
                Lean::Value
            } else if plural_end {
                Lean::Plural
            } else {
                Lean::Neutral
            }
        }
        SegmentShape::String => {
            if is_route_file(lower) || is_code_like(segment) == Some(false) {
                Lean::Neutral
            } else {
                Lean::Value
            }
        }
        _ => Lean::Neutral,
    }
}

/// `CUST-004512`, `INV_2024_17`: letters and digit groups with separators are identifiers.
/// Returns `None` when the segment is not made of alphanumeric parts and separators.
fn is_code_like(segment: &str) -> Option<bool> {
    let bytes = segment.as_bytes();
    if !bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_') {
        return None;
    }
    Some(bytes.iter().any(u8::is_ascii_digit))
}

fn ascii_lowercase<'a>(segment: &'a str, buffer: &'a mut [u8; MAX_ROUTE_NAME_LEN]) -> &'a str {
    let bytes = segment.as_bytes();
    if bytes.len() > buffer.len() || !bytes.iter().any(u8::is_ascii_uppercase) {
        return segment;
    }
    let out = &mut buffer[..bytes.len()];
    out.copy_from_slice(bytes);
    out.make_ascii_lowercase();
    // Lower-casing ASCII bytes keeps valid UTF-8 valid.
    std::str::from_utf8(out).unwrap_or(segment)
}

/// Known file names served by APIs (`jwks.json`, `openapi.yaml`) are route names, not values.
fn is_route_file(lower: &str) -> bool {
    let Some((stem, extension)) = lower.rsplit_once('.') else { return false };
    !stem.is_empty()
        && stem.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && matches!(
            extension,
            "json"
                | "yaml"
                | "yml"
                | "xml"
                | "txt"
                | "html"
                | "htm"
                | "js"
                | "css"
                | "ico"
                | "wsdl"
                | "php"
                | "asp"
                | "aspx"
                | "jsp"
                | "do"
                | "action"
                | "md"
                | "well-known"
        )
}

/// Letter prefixes that take a version-ish number in route names (`oauth2`, `sha256`, `step2`).
fn is_technical_prefix(letters: &str) -> bool {
    matches!(
        letters,
        "oauth"
            | "http"
            | "https"
            | "base"
            | "sha"
            | "pbkdf"
            | "argon"
            | "covid"
            | "auth"
            | "web"
            | "step"
            | "stage"
            | "phase"
            | "level"
            | "tier"
            | "part"
            | "utf"
            | "ipv"
            | "ed"
            | "md"
            | "mp"
            | "html"
            | "ecma"
            | "es"
            | "win"
            | "iso"
            | "rfc"
            | "s"
            | "ec"
            | "h"
            | "x"
            | "api"
            | "ver"
            | "version"
            | "e"
            | "b"
            | "p"
            | "v"
            | "fido"
            | "webauthn"
            | "bech"
            | "secp"
            | "log"
            | "round"
            | "k"
            | "i"
            | "l"
            | "crc"
            | "aes"
            | "rsa"
            | "hs"
            | "rs"
            | "ps"
            | "vp"
            | "av"
            | "python"
            | "java"
            | "net"
            | "dotnet"
            | "node"
            | "gen"
    )
}

/// `name1`, `user42`, `bookTitle56`, `a1b2c3` are values; `oauth2`, `ipv4`, `sha256`, `x509`,
/// `step2` are route names.
fn mixed_is_value(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    let mut runs: Vec<(bool, &[u8])> = Vec::new();
    let mut start = 0;
    for i in 1..=bytes.len() {
        if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
            runs.push((bytes[start].is_ascii_digit(), &bytes[start..i]));
            start = i;
        }
    }
    if runs.len() >= 4 {
        return true;
    }
    let digits: usize = runs.iter().filter(|(is_digit, _)| *is_digit).map(|(_, run)| run.len()).sum();
    let letters_lower: String = runs
        .iter()
        .filter(|(is_digit, _)| !*is_digit)
        .map(|(_, run)| String::from_utf8_lossy(run).to_ascii_lowercase())
        .collect();
    if is_technical_prefix(&letters_lower) {
        return false;
    }
    if digits >= 3 {
        return true;
    }
    match runs.as_slice() {
        // `projectsV2`, `searchv3`: a word with a version suffix is a route name.
        [(false, letters), (true, digits)]
            if letters.len() >= 4 && digits.len() <= 2 && matches!(letters.last(), Some(b'V' | b'v')) =>
        {
            false
        }
        [(false, letters), (true, _)] => letters.len() >= 4,
        _ => false,
    }
}

/// Route words: tier 1 never become parameters by inference; tier 2 (`admin`, `test`, ...) are
/// also plausible account names and may, when they behave exactly like value siblings.
pub(crate) fn route_word_tier(lower: &str) -> Option<u8> {
    match lower {
        "admin" | "root" | "test" | "guest" | "demo" | "system" | "anonymous" | "administrator"
        | "superuser" | "operator" | "manager" | "support" | "owner" => Some(2),
        "me"
        | "self"
        | "current"
        | "mine"
        | "my"
        | "myself"
        | "whoami"
        | "login"
        | "logout"
        | "signin"
        | "signout"
        | "sign-in"
        | "sign-out"
        | "signup"
        | "sign-up"
        | "register"
        | "registration"
        | "auth"
        | "authorize"
        | "authenticate"
        | "authentication"
        | "token"
        | "tokens"
        | "refresh"
        | "revoke"
        | "introspect"
        | "callback"
        | "verify"
        | "verification"
        | "validate"
        | "validation"
        | "confirm"
        | "activate"
        | "reset"
        | "forgot"
        | "search"
        | "query"
        | "find"
        | "filter"
        | "lookup"
        | "autocomplete"
        | "suggest"
        | "summary"
        | "overview"
        | "stats"
        | "statistics"
        | "metrics"
        | "count"
        | "total"
        | "totals"
        | "bulk"
        | "batch"
        | "export"
        | "import"
        | "upload"
        | "download"
        | "sync"
        | "health"
        | "healthz"
        | "healthcheck"
        | "status"
        | "ping"
        | "ready"
        | "readyz"
        | "live"
        | "livez"
        | "liveness"
        | "readiness"
        | "version"
        | "versions"
        | "info"
        | "config"
        | "configuration"
        | "settings"
        | "preferences"
        | "profile"
        | "dashboard"
        | "home"
        | "index"
        | "list"
        | "all"
        | "new"
        | "create"
        | "edit"
        | "update"
        | "delete"
        | "set"
        | "unset"
        | "get"
        | "clear"
        | "remove"
        | "add"
        | "latest"
        | "recent"
        | "popular"
        | "trending"
        | "featured"
        | "default"
        | "public"
        | "private"
        | "internal"
        | "external"
        | "history"
        | "pending"
        | "active"
        | "inactive"
        | "archived"
        | "upcoming"
        | "today"
        | "docs"
        | "swagger"
        | "openapi"
        | "schema"
        | "spec"
        | "api"
        | "apis"
        | "rest"
        | "graphql"
        | "rpc"
        | "jsonrpc"
        | "webhook"
        | "webhooks"
        | "events"
        | "password"
        | "email"
        | "avatar"
        | "checkout"
        | "cart"
        | "basket"
        | "wallet"
        | "balance"
        | "balances"
        | "transfer"
        | "cancel"
        | "approve"
        | "reject"
        | "submit"
        | "start"
        | "stop"
        | "enable"
        | "disable"
        | "lock"
        | "unlock"
        | "block"
        | "unblock"
        | "check"
        | "debug"
        | "log"
        | "logs"
        | "audit"
        | "report"
        | "reports"
        | "preview"
        | "render"
        | "random"
        | "next"
        | "previous"
        | "prev"
        | "first"
        | "last"
        | "top"
        | "feed"
        | "timeline"
        | "inbox"
        | "outbox"
        | "sent"
        | "drafts"
        | "trash"
        | "mobile"
        | "web"
        | "beta"
        | "alpha"
        | "stable"
        | "oauth"
        | "oauth2"
        | "oidc"
        | "saml"
        | "sso"
        | "mfa"
        | "otp"
        | "totp"
        | "2fa"
        | "jwks"
        | "certs"
        | "captcha"
        | "chatbot"
        | "respond"
        | "contact"
        | "about"
        | "terms"
        | "privacy"
        | "help"
        | "faq"
        | "feedback"
        | "like"
        | "unlike"
        | "follow"
        | "unfollow"
        | "share"
        | "subscribe"
        | "unsubscribe"
        | "unread"
        | "read"
        | "details"
        | "detail"
        | "meta"
        | "metadata"
        | "options"
        | "usage"
        | "billing"
        | "limits"
        | "quota"
        | "v"
        | "well-known"
        | "openid-configuration"
        | "userinfo"
        | "session"
        | "sessions"
        | "consent"
        | "consents"
        | "permissions"
        | "roles"
        | "scopes"
        | "verify-email"
        | "change-password"
        | "forgot-password"
        | "reset-password"
        | "check-otp"
        | "resend"
        | "retry"
        | "run"
        | "execute"
        | "preflight"
        | "estimate"
        | "quote"
        | "simulate"
        | "calculate"
        | "available"
        | "availability"
        | "exists"
        | "check-availability"
        | "notifications"
        | "messages"
        | "accept"
        | "decline"
        | "assign"
        | "close"
        | "reopen"
        | "archive"
        | "restore"
        | "publish"
        | "unpublish"
        | "approve-all"
        | "mark-read"
        | "whoami.json"
        | "ws"
        | "websocket"
        | "stream"
        | "events.json"
        | "batch-create"
        | "bulk-create"
        | "snapshot"
        | "snapshots"
        | "current-user"
        | "user"
        | "account"
        | "accountinfo"
        | "favicon.ico"
        | "robots.txt"
        | "sitemap.xml"
        | "manifest.json" => Some(1),
        _ => None,
    }
}

/// Route words and short versions survive the collapse of a crowded node: their set is finite,
/// so keeping them cannot grow a node without bound.
pub(crate) fn survives_collapse(segment: &str) -> bool {
    if segment.len() <= 5 && is_version(segment.as_bytes()) && segment.starts_with(['v', 'V']) {
        return true;
    }
    let mut buffer = [0u8; MAX_ROUTE_NAME_LEN];
    route_word_tier(ascii_lowercase(segment, &mut buffer)).is_some()
}

/// A `v1`-style version or leading-position date: skipped when looking for the collection name
/// a parameter belongs to (`/users/v1/{username}`).
pub(crate) fn is_version_segment(segment: &str) -> bool {
    matches!(classify_segment(segment), SegmentShape::Version | SegmentShape::Date)
}

/// A segment naming a collection (`users`, `credit-cards`): the position after it is a likely
/// value position.
pub(crate) fn is_collection_name(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    let last = lower.rsplit(['-', '_']).next().unwrap_or(&lower);
    let camel_tail = last_camel_word(segment).to_ascii_lowercase();
    let tail =
        if camel_tail.len() < last.len() && !camel_tail.is_empty() { camel_tail.as_str() } else { last };
    tail.bytes().all(|b| b.is_ascii_alphabetic()) && singularize(tail) != tail && is_plural_word(tail)
}

fn last_camel_word(segment: &str) -> &str {
    let bytes = segment.as_bytes();
    match bytes.iter().rposition(u8::is_ascii_uppercase) {
        Some(i) if i > 0 && bytes[..i].iter().any(u8::is_ascii_lowercase) => &segment[i..],
        _ => segment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_numbers_and_ids() {
        assert_eq!(classify_segment("8812345"), SegmentShape::Integer);
        assert_eq!(classify_segment("0"), SegmentShape::Integer);
        assert_eq!(classify_segment("000123"), SegmentShape::Digits);
        assert_eq!(classify_segment("4111111111111111"), SegmentShape::Digits);
        assert_eq!(classify_segment("4111-1111-1111-1111"), SegmentShape::Digits);
        assert_eq!(classify_segment("550e8400-e29b-41d4-a716-446655440000"), SegmentShape::Uuid);
        assert_eq!(classify_segment("507f1f77bcf86cd799439011"), SegmentShape::Hex);
        assert_eq!(classify_segment("5267-f9cd5882f54c75a3"), SegmentShape::Hex);
        assert_eq!(classify_segment("GB29NWBK60161331926819"), SegmentShape::AccountNumber);
        assert_eq!(classify_segment("****1234"), SegmentShape::AccountNumber);
    }

    #[test]
    fn classifies_dates_emails_versions() {
        assert_eq!(classify_segment("2026-10-31"), SegmentShape::Date);
        assert_eq!(classify_segment("2026-10"), SegmentShape::Date);
        assert_eq!(classify_segment("2026-10-31T12:00:00Z"), SegmentShape::Date);
        assert_eq!(classify_segment("2026-13-31"), SegmentShape::Digits);
        assert_eq!(classify_segment("jane.doe@example.com"), SegmentShape::Email);
        assert_eq!(classify_segment("jane.doe%40example.com"), SegmentShape::Email);
        assert_eq!(classify_segment("v1"), SegmentShape::Version);
        assert_eq!(classify_segment("v1beta1"), SegmentShape::Version);
        assert_eq!(classify_segment("1.0"), SegmentShape::Version);
    }

    #[test]
    fn classifies_tokens_and_words() {
        assert_eq!(classify_segment("xK8pLm2Q"), SegmentShape::Token);
        assert_eq!(classify_segment("ConZLXacq3MqhbLQDrbNLE"), SegmentShape::Token);
        assert_eq!(classify_segment("cus_NffrFeUfNV2Hib"), SegmentShape::Token);
        assert_eq!(
            classify_segment("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"),
            SegmentShape::Token
        );
        assert_eq!(classify_segment("accounts"), SegmentShape::Word);
        assert_eq!(classify_segment("getUserById"), SegmentShape::Word);
        assert_eq!(classify_segment("SecurityQuestions"), SegmentShape::Word);
        assert_eq!(classify_segment("credit-cards"), SegmentShape::Slug);
        assert_eq!(classify_segment("how-to-save-money"), SegmentShape::Slug);
        assert_eq!(classify_segment("bookTitle56"), SegmentShape::Mixed);
        assert_eq!(classify_segment("oauth2"), SegmentShape::Mixed);
        assert_eq!(classify_segment("jwks.json"), SegmentShape::String);
        assert_eq!(classify_segment(""), SegmentShape::String);
        assert_eq!(classify_segment("caf%C3%A9"), SegmentShape::String);
    }

    #[test]
    fn leans() {
        assert_eq!(lean("name1", 2).0, Lean::Value);
        assert_eq!(lean("bookTitle56", 2).0, Lean::Value);
        assert_eq!(lean("oauth2", 1).0, Lean::Static);
        assert_eq!(lean("ipv4", 1).0, Lean::Neutral);
        assert_eq!(lean("sha256", 1).0, Lean::Neutral);
        assert_eq!(lean("step2", 1).0, Lean::Neutral);
        assert_eq!(lean("me", 1).0, Lean::Static);
        assert_eq!(lean("Login", 1).0, Lean::Static);
        assert_eq!(lean("admin", 1).0, Lean::Tier2);
        assert_eq!(lean("set", 2).0, Lean::Static);
        assert_eq!(lean("v2", 0).0, Lean::Static);
        assert_eq!(lean("_debug", 2).0, Lean::Static);
        assert_eq!(lean(".well-known", 0).0, Lean::Static);
        assert_eq!(lean("2015-03-31", 0).0, Lean::LeadingDate);
        assert_eq!(lean("2015-03-31", 2).0, Lean::Obvious);
        assert_eq!(lean("Products", 1).0, Lean::Plural);
        assert_eq!(lean("credit-cards", 1).0, Lean::Plural);
        assert_eq!(lean("octocat", 1).0, Lean::Neutral);
        assert_eq!(lean("how-to-save-money", 2).0, Lean::Value);
        assert_eq!(lean("CUST-004512", 2).0, Lean::Value);
        assert_eq!(lean("jwks.json", 1).0, Lean::Neutral);
        assert_eq!(lean("john%20smith", 1).0, Lean::Value);
        assert_eq!(lean("{id}", 1).0, Lean::Obvious);
        assert_eq!(lean(&"a".repeat(100), 1).0, Lean::Obvious);
    }

    #[test]
    fn collections() {
        assert!(is_collection_name("users"));
        assert!(is_collection_name("credit-cards"));
        assert!(is_collection_name("Products"));
        assert!(is_collection_name("SecurityQuestions"));
        assert!(!is_collection_name("user"));
        assert!(!is_collection_name("status"));
        assert!(!is_collection_name("search"));
    }

    #[test]
    fn splits_paths() {
        assert_eq!(split_path("/a/b/"), vec!["a", "b"]);
        assert_eq!(split_path("//a///b"), vec!["a", "b"]);
        assert!(split_path("/").is_empty());
        assert!(split_path("").is_empty());
    }
}
