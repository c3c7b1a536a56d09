//! rampart-sensitive: says, for every field of API traffic, what kind of sensitive data it
//! carries — precisely enough that a bank trusts it — and masks it. No I/O: values in,
//! detections out. Discovery uses it to label inventory fields; the gateway will use the same
//! [`mask::mask`] to mask responses in place, and detection to spot over-sharing.
//!
//! # How a value is judged
//!
//! * **Values decide; names help.** Each checksummed type (cards, IBAN, NRIC, Aadhaar, …) is
//!   reported only when its validator (in [`validate`]) accepts the value. The field name
//!   ([`field_names`]) lifts confidence, chooses between types that share a format, and alone
//!   decides the types that have no checksum (person name, address, password, API key, bank
//!   account, date of birth).
//! * **Weak checksums need more than the checksum.** About one random 12-digit number in ten
//!   passes Verhoeff; so a bare Aadhaar, TFN, My Number, Thai ID, NIK, SSN or Medicare number
//!   is reported only with a field name that says so or written in its official grouping
//!   (`2345 6789 0124`, `123-45-6789`). A bare Luhn-valid 16-digit number is `Low` unless the
//!   name says card or it is grouped by four. [`ClassifierConfig::min_confidence`] (default
//!   `Medium`) drops `Low` findings.
//! * **A document names what its field names do not.** KYC and wallet APIs write
//!   `{"type": "AADHAAR", "value": "…"}` and `{"cards": [{"number": "…"}]}`. For a generic
//!   member (`value`, `number`, `id`, `no`, `data`, `identifier`, `documentNumber`) the value of
//!   a sibling `type`/`idType`/`documentType`/`kind`/`category`/`scheme` member is read with the
//!   field-name vocabulary and speaks as a field name would; failing that, the nearest enclosing
//!   list's name speaks weakly (`cards`, `phones`, `idDocuments` → some national ID). The type
//!   may come after the value, so the walker holds an object's first generic members (at most
//!   16) until the object closes. The value still has to validate: the hint only picks the type
//!   and lets a bare weak checksum count. [`Classifier::classify_value_in_context`] takes the same
//!   hint for callers that walk documents themselves.
//! * **One pass, then validators.** A single multi-pattern lazy DFA (regex-automata) finds
//!   candidate spans by shape ("digits with separators", "letter + digits", "email",
//!   "`AKIA…`"); only candidates reach the validators. Values whose byte counts rule out every
//!   finding (fewer than 8 digits and no letters, no `@`/`=`, no long upper-case run, …) skip
//!   even that, as do UUIDs and ISO timestamps without a telling name: most JSON strings
//!   (`"ACTIVE"`, `"SGD"`, `"12.50"`) cost one byte scan. Field names are read once per
//!   position of a repeated record and remembered across documents.
//! * **Never the raw value.** A [`Detection`] carries the type, confidence, where it was, the
//!   byte span (for masking in place) and a masked sample; nothing here logs or stores a value.
//! * **Hostile input is linear.** The DFA is linear and its patterns avoid the restart traps
//!   of leftmost-first multi-pattern search; the JSON walker uses an explicit stack with a depth
//!   limit and replaces invalid UTF-8 instead of failing.

pub mod credentials;
mod detect;
pub mod field_names;
mod json;
pub mod mask;
mod phone;
pub mod validate;
mod values;

use std::collections::{BTreeSet, HashMap};

use rampart_core::{SensitiveCategory, SensitiveType};
use serde::{Deserialize, Serialize};

pub use detect::BuildError;
pub use field_names::Strength;
pub use json::ScanError;
pub use mask::MaskConfig;

use detect::{Engine, Found};
use field_names::{KeyInfo, KeyRole, NameHint, context_hint, key_info, name_hint};

/// How sure a detection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// The value fits but so would many non-sensitive values (a bare Luhn-valid 16-digit number).
    Low,
    /// The value validates and its format is distinctive, or a name supports it.
    Medium,
    /// Validated and distinctive (grouped card, `S1234567D`), or validated and named.
    High,
}

impl Confidence {
    /// One step down; `None` below `Low`.
    pub fn lower(self) -> Option<Confidence> {
        match self {
            Confidence::High => Some(Confidence::Medium),
            Confidence::Medium => Some(Confidence::Low),
            Confidence::Low => None,
        }
    }
}

/// Where a detection was found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "in")]
pub enum Location {
    /// In a JSON body, at a pointer template (`/accounts/*/owner/nric`).
    Body {
        pointer: String,
    },
    Header {
        name: String,
    },
    Query {
        name: String,
    },
    Path {
        name: String,
    },
    /// In free text, at a byte offset.
    Text {
        offset: usize,
    },
}

/// One sensitive value found. Never holds the raw value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detection {
    pub kind: SensitiveType,
    pub confidence: Confidence,
    pub location: Location,
    /// Byte range of the match inside the scanned value (for masking in place).
    pub span: (usize, usize),
    /// The matched text, masked.
    pub masked: String,
}

/// What to detect and how to report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClassifierConfig {
    /// Types not to report.
    pub disabled: BTreeSet<SensitiveType>,
    /// Findings below this are dropped.
    pub min_confidence: Confidence,
    /// JSON nesting beyond this is an error ([`ScanError::TooDeep`]).
    pub max_depth: usize,
    /// How the `masked` samples are made.
    pub mask: MaskConfig,
}

impl Default for ClassifierConfig {
    fn default() -> Self {
        ClassifierConfig {
            disabled: BTreeSet::new(),
            min_confidence: Confidence::Medium,
            max_depth: 256,
            mask: MaskConfig::default(),
        }
    }
}

/// The compiled detectors. Build once and share: it is `Send + Sync` and every method takes
/// `&self`.
#[derive(Debug, Clone)]
pub struct Classifier {
    engine: Engine,
    config: ClassifierConfig,
}

/// Field names to what they say. foldhash: several times faster than SipHash on short keys and
/// still seeded per map, so a hostile body cannot pick colliding names in advance.
type HintMap = HashMap<Box<str>, KeyInfo, foldhash::fast::RandomState>;

/// Field names remembered per thread; past this, names are read each time (a hostile body can
/// invent any).
const MAX_REMEMBERED_NAMES: usize = 8192;
/// Longer names are read each time rather than kept.
const MAX_REMEMBERED_NAME_LEN: usize = 128;

thread_local! {
    /// What each field name says, remembered: traffic repeats the same few hundred names
    /// millions of times, and reading a name costs more than most values. What a name says
    /// depends on the name alone, so every classifier on the thread shares the memory, and no
    /// lock is taken on the hot path.
    static NAME_INFO: std::cell::RefCell<HintMap> = std::cell::RefCell::new(HintMap::default());
}

impl Classifier {
    /// Builds the detectors.
    ///
    /// # Panics
    /// Never in practice: the only fallible step compiles the built-in patterns, which the
    /// tests compile. [`Classifier::try_new`] returns that error instead.
    pub fn new(config: ClassifierConfig) -> Classifier {
        #[allow(clippy::expect_used)]
        Classifier::try_new(config).expect("built-in detector patterns compile")
    }

    pub fn try_new(config: ClassifierConfig) -> Result<Classifier, BuildError> {
        Ok(Classifier { engine: Engine::new()?, config })
    }

    pub fn config(&self) -> &ClassifierConfig {
        &self.config
    }

    /// One scalar value and the name of the field that holds it (if any): every sensitive
    /// type found in it, with its confidence and byte span. Cheap when nothing matches.
    pub fn classify_value(
        &self,
        field_name: Option<&str>,
        value: &str,
    ) -> Vec<(SensitiveType, Confidence, (usize, usize))> {
        let hint = field_name.and_then(|name| self.remembered_info(name).hint);
        self.classify_with(hint, value)
    }

    /// [`Classifier::classify_value`] for a value whose own field name says little (`value`,
    /// `number`, `no`, `data`, `documentNumber`, or none; `id` and `identifier` only take a type
    /// value), given what its document says around it. `context` is, in order of preference:
    /// * the value of a sibling type member (`type`, `idType`, `documentType`, `kind`,
    ///   `category`, `scheme`): for `{"type": "AADHAAR", "value": "234123412346"}` pass
    ///   `Some("AADHAAR")`; it speaks as firmly as a field named `aadhaar` would;
    /// * else the key holding the value's object: the list's name for a record in a list
    ///   (`cards` for `cards[*].number`, which speaks weakly, as a plural), the attribute for a
    ///   wrapped value (`dob` for MyInfo's `dob.value`), the party for a bare `name`
    ///   (`customer` for `customer.name`: a person's name; `product.name` is not).
    ///
    /// A field name that says something itself (`nric`, `mobileNo`) keeps its say and the
    /// context is ignored, as [`Classifier::scan_json`] does.
    pub fn classify_value_in_context(
        &self,
        field_name: Option<&str>,
        context: Option<&str>,
        value: &str,
    ) -> Vec<(SensitiveType, Confidence, (usize, usize))> {
        let own = field_name.map(|name| self.remembered_info(name));
        let context = context.map(|context| self.remembered_info(context));
        if own.is_some_and(|own| own.bare_name && own.hint.is_none()) {
            let personal = context.is_some_and(|context| context.personal);
            return self.classify_with(personal.then_some(PERSON_NAME_HINT), value);
        }
        let from_context = match own.map(|own| own.role) {
            // MyInfo's `name: {value, source}`.
            None | Some(KeyRole::Generic) if context.is_some_and(|context| context.bare_name) => {
                Some(PERSON_NAME_HINT)
            }
            None | Some(KeyRole::Generic) => context.and_then(context_hint),
            // A record's `id`: only a context that names a kind outright (a type value).
            Some(KeyRole::RecordId) => context
                .and_then(|context| context.hint)
                .filter(|hint| matches!(hint, NameHint::Type(..) | NameHint::NationalId(_))),
            Some(_) => None,
        };
        // An element of a list takes the list's name as its field (`phones: ["+65…"]`).
        let own_hint = own.and_then(|own| own.hint.or(own.as_list));
        self.classify_with(from_context.or(own_hint), value)
    }

    fn classify_with(
        &self,
        hint: Option<NameHint>,
        value: &str,
    ) -> Vec<(SensitiveType, Confidence, (usize, usize))> {
        if hint.is_none_or(|hint| hint == NameHint::NotSensitive) && is_identifier_or_timestamp(value) {
            return Vec::new();
        }
        // One scratch buffer per thread: this runs once per scalar of every body, and most
        // values find nothing, so the only allocation left is the (exact-size) answer.
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<Found>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut found) => {
                found.clear();
                self.classify_hinted(hint, value, &mut found);
                found.iter().map(|f| (f.kind, f.confidence, f.span)).collect()
            }
            Err(_) => {
                let mut found = Vec::new();
                self.classify_hinted(hint, value, &mut found);
                found.into_iter().map(|f| (f.kind, f.confidence, f.span)).collect()
            }
        })
    }

    fn remembered_info(&self, name: &str) -> KeyInfo {
        if name.len() > MAX_REMEMBERED_NAME_LEN {
            return key_info(name);
        }
        NAME_INFO.with(|names| {
            let Ok(mut names) = names.try_borrow_mut() else { return key_info(name) };
            if let Some(info) = names.get(name) {
                return *info;
            }
            let info = key_info(name);
            if names.len() < MAX_REMEMBERED_NAMES {
                names.insert(name.into(), info);
            }
            info
        })
    }

    fn classify_hinted(&self, hint: Option<NameHint>, value: &str, out: &mut Vec<Found>) {
        let start = out.len();
        if worth_scanning(value) {
            self.engine.scan(value, hint, out);
        }
        if let Some(NameHint::Type(kind, strength)) = hint
            && !out[start..].iter().any(|f| f.kind == kind)
        {
            values::by_name(kind, strength, value, out, start);
        }
        // Compact in place, in linear time: a value may hold many findings (a log line, a
        // hostile body). Duplicates come from one candidate, so they sit next to each other.
        let config = &self.config;
        let mut kept = start;
        for index in start..out.len() {
            let f = out[index];
            let duplicate =
                out[start..kept].iter().rev().take_while(|g| g.span == f.span).any(|g| g.kind == f.kind);
            if f.confidence >= config.min_confidence && !config.disabled.contains(&f.kind) && !duplicate {
                out[kept] = f;
                kept += 1;
            }
        }
        out.truncate(kept);
    }

    fn detection(&self, found: Found, value: &str, location: Location) -> Detection {
        let matched = value.get(found.span.0..found.span.1).unwrap_or(value);
        Detection {
            kind: found.kind,
            confidence: found.confidence,
            location,
            span: found.span,
            masked: mask::mask(found.kind, matched, &self.config.mask),
        }
    }

    /// A whole JSON document: walks it (depth bounded by [`ClassifierConfig::max_depth`]) and
    /// reports each finding at its pointer template (array indexes → `*`). A GCP
    /// service-account object (`"type": "service_account"` with a `private_key`) is reported
    /// at the object's pointer.
    pub fn scan_json(&self, json: &[u8]) -> Result<Vec<Detection>, ScanError> {
        let mut visitor = JsonScan {
            classifier: self,
            raw: 0..0,
            masking: None,
            found: Vec::new(),
            detections: Vec::new(),
            objects: Vec::new(),
        };
        json::walk(json, self.config.max_depth, &mut visitor)?;
        Ok(visitor.detections)
    }

    /// Masks every value of `kinds` in a JSON document, in place: the document's bytes are kept
    /// as they are but for the masked values (formatting, key order and numbers untouched), so
    /// the gateway can mask a response without parsing it into a tree and writing it again.
    /// `Ok(None)` when nothing of those kinds is in it. A masked JSON number becomes a string.
    pub fn mask_json(&self, json: &[u8], kinds: &[SensitiveType]) -> Result<Option<MaskedJson>, ScanError> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let mut visitor = JsonScan {
            classifier: self,
            raw: 0..0,
            masking: Some(Masking { kinds, edits: Vec::new() }),
            found: Vec::new(),
            detections: Vec::new(),
            objects: Vec::new(),
        };
        json::walk(json, self.config.max_depth, &mut visitor)?;
        let Some(Masking { mut edits, .. }) = visitor.masking else { return Ok(None) };
        if edits.is_empty() {
            return Ok(None);
        }
        // Held members are classified when their object closes: put the edits back in order.
        edits.sort_by_key(|edit| edit.raw.start);
        let mut body = Vec::with_capacity(json.len() + 16);
        let mut copied = 0;
        let mut count = 0;
        for edit in &edits {
            if edit.raw.start < copied || edit.raw.end > json.len() {
                continue;
            }
            body.extend_from_slice(&json[copied..edit.raw.start]);
            let mut masked = edit.value.clone();
            let mut limit = masked.len();
            let mut spans = edit.spans.clone();
            spans.sort_by_key(|(_, (start, end))| (std::cmp::Reverse(*start), std::cmp::Reverse(*end)));
            for (kind, (start, end)) in spans {
                if end > limit
                    || start >= end
                    || !edit.value.is_char_boundary(start)
                    || !edit.value.is_char_boundary(end)
                {
                    continue;
                }
                masked
                    .replace_range(start..end, &mask::mask(kind, &edit.value[start..end], &self.config.mask));
                limit = start;
                count += 1;
            }
            push_json_string(&mut body, &masked);
            copied = edit.raw.end;
        }
        body.extend_from_slice(&json[copied..]);
        Ok(Some(MaskedJson { body, count }))
    }

    /// Free text (logs, form bodies, unknown payloads): no field names, so only what values
    /// show by themselves.
    pub fn scan_text(&self, text: &str) -> Vec<Detection> {
        let mut found = Vec::new();
        self.classify_hinted(None, text, &mut found);
        self.named_pairs(text, &mut found);
        found.into_iter().map(|f| self.detection(f, text, Location::Text { offset: f.span.0 })).collect()
    }

    /// `password=hunter22`, `api_key: 9f8e…`, `"secret":"…"` in logs, form bodies and config
    /// dumps: the name before `=` or `:` decides the by-name kinds (passwords, API keys, tokens),
    /// as a JSON field name would. Names and values are read within fixed bounds, so the scan
    /// stays linear on hostile text.
    fn named_pairs(&self, text: &str, out: &mut Vec<Found>) {
        const MAX_NAME: usize = 64;
        const MAX_VALUE: usize = 512;
        /// Pairs reported per text; a log of a million `password=` lines is one finding's worth
        /// of news, many times over.
        const MAX_PAIRS: usize = 4096;
        let bytes = text.as_bytes();
        let is_name_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
        // What the value detectors found, sorted, to skip values they already reported.
        let mut taken: Vec<(usize, usize)> = out.iter().map(|f| f.span).collect();
        taken.sort_unstable();
        let overlaps_taken = |start: usize, end: usize| {
            let after = taken.partition_point(|span| span.0 < end);
            taken[..after].iter().rev().take(8).any(|span| span.1 > start)
        };
        let mut last_end = 0;
        let mut pairs = 0;
        for at in memchr::memchr2_iter(b'=', b':', bytes) {
            if pairs >= MAX_PAIRS {
                break;
            }
            // The name: the run of name bytes just before the separator (quotes allowed around it).
            let mut end = at;
            while end > 0 && matches!(bytes[end - 1], b'"' | b'\'' | b' ') && at - end < 3 {
                end -= 1;
            }
            let mut start = end;
            while start > 0 && end - start < MAX_NAME && is_name_byte(bytes[start - 1]) {
                start -= 1;
            }
            if start == end || (start > 0 && is_name_byte(bytes[start - 1])) {
                continue;
            }
            let Some(NameHint::Type(kind, strength)) = self.remembered_info(&text[start..end]).hint else {
                continue;
            };
            if kind.category() != SensitiveCategory::Secret || self.config.disabled.contains(&kind) {
                continue;
            }
            // The value: after optional spaces and a quote, up to a quote, space or separator.
            let mut v_start = at + 1;
            while v_start < bytes.len() && bytes[v_start] == b' ' && v_start - at < 4 {
                v_start += 1;
            }
            let quoted = v_start < bytes.len() && matches!(bytes[v_start], b'"' | b'\'');
            if quoted {
                v_start += 1;
            }
            let mut v_end = v_start;
            while v_end < bytes.len()
                && v_end - v_start < MAX_VALUE
                && !matches!(bytes[v_end], b'"' | b'\'' | b' ' | b'&' | b',' | b';' | b'\n' | b'\r' | b'\t')
            {
                v_end += 1;
            }
            let Some(value) = text.get(v_start..v_end) else { continue };
            if value.is_empty() || v_start < last_end || overlaps_taken(v_start, v_end) {
                continue;
            }
            let before = out.len();
            values::by_name(kind, strength, value, out, before);
            for f in &mut out[before..] {
                f.span = (f.span.0 + v_start, f.span.1 + v_start);
            }
            let min = self.config.min_confidence;
            let mut kept = before;
            for index in before..out.len() {
                if out[index].confidence >= min {
                    out[kept] = out[index];
                    kept += 1;
                }
            }
            out.truncate(kept);
            if kept > before {
                last_end = v_end;
                pairs += 1;
            }
        }
    }

    /// A request or response header.
    pub fn scan_header(&self, name: &str, value: &str) -> Vec<Detection> {
        self.scan_named(name, value, Location::Header { name: name.to_owned() })
    }

    /// A query-string parameter (already percent-decoded).
    pub fn scan_query(&self, name: &str, value: &str) -> Vec<Detection> {
        self.scan_named(name, value, Location::Query { name: name.to_owned() })
    }

    /// A path parameter (`{accountId}` → its name and the concrete segment).
    pub fn scan_path_param(&self, name: &str, value: &str) -> Vec<Detection> {
        self.scan_named(name, value, Location::Path { name: name.to_owned() })
    }

    fn scan_named(&self, name: &str, value: &str, location: Location) -> Vec<Detection> {
        let mut found = Vec::new();
        self.classify_hinted(name_hint(name), value, &mut found);
        found.into_iter().map(|f| self.detection(f, value, location.clone())).collect()
    }
}

/// UUIDs and ISO 8601 dates and times fill API bodies and are none of the kinds by themselves
/// (a date of birth needs its field name, a key in a UUID's shape needs a key-like name): with no
/// name hint, or one that only lowers confidence (`createdAt`), they are skipped before any
/// pattern runs. The grammar is strict (`2024-03-05`, `2024-03-05T10:22:00.123+08:00`) so that a
/// value merely starting like a date still gets scanned.
fn is_identifier_or_timestamp(value: &str) -> bool {
    let b = value.as_bytes();
    let uuid = b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() });
    uuid || is_iso_timestamp(b)
}

/// `YYYY-MM-DD`, optionally followed by `T` (or a space) `hh:mm[:ss[.fraction]]` and a zone
/// (`Z`, `±hh:mm`, `±hhmm`).
fn is_iso_timestamp(b: &[u8]) -> bool {
    fn digits(b: &[u8], at: usize, count: usize) -> bool {
        b.get(at..at + count).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    }
    let date = digits(b, 0, 4) && b.get(4) == Some(&b'-') && digits(b, 5, 2) && b.get(7) == Some(&b'-');
    if !(date && digits(b, 8, 2)) {
        return false;
    }
    if b.len() == 10 {
        return true;
    }
    if !(matches!(b[10], b'T' | b't' | b' ')
        && digits(b, 11, 2)
        && b.get(13) == Some(&b':')
        && digits(b, 14, 2))
    {
        return false;
    }
    let mut at = 16;
    if b.get(at) == Some(&b':') && digits(b, at + 1, 2) {
        at += 3;
        if b.get(at) == Some(&b'.') {
            let fraction = b[at + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if !(1..=9).contains(&fraction) {
                return false;
            }
            at += 1 + fraction;
        }
    }
    match &b[at..] {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', zone @ ..] => {
            (zone.len() == 5 && digits(zone, 0, 2) && zone[2] == b':' && digits(zone, 3, 2))
                || (zone.len() == 4 && digits(zone, 0, 4))
        }
        _ => false,
    }
}

/// Values that cannot hold anything the prefilter looks for: no digit, `@` or `:`, and too
/// short for a key or a BIC. Most JSON strings are like this.
fn worth_scanning(value: &str) -> bool {
    let len = value.len();
    len >= 16 || len == 8 || len == 11 || value.bytes().any(|b| b.is_ascii_digit() || b == b'@' || b == b':')
}

struct JsonScan<'c> {
    classifier: &'c Classifier,
    /// The raw token of the value being classified (for masking in place).
    raw: std::ops::Range<usize>,
    /// Set when masking: the kinds to mask and the edits found so far (no detections then).
    masking: Option<Masking<'c>>,
    found: Vec<Found>,
    detections: Vec<Detection>,
    /// The open objects, outermost first (allocations reused from object to object).
    objects: Vec<OpenObject>,
}

/// A JSON document with sensitive values masked in place ([`Classifier::mask_json`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskedJson {
    pub body: Vec<u8>,
    /// Values masked.
    pub count: usize,
}

/// What masking collects while walking.
struct Masking<'k> {
    kinds: &'k [SensitiveType],
    edits: Vec<Edit>,
}

/// One value to rewrite: its raw token, its decoded text and the spans to mask in it.
struct Edit {
    raw: std::ops::Range<usize>,
    value: String,
    spans: Vec<(SensitiveType, (usize, usize))>,
}

/// `text` as a JSON string literal.
fn push_json_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => {
                let mut utf8 = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// Generic members (`value`, `number`, …) held back per object until its type is known.
const MAX_HELD_MEMBERS: usize = 16;
/// Type values longer than this name no kind (`"type": "<a sentence>"`); not read.
const MAX_TYPE_VALUE_LEN: usize = 48;

/// What an open object has said so far about its generic members.
#[derive(Default)]
struct OpenObject {
    /// A type member has been seen (`type`, `idType`, …), naming a kind or not.
    type_seen: bool,
    /// What that type member's value names (`"type": "AADHAAR"`).
    sibling_hint: Option<NameHint>,
    /// A member holding personal data (`dob`, `email`, `nric`…) has been seen: a bare `name`
    /// beside it is a person's.
    personal_seen: bool,
    /// Generic members met before any type member: key, value, own info. Only the first
    /// `held` entries are live; the strings are reused.
    held_members: Vec<(String, String, KeyInfo, std::ops::Range<usize>)>,
    held: usize,
}

impl JsonScan<'_> {
    fn classify_member(&mut self, hint: Option<NameHint>, value: &str, pointer: impl FnOnce() -> String) {
        // The same shortcut as `classify_value`, so discovery and the scanners agree.
        let plain = hint.is_none_or(|hint| hint == NameHint::NotSensitive);
        if (hint.is_none() && !worth_scanning(value)) || (plain && is_identifier_or_timestamp(value)) {
            return;
        }
        if let Some(masking) = &self.masking
            && !mask::could_hold_any(masking.kinds, value)
        {
            return;
        }
        self.found.clear();
        self.classifier.classify_hinted(hint, value, &mut self.found);
        if self.found.is_empty() {
            return;
        }
        if let Some(masking) = &mut self.masking {
            let spans: Vec<(SensitiveType, (usize, usize))> = self
                .found
                .iter()
                .filter(|f| masking.kinds.contains(&f.kind))
                .map(|f| (f.kind, f.span))
                .collect();
            if !spans.is_empty() {
                masking.edits.push(Edit { raw: self.raw.clone(), value: value.to_owned(), spans });
            }
            return;
        }
        let pointer = pointer();
        for &f in &self.found {
            let detection = self.classifier.detection(f, value, Location::Body { pointer: pointer.clone() });
            self.detections.push(detection);
        }
    }

    /// Keeps a member until its object closes; false when the object holds too many already.
    fn hold(&mut self, depth: usize, key: &str, value: &str, info: KeyInfo) -> bool {
        let raw = self.raw.clone();
        let Some(object) = self.objects.get_mut(depth) else { return false };
        if object.held >= MAX_HELD_MEMBERS {
            return false;
        }
        if object.held == object.held_members.len() {
            object.held_members.push(Default::default());
        }
        let (held_key, held_value, held_info, held_raw) = &mut object.held_members[object.held];
        held_key.clear();
        held_key.push_str(key);
        held_value.clear();
        held_value.push_str(value);
        *held_info = info;
        *held_raw = raw;
        object.held += 1;
        true
    }

    /// What a type value names, through the same memory as field names (type values repeat
    /// as much as names do).
    fn type_value_hint(&mut self, value: &str) -> Option<NameHint> {
        if value.len() > MAX_TYPE_VALUE_LEN || !worth_reading_as_type(value) {
            return None;
        }
        context_hint(json::Visitor::key_info(self, value))
    }
}

/// What the enclosing list's name says for a generic member (not for a record's `id`).
fn list_hint_for(info: KeyInfo, frames: &[json::Frame]) -> Option<NameHint> {
    if info.role == KeyRole::Generic { json::enclosing_list_hint(frames) } else { None }
}

/// What a bare `name` under a person or beside personal data says.
const PERSON_NAME_HINT: NameHint = NameHint::Type(SensitiveType::PersonName, Strength::Weak);

/// Hints that mark their object as a person's record.
fn is_personal_data(hint: NameHint) -> bool {
    use SensitiveType::*;
    match hint {
        NameHint::NationalId(_) => true,
        NameHint::Type(kind, _) => {
            matches!(kind, DateOfBirth | Email | Phone | Address | PersonName)
                || kind.category() == rampart_core::SensitiveCategory::NationalId
        }
        NameHint::NotSensitive => false,
    }
}

/// Whether a key up the path (the holder's own key and a few above it) names a person or a
/// party (`customer.name`, `billing_details.name`, `owners[*].names[*]`).
fn under_personal_key(frames: &[json::Frame]) -> bool {
    const LEVELS: usize = 4;
    let parents = frames.split_last().map_or(frames, |(_, parents)| parents);
    parents.iter().rev().filter(|f| !f.is_array).take(LEVELS).any(|f| f.info.personal)
}

/// For a generic member (`value`, `number`), what the key holding its object says: MyInfo's
/// `dob: {value, source}`, `mobileno: {nbr: {value}}`. Walks up through generic keys only, and
/// not across a list (whose name [`list_hint_for`] reads).
fn parent_key_hint(info: KeyInfo, frames: &[json::Frame]) -> Option<NameHint> {
    const LEVELS: usize = 3;
    if info.role != KeyRole::Generic {
        return None;
    }
    let parents = frames.split_last()?.1;
    for frame in parents.iter().rev().take(LEVELS) {
        if frame.is_array {
            return None;
        }
        match frame.info.hint {
            Some(hint @ (NameHint::Type(..) | NameHint::NationalId(_))) => return Some(hint),
            // MyInfo's `name: {value, source}`.
            None if frame.info.bare_name => return Some(PERSON_NAME_HINT),
            Some(NameHint::NotSensitive) => return None,
            None if frame.info.role == KeyRole::Generic => {}
            None => return None,
        }
    }
    None
}

/// Type values are words (`AADHAAR`, `national_id`, `Mobile Phone`), not numbers or dates.
fn worth_reading_as_type(value: &str) -> bool {
    value.bytes().any(|b| b.is_ascii_alphabetic())
}

impl json::Visitor for JsonScan<'_> {
    fn key_info(&mut self, key: &str) -> KeyInfo {
        self.classifier.remembered_info(key)
    }

    fn object_start(&mut self, frames: &[json::Frame]) {
        let depth = frames.len().saturating_sub(1);
        if self.objects.len() <= depth {
            self.objects.resize_with(depth + 1, OpenObject::default);
        }
        let object = &mut self.objects[depth];
        object.type_seen = false;
        object.sibling_hint = None;
        object.personal_seen = false;
        object.held = 0;
    }

    fn scalar(&mut self, frames: &[json::Frame], value: &str, raw: std::ops::Range<usize>) {
        self.raw = raw;
        let Some(holder) = frames.last() else {
            self.classify_member(None, value, || json::pointer(frames));
            return;
        };
        if holder.is_array {
            // An element of a list: its name speaks for it (`phones: ["+65 …"]`), weakly when
            // only as a plural.
            let hint = json::field(frames).and_then(|(_, info)| {
                if info.bare_name && info.hint.is_none() {
                    under_personal_key(frames).then_some(PERSON_NAME_HINT)
                } else {
                    info.hint.or(info.as_list)
                }
            });
            self.classify_member(hint, value, || json::pointer(frames));
            return;
        }
        let depth = frames.len() - 1;
        let info = holder.info;
        if info.hint.is_some_and(is_personal_data)
            && let Some(object) = self.objects.get_mut(depth)
        {
            object.personal_seen = true;
        }
        if info.bare_name && info.hint.is_none() {
            let personal_seen = self.objects.get(depth).is_some_and(|object| object.personal_seen);
            if personal_seen || under_personal_key(frames) {
                self.classify_member(Some(PERSON_NAME_HINT), value, || json::pointer(frames));
            } else if !self.hold(depth, holder.key(), value, info) {
                // Personal data may follow in the same object, but too much is held already.
                self.classify_member(None, value, || json::pointer(frames));
            }
            return;
        }
        match info.role {
            KeyRole::TypeOf => {
                let hint = self.type_value_hint(value);
                if let Some(object) = self.objects.get_mut(depth) {
                    object.type_seen = true;
                    object.sibling_hint = object.sibling_hint.or(hint);
                }
            }
            KeyRole::Generic | KeyRole::RecordId => {
                let type_seen = self.objects.get(depth).is_some_and(|object| object.type_seen);
                // The type may come later in the object: hold the member until it closes.
                if !type_seen && self.hold(depth, holder.key(), value, info) {
                    return;
                }
                if let Some(object) = self.objects.get(depth) {
                    let hint = object
                        .sibling_hint
                        .or(info.hint)
                        .or_else(|| list_hint_for(info, frames))
                        .or_else(|| parent_key_hint(info, frames));
                    self.classify_member(hint, value, || json::pointer(frames));
                    return;
                }
            }
            KeyRole::Plain => {}
        }
        self.classify_member(info.hint, value, || json::pointer(frames));
    }

    fn object_end(&mut self, frames: &[json::Frame]) {
        let Some(frame) = frames.last() else { return };
        let config = &self.classifier.config;
        if frame.service_account_type
            && frame.has_private_key
            && !config.disabled.contains(&SensitiveType::GcpServiceAccount)
        {
            self.detections.push(Detection {
                kind: SensitiveType::GcpServiceAccount,
                confidence: Confidence::High,
                location: Location::Body { pointer: json::pointer(&frames[..frames.len() - 1]) },
                span: (0, 0),
                masked: mask::REDACTED.to_owned(),
            });
        }
        let depth = frames.len() - 1;
        let Some(object) = self.objects.get_mut(depth) else { return };
        if object.held == 0 {
            return;
        }
        // Take the held members out so classifying can borrow `self`; put them back after.
        let held = std::mem::take(&mut object.held_members);
        let (count, sibling_hint, personal_seen) = (object.held, object.sibling_hint, object.personal_seen);
        object.held = 0;
        for (key, value, info, raw) in &held[..count] {
            self.raw = raw.clone();
            let hint = if info.bare_name && info.hint.is_none() {
                // Open Banking's `{SchemeName, Identification, Name}`: the account's holder.
                let names_an_account = matches!(
                    sibling_hint,
                    Some(NameHint::Type(
                        SensitiveType::BankAccount | SensitiveType::Iban | SensitiveType::CardNumber,
                        _
                    ))
                );
                (personal_seen || names_an_account).then_some(PERSON_NAME_HINT)
            } else {
                sibling_hint
                    .or(info.hint)
                    .or_else(|| list_hint_for(*info, frames))
                    .or_else(|| parent_key_hint(*info, frames))
            };
            self.classify_member(hint, value, || json::member_pointer(frames, key));
        }
        if let Some(object) = self.objects.get_mut(depth) {
            object.held_members = held;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_in_place_keeps_everything_but_the_masked_values() {
        let classifier = Classifier::new(ClassifierConfig::default());
        let body = "{\n  \"customer\": {\"nric\": \"S1234567D\", \"note\": \"caf\\u00e9 \\\"vip\\\"\"},\n  \"cards\": [{\"cardNumber\": \"4111 1111 1111 1111\", \"balance\": 12.50}],\n  \"pan\": 4111111111111111,\n  \"ids\": [{\"value\": \"S7654321F\", \"type\": \"NRIC\"}]\n}";
        let kinds = [SensitiveType::CardNumber, SensitiveType::SgNric];
        let masked = classifier.mask_json(body.as_bytes(), &kinds).unwrap().unwrap();
        let text = String::from_utf8(masked.body).unwrap();
        assert_eq!(masked.count, 4, "{text}");
        for raw in ["S1234567D", "4111 1111 1111 1111", "4111111111111111", "S7654321F"] {
            assert!(!text.contains(raw), "{raw} left in {text}");
        }
        // Formatting, escapes, key order and unmasked numbers are the document's own.
        assert!(text.starts_with("{\n  \"customer\": {\"nric\": \""), "{text}");
        assert!(text.contains("\"note\": \"caf\\u00e9 \\\"vip\\\"\""), "{text}");
        assert!(text.contains("\"balance\": 12.50"), "{text}");
        assert!(text.contains("4111 11** **** 1111"), "{text}");
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(parsed["pan"].is_string());
        assert!(classifier.mask_json(b"{\"status\":\"ok\"}", &kinds).unwrap().is_none());
        assert!(classifier.mask_json(body.as_bytes(), &[]).unwrap().is_none());
        assert!(classifier.mask_json(b"{\"a\":", &kinds).is_err());
    }

    #[test]
    fn timestamps_are_recognised_strictly() {
        for timestamp in [
            "2024-03-05",
            "2024-03-05T10:22",
            "2024-03-05T10:22:00Z",
            "2024-03-05 10:22:00.123456",
            "2024-03-05T10:22:00.123+08:00",
            "2024-03-05T10:22:00-0500",
        ] {
            assert!(is_identifier_or_timestamp(timestamp), "{timestamp}");
        }
        for other in [
            "2024-03-05T+6591234567",
            "2024-03-05 91234567",
            "2024-03-05T10:22:00.1234567890Z",
            "2024-03-05T10:22:00+08",
            "2024-3-05",
            "20240305",
        ] {
            assert!(!is_identifier_or_timestamp(other), "{other}");
        }
        assert!(is_identifier_or_timestamp("0f8fad5b-d9cb-469f-a165-70867728950e"));
    }

    #[test]
    fn remembered_keys_follow_each_object_not_its_position() {
        let classifier = Classifier::new(ClassifierConfig::default());
        let body = br#"[{"a":{"nric":"S1234567D"},"b":{"fullName":"Tan Wei Ming"}},
                        {"a":{"fullName":"Tan Wei Ming"},"b":{"nric":"S1234567D"}},
                        {"b":{"nric":"S1234567D","fullName":"Tan Wei Ming"}}]"#;
        let found: Vec<(SensitiveType, String)> = classifier
            .scan_json(body)
            .unwrap()
            .into_iter()
            .map(|d| match d.location {
                Location::Body { pointer } => (d.kind, pointer),
                other => panic!("{other:?}"),
            })
            .collect();
        let expected = [
            (SensitiveType::SgNric, "/*/a/nric"),
            (SensitiveType::PersonName, "/*/b/fullName"),
            (SensitiveType::PersonName, "/*/a/fullName"),
            (SensitiveType::SgNric, "/*/b/nric"),
            (SensitiveType::SgNric, "/*/b/nric"),
            (SensitiveType::PersonName, "/*/b/fullName"),
        ];
        assert_eq!(found, expected.map(|(kind, pointer)| (kind, pointer.to_owned())));
    }

    fn kinds_at(classifier: &Classifier, body: &str) -> Vec<(SensitiveType, String)> {
        classifier
            .scan_json(body.as_bytes())
            .unwrap()
            .into_iter()
            .map(|d| match d.location {
                Location::Body { pointer } => (d.kind, pointer),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_sibling_type_names_the_generic_members_in_either_order() {
        let classifier = Classifier::new(ClassifierConfig::default());
        // 234123412346 passes Verhoeff but is only an Aadhaar because the document says so.
        let body = r#"{"documents":[
            {"type":"AADHAAR","value":"234123412346"},
            {"number":"234123412346","idType":"Aadhaar"},
            {"documentType":"MYKAD","no":"900101145678"},
            {"kind":"MOBILE","value":"91234567"}]}"#;
        let found = kinds_at(&classifier, body);
        assert_eq!(
            found,
            vec![
                (SensitiveType::InAadhaar, "/documents/*/value".to_owned()),
                (SensitiveType::InAadhaar, "/documents/*/number".to_owned()),
                (SensitiveType::MyMykad, "/documents/*/no".to_owned()),
                (SensitiveType::Phone, "/documents/*/value".to_owned()),
            ]
        );
    }

    #[test]
    fn without_a_hint_a_bare_weak_checksum_stays_unreported() {
        let classifier = Classifier::new(ClassifierConfig::default());
        for body in [
            r#"{"value":"234123412346"}"#,
            r#"{"records":[{"type":"ACTIVE","value":"234123412346"}]}"#,
            r#"{"items":[{"id":"234123412346","type":"ORDER"}]}"#,
            r#"{"cards":[{"type":"VISA","expiry":"234123412346"}]}"#,
            // A list's name does not speak for its records' ids.
            r#"{"cards":[{"id":"4111111111111111"}],"idDocuments":[{"id":"234123412346"}]}"#,
        ] {
            assert_eq!(kinds_at(&classifier, body), vec![], "{body}");
        }
    }

    #[test]
    fn a_list_name_speaks_weakly_for_its_records() {
        let classifier = Classifier::new(ClassifierConfig::default());
        let body = r#"{"cards":[{"number":"4111111111111111","expiry":"12/27"}],
                       "phones":[{"value":"91234567"}],"Phones":["91234567"],
                       "idDocuments":[{"no":"234123412346","id":"234123412346"}]}"#;
        let found = classifier.scan_json(body.as_bytes()).unwrap();
        let summary: Vec<(SensitiveType, Confidence, &str)> = found
            .iter()
            .map(|d| match &d.location {
                Location::Body { pointer } => (d.kind, d.confidence, pointer.as_str()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (SensitiveType::CardNumber, Confidence::Medium, "/cards/*/number"),
                (SensitiveType::Phone, Confidence::Medium, "/phones/*/value"),
                (SensitiveType::Phone, Confidence::Medium, "/Phones/*"),
                // An untyped document list does not say which ID a bare number would be: a
                // weak checksum alone (one random number in ten) is not enough.
            ]
        );
    }

    #[test]
    fn held_members_are_bounded_and_none_is_lost() {
        let classifier = Classifier::new(ClassifierConfig::default());
        // 20 generic members, then the type: the first 16 wait for it, the rest are read at
        // once (with no hint, an email still shows itself).
        let mut body = String::from("{");
        for i in 0..20 {
            body.push_str(&format!("\"id{i}\":1,\"value\":\"tan{i}@example.com\","));
        }
        body.push_str("\"type\":\"EMAIL\"}");
        let found = kinds_at(&classifier, &body);
        assert_eq!(found.len(), 20);
        assert!(found.iter().all(|(kind, pointer)| *kind == SensitiveType::Email && pointer == "/value"));
    }

    #[test]
    fn classify_value_in_context_agrees_with_the_walker() {
        let classifier = Classifier::new(ClassifierConfig::default());
        let kinds = |field: Option<&str>, context: Option<&str>, value: &str| -> Vec<SensitiveType> {
            classifier
                .classify_value_in_context(field, context, value)
                .into_iter()
                .map(|(k, _, _)| k)
                .collect()
        };
        assert_eq!(kinds(Some("value"), Some("AADHAAR"), "234123412346"), vec![SensitiveType::InAadhaar]);
        assert_eq!(kinds(Some("value"), Some("MY_NUMBER"), "123412341230"), vec![SensitiveType::JpMyNumber]);
        assert_eq!(kinds(None, Some("cards"), "4111111111111111"), vec![SensitiveType::CardNumber]);
        assert_eq!(kinds(Some("id"), Some("NRIC"), "s1234567d"), vec![SensitiveType::SgNric]);
        assert_eq!(kinds(Some("id"), Some("documents"), "234123412346"), vec![]);
        assert_eq!(
            kinds(Some("documentNumber"), Some("MYKAD"), "900101145678"),
            vec![SensitiveType::MyMykad]
        );
        // No context, or one that names nothing: the bare number stays unreported.
        assert_eq!(kinds(Some("value"), None, "234123412346"), vec![]);
        assert_eq!(kinds(Some("value"), Some("ACTIVE"), "234123412346"), vec![]);
        // A field that names its own kind keeps its say.
        assert_eq!(kinds(Some("orderId"), Some("AADHAAR"), "234123412346"), vec![]);
        assert_eq!(kinds(Some("value"), None, "S1234567D"), vec![SensitiveType::SgNric]);
    }

    #[test]
    fn json_skips_unnamed_timestamps_but_not_what_follows_a_date() {
        let classifier = Classifier::new(ClassifierConfig::default());
        let body = br#"{"at":"2024-03-05T10:22:00Z","note":"2024-03-05 +65 9123 4567"}"#;
        let found = classifier.scan_json(body).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, SensitiveType::Phone);
    }
}
