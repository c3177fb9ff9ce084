//! Section 8's inbound webhooks: a signed delivery is accepted and its mapping applied by a job; a
//! bad signature or a stale timestamp is refused; a replayed `webhook-id` does nothing twice.

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::conform::http::Exchange;
use crate::conform::unix_now as now;
use crate::conform::{Check, Ctx, Failure, Outcome, ensure, item, jwt};
use crate::model::{Service, SetValue, Webhook, WebhookHandler};

/// How long a delivery's effect may take to show: the job runs in the background.
const EFFECT_TIMEOUT: Duration = Duration::from_secs(15);

pub fn checks(service: &Service) -> Vec<Check<'_>> {
    let mut checks = Vec::new();
    for hook in &service.webhooks {
        let Some(handler) = hook.handlers.first() else { continue };
        let name = &hook.name;
        let usable =
            service.resources.iter().find(|r| r.name == handler.resource).is_some_and(|r| r.operations.create && r.operations.read);
        let reason = format!("`{}` cannot be created and read back through the API", handler.resource);
        checks.push(
            Check::new(
                format!("webhooks.{name}.applied"),
                "a signed delivery answers 202 and its mapping shows through the API",
                move |ctx| applied(ctx, hook, handler),
            )
            .only_if(usable, reason.clone()),
        );
        checks.push(
            Check::new(format!("webhooks.{name}.replayed"), "a replayed webhook-id answers 200 and changes nothing again", move |ctx| {
                replayed(ctx, hook, handler)
            })
            .only_if(usable, reason),
        );
        checks.push(Check::new(format!("webhooks.{name}.bad-signature"), "a wrong signature answers 401 invalid-signature", move |ctx| {
            let body = json!({}).to_string();
            let ex = deliver(
                ctx,
                hook,
                &format!("msg_conform_{}", ctx.values.tag()),
                now(),
                &body,
                Some("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
            )?;
            ctx.expect_problem(&ex, 401, "invalid-signature")
        }));
        checks.push(Check::new(
            format!("webhooks.{name}.stale"),
            "a timestamp older than 5 minutes answers 401 invalid-signature",
            move |ctx| {
                let body = json!({}).to_string();
                let ex = deliver(ctx, hook, &format!("msg_conform_{}", ctx.values.tag()), now() - 600, &body, None)?;
                ctx.expect_problem(&ex, 401, "invalid-signature")
            },
        ));
    }
    checks
}

/// The Standard Webhooks signature of a delivery: `v1,` and base64 of HMAC-SHA256 over `id.timestamp.body`.
pub fn signature(secret: &str, id: &str, timestamp: u64, body: &str) -> Result<String, String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|e| format!("the webhook secret is not whsec_<base64>: {e}"))?;
    Ok(format!("v1,{}", STANDARD.encode(jwt::hmac_sha256(&key, format!("{id}.{timestamp}.{body}").as_bytes()))))
}

fn deliver(ctx: &Ctx, hook: &Webhook, id: &str, timestamp: u64, body: &str, forged: Option<&str>) -> Result<Exchange, Failure> {
    let secret = ctx
        .config
        .webhook_secrets
        .get(&hook.name)
        .ok_or_else(|| format!("pass --webhook-secret {}=<the service's {}>", hook.name, hook.secret_env))?;
    let signature = match forged {
        Some(s) => s.to_owned(),
        None => signature(secret, id, timestamp, body)?,
    };
    Ok(ctx
        .client
        .request("POST", &format!("/webhooks/{}", hook.name))
        .anonymous()
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body.as_bytes().to_vec())
        .send()?)
}

/// Writes `value` at the JSON pointer `pointer`, making the objects on the way.
fn put(doc: &mut Value, pointer: &str, value: Value) {
    let mut node = doc;
    let parts: Vec<String> = pointer.split('/').skip(1).map(|p| p.replace("~1", "/").replace("~0", "~")).collect();
    for (i, part) in parts.iter().enumerate() {
        if !node.is_object() {
            *node = json!({});
        }
        let Some(map) = node.as_object_mut() else { return };
        if i + 1 == parts.len() {
            map.insert(part.clone(), value);
            return;
        }
        node = map.entry(part.clone()).or_insert_with(|| json!({}));
    }
}

/// A delivery body for `handler` aimed at row `id`, and the values the row must then show.
fn event(ctx: &Ctx, hook: &Webhook, handler: &WebhookHandler, id: &str) -> Result<(String, Vec<(String, Value)>), Failure> {
    let resource = ctx.resource(&handler.resource).ok_or_else(|| format!("unknown resource {}", handler.resource))?;
    let mut doc = json!({});
    put(&mut doc, &hook.event_type_pointer, json!(handler.event_type));
    put(&mut doc, &handler.id_pointer, json!(id));
    let mut expected = Vec::new();
    for set in &handler.set {
        let value = match &set.value {
            SetValue::Literal { value } => value.clone(),
            SetValue::From { pointer } => {
                let field = resource.field(&set.field).ok_or_else(|| format!("unknown field {}", set.field))?;
                let value = ctx.values.valid(field).unwrap_or(json!(crate::conform::payload::uuid_like(7, 7)));
                put(&mut doc, pointer, value.clone());
                value
            }
        };
        expected.push((set.field.clone(), value));
    }
    Ok((doc.to_string(), expected))
}

/// Polls the row until `expected` shows, or the deadline passes.
fn wait_for(ctx: &Ctx, path: &str, expected: &[(String, Value)]) -> Result<Value, Failure> {
    let deadline = Instant::now() + EFFECT_TIMEOUT;
    loop {
        let ex = ctx.client.get(path).send()?;
        let row = ex.json().unwrap_or_default();
        if expected.iter().all(|(field, value)| &row[field] == value) {
            return Ok(row);
        }
        if Instant::now() >= deadline {
            return Err(Failure {
                message: format!("after {} s the row still does not show {expected:?}", EFFECT_TIMEOUT.as_secs()),
                exchange: Some(Box::new(ex)),
            });
        }
        std::thread::sleep(Duration::from_millis(100)); // the job runs on the service's own schedule
    }
}

fn applied(ctx: &Ctx, hook: &Webhook, handler: &WebhookHandler) -> Outcome {
    let resource = ctx.resource(&handler.resource).ok_or_else(|| format!("unknown resource {}", handler.resource))?;
    let (_, row) = ctx.create(resource)?;
    let id = row["id"].as_str().unwrap_or_default().to_owned();
    let (body, expected) = event(ctx, hook, handler, &id)?;
    let ex = deliver(ctx, hook, &format!("msg_conform_{}", ctx.values.tag()), now(), &body, None)?;
    ensure(ex.status == 202, &ex, || format!("a signed delivery answered {}, not 202", ex.status))?;
    wait_for(ctx, &item(resource, &id), &expected).map(|_| ())
}

fn replayed(ctx: &Ctx, hook: &Webhook, handler: &WebhookHandler) -> Outcome {
    let resource = ctx.resource(&handler.resource).ok_or_else(|| format!("unknown resource {}", handler.resource))?;
    let (_, row) = ctx.create(resource)?;
    let id = row["id"].as_str().unwrap_or_default().to_owned();
    let (body, expected) = event(ctx, hook, handler, &id)?;
    let message_id = format!("msg_conform_{}", ctx.values.tag());
    let first = deliver(ctx, hook, &message_id, now(), &body, None)?;
    ensure(first.status == 202, &first, || format!("the first delivery answered {}", first.status))?;
    let applied = wait_for(ctx, &item(resource, &id), &expected)?;
    let again = deliver(ctx, hook, &message_id, now(), &body, None)?;
    ensure(again.status == 200, &again, || format!("the replayed webhook-id answered {}, not 200", again.status))?;
    let ex = ctx.client.get(&item(resource, &id)).send()?;
    let version = ex.json().unwrap_or_default()["version"].clone();
    ensure(version == applied["version"], &ex, || format!("the replay changed the row again (version {} -> {version})", applied["version"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The example of the Standard Webhooks specification.
        let body = r#"{"test": 2432232314}"#;
        let sig = signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn pointers_build_nested_objects() {
        let mut doc = json!({});
        put(&mut doc, "/data/metadata/payment_id", json!("p1"));
        put(&mut doc, "/type", json!("payment.succeeded"));
        assert_eq!(doc, json!({ "data": { "metadata": { "payment_id": "p1" } }, "type": "payment.succeeded" }));
    }
}
