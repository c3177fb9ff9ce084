//! Section 6's outbound events, seen from the suite's own receiver: each mutation's event arrives
//! signed (Standard Webhooks) with the contract's body, is retried after a 500 (the receiver
//! refuses every event's first delivery), and an event id never arrives with two bodies.

use std::time::Duration;

use serde_json::{Value, json};

use crate::conform::receiver::Delivery;
use crate::conform::{Check, Ctx, Failure, Outcome};
use crate::model::{Resource, Service};

const DELIVERY_TIMEOUT: Duration = Duration::from_secs(20);

pub fn checks(service: &Service) -> Vec<Check<'_>> {
    let target = service.resources.iter().find(|r| r.operations.create && r.operations.update);
    let reason = "no resource has create and update";
    let flagging = service
        .resources
        .iter()
        .filter(|r| r.operations.create)
        .find_map(|r| r.rules.iter().find(|rule| rule.action == crate::model::RuleAction::Flag).map(|rule| (r, rule)));
    vec![
        Check::new("events.created", "a create is delivered as a signed `<resource>.created` event, retried after a 500", move |ctx| {
            target.map_or(Ok(()), |r| created(ctx, r))
        })
        .only_if(target.is_some(), reason),
        Check::new("events.updated", "an update is delivered as `<resource>.updated` with the new representation", move |ctx| {
            target.map_or(Ok(()), |r| updated(ctx, r))
        })
        .only_if(target.is_some(), reason),
        Check::new("events.flagged", "a row a flag rule holds for is delivered as `<resource>.flagged`", move |ctx| match flagging {
            Some((r, rule)) => flagged(ctx, r, rule),
            None => Ok(()),
        })
        .only_if(flagging.is_some(), "no resource has a flag rule"),
        Check::new("events.traceparent", "a create sent with a traceparent is delivered in the same trace, from a new span", move |ctx| {
            target.map_or(Ok(()), |r| traced(ctx, r))
        })
        .only_if(target.is_some(), reason),
        Check::new("events.one-body", "no event id was ever delivered with two different bodies", one_body),
    ]
}

fn receiver<'c>(ctx: &'c Ctx<'_>) -> Result<&'c crate::conform::receiver::Receiver, Failure> {
    ctx.receiver
        .as_ref()
        .ok_or_else(|| "pass --events-listen 127.0.0.1:<port> (the service's EVENTS_WEBHOOK_URL) and --events-secret".to_owned().into())
}

/// Waits for the accepted (200) delivery of the event of `kind` about row `id`.
fn accepted(ctx: &Ctx, kind: &str, id: &str) -> Result<(Delivery, Vec<Delivery>), Failure> {
    let matches = |d: &Delivery| d.json()["type"] == json!(kind) && d.json()["data"]["id"] == json!(id);
    let (found, deliveries) = receiver(ctx)?.wait(DELIVERY_TIMEOUT, |all| all.iter().any(|d| matches(d) && d.answered == 200));
    let attempts: Vec<Delivery> = deliveries.into_iter().filter(|d| matches(d)).collect();
    if !found {
        return Err(format!(
            "no {kind} event for {id} was accepted within {} s ({} attempts seen)",
            DELIVERY_TIMEOUT.as_secs(),
            attempts.len()
        )
        .into());
    }
    let last = attempts.iter().rev().find(|d| d.answered == 200).cloned().ok_or_else(|| "unreachable: found".to_owned())?;
    Ok((last, attempts))
}

fn verify(ctx: &Ctx, delivery: &Delivery) -> Outcome {
    let body = delivery.json();
    for member in ["id", "type", "created_at", "data"] {
        if body.get(member).is_none() {
            return Err(format!("the event body lacks `{member}`: {body}").into());
        }
    }
    let id = delivery.header("webhook-id").unwrap_or_default();
    if id != body["id"].as_str().unwrap_or_default() {
        return Err(format!("webhook-id {id:?} is not the event's id {}", body["id"]).into());
    }
    let timestamp: u64 =
        delivery.header("webhook-timestamp").and_then(|t| t.parse().ok()).ok_or_else(|| "no numeric webhook-timestamp".to_owned())?;
    let secret =
        ctx.config.events_secret.as_deref().ok_or_else(|| "pass --events-secret (the service's EVENTS_WEBHOOK_SECRET)".to_owned())?;
    let text = String::from_utf8_lossy(&delivery.body);
    let expected = super::webhooks::signature(secret, id, timestamp, &text)?;
    let signatures = delivery.header("webhook-signature").unwrap_or_default();
    if !signatures.split(' ').any(|s| s == expected) {
        return Err(format!("webhook-signature {signatures:?} does not verify with the events secret").into());
    }
    let traceparent = delivery.header("traceparent").unwrap_or_default();
    if parse_traceparent(traceparent).is_none() {
        return Err(format!("the delivery's traceparent {traceparent:?} is not a W3C traceparent").into());
    }
    Ok(())
}

/// The trace id and parent span id of a W3C traceparent (version 00, lower-case hex, neither all zeros).
fn parse_traceparent(value: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = value.split('-').collect();
    let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let nonzero = |s: &str| s.bytes().any(|b| b != b'0');
    match parts[..] {
        ["00", trace, span, flags] if hex(trace, 32) && hex(span, 16) && hex(flags, 2) && nonzero(trace) && nonzero(span) => {
            Some((trace, span))
        }
        _ => None,
    }
}

fn traced(ctx: &Ctx, r: &Resource) -> Outcome {
    let digest = crate::conform::jwt::hmac_sha256(b"conform-trace", ctx.values.tag().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let (trace, span) = (&hex[..32], &hex[32..48]);
    let body = ctx.valid_body(r)?;
    let request = ctx.client.request("POST", &crate::conform::collection(r)).header("idempotency-key", ctx.idempotency_key());
    let ex = request.header("traceparent", format!("00-{trace}-{span}-01")).json(&body).send()?;
    crate::conform::ensure(ex.status == 201, &ex, || format!("the create answered {}", ex.status))?;
    let id = ex.json().unwrap_or_default()["id"].as_str().unwrap_or_default().to_owned();
    let (delivery, _) = accepted(ctx, &format!("{}.created", r.name), &id)?;
    let received = delivery.header("traceparent").unwrap_or_default();
    match parse_traceparent(received) {
        Some((t, s)) if t == trace && s != span => Ok(()),
        Some((t, _)) if t == trace => Err(format!("the delivery's traceparent {received} reuses the request's own span id").into()),
        _ => Err(format!("the delivery's traceparent {received:?} is not in the request's trace {trace}").into()),
    }
}

fn created(ctx: &Ctx, r: &Resource) -> Outcome {
    let (_, row) = ctx.create(r)?;
    let id = row["id"].as_str().unwrap_or_default().to_owned();
    let (delivery, attempts) = accepted(ctx, &format!("{}.created", r.name), &id)?;
    verify(ctx, &delivery)?;
    if attempts.first().map(|d| d.answered) != Some(500) || attempts.len() < 2 {
        return Err("the event was not retried after the receiver answered 500".to_owned().into());
    }
    if attempts.iter().any(|d| d.body != delivery.body) {
        return Err("the retried delivery has another body than the first".to_owned().into());
    }
    if delivery.json()["data"] != row {
        return Err(format!("the event's data is not the created representation: {}", delivery.json()["data"]).into());
    }
    Ok(())
}

fn updated(ctx: &Ctx, r: &Resource) -> Outcome {
    let (_, row) = ctx.create(r)?;
    let id = row["id"].as_str().unwrap_or_default().to_owned();
    let ex = ctx.patch(r, &id, &ctx.patch_body(r), None)?;
    crate::conform::ensure(ex.status == 200, &ex, || format!("PATCH answered {}", ex.status))?;
    let (delivery, _) = accepted(ctx, &format!("{}.updated", r.name), &id)?;
    verify(ctx, &delivery)?;
    let data: Value = delivery.json()["data"].clone();
    if data != ex.json().unwrap_or_default() {
        return Err(format!("the event's data is not the updated representation: {data}").into());
    }
    Ok(())
}

fn one_body(ctx: &Ctx) -> Outcome {
    let mut bodies: std::collections::HashMap<String, Vec<u8>> = std::collections::HashMap::new();
    for d in receiver(ctx)?.deliveries() {
        let id = d.json()["id"].as_str().unwrap_or_default().to_owned();
        if let Some(first) = bodies.get(&id) {
            if *first != d.body {
                return Err(format!("event {id} arrived with two different bodies").into());
            }
        } else {
            bodies.insert(id, d.body);
        }
    }
    Ok(())
}

fn flagged(ctx: &Ctx, r: &Resource, rule: &crate::model::Rule) -> Outcome {
    let vector = super::rules::holding(rule, true).next().ok_or_else(|| format!("no vector makes `{}` hold", rule.name))?;
    let ex = super::rules::attempt(ctx, r, rule, vector)?;
    crate::conform::ensure(ex.status == 201, &ex, || format!("the flagged create answered {}", ex.status))?;
    let id = ex.json().unwrap_or_default()["id"].as_str().unwrap_or_default().to_owned();
    let (delivery, _) = accepted(ctx, &format!("{}.flagged", r.name), &id)?;
    verify(ctx, &delivery)
}

#[cfg(test)]
mod tests {
    use super::parse_traceparent;

    #[test]
    fn traceparents_are_read_as_the_w3c_form() {
        let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert_eq!(parse_traceparent(valid), Some(("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")));
        for invalid in [
            "",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        ] {
            assert_eq!(parse_traceparent(invalid), None, "{invalid}");
        }
    }
}
