//! The manifest as written: format 1, key for key. These types are what `skaffold schema` publishes
//! (their doc comments become the schema's descriptions), and what the YAML tree is deserialized
//! into. Meaning and defaults are settled afterwards, in [`super::check`].

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use super::units::{Duration, Size};
use crate::yaml::de::{Recover, Spanned, lenient};

/// A skaffold manifest (format 1): one file that describes a whole backend service.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "skaffold manifest")]
pub struct Manifest {
    /// The manifest format version. Always `1`.
    pub skaffold: Spanned<u32>,
    /// The service name: lowercase letters, digits and dashes, 2 to 40 characters, starting with a letter.
    #[schemars(regex(pattern = r"^[a-z][a-z0-9-]{1,39}$"))]
    pub name: Spanned<String>,
    /// One line that says what the service does.
    #[serde(default, deserialize_with = "lenient")]
    pub description: Option<String>,
    /// The stack to render: `axum`, `fastify`, `fastapi`, `go` or `aspnet`. `--stack` overrides it.
    #[serde(default, deserialize_with = "lenient")]
    pub stack: Option<Spanned<String>>,
    #[serde(default)]
    pub http: Option<Recover<Http>>,
    #[serde(default)]
    pub database: Option<Recover<Database>>,
    /// Whether the service uses Redis for caching and shared rate limits. Default `optional`.
    #[serde(default, deserialize_with = "lenient")]
    pub cache: Option<Spanned<CacheMode>>,
    /// `none`, or `{ jwt: { issuer, audience } }`. Default `none`.
    #[serde(default)]
    pub auth: Option<Recover<Auth>>,
    #[serde(default)]
    pub rate_limit: Option<Recover<RateLimit>>,
    #[serde(default)]
    pub idempotency: Option<Recover<Idempotency>>,
    #[serde(default)]
    pub jobs: Option<Recover<Jobs>>,
    /// The resources the service stores and serves, by singular snake_case name.
    pub resources: IndexMap<Spanned<String>, Recover<Resource>>,
    /// Inbound webhooks (Standard Webhooks signatures), by name.
    #[serde(default)]
    pub webhooks: IndexMap<Spanned<String>, Recover<Webhook>>,
}

/// HTTP server settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Http {
    /// Default listen port (the `PORT` variable overrides it). Default 8080.
    #[serde(default, deserialize_with = "lenient")]
    pub port: Option<Spanned<u16>>,
    /// Whole-handler deadline. Default `30s`.
    #[serde(default, deserialize_with = "lenient")]
    pub request_timeout: Option<Spanned<Duration>>,
    /// Largest accepted request body. Default `1MiB`.
    #[serde(default, deserialize_with = "lenient")]
    pub body_limit: Option<Spanned<Size>>,
    /// Absolute URI that problem `type`s are built from; must end with `/`.
    #[serde(default, deserialize_with = "lenient")]
    pub problem_base_uri: Option<Spanned<String>>,
    #[serde(default, deserialize_with = "lenient")]
    pub cors: Option<Cors>,
}

/// Cross-origin requests. Off unless origins are listed.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cors {
    /// Allowed origins, such as `https://app.example.com`.
    #[serde(default, deserialize_with = "lenient")]
    pub origins: Vec<Spanned<String>>,
}

/// PostgreSQL settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// `SET LOCAL statement_timeout` in every transaction. Default `3s`.
    #[serde(default, deserialize_with = "lenient")]
    pub statement_timeout: Option<Spanned<Duration>>,
    #[serde(default, deserialize_with = "lenient")]
    pub pool: Option<Pool>,
}

/// Connection pool.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// Most connections. Default 10.
    #[serde(default, deserialize_with = "lenient")]
    pub max: Option<Spanned<u32>>,
    /// Waiting longer for a connection answers 503. Default `2s`.
    #[serde(default, deserialize_with = "lenient")]
    pub acquire_timeout: Option<Spanned<Duration>>,
}

/// Redis use: `none` (never), `optional` (used when `REDIS_URL` is set), `required` (readiness fails without it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheMode {
    None,
    Optional,
    Required,
}

/// Authentication.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// No authentication.
    None,
    /// Bearer JWTs: HS256 with `AUTH_JWT_SECRET`, or RS256/ES256 from `AUTH_JWKS_URL`.
    Jwt(Jwt),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Jwt {
    /// Expected `iss` claim.
    pub issuer: Spanned<String>,
    /// Expected `aud` claim.
    pub audience: Spanned<String>,
}

/// Token bucket per principal (JWT `sub`) or client IP. Default 50 requests per second, burst 100.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub requests_per_second: Spanned<u32>,
    pub burst: Spanned<u32>,
}

/// Idempotency keys.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Idempotency {
    /// Whether every POST must carry an `Idempotency-Key`. Default true.
    #[serde(default, deserialize_with = "lenient")]
    pub required: Option<bool>,
    /// How long keys are remembered. Default `24h`.
    #[serde(default, deserialize_with = "lenient")]
    pub ttl: Option<Spanned<Duration>>,
}

/// Background jobs (the PostgreSQL `jobs` table).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Jobs {
    /// Lease of one attempt. Default `5m`.
    #[serde(default, deserialize_with = "lenient")]
    pub timeout: Option<Spanned<Duration>>,
    /// Attempts before a job is `dead`. Default 8.
    #[serde(default, deserialize_with = "lenient")]
    pub max_attempts: Option<Spanned<u32>>,
    /// Workers per process. Default 4.
    #[serde(default, deserialize_with = "lenient")]
    pub concurrency: Option<Spanned<u32>>,
}

/// A resource: a table, its REST routes, its rules.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Plural name used for the table and routes. Default: the English plural of the resource name.
    #[serde(default, deserialize_with = "lenient")]
    pub plural: Option<Spanned<String>>,
    #[serde(default, deserialize_with = "lenient")]
    pub description: Option<String>,
    /// Operations that exist. Default: all five.
    #[serde(default, deserialize_with = "lenient")]
    pub operations: Option<Spanned<Vec<Spanned<Operation>>>>,
    /// The resource's fields by snake_case name (`id`, `created_at`, `updated_at`, `version` are added).
    pub fields: IndexMap<Spanned<String>, Recover<Field>>,
    /// Fields the list route can filter on by equality; each gets an index.
    #[serde(default, deserialize_with = "lenient")]
    pub filters: Vec<Spanned<String>>,
    /// Redis read-through cache for reads by id.
    #[serde(default, deserialize_with = "lenient")]
    pub cache: Option<ResourceCache>,
    /// Domain rules checked on every create and update, inside the write transaction.
    #[serde(default)]
    pub rules: Vec<Recover<Rule>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Create,
    Read,
    List,
    Update,
    Delete,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceCache {
    /// How long a cached representation lives.
    pub ttl: Spanned<Duration>,
}

/// A field. Options other than the common ones apply to particular types only.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    #[serde(rename = "type")]
    pub ty: Spanned<FieldType>,
    #[serde(default, deserialize_with = "lenient")]
    pub description: Option<String>,
    /// May be absent or null. Default false.
    #[serde(default, deserialize_with = "lenient")]
    pub optional: Option<Spanned<bool>>,
    /// Value used when a create omits the field.
    #[serde(default, deserialize_with = "lenient")]
    pub default: Option<Spanned<serde_json::Value>>,
    /// A unique index; a duplicate answers 409.
    #[serde(default, deserialize_with = "lenient")]
    pub unique: Option<Spanned<bool>>,
    /// Settable on create only.
    #[serde(default, deserialize_with = "lenient")]
    pub immutable: Option<Spanned<bool>>,
    /// Never settable by clients; set by the service and webhooks.
    #[serde(default, deserialize_with = "lenient")]
    pub read_only: Option<Spanned<bool>>,
    /// `string`, `text`: most characters (default 255 for string, 10000 for text).
    #[serde(default, deserialize_with = "lenient")]
    pub max_length: Option<Spanned<u32>>,
    /// `string`: fewest characters.
    #[serde(default, deserialize_with = "lenient")]
    pub min_length: Option<Spanned<u32>>,
    /// `string`: a regular expression in the portable subset (no look-around, backreferences, `\d`, inline flags).
    #[serde(default, deserialize_with = "lenient")]
    pub pattern: Option<Spanned<String>>,
    /// `string`: a well-known format.
    #[serde(default, deserialize_with = "lenient")]
    pub format: Option<Spanned<StringFormat>>,
    /// `string`: normalisations applied before validation, in order.
    #[serde(default, deserialize_with = "lenient")]
    pub transform: Option<Spanned<Vec<Spanned<Transform>>>>,
    /// `integer`, `decimal`: smallest value.
    #[serde(default, deserialize_with = "lenient")]
    pub min: Option<Spanned<NumberLit>>,
    /// `integer`, `decimal`: largest value.
    #[serde(default, deserialize_with = "lenient")]
    pub max: Option<Spanned<NumberLit>>,
    /// `decimal`: total digits (default 18).
    #[serde(default, deserialize_with = "lenient")]
    pub precision: Option<Spanned<u32>>,
    /// `decimal`: digits after the point (default 2).
    #[serde(default, deserialize_with = "lenient")]
    pub scale: Option<Spanned<u32>>,
    /// `enum`: the allowed values.
    #[serde(default, deserialize_with = "lenient")]
    pub values: Option<Spanned<Vec<Spanned<String>>>>,
    /// `ref`: the referenced resource.
    #[serde(default, deserialize_with = "lenient")]
    pub resource: Option<Spanned<String>>,
    /// `json`: largest serialized size.
    #[serde(default, deserialize_with = "lenient")]
    pub max_bytes: Option<Spanned<Size>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    Text,
    Integer,
    Decimal,
    Boolean,
    Timestamp,
    Date,
    Enum,
    Uuid,
    Ref,
    Json,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Text => "text",
            Self::Integer => "integer",
            Self::Decimal => "decimal",
            Self::Boolean => "boolean",
            Self::Timestamp => "timestamp",
            Self::Date => "date",
            Self::Enum => "enum",
            Self::Uuid => "uuid",
            Self::Ref => "ref",
            Self::Json => "json",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StringFormat {
    Email,
    Uri,
    Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transform {
    Trim,
    Lower,
}

/// A number as written: an integer, or a decimal kept as text so no precision is lost.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum NumberLit {
    Int(i64),
    Float(f64),
    Text(String),
}

impl NumberLit {
    /// The number's decimal text (`0.01`, `100000`).
    pub fn text(&self) -> String {
        match self {
            Self::Int(i) => i.to_string(),
            Self::Float(f) => f.to_string(),
            Self::Text(t) => t.clone(),
        }
    }
}

/// A domain rule: a boolean expression over the candidate row.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// snake_case name; reported in `rule-rejected` problems and `flags`.
    pub name: Spanned<String>,
    /// The condition, in the rule language (see MANIFEST.md).
    pub when: Spanned<String>,
    /// `reject` answers 422 `rule-rejected`; `flag` stores the row with the rule's name in `flags`.
    pub action: Spanned<RuleAction>,
    /// Shown as the problem's `detail` when the rule rejects.
    #[serde(default, deserialize_with = "lenient")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleAction {
    Reject,
    Flag,
}

/// An inbound webhook, served at `POST /webhooks/{name}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// The environment variable holding the `whsec_` secret: `WEBHOOK_<NAME>_SECRET`.
    pub secret_env: Spanned<String>,
    /// JSON pointer to the event type in the verified body, such as `/type`.
    pub event_type: Spanned<String>,
    /// What each event type does; other types are stored and marked ignored.
    pub on: IndexMap<Spanned<String>, Recover<WebhookAction>>,
}

/// Updates one row of a resource from an event.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookAction {
    /// The resource to update.
    pub update: Spanned<String>,
    /// JSON pointer to the row's id in the body.
    pub id: Spanned<String>,
    /// Field values: a literal, or `{ from: <JSON pointer> }`.
    pub set: IndexMap<Spanned<String>, Spanned<serde_json::Value>>,
}
