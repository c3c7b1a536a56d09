//! A JSON walker made for scanning: one pass over the bytes, no tree built, strings borrowed
//! unless they hold escapes, an explicit stack (so depth costs memory, never the call stack)
//! with a depth limit, and JSON pointer templates built only when something is found.

use std::borrow::Cow;

use crate::field_names::{KeyInfo, NameHint, key_info};

/// Why a document could not be scanned to its end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("JSON nested deeper than {limit} levels at byte {offset}")]
    TooDeep { limit: usize, offset: usize },
    #[error("malformed JSON at byte {offset}: {reason}")]
    Syntax { offset: usize, reason: &'static str },
}

/// An object's keys in order, each with what it says.
type KeyList = Vec<(String, KeyInfo)>;

/// One level of the path to the current value.
#[derive(Debug, Default)]
pub(crate) struct Frame {
    pub is_array: bool,
    /// The current key (objects only), when it is not the one remembered at its position in
    /// `previous_keys` (see [`Frame::key`]); reused between members to avoid allocations.
    key: String,
    /// The current key is `previous_keys[active_keys]`'s entry at this position: most keys
    /// repeat the previous object's, and are then not copied.
    remembered_key: Option<usize>,
    /// What the current key says.
    pub info: KeyInfo,
    /// `"type": "service_account"` and `"private_key"` seen in this object.
    pub service_account_type: bool,
    pub has_private_key: bool,
    /// Members read so far in this object.
    member: usize,
    /// The keys (and their hints) of the last objects seen at this depth, by member position,
    /// one list per member of the parent that held them (`amount` and `merchant` objects of each
    /// record alternate at the same depth): arrays of records repeat the same keys in the same
    /// order, so a byte comparison usually replaces reading the name again.
    previous_keys: Vec<(usize, KeyList)>,
    /// Which of `previous_keys` this object uses.
    active_keys: usize,
}

impl Frame {
    /// The current key (empty in arrays and before an object's first key).
    pub fn key(&self) -> &str {
        match self.remembered_key {
            Some(member) => self
                .previous_keys
                .get(self.active_keys)
                .and_then(|(_, keys)| keys.get(member))
                .map_or("", |(key, _)| key.as_str()),
            None => &self.key,
        }
    }
}

/// What the walker reports.
pub(crate) trait Visitor {
    /// A string or number; `frames` is the path to it.
    /// A string or number; `frames` is the path to it, `raw` the bytes of its token in the
    /// document (a string's with its quotes), for editing it in place.
    fn scalar(&mut self, frames: &[Frame], value: &str, raw: std::ops::Range<usize>);
    /// An object opened (its frame is the last of `frames`, before its first key).
    fn object_start(&mut self, _frames: &[Frame]) {}
    /// An object closed (its frame is still the last of `frames`).
    fn object_end(&mut self, frames: &[Frame]);
    /// What an object key says (called once per key not seen at the same position of the
    /// previous object at that depth).
    fn key_info(&mut self, key: &str) -> KeyInfo {
        key_info(key)
    }
}

/// The pointer template of the current position: object keys escaped per RFC 6901, array
/// indexes as `*`.
pub(crate) fn pointer(frames: &[Frame]) -> String {
    let capacity = frames.iter().map(|frame| frame.key().len() + 2).sum();
    let mut pointer = String::with_capacity(capacity);
    for frame in frames {
        pointer.push('/');
        if frame.is_array {
            pointer.push('*');
        } else {
            push_escaped(&mut pointer, frame.key());
        }
    }
    pointer
}

/// The pointer template of member `key` of the object whose frame is the last of `frames`
/// (that frame's own key may since have moved on).
pub(crate) fn member_pointer(frames: &[Frame], key: &str) -> String {
    let mut pointer = pointer(frames.split_last().map_or(frames, |(_, parents)| parents));
    pointer.push('/');
    push_escaped(&mut pointer, key);
    pointer
}

fn push_escaped(pointer: &mut String, key: &str) {
    if !key.bytes().any(|b| b == b'~' || b == b'/') {
        pointer.push_str(key);
        return;
    }
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// What the nearest enclosing list's name says about the records in it (`cards[*].number`),
/// for the object whose frame is the last of `frames`.
pub(crate) fn enclosing_list_hint(frames: &[Frame]) -> Option<NameHint> {
    let parents = frames.split_last()?.1;
    let list = parents.iter().rposition(|f| f.is_array)?;
    parents[..list].iter().rev().find(|f| !f.is_array)?.info.as_list
}

/// The name of the field holding the current value: the nearest object key (elements of an
/// array take the array's name).
pub(crate) fn field(frames: &[Frame]) -> Option<(&str, KeyInfo)> {
    frames.iter().rev().find(|f| !f.is_array).map(|f| (f.key(), f.info))
}

/// Keys remembered per depth for the next object at that depth.
const MAX_REMEMBERED_MEMBERS: usize = 64;
/// Key lists remembered per depth (one per member of the parent holding an object).
const MAX_KEY_LISTS: usize = 8;

struct Walker<'a> {
    bytes: &'a [u8],
    /// The whole document, when it is valid UTF-8 (checked once, far faster than per string).
    text: Option<&'a str>,
    pos: usize,
    frames: Vec<Frame>,
    /// Frames beyond `depth` are kept (for reuse of their key buffers) but not live.
    depth: usize,
    max_depth: usize,
}

/// Keys longer than this are not remembered between objects (nor kept between documents).
const MAX_REMEMBERED_KEY_LEN: usize = 128;
/// Frames kept between documents, with the keys they remember.
const MAX_KEPT_FRAMES: usize = 32;

thread_local! {
    /// The last document's frames: their remembered keys let the next document of the same
    /// shape skip reading its names, and their buffers are reused.
    static KEPT_FRAMES: std::cell::RefCell<Vec<Frame>> = const { std::cell::RefCell::new(Vec::new()) };
}

pub(crate) fn walk(json: &[u8], max_depth: usize, visitor: &mut impl Visitor) -> Result<(), ScanError> {
    let text = std::str::from_utf8(json).ok();
    let frames = KEPT_FRAMES.with(|kept| kept.try_borrow_mut().map(|mut kept| std::mem::take(&mut *kept)));
    let frames = frames.unwrap_or_default();
    let mut walker = Walker { bytes: json, text, pos: 0, frames, depth: 0, max_depth };
    let result = walker.run(visitor);
    let mut frames = walker.frames;
    frames.truncate(MAX_KEPT_FRAMES);
    KEPT_FRAMES.with(|kept| {
        if let Ok(mut kept) = kept.try_borrow_mut() {
            *kept = frames;
        }
    });
    result
}

impl<'a> Walker<'a> {
    fn error(&self, reason: &'static str) -> ScanError {
        ScanError::Syntax { offset: self.pos, reason }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.pos).copied()
    }

    fn push_frame(&mut self, is_array: bool) -> Result<(), ScanError> {
        if self.depth >= self.max_depth {
            return Err(ScanError::TooDeep { limit: self.max_depth, offset: self.pos });
        }
        if self.frames.len() == self.depth {
            self.frames.push(Frame::default());
        }
        let parent_member = self.depth.checked_sub(1).map_or(0, |parent| {
            let parent = &self.frames[parent];
            if parent.is_array { usize::MAX } else { parent.member }
        });
        let frame = &mut self.frames[self.depth];
        if !is_array {
            frame.active_keys =
                match frame.previous_keys.iter().position(|(member, _)| *member == parent_member) {
                    Some(index) => index,
                    None if frame.previous_keys.len() < MAX_KEY_LISTS => {
                        frame.previous_keys.push((parent_member, Vec::new()));
                        frame.previous_keys.len() - 1
                    }
                    None => {
                        let index = parent_member % MAX_KEY_LISTS;
                        frame.previous_keys[index].0 = parent_member;
                        frame.previous_keys[index].1.clear();
                        index
                    }
                };
        }
        frame.is_array = is_array;
        frame.key.clear();
        frame.remembered_key = None;
        frame.info = KeyInfo::default();
        frame.service_account_type = false;
        frame.has_private_key = false;
        frame.member = 0;
        self.depth += 1;
        Ok(())
    }

    fn run(&mut self, visitor: &mut impl Visitor) -> Result<(), ScanError> {
        'value: loop {
            match self.peek() {
                Some(b'{') => {
                    self.pos += 1;
                    self.push_frame(false)?;
                    visitor.object_start(&self.frames[..self.depth]);
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        visitor.object_end(&self.frames[..self.depth]);
                        self.depth -= 1;
                    } else {
                        self.read_key(visitor)?;
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.push_frame(true)?;
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        self.depth -= 1;
                    } else {
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let token_start = self.pos;
                    let value = self.read_string()?;
                    let raw = token_start..self.pos;
                    let value: &str = &value;
                    if let Some(frame) = self.depth.checked_sub(1).map(|d| &self.frames[d])
                        && !frame.is_array
                    {
                        let (key, value_is_type) = (frame.key(), value == "service_account");
                        let marks = (key == "type" && value_is_type, key == "private_key");
                        if marks.0 || marks.1 {
                            let frame = &mut self.frames[self.depth - 1];
                            frame.service_account_type |= marks.0;
                            frame.has_private_key |= marks.1;
                        }
                    }
                    visitor.scalar(&self.frames[..self.depth], value, raw);
                }
                Some(b'-' | b'0'..=b'9') => {
                    let start = self.pos;
                    while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.bytes.get(self.pos)
                    {
                        self.pos += 1;
                    }
                    let number = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or_default();
                    visitor.scalar(&self.frames[..self.depth], number, start..self.pos);
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                Some(_) => return Err(self.error("expected a value")),
                None => return Err(self.error("unexpected end of input")),
            }
            // After a value: close containers or move to the next member.
            loop {
                if self.depth == 0 {
                    return match self.peek() {
                        None => Ok(()),
                        Some(_) => Err(self.error("trailing characters after the document")),
                    };
                }
                let in_array = self.frames[self.depth - 1].is_array;
                match (self.peek(), in_array) {
                    (Some(b','), false) => {
                        self.pos += 1;
                        self.read_key(visitor)?;
                        continue 'value;
                    }
                    (Some(b','), true) => {
                        self.pos += 1;
                        continue 'value;
                    }
                    (Some(b'}'), false) => {
                        self.pos += 1;
                        visitor.object_end(&self.frames[..self.depth]);
                        self.depth -= 1;
                    }
                    (Some(b']'), true) => {
                        self.pos += 1;
                        self.depth -= 1;
                    }
                    _ => return Err(self.error("expected `,` or the end of the container")),
                }
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), ScanError> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn read_key(&mut self, visitor: &mut impl Visitor) -> Result<(), ScanError> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a key"));
        }
        let frame = &mut self.frames[self.depth - 1];
        let member = frame.member;
        frame.member += 1;
        // Records repeat their keys in the same order: when the bytes here are the key at the
        // same position of the previous object, nothing needs reading. Only keys read as they
        // stand (no escapes, valid UTF-8) are remembered, so their bytes are the document's.
        if let Some((_, previous_keys)) = frame.previous_keys.get(frame.active_keys)
            && let Some((previous, info)) = previous_keys.get(member)
        {
            let start = self.pos + 1;
            let end = start + previous.len();
            if self.bytes.get(start..end) == Some(previous.as_bytes()) && self.bytes.get(end) == Some(&b'"') {
                frame.remembered_key = Some(member);
                frame.info = *info;
                self.pos = end + 1;
                return self.colon();
            }
        }
        let key = self.read_string()?;
        let remember = matches!(key, Cow::Borrowed(_)) && key.len() <= MAX_REMEMBERED_KEY_LEN;
        let frame = &mut self.frames[self.depth - 1];
        let Some((_, previous_keys)) = frame.previous_keys.get_mut(frame.active_keys) else {
            return Err(self.error("internal: no key list for this object"));
        };
        frame.remembered_key = Some(member);
        frame.info = match previous_keys.get_mut(member) {
            Some((previous, info)) if remember => {
                *info = visitor.key_info(&key);
                previous.clear();
                previous.push_str(&key);
                *info
            }
            // Bounded: a hostile object with a million keys must not keep a million copies.
            None if remember && member < MAX_REMEMBERED_MEMBERS => {
                let info = visitor.key_info(&key);
                previous_keys.push((key.clone().into_owned(), info));
                info
            }
            _ => {
                frame.remembered_key = None;
                frame.key.clear();
                frame.key.push_str(&key);
                visitor.key_info(&key)
            }
        };
        self.colon()
    }

    fn colon(&mut self) -> Result<(), ScanError> {
        if self.peek() != Some(b':') {
            return Err(self.error("expected `:`"));
        }
        self.pos += 1;
        Ok(())
    }

    /// Reads a string starting at its opening quote. Invalid UTF-8 is replaced (U+FFFD) rather
    /// than rejected: a scanner must still see the rest of the value.
    fn read_string(&mut self) -> Result<Cow<'a, str>, ScanError> {
        self.pos += 1;
        let start = self.pos;
        let rest = &self.bytes[start..];
        let Some(stop) = find_quote_or_backslash(rest) else {
            return Err(self.error("unterminated string"));
        };
        if rest[stop] == b'"' {
            self.pos = start + stop + 1;
            let bytes: &'a [u8] = self.bytes;
            let raw = &bytes[start..start + stop];
            if let Some(value) = self.text.and_then(|text| text.get(start..start + stop)) {
                return Ok(Cow::Borrowed(value));
            }
            // The strict check is much faster than the lossy one on valid text (nearly all).
            return Ok(match std::str::from_utf8(raw) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(raw),
            });
        }
        // Escapes: decode into a new buffer (rare in the values that matter).
        let mut raw: Vec<u8> = Vec::with_capacity(stop + 16);
        let mut i = start;
        loop {
            let Some(&b) = self.bytes.get(i) else {
                self.pos = i;
                return Err(self.error("unterminated string"));
            };
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(&escaped) = self.bytes.get(i + 1) else {
                        self.pos = i;
                        return Err(self.error("unterminated escape"));
                    };
                    i += 2;
                    match escaped {
                        b'n' => raw.push(b'\n'),
                        b't' => raw.push(b'\t'),
                        b'r' => raw.push(b'\r'),
                        b'b' => raw.push(0x08),
                        b'f' => raw.push(0x0c),
                        b'u' => {
                            let (c, used) = self.unicode_escape(i);
                            i += used;
                            let mut utf8 = [0u8; 4];
                            raw.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                        }
                        other => raw.push(other),
                    }
                }
                _ => {
                    raw.push(b);
                    i += 1;
                }
            }
        }
        self.pos = i + 1;
        Ok(Cow::Owned(String::from_utf8_lossy(&raw).into_owned()))
    }

    /// Decodes `XXXX` (and a following `\uXXXX` low surrogate) at `at`; bad escapes become
    /// U+FFFD. Returns the character and the bytes consumed.
    fn unicode_escape(&self, at: usize) -> (char, usize) {
        let hex = |from: usize| {
            self.bytes
                .get(from..from + 4)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u32::from_str_radix(h, 16).ok())
        };
        let Some(high) = hex(at) else { return (char::REPLACEMENT_CHARACTER, 0) };
        if (0xD800..0xDC00).contains(&high)
            && self.bytes.get(at + 4..at + 6) == Some(b"\\u")
            && let Some(low) = hex(at + 6)
            && (0xDC00..0xE000).contains(&low)
        {
            let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
            return (c.unwrap_or(char::REPLACEMENT_CHARACTER), 10);
        }
        (char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER), 4)
    }
}

/// The first `"` or `\\` in `bytes`. Keys and most values are short: a plain loop over their
/// first bytes beats setting up a vectorised search, which takes over for long strings.
fn find_quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    const SHORT: usize = 24;
    let head = &bytes[..bytes.len().min(SHORT)];
    if let Some(stop) = head.iter().position(|&b| b == b'"' || b == b'\\') {
        return Some(stop);
    }
    if bytes.len() <= SHORT {
        return None;
    }
    memchr::memchr2(b'"', b'\\', &bytes[SHORT..]).map(|stop| stop + SHORT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect(Vec<(String, String)>);

    impl Visitor for Collect {
        fn scalar(&mut self, frames: &[Frame], value: &str, _raw: std::ops::Range<usize>) {
            self.0.push((pointer(frames), value.to_owned()));
        }
        fn object_end(&mut self, _frames: &[Frame]) {}
    }

    fn walked(json: &str) -> Result<Vec<(String, String)>, ScanError> {
        let mut collect = Collect::default();
        walk(json.as_bytes(), 64, &mut collect).map(|()| collect.0)
    }

    #[test]
    fn pointers_are_templates_with_escaped_keys() {
        let found =
            walked(r#"{"accounts":[{"owner":{"nric":"S1234567D"}},{"a/b~c":12}],"x":[[1]]}"#).unwrap();
        assert_eq!(
            found,
            vec![
                ("/accounts/*/owner/nric".to_owned(), "S1234567D".to_owned()),
                ("/accounts/*/a~1b~0c".to_owned(), "12".to_owned()),
                ("/x/*/*".to_owned(), "1".to_owned()),
            ]
        );
    }

    #[test]
    fn keys_repeated_from_the_previous_record_are_read_exactly() {
        // The second record spells `nric` with an escape, the third has a longer key starting
        // like the remembered one: neither may be taken for the remembered key's bytes.
        let found = walked(
            r#"[{"nric":"a","x\u0079":"b"},{"n\u0072ic":"c","xy":"d"},{"nric2":"e","xy":"f"},{"nric":"g"}]"#,
        )
        .unwrap();
        let pointers: Vec<&str> = found.iter().map(|(pointer, _)| pointer.as_str()).collect();
        assert_eq!(pointers, ["/*/nric", "/*/xy", "/*/nric", "/*/xy", "/*/nric2", "/*/xy", "/*/nric"]);
    }

    #[test]
    fn escapes_are_decoded() {
        let found = walked(r#"{"k\u0065y":"a\"b\\c\u00e9\ud83d\ude00"}"#).unwrap();
        assert_eq!(found, vec![("/key".to_owned(), "a\"b\\cé😀".to_owned())]);
    }

    #[test]
    fn malformed_and_deep_documents_are_errors_not_panics() {
        assert!(matches!(walked(r#"{"a":}"#), Err(ScanError::Syntax { .. })));
        assert!(matches!(walked(r#"{"a":"x"#), Err(ScanError::Syntax { .. })));
        assert!(matches!(walked("[1,2"), Err(ScanError::Syntax { .. })));
        assert!(matches!(walked("{} x"), Err(ScanError::Syntax { .. })));
        assert!(matches!(walked(&"[".repeat(100)), Err(ScanError::TooDeep { limit: 64, .. })));
        assert!(walked("[]").unwrap().is_empty());
        assert_eq!(walked(" 42 ").unwrap(), vec![(String::new(), "42".to_owned())]);
    }
}
