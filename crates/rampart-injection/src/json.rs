//! Streaming walk of a JSON body: every string value and member name is judged where it is
//! parsed, with its JSON pointer kept as a stack of borrowed segments. Nothing is built.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::{Location, Scan};

enum Segment<'de> {
    Member(Cow<'de, str>),
    Index(usize),
}

struct Walk<'s, 'a, 'de> {
    scan: &'s mut Scan<'a>,
    pointer: Vec<Segment<'de>>,
    max_depth: usize,
}

fn pointer_text(pointer: &[Segment<'_>]) -> String {
    let mut text = String::new();
    for segment in pointer {
        text.push('/');
        match segment {
            Segment::Member(name) => {
                for ch in name.chars() {
                    match ch {
                        '~' => text.push_str("~0"),
                        '/' => text.push_str("~1"),
                        ch => text.push(ch),
                    }
                }
            }
            Segment::Index(index) => {
                let _ = write!(text, "{index}");
            }
        }
    }
    text
}

impl Walk<'_, '_, '_> {
    fn check_string(&mut self, value: &str) {
        let pointer = &self.pointer;
        let location = || Location::JsonBody(pointer_text(pointer));
        // Some clients URL-encode inside JSON; the application may decode it.
        if crate::decode::has_escape(value.as_bytes()) {
            self.scan.check_encoded(value.as_bytes(), false, location);
        } else {
            self.scan.check_value(value.as_bytes(), location);
        }
    }
}

/// One JSON value at the current pointer.
struct Node<'w, 's, 'a, 'de> {
    walk: &'w mut Walk<'s, 'a, 'de>,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_, '_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.walk.pointer.len() > self.walk.max_depth {
            deserializer.deserialize_ignored_any(IgnoredAny)?;
            return Ok(());
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, value: &str) -> Result<(), E> {
        self.walk.check_string(value);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        loop {
            self.walk.pointer.push(Segment::Index(index));
            let more = seq.next_element_seed(Node { walk: self.walk })?;
            self.walk.pointer.pop();
            if more.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(name) = map.next_key_seed(MemberName)? {
            self.walk.pointer.push(Segment::Member(name));
            // Attack strings go into member names too when apps echo keys into SQL or HTML.
            if let Some(Segment::Member(name)) = self.walk.pointer.last() {
                let name = name.clone();
                self.walk.check_string(&name);
            }
            map.next_value_seed(Node { walk: self.walk })?;
            self.walk.pointer.pop();
        }
        Ok(())
    }
}

/// A member name, borrowed from the body unless it had escapes.
struct MemberName;

impl<'de> DeserializeSeed<'de> for MemberName {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for MemberName {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(value))
    }
    fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value.to_owned()))
    }
}

/// Walks `body`, judging strings as it goes. Hits found before a syntax error are kept.
pub(crate) fn walk(scan: &mut Scan<'_>, body: &[u8], max_depth: usize) -> Result<(), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let mut walk = Walk { scan, pointer: Vec::new(), max_depth };
    Node { walk: &mut walk }.deserialize(&mut deserializer)?;
    deserializer.end()
}

#[cfg(test)]
mod tests {
    use crate::{InjectionConfig, InjectionKind, Inspector, Location};
    use http::{HeaderMap, Method};

    fn body_hits(body: &str) -> Vec<(InjectionKind, Location)> {
        let inspector = Inspector::new(InjectionConfig::default()).unwrap();
        inspector
            .inspect(&Method::POST, "/payments", &HeaderMap::new(), Some("application/json"), body.as_bytes())
            .into_iter()
            .map(|hit| (hit.kind, hit.location))
            .collect()
    }

    #[test]
    fn hits_carry_json_pointers_with_escapes() {
        let hits = body_hits(
            r#"{"payee":{"name":"Acme","refs":["ok","1' OR '1'='1"]},"a/b~c":"<script>alert(1)</script>"}"#,
        );
        assert_eq!(
            hits,
            vec![
                (InjectionKind::Sqli, Location::JsonBody("/payee/refs/1".into())),
                (InjectionKind::Xss, Location::JsonBody("/a~1b~0c".into())),
            ]
        );
    }

    #[test]
    fn member_names_and_escaped_strings_are_judged() {
        let hits = body_hits(
            r#"{"<img src=x onerror=alert(1)>":1,"n":"\u003cscript\u003ealert(1)\u003c/script\u003e"}"#,
        );
        assert_eq!(hits.len(), 2, "{hits:?}");
    }

    #[test]
    fn deep_nesting_is_skipped_not_recursed() {
        let deep = format!("{}\"1' OR '1'='1\"{}", "[".repeat(100), "]".repeat(100));
        assert!(body_hits(&deep).is_empty());
        let shallow = format!("{}\"1' OR '1'='1\"{}", "[".repeat(5), "]".repeat(5));
        assert_eq!(body_hits(&shallow).len(), 1);
    }

    #[test]
    fn invalid_json_falls_back_to_the_raw_body() {
        let hits = body_hits("{\"q\": \"1' UNION SELECT password FROM users--\"");
        assert!(hits.iter().any(|(kind, _)| *kind == InjectionKind::Sqli), "{hits:?}");
    }
}
