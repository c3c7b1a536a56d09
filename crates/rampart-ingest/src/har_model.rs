//! The parts of a HAR entry Rampart reads, as tolerant serde types.
//!
//! Deserializing straight into these is several times cheaper than building a
//! `serde_json::Value` tree (no map per object, no `String` per key, strings borrowed from the
//! input when they have no escapes). Tolerance is kept by never letting serde decide: every field
//! is a [`Scalar`] (any JSON value, read leniently later), an [`Obj`] (`None` when not an object)
//! or a [`List`] (non-objects skipped), so a wrong-typed optional field never fails the entry and
//! the converter can still produce its own field-naming errors. Objects are read with a hand-made
//! map loop rather than `#[derive(Deserialize)]` because derive skips unknown fields with
//! `IgnoredAny`, which serde_json does not depth-check (a hostile `"_x": [[[[...` must still hit
//! the recursion limit), and rejects duplicate keys (a `Value` kept the last one; so do we).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

/// Any JSON value, discarded, but walked with `deserialize_any` so serde_json's recursion limit
/// still applies.
pub(crate) struct Skip;

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_key::<Skip>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(Skip)
    }
}

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(key)))
    }
    fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key.to_owned())))
    }
    fn visit_string<E>(self, key: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key)))
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A JSON scalar as written; arrays and objects are skipped and kept as [`Scalar::Other`].
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    #[default]
    Null,
    Bool(bool),
    Num(Number),
    Str(Cow<'a, str>),
    Other,
}

impl Scalar<'_> {
    /// A string, also from a number or boolean; `None` for null, objects and arrays.
    pub(crate) fn lenient_str(&self) -> Option<Cow<'_, str>> {
        match self {
            Scalar::Str(s) => Some(Cow::Borrowed(s)),
            Scalar::Num(n) => Some(Cow::Owned(n.to_string())),
            Scalar::Bool(b) => Some(Cow::Owned(b.to_string())),
            Scalar::Null | Scalar::Other => None,
        }
    }

    /// [`Scalar::lenient_str`], but `None` when blank.
    pub(crate) fn non_empty(&self) -> Option<Cow<'_, str>> {
        self.lenient_str().filter(|s| !s.trim().is_empty())
    }

    /// A finite number, also from a numeric string.
    pub(crate) fn lenient_f64(&self) -> Option<f64> {
        match self {
            Scalar::Num(n) => n.as_f64(),
            Scalar::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
        .filter(|n: &f64| n.is_finite())
    }

    /// A size: non-negative, `-1` (and any negative or fractional junk) meaning unknown.
    pub(crate) fn lenient_size(&self) -> Option<u64> {
        let size = self.lenient_f64()?;
        (size >= 0.0 && size <= u64::MAX as f64).then_some(size as u64)
    }
}

struct ScalarVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ScalarVisitor<'a> {
    type Value = Scalar<'a>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }
    fn visit_bool<E>(self, value: bool) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Bool(value))
    }
    fn visit_i64<E>(self, value: i64) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Num(value.into()))
    }
    fn visit_u64<E>(self, value: u64) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Num(value.into()))
    }
    fn visit_f64<E>(self, value: f64) -> Result<Scalar<'a>, E> {
        // As `serde_json::Value` does: a non-finite float is null.
        Ok(Number::from_f64(value).map_or(Scalar::Null, Scalar::Num))
    }
    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Borrowed(value)))
    }
    fn visit_str<E>(self, value: &str) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Owned(value.to_owned())))
    }
    fn visit_string<E>(self, value: String) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Owned(value)))
    }
    fn visit_unit<E>(self) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Scalar<'a>, A::Error> {
        SkipVisitor.visit_seq(seq).map(|_| Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scalar<'a>, A::Error> {
        SkipVisitor.visit_map(map).map(|_| Scalar::Other)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor(PhantomData))
    }
}

/// A HAR object read from a JSON object's entries.
pub(crate) trait FromMap<'de>: Sized {
    fn from_map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// An object of type `T`; `None` when the JSON value is not an object (or is missing).
pub(crate) struct Obj<T>(pub(crate) Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

struct ObjVisitor<T>(PhantomData<T>);

impl<'de, T: FromMap<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_str<E>(self, _: &str) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_unit<E>(self) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Obj<T>, A::Error> {
        SkipVisitor.visit_seq(seq).map(|_| Obj(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
        T::from_map(map).map(|object| Obj(Some(object)))
    }
}

impl<'de, T: FromMap<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObjVisitor(PhantomData))
    }
}

/// The objects of a JSON array; other items are skipped, anything but an array is empty.
/// `raw_len` counts every item, objects or not, because "has params" looks at the raw array.
pub(crate) struct List<T> {
    pub(crate) items: Vec<T>,
    pub(crate) raw_len: usize,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List { items: Vec::new(), raw_len: 0 }
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: FromMap<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<List<T>, E> {
        Ok(List::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<List<T>, E> {
        Ok(List::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<List<T>, E> {
        Ok(List::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<List<T>, E> {
        Ok(List::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<List<T>, E> {
        Ok(List::default())
    }
    fn visit_unit<E>(self) -> Result<List<T>, E> {
        Ok(List::default())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
        let mut list = List { items: Vec::with_capacity(seq.size_hint().unwrap_or(0)), raw_len: 0 };
        while let Some(Obj(item)) = seq.next_element::<Obj<T>>()? {
            list.raw_len += 1;
            list.items.extend(item);
        }
        Ok(list)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<List<T>, A::Error> {
        SkipVisitor.visit_map(map).map(|_| List::default())
    }
}

impl<'de, T: FromMap<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}

/// Declares a HAR object: a struct of tolerant fields and its [`FromMap`] reading the listed
/// JSON keys (the last of duplicates wins) and skipping the rest.
macro_rules! har_object {
    ($(#[$doc:meta])* $name:ident<$lt:lifetime> { $($key:literal => $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Default)]
        pub(crate) struct $name<$lt> {
            $(pub(crate) $field: $ty,)*
        }

        impl<'de: $lt, $lt> FromMap<'de> for $name<$lt> {
            fn from_map<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
                let mut object = Self::default();
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    match key.as_ref() {
                        $($key => object.$field = map.next_value()?,)*
                        _ => {
                            map.next_value::<Skip>()?;
                        }
                    }
                }
                Ok(object)
            }
        }
    };
}

har_object!(
    /// `log.entries[i]`.
    Entry<'a> {
        "startedDateTime" => started_date_time: Scalar<'a>,
        "time" => time: Scalar<'a>,
        "request" => request: Obj<HarRequest<'a>>,
        "response" => response: Obj<HarResponse<'a>>,
        "_id" => id: Scalar<'a>,
    }
);

har_object!(
    HarRequest<'a> {
        "method" => method: Scalar<'a>,
        "url" => url: Scalar<'a>,
        "headers" => headers: List<NameValue<'a>>,
        "queryString" => query_string: List<NameValue<'a>>,
        "cookies" => cookies: List<NameValue<'a>>,
        "postData" => post_data: Obj<PostData<'a>>,
        "bodySize" => body_size: Scalar<'a>,
    }
);

har_object!(
    PostData<'a> {
        "mimeType" => mime_type: Scalar<'a>,
        "text" => text: Scalar<'a>,
        "encoding" => encoding: Scalar<'a>,
        "_encoding" => underscore_encoding: Scalar<'a>,
        "params" => params: List<NameValue<'a>>,
    }
);

har_object!(
    HarResponse<'a> {
        "status" => status: Scalar<'a>,
        "headers" => headers: List<NameValue<'a>>,
        "cookies" => cookies: List<NameValue<'a>>,
        "content" => content: Obj<Content<'a>>,
    }
);

har_object!(
    Content<'a> {
        "size" => size: Scalar<'a>,
        "mimeType" => mime_type: Scalar<'a>,
        "text" => text: Scalar<'a>,
        "encoding" => encoding: Scalar<'a>,
        "_truncated" => truncated: Scalar<'a>,
    }
);

har_object!(
    /// A header, cookie, query parameter or form parameter (the last two file fields only for
    /// `postData.params`).
    NameValue<'a> {
        "name" => name: Scalar<'a>,
        "value" => value: Scalar<'a>,
        "fileName" => file_name: Scalar<'a>,
        "contentType" => content_type: Scalar<'a>,
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_are_tolerated_and_unknown_fields_still_depth_checked() {
        let entry: Obj<Entry<'_>> = serde_json::from_str(
            r#"{"time": "12.5", "request": [1, {"a": 2}], "response": {"status": null, "headers": null,
                "cookies": [1, "x", {"name": "a"}], "content": {"text": "a\"b", "size": {"x": 1}}},
                "_id": 7, "_id": "last"}"#,
        )
        .unwrap();
        let entry = entry.0.unwrap();
        assert_eq!(entry.time.lenient_f64(), Some(12.5));
        assert!(entry.request.0.is_none());
        let response = entry.response.0.unwrap();
        assert_eq!(response.status, Scalar::Null);
        assert!(response.headers.items.is_empty());
        assert_eq!((response.cookies.items.len(), response.cookies.raw_len), (1, 3));
        let content = response.content.0.unwrap();
        assert_eq!(content.text.lenient_str().as_deref(), Some("a\"b"));
        assert_eq!(content.size, Scalar::Other);
        assert_eq!(entry.id.lenient_str().as_deref(), Some("last"), "the last duplicate wins");

        let deep = format!("{{\"_x\":{}{}}}", "[".repeat(200), "]".repeat(200));
        let error = serde_json::from_str::<Obj<Entry<'_>>>(&deep).err().unwrap();
        assert!(error.to_string().contains("recursion limit exceeded"), "{error}");
    }

    #[test]
    fn numbers_read_back_as_value_would_print_them() {
        let scalars: Vec<Scalar<'_>> = serde_json::from_str(r#"[5, -3, 1.5, 1e2, true, " 42 "]"#).unwrap();
        let texts: Vec<_> = scalars.iter().map(|s| s.lenient_str().unwrap().into_owned()).collect();
        assert_eq!(texts, ["5", "-3", "1.5", "100.0", "true", " 42 "]);
        assert_eq!(scalars[5].lenient_f64(), Some(42.0));
        assert_eq!(scalars[1].lenient_size(), None);
    }
}
