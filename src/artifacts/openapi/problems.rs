//! The RFC 9457 problem types of SERVICE-CONTRACT.md section 3: the `Problem` schema and one
//! reusable response per kind of failure, each with an example of every problem it may carry.

use serde_json::{Map, Value, json};

use crate::model::{RuleAction, Service};

/// One problem type: its slug (appended to `http.problem_base_uri`), status and fixed title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ProblemType {
    pub slug: &'static str,
    pub status: u16,
    pub title: &'static str,
}

/// The `type` of a 429: the IANA-registered problem type, not one of the service's own.
pub const QUOTA_EXCEEDED_TYPE: &str = "https://iana.org/assignments/http-problem-types#quota-exceeded";

/// Every problem type a service produces, in the order of SERVICE-CONTRACT.md section 3. The
/// 429's slug is only a key here: its `type` is [`QUOTA_EXCEEDED_TYPE`].
pub const PROBLEM_TYPES: &[ProblemType] = &[
    ProblemType { slug: "malformed-request", status: 400, title: "Malformed request" },
    ProblemType { slug: "invalid-parameter", status: 400, title: "Invalid parameter" },
    ProblemType { slug: "idempotency-key-missing", status: 400, title: "Idempotency key missing" },
    ProblemType { slug: "idempotency-key-invalid", status: 400, title: "Idempotency key invalid" },
    ProblemType { slug: "unauthorized", status: 401, title: "Unauthorized" },
    ProblemType { slug: "invalid-signature", status: 401, title: "Invalid signature" },
    ProblemType { slug: "forbidden", status: 403, title: "Forbidden" },
    ProblemType { slug: "not-found", status: 404, title: "Not found" },
    ProblemType { slug: "method-not-allowed", status: 405, title: "Method not allowed" },
    ProblemType { slug: "idempotency-key-in-use", status: 409, title: "Idempotency key in use" },
    ProblemType { slug: "conflict", status: 409, title: "Conflict" },
    ProblemType { slug: "precondition-failed", status: 412, title: "Precondition failed" },
    ProblemType { slug: "payload-too-large", status: 413, title: "Payload too large" },
    ProblemType { slug: "unsupported-media-type", status: 415, title: "Unsupported media type" },
    ProblemType { slug: "validation-error", status: 422, title: "Validation error" },
    ProblemType { slug: "idempotency-key-reused", status: 422, title: "Idempotency key reused" },
    ProblemType { slug: "rule-rejected", status: 422, title: "Rule rejected" },
    ProblemType { slug: "quota-exceeded", status: 429, title: "Quota exceeded" },
    ProblemType { slug: "internal-error", status: 500, title: "Internal error" },
    ProblemType { slug: "dependency-unavailable", status: 503, title: "Dependency unavailable" },
    ProblemType { slug: "timeout", status: 503, title: "Timeout" },
];

/// A reusable problem response: the key in `components.responses` that operations refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A bad query parameter: the only 400 a read can produce.
    InvalidParameter,
    /// A body that is not JSON, or a missing or invalid idempotency key.
    BadRequest,
    Unauthorized,
    InvalidSignature,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    UnprocessableContent,
    TooManyRequests,
    InternalError,
    ServiceUnavailable,
}

impl Failure {
    const ALL: [Failure; 15] = [
        Self::InvalidParameter,
        Self::BadRequest,
        Self::Unauthorized,
        Self::InvalidSignature,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::PreconditionFailed,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::UnprocessableContent,
        Self::TooManyRequests,
        Self::InternalError,
        Self::ServiceUnavailable,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::InvalidParameter => "InvalidParameter",
            Self::BadRequest => "BadRequest",
            Self::Unauthorized => "Unauthorized",
            Self::InvalidSignature => "InvalidSignature",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "NotFound",
            Self::MethodNotAllowed => "MethodNotAllowed",
            Self::Conflict => "Conflict",
            Self::PreconditionFailed => "PreconditionFailed",
            Self::PayloadTooLarge => "PayloadTooLarge",
            Self::UnsupportedMediaType => "UnsupportedMediaType",
            Self::UnprocessableContent => "UnprocessableContent",
            Self::TooManyRequests => "TooManyRequests",
            Self::InternalError => "InternalError",
            Self::ServiceUnavailable => "ServiceUnavailable",
        }
    }

    pub(crate) fn status(self) -> u16 {
        match self {
            Self::InvalidParameter | Self::BadRequest => 400,
            Self::Unauthorized | Self::InvalidSignature => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict => 409,
            Self::PreconditionFailed => 412,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::UnprocessableContent => 422,
            Self::TooManyRequests => 429,
            Self::InternalError => 500,
            Self::ServiceUnavailable => 503,
        }
    }

    fn description(self) -> &'static str {
        match self {
            Self::InvalidParameter => "A query parameter (`limit`, `cursor`, a filter) is invalid; `errors` names each one.",
            Self::BadRequest => "The body is not a JSON object, or the `Idempotency-Key` header is missing or invalid.",
            Self::Unauthorized => "No valid bearer token was sent.",
            Self::InvalidSignature => "The Standard Webhooks signature or timestamp does not verify.",
            Self::Forbidden => "The token lacks the scope this operation requires.",
            Self::NotFound => "No such resource, or the id is not a valid UUID.",
            Self::MethodNotAllowed => "The path exists but not with this method; `Allow` lists the methods it has.",
            Self::Conflict => {
                "A unique field already holds this value, the row is still referenced, or a request with the same \
                 `Idempotency-Key` is still in flight (retry after `Retry-After`)."
            }
            Self::PreconditionFailed => "`If-Match` does not match the current `ETag`.",
            Self::PayloadTooLarge => "The body exceeds the service's body limit.",
            Self::UnsupportedMediaType => "The body's `Content-Type` is not one this operation accepts.",
            Self::UnprocessableContent => {
                "The body fails validation (every failing field is listed in `errors`), a domain rule rejects it, or the \
                 `Idempotency-Key` was already used with a different body."
            }
            Self::TooManyRequests => "The caller's rate limit is exhausted; retry after `Retry-After` seconds.",
            Self::InternalError => "An unexpected error; it is logged with the request id.",
            Self::ServiceUnavailable => "A dependency is unavailable or a deadline passed; retry after `Retry-After` seconds.",
        }
    }

    /// The headers the response carries beyond `X-Request-Id`.
    fn headers(self) -> &'static [&'static str] {
        match self {
            Self::Unauthorized => &["WWW-Authenticate"],
            Self::MethodNotAllowed => &["Allow"],
            Self::Conflict | Self::ServiceUnavailable => &["Retry-After"],
            Self::TooManyRequests => &["Retry-After", "RateLimit", "RateLimit-Policy"],
            _ => &[],
        }
    }
}

/// A `$ref` to the reusable response of `failure`.
pub(crate) fn response_ref(failure: Failure) -> Value {
    json!({ "$ref": format!("#/components/responses/{}", failure.name()) })
}

/// The `Problem` and `ProblemError` schemas.
pub(crate) fn schemas(schemas: &mut Map<String, Value>) {
    schemas.insert(
        "Problem".into(),
        json!({
            "type": "object",
            "description": "An RFC 9457 problem: the body of every 4xx and 5xx response.",
            "required": ["type", "title", "status", "detail", "instance", "request_id"],
            "properties": {
                "type": { "type": "string", "format": "uri", "description": "Identifies the problem type; fixed per type." },
                "title": { "type": "string", "description": "A short summary, fixed per type." },
                "status": { "type": "integer", "minimum": 400, "maximum": 599, "description": "The HTTP status code." },
                "detail": { "type": "string", "description": "What went wrong with this request." },
                "instance": { "type": "string", "format": "uri-reference", "description": "The request path." },
                "request_id": { "type": "string", "description": "The request's `X-Request-Id`." },
                "errors": {
                    "type": "array",
                    "description": "Every failing field (`pointer`) or parameter (`parameter`), all at once.",
                    "items": { "$ref": "#/components/schemas/ProblemError" }
                },
                "rule": { "type": "string", "description": "The rule that rejected the request (`rule-rejected` only)." }
            }
        }),
    );
    schemas.insert(
        "ProblemError".into(),
        json!({
            "type": "object",
            "required": ["detail"],
            "properties": {
                "pointer": { "type": "string", "description": "A JSON pointer into the body, as a URI fragment (`#/amount`)." },
                "parameter": { "type": "string", "description": "The query parameter or header at fault." },
                "detail": { "type": "string" }
            },
            "oneOf": [{ "required": ["pointer"] }, { "required": ["parameter"] }]
        }),
    );
}

/// `components.responses`: one per [`Failure`], plus `NotModified`.
pub(crate) fn responses(service: &Service) -> Value {
    let mut responses = Map::new();
    for failure in Failure::ALL {
        responses.insert(failure.name().into(), response(service, failure));
    }
    responses.insert(
        "NotModified".into(),
        json!({
            "description": "The representation has not changed since the `ETag` in `If-None-Match`.",
            "headers": {
                "ETag": { "$ref": "#/components/headers/ETag" },
                "X-Request-Id": { "$ref": "#/components/headers/X-Request-Id" }
            }
        }),
    );
    Value::Object(responses)
}

fn response(service: &Service, failure: Failure) -> Value {
    let mut headers = Map::new();
    headers.insert("X-Request-Id".into(), json!({ "$ref": "#/components/headers/X-Request-Id" }));
    for name in failure.headers() {
        headers.insert((*name).into(), json!({ "$ref": format!("#/components/headers/{name}") }));
    }
    let mut examples = Map::new();
    for (slug, example) in problem_examples(service, failure) {
        let summary = problem_type(slug).map_or(slug, |p| p.title);
        examples.insert(slug.into(), json!({ "summary": summary, "value": example }));
    }
    json!({
        "description": failure.description(),
        "headers": headers,
        "content": {
            "application/problem+json": {
                "schema": { "$ref": "#/components/schemas/Problem" },
                "examples": examples
            }
        }
    })
}

fn problem_type(slug: &str) -> Option<&'static ProblemType> {
    PROBLEM_TYPES.iter().find(|p| p.slug == slug)
}

/// Realistic context for the examples, taken from the service itself.
struct Context<'a> {
    service: &'a Service,
    /// The collection path of the first resource, e.g. `/v1/payments`.
    collection: String,
    /// An item path of the first resource.
    item: String,
}

/// The fixed request id all examples share.
pub(crate) const EXAMPLE_REQUEST_ID: &str = "01JD3Y9K2M4N6P8Q0R2S4T6V8W";

fn problem_examples(service: &Service, failure: Failure) -> Vec<(&'static str, Value)> {
    let collection = service.resources.first().map_or_else(|| "/v1/audit-events".to_owned(), |r| format!("/v1/{}", r.path));
    let item = format!("{collection}/{}", super::examples::resource_id(0));
    let ctx = Context { service, collection, item };
    let c = &ctx;
    match failure {
        Failure::InvalidParameter => vec![(
            "invalid-parameter",
            example(
                c,
                "invalid-parameter",
                "the query has invalid parameters",
                &c.collection,
                param_errors("limit", "must be between 1 and 100"),
            ),
        )],
        Failure::BadRequest => {
            let mut all = vec![("malformed-request", example(c, "malformed-request", "the body is not valid JSON", &c.collection, None))];
            if service.idempotency.required {
                all.push((
                    "idempotency-key-missing",
                    example(c, "idempotency-key-missing", "this operation requires an Idempotency-Key header", &c.collection, None),
                ));
            }
            let errors = param_errors("Idempotency-Key", "must be 1 to 255 visible ASCII characters");
            all.push((
                "idempotency-key-invalid",
                example(c, "idempotency-key-invalid", "the Idempotency-Key header is invalid", &c.collection, errors),
            ));
            all
        }
        Failure::Unauthorized => vec![("unauthorized", example(c, "unauthorized", "the bearer token has expired", &c.collection, None))],
        Failure::InvalidSignature => {
            let path = service.webhooks.first().map_or_else(|| "/webhooks/provider".to_owned(), |w| format!("/webhooks/{}", w.name));
            vec![("invalid-signature", example(c, "invalid-signature", "no webhook-signature matches the body", &path, None))]
        }
        Failure::Forbidden => {
            let scope = service.resources.first().map_or_else(|| "audit:read".to_owned(), |r| format!("{}:write", r.path));
            vec![("forbidden", example(c, "forbidden", &format!("the token lacks the scope {scope}"), &c.collection, None))]
        }
        Failure::NotFound => vec![("not-found", example(c, "not-found", "no resource has this id", &c.item, None))],
        Failure::MethodNotAllowed => {
            vec![("method-not-allowed", example(c, "method-not-allowed", "PUT is not allowed here", &c.item, None))]
        }
        Failure::Conflict => {
            let mut all = Vec::new();
            if let Some(field) = service.resources.iter().flat_map(|r| &r.fields).find(|f| f.unique) {
                let errors = pointer_errors(&field.name, "is already taken");
                all.push((
                    "conflict",
                    example(c, "conflict", &format!("another row already has this {}", field.name), &c.collection, errors),
                ));
            } else {
                all.push(("conflict", example(c, "conflict", "the row is still referenced", &c.item, None)));
            }
            let detail = "a request with this Idempotency-Key is still in progress";
            all.push(("idempotency-key-in-use", example(c, "idempotency-key-in-use", detail, &c.collection, None)));
            all
        }
        Failure::PreconditionFailed => {
            vec![(
                "precondition-failed",
                example(c, "precondition-failed", "If-Match does not match the current ETag \"2\"", &c.item, None),
            )]
        }
        Failure::PayloadTooLarge => {
            let detail = format!("the body exceeds {} bytes", service.http.body_limit_bytes);
            vec![("payload-too-large", example(c, "payload-too-large", &detail, &c.collection, None))]
        }
        Failure::UnsupportedMediaType => {
            vec![("unsupported-media-type", example(c, "unsupported-media-type", "expected application/json", &c.collection, None))]
        }
        Failure::UnprocessableContent => unprocessable_examples(c),
        Failure::TooManyRequests => vec![("quota-exceeded", example(c, "quota-exceeded", "rate limit exceeded", &c.collection, None))],
        Failure::InternalError => {
            vec![("internal-error", example(c, "internal-error", "an unexpected error occurred", &c.collection, None))]
        }
        Failure::ServiceUnavailable => vec![
            ("dependency-unavailable", example(c, "dependency-unavailable", "the database is unavailable", &c.collection, None)),
            ("timeout", example(c, "timeout", "the request did not complete in time", &c.collection, None)),
        ],
    }
}

fn unprocessable_examples(c: &Context<'_>) -> Vec<(&'static str, Value)> {
    let field = c.service.resources.first().and_then(|r| r.fields.iter().find(|f| f.writable_on_create()));
    let errors = field.and_then(|f| pointer_errors(&f.name, "is required"));
    let mut all = vec![("validation-error", example(c, "validation-error", "the body has invalid fields", &c.collection, errors))];
    let detail = "this Idempotency-Key was used with a different body";
    all.push(("idempotency-key-reused", example(c, "idempotency-key-reused", detail, &c.collection, None)));
    let rejecting =
        c.service.resources.iter().find_map(|r| r.rules.iter().find(|rule| rule.action == RuleAction::Reject).map(|rule| (r, rule)));
    if let Some((resource, rule)) = rejecting {
        let mut value =
            example(c, "rule-rejected", &format!("the rule {} rejected the request", rule.name), &format!("/v1/{}", resource.path), None);
        value["rule"] = json!(rule.name);
        all.push(("rule-rejected", value));
    }
    all
}

fn pointer_errors(field: &str, detail: &str) -> Option<Value> {
    Some(json!([{ "pointer": format!("#/{field}"), "detail": detail }]))
}

fn param_errors(parameter: &str, detail: &str) -> Option<Value> {
    Some(json!([{ "parameter": parameter, "detail": detail }]))
}

fn example(c: &Context<'_>, slug: &str, detail: &str, instance: &str, errors: Option<Value>) -> Value {
    let problem = problem_type(slug);
    let type_uri =
        if slug == "quota-exceeded" { QUOTA_EXCEEDED_TYPE.to_owned() } else { format!("{}{slug}", c.service.http.problem_base_uri) };
    let mut value = json!({
        "type": type_uri,
        "title": problem.map_or(slug, |p| p.title),
        "status": problem.map_or(500, |p| p.status),
        "detail": detail,
        "instance": instance,
        "request_id": EXAMPLE_REQUEST_ID
    });
    if let Some(errors) = errors {
        value["errors"] = errors;
    }
    value
}
