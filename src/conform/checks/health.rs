//! Section 2's operational routes and section 7's headers on every response.

use serde_json::json;

use crate::conform::{Check, Ctx, Outcome, ensure};
use crate::model::Service;

pub fn checks(service: &Service) -> Vec<Check<'_>> {
    let first = service.resources.iter().find(|r| r.operations.list);
    vec![
        Check::new("health.live", "GET /health/live answers 200 {\"status\":\"ok\"} without credentials", live),
        Check::new("health.ready", "GET /health/ready answers 200 with the database and cache checks", ready),
        Check::new("health.openapi", "GET /openapi.json serves exactly the document skaffold renders", openapi),
        Check::new("health.metrics", "GET /metrics is Prometheus text with the contract's series", metrics),
        Check::new("headers.request-id-kept", "a valid X-Request-Id is echoed back", |ctx| request_id(ctx, "conform-req.1_A", true)),
        Check::new("headers.request-id-replaced", "an invalid X-Request-Id is replaced by a new valid one", |ctx| {
            request_id(ctx, "not valid!", false)
        }),
        Check::new("headers.v1", "responses under /v1 carry nosniff and Cache-Control: no-store", move |ctx| match first {
            Some(r) => v1_headers(ctx, &crate::conform::collection(r)),
            None => Ok(()),
        })
        .only_if(first.is_some(), "no resource has a list route"),
    ]
}

fn live(ctx: &Ctx) -> Outcome {
    let ex = ctx.client.get("/health/live").anonymous().send()?;
    ensure(ex.status == 200, &ex, || format!("answered {}", ex.status))?;
    ensure(ex.json() == Some(json!({ "status": "ok" })), &ex, || "the body is not {\"status\":\"ok\"}".into())?;
    ensure(ex.header("x-content-type-options") == Some("nosniff"), &ex, || "no X-Content-Type-Options: nosniff".into())
}

fn ready(ctx: &Ctx) -> Outcome {
    let ex = ctx.client.get("/health/ready").anonymous().send()?;
    ensure(ex.status == 200, &ex, || format!("answered {}", ex.status))?;
    let body = ex.json().unwrap_or_default();
    ensure(body["status"] == "ready", &ex, || "`status` is not \"ready\"".into())?;
    ensure(body["checks"]["database"] == "ok", &ex, || "`checks.database` is not \"ok\"".into())?;
    let cache = body["checks"]["cache"].as_str().unwrap_or_default();
    ensure(cache == "ok" || cache == "disabled", &ex, || format!("`checks.cache` is {cache:?}, not \"ok\" or \"disabled\""))
}

fn openapi(ctx: &Ctx) -> Outcome {
    let ex = ctx.client.get("/openapi.json").anonymous().send()?;
    ensure(ex.status == 200, &ex, || format!("answered {}", ex.status))?;
    ensure(ex.media_type() == "application/json", &ex, || "not served as application/json".into())?;
    let expected = ctx.config.openapi_json.as_bytes();
    ensure(ex.body == expected, &ex, || {
        let at = ex.body.iter().zip(expected).position(|(a, b)| a != b).unwrap_or(ex.body.len().min(expected.len()));
        format!("the document differs from skaffold's rendering at byte {at} ({} bytes served, {} expected)", ex.body.len(), expected.len())
    })
}

fn metrics(ctx: &Ctx) -> Outcome {
    let ex = ctx.client.get("/metrics").anonymous().send()?;
    ensure(ex.status == 200, &ex, || format!("answered {}", ex.status))?;
    ensure(ex.media_type() == "text/plain", &ex, || "not served as text/plain".into())?;
    let text = String::from_utf8_lossy(&ex.body);
    for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap_or_default();
        ensure(value.parse::<f64>().is_ok() || ["+Inf", "-Inf", "NaN"].contains(&value), &ex, || {
            format!("not a Prometheus sample line: {line}")
        })?;
    }
    for series in ["http_server_request_duration_seconds", "jobs_queued", "jobs_dead", "idempotency_replays_total", "rate_limited_total"] {
        ensure(text.contains(series), &ex, || format!("no `{series}` series"))?;
    }
    Ok(())
}

fn request_id(ctx: &Ctx, sent: &str, kept: bool) -> Outcome {
    let ex = ctx.client.get("/health/live").header("x-request-id", sent).send()?;
    let got = ex.header("x-request-id").unwrap_or_default();
    let valid = (1..=128).contains(&got.len()) && got.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    ensure(valid, &ex, || format!("X-Request-Id {got:?} is not [A-Za-z0-9._-]{{1,128}}"))?;
    ensure((got == sent) == kept, &ex, || {
        if kept { format!("sent {sent:?}, got {got:?}") } else { format!("the invalid {sent:?} was echoed") }
    })
}

fn v1_headers(ctx: &Ctx, path: &str) -> Outcome {
    let ex = ctx.client.get(path).send()?;
    ensure(ex.header("x-content-type-options") == Some("nosniff"), &ex, || "no X-Content-Type-Options: nosniff".into())?;
    ensure(ex.header("cache-control").is_some_and(|v| v.contains("no-store")), &ex, || "no Cache-Control: no-store".into())
}
