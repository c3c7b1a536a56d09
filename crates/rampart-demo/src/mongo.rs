//! MongoDB-style query conditions, for the legacy login's planted NoSQL injection: the legacy
//! user store answers `findOne({username: <body.username>, password: <body.password>})` with
//! whatever JSON the client sent, so an object like `{"$ne": "x"}` is evaluated as a query
//! operator instead of compared as a value.
//!
//! [`matches()`] evaluates one field condition the way MongoDB does for string fields: plain
//! values compare for equality; `$eq`, `$ne`, `$gt`, `$gte`, `$lt`, `$lte`, `$in`, `$nin`,
//! `$exists`, `$regex` (with `$options`), `$not` and `$type` are understood; any other operator
//! is the server error `unknown operator: $foo`. Regular expressions use a small backtracking
//! engine (literals, `.`, classes, `\d \w \s`, anchors, groups, `|`, `* + ? {n,m}`).

use std::cell::Cell;

use serde_json::Value;

/// What the "database server" refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("unknown operator: {0}")]
    UnknownOperator(String),
    #[error("Regular expression is invalid: {0}")]
    BadRegex(String),
    #[error("{0}")]
    BadOperand(String),
}

/// Whether a document whose field holds `field` (`None`: the field is missing) matches
/// `{field: condition}`.
pub fn matches(field: Option<&str>, condition: &Value) -> Result<bool, QueryError> {
    match condition {
        Value::Object(map) if map.keys().next().is_some_and(|k| k.starts_with('$')) => {
            let options = map.get("$options").and_then(Value::as_str).unwrap_or("");
            if map.contains_key("$options") && !map.contains_key("$regex") {
                return Err(QueryError::BadOperand("$options needs a $regex".into()));
            }
            for (operator, operand) in map {
                if !evaluate(field, operator, operand, options)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        other => Ok(equals(field, other)),
    }
}

fn equals(field: Option<&str>, value: &Value) -> bool {
    match value {
        Value::String(s) => field == Some(s.as_str()),
        Value::Null => field.is_none(),
        _ => false,
    }
}

fn evaluate(field: Option<&str>, operator: &str, operand: &Value, options: &str) -> Result<bool, QueryError> {
    let compare = |accept: fn(std::cmp::Ordering) -> bool| match (field, operand) {
        (Some(f), Value::String(o)) => accept(f.cmp(o.as_str())),
        _ => false,
    };
    Ok(match operator {
        "$eq" => equals(field, operand),
        "$ne" => !equals(field, operand),
        "$gt" => compare(|o| o.is_gt()),
        "$gte" => compare(|o| o.is_ge()),
        "$lt" => compare(|o| o.is_lt()),
        "$lte" => compare(|o| o.is_le()),
        "$in" | "$nin" => {
            let Value::Array(items) = operand else {
                return Err(QueryError::BadOperand(format!("{operator} needs an array")));
            };
            let found = items.iter().any(|v| equals(field, v));
            if operator == "$in" { found } else { !found }
        }
        "$exists" => {
            let wanted = match operand {
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
                Value::Null => false,
                _ => true,
            };
            wanted == field.is_some()
        }
        "$regex" => {
            let Value::String(pattern) = operand else {
                return Err(QueryError::BadOperand("$regex has to be a string".into()));
            };
            let regex = Regex::parse(pattern, options.contains('i'))?;
            field.is_some_and(|f| regex.is_match(f))
        }
        "$options" => true,
        "$not" => match operand {
            Value::Object(_) => !matches(field, operand)?,
            _ => return Err(QueryError::BadOperand("$not needs a regex or a document".into())),
        },
        "$type" => match operand {
            Value::String(t) => t == "string" && field.is_some(),
            Value::Number(n) => n.as_u64() == Some(2) && field.is_some(),
            _ => false,
        },
        // Array and numeric operators exist but never match a string field.
        "$size" | "$all" | "$elemMatch" | "$mod" | "$bitsAllSet" => false,
        other => return Err(QueryError::UnknownOperator(other.to_owned())),
    })
}

#[derive(Debug, Clone)]
enum Atom {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Start,
    End,
    Group(Vec<Vec<Piece>>),
}

#[derive(Debug, Clone)]
struct Piece {
    atom: Atom,
    min: usize,
    max: Option<usize>,
}

/// A small backtracking regular expression (the subset a login probe uses).
#[derive(Debug, Clone)]
pub struct Regex {
    alternatives: Vec<Vec<Piece>>,
    case_insensitive: bool,
}

const MAX_PATTERN: usize = 512;
const MAX_STEPS: usize = 200_000;

fn class_escape(c: char) -> Option<(Vec<(char, char)>, bool)> {
    let digits = vec![('0', '9')];
    let word = vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
    let space = vec![(' ', ' '), ('\t', '\r')];
    match c {
        'd' => Some((digits, false)),
        'D' => Some((digits, true)),
        'w' => Some((word, false)),
        'W' => Some((word, true)),
        's' => Some((space, false)),
        'S' => Some((space, true)),
        _ => None,
    }
}

struct RegexParser<'a> {
    chars: &'a [char],
    pos: usize,
    depth: usize,
}

impl RegexParser<'_> {
    fn alternatives(&mut self) -> Result<Vec<Vec<Piece>>, QueryError> {
        let mut alternatives = vec![Vec::new()];
        while let Some(&c) = self.chars.get(self.pos) {
            match c {
                '|' => {
                    self.pos += 1;
                    alternatives.push(Vec::new());
                }
                ')' => break,
                _ => {
                    let atom = self.atom()?;
                    let (min, max) = self.quantifier()?;
                    if let Some(seq) = alternatives.last_mut() {
                        seq.push(Piece { atom, min, max });
                    }
                }
            }
        }
        Ok(alternatives)
    }

    fn atom(&mut self) -> Result<Atom, QueryError> {
        let c = self.chars[self.pos];
        self.pos += 1;
        Ok(match c {
            '.' => Atom::Any,
            '^' => Atom::Start,
            '$' => Atom::End,
            '(' => {
                if self.depth > 16 {
                    return Err(QueryError::BadRegex("nested too deep".into()));
                }
                // `(?:...)` groups like `(...)`.
                if self.chars.get(self.pos) == Some(&'?') && self.chars.get(self.pos + 1) == Some(&':') {
                    self.pos += 2;
                }
                self.depth += 1;
                let inner = self.alternatives()?;
                self.depth -= 1;
                if self.chars.get(self.pos) != Some(&')') {
                    return Err(QueryError::BadRegex("missing )".into()));
                }
                self.pos += 1;
                Atom::Group(inner)
            }
            ')' => return Err(QueryError::BadRegex("unmatched closing parenthesis".into())),
            '*' | '+' | '?' | '{' => {
                return Err(QueryError::BadRegex("quantifier does not follow a repeatable item".into()));
            }
            '[' => self.class()?,
            '\\' => {
                let Some(&e) = self.chars.get(self.pos) else {
                    return Err(QueryError::BadRegex("\\ at end of pattern".into()));
                };
                self.pos += 1;
                match class_escape(e) {
                    Some((ranges, negated)) => Atom::Class(ranges, negated),
                    None => Atom::Char(match e {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    }),
                }
            }
            other => Atom::Char(other),
        })
    }

    fn class(&mut self) -> Result<Atom, QueryError> {
        let negated = self.chars.get(self.pos) == Some(&'^');
        if negated {
            self.pos += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(&c) = self.chars.get(self.pos) else {
                return Err(QueryError::BadRegex("missing terminating ] for character class".into()));
            };
            self.pos += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = if c == '\\' {
                let Some(&e) = self.chars.get(self.pos) else {
                    return Err(QueryError::BadRegex("\\ at end of pattern".into()));
                };
                self.pos += 1;
                if let Some((class, false)) = class_escape(e) {
                    ranges.extend(class);
                    continue;
                }
                e
            } else {
                c
            };
            if self.chars.get(self.pos) == Some(&'-')
                && self.chars.get(self.pos + 1).is_some_and(|n| *n != ']')
            {
                let high = self.chars[self.pos + 1];
                self.pos += 2;
                if high < low {
                    return Err(QueryError::BadRegex("range out of order in character class".into()));
                }
                ranges.push((low, high));
            } else {
                ranges.push((low, low));
            }
        }
        Ok(Atom::Class(ranges, negated))
    }

    fn number(&mut self) -> Option<usize> {
        let start = self.pos;
        while self.chars.get(self.pos).is_some_and(char::is_ascii_digit) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect::<String>().parse().ok()
    }

    fn quantifier(&mut self) -> Result<(usize, Option<usize>), QueryError> {
        let bounds = match self.chars.get(self.pos) {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                let save = self.pos;
                self.pos += 1;
                let Some(min) = self.number() else {
                    // Not a quantifier: a literal `{`, as PCRE reads it.
                    self.pos = save;
                    return Ok((1, Some(1)));
                };
                let max = if self.chars.get(self.pos) == Some(&',') {
                    self.pos += 1;
                    self.number()
                } else {
                    Some(min)
                };
                if self.chars.get(self.pos) != Some(&'}') {
                    self.pos = save;
                    return Ok((1, Some(1)));
                }
                if max.is_some_and(|m| m < min) || min > 1000 {
                    return Err(QueryError::BadRegex("numbers out of order in {} quantifier".into()));
                }
                (min, max)
            }
            _ => return Ok((1, Some(1))),
        };
        self.pos += 1;
        // Lazy quantifiers match the same strings for a yes/no question.
        if self.chars.get(self.pos) == Some(&'?') {
            self.pos += 1;
        }
        Ok(bounds)
    }
}

struct Matcher<'a> {
    text: &'a [char],
    case_insensitive: bool,
    steps: Cell<usize>,
}

impl Matcher<'_> {
    fn tick(&self) -> bool {
        self.steps.set(self.steps.get() + 1);
        self.steps.get() <= MAX_STEPS
    }

    fn same(&self, a: char, b: char) -> bool {
        a == b || (self.case_insensitive && a.to_lowercase().eq(b.to_lowercase()))
    }

    fn in_class(&self, c: char, ranges: &[(char, char)], negated: bool) -> bool {
        let hit = |c: char| ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c));
        let found =
            hit(c) || (self.case_insensitive && (hit(c.to_ascii_lowercase()) || hit(c.to_ascii_uppercase())));
        found != negated
    }

    fn alternatives(&self, alts: &[Vec<Piece>], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        alts.iter().any(|seq| self.sequence(seq, pos, k))
    }

    fn sequence(&self, seq: &[Piece], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        match seq.split_first() {
            None => k(pos),
            Some((piece, rest)) => self.piece(piece, 0, pos, &mut |p| self.sequence(rest, p, k)),
        }
    }

    fn piece(&self, piece: &Piece, count: usize, pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        if !self.tick() {
            return false;
        }
        if piece.max.is_none_or(|m| count < m)
            && self.atom(&piece.atom, pos, &mut |p| {
                (p != pos || count < piece.min) && self.piece(piece, count + 1, p, k)
            })
        {
            return true;
        }
        count >= piece.min && k(pos)
    }

    fn atom(&self, atom: &Atom, pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        let next = self.text.get(pos).copied();
        match atom {
            Atom::Char(c) => next.is_some_and(|n| self.same(n, *c)) && k(pos + 1),
            Atom::Any => next.is_some_and(|n| n != '\n') && k(pos + 1),
            Atom::Class(ranges, negated) => {
                next.is_some_and(|n| self.in_class(n, ranges, *negated)) && k(pos + 1)
            }
            Atom::Start => pos == 0 && k(pos),
            Atom::End => pos == self.text.len() && k(pos),
            Atom::Group(alts) => self.alternatives(alts, pos, k),
        }
    }
}

impl Regex {
    pub fn parse(pattern: &str, case_insensitive: bool) -> Result<Regex, QueryError> {
        let chars: Vec<char> = pattern.chars().collect();
        if chars.len() > MAX_PATTERN {
            return Err(QueryError::BadRegex("pattern too long".into()));
        }
        let mut parser = RegexParser { chars: &chars, pos: 0, depth: 0 };
        let alternatives = parser.alternatives()?;
        if parser.pos != chars.len() {
            return Err(QueryError::BadRegex("unmatched closing parenthesis".into()));
        }
        Ok(Regex { alternatives, case_insensitive })
    }

    /// Whether the pattern matches anywhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let matcher = Matcher { text: &chars, case_insensitive: self.case_insensitive, steps: Cell::new(0) };
        (0..=chars.len()).any(|start| matcher.alternatives(&self.alternatives, start, &mut |_| true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn re(pattern: &str, text: &str) -> bool {
        Regex::parse(pattern, false).unwrap().is_match(text)
    }

    #[test]
    fn regex_subset_matches_like_pcre() {
        assert!(re("^Har", "Harbour!1234"));
        assert!(!re("^har", "Harbour!1234"));
        assert!(Regex::parse("^har", true).unwrap().is_match("Harbour!1234"));
        assert!(re(".*", ""));
        assert!(re("^.{12}$", "Harbour!1234"));
        assert!(!re("^.{11}$", "Harbour!1234"));
        assert!(re("\\d{4}$", "Harbour!1234"));
        assert!(re("^(Lotus|Harbour)!", "Harbour!1234"));
        assert!(re("^[A-H][a-z]+!\\d+$", "Harbour!1234"));
        assert!(!re("^[^H]", "Harbour!1234"));
        assert!(re("b?o+u*r", "Harbour"));
        assert!(re("a{2,}", "baab") && !re("a{3,}", "baab"));
        assert!(re("^(a+)+$", &"a".repeat(30)));
        // Catastrophic patterns stop at the step budget instead of hanging.
        assert!(!re("^(a+)+$", &format!("{}b", "a".repeat(40))));
        assert!(Regex::parse("(abc", false).is_err());
        assert!(Regex::parse("[a-", false).is_err());
        assert!(Regex::parse("*a", false).is_err());
    }

    #[test]
    fn operators_evaluate_like_mongodb_on_string_fields() {
        let pw = Some("Harbour!1234");
        assert!(matches(pw, &json!("Harbour!1234")).unwrap());
        assert!(!matches(pw, &json!("nope")).unwrap());
        assert!(matches(pw, &json!({"$ne": "x"})).unwrap());
        assert!(matches(pw, &json!({"$ne": null})).unwrap());
        assert!(matches(pw, &json!({"$gt": ""})).unwrap());
        assert!(!matches(pw, &json!({"$lt": ""})).unwrap());
        assert!(matches(pw, &json!({"$exists": true})).unwrap());
        assert!(!matches(None, &json!({"$exists": true})).unwrap());
        assert!(matches(pw, &json!({"$regex": "^harb", "$options": "i"})).unwrap());
        assert!(matches(pw, &json!({"$in": ["a", "Harbour!1234"]})).unwrap());
        assert!(matches(pw, &json!({"$nin": ["a"]})).unwrap());
        assert!(matches(pw, &json!({"$not": {"$eq": "x"}})).unwrap());
        assert!(!matches(pw, &json!({"$gt": 5})).unwrap());
        assert!(!matches(pw, &json!({"nested": "doc"})).unwrap());
        assert_eq!(matches(pw, &json!({"$foo": 1})).unwrap_err().to_string(), "unknown operator: $foo");
        assert!(matches(pw, &json!({"$in": "x"})).is_err());
        assert!(matches(pw, &json!({"$regex": "(x"})).is_err());
    }
}
