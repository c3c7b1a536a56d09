//! Turning parameter text (path segments, query values, headers, form fields) into typed JSON
//! values so that one compiled schema validator can check them.
//!
//! Text that does not parse as the declared type is kept as a JSON string: the validator then
//! reports a type error, which is the violation we want, without a second error path here.

use std::borrow::Cow;

use serde_json::Value;

/// How to read parameter text, derived once from the parameter's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Coerce {
    String,
    Integer,
    Number,
    Boolean,
    Array(Box<Coerce>),
    /// Objects (deepObject) and schemas without a type: the text is checked as a string.
    Other,
}

impl Coerce {
    pub(crate) fn from_schema(schema: &Value) -> Self {
        let primary = match schema.get("type") {
            Some(Value::String(t)) => Some(t.as_str()),
            Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
            _ => None,
        };
        match primary {
            Some("string") => Self::String,
            Some("integer") => Self::Integer,
            Some("number") => Self::Number,
            Some("boolean") => Self::Boolean,
            Some("array") => {
                let items = schema.get("items").map_or(Self::Other, Self::from_schema);
                Self::Array(Box::new(items))
            }
            _ => Self::Other,
        }
    }

    /// One text value as JSON.
    pub(crate) fn scalar(&self, text: &str) -> Value {
        match self {
            Self::Integer => {
                if let Ok(i) = text.parse::<i64>() {
                    return Value::from(i);
                }
                if let Ok(u) = text.parse::<u64>() {
                    return Value::from(u);
                }
            }
            Self::Number => {
                if let Ok(i) = text.parse::<i64>() {
                    return Value::from(i);
                }
                if let Some(n) = text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                    return Value::Number(n);
                }
            }
            Self::Boolean => match text {
                "true" => return Value::Bool(true),
                "false" => return Value::Bool(false),
                _ => {}
            },
            Self::Array(items) => return Value::Array(split_list(text).map(|t| items.scalar(t)).collect()),
            Self::String | Self::Other => {}
        }
        Value::String(text.to_owned())
    }

    /// All occurrences of a parameter as JSON: arrays take every occurrence (form, explode) or
    /// a comma-separated single one (explode=false); scalars take the first.
    pub(crate) fn values(&self, texts: &[Cow<'_, str>]) -> Value {
        match self {
            Self::Array(_) if texts.len() == 1 => self.scalar(&texts[0]),
            Self::Array(items) => Value::Array(texts.iter().map(|t| items.scalar(t)).collect()),
            _ => texts.first().map_or(Value::Null, |t| self.scalar(t)),
        }
    }
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').filter(|t| !t.is_empty())
}

/// Percent-decode one path segment or cookie value (not `+`: that is only a space in forms).
/// Bytes that do not decode to UTF-8 are kept lossily so the value still gets checked.
pub(crate) fn percent_decode(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `name=value` pairs of every `Cookie` header value.
pub(crate) fn cookie_pairs(header: &str) -> impl Iterator<Item = (&str, &str)> {
    header.split(';').filter_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        let value = value.trim();
        let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
        Some((name.trim(), value))
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn coercion_follows_the_schema_type() {
        assert_eq!(Coerce::from_schema(&json!({"type": "integer"})).scalar("20"), json!(20));
        assert_eq!(Coerce::from_schema(&json!({"type": "integer"})).scalar("2x"), json!("2x"));
        assert_eq!(Coerce::from_schema(&json!({"type": "number"})).scalar("2.5"), json!(2.5));
        assert_eq!(Coerce::from_schema(&json!({"type": ["null", "boolean"]})).scalar("true"), json!(true));
        assert_eq!(Coerce::from_schema(&json!({"type": "boolean"})).scalar("yes"), json!("yes"));
        assert_eq!(Coerce::from_schema(&json!({"enum": ["A"]})).scalar("A"), json!("A"));
        assert_eq!(Coerce::from_schema(&json!({"type": "number"})).scalar("NaN"), json!("NaN"));
    }

    #[test]
    fn arrays_take_every_occurrence_or_a_comma_list() {
        let c = Coerce::from_schema(&json!({"type": "array", "items": {"type": "integer"}}));
        let repeated = vec![Cow::Borrowed("1"), Cow::Borrowed("2")];
        assert_eq!(c.values(&repeated), json!([1, 2]));
        assert_eq!(c.values(&[Cow::Borrowed("3,4")]), json!([3, 4]));
        let s = Coerce::from_schema(&json!({"type": "string"}));
        assert_eq!(s.values(&repeated), json!("1"));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%E2%82%AC"), "€");
        assert_eq!(percent_decode("%FF"), "\u{fffd}");
    }

    #[test]
    fn cookies_split_into_pairs() {
        let pairs: Vec<_> = cookie_pairs("session=abc; theme=\"dark\"; junk").collect();
        assert_eq!(pairs, vec![("session", "abc"), ("theme", "dark")]);
    }

    proptest! {
        #[test]
        fn integers_round_trip(n in any::<i64>()) {
            prop_assert_eq!(Coerce::Integer.scalar(&n.to_string()), json!(n));
        }

        #[test]
        fn coercion_and_decoding_never_panic(text in ".{0,40}") {
            let _ = percent_decode(&text);
            for c in [Coerce::Integer, Coerce::Number, Coerce::Boolean, Coerce::Array(Box::new(Coerce::Integer))] {
                let _ = c.scalar(&text);
            }
        }

        #[test]
        fn encoded_text_decodes_back(text in "\\PC{0,20}") {
            let encoded: String = text.bytes().map(|b| format!("%{b:02X}")).collect();
            prop_assert_eq!(percent_decode(&encoded), text);
        }
    }
}
