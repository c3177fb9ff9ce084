//! The OpenAPI 3.1 document every stack serves at `GET /openapi.json`.
//!
//! It is computed here, once, so that the five stacks serve the same bytes: a stack's template
//! embeds the text of [`to_json`] and never builds the document itself. Key order is insertion
//! order (serde_json's `preserve_order`), so every map below is filled in a fixed, deliberate
//! order and the output depends on nothing but the [`Service`].

mod examples;
mod paths;
mod problems;
mod schemas;

#[cfg(test)]
mod tests;

use serde_json::{Map, Value, json};

use crate::model::{Auth, Service};

pub use problems::{PROBLEM_TYPES, ProblemType, QUOTA_EXCEEDED_TYPE};

/// The OpenAPI version the document declares.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The dialect of the document's Schema Objects: the OAS base dialect, JSON Schema 2020-12 plus
/// the OpenAPI vocabulary (`example`, `discriminator`, ...).
pub const JSON_SCHEMA_DIALECT: &str = "https://spec.openapis.org/oas/3.1/dialect/base";

/// Resource names whose schemas would collide with the document's own (`Problem`, `AuditEvent`,
/// ...): the manifest check should reject them, since the document cannot rename either side.
pub const RESERVED_RESOURCE_NAMES: &[&str] = &["problem", "problem_error", "liveness", "readiness", "audit_event"];

/// The name of the security scheme in `components.securitySchemes` when `auth` is `jwt`.
pub(crate) const BEARER: &str = "bearer";

/// The OpenAPI document of `service`, as a JSON value with a deterministic key order.
pub fn document(service: &Service) -> Value {
    let mut doc = Map::new();
    doc.insert("openapi".into(), json!(OPENAPI_VERSION));
    doc.insert("info".into(), json!({ "title": service.name, "description": service.description, "version": "1.0.0" }));
    doc.insert("jsonSchemaDialect".into(), json!(JSON_SCHEMA_DIALECT));
    // Relative, because the same image runs behind whatever host and prefix the deployment gives it.
    doc.insert("servers".into(), json!([{ "url": "/", "description": "The service itself, wherever it is deployed" }]));
    if is_jwt(service) {
        doc.insert("security".into(), json!([{ BEARER: [] }]));
    }
    doc.insert("tags".into(), tags(service));
    doc.insert("paths".into(), paths::paths(service));
    doc.insert("components".into(), components(service));
    Value::Object(doc)
}

/// The exact text served at `GET /openapi.json`: pretty-printed with two-space indentation and a
/// trailing newline.
pub fn to_json(service: &Service) -> String {
    // Serializing a `Value` cannot fail: its keys are strings and it holds no non-finite numbers.
    let mut text = serde_json::to_string_pretty(&document(service)).unwrap_or_default();
    text.push('\n');
    text
}

pub(crate) use crate::manifest::names::pascal_case;

pub(crate) fn is_jwt(service: &Service) -> bool {
    matches!(service.auth, Auth::Jwt { .. })
}

/// `account` -> `an account`, for summaries and descriptions.
pub(crate) fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o']) { "an" } else { "a" };
    format!("{article} {noun}")
}

pub(crate) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// Tag names of the routes that do not belong to a resource.
pub(crate) const TAG_AUDIT: &str = "audit";
pub(crate) const TAG_WEBHOOKS: &str = "webhooks";
pub(crate) const TAG_OPERATIONS: &str = "operations";

fn tags(service: &Service) -> Value {
    let mut tags: Vec<Value> = service
        .resources
        .iter()
        .map(|r| {
            let description = r.description.clone().unwrap_or_else(|| format!("The `{}` resource.", r.name));
            json!({ "name": r.path, "description": description })
        })
        .collect();
    tags.push(json!({ "name": TAG_AUDIT, "description": "The append-only audit trail of every mutation." }));
    if !service.webhooks.is_empty() {
        tags.push(json!({ "name": TAG_WEBHOOKS, "description": "Inbound webhooks, signed with Standard Webhooks." }));
    }
    tags.push(json!({ "name": TAG_OPERATIONS, "description": "Health probes, metrics and this document." }));
    Value::Array(tags)
}

fn components(service: &Service) -> Value {
    let mut components = Map::new();
    components.insert("schemas".into(), schemas::schemas(service));
    components.insert("responses".into(), problems::responses(service));
    components.insert("parameters".into(), paths::parameters(service));
    components.insert("headers".into(), paths::headers());
    if let Auth::Jwt { issuer, audience } = &service.auth {
        let description = format!(
            "A JWT from `{issuer}` for the audience `{audience}`. Scopes come from the `scope` (space separated) or `scp` claim: \
             `{{resource}}:read` for reads, `{{resource}}:write` for mutations, `audit:read` for the audit trail."
        );
        components.insert(
            "securitySchemes".into(),
            json!({ BEARER: { "type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": description } }),
        );
    }
    Value::Object(components)
}
