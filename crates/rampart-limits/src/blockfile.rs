//! The block-file format: one entry per line, for operators and for scripts.
//!
//! ```text
//! # comments and blank lines are ignored
//! ip 203.0.113.7 until=2026-12-01T00:00:00Z reason="credential stuffing"
//! cidr 198.51.100.0/24 reason=abuse
//! identity user-4711 reason="account takeover" id=case-981
//! token 9f86d081884c7d659a2feaa0c55ad015 reason="leaked in paste"
//! allow 192.0.2.10 reason="health checks"
//! {"kind":"cidr","value":"2001:db8::/32","reason":"scanner","until":"2026-12-01T00:00:00Z"}
//! ```
//!
//! A line is `KIND VALUE [key=value]...` or one JSON object with the same keys plus `kind` and
//! `value`. Kinds: `ip` (an address, or a CIDR), `cidr`, `identity`, `token` (a hex fingerprint),
//! `allow` (an address or CIDR that is never blocked). Keys: `reason`, `until` and `created`
//! (RFC 3339), `id`. Values with spaces are double-quoted, with `\"` and `\\` escapes. Entries
//! whose `until` has passed are skipped silently; malformed lines are skipped and reported with
//! file and line number.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::blocklist::BlockTarget;

/// Longest line read; longer ones are reported, not parsed (nobody writes a 4 KiB block rule).
const MAX_LINE_LEN: usize = 4096;
/// Errors kept per file; the rest are only counted.
const MAX_ERRORS_KEPT: usize = 100;

/// One line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// An entry as read, before it gets its place in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEntry {
    pub target: BlockTarget,
    /// `allow` lines: the target is an IP or CIDR that is never blocked.
    pub allow: bool,
    pub reason: String,
    pub id: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub line: usize,
}

/// The outcome of reading one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedFile {
    pub entries: Vec<ParsedEntry>,
    /// Malformed lines, all counted.
    pub skipped: usize,
    /// Entries whose `until` had already passed.
    pub expired: usize,
    /// The first [`MAX_ERRORS_KEPT`] malformed lines.
    pub errors: Vec<LineError>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonLine {
    kind: String,
    value: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    id: Option<String>,
}

/// Parses a whole block file. `file` names it in errors; `now` drops entries already expired.
pub fn parse_block_file(text: &str, file: &str, now: DateTime<Utc>) -> ParsedFile {
    let mut parsed = ParsedFile::default();
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match parse_line(trimmed, line_number) {
            Ok(entry) => {
                if entry.expires_at.is_some_and(|until| until <= now) {
                    parsed.expired += 1;
                } else {
                    parsed.entries.push(entry);
                }
            }
            Err(message) => {
                parsed.skipped += 1;
                if parsed.errors.len() < MAX_ERRORS_KEPT {
                    parsed.errors.push(LineError { file: file.to_owned(), line: line_number, message });
                }
            }
        }
    }
    parsed
}

fn parse_line(line: &str, line_number: usize) -> Result<ParsedEntry, String> {
    if line.len() > MAX_LINE_LEN {
        return Err(format!("line longer than {MAX_LINE_LEN} bytes"));
    }
    if line.starts_with('{') {
        let json: JsonLine =
            serde_json::from_str(line).map_err(|error| format!("invalid JSON line: {error}"))?;
        return build_entry(
            &json.kind,
            &json.value,
            Fields { reason: json.reason, until: json.until, created: json.created, id: json.id },
            line_number,
        );
    }
    let mut tokens = Tokens { rest: line };
    let kind = tokens.next_token()?.ok_or_else(|| "missing kind".to_owned())?;
    let value = tokens.next_token()?.ok_or_else(|| format!("missing value after {kind:?}"))?;
    let mut fields = Fields::default();
    while let Some(token) = tokens.next_token()? {
        let Some((key, value)) = token.split_once('=') else {
            return Err(format!("expected key=value, found {:?}", truncate(&token)));
        };
        let slot = match key {
            "reason" => &mut fields.reason,
            "until" => &mut fields.until,
            "created" => &mut fields.created,
            "id" => &mut fields.id,
            other => return Err(format!("unknown key {:?}", truncate(other))),
        };
        if slot.is_some() {
            return Err(format!("key {key:?} given twice"));
        }
        *slot = Some(value.to_owned());
    }
    build_entry(&kind, &value, fields, line_number)
}

#[derive(Default)]
struct Fields {
    reason: Option<String>,
    until: Option<String>,
    created: Option<String>,
    id: Option<String>,
}

fn build_entry(kind: &str, value: &str, fields: Fields, line_number: usize) -> Result<ParsedEntry, String> {
    let allow = kind == "allow";
    let target = if allow {
        let target = BlockTarget::parse("ip", value)?;
        if !matches!(target, BlockTarget::Ip(_) | BlockTarget::Cidr(_)) {
            return Err("allow takes an IP address or CIDR".to_owned());
        }
        target
    } else {
        BlockTarget::parse(kind, value)?
    };
    let parse_time = |name: &str, text: Option<String>| -> Result<Option<DateTime<Utc>>, String> {
        text.map(|text| {
            DateTime::parse_from_rfc3339(&text)
                .map(|time| time.with_timezone(&Utc))
                .map_err(|error| format!("{name}: not an RFC 3339 time ({error})"))
        })
        .transpose()
    };
    Ok(ParsedEntry {
        target,
        allow,
        reason: fields.reason.unwrap_or_default(),
        id: fields.id,
        created: parse_time("created", fields.created)?,
        expires_at: parse_time("until", fields.until)?,
        line: line_number,
    })
}

fn truncate(text: &str) -> &str {
    let mut end = text.len().min(40);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Splits on whitespace; `"..."` (anywhere in a token, typically after `key=`) groups spaces.
struct Tokens<'a> {
    rest: &'a str,
}

impl Tokens<'_> {
    fn next_token(&mut self) -> Result<Option<String>, String> {
        self.rest = self.rest.trim_start();
        if self.rest.is_empty() {
            return Ok(None);
        }
        let mut token = String::new();
        let mut chars = self.rest.char_indices();
        let mut in_quotes = false;
        let mut end = self.rest.len();
        while let Some((index, ch)) = chars.next() {
            match ch {
                '"' => in_quotes = !in_quotes,
                '\\' if in_quotes => match chars.next() {
                    Some((_, escaped @ ('"' | '\\'))) => token.push(escaped),
                    Some((_, other)) => return Err(format!("unknown escape \\{other}")),
                    None => return Err("line ends inside an escape".to_owned()),
                },
                ch if ch.is_whitespace() && !in_quotes => {
                    end = index;
                    break;
                }
                ch => token.push(ch),
            }
        }
        if in_quotes {
            return Err("unterminated quote".to_owned());
        }
        self.rest = &self.rest[end..];
        Ok(Some(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-06-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn reads_every_kind_and_both_syntaxes() {
        let text = r#"
# header
ip 203.0.113.7 until=2026-12-01T00:00:00Z reason="credential stuffing"
cidr 198.51.100.0/24 reason=abuse
ip 2001:db8::/48
identity user-4711 reason="account \"takeover\"" id=case-981
token 9F86D081884C7D65 reason="leaked"
allow 192.0.2.10 reason="health checks"
{"kind":"cidr","value":"2001:db8::/32","reason":"scanner","until":"2026-12-01T00:00:00Z"}
"#;
        let parsed = parse_block_file(text, "blocked.txt", now());
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.entries.len(), 7);
        let first = &parsed.entries[0];
        assert_eq!(first.target, BlockTarget::Ip("203.0.113.7".parse().unwrap()));
        assert_eq!(first.reason, "credential stuffing");
        assert_eq!(first.line, 3);
        assert_eq!(first.expires_at, Some("2026-12-01T00:00:00Z".parse().unwrap()));
        assert_eq!(parsed.entries[2].target, BlockTarget::Cidr("2001:db8::/48".parse().unwrap()));
        assert_eq!(parsed.entries[3].reason, "account \"takeover\"");
        assert_eq!(parsed.entries[3].id.as_deref(), Some("case-981"));
        assert_eq!(parsed.entries[4].target, BlockTarget::TokenFingerprint("9f86d081884c7d65".into()));
        assert!(parsed.entries[5].allow);
        assert_eq!(parsed.entries[6].reason, "scanner");
    }

    #[test]
    fn bad_lines_are_skipped_counted_and_located() {
        let text = "ip 203.0.113.7\nip 999.1.1.1\ncidr 10.0.0.0/33\nfrob x\nip 1.2.3.4 colour=red\nip 1.2.3.4 reason=\"open\ntoken xyz\nidentity alice until=tomorrow\nip 192.0.2.1 until=2020-01-01T00:00:00Z\n";
        let parsed = parse_block_file(text, "/etc/rampart/blocked.txt", now());
        assert_eq!(parsed.entries.len(), 1);
        assert_eq!(parsed.expired, 1);
        assert_eq!(parsed.skipped, 7);
        let lines: Vec<usize> = parsed.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7, 8]);
        assert!(
            parsed.errors[0].to_string().starts_with("/etc/rampart/blocked.txt:2: "),
            "{}",
            parsed.errors[0]
        );
    }
}
