//! Section 3: every error is a problem, including the ones frameworks make themselves; and the
//! first steps of section 5's pipeline (415, 413, 400, 422 with every pointer, 409, missing ref).

use serde_json::{Value, json};

use super::with;
use crate::conform::payload::invalid;
use crate::conform::{Check, Ctx, Outcome, collection, ensure};
use crate::model::{FieldType, Resource, Service};

pub fn checks(service: &Service) -> Vec<Check<'_>> {
    let creatable = service.resources.iter().find(|r| r.operations.create);
    let unique = service.resources.iter().find(|r| r.operations.create && r.fields.iter().any(|f| f.unique && f.writable_on_create()));
    let with_ref = service
        .resources
        .iter()
        .find(|r| r.operations.create && r.fields.iter().any(|f| matches!(f.ty, FieldType::Ref { .. }) && f.writable_on_create()));
    // A ref whose target can be deleted: deleting a row still referenced must be refused.
    let referencing = service.resources.iter().find_map(|r| {
        let target = r.fields.iter().find_map(|f| match &f.ty {
            FieldType::Ref { resource } if f.writable_on_create() => {
                service.resources.iter().find(|t| &t.name == resource && t.operations.delete)
            }
            _ => None,
        })?;
        r.operations.create.then_some((r, target))
    });
    let none = "no resource has a create operation";
    vec![
        Check::new("errors.unknown-route", "an unknown path answers a 404 not-found problem", |ctx| {
            let ex = ctx.client.get("/v1/conform-no-such-route").send()?;
            ctx.expect_problem(&ex, 404, "not-found")
        }),
        Check::new("errors.malformed-json", "a body that is not JSON answers 400 malformed-request", move |ctx| {
            with(creatable, |r| raw(ctx, r, b"{\"a\":".to_vec(), "application/json", 400, "malformed-request"))
        })
        .only_if(creatable.is_some(), none),
        Check::new("errors.not-an-object", "a JSON body that is not an object answers 400 malformed-request", move |ctx| {
            with(creatable, |r| raw(ctx, r, b"[1,2]".to_vec(), "application/json", 400, "malformed-request"))
        })
        .only_if(creatable.is_some(), none),
        Check::new("errors.unsupported-media-type", "a text/plain body answers 415 unsupported-media-type", move |ctx| {
            with(creatable, |r| raw(ctx, r, b"{}".to_vec(), "text/plain", 415, "unsupported-media-type"))
        })
        .only_if(creatable.is_some(), none),
        Check::new("errors.payload-too-large", "a body over the limit answers 413 payload-too-large", move |ctx| {
            with(creatable, |r| {
                let limit = usize::try_from(ctx.service.http.body_limit_bytes).unwrap_or(usize::MAX / 2);
                let mut body = b"{\"pad\":\"".to_vec();
                body.resize(limit + 1, b'x');
                body.extend_from_slice(b"\"}");
                raw(ctx, r, body, "application/json", 413, "payload-too-large")
            })
        })
        .only_if(creatable.is_some(), none),
        Check::new("errors.validation", "invalid fields answer 422 validation-error listing every pointer at once", move |ctx| {
            with(creatable, |r| validation(ctx, r))
        })
        .only_if(creatable.is_some(), none),
        Check::new("errors.unique-violation", "a duplicate unique value answers 409 conflict with its pointer", move |ctx| {
            with(unique, |r| unique_violation(ctx, r))
        })
        .only_if(unique.is_some(), "no resource has a unique field a client sets"),
        Check::new("errors.missing-ref", "a ref to a row that does not exist answers 422 with its pointer", move |ctx| {
            with(with_ref, |r| missing_ref(ctx, r))
        })
        .only_if(with_ref.is_some(), "no resource has a ref field a client sets"),
        Check::new("errors.referenced-delete", "deleting a row another row still references answers 409 conflict", move |ctx| {
            let Some((child, parent)) = referencing else { return Ok(()) };
            let body = ctx.valid_body(child)?;
            let ex = ctx.post(child, &body)?;
            crate::conform::ensure(ex.status == 201, &ex, || format!("creating the referencing {} answered {}", child.name, ex.status))?;
            let field = child
                .fields
                .iter()
                .find(|f| matches!(&f.ty, FieldType::Ref { resource } if resource == &parent.name))
                .map(|f| f.name.clone())
                .unwrap_or_default();
            let id = body[&field].as_str().unwrap_or_default().to_owned();
            let ex = ctx.client.request("DELETE", &crate::conform::item(parent, &id)).send()?;
            ctx.expect_problem(&ex, 409, "conflict")
        })
        .only_if(referencing.is_some(), "no resource a ref points at can be deleted"),
    ]
}

fn raw(ctx: &Ctx, resource: &Resource, body: Vec<u8>, content_type: &str, status: u16, slug: &str) -> Outcome {
    let ex = ctx
        .client
        .request("POST", &collection(resource))
        .header("idempotency-key", ctx.idempotency_key())
        .header("content-type", content_type)
        .body(body)
        .send()?;
    ctx.expect_problem(&ex, status, slug)
}

/// The pointers a problem lists in `errors`.
pub fn pointers(body: &Value) -> Vec<String> {
    body["errors"].as_array().map(|a| a.iter().filter_map(|e| e["pointer"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

fn validation(ctx: &Ctx, resource: &Resource) -> Outcome {
    let mut body = serde_json::Map::new();
    let mut expected = Vec::new();
    for field in resource.fields.iter().filter(|f| f.writable_on_create()) {
        if let Some(bad) = invalid(field) {
            body.insert(field.name.clone(), bad);
            expected.push(format!("#/{}", field.name));
        }
    }
    body.insert("conform_unknown_field".into(), json!(true));
    expected.push("#/conform_unknown_field".into());
    let ex = ctx.post(resource, &Value::Object(body))?;
    ctx.expect_problem(&ex, 422, "validation-error")?;
    let listed = pointers(&ex.json().unwrap_or_default());
    let missing: Vec<&String> = expected.iter().filter(|p| !listed.contains(p)).collect();
    ensure(missing.is_empty(), &ex, || format!("`errors` lacks the pointers {missing:?}"))
}

fn unique_violation(ctx: &Ctx, resource: &Resource) -> Outcome {
    let field = resource.fields.iter().find(|f| f.unique && f.writable_on_create()).map(|f| f.name.clone()).unwrap_or_default();
    let (_, first) = ctx.create(resource)?;
    let mut body = ctx.valid_body(resource)?;
    body[&field] = first[&field].clone();
    let ex = ctx.post(resource, &body)?;
    ctx.expect_problem(&ex, 409, "conflict")?;
    let listed = pointers(&ex.json().unwrap_or_default());
    ensure(listed.contains(&format!("#/{field}")), &ex, || format!("`errors` does not point at #/{field}"))
}

fn missing_ref(ctx: &Ctx, resource: &Resource) -> Outcome {
    let field = resource
        .fields
        .iter()
        .find(|f| matches!(f.ty, FieldType::Ref { .. }) && f.writable_on_create())
        .map(|f| f.name.clone())
        .unwrap_or_default();
    let mut body = ctx.valid_body(resource)?;
    body[&field] = json!("01900000-0000-7000-8000-00000000c0f0");
    let ex = ctx.post(resource, &body)?;
    ctx.expect_problem(&ex, 422, "validation-error")?;
    let listed = pointers(&ex.json().unwrap_or_default());
    ensure(listed.contains(&format!("#/{field}")), &ex, || format!("`errors` does not point at #/{field}"))
}
