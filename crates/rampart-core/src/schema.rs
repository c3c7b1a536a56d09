//! The observed shape of JSON values at one location, mergeable across observations.
//!
//! A [`SchemaNode`] counts what it has seen per JSON type, so that the rendered JSON Schema can
//! say `integer` vs `number`, nullable, unions, and *required-by-presence* (a property is required
//! when it was present in every object seen). Discovery fills these from bodies and parameters and
//! renders them as OpenAPI 3.1 JSON Schema; [`SchemaNode::merge`] folds two observations together.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::sensitive::SensitiveType;

/// How many masked example values a string location keeps.
pub const MAX_EXAMPLES: usize = 3;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SchemaNode {
    /// Observations of this location, of any type.
    #[serde(default)]
    pub seen: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub null: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub boolean: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integer: Option<NumberStats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<NumberStats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string: Option<StringStats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array: Option<Box<ArrayStats>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<Box<ObjectStats>>,
    /// Values seen here that carried each kind of sensitive data.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sensitive: BTreeMap<SensitiveType, u64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberStats {
    pub count: u64,
    pub min: f64,
    pub max: f64,
}

/// A recognised string format (JSON Schema `format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StringFormat {
    DateTime,
    Date,
    Time,
    Email,
    Uuid,
    Uri,
    Ipv4,
    Ipv6,
    /// Not a JSON Schema format: a string of digits only (account numbers, numeric ids as strings).
    Digits,
    /// Not a JSON Schema format: a base64 / hex-like opaque token.
    Token,
}

impl StringFormat {
    /// The JSON Schema / OpenAPI `format` keyword value, when there is a standard one.
    pub fn json_schema_format(self) -> Option<&'static str> {
        Some(match self {
            StringFormat::DateTime => "date-time",
            StringFormat::Date => "date",
            StringFormat::Time => "time",
            StringFormat::Email => "email",
            StringFormat::Uuid => "uuid",
            StringFormat::Uri => "uri",
            StringFormat::Ipv4 => "ipv4",
            StringFormat::Ipv6 => "ipv6",
            StringFormat::Digits | StringFormat::Token => return None,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StringStats {
    pub count: u64,
    pub min_len: u64,
    pub max_len: u64,
    /// How many of the strings matched each format (a string matches at most one).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub formats: BTreeMap<StringFormat, u64>,
    /// A few example values, **already masked** by whoever recorded them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
}

impl StringStats {
    /// The format every observed string had, if there is one.
    pub fn common_format(&self) -> Option<StringFormat> {
        self.formats.iter().find(|(_, n)| **n == self.count).map(|(f, _)| *f)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArrayStats {
    pub count: u64,
    pub min_items: u64,
    pub max_items: u64,
    /// The merged shape of every item of every array seen here.
    pub items: SchemaNode,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectStats {
    pub count: u64,
    /// Per property, its shape; `seen == count` means present in every object (required).
    pub properties: BTreeMap<String, SchemaNode>,
    /// Objects whose properties were not all recorded (property cap reached).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub truncated: u64,
}

/// Objects nested deeper than the inference depth limit are counted here but not described.
impl SchemaNode {
    /// Fold `other` into `self`.
    pub fn merge(&mut self, other: &SchemaNode) {
        self.seen += other.seen;
        for (kind, n) in &other.sensitive {
            *self.sensitive.entry(*kind).or_default() += n;
        }
        self.null += other.null;
        self.boolean += other.boolean;
        merge_number(&mut self.integer, &other.integer);
        merge_number(&mut self.number, &other.number);
        if let Some(o) = &other.string {
            match &mut self.string {
                Some(s) => {
                    s.min_len = s.min_len.min(o.min_len);
                    s.max_len = s.max_len.max(o.max_len);
                    s.count += o.count;
                    for (f, n) in &o.formats {
                        *s.formats.entry(*f).or_default() += n;
                    }
                    for e in &o.examples {
                        if s.examples.len() >= MAX_EXAMPLES {
                            break;
                        }
                        if !s.examples.contains(e) {
                            s.examples.push(e.clone());
                        }
                    }
                }
                None => self.string = Some(o.clone()),
            }
        }
        if let Some(o) = &other.array {
            match &mut self.array {
                Some(a) => {
                    a.min_items = a.min_items.min(o.min_items);
                    a.max_items = a.max_items.max(o.max_items);
                    a.count += o.count;
                    a.items.merge(&o.items);
                }
                None => self.array = Some(o.clone()),
            }
        }
        if let Some(o) = &other.object {
            match &mut self.object {
                Some(obj) => {
                    obj.count += o.count;
                    obj.truncated += o.truncated;
                    for (k, v) in &o.properties {
                        match obj.properties.get_mut(k) {
                            Some(p) => p.merge(v),
                            None => {
                                obj.properties.insert(k.clone(), v.clone());
                            }
                        }
                    }
                }
                None => self.object = Some(o.clone()),
            }
        }
    }

    /// Number of distinct JSON types seen here (null excluded).
    pub fn type_count(&self) -> usize {
        [
            self.boolean > 0,
            self.integer.is_some(),
            self.number.is_some(),
            self.string.is_some(),
            self.array.is_some(),
            self.object.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count()
    }

    pub fn is_empty(&self) -> bool {
        self.seen == 0
    }

    /// Every sensitive type found here or below, for summaries.
    pub fn sensitive_types(&self, out: &mut std::collections::BTreeSet<SensitiveType>) {
        out.extend(self.sensitive.keys().copied());
        if let Some(array) = &self.array {
            array.items.sensitive_types(out);
        }
        if let Some(object) = &self.object {
            for property in object.properties.values() {
                property.sensitive_types(out);
            }
        }
    }
}

fn merge_number(into: &mut Option<NumberStats>, from: &Option<NumberStats>) {
    if let Some(o) = from {
        match into {
            Some(n) => {
                n.count += o.count;
                n.min = n.min.min(o.min);
                n.max = n.max.max(o.max);
            }
            None => *into = Some(o.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string_node(len: u64, format: Option<StringFormat>) -> SchemaNode {
        let mut formats = BTreeMap::new();
        if let Some(f) = format {
            formats.insert(f, 1);
        }
        SchemaNode {
            seen: 1,
            string: Some(StringStats { count: 1, min_len: len, max_len: len, formats, examples: vec![] }),
            ..SchemaNode::default()
        }
    }

    #[test]
    fn merging_keeps_counts_bounds_and_formats() {
        let mut a = string_node(10, Some(StringFormat::Date));
        a.merge(&string_node(3, Some(StringFormat::Date)));
        let s = a.string.as_ref().unwrap();
        assert_eq!((a.seen, s.count, s.min_len, s.max_len), (2, 2, 3, 10));
        assert_eq!(s.common_format(), Some(StringFormat::Date));
        a.merge(&string_node(5, None));
        assert_eq!(a.string.as_ref().unwrap().common_format(), None);
    }

    #[test]
    fn merging_objects_tracks_presence_per_property() {
        let mut obj = ObjectStats { count: 1, ..ObjectStats::default() };
        obj.properties.insert("id".into(), string_node(4, None));
        let mut a = SchemaNode { seen: 1, object: Some(Box::new(obj.clone())), ..SchemaNode::default() };
        obj.properties.insert("nickname".into(), string_node(4, None));
        a.merge(&SchemaNode { seen: 1, object: Some(Box::new(obj)), ..SchemaNode::default() });
        let o = a.object.as_ref().unwrap();
        assert_eq!(o.count, 2);
        assert_eq!(o.properties["id"].seen, 2);
        assert_eq!(o.properties["nickname"].seen, 1);
    }
}
