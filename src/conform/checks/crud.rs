//! Section 2's resource routes, for one resource: what each listed operation answers, and that
//! the operations not listed do not exist.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::conform::{Check, Ctx, Failure, Outcome, collection, ensure, item};
use crate::model::{FieldType, Resource};

pub fn checks(r: &Resource) -> Vec<Check<'_>> {
    let p = &r.plural;
    let ops = r.operations;
    let no = |op: &str| format!("{} has no {op} operation", r.name);
    vec![
        Check::new(format!("crud.{p}.create"), "POST answers 201 with Location, ETag and the representation", move |ctx| create(ctx, r))
            .only_if(ops.create, no("create")),
        Check::new(
            format!("crud.{p}.read"),
            "GET by id answers 200 with ETag, 304 for If-None-Match, 404 for unknown or malformed ids",
            move |ctx| read(ctx, r),
        )
        .only_if(ops.create && ops.read, no("create or read")),
        Check::new(format!("crud.{p}.list"), "the list walks 3+ pages newest first with no duplicates or gaps", move |ctx| list(ctx, r))
            .only_if(ops.create && ops.list, no("create or list")),
        Check::new(
            format!("crud.{p}.list-parameters"),
            "limit outside 1..100, a non-number limit and a bad cursor answer 400 invalid-parameter",
            move |ctx| list_parameters(ctx, r),
        )
        .only_if(ops.list, no("list")),
        Check::new(format!("crud.{p}.filters"), "each declared filter returns only matching rows", move |ctx| filters(ctx, r))
            .only_if(ops.create && ops.list && !r.filters.is_empty(), format!("{} has no filters (or no create and list)", r.name)),
        Check::new(
            format!("crud.{p}.update"),
            "PATCH bumps version and ETag, and a GET sees it; a stale If-Match answers 412; read-only and immutable fields 422",
            move |ctx| update(ctx, r),
        )
        .only_if(ops.create && ops.update, no("create or update")),
        Check::new(format!("crud.{p}.delete"), "DELETE answers 204, then the row is gone (404), even just after a read", move |ctx| {
            delete(ctx, r)
        })
        .only_if(ops.create && ops.delete, no("create or delete")),
        Check::new(format!("crud.{p}.not-listed"), "operations not in the manifest answer 405 with Allow", move |ctx| not_listed(ctx, r)),
    ]
}

fn id_of(row: &Value) -> String {
    row["id"].as_str().unwrap_or_default().to_owned()
}

fn is_timestamp(v: &Value) -> bool {
    // RFC 3339 in UTC with milliseconds: 2026-11-24T10:00:00.123Z
    v.as_str().is_some_and(|s| {
        let b = s.as_bytes();
        b.len() == 24 && b[4] == b'-' && b[10] == b'T' && b[19] == b'.' && b[23] == b'Z'
    })
}

fn create(ctx: &Ctx, r: &Resource) -> Outcome {
    let body = ctx.valid_body(r)?;
    let ex = ctx.post(r, &body)?;
    ensure(ex.status == 201, &ex, || format!("answered {}, not 201", ex.status))?;
    let row = ex.json().unwrap_or_default();
    let id = id_of(&row);
    ensure(id.len() == 36 && id.as_bytes().get(14) == Some(&b'7'), &ex, || format!("`id` {id:?} is not a UUIDv7"))?;
    ensure(ex.header("location") == Some(item(r, &id).as_str()), &ex, || format!("Location is not {}", item(r, &id)))?;
    ensure(ex.header("etag") == Some("\"1\""), &ex, || "ETag is not \"1\"".into())?;
    ensure(row["version"] == json!(1), &ex, || "`version` is not 1".into())?;
    ensure(is_timestamp(&row["created_at"]) && is_timestamp(&row["updated_at"]), &ex, || {
        "timestamps are not RFC 3339 UTC with milliseconds".into()
    })?;
    for field in &r.fields {
        ensure(row.get(&field.name).is_some(), &ex, || format!("the representation lacks `{}` (unset fields are null)", field.name))?;
        if let Some(sent) = body.get(&field.name)
            && !matches!(field.ty, FieldType::String { .. })
        {
            ensure(&row[&field.name] == sent, &ex, || format!("`{}` came back as {}, sent {sent}", field.name, row[&field.name]))?;
        }
    }
    if r.has_flags {
        ensure(row["flags"].is_array(), &ex, || "`flags` is not an array".into())?;
    }
    Ok(())
}

fn read(ctx: &Ctx, r: &Resource) -> Outcome {
    let (_, row) = ctx.create(r)?;
    let id = id_of(&row);
    let ex = ctx.client.get(&item(r, &id)).send()?;
    ensure(ex.status == 200, &ex, || format!("answered {}", ex.status))?;
    ensure(ex.json().as_ref() == Some(&row), &ex, || "GET does not return the representation POST returned".into())?;
    let etag = ex.header("etag").unwrap_or_default().to_owned();
    ensure(etag == "\"1\"", &ex, || "ETag is not \"1\"".into())?;
    let ex = ctx.client.get(&item(r, &id)).header("if-none-match", etag).send()?;
    ensure(ex.status == 304 && ex.body.is_empty(), &ex, || format!("If-None-Match with the current ETag answered {}, not 304", ex.status))?;
    let ex = ctx.client.get(&item(r, "01900000-0000-7000-8000-0000000000ff")).send()?;
    ctx.expect_problem(&ex, 404, "not-found")?;
    let ex = ctx.client.get(&item(r, "not-a-uuid")).send()?;
    ctx.expect_problem(&ex, 404, "not-found")
}

/// Lists with `query` and returns the rows and the next cursor.
fn page(ctx: &Ctx, r: &Resource, query: &str) -> Result<(Vec<Value>, Option<String>), Failure> {
    let ex = ctx.client.get(&format!("{}?{query}", collection(r))).send()?;
    ensure(ex.status == 200, &ex, || format!("listing answered {}", ex.status))?;
    let body = ex.json().unwrap_or_default();
    let data = body["data"].as_array().cloned();
    ensure(data.is_some(), &ex, || "no `data` array".into())?;
    ensure(body.get("next_cursor").is_some_and(|c| c.is_null() || c.is_string()), &ex, || {
        "`next_cursor` is neither a string nor null".into()
    })?;
    Ok((data.unwrap_or_default(), body["next_cursor"].as_str().map(str::to_owned)))
}

fn list(ctx: &Ctx, r: &Resource) -> Outcome {
    let mut created = Vec::new();
    for _ in 0..5 {
        created.push(id_of(&ctx.create(r)?.1));
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    let (mut seen, mut order, mut pages, mut cursor) = (HashSet::new(), Vec::new(), 0, None::<String>);
    loop {
        let query = match &cursor {
            Some(c) => format!("limit=2&cursor={c}"),
            None => "limit=2".to_owned(),
        };
        let (rows, next) = page(ctx, r, &query)?;
        pages += 1;
        if rows.len() > 2 {
            return Err(format!("limit=2 returned {} rows", rows.len()).into());
        }
        for row in rows {
            let key = (row["created_at"].as_str().unwrap_or_default().to_owned(), id_of(&row));
            if !seen.insert(key.1.clone()) {
                return Err(format!("row {} came back twice while paging", key.1).into());
            }
            order.push(key);
        }
        let ours = order.iter().filter(|(_, id)| created.contains(id)).count();
        match next {
            Some(c) if ours < created.len() && pages < 500 => cursor = Some(c),
            Some(_) | None => break,
        }
    }
    let ours: Vec<String> = order.iter().filter(|(_, id)| created.contains(id)).map(|(_, id)| id.clone()).collect();
    if ours != newest_first {
        return Err(format!("the five rows just created came back as {ours:?}, expected newest first {newest_first:?}").into());
    }
    if pages < 3 {
        return Err(format!("five rows at limit=2 took {pages} pages").into());
    }
    let sorted = order.windows(2).all(|w| w[0] > w[1]);
    if !sorted {
        return Err("rows are not ordered by (created_at, id) descending".to_owned().into());
    }
    let (last_page, next) = page(ctx, r, "limit=100")?;
    let _ = last_page;
    let mut cursor = next;
    let mut walked = 0;
    while let Some(c) = cursor {
        walked += 1;
        if walked > 1000 {
            return Err("the list did not end after 1000 pages".to_owned().into());
        }
        cursor = page(ctx, r, &format!("limit=100&cursor={c}"))?.1;
    }
    Ok(())
}

fn list_parameters(ctx: &Ctx, r: &Resource) -> Outcome {
    for (query, parameter) in
        [("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"), ("cursor=%21%21not-a-cursor", "cursor")]
    {
        let ex = ctx.client.get(&format!("{}?{query}", collection(r))).send()?;
        ctx.expect_problem(&ex, 400, "invalid-parameter")?;
        let named = ex.json().unwrap_or_default()["errors"].as_array().is_some_and(|e| e.iter().any(|e| e["parameter"] == parameter));
        ensure(named, &ex, || format!("`errors` does not name the parameter `{parameter}`"))?;
    }
    Ok(())
}

fn filters(ctx: &Ctx, r: &Resource) -> Outcome {
    let (_, row) = ctx.create(r)?;
    for filter in &r.filters {
        let value = &row[filter];
        let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
        let query = format!("{filter}={}&limit=100", encode(&text));
        let (rows, _) = page(ctx, r, &query)?;
        if !rows.iter().any(|x| x["id"] == row["id"]) {
            return Err(format!("?{query} does not return the row just created with that value").into());
        }
        if let Some(other) = rows.iter().find(|x| &x[filter] != value) {
            return Err(format!("?{query} returned a row whose `{filter}` is {}", other[filter]).into());
        }
    }
    Ok(())
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn update(ctx: &Ctx, r: &Resource) -> Outcome {
    let (_, row) = ctx.create(r)?;
    let id = id_of(&row);
    warm(ctx, r, &id)?;
    let patch = ctx.patch_body(r);
    let send = |body: &Value, if_match: &str| ctx.patch(r, &id, body, Some(if_match));
    let ex = send(&patch, "\"1\"")?;
    ensure(ex.status == 200, &ex, || format!("PATCH answered {}, not 200", ex.status))?;
    let updated = ex.json().unwrap_or_default();
    ensure(updated["version"] == json!(2), &ex, || "`version` did not become 2".into())?;
    ensure(ex.header("etag") == Some("\"2\""), &ex, || "ETag did not become \"2\"".into())?;
    if r.operations.read {
        let ex = ctx.client.get(&item(r, &id)).send()?;
        ensure(ex.status == 200 && ex.json().as_ref() == Some(&updated) && ex.header("etag") == Some("\"2\""), &ex, || {
            "a GET after the PATCH does not answer the updated representation with ETag \"2\" (a stale cache?)".into()
        })?;
    }
    let ex = send(&patch, "\"1\"")?;
    ctx.expect_problem(&ex, 412, "precondition-failed")?;
    for field in r.fields.iter().filter(|f| !f.writable_on_update()) {
        let value = row[&field.name].clone();
        let ex = send(&json!({ &field.name: value }), "\"2\"")?;
        ctx.expect_problem(&ex, 422, "validation-error")?;
        let listed = super::errors::pointers(&ex.json().unwrap_or_default());
        ensure(listed.contains(&format!("#/{}", field.name)), &ex, || format!("`errors` does not point at #/{}", field.name))?;
    }
    Ok(())
}

/// Reads row `id` once, so that a read-through cache holds it before the change that follows.
fn warm(ctx: &Ctx, r: &Resource, id: &str) -> Outcome {
    if r.operations.read {
        let ex = ctx.client.get(&item(r, id)).send()?;
        ensure(ex.status == 200, &ex, || format!("reading the row answered {}, not 200", ex.status))?;
    }
    Ok(())
}

fn delete(ctx: &Ctx, r: &Resource) -> Outcome {
    let (_, row) = ctx.create(r)?;
    let path = item(r, &id_of(&row));
    warm(ctx, r, &id_of(&row))?;
    let ex = ctx.client.request("DELETE", &path).send()?;
    ensure(ex.status == 204 && ex.body.is_empty(), &ex, || format!("DELETE answered {}, not 204", ex.status))?;
    if r.operations.read {
        let ex = ctx.client.get(&path).send()?;
        ctx.expect_problem(&ex, 404, "not-found")?;
    }
    Ok(())
}

fn not_listed(ctx: &Ctx, r: &Resource) -> Outcome {
    let ops = r.operations;
    let some_id = "01900000-0000-7000-8000-0000000000ee";
    // Another method on a path that exists is a 405; a path none of the operations has is a 404.
    let collection_exists = ops.create || ops.list;
    let item_exists = ops.read || ops.update || ops.delete;
    let mut probes = Vec::new();
    if collection_exists {
        probes.push(("PUT", collection(r)));
        if !ops.create {
            probes.push(("POST", collection(r)));
        }
        if !ops.list {
            probes.push(("GET", collection(r)));
        }
    }
    if item_exists {
        probes.push(("PUT", item(r, some_id)));
        for (listed, method) in [(ops.read, "GET"), (ops.update, "PATCH"), (ops.delete, "DELETE")] {
            if !listed {
                probes.push((method, item(r, some_id)));
            }
        }
    }
    for (method, path) in probes {
        let mut request = ctx.client.request(method, &path).header("idempotency-key", ctx.idempotency_key());
        if method != "DELETE" {
            request = request.header("content-type", "application/json").body(b"{}".to_vec());
        }
        let ex = request.send()?;
        ctx.expect_problem(&ex, 405, "method-not-allowed")?;
        let allow = ex.header("allow").unwrap_or_default().to_ascii_uppercase();
        ensure(!allow.is_empty() && !allow.contains(method), &ex, || format!("Allow is {allow:?} for a {method} that does not exist"))?;
    }
    Ok(())
}
