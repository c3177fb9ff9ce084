//! Section 4: idempotency keys on POST (always, when the manifest requires them), and what a
//! replay, a reuse, a concurrent burst and a bad key answer.

use serde_json::Value;

use super::with;
use crate::conform::http::Exchange;
use crate::conform::{Check, Ctx, Failure, Outcome, collection, ensure, item};
use crate::model::{Resource, Service};

pub fn checks(service: &Service) -> Vec<Check<'_>> {
    let target = service.resources.iter().find(|r| r.operations.create && r.operations.list);
    let required = service.idempotency.required;
    let none = "no resource has create and list operations";
    vec![
        Check::new("idempotency.missing", "a POST without Idempotency-Key answers 400 idempotency-key-missing", move |ctx| {
            with(target, |r| {
                let body = ctx.valid_body(r)?;
                let ex = ctx.client.request("POST", &collection(r)).json(&body).send()?;
                ctx.expect_problem(&ex, 400, "idempotency-key-missing")
            })
        })
        .only_if(target.is_some() && required, if required { none } else { "the manifest does not require idempotency keys" }),
        Check::new("idempotency.invalid", "an empty, too long or non-ASCII key answers 400 idempotency-key-invalid", move |ctx| {
            with(target, |r| {
                for key in [String::new(), "k".repeat(256), "clé".to_owned()] {
                    let body = ctx.valid_body(r)?;
                    let ex = ctx.client.request("POST", &collection(r)).header("idempotency-key", key).json(&body).send()?;
                    ctx.expect_problem(&ex, 400, "idempotency-key-invalid")?;
                }
                Ok(())
            })
        })
        .only_if(target.is_some(), none),
        Check::new("idempotency.replay", "a replay is byte-identical with Idempotent-Replayed and creates nothing", move |ctx| {
            with(target, |r| replay(ctx, r))
        })
        .only_if(target.is_some(), none),
        Check::new("idempotency.reused", "the same key with another body answers 422 idempotency-key-reused", move |ctx| {
            with(target, |r| {
                let key = ctx.idempotency_key();
                let first = send(ctx, r, &key, &ctx.valid_body(r)?)?;
                ensure(first.status == 201, &first, || format!("the first POST answered {}", first.status))?;
                let ex = send(ctx, r, &key, &ctx.valid_body(r)?)?;
                ctx.expect_problem(&ex, 422, "idempotency-key-reused")
            })
        })
        .only_if(target.is_some(), none),
        Check::new("idempotency.concurrent", "20 concurrent identical requests create exactly one resource", move |ctx| {
            with(target, |r| concurrent(ctx, r))
        })
        .only_if(target.is_some(), none),
    ]
}

fn send(ctx: &Ctx, r: &Resource, key: &str, body: &Value) -> Result<Exchange, Failure> {
    Ok(ctx.client.request("POST", &collection(r)).header("idempotency-key", key).json(body).send()?)
}

/// How many rows of `r` the list shows (walking every page).
fn count_rows(ctx: &Ctx, r: &Resource, filter: Option<(&str, &Value)>) -> Result<usize, Failure> {
    let base = match filter {
        Some((field, value)) => {
            format!("{}?{field}={}&limit=100", collection(r), value.as_str().map_or_else(|| value.to_string(), str::to_owned))
        }
        None => format!("{}?limit=100", collection(r)),
    };
    let (mut total, mut cursor) = (0, None::<String>);
    for _ in 0..1000 {
        let path = cursor.as_ref().map_or_else(|| base.clone(), |c| format!("{base}&cursor={c}"));
        let ex = ctx.client.get(&path).send()?;
        ensure(ex.status == 200, &ex, || format!("listing answered {}", ex.status))?;
        let body = ex.json().unwrap_or_default();
        total += body["data"].as_array().map_or(0, Vec::len);
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return Ok(total),
        }
    }
    Err("the list did not end after 1000 pages".to_owned().into())
}

fn replay(ctx: &Ctx, r: &Resource) -> Outcome {
    let key = ctx.idempotency_key();
    let body = ctx.valid_body(r)?;
    let first = send(ctx, r, &key, &body)?;
    ensure(first.status == 201, &first, || format!("the first POST answered {}", first.status))?;
    let before = count_rows(ctx, r, None)?;
    let second = send(ctx, r, &key, &body)?;
    ensure(second.status == first.status, &second, || format!("the replay answered {}, the original {}", second.status, first.status))?;
    ensure(second.body == first.body, &second, || "the replayed body differs from the original".into())?;
    for header in ["location", "etag", "content-type"] {
        ensure(second.header(header) == first.header(header), &second, || format!("the replayed {header} differs"))?;
    }
    ensure(second.header("idempotent-replayed") == Some("true"), &second, || "no Idempotent-Replayed: true".into())?;
    let after = count_rows(ctx, r, None)?;
    ensure(after == before, &second, || format!("the replay changed the row count from {before} to {after}"))?;
    if r.operations.read {
        let id = first.json().unwrap_or_default()["id"].as_str().unwrap_or_default().to_owned();
        let ex = ctx.client.get(&item(r, &id)).send()?;
        ensure(ex.json().unwrap_or_default()["version"] == 1, &ex, || "the row changed after the replay".into())?;
    }
    // Nor a second audit event: the trail of the row still holds its one `create`.
    let id = first.json().unwrap_or_default()["id"].as_str().unwrap_or_default().to_owned();
    let ex = ctx.client.get(&format!("/v1/audit-events?resource_type={}&resource_id={id}&limit=100", r.name)).send()?;
    let events = ex.json().unwrap_or_default()["data"].as_array().map_or(0, Vec::len);
    ensure(ex.status == 200 && events == 1, &ex, || format!("after the replay the row has {events} audit events, not 1"))
}

fn concurrent(ctx: &Ctx, r: &Resource) -> Outcome {
    let key = ctx.idempotency_key();
    let body = ctx.valid_body(r)?;
    let outcomes: Vec<Result<Exchange, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|_| scope.spawn(|| ctx.client.request("POST", &collection(r)).header("idempotency-key", &key).json(&body).send()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a request thread panicked".into()))).collect()
    });
    let mut created_ids = std::collections::BTreeSet::new();
    for outcome in outcomes {
        let ex = outcome?;
        match ex.status {
            201 => {
                created_ids.insert(ex.json().unwrap_or_default()["id"].as_str().unwrap_or_default().to_owned());
            }
            409 => ctx.expect_problem(&ex, 409, "idempotency-key-in-use")?,
            _ => return Err(Failure { message: format!("a concurrent request answered {}", ex.status), exchange: Some(Box::new(ex)) }),
        }
    }
    if created_ids.len() != 1 {
        return Err(format!("20 concurrent requests with one key created {} different rows", created_ids.len()).into());
    }
    Ok(())
}
