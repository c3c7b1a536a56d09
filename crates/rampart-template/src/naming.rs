//! Parameter names: after the collection before them (`/accounts/{accountId}`), by value shape
//! (`{date}`, `{email}`, `{username}`), unique within a template.

use crate::shape::{SegmentShape, is_version_segment, route_word_tier};

/// English singular of a (lower- or mixed-case) word; words that are not plurals come back as
/// they are. Only the last word of a camelCase or `-`/`_` joined name is changed.
pub fn singularize(word: &str) -> String {
    let split = word
        .char_indices()
        .rev()
        .find(|(i, c)| {
            c.is_ascii_uppercase() && *i > 0 && word[..*i].bytes().any(|b| b.is_ascii_lowercase())
                || matches!(c, '-' | '_')
        })
        .map(|(i, c)| if matches!(c, '-' | '_') { i + 1 } else { i })
        .unwrap_or(0);
    let (head, tail) = word.split_at(split);
    let all_upper = tail.len() > 1 && tail.bytes().all(|b| !b.is_ascii_lowercase());
    let lower = tail.to_ascii_lowercase();
    let singular = singularize_lower(&lower);
    if singular == lower {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len());
    out.push_str(head);
    if all_upper {
        out.push_str(&singular.to_ascii_uppercase());
    } else {
        // Keep the original capitalisation of the kept prefix.
        let kept = singular.len().min(tail.len());
        let common =
            lower.as_bytes().iter().zip(singular.as_bytes()).take_while(|(a, b)| a == b).count().min(kept);
        out.push_str(&tail[..common]);
        out.push_str(&singular[common..]);
    }
    out
}

fn singularize_lower(word: &str) -> String {
    if let Some(irregular) = irregular_singular(word) {
        return irregular.to_string();
    }
    if word.len() <= 3 || !word.is_ascii() || is_singular_ending_in_s(word) {
        return word.to_string();
    }
    let stem = |n: usize| word[..word.len() - n].to_string();
    if let Some(base) = word.strip_suffix("ies") {
        return if word.len() <= 4 { stem(1) } else { format!("{base}y") };
    }
    if word.ends_with("sses") || word.ends_with("xes") || word.ends_with("zzes") || word.ends_with("shes") {
        return stem(2);
    }
    if word.ends_with("ches") {
        let before = word.as_bytes().get(word.len().wrapping_sub(5)).copied();
        // caches, headaches keep the e; matches, branches, approaches do not.
        return if before == Some(b'a') && !word.ends_with("oaches") { stem(1) } else { stem(2) };
    }
    if word.ends_with("uses") {
        let before = word.as_bytes().get(word.len().wrapping_sub(5)).copied();
        return if before.is_some_and(|b| b"aeiou".contains(&b)) { stem(1) } else { stem(2) };
    }
    if word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        return word.to_string();
    }
    if word.ends_with('s') {
        return stem(1);
    }
    word.to_string()
}

fn irregular_singular(word: &str) -> Option<&'static str> {
    Some(match word {
        "people" | "persons" => "person",
        "men" => "man",
        "women" => "woman",
        "children" => "child",
        "mice" => "mouse",
        "geese" => "goose",
        "feet" => "foot",
        "teeth" => "tooth",
        "indices" => "index",
        "matrices" => "matrix",
        "vertices" => "vertex",
        "analyses" => "analysis",
        "diagnoses" => "diagnosis",
        "theses" => "thesis",
        "crises" => "crisis",
        "criteria" => "criterion",
        "phenomena" => "phenomenon",
        "alumni" => "alumnus",
        "cacti" => "cactus",
        "radii" => "radius",
        "shelves" => "shelf",
        "knives" => "knife",
        "wives" => "wife",
        "halves" => "half",
        "wolves" => "wolf",
        "heroes" => "hero",
        "potatoes" => "potato",
        "tomatoes" => "tomato",
        "echoes" => "echo",
        "vetoes" => "veto",
        "movies" => "movie",
        "cookies" => "cookie",
        "zombies" => "zombie",
        "calories" => "calorie",
        "quizzes" => "quiz",
        "ids" => "id",
        _ => return None,
    })
}

/// Words ending in `s` that are singular (or uncountable), so `status` stays `status`.
fn is_singular_ending_in_s(word: &str) -> bool {
    matches!(
        word,
        "news"
            | "series"
            | "species"
            | "canvas"
            | "alias"
            | "atlas"
            | "bias"
            | "gas"
            | "plus"
            | "bonus"
            | "campus"
            | "corpus"
            | "census"
            | "chaos"
            | "kudos"
            | "lens"
            | "always"
            | "perhaps"
            | "whereas"
            | "yes"
            | "this"
            | "its"
            | "ios"
            | "macos"
            | "watchos"
            | "tvos"
            | "aws"
            | "dns"
            | "gps"
            | "sms"
            | "mms"
            | "https"
            | "cors"
            | "nodejs"
            | "nextjs"
            | "vuejs"
            | "js"
            | "kubernetes"
            | "jenkins"
            | "express"
            | "analytics"
            | "logistics"
            | "physics"
            | "mathematics"
            | "economics"
            | "ethics"
            | "politics"
            | "thanks"
            | "lotus"
            | "status"
            | "virus"
            | "focus"
            | "radius"
            | "genus"
            | "sinus"
            | "iris"
            | "axis"
            | "basis"
            | "thesis"
            | "access"
            | "business"
            | "process"
            | "address"
            | "progress"
            | "success"
            | "wireless"
            | "glass"
            | "class"
            | "pass"
            | "express-checkout"
            | "christmas"
            | "atlassian"
            | "redis"
            | "postgres"
            | "ms"
            | "os"
            | "gas-prices"
            | "previous"
            | "various"
            | "famous"
            | "anonymous"
            | "synchronous"
            | "asynchronous"
            | "continuous"
            | "numerous"
            | "whereabouts"
            | "headquarters"
            | "means"
            | "settings-s"
    )
}

/// A lower-case word that is a plural noun (`accounts`, `categories`, `people`).
pub(crate) fn is_plural_word(lower: &str) -> bool {
    lower.len() >= 4 && lower.bytes().all(|b| b.is_ascii_alphabetic()) && singularize_lower(lower) != lower
}

/// `credit-cards` → `creditCards`, `Products` → `products`, `account_access_consents` →
/// `accountAccessConsents`. Non-alphanumeric characters separate words and are dropped.
pub fn camel_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut upper_next = false;
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let word = if word.len() > 1 && word.bytes().all(|b| !b.is_ascii_lowercase()) {
            word.to_ascii_lowercase()
        } else {
            word.to_string()
        };
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if upper_next {
                out.push(first.to_ascii_uppercase());
            } else {
                out.push(first.to_ascii_lowercase());
            }
            out.push_str(chars.as_str());
        }
        upper_next = true;
    }
    out
}

/// One segment of a template being named.
#[derive(Debug, Clone, Copy)]
pub(crate) enum NamingSegment<'a> {
    Literal(&'a str),
    Param { shape: SegmentShape, examples: &'a [Box<str>] },
}

/// Collection bases whose string identifiers are user names.
fn is_user_collection(singular: &str) -> bool {
    matches!(
        singular,
        "user" | "member" | "person" | "author" | "owner" | "profile" | "login" | "player" | "follower"
    )
}

/// Literals that say nothing about what follows them: `/api/{id}` is an `{id}`.
fn is_uninformative_base(lower: &str) -> bool {
    matches!(
        lower,
        "api" | "apis" | "rest" | "rpc" | "public" | "private" | "internal" | "external" | "admin" | "v"
    )
}

/// Names for the parameters of a template, in order. Names are unique within the template.
pub(crate) fn param_names(segments: &[NamingSegment<'_>]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (index, segment) in segments.iter().enumerate() {
        let NamingSegment::Param { shape, examples } = *segment else { continue };
        let after_param = index > 0 && matches!(segments[index - 1], NamingSegment::Param { .. });
        let base = if after_param { None } else { base_literal(&segments[..index]) };
        let name = name_for(base, shape, examples, after_param);
        names.push(unique(name, &names));
    }
    names
}

fn base_literal<'a>(before: &[NamingSegment<'a>]) -> Option<&'a str> {
    for (i, segment) in before.iter().enumerate().rev() {
        match *segment {
            NamingSegment::Param { .. } => return None,
            NamingSegment::Literal(text) if is_version_segment(text) => continue,
            NamingSegment::Literal(text) => {
                let lower = text.to_ascii_lowercase();
                if is_uninformative_base(&lower) && i > 0 {
                    continue;
                }
                if is_uninformative_base(&lower) {
                    return None;
                }
                return Some(text);
            }
        }
    }
    None
}

fn name_for(base: Option<&str>, shape: SegmentShape, examples: &[Box<str>], after_param: bool) -> String {
    match shape {
        SegmentShape::Date => return "date".to_string(),
        SegmentShape::Email => return "email".to_string(),
        _ => {}
    }
    if after_param {
        return match shape {
            SegmentShape::Version => "version".to_string(),
            SegmentShape::Word | SegmentShape::Slug | SegmentShape::String => "name".to_string(),
            _ => "subId".to_string(),
        };
    }
    let Some(base) = base else { return "id".to_string() };
    let singular = camel_case(&singularize(base));
    let singular = match singular.bytes().next() {
        Some(first) if first.is_ascii_alphabetic() => singular,
        _ => return "id".to_string(),
    };
    let stringy =
        matches!(shape, SegmentShape::Word | SegmentShape::Mixed | SegmentShape::Slug | SegmentShape::String);
    if stringy && is_user_collection(&singular.to_ascii_lowercase()) {
        return "username".to_string();
    }
    // `how-to-save-money` is a slug; `card_b43732c29a` (a prefixed id, Stripe style) is an id.
    let word_slugs = examples.iter().all(|e| !e.bytes().any(|b| b.is_ascii_digit()));
    if shape == SegmentShape::Slug && word_slugs {
        return format!("{singular}Slug");
    }
    if matches!(shape, SegmentShape::Mixed | SegmentShape::String)
        && let Some(prefix) = common_word_prefix(examples)
        && !prefix.eq_ignore_ascii_case(&singular)
    {
        return prefix;
    }
    format!("{singular}Id")
}

/// `bookTitle56`, `bookTitle7` → `bookTitle`: values made of one word and a counter name
/// themselves.
fn common_word_prefix(examples: &[Box<str>]) -> Option<String> {
    let mut prefix: Option<&str> = None;
    for example in examples {
        let letters = example.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (word, rest) = example.split_at(letters);
        if word.len() < 4 || rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match prefix {
            None => prefix = Some(word),
            Some(seen) if seen == word => {}
            Some(_) => return None,
        }
    }
    let word = prefix?;
    let mut buffer = word.to_ascii_lowercase();
    if route_word_tier(&buffer).is_some() {
        return None;
    }
    buffer = camel_case(word);
    Some(buffer)
}

fn unique(name: String, taken: &[String]) -> String {
    if !taken.contains(&name) {
        return name;
    }
    (2..).map(|n| format!("{name}{n}")).find(|candidate| !taken.contains(candidate)).unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singularises() {
        for (plural, singular) in [
            ("accounts", "account"),
            ("categories", "category"),
            ("addresses", "address"),
            ("statuses", "status"),
            ("status", "status"),
            ("people", "person"),
            ("boxes", "box"),
            ("matches", "match"),
            ("caches", "cache"),
            ("houses", "house"),
            ("bonuses", "bonus"),
            ("analyses", "analysis"),
            ("movies", "movie"),
            ("user", "user"),
            ("data", "data"),
            ("news", "news"),
            ("credit-cards", "credit-card"),
            ("SecurityQuestions", "SecurityQuestion"),
            ("Products", "Product"),
            ("USERS", "USER"),
            ("transactions", "transaction"),
            ("policies", "policy"),
            ("children", "child"),
            ("databases", "database"),
            ("me", "me"),
        ] {
            assert_eq!(singularize(plural), singular, "{plural}");
        }
    }

    #[test]
    fn camel_cases() {
        assert_eq!(camel_case("credit-card"), "creditCard");
        assert_eq!(camel_case("Product"), "product");
        assert_eq!(camel_case("account_access_consent"), "accountAccessConsent");
        assert_eq!(camel_case("SecurityQuestion"), "securityQuestion");
        assert_eq!(camel_case("API"), "api");
    }

    fn param(shape: SegmentShape) -> NamingSegment<'static> {
        NamingSegment::Param { shape, examples: &[] }
    }

    #[test]
    fn names_after_collection() {
        use NamingSegment::Literal;
        let names = param_names(&[
            Literal("v1"),
            Literal("accounts"),
            param(SegmentShape::Integer),
            Literal("transactions"),
            param(SegmentShape::Uuid),
        ]);
        assert_eq!(names, ["accountId", "transactionId"]);
        assert_eq!(param_names(&[Literal("credit-cards"), param(SegmentShape::Token)]), ["creditCardId"]);
        assert_eq!(param_names(&[Literal("categories"), param(SegmentShape::Integer)]), ["categoryId"]);
        assert_eq!(param_names(&[Literal("addresses"), param(SegmentShape::Integer)]), ["addressId"]);
        assert_eq!(param_names(&[param(SegmentShape::Integer)]), ["id"]);
        assert_eq!(param_names(&[Literal("v1"), param(SegmentShape::Integer)]), ["id"]);
        assert_eq!(
            param_names(&[Literal("api"), Literal("Products"), param(SegmentShape::Integer)]),
            ["productId"]
        );
        assert_eq!(param_names(&[Literal("statements"), param(SegmentShape::Date)]), ["date"]);
        assert_eq!(param_names(&[Literal("users"), Literal("v1"), param(SegmentShape::Mixed)]), ["username"]);
        assert_eq!(param_names(&[Literal("users"), param(SegmentShape::Integer)]), ["userId"]);
        assert_eq!(param_names(&[Literal("posts"), param(SegmentShape::Slug)]), ["postSlug"]);
        let prefixed_ids: &[Box<str>] = &["card_b43732c29a".into(), "card_997ac7a0ff".into()];
        assert_eq!(
            param_names(&[
                Literal("cards"),
                NamingSegment::Param { shape: SegmentShape::Slug, examples: prefixed_ids }
            ]),
            ["cardId"]
        );
    }

    #[test]
    fn consecutive_params_get_distinct_names() {
        use NamingSegment::Literal;
        let names = param_names(&[Literal("files"), param(SegmentShape::Uuid), param(SegmentShape::Integer)]);
        assert_eq!(names, ["fileId", "subId"]);
        let names = param_names(&[param(SegmentShape::Date), Literal("x"), param(SegmentShape::Date)]);
        assert_eq!(names, ["date", "date2"]);
        let names = param_names(&[
            Literal("a"),
            param(SegmentShape::Integer),
            Literal("a"),
            param(SegmentShape::Integer),
        ]);
        assert_eq!(names, ["aId", "aId2"]);
    }

    #[test]
    fn names_counters_after_their_word() {
        let examples: Vec<Box<str>> = vec!["bookTitle56".into(), "bookTitle7".into()];
        let names = param_names(&[
            NamingSegment::Literal("books"),
            NamingSegment::Literal("v1"),
            NamingSegment::Param { shape: SegmentShape::Mixed, examples: &examples },
        ]);
        assert_eq!(names, ["bookTitle"]);
    }
}
