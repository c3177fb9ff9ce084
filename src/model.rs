//! The validated service: every default settled, every name derived, nothing left to interpret.
//!
//! This is what the generators (OpenAPI, SQL) and the stack templates read. It is serialized into
//! each template's context as `service`, so field names here are part of the template contract:
//! rename with care and update `templates/README.md`.

use serde::Serialize;

use crate::expr;

pub use crate::manifest::raw::{CacheMode, Operation, RuleAction, StringFormat, Transform};

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub name: String,
    pub description: String,
    /// The stack named in the manifest, if any (`--stack` wins).
    pub stack: Option<String>,
    pub http: Http,
    pub database: Database,
    pub cache: CacheMode,
    pub auth: Auth,
    pub rate_limit: RateLimit,
    pub idempotency: Idempotency,
    pub jobs: Jobs,
    pub resources: Vec<Resource>,
    pub webhooks: Vec<Webhook>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Http {
    pub port: u16,
    pub request_timeout_ms: u64,
    pub body_limit_bytes: u64,
    /// Always ends with `/`; a problem's `type` is this plus its slug.
    pub problem_base_uri: String,
    pub cors_origins: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Database {
    pub statement_timeout_ms: u64,
    pub pool_max: u32,
    pub acquire_timeout_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Auth {
    None,
    Jwt { issuer: String, audience: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct RateLimit {
    pub requests_per_second: u32,
    pub burst: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Idempotency {
    pub required: bool,
    pub ttl_seconds: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Jobs {
    pub timeout_ms: u64,
    pub max_attempts: u32,
    pub concurrency: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    /// Singular snake_case name, as in the manifest (`line_item`).
    pub name: String,
    /// Plural snake_case name: the table name (`line_items`).
    pub plural: String,
    /// The URL segment and scope prefix: the plural in kebab-case (`line-items`).
    pub path: String,
    pub description: Option<String>,
    pub operations: Operations,
    pub fields: Vec<Field>,
    /// Equality filters of the list route, in manifest order.
    pub filters: Vec<String>,
    pub cache_ttl_seconds: Option<u64>,
    pub rules: Vec<Rule>,
    /// Whether any rule flags: the representation then carries `flags`.
    pub has_flags: bool,
}

impl Resource {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Operations {
    pub create: bool,
    pub read: bool,
    pub list: bool,
    pub update: bool,
    pub delete: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    pub description: Option<String>,
    pub optional: bool,
    /// The default as a JSON value of the field's wire type (decimals as strings).
    pub default: Option<serde_json::Value>,
    pub unique: bool,
    pub immutable: bool,
    pub read_only: bool,
}

impl Field {
    /// Whether a client may send this field on create.
    pub fn writable_on_create(&self) -> bool {
        !self.read_only
    }

    /// Whether a client may send this field in a PATCH.
    pub fn writable_on_update(&self) -> bool {
        !self.read_only && !self.immutable
    }
}

/// A field's type with the options that belong to it. Serialized with `kind` as the tag, so a
/// template tests `field.type.kind == "decimal"` and reads `field.type.scale`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum FieldType {
    String {
        min_length: Option<u32>,
        max_length: u32,
        pattern: Option<String>,
        format: Option<StringFormat>,
        transforms: Vec<Transform>,
    },
    Text {
        max_length: u32,
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Decimal {
        precision: u32,
        scale: u32,
        /// Bounds as canonical decimal text with exactly `scale` digits after the point.
        min: Option<String>,
        max: Option<String>,
    },
    Boolean,
    Timestamp,
    Date,
    Enum {
        values: Vec<String>,
    },
    Uuid,
    Ref {
        resource: String,
    },
    Json {
        max_bytes: Option<u64>,
    },
}

impl FieldType {
    pub fn name(&self) -> &'static str {
        match self {
            Self::String { .. } => "string",
            Self::Text { .. } => "text",
            Self::Integer { .. } => "integer",
            Self::Decimal { .. } => "decimal",
            Self::Boolean => "boolean",
            Self::Timestamp => "timestamp",
            Self::Date => "date",
            Self::Enum { .. } => "enum",
            Self::Uuid => "uuid",
            Self::Ref { .. } => "ref",
            Self::Json { .. } => "json",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub name: String,
    /// The expression as written in the manifest.
    pub when: String,
    pub action: RuleAction,
    /// The problem `detail` for a rejection.
    pub message: String,
    /// The typed IR of `when` (see `crate::expr::Node`): each node has a `kind` and a `type`.
    pub ir: expr::Node,
    /// The rows the rule reads through refs; load them before evaluating.
    pub refs: Vec<expr::RefHop>,
    /// The counts the rule needs; `count` nodes name them by `index`.
    pub counts: Vec<expr::CountCall>,
    /// Inputs with the expected outcome, which each stack's generated tests replay.
    pub vectors: Vec<expr::Vector>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Webhook {
    pub name: String,
    /// The environment variable that holds the secret.
    pub secret_env: String,
    /// JSON pointer to the event type.
    pub event_type_pointer: String,
    pub handlers: Vec<WebhookHandler>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WebhookHandler {
    pub event_type: String,
    /// The resource (singular name) whose row is updated.
    pub resource: String,
    /// JSON pointer to the row id.
    pub id_pointer: String,
    pub set: Vec<WebhookSet>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WebhookSet {
    pub field: String,
    pub value: SetValue,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SetValue {
    Literal { value: serde_json::Value },
    From { pointer: String },
}
