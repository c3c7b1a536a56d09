//! JSON Schema inference into [`SchemaNode`]s, bounded for hostile bodies.
//!
//! Bodies are parsed straight into the schema with a serde [`DeserializeSeed`]: no intermediate
//! `serde_json::Value`, and property names are looked up borrowed from the body, so a body whose
//! shape is already known allocates almost nothing. Before that, the body is checked with
//! serde_json's non-recursive skipper, so a body that turns out to be malformed (or cut short)
//! never leaves a half-recorded observation behind.
//!
//! Every walk is bounded by [`InferenceLimits`]: nesting depth, properties per object and array
//! items examined, so a 100 000-deep or million-item body costs one linear scan and a bounded
//! amount of schema.

use std::borrow::Cow;
use std::fmt;

use rampart_core::schema::MAX_EXAMPLES;
use rampart_core::{ArrayStats, NumberStats, SchemaNode, StringStats};
use serde::de::{self, DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::sync::Arc;

use crate::classify::ValueClassifier;
use rampart_core::SensitiveType;

use crate::format::detect_format;
use crate::mask::mask_example_into;

/// serde_json refuses nesting deeper than 128; staying below it means the walk never fails
/// half-way on depth, whatever the configured limit.
const MAX_SUPPORTED_DEPTH: usize = 100;
/// Longer property and parameter names are not recorded (counted as truncation): no real API
/// uses them, and each one recorded would stay in the inventory.
pub const MAX_NAME_LEN: usize = 256;
/// Text values with more digits than this are identifiers (accounts, cards), not quantities.
const MAX_NUMERIC_DIGITS: usize = 15;

/// Bounds on how much of one value is described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferenceLimits {
    /// Arrays and objects nested deeper than this are counted as seen but not described.
    pub max_depth: usize,
    /// Properties recorded per object location; further new names are dropped and counted in
    /// `ObjectStats::truncated`.
    pub max_properties: usize,
    /// Items walked per array; the rest still count towards `max_items`.
    pub max_array_items: usize,
    /// Distinct masked examples kept per string location.
    pub max_examples: usize,
}

impl Default for InferenceLimits {
    fn default() -> Self {
        InferenceLimits {
            max_depth: 32,
            max_properties: 256,
            max_array_items: 64,
            max_examples: MAX_EXAMPLES,
        }
    }
}

/// Why a body could not be described.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("body is not valid UTF-8")]
    InvalidUtf8,
    #[error("body is not valid JSON: {0}")]
    InvalidJson(#[from] serde_json::Error),
    /// Not an error in the traffic: a media type whose shape is not inferred (multipart, XML, …).
    #[error("media type {0:?} is not inferred")]
    Unsupported(String),
}

/// Per-walk working memory, reused across the whole body.
#[derive(Default)]
pub(crate) struct Scratch {
    masked: String,
    /// Hashes of the property names met so far in each object being walked (a stack), to spot
    /// duplicate names without allocating.
    keys: Vec<u64>,
    /// Classifies every scalar recorded, when set.
    classifier: Option<Arc<dyn ValueClassifier>>,
    /// Names of the properties being walked, end to end, and where each starts: the innermost
    /// is the field name handed to the classifier.
    fields: String,
    field_starts: Vec<usize>,
    /// Arrays enclosing the value being walked (values inside one are records in bulk).
    array_depth: usize,
    kinds: Vec<SensitiveType>,
    /// Sensitive kinds found during the walk, and whether inside an array (records in bulk).
    pub(crate) found: Vec<(SensitiveType, bool)>,
}

impl Scratch {
    pub(crate) fn with_classifier(classifier: Option<Arc<dyn ValueClassifier>>) -> Scratch {
        Scratch { classifier, ..Scratch::default() }
    }

    fn push_field(&mut self, name: &str) {
        self.field_starts.push(self.fields.len());
        self.fields.push_str(name);
    }

    fn enter_array(&mut self) {
        self.array_depth += 1;
    }

    fn leave_array(&mut self) {
        self.array_depth = self.array_depth.saturating_sub(1);
    }

    fn pop_field(&mut self) {
        if let Some(start) = self.field_starts.pop() {
            self.fields.truncate(start);
        }
    }

    /// Set the field for a value outside any body (a parameter or header name).
    pub(crate) fn set_field(&mut self, name: &str) {
        self.fields.clear();
        self.field_starts.clear();
        self.push_field(name);
    }

    /// Classify `value`; count each kind found on `node`. Returns the first kind, for masking.
    fn classify(&mut self, node: &mut SchemaNode, value: &str) -> Option<SensitiveType> {
        let classifier = self.classifier.as_ref()?;
        self.kinds.clear();
        let field = self.field_starts.last().map(|start| &self.fields[*start..]);
        // The key holding the value's object, handed to the classifier as context: `cards` for
        // `cards[*].number`, `dob` for MyInfo's `dob.value`, `customer` for `customer.name`.
        let context = match self.field_starts.as_slice() {
            [.., parent, own] => self.fields.get(*parent..*own),
            _ => None,
        };
        classifier.classify(field, context, value, &mut self.kinds);
        for kind in &self.kinds {
            *node.sensitive.entry(*kind).or_default() += 1;
            self.found.push((*kind, self.array_depth > 0));
        }
        self.kinds.first().copied()
    }
}

/// Record one JSON value at `node`.
pub fn observe_json(node: &mut SchemaNode, value: &Value, limits: &InferenceLimits) {
    let mut scratch = Scratch::default();
    walk_value(node, value, 0, limits, &mut scratch);
}

/// Record a body of the given media type (parameters allowed, any case).
///
/// JSON (`application/json`, `*+json`, `text/json`) and `application/x-www-form-urlencoded` are
/// described; other media types give [`BodyError::Unsupported`] and leave `node` untouched.
///
/// A JSON body is parsed once, straight into `node`: a second, validating pass would cost about a
/// tenth of discovery's throughput. Bodies that are cut short, empty, binary or not bracketed
/// like a JSON document (nearly every malformed body seen in traffic) are rejected before
/// anything is recorded; a body that starts and ends like JSON but breaks in the middle is
/// reported as an error too, and may leave a partial observation of that one body.
pub fn observe_body(
    node: &mut SchemaNode,
    bytes: &[u8],
    media_type: &str,
    limits: &InferenceLimits,
) -> Result<(), BodyError> {
    observe_body_with(node, bytes, media_type, limits, &mut Scratch::default())
}

/// [`observe_body`] with the caller's working memory (and its classifier).
pub(crate) fn observe_body_with(
    node: &mut SchemaNode,
    bytes: &[u8],
    media_type: &str,
    limits: &InferenceLimits,
    scratch: &mut Scratch,
) -> Result<(), BodyError> {
    let media = media_type.split(';').next().unwrap_or("").trim();
    if is_json_media(media) {
        let text = std::str::from_utf8(bytes).map_err(|_| BodyError::InvalidUtf8)?;
        if !looks_whole(text) {
            // Report the parser's own words for what is wrong; nothing has been recorded.
            serde_json::from_str::<IgnoredAny>(text)?;
            return Err(BodyError::InvalidJson(serde_json::Error::custom("not a complete JSON document")));
        }
        let mut de = serde_json::Deserializer::from_str(text);
        NodeSeed { node, depth: 0, limits, scratch }.deserialize(&mut de)?;
        de.end()?;
        Ok(())
    } else if media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        let text = std::str::from_utf8(bytes).map_err(|_| BodyError::InvalidUtf8)?;
        observe_form(node, text, limits, scratch);
        Ok(())
    } else {
        Err(BodyError::Unsupported(media.to_owned()))
    }
}

/// Whether `text` starts and ends like one JSON document: an object, an array, or a scalar with
/// nothing after it. Cheap (looks at both ends only); the parser checks the rest.
fn looks_whole(text: &str) -> bool {
    let t = text.trim_ascii();
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']')) => true,
        (Some(b'"'), Some(b'"')) => t.len() >= 2,
        (Some(first), Some(_)) => {
            // Scalars are short: validate them fully.
            (first.is_ascii_digit() || matches!(first, b'-' | b't' | b'f' | b'n'))
                && serde_json::from_str::<IgnoredAny>(t).is_ok()
        }
        _ => false,
    }
}

/// `application/json`, `text/json`, `application/*+json`, compared case-insensitively.
pub use rampart_core::exchange::is_json_media_type as is_json_media;

/// Record a value that arrived as text (query, header, path or form value), typed by its look:
/// `123` → integer, `12.5` → number, `true` → boolean, anything else a string with its format.
/// Digit strings with a leading zero or more than 15 digits stay strings (`Digits`): they are
/// account or card numbers, and a number type would lose their zeros and precision.
pub fn observe_text_value(node: &mut SchemaNode, s: &str) {
    observe_text_value_with(node, s, MAX_EXAMPLES, &mut Scratch::default());
}

pub(crate) fn observe_text_value_with(
    node: &mut SchemaNode,
    s: &str,
    max_examples: usize,
    scratch: &mut Scratch,
) {
    // Classified as sent: `234123412346` is an Aadhaar number before it is an integer.
    let kind = scratch.classify(node, s);
    if let Some(kind) = kind {
        return observe_sensitive_str(node, s, kind, max_examples, scratch);
    }
    match s {
        "true" => return observe_bool(node),
        "false" => return observe_bool(node),
        _ => {}
    }
    match text_number(s) {
        Some(TextNumber::Integer(v)) => observe_integer(node, v),
        Some(TextNumber::Number(v)) => observe_number(node, v),
        None => observe_str(node, s, max_examples, scratch),
    }
}

enum TextNumber {
    Integer(f64),
    Number(f64),
}

/// Plain decimal numbers only: no exponent, no leading `+`, no leading zero before more digits.
fn text_number(s: &str) -> Option<TextNumber> {
    let b = s.as_bytes();
    let unsigned = b.strip_prefix(b"-").unwrap_or(b);
    let int_len = unsigned.iter().take_while(|c| c.is_ascii_digit()).count();
    if int_len == 0 || int_len > MAX_NUMERIC_DIGITS || (int_len > 1 && unsigned[0] == b'0') {
        return None;
    }
    let rest = &unsigned[int_len..];
    if rest.is_empty() {
        return s.parse::<i64>().ok().map(|v| TextNumber::Integer(v as f64));
    }
    let frac = rest.strip_prefix(b".")?;
    if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite()).map(TextNumber::Number)
}

fn observe_null(node: &mut SchemaNode) {
    node.seen += 1;
    node.null += 1;
}

fn observe_bool(node: &mut SchemaNode) {
    node.seen += 1;
    node.boolean += 1;
}

fn observe_integer(node: &mut SchemaNode, v: f64) {
    node.seen += 1;
    add_number(&mut node.integer, v);
}

fn observe_number(node: &mut SchemaNode, v: f64) {
    node.seen += 1;
    add_number(&mut node.number, v);
}

fn add_number(stats: &mut Option<NumberStats>, v: f64) {
    match stats {
        Some(n) => {
            n.count += 1;
            n.min = n.min.min(v);
            n.max = n.max.max(v);
        }
        None => *stats = Some(NumberStats { count: 1, min: v, max: v }),
    }
}

fn observe_str(node: &mut SchemaNode, s: &str, max_examples: usize, scratch: &mut Scratch) {
    match scratch.classify(node, s) {
        Some(kind) => observe_sensitive_str(node, s, kind, max_examples, scratch),
        None => observe_plain_str(node, s, max_examples, scratch),
    }
}

/// A string known to carry `kind`: recorded as any string, its example masked by the engine.
fn observe_sensitive_str(
    node: &mut SchemaNode,
    s: &str,
    kind: SensitiveType,
    max_examples: usize,
    scratch: &mut Scratch,
) {
    let examples_before = node.string.as_ref().map_or(0, |st| st.examples.len());
    observe_plain_str(node, s, 0, scratch);
    let (Some(classifier), Some(stats)) = (scratch.classifier.as_ref(), node.string.as_mut()) else { return };
    if examples_before < max_examples {
        let masked = classifier.mask(kind, s);
        if !stats.examples.contains(&masked) {
            stats.examples.push(masked);
        }
    }
}

fn observe_plain_str(node: &mut SchemaNode, s: &str, max_examples: usize, scratch: &mut Scratch) {
    node.seen += 1;
    let len = s.chars().count() as u64;
    let stats = node.string.get_or_insert_with(StringStats::default);
    if stats.count == 0 {
        stats.min_len = len;
        stats.max_len = len;
    } else {
        stats.min_len = stats.min_len.min(len);
        stats.max_len = stats.max_len.max(len);
    }
    stats.count += 1;
    if let Some(format) = detect_format(s) {
        *stats.formats.entry(format).or_default() += 1;
    }
    // The raw comparison skips masking for values already kept verbatim (`SGD`, `ACTIVE`), which
    // low-cardinality fields repeat on every call.
    if stats.examples.len() < max_examples && !stats.examples.iter().any(|e| e == s) {
        mask_example_into(s, &mut scratch.masked);
        if !stats.examples.contains(&scratch.masked) {
            stats.examples.push(scratch.masked.clone());
        }
    }
}

/// Whether `name` was already recorded in the object whose names start at `mark` on the stack;
/// if not, it is pushed. Only recorded names are pushed, so the scan stays within the property cap.
fn is_duplicate_name(keys: &mut Vec<u64>, mark: usize, name: &str) -> bool {
    let h = fnv1a(name.as_bytes());
    if keys[mark..].contains(&h) {
        return true;
    }
    keys.push(h);
    false
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

fn record_array_len(arr: &mut ArrayStats, len: u64) {
    if arr.count == 0 {
        arr.min_items = len;
        arr.max_items = len;
    } else {
        arr.min_items = arr.min_items.min(len);
        arr.max_items = arr.max_items.max(len);
    }
    arr.count += 1;
}

fn effective_depth(limits: &InferenceLimits) -> usize {
    limits.max_depth.min(MAX_SUPPORTED_DEPTH)
}

fn walk_value(
    node: &mut SchemaNode,
    value: &Value,
    depth: usize,
    limits: &InferenceLimits,
    scratch: &mut Scratch,
) {
    match value {
        Value::Null => observe_null(node),
        Value::Bool(_) => observe_bool(node),
        Value::Number(n) => match (n.is_f64(), n.as_f64()) {
            (false, Some(v)) if v.abs() >= 1e7 => {
                classify_long_integer(node, v.abs() as u64, scratch);
                observe_integer(node, v);
            }
            (false, Some(v)) => observe_integer(node, v),
            (true, Some(v)) => observe_number(node, v),
            (_, None) => observe_number(node, 0.0),
        },
        Value::String(s) => observe_str(node, s, limits.max_examples, scratch),
        Value::Array(items) => {
            node.seen += 1;
            if depth >= effective_depth(limits) {
                return;
            }
            let arr = node.array.get_or_insert_default();
            record_array_len(arr, items.len() as u64);
            scratch.enter_array();
            for item in items.iter().take(limits.max_array_items) {
                walk_value(&mut arr.items, item, depth + 1, limits, scratch);
            }
            scratch.leave_array();
        }
        Value::Object(map) => {
            node.seen += 1;
            if depth >= effective_depth(limits) {
                return;
            }
            let obj = node.object.get_or_insert_default();
            obj.count += 1;
            let mut truncated = false;
            for (name, v) in map {
                let has_room = obj.properties.len() < limits.max_properties && name.len() <= MAX_NAME_LEN;
                match obj.properties.get_mut(name.as_str()) {
                    Some(p) => {
                        scratch.push_field(name);
                        walk_value(p, v, depth + 1, limits, scratch);
                        scratch.pop_field();
                    }
                    None if has_room => {
                        scratch.push_field(name);
                        let p = obj.properties.entry(name.clone()).or_default();
                        walk_value(p, v, depth + 1, limits, scratch);
                        scratch.pop_field();
                    }
                    None => truncated = true,
                }
            }
            if truncated {
                obj.truncated += 1;
            }
        }
    }
}

/// Identifiers sent as JSON numbers (account numbers, national ids) are classified too; short
/// numbers (amounts, counts) cannot be any of the kinds and are skipped cheaply.
fn classify_long_integer(node: &mut SchemaNode, v: u64, scratch: &mut Scratch) {
    if v >= 10_000_000 && scratch.classifier.is_some() {
        let mut buf = itoa::Buffer::new();
        scratch.classify(node, buf.format(v));
    }
}

/// Walks one JSON value from the parser straight into `node`.
struct NodeSeed<'a> {
    node: &'a mut SchemaNode,
    depth: usize,
    limits: &'a InferenceLimits,
    scratch: &'a mut Scratch,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        observe_null(self.node);
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        observe_null(self.node);
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        observe_bool(self.node);
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        classify_long_integer(self.node, v.unsigned_abs(), self.scratch);
        observe_integer(self.node, v as f64);
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        classify_long_integer(self.node, v, self.scratch);
        observe_integer(self.node, v as f64);
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        observe_number(self.node, v);
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        observe_str(self.node, v, self.limits.max_examples, self.scratch);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let NodeSeed { node, depth, limits, scratch } = self;
        node.seen += 1;
        if depth >= effective_depth(limits) {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let arr = node.array.get_or_insert_default();
        let mut len = 0u64;
        let mut finished = false;
        scratch.enter_array();
        while len < limits.max_array_items as u64 {
            let seed = NodeSeed { node: &mut arr.items, depth: depth + 1, limits, scratch };
            if seq.next_element_seed(seed)?.is_none() {
                finished = true;
                break;
            }
            len += 1;
        }
        scratch.leave_array();
        if !finished {
            while seq.next_element::<IgnoredAny>()?.is_some() {
                len += 1;
            }
        }
        record_array_len(arr, len);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let NodeSeed { node, depth, limits, scratch } = self;
        node.seen += 1;
        if depth >= effective_depth(limits) {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let obj = node.object.get_or_insert_default();
        obj.count += 1;
        let mark = scratch.keys.len();
        let mut truncated = false;
        while let Some(name) = map.next_key::<Name<'de>>()? {
            let has_room =
                obj.properties.len() < limits.max_properties && name.as_str().len() <= MAX_NAME_LEN;
            match obj.properties.get_mut(name.as_str()) {
                // A repeated name counts once per object (first value wins), so presence stays exact.
                Some(_) if is_duplicate_name(&mut scratch.keys, mark, name.as_str()) => {
                    map.next_value::<IgnoredAny>()?;
                }
                Some(p) => {
                    scratch.push_field(name.as_str());
                    map.next_value_seed(NodeSeed { node: p, depth: depth + 1, limits, scratch })?;
                    scratch.pop_field();
                }
                None if has_room => {
                    scratch.keys.push(fnv1a(name.as_str().as_bytes()));
                    scratch.push_field(name.as_str());
                    let p = obj.properties.entry(name.into_owned()).or_default();
                    map.next_value_seed(NodeSeed { node: p, depth: depth + 1, limits, scratch })?;
                    scratch.pop_field();
                }
                None => {
                    truncated = true;
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        scratch.keys.truncate(mark);
        if truncated {
            obj.truncated += 1;
        }
        Ok(())
    }
}

/// A property name, borrowed from the body unless it had escapes.
struct Name<'de>(Cow<'de, str>);

impl Name<'_> {
    fn as_str(&self) -> &str {
        &self.0
    }

    fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> de::Deserialize<'de> for Name<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(NameVisitor)
    }
}

struct NameVisitor;

impl<'de> Visitor<'de> for NameVisitor {
    type Value = Name<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Name<'de>, E> {
        Ok(Name(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Name<'de>, E> {
        Ok(Name(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Name<'de>, E> {
        Ok(Name(Cow::Owned(v)))
    }
}

/// `a=1&b=x%20y`: an object of parameters, each value typed from its text. A repeated name
/// counts once (first value wins), as in JSON objects.
fn observe_form(node: &mut SchemaNode, text: &str, limits: &InferenceLimits, scratch: &mut Scratch) {
    node.seen += 1;
    let obj = node.object.get_or_insert_default();
    obj.count += 1;
    let mark = scratch.keys.len();
    let mut truncated = false;
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = form_decode(raw_name);
        let has_room = obj.properties.len() < limits.max_properties && name.len() <= MAX_NAME_LEN;
        match obj.properties.get_mut(name.as_ref()) {
            Some(_) if is_duplicate_name(&mut scratch.keys, mark, &name) => {}
            Some(p) => {
                scratch.push_field(&name);
                observe_text_value_with(p, &form_decode(raw_value), limits.max_examples, scratch);
                scratch.pop_field();
            }
            None if has_room => {
                scratch.keys.push(fnv1a(name.as_bytes()));
                scratch.push_field(&name);
                let p = obj.properties.entry(name.into_owned()).or_default();
                observe_text_value_with(p, &form_decode(raw_value), limits.max_examples, scratch);
                scratch.pop_field();
            }
            None => truncated = true,
        }
    }
    scratch.keys.truncate(mark);
    if truncated {
        obj.truncated += 1;
    }
}

/// Percent-decoding with `+` as space; invalid escapes are kept as they are, invalid UTF-8 is
/// replaced.
pub(crate) fn form_decode(s: &str) -> Cow<'_, str> {
    if !s.bytes().any(|b| b == b'%' || b == b'+') {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => match (b.get(i + 1).and_then(hex_val), b.get(i + 2).and_then(hex_val)) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn hex_val(c: &u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use rampart_core::StringFormat;
    use serde_json::json;

    use super::*;

    fn accounts_body() -> Value {
        json!({
            "accounts": [
                {
                    "id": "3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b",
                    "number": "0012345678",
                    "nickname": null,
                    "status": "ACTIVE",
                    "balance": 1520,
                    "owner": {"email": "jane.tan@bank.example", "since": "2019-04-01"},
                    "transactions": [
                        {"amount": 12.5, "bookedAt": "2026-11-29T10:00:00Z", "ref": "TX1"},
                        {"amount": 100, "bookedAt": "2026-11-28T09:30:00+08:00"}
                    ]
                },
                {
                    "id": "8d1e2f3a-4b5c-4d6e-9f70-8192a3b4c5d6",
                    "number": "0098765432",
                    "nickname": "Holiday fund",
                    "status": "DORMANT",
                    "balance": 20.75,
                    "owner": {"email": "raj.kumar@bank.example", "since": "2021-12-15"},
                    "transactions": []
                }
            ],
            "page": 1,
            "hasMore": false
        })
    }

    fn obj(node: &SchemaNode) -> &rampart_core::ObjectStats {
        node.object.as_deref().expect("object")
    }

    fn observe_text(body: &str) -> Result<SchemaNode, BodyError> {
        let mut node = SchemaNode::default();
        observe_body(
            &mut node,
            body.as_bytes(),
            "application/json; charset=utf-8",
            &InferenceLimits::default(),
        )?;
        Ok(node)
    }

    #[test]
    fn infers_a_bank_accounts_list() {
        let node = observe_text(&accounts_body().to_string()).unwrap();
        let root = obj(&node);
        assert_eq!(root.count, 1);
        let accounts = node_at(&node, &["accounts"]).array.as_deref().unwrap();
        assert_eq!((accounts.count, accounts.min_items, accounts.max_items), (1, 2, 2));
        let account = &accounts.items;
        assert_eq!(obj(account).count, 2);
        assert!(obj(account).properties.values().all(|p| p.seen == 2), "every account field is required");

        let id = obj(account).properties["id"].string.as_ref().unwrap();
        assert_eq!(id.common_format(), Some(StringFormat::Uuid));
        let number = obj(account).properties["number"].string.as_ref().unwrap();
        assert_eq!(number.common_format(), Some(StringFormat::Digits));
        assert_eq!(number.examples, vec!["******5678", "******5432"]);

        let nickname = &obj(account).properties["nickname"];
        assert_eq!((nickname.null, nickname.string.as_ref().map(|s| s.count)), (1, Some(1)));

        let balance = &obj(account).properties["balance"];
        assert_eq!(balance.integer.as_ref().map(|n| (n.count, n.min)), Some((1, 1520.0)));
        assert_eq!(balance.number.as_ref().map(|n| (n.count, n.max)), Some((1, 20.75)));

        let email = node_at(account, &["owner", "email"]).string.as_ref().unwrap();
        assert_eq!(email.common_format(), Some(StringFormat::Email));
        assert_eq!(email.examples, vec!["j***@bank.example", "r***@bank.example"]);
        let status = obj(account).properties["status"].string.as_ref().unwrap();
        assert_eq!(status.examples, vec!["ACTIVE", "DORMANT"]);

        let tx = &obj(account).properties["transactions"].array.as_deref().unwrap();
        assert_eq!((tx.count, tx.min_items, tx.max_items), (2, 0, 2));
        assert_eq!(obj(&tx.items).count, 2);
        assert_eq!(obj(&tx.items).properties["ref"].seen, 1, "ref is optional");
        let booked = obj(&tx.items).properties["bookedAt"].string.as_ref().unwrap();
        assert_eq!(booked.common_format(), Some(StringFormat::DateTime));
        assert_eq!(node_at(&node, &["hasMore"]).boolean, 1);
    }

    fn node_at<'a>(mut node: &'a SchemaNode, path: &[&str]) -> &'a SchemaNode {
        for p in path {
            node = &obj(node).properties[*p];
        }
        node
    }

    #[test]
    fn streaming_and_value_inference_agree() {
        let value = accounts_body();
        let streamed = observe_text(&value.to_string()).unwrap();
        let mut walked = SchemaNode::default();
        observe_json(&mut walked, &value, &InferenceLimits::default());
        assert_eq!(streamed, walked);
    }

    #[test]
    fn integers_and_numbers_are_told_apart() {
        let node = observe_text("[1, 1.0, -3, 18446744073709551615, 2.5e3]").unwrap();
        let items = &node.array.as_ref().unwrap().items;
        let int = items.integer.as_ref().unwrap();
        assert_eq!((int.count, int.min), (3, -3.0));
        assert_eq!(items.number.as_ref().unwrap().count, 2);
    }

    #[test]
    fn presence_across_bodies_gives_required_properties() {
        let mut node = SchemaNode::default();
        let limits = InferenceLimits::default();
        for body in [r#"{"id":1,"memo":"rent"}"#, r#"{"id":2}"#, r#"{"id":3,"memo":null}"#] {
            observe_body(&mut node, body.as_bytes(), "application/json", &limits).unwrap();
        }
        let o = obj(&node);
        assert_eq!(o.count, 3);
        assert_eq!(o.properties["id"].seen, 3);
        assert_eq!(o.properties["memo"].seen, 2);
        assert_eq!(o.properties["memo"].null, 1);
    }

    #[test]
    fn examples_are_distinct_and_capped() {
        let node = observe_text(r#"["SGD","SGD","USD","HKD","INR","JPY"]"#).unwrap();
        let s = node.array.as_ref().unwrap().items.string.as_ref().unwrap();
        assert_eq!(s.examples, vec!["SGD", "USD", "HKD"], "currency codes are not personal");
        let node = observe_text(r#"["Tan","Lim","Jane Tan"]"#).unwrap();
        let s = node.array.as_ref().unwrap().items.string.as_ref().unwrap();
        assert_eq!(s.examples, vec!["****", "J******n"]);
        let node = observe_text(r#"["PENDING","PENDING","BOOKED","REVERSED","FAILED"]"#).unwrap();
        let s = node.array.as_ref().unwrap().items.string.as_ref().unwrap();
        assert_eq!(s.examples, vec!["PENDING", "BOOKED", "REVERSED"]);
        assert_eq!(s.count, 5);
    }

    #[test]
    fn duplicate_names_count_once_per_object() {
        let node = observe_text(r#"[{}, {"a": 1, "a": "x"}]"#).unwrap();
        let item = &node.array.as_ref().unwrap().items;
        let a = &obj(item).properties["a"];
        assert_eq!((a.seen, a.integer.is_some(), a.string.is_some()), (1, true, false));
    }

    #[test]
    fn deep_nesting_is_cut_at_the_depth_limit_without_error() {
        for (open, close) in [("[", "]"), (r#"{"a":"#, "}")] {
            let body = format!("{}1{}", open.repeat(100_000), close.repeat(100_000));
            let node = observe_text(&body).unwrap();
            assert!(depth_of(&node) <= InferenceLimits::default().max_depth + 1);
        }
    }

    fn depth_of(node: &SchemaNode) -> usize {
        let below = node
            .array
            .iter()
            .map(|a| depth_of(&a.items))
            .chain(node.object.iter().flat_map(|o| o.properties.values().map(depth_of)))
            .max()
            .unwrap_or(0);
        1 + below
    }

    #[test]
    fn huge_configured_depth_still_never_fails_half_way() {
        let limits = InferenceLimits { max_depth: 10_000, ..InferenceLimits::default() };
        let body = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
        let mut node = SchemaNode::default();
        observe_body(&mut node, body.as_bytes(), "application/json", &limits).unwrap();
        assert!(depth_of(&node) <= MAX_SUPPORTED_DEPTH + 1);
    }

    #[test]
    fn long_arrays_are_counted_but_only_partly_walked() {
        let body = format!("[{}0]", "1,".repeat(999_999));
        let node = observe_text(&body).unwrap();
        let arr = node.array.as_ref().unwrap();
        assert_eq!(arr.max_items, 1_000_000);
        assert_eq!(arr.items.seen, 64);
    }

    #[test]
    fn wide_objects_keep_a_bounded_number_of_properties() {
        let props: Vec<String> = (0..100_000).map(|i| format!("\"p{i}\":{i}")).collect();
        let body = format!("{{{}}}", props.join(","));
        let node = observe_text(&body).unwrap();
        let o = obj(&node);
        assert_eq!(o.properties.len(), 256);
        assert_eq!(o.truncated, 1);

        let long_name = format!(r#"{{"id":1,"{}":2}}"#, "k".repeat(MAX_NAME_LEN + 1));
        let node = observe_text(&long_name).unwrap();
        assert_eq!(obj(&node).properties.keys().collect::<Vec<_>>(), ["id"]);
        assert_eq!(obj(&node).truncated, 1);
    }

    #[test]
    fn malformed_bodies_are_errors_and_leave_the_node_untouched() {
        let limits = InferenceLimits::default();
        let mut node = SchemaNode::default();
        observe_body(&mut node, br#"{"id":1}"#, "application/json", &limits).unwrap();
        let before = node.clone();
        let bad: &[&[u8]] = &[
            b"{\"id\":2,\"name\":\"\xff\xfe\"}",
            &[0x89, b'P', b'N', b'G', 0, 0, 0, 13],
            br#"{"id":2,"name":"cut sh"#,
            br#"{"id":2} trailing"#,
            b"",
        ];
        for body in bad {
            let err = observe_body(&mut node, body, "application/json", &limits).unwrap_err();
            assert!(matches!(err, BodyError::InvalidUtf8 | BodyError::InvalidJson(_)), "{err}");
            assert_eq!(node, before);
        }
    }

    #[test]
    fn form_bodies_are_objects_of_typed_text_values() {
        let mut node = SchemaNode::default();
        let body = b"amount=250.00&currency=SGD&to=0012345678&memo=Rent+for+Dec%21&amount=1";
        observe_body(&mut node, body, "application/x-www-form-urlencoded", &InferenceLimits::default())
            .unwrap();
        let o = obj(&node);
        assert_eq!(o.properties["amount"].number.as_ref().map(|n| (n.count, n.max)), Some((1, 250.0)));
        assert_eq!(o.properties["amount"].seen, 1);
        assert_eq!(o.properties["to"].string.as_ref().unwrap().common_format(), Some(StringFormat::Digits));
        assert_eq!(o.properties["memo"].string.as_ref().unwrap().max_len, 13);
    }

    #[test]
    fn other_media_types_are_reported_unsupported() {
        let mut node = SchemaNode::default();
        let err = observe_body(
            &mut node,
            b"--x\r\n",
            "multipart/form-data; boundary=x",
            &InferenceLimits::default(),
        );
        assert!(matches!(err, Err(BodyError::Unsupported(m)) if m == "multipart/form-data"));
        assert!(node.is_empty());
    }

    #[test]
    fn text_values_are_typed_by_their_look() {
        let typed = |s: &str| {
            let mut node = SchemaNode::default();
            observe_text_value(&mut node, s);
            node
        };
        assert_eq!(typed("123").integer.as_ref().map(|n| n.min), Some(123.0));
        assert_eq!(typed("-7").integer.as_ref().map(|n| n.min), Some(-7.0));
        assert_eq!(typed("0").integer.as_ref().map(|n| n.min), Some(0.0));
        assert_eq!(typed("12.5").number.as_ref().map(|n| n.min), Some(12.5));
        assert_eq!(typed("true").boolean, 1);
        for digits in ["0012", "4111111111111111", "1234567890123456"] {
            let node = typed(digits);
            assert!(node.integer.is_none(), "{digits}");
            assert_eq!(node.string.as_ref().unwrap().common_format(), Some(StringFormat::Digits));
        }
        for s in ["1e5", "+1", "1.", ".5", "01.5", "NaN", "12abc"] {
            let node = typed(s);
            assert!(node.string.is_some() && node.integer.is_none() && node.number.is_none(), "{s}");
        }
        assert_eq!(typed("2026-11-29").string.as_ref().unwrap().common_format(), Some(StringFormat::Date));
    }
}
