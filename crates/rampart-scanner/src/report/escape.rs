//! Escaping for each output: XML 1.0 text and attributes, HTML, and text bound for a terminal.
//! Report strings come partly from the target, so nothing is trusted: characters a format
//! cannot carry are replaced, never passed through.

use std::fmt::Write as _;

/// Stands for a character the output cannot carry.
const REPLACEMENT: char = '\u{FFFD}';

/// Whether XML 1.0 allows `c` in a document at all (§2.2 `Char`). Rust `char`s are never
/// surrogates, so what remains forbidden is the C0 controls but tab, LF and CR, and U+FFFE/U+FFFF.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// XML character data: `&`, `<`, `>` escaped (so `]]>` cannot appear), CR kept as `&#13;`
/// (parsers would turn a raw one into LF), forbidden characters replaced by U+FFFD.
pub(crate) fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push(REPLACEMENT),
        }
    }
    out
}

/// An XML attribute value (to be put between double quotes): as [`xml_text`], plus quotes, and
/// tab, LF and CR as character references, which attribute-value normalisation leaves alone.
pub(crate) fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push(REPLACEMENT),
        }
    }
    out
}

/// Whether HTML wants `c` kept out of a document: controls but ASCII whitespace, and
/// noncharacters (parse errors, and invisible or confusing where a browser does show them).
fn html_unwanted(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0C}')) || is_noncharacter(c)
}

/// The Unicode noncharacters (U+FDD0–U+FDEF, and U+xFFFE / U+xFFFF of every plane).
fn is_noncharacter(c: char) -> bool {
    let code = c as u32;
    (0xFDD0..=0xFDEF).contains(&code) || (code & 0xFFFE) == 0xFFFE
}

/// HTML text or a double- or single-quoted attribute value: `&`, `<`, `>`, `"` and `'`
/// escaped; controls, noncharacters and bidirectional formatting characters shown as
/// `\u{1b}`, `\u{202e}`: a reviewer sees what the target sent, in the order it was sent.
pub(crate) fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if html_unwanted(c) || is_bidi_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The bidirectional embeddings, overrides and isolates, which can make a terminal or a browser
/// show text in another order than it is ("Trojan Source"). The marks (LRM, RLM, ALM) stay:
/// right-to-left text uses them and they reorder nothing on their own.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text for a terminal, on one line: line breaks and tabs become spaces, runs of whitespace
/// one space; controls (an ESC would start an escape sequence) and bidirectional formatting
/// characters are shown as `\u{1b}`, so that the target cannot drive the reader's terminal.
pub(crate) fn terminal_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = false;
    for c in s.chars() {
        if c.is_whitespace() && (c.is_ascii() || !c.is_control()) {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        if c.is_control() || is_bidi_control(c) || is_noncharacter(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// The first `max` characters of [`terminal_line`] of `s`, trimmed, with `…` when cut.
pub(crate) fn excerpt(s: &str, max: usize) -> String {
    let line = terminal_line(s);
    let line = line.trim();
    match line.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", line[..cut].trim_end()),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_escapes_markup_and_replaces_forbidden_characters() {
        assert_eq!(xml_text("a<b>&c]]>"), "a&lt;b&gt;&amp;c]]&gt;");
        assert_eq!(xml_text("\u{0}\u{1b}[31m\u{FFFE}x\ty\r\nz"), "\u{FFFD}\u{FFFD}[31m\u{FFFD}x\ty&#13;\nz");
        assert_eq!(xml_text("émoji 🦀 \u{85}"), "émoji 🦀 \u{85}");
    }

    #[test]
    fn xml_attributes_keep_quotes_and_whitespace() {
        assert_eq!(xml_attr("say \"hi\" & 'bye'"), "say &quot;hi&quot; &amp; &apos;bye&apos;");
        assert_eq!(xml_attr("a\tb\nc\rd\u{7}"), "a&#9;b&#10;c&#13;d\u{FFFD}");
    }

    #[test]
    fn html_escapes_markup_quotes_and_controls() {
        assert_eq!(
            html("<script>alert('x&y')</script>"),
            "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(html("a\u{202E}b"), "a\\u{202e}b");
        assert_eq!(
            html("\"q\"\u{0}\u{9b}\u{FDD0}\u{1FFFF}\n"),
            "&quot;q&quot;\\u{0}\\u{9b}\\u{fdd0}\\u{1ffff}\n"
        );
    }

    #[test]
    fn terminal_lines_neutralise_escape_sequences_and_bidi_controls() {
        assert_eq!(terminal_line("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(terminal_line("x\r\n\t  y\u{202E}z\u{9b}"), "x y\\u{202e}z\\u{9b}");
        assert_eq!(terminal_line("café ✓ \u{FFFE}"), "café ✓ \\u{fffe}");
    }

    #[test]
    fn excerpts_cut_on_characters_not_bytes() {
        assert_eq!(excerpt("  {\"a\":\n  1}  ", 50), "{\"a\": 1}");
        assert_eq!(excerpt("ééééé", 3), "ééé…");
        assert_eq!(excerpt("abc", 3), "abc");
    }
}
