//! The compiled positive model and the per-request / per-response checks.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use http::{HeaderMap, HeaderName, Method, StatusCode, Uri};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Draft, Validator};
use rampart_core::ParamLocation;
use rampart_openapi::{SpecDocument, SpecOperation, SpecParameter};
use serde_json::Value;

use crate::config::ValidateConfig;
use crate::error::BuildError;
use crate::params::{Coerce, cookie_pairs, percent_decode};
use crate::router::{Lookup, Router, TemplateSegment, match_pattern, parse_template};
use crate::schema::{Direction, Shape, accepts_any_string, form_fields, rewrite};
use crate::violation::{
    Violation, ViolationKind, ViolationLocation, bounded, describe, push_pointer_segment,
};

/// Index of a declared operation inside one [`SpecValidator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OperationId(u32);

impl OperationId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What the gateway may want to know about a matched operation (per-route policy, logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationInfo {
    pub method: Method,
    /// Full template including the server base path: `/v2/accounts/{accountId}`.
    pub template: String,
    pub operation_id: Option<String>,
    /// The spec file that declared it.
    pub spec_file: String,
    pub deprecated: bool,
}

/// Where a request path leads; borrows the validator (parameter names) and the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteMatch<'p> {
    Operation {
        operation: OperationId,
        /// Path parameters in template order, percent-decoded.
        path_params: Vec<(&'p str, Cow<'p, str>)>,
    },
    /// The path is declared, not for this method; `allowed` is for the `Allow` header.
    MethodNotAllowed {
        allowed: Vec<Method>,
    },
    Unknown,
}

/// The outcome of [`SpecValidator::check_request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestCheck {
    /// The matched operation, for per-route policy and for [`SpecValidator::check_response`].
    pub operation: Option<OperationId>,
    /// Methods declared for the path when the method was not (for an `Allow` header).
    pub allowed_methods: Vec<Method>,
    pub violations: Vec<Violation>,
}

impl RequestCheck {
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }
}

type SharedValidator = Arc<Validator>;

#[derive(Debug)]
struct CompiledParam {
    name: Box<str>,
    required: bool,
    header: Option<HeaderName>,
    coerce: Coerce,
    /// `None` when any text is acceptable.
    validator: Option<SharedValidator>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Json,
    Form,
    /// Declared but not inspected (multipart, octet-stream, XML, …).
    Opaque,
}

#[derive(Debug)]
struct CompiledBody {
    media: Box<str>,
    kind: BodyKind,
    validator: Option<SharedValidator>,
    form_fields: HashMap<Box<str>, Coerce>,
}

#[derive(Debug)]
struct CompiledMedia {
    media: Box<str>,
    json: bool,
    validator: Option<SharedValidator>,
    shape: Option<Arc<Shape>>,
}

#[derive(Debug, Default)]
struct CompiledResponses {
    exact: HashMap<u16, Vec<CompiledMedia>>,
    /// `1XX` … `5XX` at index 1 … 5.
    ranges: [Option<Vec<CompiledMedia>>; 6],
    default: Option<Vec<CompiledMedia>>,
}

#[derive(Debug)]
struct CompiledOperation {
    info: OperationInfo,
    segments: Vec<TemplateSegment>,
    path: Vec<CompiledParam>,
    query: Vec<CompiledParam>,
    headers: Vec<CompiledParam>,
    cookies: Vec<CompiledParam>,
    bodies: Vec<CompiledBody>,
    responses: CompiledResponses,
}

/// Every declared operation, routed and with its schemas compiled once.
///
/// Cheap to share: wrap it in an `Arc` and call it from every connection; nothing inside locks.
#[derive(Debug)]
pub struct SpecValidator {
    router: Router,
    operations: Vec<CompiledOperation>,
    config: ValidateConfig,
}

/// Header parameters that OpenAPI says are described elsewhere and must be ignored.
const IGNORED_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

struct Compiler<'a> {
    config: &'a ValidateConfig,
    cache: HashMap<String, SharedValidator>,
    shapes: HashMap<String, Arc<Shape>>,
}

impl Compiler<'_> {
    /// Compile a rewritten schema, sharing one validator between identical schemas (the
    /// `Problem` schema alone appears under every error response).
    fn compile(
        &mut self,
        schema: &Value,
        op: &SpecOperation,
        file: &str,
        part: impl FnOnce() -> String,
    ) -> Result<Option<SharedValidator>, BuildError> {
        let key = schema.to_string();
        if let Some(found) = self.cache.get(&key) {
            return Ok(Some(found.clone()));
        }
        let built = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(self.config.validate_formats)
            .should_ignore_unknown_formats(true)
            .build(schema);
        match built {
            Ok(validator) => {
                let validator = Arc::new(validator);
                self.cache.insert(key, validator.clone());
                Ok(Some(validator))
            }
            Err(error) => {
                let part = part();
                let message = error.to_string();
                if self.config.skip_invalid_schemas {
                    tracing::warn!(
                        file, method = %op.method, template = %op.template, part = %part, %message,
                        "schema does not compile; not validated"
                    );
                    Ok(None)
                } else {
                    Err(BuildError::Schema {
                        file: file.to_owned(),
                        method: op.method.clone(),
                        template: op.template.clone(),
                        part,
                        message,
                    })
                }
            }
        }
    }
}

impl SpecValidator {
    /// Load `config.specs` with rampart-openapi and compile them.
    pub fn from_config(config: ValidateConfig) -> Result<Self, BuildError> {
        config.validate()?;
        let mut specs = Vec::with_capacity(config.specs.len());
        for path in &config.specs {
            let spec = rampart_openapi::load_spec(path)
                .map_err(|source| BuildError::Spec { path: path.clone(), source })?;
            specs.push(spec);
        }
        Self::new(&specs, config)
    }

    /// Compile already loaded specs (`config.specs` is not read).
    pub fn new(specs: &[SpecDocument], config: ValidateConfig) -> Result<Self, BuildError> {
        config.validate()?;
        let mut compiler = Compiler { config: &config, cache: HashMap::new(), shapes: HashMap::new() };
        let mut router = Router::default();
        let mut operations = Vec::new();
        for spec in specs {
            let openapi_30 = spec.openapi_version.starts_with("3.0");
            for op in &spec.operations {
                let method = Method::from_bytes(op.method.as_bytes()).map_err(|_| BuildError::Operation {
                    file: spec.file.clone(),
                    method: op.method.clone(),
                    template: op.template.clone(),
                    message: "not an HTTP method".into(),
                })?;
                let index = operations.len();
                let segments = parse_template(&op.template);
                if let Some(kept) = router.insert(method.clone(), &segments, index) {
                    let kept: &CompiledOperation = &operations[kept];
                    tracing::warn!(
                        file = %spec.file,
                        method = %op.method,
                        template = %op.template,
                        kept = %kept.info.template,
                        "operation shadowed by an earlier one with the same method and path shape"
                    );
                    continue;
                }
                let compiled = compile_operation(&mut compiler, spec, op, method, segments, openapi_30)?;
                operations.push(compiled);
            }
        }
        let schemas = compiler.cache.len();
        tracing::info!(operations = operations.len(), distinct_schemas = schemas, "positive model compiled");
        Ok(Self { router, operations, config })
    }

    pub fn operation_count(&self) -> usize {
        self.operations.len()
    }

    pub fn operation(&self, id: OperationId) -> Option<&OperationInfo> {
        self.operations.get(id.index()).map(|op| &op.info)
    }

    /// Every operation with its id, in declaration order (for building per-route policy).
    pub fn operations(&self) -> impl Iterator<Item = (OperationId, &OperationInfo)> {
        self.operations.iter().enumerate().map(|(i, op)| (OperationId(i as u32), &op.info))
    }

    /// Route a request path (without the query string) to its operation.
    pub fn route<'a>(&'a self, method: &Method, path: &'a str) -> RouteMatch<'a> {
        let path = self.normalize(path);
        match self.router.lookup(method, path) {
            Lookup::Found(index) => {
                let path_params = extract_path_params(&self.operations[index].segments, path);
                RouteMatch::Operation { operation: OperationId(index as u32), path_params }
            }
            Lookup::WrongMethod(allowed) => RouteMatch::MethodNotAllowed { allowed },
            Lookup::NotFound => RouteMatch::Unknown,
        }
    }

    fn normalize<'p>(&self, path: &'p str) -> &'p str {
        if self.config.ignore_trailing_slash && path.len() > 1 {
            path.strip_suffix('/').unwrap_or(path)
        } else {
            path
        }
    }

    /// Route and check a request; `body` is the whole (already size-limited, decoded) body.
    pub fn check_request(&self, parts: &http::request::Parts, body: &[u8]) -> RequestCheck {
        self.check(&parts.method, &parts.uri, &parts.headers, body)
    }

    /// [`Self::check_request`] without an `http::request::Parts`.
    pub fn check(&self, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> RequestCheck {
        let mut violations = Vec::new();
        let (operation, path_params) = match self.route(method, uri.path()) {
            RouteMatch::Operation { operation, path_params } => (operation, path_params),
            RouteMatch::MethodNotAllowed { allowed } => {
                let list: Vec<&str> = allowed.iter().map(Method::as_str).collect();
                violations.push(Violation::new(
                    ViolationKind::MethodNotAllowed,
                    ViolationLocation::Path,
                    "",
                    format!(
                        "method {} is not declared for this path (declared: {})",
                        bounded(method.as_str()),
                        list.join(", ")
                    ),
                ));
                return RequestCheck { operation: None, allowed_methods: allowed, violations };
            }
            RouteMatch::Unknown => {
                violations.push(Violation::new(
                    ViolationKind::UnknownPath,
                    ViolationLocation::Path,
                    "",
                    "no declared operation matches this path",
                ));
                return RequestCheck { operation: None, allowed_methods: Vec::new(), violations };
            }
        };
        let op = &self.operations[operation.index()];
        let limit = self.config.max_violations;

        for param in &op.path {
            let value = path_params.iter().find(|(name, _)| **name == *param.name).map(|(_, v)| v);
            match value {
                Some(text) => {
                    check_param(param, ViolationLocation::Path, &[Cow::Borrowed(&**text)], &mut violations)
                }
                None => missing(param, ViolationLocation::Path, &mut violations),
            }
        }
        if !op.query.is_empty() {
            check_query(op, uri.query().unwrap_or(""), &mut violations);
        }
        for param in &op.headers {
            let Some(name) = &param.header else { continue };
            let mut values = headers.get_all(name).iter().peekable();
            if values.peek().is_none() {
                missing(param, ViolationLocation::Header, &mut violations);
                continue;
            }
            let texts: Result<Vec<Cow<'_, str>>, _> = values.map(|v| v.to_str().map(Cow::Borrowed)).collect();
            match texts {
                Ok(texts) => check_param(param, ViolationLocation::Header, &texts, &mut violations),
                Err(_) => violations.push(Violation::new(
                    ViolationKind::InvalidParameter,
                    ViolationLocation::Header,
                    &*param.name,
                    "header value is not visible ASCII",
                )),
            }
        }
        if !op.cookies.is_empty() {
            check_cookies(op, headers, &mut violations);
        }
        if violations.len() < limit {
            self.check_body(op, headers, body, &mut violations);
        }
        violations.truncate(limit);
        RequestCheck { operation: Some(operation), allowed_methods: Vec::new(), violations }
    }

    fn check_body(&self, op: &CompiledOperation, headers: &HeaderMap, body: &[u8], out: &mut Vec<Violation>) {
        let limit = self.config.max_violations;
        if body.is_empty() {
            if !op.bodies.is_empty() && self.config.require_declared_request_body {
                out.push(Violation::new(
                    ViolationKind::InvalidBody,
                    ViolationLocation::Body,
                    "",
                    "request body is required",
                ));
            }
            return;
        }
        if op.bodies.is_empty() {
            out.push(Violation::new(
                ViolationKind::UnsupportedMediaType,
                ViolationLocation::Body,
                "",
                "the operation declares no request body",
            ));
            return;
        }
        let Some(essence) = content_type_essence(headers) else {
            out.push(Violation::new(
                ViolationKind::UnsupportedMediaType,
                ViolationLocation::Header,
                "content-type",
                "a body was sent without a usable Content-Type",
            ));
            return;
        };
        let Some(declared) = find_media(&op.bodies, &essence, |b| &b.media) else {
            let list: Vec<&str> = op.bodies.iter().map(|b| &*b.media).collect();
            out.push(Violation::new(
                ViolationKind::UnsupportedMediaType,
                ViolationLocation::Header,
                "content-type",
                format!("media type {} is not declared (declared: {})", bounded(&essence), list.join(", ")),
            ));
            return;
        };
        let kind = match declared.kind {
            // A wildcard declaration takes what the request says it is.
            BodyKind::Opaque if is_json(&essence) => BodyKind::Json,
            kind => kind,
        };
        let instance = match kind {
            BodyKind::Opaque => return,
            BodyKind::Json => match serde_json::from_slice::<Value>(body) {
                Ok(value) => value,
                Err(e) => {
                    out.push(Violation::new(
                        ViolationKind::InvalidBody,
                        ViolationLocation::Body,
                        "",
                        format!("malformed JSON at line {} column {}", e.line(), e.column()),
                    ));
                    return;
                }
            },
            BodyKind::Form => form_to_json(body, &declared.form_fields),
        };
        if let Some(validator) = &declared.validator {
            schema_violations(
                validator,
                &instance,
                ViolationKind::InvalidBody,
                ViolationLocation::Body,
                limit,
                out,
            );
        }
    }

    /// Check a response of `operation` (from [`RequestCheck::operation`]). `body` must already be
    /// decompressed; a body with a `Content-Encoding` other than identity is not inspected.
    pub fn check_response(
        &self,
        operation: OperationId,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        let Some(op) = self.operations.get(operation.index()) else { return out };
        let code = status.as_u16();
        let declared = op
            .responses
            .exact
            .get(&code)
            .or_else(|| op.responses.ranges.get(usize::from(code / 100)).and_then(Option::as_ref))
            .or(op.responses.default.as_ref());
        let Some(media) = declared else {
            out.push(Violation::new(
                ViolationKind::UndeclaredStatus,
                ViolationLocation::Response,
                "",
                format!("status {code} is not declared for this operation"),
            ));
            return out;
        };
        if body.is_empty() || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
            return out;
        }
        let encoded = headers
            .get(http::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| !v.trim().eq_ignore_ascii_case("identity"));
        if encoded {
            return out;
        }
        if media.is_empty() {
            out.push(Violation::new(
                ViolationKind::InvalidResponseBody,
                ViolationLocation::Response,
                "",
                format!("status {code} declares no body, but one was sent"),
            ));
            return out;
        }
        let essence = content_type_essence(headers).unwrap_or_default();
        let Some(declared) = find_media(media, &essence, |m| &m.media) else {
            out.push(Violation::new(
                ViolationKind::InvalidResponseBody,
                ViolationLocation::Response,
                "",
                format!("media type {} is not declared for status {code}", bounded(&essence)),
            ));
            return out;
        };
        if !(declared.json || is_json(&essence)) {
            return out;
        }
        let instance = match serde_json::from_slice::<Value>(body) {
            Ok(value) => value,
            Err(e) => {
                out.push(Violation::new(
                    ViolationKind::InvalidResponseBody,
                    ViolationLocation::Response,
                    "",
                    format!("malformed JSON at line {} column {}", e.line(), e.column()),
                ));
                return out;
            }
        };
        let limit = self.config.max_violations;
        if let Some(validator) = &declared.validator {
            schema_violations(
                validator,
                &instance,
                ViolationKind::InvalidResponseBody,
                ViolationLocation::Response,
                limit,
                &mut out,
            );
        }
        if let Some(shape) = &declared.shape {
            let mut pointers = Vec::new();
            shape.undeclared(&instance, &mut String::new(), &mut pointers, limit);
            for pointer in pointers {
                if out.len() >= limit {
                    break;
                }
                if out
                    .iter()
                    .any(|v| v.kind == ViolationKind::UndeclaredResponseProperty && v.pointer == pointer)
                {
                    continue;
                }
                out.push(Violation::new(
                    ViolationKind::UndeclaredResponseProperty,
                    ViolationLocation::Response,
                    pointer,
                    "property is not declared in the response schema",
                ));
            }
        }
        out
    }
}

fn compile_operation(
    compiler: &mut Compiler<'_>,
    spec: &SpecDocument,
    op: &SpecOperation,
    method: Method,
    segments: Vec<TemplateSegment>,
    openapi_30: bool,
) -> Result<CompiledOperation, BuildError> {
    let mut path = Vec::new();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    let mut cookies = Vec::new();
    for param in &op.parameters {
        let compiled = compile_param(compiler, param, op, &spec.file, openapi_30)?;
        match param.location {
            ParamLocation::Path => path.push(compiled),
            ParamLocation::Query => query.push(compiled),
            ParamLocation::Header => {
                let lower = param.name.to_ascii_lowercase();
                if IGNORED_HEADERS.contains(&lower.as_str()) {
                    continue;
                }
                match HeaderName::from_bytes(lower.as_bytes()) {
                    Ok(name) => headers.push(CompiledParam { header: Some(name), ..compiled }),
                    Err(_) => tracing::warn!(
                        file = %spec.file, template = %op.template, header = %param.name,
                        "header parameter name is not a valid HTTP header name; not checked"
                    ),
                }
            }
            ParamLocation::Cookie => cookies.push(compiled),
        }
    }
    // Template variables without a parameter object are still routed; they are plain strings.
    let declared: Vec<&str> = path.iter().map(|p| &*p.name).collect();
    let mut undeclared = Vec::new();
    for name in template_param_names(&segments) {
        if !declared.contains(&name) {
            undeclared.push(name.to_owned());
        }
    }
    for name in undeclared {
        path.push(CompiledParam {
            name: name.into(),
            required: true,
            header: None,
            coerce: Coerce::String,
            validator: None,
        });
    }

    let mut bodies = Vec::new();
    for (media, schema) in &op.request_body {
        let media = media.trim().to_ascii_lowercase();
        let kind = if is_json(&media) {
            BodyKind::Json
        } else if media == "application/x-www-form-urlencoded" {
            BodyKind::Form
        } else {
            BodyKind::Opaque
        };
        let rewritten = rewrite(schema, openapi_30, Direction::Request);
        let validator = if kind == BodyKind::Opaque && !media.contains('*') {
            None
        } else {
            compiler.compile(&rewritten, op, &spec.file, || format!("request body {media}"))?
        };
        let mut fields = HashMap::new();
        if kind == BodyKind::Form {
            form_fields(&rewritten, &mut fields);
        }
        bodies.push(CompiledBody { media: media.into(), kind, validator, form_fields: fields });
    }

    let mut responses = CompiledResponses::default();
    for (key, content) in &op.responses {
        let mut media_list = Vec::new();
        for (media, schema) in content {
            let media = media.trim().to_ascii_lowercase();
            let json = is_json(&media);
            let (validator, shape) = if json || media.contains('*') {
                let rewritten = rewrite(schema, openapi_30, Direction::Response);
                let validator =
                    compiler.compile(&rewritten, op, &spec.file, || format!("response {key} {media}"))?;
                let shape = if compiler.config.strict_response_properties {
                    let cache_key = rewritten.to_string();
                    let shape = compiler
                        .shapes
                        .entry(cache_key)
                        .or_insert_with(|| Arc::new(Shape::of(&rewritten)))
                        .clone();
                    Some(shape)
                } else {
                    None
                };
                (validator, shape)
            } else {
                (None, None)
            };
            media_list.push(CompiledMedia { media: media.into(), json, validator, shape });
        }
        let bytes = key.as_bytes();
        if key == "default" {
            responses.default = Some(media_list);
        } else if let Ok(code) = key.parse::<u16>() {
            responses.exact.insert(code, media_list);
        } else if bytes.len() == 3 && (b'1'..=b'5').contains(&bytes[0]) && &bytes[1..] == b"XX" {
            responses.ranges[usize::from(bytes[0] - b'0')] = Some(media_list);
        } else {
            tracing::warn!(file = %spec.file, template = %op.template, status = %key, "response key is not a status code, range or default; ignored");
        }
    }

    Ok(CompiledOperation {
        info: OperationInfo {
            method,
            template: op.template.clone(),
            operation_id: op.operation_id.clone(),
            spec_file: spec.file.clone(),
            deprecated: op.deprecated,
        },
        segments,
        path,
        query,
        headers,
        cookies,
        bodies,
        responses,
    })
}

fn compile_param(
    compiler: &mut Compiler<'_>,
    param: &SpecParameter,
    op: &SpecOperation,
    file: &str,
    openapi_30: bool,
) -> Result<CompiledParam, BuildError> {
    let schema = rewrite(&param.schema, openapi_30, Direction::Request);
    let validator = if accepts_any_string(&schema) {
        None
    } else {
        compiler.compile(&schema, op, file, || format!("parameter {}", param.name))?
    };
    Ok(CompiledParam {
        name: param.name.as_str().into(),
        required: param.required,
        header: None,
        coerce: Coerce::from_schema(&schema),
        validator,
    })
}

fn template_param_names(segments: &[TemplateSegment]) -> Vec<&str> {
    let mut names = Vec::new();
    for segment in segments {
        match segment {
            TemplateSegment::Param(name) => names.push(&**name),
            TemplateSegment::Pattern(pieces) => {
                for piece in pieces {
                    if let crate::router::PatternPiece::Param(name) = piece {
                        names.push(&**name);
                    }
                }
            }
            TemplateSegment::Literal(_) => {}
        }
    }
    names
}

fn extract_path_params<'s, 'p>(
    segments: &'s [TemplateSegment],
    path: &'p str,
) -> Vec<(&'s str, Cow<'p, str>)> {
    let mut out = Vec::new();
    let rest = path.strip_prefix('/').unwrap_or(path);
    let mut concrete = rest.split('/');
    for segment in segments {
        let Some(text) = concrete.next() else { break };
        match segment {
            TemplateSegment::Literal(_) => {}
            TemplateSegment::Param(name) => out.push((&**name, percent_decode(text))),
            TemplateSegment::Pattern(pieces) => {
                let decoded = percent_decode(text);
                let mut scratch = Vec::new();
                if match_pattern(pieces, &decoded, &mut scratch) {
                    let names = pieces.iter().filter_map(|p| match p {
                        crate::router::PatternPiece::Param(name) => Some(&**name),
                        crate::router::PatternPiece::Literal(_) => None,
                    });
                    for (name, value) in names.zip(scratch.iter()) {
                        out.push((name, Cow::Owned((*value).to_owned())));
                    }
                }
            }
        }
    }
    out
}

fn missing(param: &CompiledParam, location: ViolationLocation, out: &mut Vec<Violation>) {
    if param.required {
        out.push(Violation::new(
            ViolationKind::MissingRequiredParameter,
            location,
            &*param.name,
            "required parameter is missing",
        ));
    }
}

fn check_param(
    param: &CompiledParam,
    location: ViolationLocation,
    texts: &[Cow<'_, str>],
    out: &mut Vec<Violation>,
) {
    let Some(validator) = &param.validator else { return };
    let value = param.coerce.values(texts);
    if validator.is_valid(&value) {
        return;
    }
    // One violation per parameter: the first reason is enough to act on.
    if let Some(error) = validator.iter_errors(&value).next() {
        out.push(Violation::new(
            ViolationKind::InvalidParameter,
            location,
            &*param.name,
            error_message(error.kind(), error.instance()),
        ));
    }
}

fn check_query(op: &CompiledOperation, query: &str, out: &mut Vec<Violation>) {
    let mut found: Vec<(usize, Cow<'_, str>)> = Vec::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if let Some(index) = op.query.iter().position(|p| *p.name == *key) {
            found.push((index, value));
        }
    }
    let mut texts = Vec::new();
    for (index, param) in op.query.iter().enumerate() {
        texts.clear();
        texts.extend(found.iter().filter(|(i, _)| *i == index).map(|(_, v)| Cow::Borrowed(&**v)));
        if texts.is_empty() {
            missing(param, ViolationLocation::Query, out);
        } else {
            check_param(param, ViolationLocation::Query, &texts, out);
        }
    }
}

fn check_cookies(op: &CompiledOperation, headers: &HeaderMap, out: &mut Vec<Violation>) {
    let mut found: Vec<(usize, Cow<'_, str>)> = Vec::new();
    for header in headers.get_all(http::header::COOKIE) {
        let Ok(text) = header.to_str() else { continue };
        for (name, value) in cookie_pairs(text) {
            if let Some(index) = op.cookies.iter().position(|p| *p.name == *name) {
                found.push((index, percent_decode(value)));
            }
        }
    }
    for (index, param) in op.cookies.iter().enumerate() {
        match found.iter().find(|(i, _)| *i == index) {
            Some((_, value)) => {
                check_param(param, ViolationLocation::Cookie, std::slice::from_ref(value), out)
            }
            None => missing(param, ViolationLocation::Cookie, out),
        }
    }
}

fn form_to_json(body: &[u8], fields: &HashMap<Box<str>, Coerce>) -> Value {
    let mut map = serde_json::Map::new();
    for (key, value) in form_urlencoded::parse(body) {
        let coerce = fields.get(&*key);
        match coerce {
            Some(Coerce::Array(items)) => {
                let entry = map.entry(key.into_owned()).or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = entry {
                    list.push(items.scalar(&value));
                }
            }
            Some(coerce) => {
                // Repeated scalars: the first one counts, as most form parsers do.
                map.entry(key.into_owned()).or_insert_with(|| coerce.scalar(&value));
            }
            None => {
                map.entry(key.into_owned()).or_insert_with(|| Value::String(value.into_owned()));
            }
        }
    }
    Value::Object(map)
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

fn content_type_essence(headers: &HeaderMap) -> Option<String> {
    let text = headers.get(http::header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = text.split(';').next()?.trim();
    (!essence.is_empty()).then(|| essence.to_ascii_lowercase())
}

/// Exact media type first, then `type/*`, then `*/*`.
fn find_media<'a, T>(declared: &'a [T], essence: &str, media: impl Fn(&T) -> &str) -> Option<&'a T> {
    if let Some(found) = declared.iter().find(|d| media(d) == essence) {
        return Some(found);
    }
    let major = essence.split('/').next().unwrap_or("");
    declared
        .iter()
        .find(|d| media(d).strip_suffix("/*").is_some_and(|m| m == major))
        .or_else(|| declared.iter().find(|d| media(d) == "*/*"))
}

fn schema_violations(
    validator: &Validator,
    instance: &Value,
    kind: ViolationKind,
    location: ViolationLocation,
    limit: usize,
    out: &mut Vec<Violation>,
) {
    if validator.is_valid(instance) {
        return;
    }
    for error in validator.iter_errors(instance) {
        if out.len() >= limit {
            return;
        }
        let base = error.instance_path().as_str();
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let mut pointer = base.to_owned();
                push_pointer_segment(&mut pointer, property.as_str().unwrap_or(""));
                out.push(Violation::new(kind, location, pointer, "required property is missing"));
            }
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                let (kind, message) = if location == ViolationLocation::Response {
                    (
                        ViolationKind::UndeclaredResponseProperty,
                        "property is not declared in the response schema",
                    )
                } else {
                    (kind, "property is not declared (additionalProperties is false)")
                };
                for name in unexpected {
                    if out.len() >= limit {
                        return;
                    }
                    let mut pointer = base.to_owned();
                    push_pointer_segment(&mut pointer, name);
                    out.push(Violation::new(kind, location, pointer, message));
                }
            }
            other => {
                out.push(Violation::new(kind, location, base, error_message(other, error.instance())));
            }
        }
    }
}

/// A short reason built from the error kind, never from the value (jsonschema's own messages
/// quote the instance, which may be a card number).
fn error_message(kind: &ValidationErrorKind, instance: &Value) -> String {
    let got = describe(instance);
    let mut message = String::new();
    // Writing into a String cannot fail.
    let _ = match kind {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" or "),
            };
            write!(message, "expected {expected}, got {got}")
        }
        ValidationErrorKind::Enum { .. } => write!(message, "not one of the allowed values (got {got})"),
        ValidationErrorKind::Constant { .. } => write!(message, "not the required constant (got {got})"),
        ValidationErrorKind::Pattern { pattern } => {
            write!(message, "does not match pattern {}", bounded(pattern))
        }
        ValidationErrorKind::Format { format } => write!(message, "not a valid {format} (got {got})"),
        ValidationErrorKind::MinLength { limit } => write!(message, "shorter than {limit} chars (got {got})"),
        ValidationErrorKind::MaxLength { limit } => write!(message, "longer than {limit} chars (got {got})"),
        ValidationErrorKind::Minimum { limit } => write!(message, "less than the minimum {limit}"),
        ValidationErrorKind::Maximum { limit } => write!(message, "more than the maximum {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => write!(message, "not more than {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => write!(message, "not less than {limit}"),
        ValidationErrorKind::MultipleOf { .. } => write!(message, "not a multiple of the declared step"),
        ValidationErrorKind::MinItems { limit } => write!(message, "fewer than {limit} items (got {got})"),
        ValidationErrorKind::MaxItems { limit } => write!(message, "more than {limit} items (got {got})"),
        ValidationErrorKind::MinProperties { limit } => write!(message, "fewer than {limit} properties"),
        ValidationErrorKind::MaxProperties { limit } => write!(message, "more than {limit} properties"),
        ValidationErrorKind::UniqueItems => write!(message, "items are not unique"),
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            write!(message, "matches none of the allowed schemas (got {got})")
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            write!(message, "matches more than one exclusive schema")
        }
        ValidationErrorKind::FalseSchema => write!(message, "no value is allowed here"),
        ValidationErrorKind::Not { .. } => write!(message, "matches a schema it must not match"),
        other => write!(message, "violates {}", other.keyword()),
    };
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_match_exact_then_wildcards() {
        let declared = ["application/json", "text/*", "*/*"];
        let pick = |e: &str| find_media(&declared, e, |d| d).copied();
        assert_eq!(pick("application/json"), Some("application/json"));
        assert_eq!(pick("text/plain"), Some("text/*"));
        assert_eq!(pick("image/png"), Some("*/*"));
        let only_json = ["application/json"];
        assert_eq!(find_media(&only_json, "application/xml", |d| d), None);
    }

    #[test]
    fn content_type_parameters_are_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::CONTENT_TYPE, "Application/JSON; charset=utf-8".parse().unwrap());
        assert_eq!(content_type_essence(&headers).as_deref(), Some("application/json"));
        assert!(is_json("application/vnd.demo-bank.payment+json"));
        assert!(!is_json("application/jsonp"));
    }

    #[test]
    fn form_bodies_are_typed_by_the_schema() {
        let mut fields = HashMap::new();
        fields.insert("amount".into(), Coerce::Number);
        fields.insert("tags".into(), Coerce::Array(Box::new(Coerce::String)));
        let value = form_to_json(b"amount=12.5&tags=a&tags=b&note=hi+there&amount=99", &fields);
        assert_eq!(value, serde_json::json!({"amount": 12.5, "tags": ["a", "b"], "note": "hi there"}));
    }

    #[test]
    fn error_messages_describe_without_echoing() {
        let pan = Value::from("4111111111111111");
        let msg = error_message(&ValidationErrorKind::Pattern { pattern: "^\\d{4}$".into() }, &pan);
        assert!(!msg.contains("4111111111111111"));
        let msg =
            error_message(&ValidationErrorKind::Enum { options: Arc::new(serde_json::json!(["A"])) }, &pan);
        assert_eq!(msg, "not one of the allowed values (got a string of 16 chars)");
    }
}
