//! Section 6's audit trail: each mutation leaves exactly one audit event, with the actor and the
//! before and after states, served by `GET /v1/audit-events`.

use serde_json::Value;

use crate::conform::{Check, Ctx, Failure, Outcome, ensure, item};
use crate::model::{Auth, Resource, Service};

pub fn checks(service: &Service) -> Vec<Check<'_>> {
    let target = service.resources.iter().find(|r| r.operations.create && r.operations.update && r.operations.delete);
    vec![
        Check::new("audit.trail", "create, update and delete each leave one audit event with actor, before and after", move |ctx| {
            target.map_or(Ok(()), |r| trail(ctx, r))
        })
        .only_if(target.is_some(), "no resource has create, update and delete"),
    ]
}

/// Checks that read what the run did before them.
pub fn late(service: &Service) -> Vec<Check<'_>> {
    let audited = service.resources.iter().any(|r| r.operations.create);
    vec![
        Check::new(
            "audit.every-create",
            "each row the run created (up to 40, spread over the run) has its create audit event",
            every_create,
        )
        .only_if(audited, "no resource has a create operation"),
    ]
}

/// Rows sampled from the run's creates: at most 40, evenly spread, so every check's rows show.
const SAMPLED: usize = 40;

fn every_create(ctx: &Ctx) -> Outcome {
    let created = ctx.created.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let step = created.len().div_ceil(SAMPLED).max(1);
    for (name, row) in created.iter().step_by(step) {
        let r = ctx.resource(name).ok_or_else(|| format!("unknown resource {name}"))?;
        let id = row["id"].as_str().unwrap_or_default();
        let events = events(ctx, r, id)?;
        let Some(first) = events.first() else {
            return Err(format!("{name} {id}, created by the run, has no audit event").into());
        };
        if first["action"] != "create" || first["after"] != *row || !first["before"].is_null() {
            return Err(format!("the first audit event of {name} {id} is not its create with the created row: {first}").into());
        }
        if let Some(stray) = events.iter().find(|e| e["resource_id"] != row["id"] || e["resource_type"] != name.as_str()) {
            return Err(format!("the audit trail of {name} {id} holds another row's event: {stray}").into());
        }
    }
    Ok(())
}

fn events(ctx: &Ctx, r: &Resource, id: &str) -> Result<Vec<Value>, Failure> {
    let ex = ctx.client.get(&format!("/v1/audit-events?resource_type={}&resource_id={id}&limit=100", r.name)).send()?;
    ensure(ex.status == 200, &ex, || format!("GET /v1/audit-events answered {}", ex.status))?;
    let mut events = ex.json().unwrap_or_default()["data"].as_array().cloned().unwrap_or_default();
    events.reverse(); // served newest first
    Ok(events)
}

fn trail(ctx: &Ctx, r: &Resource) -> Outcome {
    let (_, row) = ctx.create(r)?;
    let id = row["id"].as_str().unwrap_or_default().to_owned();
    let ex = ctx.patch(r, &id, &ctx.patch_body(r), None)?;
    ensure(ex.status == 200, &ex, || format!("PATCH answered {}", ex.status))?;
    let updated = ex.json().unwrap_or_default();
    let ex = ctx.client.request("DELETE", &item(r, &id)).send()?;
    ensure(ex.status == 204, &ex, || format!("DELETE answered {}", ex.status))?;

    let events = events(ctx, r, &id)?;
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap_or_default()).collect();
    if actions != ["create", "update", "delete"] {
        return Err(format!("the audit trail of {id} is {actions:?}, expected [\"create\", \"update\", \"delete\"]").into());
    }
    let expected_actor = match ctx.service.auth {
        Auth::Jwt { .. } => Some("conform"),
        Auth::None => None,
    };
    for event in &events {
        for member in ["id", "occurred_at", "actor", "action", "resource_type", "resource_id", "before", "after", "request_id"] {
            if event.get(member).is_none() {
                return Err(format!("an audit event lacks `{member}`: {event}").into());
            }
        }
        let actor = event["actor"].as_str().unwrap_or_default();
        if expected_actor.is_some_and(|a| a != actor) || actor.is_empty() {
            return Err(format!("the audit actor is {actor:?}, expected the token's subject").into());
        }
    }
    let checks = [
        (events[0]["before"].is_null() && events[0]["after"] == row, "create: before is null and after the created row"),
        (events[1]["before"] == row && events[1]["after"] == updated, "update: before and after the PATCH"),
        (events[2]["before"] == updated && events[2]["after"].is_null(), "delete: before is the deleted state, after null"),
    ];
    for (ok, what) in checks {
        if !ok {
            return Err(format!("audit states are wrong ({what}): {}", Value::Array(events.clone())).into());
        }
    }
    Ok(())
}
