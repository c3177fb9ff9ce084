//! `components.schemas`: the problem schemas, each resource's representation, create body, merge
//! patch and page, the audit event, and the health bodies.

use serde_json::{Map, Value, json};

use super::{capitalized, examples, pascal_case, problems, with_article};
use crate::model::{Field, FieldType, Resource, RuleAction, Service, StringFormat};

pub(crate) fn schemas(service: &Service) -> Value {
    let mut schemas = Map::new();
    problems::schemas(&mut schemas);
    health(&mut schemas);
    for resource in &service.resources {
        let name = pascal_case(&resource.name);
        schemas.insert(name.clone(), representation(service, resource));
        if resource.operations.create {
            schemas.insert(format!("{name}Create"), create(service, resource));
        }
        if resource.operations.update {
            schemas.insert(format!("{name}Update"), update(service, resource));
        }
        if resource.operations.list {
            let example = examples::representation(service, resource);
            schemas.insert(format!("{name}Page"), page(&name, example));
        }
    }
    let audit_example = audit_event_example(service);
    schemas.insert("AuditEvent".into(), audit_event(service, audit_example.clone()));
    schemas.insert("AuditEventPage".into(), page("AuditEvent", audit_example));
    Value::Object(schemas)
}

/// A `$ref` to a schema of `components.schemas`.
pub(crate) fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The schema of one value of `field`, never null: query filters use it as is.
pub(crate) fn value_schema(field: &Field) -> Value {
    match &field.ty {
        FieldType::String { min_length, max_length, pattern, format, transforms: _ } => {
            let mut schema = json!({ "type": "string" });
            if let Some(min) = min_length {
                schema["minLength"] = json!(min);
            }
            schema["maxLength"] = json!(max_length);
            if let Some(pattern) = pattern {
                schema["pattern"] = json!(pattern);
            }
            if let Some(format) = format {
                let format = match format {
                    StringFormat::Email => "email",
                    StringFormat::Uri => "uri",
                    StringFormat::Uuid => "uuid",
                };
                schema["format"] = json!(format);
            }
            schema
        }
        FieldType::Text { max_length } => json!({ "type": "string", "maxLength": max_length }),
        FieldType::Integer { min, max } => {
            let mut schema = json!({ "type": "integer", "format": "int64" });
            if let Some(min) = min {
                schema["minimum"] = json!(min);
            }
            if let Some(max) = max {
                schema["maximum"] = json!(max);
            }
            schema
        }
        FieldType::Decimal { precision, scale, min, max } => decimal(*precision, *scale, min.as_deref(), max.as_deref()),
        FieldType::Boolean => json!({ "type": "boolean" }),
        FieldType::Timestamp => json!({ "type": "string", "format": "date-time" }),
        FieldType::Date => json!({ "type": "string", "format": "date" }),
        FieldType::Enum { values } => json!({ "type": "string", "enum": values }),
        FieldType::Uuid => json!({ "type": "string", "format": "uuid" }),
        FieldType::Ref { resource } => json!({ "type": "string", "format": "uuid", "x-references": resource }),
        FieldType::Json { max_bytes } => match max_bytes {
            Some(max) => json!({ "x-max-bytes": max }),
            None => json!({}),
        },
    }
}

/// Decimals travel as strings so no stack loses precision in a float; the pattern bounds the
/// digits, and the numeric bounds, which a string schema cannot express, are extensions.
fn decimal(precision: u32, scale: u32, min: Option<&str>, max: Option<&str>) -> Value {
    let whole_digits = precision.saturating_sub(scale);
    let whole = if whole_digits == 0 { "0".to_owned() } else { format!("\\d{{1,{whole_digits}}}") };
    let fraction = if scale == 0 { String::new() } else { format!("(\\.\\d{{1,{scale}}})?") };
    let sign = if min.is_some_and(|m| !m.starts_with('-')) { "" } else { "-?" };
    let mut schema = json!({
        "type": "string",
        "pattern": format!("^{sign}{whole}{fraction}$"),
        "x-precision": precision,
        "x-scale": scale,
    });
    if let Some(min) = min {
        schema["x-minimum"] = json!(min);
    }
    if let Some(max) = max {
        schema["x-maximum"] = json!(max);
    }
    let bounds = match (min, max) {
        (Some(min), Some(max)) => format!(", from {min} to {max}"),
        (Some(min), None) => format!(", at least {min}"),
        (None, Some(max)) => format!(", at most {max}"),
        (None, None) => String::new(),
    };
    schema["description"] = json!(format!("A decimal number as a string: up to {precision} digits, {scale} after the point{bounds}."));
    schema
}

/// Admits `null` too: the representation of an unset optional field, or its removal in a patch.
fn nullable(mut schema: Value) -> Value {
    if let Some(ty) = schema.get("type").cloned() {
        schema["type"] = json!([ty, "null"]);
        if let Some(values) = schema.get_mut("enum").and_then(Value::as_array_mut) {
            values.push(Value::Null);
        }
    }
    schema
}

/// The field's schema with its manifest annotations; `description` joins any the type gave.
fn property(field: &Field, nullable_value: bool, with_default: bool) -> Value {
    let mut schema = value_schema(field);
    if nullable_value {
        schema = nullable(schema);
    }
    if let Some(description) = &field.description {
        let joined = match schema.get("description").and_then(Value::as_str) {
            Some(type_description) => format!("{description} {type_description}"),
            None => description.clone(),
        };
        schema["description"] = json!(joined);
    }
    if with_default && let Some(default) = &field.default {
        schema["default"] = default.clone();
    }
    if field.unique {
        schema["x-unique"] = json!(true);
    }
    schema
}

fn representation(service: &Service, resource: &Resource) -> Value {
    let mut properties = Map::new();
    properties.insert("id".into(), json!({ "type": "string", "format": "uuid", "readOnly": true, "description": "A UUIDv7." }));
    for field in &resource.fields {
        let mut schema = property(field, field.optional, true);
        if field.read_only {
            schema["readOnly"] = json!(true);
        }
        if field.immutable {
            schema["x-immutable"] = json!(true);
        }
        properties.insert(field.name.clone(), schema);
    }
    if resource.has_flags {
        let names: Vec<&str> = resource.rules.iter().filter(|r| r.action == RuleAction::Flag).map(|r| r.name.as_str()).collect();
        properties.insert(
            "flags".into(),
            json!({
                "type": "array",
                "items": { "type": "string", "enum": names },
                "uniqueItems": true,
                "readOnly": true,
                "description": "The flag rules that matched when the row was written."
            }),
        );
    }
    properties.insert(
        "version".into(),
        json!({ "type": "integer", "minimum": 1, "readOnly": true, "description": "Starts at 1 and grows by 1 per update; the `ETag`." }),
    );
    properties.insert("created_at".into(), json!({ "type": "string", "format": "date-time", "readOnly": true }));
    properties.insert("updated_at".into(), json!({ "type": "string", "format": "date-time", "readOnly": true }));
    let required: Vec<&String> = properties.keys().collect();
    let mut schema = json!({
        "type": "object",
        "description": resource.description.clone().unwrap_or_else(|| format!("{}.", capitalized(&with_article(&resource.name.replace('_', " "))))),
        "required": required,
        "properties": properties,
    });
    with_example(&mut schema, examples::representation(service, resource));
    schema
}

fn create(service: &Service, resource: &Resource) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in resource.fields.iter().filter(|f| f.writable_on_create()) {
        properties.insert(field.name.clone(), property(field, field.optional, true));
        if !field.optional && field.default.is_none() {
            required.push(field.name.clone());
        }
    }
    let mut schema = json!({
        "type": "object",
        "description": format!("The body that creates {}.", with_article(&resource.name.replace('_', " "))),
    });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema["properties"] = Value::Object(properties);
    schema["additionalProperties"] = json!(false);
    with_example(&mut schema, examples::create_body(service, resource));
    schema
}

fn update(service: &Service, resource: &Resource) -> Value {
    let mut properties = Map::new();
    for field in resource.fields.iter().filter(|f| f.writable_on_update()) {
        properties.insert(field.name.clone(), property(field, field.optional, false));
    }
    let mut schema = json!({
        "type": "object",
        "description": format!(
            "A JSON merge patch (RFC 7396) of {}: absent fields keep their value, `null` clears an optional one.",
            with_article(&resource.name.replace('_', " "))
        ),
        "properties": properties,
        "additionalProperties": false,
    });
    with_example(&mut schema, Some(examples::update_body(service, resource)));
    schema
}

fn page(item: &str, item_example: Option<Value>) -> Value {
    let mut schema = json!({
        "type": "object",
        "description": "One page of a list, newest first.",
        "required": ["data", "next_cursor"],
        "properties": {
            "data": { "type": "array", "items": schema_ref(item) },
            "next_cursor": { "type": ["string", "null"], "description": "Pass as `cursor` for the next page; `null` on the last page." }
        },
    });
    with_example(&mut schema, item_example.map(|row| json!({ "data": [row], "next_cursor": null })));
    schema
}

fn audit_event(service: &Service, example: Option<Value>) -> Value {
    let names: Vec<&str> = service.resources.iter().map(|r| r.name.as_str()).collect();
    let mut schema = json!({
        "type": "object",
        "description": "One entry of the append-only audit trail.",
        "required": ["id", "occurred_at", "actor", "action", "resource_type", "resource_id", "before", "after", "request_id"],
        "properties": {
            "id": { "type": "string", "format": "uuid" },
            "occurred_at": { "type": "string", "format": "date-time" },
            "actor": { "type": "string", "description": "The JWT `sub`, or `webhook:<name>` for changes made by an inbound webhook." },
            "action": { "type": "string", "enum": ["create", "update", "delete", "rule_rejected"] },
            "resource_type": { "type": "string", "enum": names, "description": "The resource's name, as in the manifest." },
            "resource_id": { "type": ["string", "null"], "format": "uuid", "description": "`null` when a rule rejected a create." },
            "before": { "description": "The representation before the change; `null` for a create." },
            "after": { "description": "The representation after the change; `null` for a delete." },
            "request_id": { "type": ["string", "null"] }
        },
    });
    with_example(&mut schema, example);
    schema
}

fn audit_event_example(service: &Service) -> Option<Value> {
    let resource = service.resources.first()?;
    let after = examples::representation(service, resource)?;
    Some(json!({
        "id": "0193a7c1-5b2e-7d4f-8a6b-ffffffffffff",
        "occurred_at": examples::TIMESTAMP,
        "actor": "user_2f9c41",
        "action": "create",
        "resource_type": resource.name,
        "resource_id": after["id"],
        "before": null,
        "after": after,
        "request_id": problems::EXAMPLE_REQUEST_ID
    }))
}

fn health(schemas: &mut Map<String, Value>) {
    schemas.insert(
        "Liveness".into(),
        json!({
            "type": "object",
            "required": ["status"],
            "properties": { "status": { "const": "ok" } },
            "examples": [{ "status": "ok" }]
        }),
    );
    let check = json!({ "type": "string", "enum": ["ok", "error", "disabled"] });
    schemas.insert(
        "Readiness".into(),
        json!({
            "type": "object",
            "required": ["status", "checks"],
            "properties": {
                "status": { "type": "string", "enum": ["ready", "not_ready"] },
                "checks": {
                    "type": "object",
                    "required": ["database", "cache"],
                    "properties": { "database": check, "cache": check },
                    "description": "Each check is bounded to one second; `cache` is `disabled` without `REDIS_URL`."
                }
            },
            "examples": [
                { "status": "ready", "checks": { "database": "ok", "cache": "ok" } },
                { "status": "not_ready", "checks": { "database": "error", "cache": "ok" } }
            ]
        }),
    );
}

fn with_example(schema: &mut Value, example: Option<Value>) {
    if let Some(example) = example {
        schema["examples"] = json!([example]);
    }
}
