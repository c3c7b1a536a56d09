//! What a check reports, and the RFC 9457 problem body the gateway sends back in block mode.

use serde::Serialize;
use serde_json::Value;

/// The kind of a violation; [`ViolationKind::id`] is the stable machine id used in logs, metrics,
/// problem bodies and per-route policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViolationKind {
    UnknownPath,
    MethodNotAllowed,
    MissingRequiredParameter,
    InvalidParameter,
    InvalidBody,
    UnsupportedMediaType,
    UndeclaredStatus,
    InvalidResponseBody,
    UndeclaredResponseProperty,
}

impl ViolationKind {
    pub const fn id(self) -> &'static str {
        match self {
            Self::UnknownPath => "unknown-path",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::MissingRequiredParameter => "missing-required-parameter",
            Self::InvalidParameter => "invalid-parameter",
            Self::InvalidBody => "invalid-body",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::UndeclaredStatus => "undeclared-status",
            Self::InvalidResponseBody => "invalid-response-body",
            Self::UndeclaredResponseProperty => "undeclared-response-property",
        }
    }
}

impl std::fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Where in the exchange the violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ViolationLocation {
    Path,
    Query,
    Header,
    Cookie,
    Body,
    Response,
}

/// One way a request or response departs from its declared operation.
///
/// `message` never contains the offending value itself, only its type and length: the value may
/// be a card number or a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub kind: ViolationKind,
    pub location: ViolationLocation,
    /// A JSON pointer into the body (`/amount/value`), a parameter name, or empty.
    pub pointer: String,
    pub message: String,
}

impl Violation {
    pub(crate) fn new(
        kind: ViolationKind,
        location: ViolationLocation,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self { kind, location, pointer: pointer.into(), message: message.into() }
    }
}

/// Media type of [`render_problem`] bodies.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// A rendered RFC 9457 problem response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: http::StatusCode,
    /// `application/problem+json` bytes.
    pub body: Vec<u8>,
}

/// The status a blocked request gets: 404 for an unknown path, 405 for a known path with another
/// method, 400 otherwise.
pub fn problem_status(violations: &[Violation]) -> http::StatusCode {
    if violations.iter().any(|v| v.kind == ViolationKind::UnknownPath) {
        http::StatusCode::NOT_FOUND
    } else if violations.iter().any(|v| v.kind == ViolationKind::MethodNotAllowed) {
        http::StatusCode::METHOD_NOT_ALLOWED
    } else {
        http::StatusCode::BAD_REQUEST
    }
}

/// Render the problem body for a blocked request. `instance` is typically the request id, so the
/// client can quote it to support without the gateway revealing anything else.
pub fn render_problem(violations: &[Violation], instance: Option<&str>) -> Problem {
    let status = problem_status(violations);
    let (problem_type, title, detail) = match status {
        http::StatusCode::NOT_FOUND => {
            ("urn:rampart:problem:unknown-path", "Not Found", "No declared operation matches this path.")
        }
        http::StatusCode::METHOD_NOT_ALLOWED => (
            "urn:rampart:problem:method-not-allowed",
            "Method Not Allowed",
            "The path is declared, but not for this method.",
        ),
        _ => (
            "urn:rampart:problem:request-validation",
            "Bad Request",
            "The request does not conform to the API specification.",
        ),
    };
    let mut problem = serde_json::Map::new();
    problem.insert("type".into(), Value::from(problem_type));
    problem.insert("title".into(), Value::from(title));
    problem.insert("status".into(), Value::from(status.as_u16()));
    problem.insert("detail".into(), Value::from(detail));
    if let Some(instance) = instance {
        problem.insert("instance".into(), Value::from(instance));
    }
    let errors: Vec<Value> = violations
        .iter()
        .map(|v| {
            serde_json::json!({
                "code": v.kind.id(),
                "location": v.location,
                "pointer": v.pointer,
                "detail": v.message,
            })
        })
        .collect();
    problem.insert("errors".into(), Value::Array(errors));
    // Serialising a map of strings and numbers cannot fail; an empty body is the safe fallback.
    let body = serde_json::to_vec(&Value::Object(problem)).unwrap_or_default();
    Problem { status, body }
}

/// Describe a value by its type and size only: never echo it.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer".into(),
        Value::Number(_) => "a number".into(),
        Value::String(s) => format!("a string of {} chars", s.chars().count()),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(o) => format!("an object with {} properties", o.len()),
    }
}

/// Names that come from the client (property names, parameter names) are shown, but bounded.
pub(crate) fn bounded(name: &str) -> String {
    const MAX: usize = 64;
    if name.len() <= MAX {
        return name.to_owned();
    }
    let mut end = MAX;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &name[..end])
}

/// RFC 6901 escaping of one pointer segment.
pub(crate) fn push_pointer_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    for c in bounded(segment).chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialise_to_their_ids() {
        for kind in [
            ViolationKind::UnknownPath,
            ViolationKind::MethodNotAllowed,
            ViolationKind::MissingRequiredParameter,
            ViolationKind::InvalidParameter,
            ViolationKind::InvalidBody,
            ViolationKind::UnsupportedMediaType,
            ViolationKind::UndeclaredStatus,
            ViolationKind::InvalidResponseBody,
            ViolationKind::UndeclaredResponseProperty,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), Value::from(kind.id()));
        }
    }

    #[test]
    fn problem_status_prefers_404_then_405() {
        let unknown = Violation::new(ViolationKind::UnknownPath, ViolationLocation::Path, "", "x");
        let method = Violation::new(ViolationKind::MethodNotAllowed, ViolationLocation::Path, "", "x");
        let body = Violation::new(ViolationKind::InvalidBody, ViolationLocation::Body, "/a", "x");
        assert_eq!(problem_status(&[body.clone(), unknown]), http::StatusCode::NOT_FOUND);
        assert_eq!(problem_status(&[body.clone(), method]), http::StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(problem_status(&[body]), http::StatusCode::BAD_REQUEST);
    }

    #[test]
    fn problem_body_is_rfc9457_json() {
        let v = Violation::new(
            ViolationKind::InvalidBody,
            ViolationLocation::Body,
            "/amount",
            "expected an object",
        );
        let problem = render_problem(&[v], Some("req-42"));
        let json: Value = serde_json::from_slice(&problem.body).unwrap();
        assert_eq!(json["status"], 400);
        assert_eq!(json["title"], "Bad Request");
        assert_eq!(json["instance"], "req-42");
        assert_eq!(json["errors"][0]["code"], "invalid-body");
        assert_eq!(json["errors"][0]["location"], "body");
        assert_eq!(json["errors"][0]["pointer"], "/amount");
    }

    #[test]
    fn descriptions_never_contain_the_value() {
        let pan = Value::from("4111111111111111");
        let text = describe(&pan);
        assert!(!text.contains("4111"), "{text}");
        assert_eq!(text, "a string of 16 chars");
    }

    #[test]
    fn pointer_segments_are_escaped_and_bounded() {
        let mut p = String::new();
        push_pointer_segment(&mut p, "a/b~c");
        assert_eq!(p, "/a~1b~0c");
        let long = "x".repeat(500);
        let mut p = String::new();
        push_pointer_segment(&mut p, &long);
        assert!(p.len() < 80);
    }
}
