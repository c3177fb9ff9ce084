//! `paths`, and the parameters and headers the operations share through `components`.

use serde_json::{Map, Value, json};

use super::problems::{Failure, response_ref};
use super::schemas::{schema_ref, value_schema};
use super::{BEARER, TAG_AUDIT, TAG_OPERATIONS, TAG_WEBHOOKS, is_jwt, pascal_case, with_article};
use crate::model::{Resource, Service, Webhook};

pub(crate) fn paths(service: &Service) -> Value {
    let mut paths = Map::new();
    operational(service, &mut paths);
    for resource in &service.resources {
        resource_paths(service, resource, &mut paths);
    }
    paths.insert("/v1/audit-events".into(), json!({ "get": audit_events(service) }));
    for webhook in &service.webhooks {
        paths.insert(format!("/webhooks/{}", webhook.name), json!({ "post": inbound_webhook(service, webhook) }));
    }
    Value::Object(paths)
}

fn parameter_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

fn header_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/headers/{name}") })
}

fn headers_of(names: &[&str]) -> Value {
    Value::Object(names.iter().map(|name| ((*name).to_owned(), header_ref(name))).collect())
}

/// The headers of every successful `/v1` response.
const V1_HEADERS: [&str; 3] = ["X-Request-Id", "RateLimit", "RateLimit-Policy"];

/// The routes every service has whatever its manifest: public, never rate limited.
fn operational(service: &Service, paths: &mut Map<String, Value>) {
    let public = |mut operation: Value| {
        if is_jwt(service) {
            operation["security"] = json!([]);
        }
        operation
    };
    let ok_json = |description: &str, schema: Value| json!({ "description": description, "headers": headers_of(&["X-Request-Id"]), "content": { "application/json": { "schema": schema } } });
    paths.insert(
        "/health/live".into(),
        json!({ "get": public(json!({
            "tags": [TAG_OPERATIONS],
            "summary": "Liveness probe",
            "description": "Answers as long as the process runs; checks nothing else.",
            "operationId": "getLiveness",
            "responses": { "200": ok_json("The process is alive.", schema_ref("Liveness")) }
        })) }),
    );
    paths.insert(
        "/health/ready".into(),
        json!({ "get": public(json!({
            "tags": [TAG_OPERATIONS],
            "summary": "Readiness probe",
            "description": "Checks the database and the cache, each within one second; not ready once shutdown has started.",
            "operationId": "getReadiness",
            "responses": {
                "200": ok_json("Every dependency answers.", schema_ref("Readiness")),
                "503": ok_json("A check failed or shutdown has started.", schema_ref("Readiness"))
            }
        })) }),
    );
    paths.insert(
        "/openapi.json".into(),
        json!({ "get": public(json!({
            "tags": [TAG_OPERATIONS],
            "summary": "This document",
            "operationId": "getOpenApiDocument",
            "responses": { "200": ok_json("The OpenAPI 3.1 document of this service.", json!({ "type": "object" })) }
        })) }),
    );
    paths.insert(
        "/metrics".into(),
        json!({ "get": public(json!({
            "tags": [TAG_OPERATIONS],
            "summary": "Prometheus metrics",
            "description": "Request durations, pool gauges, job queue depth, idempotency replays and rate-limited requests.",
            "operationId": "getMetrics",
            "responses": {
                "200": {
                    "description": "Metrics in the Prometheus text exposition format.",
                    "headers": headers_of(&["X-Request-Id"]),
                    "content": { "text/plain; version=0.0.4": { "schema": { "type": "string" } } }
                }
            }
        })) }),
    );
}

/// What every `/v1` operation shares: tag, summary, id, scope.
struct OperationHead<'a> {
    tag: &'a str,
    summary: String,
    operation_id: String,
    scope: String,
}

fn operation(service: &Service, head: OperationHead<'_>) -> Map<String, Value> {
    let mut op = Map::new();
    op.insert("tags".into(), json!([head.tag]));
    op.insert("summary".into(), json!(head.summary));
    if is_jwt(service) {
        op.insert("description".into(), json!(format!("Requires the `{}` scope.", head.scope)));
    }
    op.insert("operationId".into(), json!(head.operation_id));
    if is_jwt(service) {
        // OpenAPI 3.1 lets a non-OAuth requirement list the roles it needs: here, the scopes.
        op.insert("security".into(), json!([{ BEARER: [head.scope] }]));
    }
    op
}

/// The problem responses of a `/v1` operation, auth ones only when the service has auth.
fn failures(service: &Service, specific: &[Failure]) -> Vec<Failure> {
    let mut all = Vec::new();
    if is_jwt(service) {
        all.extend([Failure::Unauthorized, Failure::Forbidden]);
    }
    all.extend_from_slice(specific);
    all.extend([Failure::TooManyRequests, Failure::InternalError, Failure::ServiceUnavailable]);
    all.sort_by_key(|f| f.status());
    all
}

fn responses(success: Vec<(&str, Value)>, failures: &[Failure]) -> Value {
    let mut responses: Map<String, Value> = success.into_iter().map(|(status, r)| (status.to_owned(), r)).collect();
    for failure in failures {
        responses.insert(failure.status().to_string(), response_ref(*failure));
    }
    Value::Object(responses)
}

fn json_response(description: &str, headers: &[&str], schema: &str) -> Value {
    json!({ "description": description, "headers": headers_of(headers), "content": { "application/json": { "schema": schema_ref(schema) } } })
}

fn resource_paths(service: &Service, resource: &Resource, paths: &mut Map<String, Value>) {
    let ops = resource.operations;
    let name = pascal_case(&resource.name);
    let (one, many) = (with_article(&resource.name.replace('_', " ")), resource.plural.replace('_', " "));
    let (read, write) = (format!("{}:read", resource.path), format!("{}:write", resource.path));
    let head = |verb: &str, object: &str, id: String, scope: &String| OperationHead {
        tag: &resource.path,
        summary: format!("{verb} {object}"),
        operation_id: id,
        scope: scope.clone(),
    };
    let body_failures =
        [Failure::BadRequest, Failure::Conflict, Failure::PayloadTooLarge, Failure::UnsupportedMediaType, Failure::UnprocessableContent];

    let mut collection = Map::new();
    if ops.create {
        let mut op = operation(service, head("Create", &one, format!("create{name}"), &write));
        op.insert("parameters".into(), json!([parameter_ref("IdempotencyKey")]));
        op.insert(
            "requestBody".into(),
            json!({ "required": true, "content": { "application/json": { "schema": schema_ref(&format!("{name}Create")) } } }),
        );
        let created = json_response(
            "Created; the body is the new representation.",
            &["Location", "ETag", "Idempotent-Replayed", "X-Request-Id", "RateLimit", "RateLimit-Policy"],
            &name,
        );
        op.insert("responses".into(), responses(vec![("201", created)], &failures(service, &body_failures)));
        collection.insert("post".into(), Value::Object(op));
    }
    if ops.list {
        let mut op = operation(service, head("List", &many, format!("list{}", pascal_case(&resource.plural)), &read));
        let mut parameters = vec![parameter_ref("Limit"), parameter_ref("Cursor")];
        for filter in &resource.filters {
            if let Some(field) = resource.field(filter) {
                parameters.push(json!({
                    "name": filter,
                    "in": "query",
                    "description": format!("Only rows whose `{filter}` equals this value."),
                    "schema": value_schema(field)
                }));
            }
        }
        op.insert("parameters".into(), Value::Array(parameters));
        let page = json_response("One page, newest first.", &V1_HEADERS, &format!("{name}Page"));
        op.insert("responses".into(), responses(vec![("200", page)], &failures(service, &[Failure::InvalidParameter])));
        collection.insert("get".into(), Value::Object(op));
    }
    if !collection.is_empty() {
        paths.insert(format!("/v1/{}", resource.path), Value::Object(collection));
    }

    let mut item = Map::new();
    if ops.read {
        let mut op = operation(service, head("Get", &one, format!("get{name}"), &read));
        op.insert("parameters".into(), json!([parameter_ref("IfNoneMatch")]));
        let ok = json_response("The representation.", &["ETag", "X-Request-Id", "RateLimit", "RateLimit-Policy"], &name);
        let not_modified = response_ref_named("NotModified");
        op.insert("responses".into(), responses(vec![("200", ok), ("304", not_modified)], &failures(service, &[Failure::NotFound])));
        item.insert("get".into(), Value::Object(op));
    }
    if ops.update {
        let mut op = operation(service, head("Update", &one, format!("update{name}"), &write));
        op.insert("parameters".into(), json!([parameter_ref("IfMatch"), parameter_ref(optional_key(service))]));
        let schema = schema_ref(&format!("{name}Update"));
        op.insert(
            "requestBody".into(),
            json!({ "required": true, "content": { "application/merge-patch+json": { "schema": schema }, "application/json": { "schema": schema } } }),
        );
        let ok = json_response(
            "Updated; the body is the new representation.",
            &["ETag", "Idempotent-Replayed", "X-Request-Id", "RateLimit", "RateLimit-Policy"],
            &name,
        );
        let mut specific = body_failures.to_vec();
        specific.extend([Failure::NotFound, Failure::PreconditionFailed]);
        op.insert("responses".into(), responses(vec![("200", ok)], &failures(service, &specific)));
        item.insert("patch".into(), Value::Object(op));
    }
    if ops.delete {
        let mut op = operation(service, head("Delete", &one, format!("delete{name}"), &write));
        op.insert("description".into(), json!(delete_description(service, &write)));
        op.insert("parameters".into(), json!([parameter_ref(optional_key(service))]));
        let deleted = json!({ "description": "Deleted.", "headers": headers_of(&["Idempotent-Replayed", "X-Request-Id", "RateLimit", "RateLimit-Policy"]) });
        let specific = [Failure::BadRequest, Failure::NotFound, Failure::Conflict, Failure::UnprocessableContent];
        op.insert("responses".into(), responses(vec![("204", deleted)], &failures(service, &specific)));
        item.insert("delete".into(), Value::Object(op));
    }
    if !item.is_empty() {
        let mut path_item = Map::new();
        path_item.insert("parameters".into(), json!([parameter_ref("Id")]));
        path_item.extend(item);
        paths.insert(format!("/v1/{}/{{id}}", resource.path), Value::Object(path_item));
    }
}

fn delete_description(service: &Service, scope: &str) -> String {
    let audit = "The audit trail keeps the deleted state.";
    if is_jwt(service) { format!("Requires the `{scope}` scope. {audit}") } else { audit.to_owned() }
}

fn response_ref_named(name: &str) -> Value {
    json!({ "$ref": format!("#/components/responses/{name}") })
}

/// PATCH and DELETE take the key only when sent; when POST's is optional too, they share it.
fn optional_key(service: &Service) -> &'static str {
    if service.idempotency.required { "IdempotencyKeyOptional" } else { "IdempotencyKey" }
}

fn audit_events(service: &Service) -> Value {
    let head = OperationHead {
        tag: TAG_AUDIT,
        summary: "List audit events".into(),
        operation_id: "listAuditEvents".into(),
        scope: "audit:read".into(),
    };
    let mut op = operation(service, head);
    let names: Vec<&str> = service.resources.iter().map(|r| r.name.as_str()).collect();
    op.insert(
        "parameters".into(),
        json!([
            { "name": "resource_type", "in": "query", "description": "Only events of this resource.", "schema": { "type": "string", "enum": names } },
            { "name": "resource_id", "in": "query", "description": "Only events of this row.", "schema": { "type": "string", "format": "uuid" } },
            parameter_ref("Limit"),
            parameter_ref("Cursor")
        ]),
    );
    let page = json_response("One page of audit events, newest first.", &V1_HEADERS, "AuditEventPage");
    op.insert("responses".into(), responses(vec![("200", page)], &failures(service, &[Failure::InvalidParameter])));
    Value::Object(op)
}

fn inbound_webhook(service: &Service, webhook: &Webhook) -> Value {
    let event_types: Vec<&str> = webhook.handlers.iter().map(|h| h.event_type.as_str()).collect();
    let mut op = json!({
        "tags": [TAG_WEBHOOKS],
        "summary": format!("Receive the {} webhook", webhook.name),
        "description": format!(
            "Verifies the Standard Webhooks signature over the raw body with the secret in `{}`, stores the event \
             and processes it in the background. The event type is read at `{}`; unknown types are stored and ignored.",
            webhook.secret_env, webhook.event_type_pointer
        ),
        "operationId": format!("receive{}Webhook", pascal_case(&webhook.name)),
        "parameters": [parameter_ref("WebhookId"), parameter_ref("WebhookTimestamp"), parameter_ref("WebhookSignature")],
        "requestBody": { "required": true, "content": { "application/json": { "schema": {} } } },
        "responses": {
            "200": { "description": "Already received: this `webhook-id` was seen before; nothing was done.", "headers": headers_of(&["X-Request-Id"]) },
            "202": { "description": "Accepted: stored and queued for processing.", "headers": headers_of(&["X-Request-Id"]) },
            "401": response_ref(Failure::InvalidSignature),
            "413": response_ref(Failure::PayloadTooLarge),
            "500": response_ref(Failure::InternalError),
            "503": response_ref(Failure::ServiceUnavailable)
        },
        "x-event-types": event_types
    });
    if is_jwt(service) {
        // The signature is the authentication: the sender has no token.
        op["security"] = json!([]);
    }
    op
}

pub(crate) fn parameters(service: &Service) -> Value {
    let key_description = "A key unique to this operation, 1 to 255 visible ASCII characters, bare or as a structured-field \
                           string (`\"k\"`). A retry with the same key and body replays the first response.";
    let key_schema = json!({ "type": "string", "pattern": "^(?:[!-~]{1,255}|\"[!-~]{1,255}\")$" });
    let mut parameters = Map::new();
    parameters.insert(
        "Id".into(),
        json!({
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The row's id; an id that is not a UUID is simply not found.",
            "schema": { "type": "string", "format": "uuid" }
        }),
    );
    parameters.insert(
        "Limit".into(),
        json!({ "name": "limit", "in": "query", "description": "The page size.", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20 } }),
    );
    parameters.insert(
        "Cursor".into(),
        json!({ "name": "cursor", "in": "query", "description": "The `next_cursor` of the previous page; opaque.", "schema": { "type": "string" } }),
    );
    parameters.insert(
        "IfNoneMatch".into(),
        json!({ "name": "If-None-Match", "in": "header", "description": "An `ETag`; if it is current the answer is 304.", "schema": { "type": "string" } }),
    );
    parameters.insert(
        "IfMatch".into(),
        json!({ "name": "If-Match", "in": "header", "description": "An `ETag`; if it is stale the answer is 412 and nothing changes.", "schema": { "type": "string" } }),
    );
    let required = service.idempotency.required;
    let post_description = if required { format!("Required. {key_description}") } else { key_description.to_owned() };
    parameters.insert(
        "IdempotencyKey".into(),
        json!({ "name": "Idempotency-Key", "in": "header", "required": required, "description": post_description, "schema": key_schema }),
    );
    if required {
        parameters.insert(
            "IdempotencyKeyOptional".into(),
            json!({ "name": "Idempotency-Key", "in": "header", "required": false, "description": key_description, "schema": key_schema }),
        );
    }
    if !service.webhooks.is_empty() {
        parameters.insert(
            "WebhookId".into(),
            json!({ "name": "webhook-id", "in": "header", "required": true, "description": "The event's unique id; a repeat is acknowledged and ignored.", "schema": { "type": "string" } }),
        );
        parameters.insert(
            "WebhookTimestamp".into(),
            json!({ "name": "webhook-timestamp", "in": "header", "required": true, "description": "Unix seconds; must be within five minutes of now.", "schema": { "type": "string", "pattern": "^[0-9]+$" } }),
        );
        parameters.insert(
            "WebhookSignature".into(),
            json!({ "name": "webhook-signature", "in": "header", "required": true, "description": "Space-separated `v1,<base64 HMAC-SHA256>` signatures of `id.timestamp.body`.", "schema": { "type": "string" } }),
        );
    }
    Value::Object(parameters)
}

pub(crate) fn headers() -> Value {
    let header = |description: &str, schema: Value| json!({ "description": description, "schema": schema });
    let string = || json!({ "type": "string" });
    json!({
        "X-Request-Id": header("The caller's `X-Request-Id` if it matches `[A-Za-z0-9._-]{1,128}`, otherwise a new one.", json!({ "type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$" })),
        "Location": header("The new resource's path, `/v1/{plural}/{id}`.", string()),
        "ETag": header("The row's version as a strong entity tag, `\"<version>\"`.", json!({ "type": "string", "pattern": "^\"[0-9]+\"$" })),
        "Idempotent-Replayed": header("`true` when this is the stored response of an earlier request with the same `Idempotency-Key`.", json!({ "type": "string", "enum": ["true"] })),
        "RateLimit": header("The caller's remaining quota: `\"default\";r=<remaining>;t=<seconds to reset>`.", string()),
        "RateLimit-Policy": header("The quota policy: `\"default\";q=<burst>;w=<window seconds>`.", string()),
        "Retry-After": header("Seconds to wait before retrying.", json!({ "type": "integer", "minimum": 0 })),
        "WWW-Authenticate": header("`Bearer error=\"invalid_token\"` when a token was sent.", string()),
        "Allow": header("The methods this path has.", string())
    })
}
