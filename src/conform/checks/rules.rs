//! Section 5's domain rules, driven by the shared test vectors skaffold computes for each rule: a
//! vector that makes a reject rule true must be refused with 422 `rule-rejected` naming the rule,
//! and one that makes a flag rule true must be stored with the rule's name in `flags`.

use serde_json::{Map, Value, json};

use crate::conform::http::Exchange;
use crate::conform::{Check, Ctx, Failure, Outcome, ensure};
use crate::expr::Vector;
use crate::model::{FieldType, Resource, Rule, RuleAction};

pub fn checks(r: &Resource) -> Vec<Check<'_>> {
    let mut checks: Vec<Check<'_>> = r
        .rules
        .iter()
        .map(|rule| {
            let (what, description) = match rule.action {
                RuleAction::Reject => ("reject", format!("`{}` rejects with 422 rule-rejected when it holds", rule.name)),
                RuleAction::Flag => ("flag", format!("`{}` adds itself to `flags` when it holds, and only then", rule.name)),
            };
            Check::new(format!("rules.{}.{}", r.plural, rule.name), description, move |ctx| match rule.action {
                RuleAction::Reject => reject(ctx, r, rule),
                RuleAction::Flag => flag(ctx, r, rule),
            })
            .only_if(r.operations.create, format!("{} has no create operation to {what} on", r.name))
        })
        .collect();
    // A velocity rule (a reject rule over one count of this resource) must hold under concurrency.
    for rule in
        r.rules.iter().filter(|rule| rule.action == RuleAction::Reject && rule.counts.len() == 1 && rule.counts[0].resource == r.name)
    {
        let threshold = threshold(rule).unwrap_or(0);
        checks.push(
            Check::new(
                format!("rules.{}.{}.concurrent", r.plural, rule.name),
                format!("`{}` counts right when 6 creates race at its threshold", rule.name),
                move |ctx| race(ctx, r, rule, threshold),
            )
            .only_if(r.operations.create && threshold >= 2, format!("`{}` has no count threshold of 2 or more to race at", rule.name)),
        );
    }
    checks
}

/// The fewest rows in a group that make a count rule hold on its own, from its vectors.
fn threshold(rule: &Rule) -> Option<i64> {
    let group = &rule.counts.first()?.group_field;
    holding(rule, true).filter(|v| v.input.fields.keys().all(|f| f == group)).filter_map(|v| v.input.counts.first().copied()).min()
}

/// One row short of the threshold, six creates in the same group at once: exactly one may pass.
fn race(ctx: &Ctx, r: &Resource, rule: &Rule, threshold: i64) -> Outcome {
    let count = &rule.counts[0];
    let first = ctx.valid_body(r)?;
    let ex = ctx.post(r, &first)?;
    ensure(ex.status == 201, &ex, || format!("the first row of the group answered {}", ex.status))?;
    let group = first[&count.group_field].clone();
    for _ in 1..threshold - 1 {
        let mut row = ctx.valid_body(r)?;
        row[&count.group_field] = group.clone();
        let ex = ctx.post(r, &row)?;
        ensure(ex.status == 201, &ex, || format!("filling the group up to the threshold answered {}", ex.status))?;
    }
    let bodies: Vec<Value> = (0..6)
        .map(|_| {
            let mut row = ctx.valid_body(r)?;
            row[&count.group_field] = group.clone();
            Ok(row)
        })
        .collect::<Result<_, Failure>>()?;
    let answers: Vec<Result<Exchange, Failure>> = std::thread::scope(|scope| {
        let handles: Vec<_> = bodies.iter().map(|body| scope.spawn(move || ctx.post(r, body))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a request thread panicked".to_owned().into()))).collect()
    });
    let mut created = 0;
    for answer in answers {
        let ex = answer?;
        match ex.status {
            201 => created += 1,
            422 => ctx.expect_problem(&ex, 422, "rule-rejected")?,
            _ => return Err(Failure { message: format!("a racing create answered {}", ex.status), exchange: Some(Box::new(ex)) }),
        }
    }
    if created != 1 {
        return Err(format!(
            "with {} rows in the group and a threshold of {threshold}, {created} of 6 racing creates passed, not 1",
            threshold - 1
        )
        .into());
    }
    Ok(())
}

/// Posts the candidate a vector describes: its ref rows created with the vector's values, its
/// counted rows created first, its fields over an otherwise valid body.
pub(super) fn attempt(ctx: &Ctx, r: &Resource, rule: &Rule, vector: &Vector) -> Result<Exchange, Failure> {
    let mut refs = Map::new();
    for field in &r.fields {
        let FieldType::Ref { resource: target } = &field.ty else { continue };
        if !field.writable_on_create() {
            continue;
        }
        let target = ctx.resource(target).ok_or_else(|| format!("unknown resource {target}"))?;
        let mut parent = ctx.valid_body(target)?;
        if let Some(Value::Object(values)) = vector.input.refs.get(&field.name) {
            for (k, v) in values {
                parent[k] = v.clone();
            }
        }
        let ex = ctx.post(target, &parent)?;
        ensure(ex.status == 201, &ex, || format!("creating the {} the rule reads answered {}", target.name, ex.status))?;
        refs.insert(field.name.clone(), ex.json().unwrap_or_default()["id"].clone());
    }
    let mut body = crate::conform::payload::create_body(&ctx.values, r, &refs)?;
    for (name, value) in &vector.input.fields {
        if refs.contains_key(name) {
            continue; // the row created above stands in for the vector's placeholder id
        }
        let writable = r.field(name).is_some_and(crate::model::Field::writable_on_create);
        if !writable {
            return Err(format!("the vector sets `{name}`, which a client cannot set").into());
        }
        body[name] = value.clone();
    }
    for count in &rule.counts {
        let needed = vector.input.counts.get(count.index).copied().unwrap_or(0);
        let counted = ctx.resource(&count.resource).ok_or_else(|| format!("unknown resource {}", count.resource))?;
        for _ in 0..needed {
            let mut row = ctx.valid_body(counted)?;
            row[&count.group_field] = body[&count.group_field].clone();
            let ex = ctx.post(counted, &row)?;
            ensure(ex.status == 201, &ex, || format!("creating counted row for `{}` answered {}", rule.name, ex.status))?;
        }
    }
    ctx.post(r, &body)
}

pub(super) fn holding(rule: &Rule, holds: bool) -> impl Iterator<Item = &Vector> {
    rule.vectors.iter().filter(move |v| v.expected == crate::expr::Expected::Result(holds))
}

fn reject(ctx: &Ctx, r: &Resource, rule: &Rule) -> Outcome {
    let vector = holding(rule, true).next().ok_or_else(|| format!("no vector makes `{}` hold", rule.name))?;
    let ex = attempt(ctx, r, rule, vector)?;
    ctx.expect_problem(&ex, 422, "rule-rejected")?;
    let body = ex.json().unwrap_or_default();
    ensure(body["rule"] == json!(rule.name), &ex, || format!("`rule` is {}, expected {:?}", body["rule"], rule.name))
}

fn flag(ctx: &Ctx, r: &Resource, rule: &Rule) -> Outcome {
    for (holds, vector) in [(true, holding(rule, true).next()), (false, holding(rule, false).next())] {
        let Some(vector) = vector else { continue };
        let ex = attempt(ctx, r, rule, vector)?;
        ensure(ex.status == 201, &ex, || format!("the create answered {}", ex.status))?;
        let flags = ex.json().unwrap_or_default()["flags"].clone();
        let flagged = flags.as_array().is_some_and(|f| f.contains(&json!(rule.name)));
        ensure(flagged == holds, &ex, || {
            if holds {
                format!("`flags` is {flags}, without `{}`", rule.name)
            } else {
                format!("`flags` is {flags}, though `{}` does not hold", rule.name)
            }
        })?;
    }
    Ok(())
}
