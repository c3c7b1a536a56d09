//! The detectors: one prefilter pass finds candidate spans by *shape*, then each candidate goes
//! to the validators of the types that share that shape.
//!
//! The prefilter is a single multi-pattern regex (regex-automata's meta engine: a lazy DFA, one
//! pass over the bytes whatever the number of patterns). Its patterns describe shapes, not
//! types — "digits with separators", "letters then digits", "an email", "`AKIA…`" — because
//! most types share a shape (a 12-digit number may be an Aadhaar, a My Number or a MyKad) and
//! only the validators tell them apart. Patterns avoid large counted repetitions so the DFA stays
//! small; lengths are checked in code.

use std::net::Ipv6Addr;

use rampart_core::SensitiveType;
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::{Input, hybrid};

use crate::Confidence;
use crate::field_names::{NameHint, Strength};
use crate::phone;
use crate::validate;

/// One thing found in a value: its type, how sure we are, and its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub kind: SensitiveType,
    pub confidence: Confidence,
    pub span: (usize, usize),
}

/// The shapes, in priority order: where two start at the same byte the earlier one wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
enum Shape {
    PemPrivateKey,
    Jwt,
    Bearer,
    AwsAccessKey,
    AwsSecretInContext,
    GcpApiKey,
    ServiceAccount,
    AzureAccountKey,
    AzureSas,
    AzureClientSecret,
    Email,
    Iban,
    LetterId,
    Swift,
    Ipv6,
    Numeric,
}

// Patterns whose matches must stand alone carry ASCII `\b`, which the DFA supports: besides
// rejecting `ORD4111…`, it keeps the scan linear, since a higher-priority pattern left running
// over a long word cannot be restarted at every lower-priority match inside it. Unbounded runs
// without a literal prefix (the email's local part) are bounded for the same reason.
const SHAPES: [(Shape, &str); 16] = [
    (Shape::PemPrivateKey, r"-----BEGIN[A-Z ]{0,40}PRIVATE KEY-----"),
    (Shape::Jwt, r"eyJ[A-Za-z0-9_\-]+\.eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"),
    (Shape::Bearer, r"\b[Bb]earer +[A-Za-z0-9\-._~+/]+=*"),
    (Shape::AwsAccessKey, r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]+\b"),
    (
        Shape::AwsSecretInContext,
        r#"(?i:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)["']?[ \t]*[:=][ \t]*["']?[A-Za-z0-9/+=]+"#,
    ),
    (Shape::GcpApiKey, r"\bAIza[0-9A-Za-z_\-]+"),
    (Shape::ServiceAccount, r#""type"[ \t]*:[ \t]*"service_account""#),
    (Shape::AzureAccountKey, r"AccountKey=[A-Za-z0-9+/=]+"),
    (Shape::AzureSas, r"[?&]sig=[A-Za-z0-9%+/=]+"),
    (Shape::AzureClientSecret, r"\b[A-Za-z0-9_~.\-]{3}[0-9]Q~[A-Za-z0-9_~.\-]+"),
    (Shape::Email, r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]+"),
    (Shape::Iban, r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,32}\b"),
    // The check character may follow bare, in parentheses (`A123456(3)`) or after a dash
    // (`A123456-3`); a lone `)` is not part of the id (`(S1234567D)` in prose), and the dash form
    // must end the word so that `A123456-78` keeps its shorter reading.
    (Shape::LetterId, r"\b[A-Za-z]{1,5}[0-9]{4,9}(?:\([0-9A-Za-z]\)|[0-9A-Za-z]|-[0-9A-Za-z]\b)?"),
    (Shape::Swift, r"\b[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b"),
    (Shape::Ipv6, r"\b[0-9A-Fa-f]{0,4}::?[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{0,39}"),
    (Shape::Numeric, r"(?:\+\(?|\(|\b)[0-9](?:(?:[ \-./]|\)[ \-]?| ?\()?[0-9]){3,}[Xx]?\b"),
];

/// Error building the prefilter (only if the built-in patterns were broken).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("building the detector prefilter: {0}")]
    Meta(Box<meta::BuildError>),
    #[error("building the detector prefilter's lazy DFA: {0}")]
    Lazy(Box<hybrid::BuildError>),
}

/// The compiled prefilter; cheap to share between threads.
///
/// The search runs the lazy DFA directly, with its cache in a thread-local slot: the meta
/// regex's per-call pool and strategy dispatch cost more than the search itself on the short
/// values the discovery engine hands over one at a time. The meta regex stays as the fallback
/// for the rare value on which the lazy DFA gives up.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    prefilter: Regex,
    lazy: Arc<hybrid::regex::Regex>,
    /// Tells this engine's (and its clones') cache apart from another engine's in the
    /// thread-local slot; unlike an address, never reused.
    id: u64,
}

static NEXT_ENGINE_ID: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static LAZY_DFA_CACHE: RefCell<Option<(u64, hybrid::regex::Cache)>> = const { RefCell::new(None) };
}

/// Longer numeric candidates are not identifiers or phone numbers.
const MAX_DIGITS: usize = 24;

impl Engine {
    pub fn new() -> Result<Engine, BuildError> {
        let patterns: Vec<&str> = SHAPES.iter().map(|(_, pattern)| *pattern).collect();
        let syntax = syntax::Config::new().unicode(false).utf8(false);
        let prefilter = Regex::builder()
            .syntax(syntax)
            .configure(meta::Config::new().match_kind(regex_automata::MatchKind::LeftmostFirst))
            .build_many(&patterns)
            .map_err(|e| BuildError::Meta(Box::new(e)))?;
        let lazy = hybrid::regex::Builder::new()
            .syntax(syntax)
            .thompson(thompson::Config::new().utf8(false))
            .dfa(hybrid::dfa::Config::new().match_kind(regex_automata::MatchKind::LeftmostFirst))
            .build_many(&patterns)
            .map_err(|e| BuildError::Lazy(Box::new(e)))?;
        let id = NEXT_ENGINE_ID.fetch_add(1, Ordering::Relaxed);
        Ok(Engine { prefilter, lazy: Arc::new(lazy), id })
    }

    /// Finds every candidate in `text` and validates it; `hint` is what the field name says.
    pub fn scan(&self, text: &str, hint: Option<NameHint>, out: &mut Vec<Found>) {
        let bytes = text.as_bytes();
        if could_hold_findings(bytes) {
            self.scan_candidates(text, hint, out);
        }
    }

    /// The prefilter and validators, without the byte-count shortcut.
    fn scan_candidates(&self, text: &str, hint: Option<NameHint>, out: &mut Vec<Found>) {
        let bytes = text.as_bytes();
        if let Some(digits) = plain_number_digits(bytes) {
            // What the DFA would find, without running it: the whole value is one numeric
            // candidate (or, under 4 digits, none), since no other shape matches these bytes.
            if digits >= 4 {
                numeric(text, 0, hint, false, out);
            }
            return;
        }
        if let Some(whole_value_is_candidate) = letter_prefixed_id(bytes) {
            // Record ids (`TXN000123456789`, `ACC0012345678`) and national ids (`S1234567D`):
            // likewise, the DFA would see the whole value as one candidate, or nothing.
            if whole_value_is_candidate {
                letter_id(text, 0, hint, out);
            }
            return;
        }
        let mut at = 0;
        let mut handled_by_lazy_dfa = false;
        LAZY_DFA_CACHE.with(|slot| {
            let Ok(mut slot) = slot.try_borrow_mut() else { return };
            let cache = match &mut *slot {
                Some((id, cache)) if *id == self.id => cache,
                other => &mut other.insert((self.id, self.lazy.create_cache())).1,
            };
            while at <= bytes.len() {
                let input = Input::new(bytes).range(at..);
                match self.lazy.try_search(cache, &input) {
                    Ok(Some(found)) => {
                        at = if found.is_empty() { found.end() + 1 } else { found.end() };
                        self.candidate(
                            text,
                            found.pattern().as_usize(),
                            found.start(),
                            found.end(),
                            hint,
                            out,
                        );
                    }
                    Ok(None) => {
                        handled_by_lazy_dfa = true;
                        return;
                    }
                    // The lazy DFA gave up (its cache thrashed on a hostile value): the meta
                    // regex, with its fallback engines, finishes from here.
                    Err(_) => return,
                }
            }
            handled_by_lazy_dfa = true;
        });
        if handled_by_lazy_dfa || at > bytes.len() {
            return;
        }
        for found in self.prefilter.find_iter(Input::new(bytes).range(at..)) {
            self.candidate(text, found.pattern().as_usize(), found.start(), found.end(), hint, out);
        }
    }

    /// Validates one prefilter match of pattern `pattern` at `start..end`.
    fn candidate(
        &self,
        text: &str,
        pattern: usize,
        start: usize,
        end: usize,
        hint: Option<NameHint>,
        out: &mut Vec<Found>,
    ) {
        let bytes = text.as_bytes();
        {
            let shape = SHAPES[pattern].0;
            if needs_word_boundary(shape) && !at_word_boundary(bytes, start, end) {
                return;
            }
            let candidate = &text[start..end];
            // In prose, with no field name to speak, a word just before the number may.
            let keyword = if hint.is_none() && matches!(shape, Shape::Numeric | Shape::LetterId) {
                keyword_before(bytes, start)
            } else {
                None
            };
            match shape {
                Shape::Numeric => match keyword {
                    Some(keyword) => numeric(candidate, start, Some(keyword), true, out),
                    None => numeric(candidate, start, hint, false, out),
                },
                Shape::Email => {
                    if is_email(candidate) {
                        push(out, SensitiveType::Email, Confidence::High, hint, (start, end));
                    }
                }
                Shape::Iban => iban(candidate, start, hint, out),
                Shape::LetterId => letter_id(candidate, start, keyword.or(hint), out),
                Shape::Swift => {
                    if validate::swift_bic(candidate) {
                        push(out, SensitiveType::SwiftBic, Confidence::Low, hint, (start, end));
                    }
                }
                Shape::Ipv6 => {
                    let trimmed = candidate.trim_end_matches([':', '.']);
                    if trimmed.len() >= 3 && trimmed.parse::<Ipv6Addr>().is_ok() {
                        let span = (start, start + trimmed.len());
                        push(out, SensitiveType::IpAddress, Confidence::Medium, hint, span);
                    }
                }
                _ => secret(shape, text, candidate, start, out),
            }
        }
    }
}

/// Whether any shape could match in `bytes` *and* pass its validator, judged from byte counts in
/// one pass: most values in API bodies (amounts, enums, short codes, prose) fail it and skip the
/// DFA. Each clause is the least a shape's findings need:
/// * `@` (email), `=` (Azure keys and SAS, AWS secrets in context);
/// * 8 digits (the shortest numeric identifier or phone), or 4 digits and 3 dots (IPv4);
/// * 2 digits in a row right after a letter (IBAN's `GB82`; letter IDs have 4), a digit and `~`
///   (Azure secret);
/// * 8 upper-case letters in a row, or 6 and a digit (BIC; an AWS key id with at most one digit
///   has a run of 9);
/// * `:` with a quote (service account), 40 bytes (AWS secret in context), `::` or 6 colons
///   (IPv6);
/// * the literal starts of the other secrets (`-----`, `eyJ`, `earer`, `AIza`, and the AWS key
///   id prefixes for ids whose digits are scattered), all of which need 20 bytes or more.
fn could_hold_findings(bytes: &[u8]) -> bool {
    let (mut digits, mut dots, mut colons) = (0usize, 0usize, 0usize);
    let (mut tilde, mut quote, mut double_colon) = (false, false, false);
    let (mut upper_run, mut longest_upper_run) = (0usize, 0usize);
    // Digits in a row right after a letter: `GB82`, `S1234567D`.
    let mut digits_after_letter = 0usize;
    let mut previous = 0u8;
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                if digits >= 8 {
                    return true;
                }
                digits_after_letter = if previous.is_ascii_alphabetic() {
                    1
                } else if digits_after_letter > 0 && previous.is_ascii_digit() {
                    digits_after_letter + 1
                } else {
                    0
                };
                if digits_after_letter >= 2 {
                    return true;
                }
            }
            b'A'..=b'Z' => {
                upper_run = if previous.is_ascii_uppercase() { upper_run + 1 } else { 1 };
                longest_upper_run = longest_upper_run.max(upper_run);
                if upper_run >= 8 {
                    return true;
                }
            }
            b'@' | b'=' => return true,
            b'.' => dots += 1,
            b':' => {
                colons += 1;
                double_colon |= previous == b':';
            }
            b'~' => tilde = true,
            b'"' => quote = true,
            _ => {}
        }
        previous = b;
    }
    (digits >= 4 && dots >= 3)
        || (digits >= 1 && longest_upper_run >= 6)
        || (digits >= 1 && tilde)
        || (colons > 0 && (quote || bytes.len() >= 40 || double_colon || colons >= 6))
        || (bytes.len() >= 20
            && [&b"-----"[..], b"eyJ", b"earer", b"AIza", b"AKIA", b"ASIA", b"ABIA", b"ACCA"]
                .iter()
                .any(|literal| memchr::memmem::find(bytes, literal).is_some()))
}

/// The digit count of a value that is only digits with single separators between them
/// (`1234567.89`, `4111 1111 1111 1111`, `2024-03-01`): numbers are the most common values that
/// reach the prefilter, and of all the shapes only [`Shape::Numeric`] matches such bytes, and
/// then the whole value. `None` for anything else.
fn plain_number_digits(bytes: &[u8]) -> Option<usize> {
    // An international phone number's `+` starts the numeric shape as a word boundary would.
    let bytes = bytes.strip_prefix(b"+").unwrap_or(bytes);
    let (first, last) = (bytes.first()?, bytes.last()?);
    if !first.is_ascii_digit() || !last.is_ascii_digit() {
        return None;
    }
    let mut digits = 0;
    let mut previous_was_separator = false;
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                previous_was_separator = false;
            }
            b' ' | b'-' | b'.' | b'/' if !previous_was_separator => previous_was_separator = true,
            _ => return None,
        }
    }
    Some(digits)
}

/// For a value made of 1, 3, 4 or 5 letters, then digits, then at most one letter: whether the
/// prefilter would take the whole value as one [`Shape::LetterId`] candidate (`Some(true)`) or
/// find nothing in it (`Some(false)`): its pattern takes 4 to 9 digits and one more character,
/// and a longer run of digits leaves no word boundary for any shape. `None` for any other value
/// — two letters may start an IBAN, six a BIC, and the AWS and GCP prefixes their keys — which
/// goes through the prefilter.
fn letter_prefixed_id(bytes: &[u8]) -> Option<bool> {
    let letters = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if !matches!(letters, 1 | 3 | 4 | 5)
        || [&b"AKIA"[..], b"ASIA", b"ABIA", b"ACCA", b"AIza"].iter().any(|prefix| bytes.starts_with(prefix))
    {
        return None;
    }
    let rest = &bytes[letters..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let final_letter = match &rest[digits..] {
        [] => false,
        [b] if b.is_ascii_alphabetic() => true,
        _ => return None,
    };
    if digits == 0 {
        return None;
    }
    Some((4..=9).contains(&digits) || (digits == 10 && !final_letter))
}

/// How far before a number [`keyword_before`] looks: a keyword and a filler word or two
/// (`Aadhaar no: `, `charge on card `).
const KEYWORD_LOOK_BACK: usize = 24;

/// A word just before a number in free text that names it, as a weak field name would:
/// `card 5500 0055 5555 5559`, `Aadhaar 2345 6789 0124`, `TFN: 123 456 782`, `contact 8123
/// 4567`, `my number 1234 …`. Only ASCII words within [`KEYWORD_LOOK_BACK`] bytes count, with
/// separators (`:`, `#`, `-`, `=`, `(`) and up to two filler words (`no`, `number`, `is`, `on`)
/// between; anything else, and a number with no such word, keeps what its format alone says.
/// No allocation: a bounded backward scan per numeric candidate of a value without a name.
fn keyword_before(bytes: &[u8], start: usize) -> Option<NameHint> {
    use SensitiveType::*;
    let window_start = start.saturating_sub(KEYWORD_LOOK_BACK);
    let window = &bytes[window_start..start];
    let mut end = window.len();
    let mut fillers = 0;
    let mut after: &[u8] = b"";
    loop {
        let before_separators = end;
        while end > 0 && matches!(window[end - 1], b' ' | b'\t' | b':' | b'#' | b'-' | b'=' | b'(' | b'.') {
            end -= 1;
        }
        if end == before_separators && end != window.len() {
            return None;
        }
        let word_start = window[..end].iter().rposition(|b| !b.is_ascii_alphabetic()).map_or(0, |i| i + 1);
        let word = &window[word_start..end];
        // A whole word: not cut by the window, not glued to digits (`ORD1234 5678…`).
        let preceding = if word_start > 0 {
            Some(window[word_start - 1])
        } else {
            window_start.checked_sub(1).map(|i| bytes[i])
        };
        if word.is_empty() || preceding.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return None;
        }
        let is = |keyword: &[u8]| word.eq_ignore_ascii_case(keyword);
        let hint = |kind| Some(NameHint::Type(kind, Strength::Weak));
        if is(b"my") && after.eq_ignore_ascii_case(b"number") {
            return hint(JpMyNumber);
        }
        if ["no", "num", "nbr", "number", "is", "on"].iter().any(|filler| is(filler.as_bytes())) {
            fillers += 1;
            if fillers > 2 {
                return None;
            }
            after = word;
            end = word_start;
            continue;
        }
        return match () {
            _ if ["card", "visa", "mastercard", "amex", "rupay", "unionpay", "jcb"]
                .iter()
                .any(|k| is(k.as_bytes())) =>
            {
                hint(CardNumber)
            }
            _ if ["aadhaar", "aadhar", "uid", "uidai"].iter().any(|k| is(k.as_bytes())) => hint(InAadhaar),
            // Singapore's and Malaysia's identity card numbers are both called NRIC.
            _ if is(b"nric") => Some(NameHint::NationalId(Strength::Weak)),
            _ if is(b"fin") || is(b"uinfin") => hint(SgNric),
            _ if is(b"hkid") || is(b"hkic") => hint(HkHkid),
            _ if is(b"mykad") => hint(MyMykad),
            _ if is(b"tfn") => hint(AuTfn),
            _ if is(b"medicare") => hint(AuMedicare),
            _ if is(b"ssn") => hint(UsSsn),
            _ if is(b"nik") || is(b"ktp") => hint(IdNik),
            _ if is(b"mynumber") => hint(JpMyNumber),
            _ if is(b"rrn") || is(b"jumin") => hint(KrRrn),
            _ if [
                "phone", "tel", "mobile", "mob", "cell", "hp", "contact", "call", "sms", "whatsapp", "msisdn",
            ]
            .iter()
            .any(|k| is(k.as_bytes())) =>
            {
                hint(Phone)
            }
            _ => None,
        };
    }
}

fn needs_word_boundary(shape: Shape) -> bool {
    matches!(
        shape,
        Shape::Numeric
            | Shape::Iban
            | Shape::LetterId
            | Shape::Swift
            | Shape::AwsAccessKey
            | Shape::GcpApiKey
    )
}

/// The candidate is not a piece of a longer word or number (`ORD4111…`, a 40-digit run).
fn at_word_boundary(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(end).copied();
    !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Records a finding, after the field name has had its say.
fn push(
    out: &mut Vec<Found>,
    kind: SensitiveType,
    base: Confidence,
    hint: Option<NameHint>,
    span: (usize, usize),
) {
    out.push(Found { kind, confidence: with_hint(kind, Some(base), hint).unwrap_or(base), span });
}

/// The confidence of a validated value of `kind` whose format alone gives `base` (`None`: too
/// weak to report without a name), given what the field name says.
pub(crate) fn with_hint(
    kind: SensitiveType,
    base: Option<Confidence>,
    hint: Option<NameHint>,
) -> Option<Confidence> {
    let named = match hint {
        Some(NameHint::Type(named, strength)) if named == kind => Some(strength),
        // A generic ID name (`idNo`) cannot lift a number whose only rule is its structure: a
        // random 9-digit number under `idNo` is as much an SSN as anything else.
        Some(NameHint::NationalId(Strength::Weak)) if kind == SensitiveType::UsSsn => None,
        Some(NameHint::NationalId(strength))
            if kind.category() == rampart_core::SensitiveCategory::NationalId =>
        {
            Some(strength)
        }
        Some(NameHint::NotSensitive) => return base.and_then(Confidence::lower),
        _ => None,
    };
    match named {
        Some(Strength::Strong) => Some(Confidence::High),
        Some(Strength::Weak) => Some(base.map_or(Confidence::Medium, |b| b.max(Confidence::Medium))),
        None => base,
    }
}

/// A run of digits and separators, taken apart.
struct Digits {
    digits: [u8; MAX_DIGITS + 1],
    len: usize,
    groups: [u8; 8],
    group_count: usize,
    /// Separator bytes used between groups (`' '`, `-`, `.`, `/`, `(`).
    separators: u8,
    single_separator: bool,
    plus: bool,
}

impl Digits {
    fn parse(candidate: &str) -> Option<Digits> {
        let mut parsed = Digits {
            digits: [0; MAX_DIGITS + 1],
            len: 0,
            groups: [0; 8],
            group_count: 0,
            separators: 0,
            single_separator: true,
            plus: candidate.starts_with('+'),
        };
        let mut current = 0u8;
        for &b in candidate.as_bytes() {
            if b.is_ascii_digit() || b == b'X' || b == b'x' {
                if parsed.len > MAX_DIGITS {
                    return None;
                }
                parsed.digits[parsed.len] = b.to_ascii_uppercase();
                parsed.len += 1;
                current += 1;
            } else if b != b'+' {
                if current > 0 {
                    parsed.close_group(current);
                    current = 0;
                }
                let separator = if b == b')' { b'(' } else { b };
                if parsed.separators != 0 && parsed.separators != separator {
                    parsed.single_separator = false;
                }
                parsed.separators = separator;
            }
        }
        if current > 0 {
            parsed.close_group(current);
        }
        Some(parsed)
    }

    fn close_group(&mut self, length: u8) {
        if self.group_count < self.groups.len() {
            self.groups[self.group_count] = length;
        }
        self.group_count += 1;
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[..self.len]).unwrap_or_default()
    }

    fn bare(&self) -> bool {
        self.group_count == 1
    }

    /// Grouped exactly as `groups`, with one kind of separator out of `allowed`.
    fn grouped(&self, groups: &[u8], allowed: &[u8]) -> bool {
        self.group_count == groups.len()
            && self.group_count <= self.groups.len()
            && &self.groups[..self.group_count] == groups
            && self.single_separator
            && allowed.contains(&self.separators)
    }

    fn ends_with_x(&self) -> bool {
        self.len > 0 && self.digits[self.len - 1] == b'X'
    }
}

const SPACE_OR_DASH: &[u8] = b" -";

/// More readings than one run of digits can have (card, phone and every national ID).
const MAX_READINGS: usize = 16;

/// `from_prose`: the hint is a word before the number in free text ([`keyword_before`]), not a
/// field name; it lifts a reading that validates on its own but, unlike a field named card,
/// does not make an unbranded Luhn number a card.
fn numeric(candidate: &str, offset: usize, hint: Option<NameHint>, from_prose: bool, out: &mut Vec<Found>) {
    let Some(number) = Digits::parse(candidate) else { return };
    if number.len < 4 {
        return;
    }
    let span = (offset, offset + candidate.len());
    let digits = number.as_str();
    let n = number.len;
    // Every reading of these digits; on the stack, since this runs for most numbers in a body.
    let mut readings = [(SensitiveType::Phone, None); MAX_READINGS];
    let mut count = 0;
    let mut consider = |kind: SensitiveType, base: Option<Confidence>| {
        if let Some(slot) = readings.get_mut(count) {
            *slot = (kind, base);
            count += 1;
        }
    };

    if number.ends_with_x() {
        if n == 18 && validate::cn_resident_id(digits) {
            consider(SensitiveType::CnResidentId, Some(Confidence::High));
        }
    } else if number.separators == b'.' && number.group_count == 4 && !number.plus {
        if is_ipv4(candidate) {
            consider(SensitiveType::IpAddress, Some(Confidence::Medium));
        }
    } else if number.plus {
        if phone::is_international(digits.as_bytes()) {
            consider(SensitiveType::Phone, Some(Confidence::High));
        }
    } else {
        let named_card = !from_prose && matches!(hint, Some(NameHint::Type(SensitiveType::CardNumber, _)));
        numeric_identifiers(&number, digits, named_card, &mut consider);
        // `00` + country code is the international prefix from most of the region; as weak as
        // the national form, so it also needs a name (and without one, is not worth looking up).
        let named_phone = matches!(hint, Some(NameHint::Type(SensitiveType::Phone, _)));
        let international =
            || digits.strip_prefix("00").is_some_and(|rest| phone::is_international(rest.as_bytes()));
        if named_phone
            && number.separators != b'/'
            // Subscriber systems print numbers with the country code and no `+` (`6591234567`).
            && (international() || phone::is_national(digits.as_bytes()) || phone::is_msisdn(digits.as_bytes()))
        {
            consider(SensitiveType::Phone, None);
        }
    }

    let found = &readings[..count];
    // A type the field name points at, when its value validates, is the answer; the other
    // readings of the same digits are dropped.
    let named = |kind: SensitiveType| match hint {
        Some(NameHint::Type(named, _)) => named == kind,
        Some(NameHint::NationalId(_)) => kind.category() == rampart_core::SensitiveCategory::NationalId,
        _ => false,
    };
    // Several national IDs may validate under a generic ID name: the one written in its official
    // grouping wins, else the first considered (readings are considered strictest rule first).
    let hinted = found
        .iter()
        .position(|&(kind, base)| named(kind) && base.is_some())
        .or_else(|| found.iter().position(|&(kind, _)| named(kind)));
    if let Some(index) = hinted {
        let (kind, base) = found[index];
        if let Some(confidence) = with_hint(kind, base, hint) {
            out.push(Found { kind, confidence, span });
        }
        return;
    }
    // Weak checksums with the same official format (Aadhaar and My Number are both 4-4-4):
    // when more than one holds and no name decides, none is trusted.
    let reportable = found.iter().filter(|(_, base)| base.is_some_and(|b| b > Confidence::Low)).count();
    for &(kind, base) in found {
        let base = if reportable > 1 { base.map(|b| b.min(Confidence::Low)) } else { base };
        if let Some(confidence) = with_hint(kind, base, hint) {
            out.push(Found { kind, confidence, span });
        }
    }
}

/// The digit-only identifiers: base confidence from the format when the checksum holds
/// (`None`: the format alone is too weak to report without a field name).
/// `named_card`: the field says card, so a Luhn-valid number outside the known issuer ranges
/// (Maestro's 12-digit cards, private-label ranges) still counts.
fn numeric_identifiers(
    number: &Digits,
    digits: &str,
    named_card: bool,
    consider: &mut impl FnMut(SensitiveType, Option<Confidence>),
) {
    use SensitiveType::*;
    let n = number.len;
    let conf = |official: bool, level: Confidence| if official { Some(level) } else { None };
    let branded = (13..=19).contains(&n) && validate::card_brand(digits).is_some();
    // ISO/IEC 7812's major industry identifier 7 (petroleum) and 9 (national assignment) start
    // fuel, loyalty and store cards, not payment cards, even under a name that says card.
    let payment_industry = !matches!(digits.as_bytes().first(), Some(b'7' | b'9'));
    if branded || (named_card && payment_industry && (12..=19).contains(&n) && validate::luhn(digits)) {
        let grouped_by_four = number.group_count > 1
            && number.single_separator
            && SPACE_OR_DASH.contains(&number.separators)
            && (number.groups[..number.group_count.min(8)].iter().rev().skip(1).all(|&g| g == 4)
                || number.grouped(&[4, 6, 5], SPACE_OR_DASH)
                || number.grouped(&[4, 6, 4], SPACE_OR_DASH));
        let base = match (branded, grouped_by_four) {
            (true, true) => Some(Confidence::High),
            (true, false) => Some(Confidence::Low),
            (false, _) => None,
        };
        consider(CardNumber, base);
    }
    match n {
        8 | 9 if validate::au_tfn(digits) => {
            let official = number.grouped(&[3, 3, 3], b" ") || number.grouped(&[3, 3, 2], b" ");
            consider(AuTfn, conf(official, Confidence::Medium));
        }
        _ => {}
    }
    if n == 9 && validate::us_ssn(digits) {
        consider(UsSsn, conf(number.grouped(&[3, 2, 4], b"-"), Confidence::Medium));
    }
    if (n == 10 || n == 11) && validate::au_medicare(digits) {
        let official = number.grouped(&[4, 5, 1], b" ") || number.grouped(&[4, 5, 1, 1], b" ");
        consider(AuMedicare, conf(official, Confidence::Medium));
    }
    if n == 12 {
        // MyKad first: a birth date and a state code are a far stricter rule than one check
        // digit, so when a name leaves the choice open, it is the likelier reading.
        if validate::my_mykad(digits) {
            consider(MyMykad, conf(number.grouped(&[6, 2, 4], b"-"), Confidence::High));
        }
        if found_aadhaar(digits) {
            consider(InAadhaar, conf(number.grouped(&[4, 4, 4], SPACE_OR_DASH), Confidence::Medium));
        }
        if validate::jp_my_number(digits) {
            // Both are written 4-4-4. When both checksums hold, UIDAI's published form (spaces)
            // decides for Aadhaar; with dashes neither is trusted without a name.
            let aadhaar_too = number.separators == b' ' && found_aadhaar(digits);
            let official = number.grouped(&[4, 4, 4], SPACE_OR_DASH);
            consider(
                JpMyNumber,
                if aadhaar_too { Some(Confidence::Low) } else { conf(official, Confidence::Medium) },
            );
        }
    }
    if n == 13 {
        if validate::kr_rrn(digits) {
            consider(KrRrn, conf(number.grouped(&[6, 7], b"-"), Confidence::High));
        }
        if validate::th_national_id(digits) {
            consider(ThNationalId, conf(number.grouped(&[1, 4, 5, 2, 1], SPACE_OR_DASH), Confidence::High));
        }
    }
    if n == 16 && validate::id_nik(digits) {
        consider(IdNik, None);
    }
    if n == 18 && validate::cn_resident_id(digits) {
        consider(CnResidentId, Some(if number.bare() { Confidence::High } else { Confidence::Medium }));
    }
}

fn found_aadhaar(digits: &str) -> bool {
    validate::in_aadhaar(digits) && digits.as_bytes()[0] >= b'2'
}

fn is_ipv4(candidate: &str) -> bool {
    let mut parts = 0;
    for part in candidate.split('.') {
        parts += 1;
        let valid = !part.is_empty()
            && part.len() <= 3
            && part.bytes().all(|b| b.is_ascii_digit())
            && !(part.len() > 1 && part.starts_with('0'))
            && part.parse::<u16>().is_ok_and(|v| v <= 255);
        if !valid {
            return false;
        }
    }
    parts == 4
}

fn is_email(candidate: &str) -> bool {
    let Some(at) = candidate.rfind('@') else { return false };
    let (local, domain) = (&candidate[..at], &candidate[at + 1..]);
    let tld = domain.rsplit('.').next().unwrap_or_default();
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && domain.len() <= 253
        && (2..=24).contains(&tld.len())
        && !domain.split('.').any(|label| label.is_empty() || label.starts_with('-'))
}

fn iban(candidate: &str, offset: usize, hint: Option<NameHint>, out: &mut Vec<Found>) {
    // The shape may run on into following upper-case words (`GB82 WEST … 32 BANK`): try the
    // whole, then shorter prefixes ending at a space.
    let mut end = candidate.len();
    loop {
        let piece = &candidate[..end];
        if validate::iban(piece) {
            push(out, SensitiveType::Iban, Confidence::High, hint, (offset, offset + end));
            return;
        }
        match piece.rfind(' ') {
            Some(space) if space >= 15 => end = space,
            _ => return,
        }
    }
}

fn letter_id(candidate: &str, offset: usize, hint: Option<NameHint>, out: &mut Vec<Found>) {
    use SensitiveType::*;
    let span = (offset, offset + candidate.len());
    let bytes = candidate.as_bytes();
    let letters = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let upper = candidate.bytes().all(|b| !b.is_ascii_lowercase());
    let mut report = |kind: SensitiveType, base: Option<Confidence>| {
        if let Some(confidence) = with_hint(kind, base, hint) {
            out.push(Found { kind, confidence, span });
        }
    };
    let base = |level: Confidence| Some(if upper { level } else { Confidence::Low });
    match (letters, candidate.len()) {
        (1, 9) if validate::sg_nric(candidate) => report(SgNric, base(Confidence::High)),
        (1, 10) if validate::tw_national_id(candidate) => report(TwNationalId, base(Confidence::Medium)),
        (5, 10) if validate::in_pan(candidate) => report(InPan, base(Confidence::Medium)),
        (1 | 2, 8..=11) if validate::hk_hkid(candidate) => {
            let bracketed = candidate.ends_with(')');
            report(HkHkid, base(if bracketed { Confidence::High } else { Confidence::Medium }));
        }
        _ => {}
    }
}

fn secret(shape: Shape, text: &str, candidate: &str, start: usize, out: &mut Vec<Found>) {
    use SensitiveType::*;
    let end = start + candidate.len();
    let mut report = |kind, span| out.push(Found { kind, confidence: Confidence::High, span });
    match shape {
        Shape::PemPrivateKey => report(PrivateKey, (start, pem_end(text, end))),
        Shape::Jwt => {
            let mut parts = candidate.split('.');
            let header = parts.next().unwrap_or_default();
            let payload = parts.next().unwrap_or_default();
            if header.len() >= 10 && payload.len() >= 10 {
                report(Jwt, (start, end));
            }
        }
        Shape::Bearer => {
            let token_start = candidate.find(' ').map_or(0, |i| i + 1);
            let token = candidate[token_start..].trim_start();
            if token.len() >= 16 {
                report(BearerToken, (end - token.len(), end));
            }
        }
        Shape::AwsAccessKey if candidate.len() == 20 => report(AwsAccessKey, (start, end)),
        Shape::AwsSecretInContext => {
            let key_start = candidate.rfind(|c: char| !(c.is_ascii_alphanumeric() || "/+=".contains(c)));
            let key = key_start.map_or(candidate, |i| &candidate[i + 1..]);
            if key.len() == 40 {
                report(AwsSecretKey, (end - key.len(), end));
            }
        }
        Shape::GcpApiKey if candidate.len() == 39 => report(GcpApiKey, (start, end)),
        Shape::ServiceAccount if text.contains("\"private_key\"") => report(GcpServiceAccount, (start, end)),
        Shape::AzureAccountKey if candidate.len() >= "AccountKey=".len() + 40 => {
            report(AzureSecret, (start + "AccountKey=".len(), end));
        }
        Shape::AzureSas if candidate.len() >= 25 && (text.contains("sv=") || text.contains("se=")) => {
            report(AzureSecret, (start + "?sig=".len(), end));
        }
        Shape::AzureClientSecret if (34..=44).contains(&candidate.len()) => report(AzureSecret, (start, end)),
        _ => {}
    }
}

/// A PEM block runs to its `-----END … PRIVATE KEY-----` line (or the end of the value).
fn pem_end(text: &str, header_end: usize) -> usize {
    let rest = &text[header_end..];
    match rest.find("-----END") {
        Some(end_marker) => {
            let after = &rest[end_marker + "-----END".len()..];
            let close = after.find("-----").map_or(after.len(), |i| i + "-----".len());
            header_end + end_marker + "-----END".len() + close
        }
        None => text.len(),
    }
}

/// Shannon entropy in bits per byte.
pub(crate) fn entropy(value: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in value.bytes() {
        counts[usize::from(b)] += 1;
    }
    let len = value.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / len).map(|p| -p * p.log2()).sum()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn everything(engine: &Engine, text: &str) -> Vec<Found> {
        let mut out = Vec::new();
        for hint in [
            None,
            Some(NameHint::NationalId(Strength::Strong)),
            Some(NameHint::Type(SensitiveType::Phone, Strength::Strong)),
            Some(NameHint::Type(SensitiveType::CardNumber, Strength::Strong)),
        ] {
            engine.scan_candidates(text, hint, &mut out);
        }
        out
    }

    #[test]
    fn the_shortcut_keeps_every_kind_of_finding() {
        let engine = Engine::new().unwrap();
        for text in [
            "S1234567D",
            "4111 1111 1111 1111",
            "+65 9123 4567",
            "91234567",
            "192.168.1.1",
            "::1",
            "a@b.co",
            "GB82WEST12345698765432",
            "DBSSSGSGXXX",
            "AKIAIOSFODNN7EXAMPLE",
            "AKIAABCDEFGHIJKLMNOP",
            "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234",
            "Bearer abcdefghijklmnopqrstuvwxyz",
            "-----BEGIN PRIVATE KEY-----",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig",
            "abc1Q~abcdefghijklmnopqrstuvwxyz0123456",
            "ABCDE1234F",
            "AKIA1BC2DE3FG4HI5JKL",
            "gb82west12345698765432",
        ] {
            if !everything(&engine, text).is_empty() {
                assert!(could_hold_findings(text.as_bytes()), "{text}");
            }
        }
        for quiet in [
            "SGD",
            "12345.67",
            "5812",
            "Kopi Corner Pte Ltd",
            "ACTIVE",
            "PAYNOW",
            "10:22",
            "GIRO REF 123456 TO SP GROUP",
            "v1 page 2 of 10",
        ] {
            assert!(!could_hold_findings(quiet.as_bytes()), "{quiet}");
        }
    }

    /// What a value without a field name reports at the default minimum confidence.
    fn reported<'t>(engine: &Engine, text: &'t str) -> Vec<(SensitiveType, &'t str)> {
        let mut out = Vec::new();
        engine.scan(text, None, &mut out);
        out.iter()
            .filter(|f| f.confidence >= Confidence::Medium)
            .map(|f| (f.kind, &text[f.span.0..f.span.1]))
            .collect()
    }

    #[test]
    fn hkid_check_digit_after_a_dash() {
        let engine = Engine::new().unwrap();
        for (text, id) in [
            ("A123456-3", "A123456-3"),
            ("XA123456-8", "XA123456-8"),
            ("W954895-8", "W954895-8"),
            ("H100723-A", "H100723-A"),
            ("HKID W954895-8 copy received", "W954895-8"),
            ("HKID XA123456-8, verified", "XA123456-8"),
            ("A123456(3)", "A123456(3)"),
        ] {
            assert_eq!(reported(&engine, text), vec![(SensitiveType::HkHkid, id)], "{text}");
        }
        // Wrong check digit, a longer number after the dash, a dash inside the digits.
        for text in ["A123456-4", "XA123456-2", "A123456-78", "A123-4563", "A123456--3", "A123456-3B"] {
            assert_eq!(reported(&engine, text), vec![], "{text}");
        }
    }

    #[test]
    fn an_id_in_parentheses_in_prose_keeps_its_closing_parenthesis_out() {
        let engine = Engine::new().unwrap();
        for (text, id) in [
            ("Called cust (T8935975E) re: card", "T8935975E"),
            ("Called cust (S1234567D) re: card", "S1234567D"),
            ("cust S1234567D) re: card", "S1234567D"),
            ("holder (A123456(3)) on file", "A123456(3)"),
        ] {
            let found = reported(&engine, text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].1, id, "{text}");
        }
        assert_eq!(reported(&engine, "Called cust (S1234567A) re: card"), vec![]);
    }

    #[test]
    fn a_keyword_before_a_number_in_prose_speaks_for_it() {
        let engine = Engine::new().unwrap();
        use SensitiveType::*;
        for (text, kind, number) in [
            ("charge on card 5500005555555559 yesterday", CardNumber, "5500005555555559"),
            ("card no: 5103330854673551 reported lost", CardNumber, "5103330854673551"),
            ("Customer disputed charge on card 346197382464243 yesterday", CardNumber, "346197382464243"),
            ("card no: 30565940756964 reported lost", CardNumber, "30565940756964"),
            ("Aadhaar 658073021578 seeded with bank account", InAadhaar, "658073021578"),
            ("AADHAAR NO. 658073021578", InAadhaar, "658073021578"),
            ("aadhaar number is 658073021578", InAadhaar, "658073021578"),
            ("TFN: 123456782 on file", AuTfn, "123456782"),
            ("SSN 536904399 matched", UsSsn, "536904399"),
            ("Walk-in: NRIC S2347273B, contact 8036 4776, wants", Phone, "8036 4776"),
            ("tel: (201) 555-0123", Phone, "(201) 555-0123"),
        ] {
            let found = reported(&engine, text);
            assert!(found.contains(&(kind, number)), "{text}: {found:?}");
        }
        // No keyword, another word, a keyword too far back or glued to other text: the number
        // says only what its format says.
        for text in [
            "Order 658073021578 shipped",
            "ref 658073021578",
            "paid 5500005555555559 yesterday",
            "Customer disputed charge on 5500005555555559",
            "card ending 1234",
            "card 4111111111111112",
            "card 1234567812345670",
            "Aadhaar was updated, reference given 658073021578",
            "xcard 5500005555555559",
            "Aadhaar1 658073021578",
            "tracking 658073021578",
            "Order 123456782 shipped",
            "contact 12345678",
            "2024-03-05 contact centre ticket 658073021578",
        ] {
            assert_eq!(reported(&engine, text), vec![], "{text}");
        }
        // Without the keyword, a bare branded card is only `Low`.
        let mut out = Vec::new();
        engine.scan("charge on 5500005555555559", None, &mut out);
        assert!(out.iter().all(|f| f.confidence == Confidence::Low), "{out:?}");
        // A field name keeps its say over any word in the value.
        let mut out = Vec::new();
        engine.scan("card 5500005555555559", Some(NameHint::NotSensitive), &mut out);
        assert!(out.iter().all(|f| f.confidence == Confidence::Low), "{out:?}");
    }

    #[test]
    fn keywords_are_read_within_bounds() {
        let text = b"my number 1234";
        assert_eq!(keyword_before(text, 10), Some(NameHint::Type(SensitiveType::JpMyNumber, Strength::Weak)));
        assert_eq!(
            keyword_before(b"card", 4),
            Some(NameHint::Type(SensitiveType::CardNumber, Strength::Weak))
        );
        assert_eq!(keyword_before(b"", 0), None);
        assert_eq!(keyword_before(b"   ", 3), None);
        // Three fillers, or a keyword cut by the look-back window, say nothing.
        assert_eq!(keyword_before(b"card no is on ", 14), None);
        let far = format!("aadhaar{} ", " ".repeat(KEYWORD_LOOK_BACK));
        assert_eq!(keyword_before(far.as_bytes(), far.len()), None);
        let cut = format!("xxxxxxcard{}", " ".repeat(KEYWORD_LOOK_BACK - 4));
        assert_eq!(keyword_before(cut.as_bytes(), cut.len()), None);
        // Non-ASCII before a keyword is a boundary; multibyte text never splits a char.
        assert_eq!(
            keyword_before("卡card ".as_bytes(), "卡card ".len()),
            Some(NameHint::Type(SensitiveType::CardNumber, Strength::Weak))
        );
    }

    fn through_the_prefilter_only(engine: &Engine, text: &str, hint: Option<NameHint>) -> Vec<Found> {
        // The same loop as `scan_candidates`, minus the shortcuts: a value made only of
        // digits and separators, or an id, is given a leading letter and space, which no shape joins to it.
        let padded = format!("x {text}");
        let mut out = Vec::new();
        engine.scan_candidates(&padded, hint, &mut out);
        out.iter().map(|f| Found { span: (f.span.0 - 2, f.span.1 - 2), ..*f }).collect()
    }

    proptest! {
        /// The plain-number path finds what the prefilter would, under any name hint.
        #[test]
        fn plain_numbers_skip_the_prefilter_without_changing_findings(
            text in r"\+?[0-9]{1,6}([ \-./]?[0-9]{1,6}){0,5}",
            hint_index in 0usize..4,
        ) {
            let engine = Engine::new().unwrap();
            let hint = [
                None,
                Some(NameHint::NationalId(Strength::Strong)),
                Some(NameHint::Type(SensitiveType::Phone, Strength::Strong)),
                Some(NameHint::Type(SensitiveType::CardNumber, Strength::Strong)),
            ][hint_index];
            prop_assert!(plain_number_digits(text.as_bytes()).is_some());
            let mut fast = Vec::new();
            engine.scan_candidates(&text, hint, &mut fast);
            prop_assert_eq!(fast, through_the_prefilter_only(&engine, &text, hint), "{}", text);
        }

        /// The letter-prefixed path finds what the prefilter would, under any name hint.
        #[test]
        fn letter_prefixed_ids_skip_the_prefilter_without_changing_findings(
            text in r"(AKIA|AIza|[A-Za-z]{1,6})[0-9]{0,12}[A-Za-z0-9]?",
            hint_index in 0usize..4,
        ) {
            let engine = Engine::new().unwrap();
            let hint = [
                None,
                Some(NameHint::NationalId(Strength::Strong)),
                Some(NameHint::Type(SensitiveType::TwNationalId, Strength::Strong)),
                Some(NameHint::Type(SensitiveType::InPan, Strength::Weak)),
            ][hint_index];
            let mut fast = Vec::new();
            engine.scan_candidates(&text, hint, &mut fast);
            prop_assert_eq!(fast, through_the_prefilter_only(&engine, &text, hint), "{}", text);
        }

        /// Whatever the shortcut skips, the full scan finds nothing in, with any name hint.
        #[test]
        fn the_shortcut_skips_only_values_without_findings(
            text in r"[0-9A-Za-z .\-:/()+@=~Q_]{0,48}"
        ) {
            let engine = Engine::new().unwrap();
            if !could_hold_findings(text.as_bytes()) {
                prop_assert!(everything(&engine, &text).is_empty(), "{text}");
            }
        }
    }
}
