//! Section 7's authentication: bearer JWTs verified for signature, algorithm, expiry, issuer and
//! audience, scopes per route, and the operational routes left public.

use serde_json::{Value, json};

use super::with;
use crate::conform::unix_now as now;
use crate::conform::{Check, Ctx, Outcome, collection, ensure, jwt};
use crate::model::{Auth, Resource, Service};

pub fn checks(service: &Service) -> Vec<Check<'_>> {
    let jwt = matches!(service.auth, Auth::Jwt { .. });
    let target = service.resources.iter().find(|r| r.operations.list);
    let applies = jwt && target.is_some();
    let reason = if jwt { "no resource has a list route" } else { "the manifest has `auth: none`" };
    let rejects = |id: &'static str, description: &'static str, token: fn(&Ctx, &Value) -> String| {
        Check::new(format!("auth.{id}"), description, move |ctx| with(target, |r| rejected(ctx, r, &token(ctx, &claims(ctx, &["*"])))))
            .only_if(applies, reason)
    };
    vec![
        Check::new("auth.missing", "no token answers 401 unauthorized with WWW-Authenticate: Bearer", move |ctx| {
            with(target, |r| {
                let ex = ctx.client.get(&collection(r)).anonymous().send()?;
                ctx.expect_problem(&ex, 401, "unauthorized")?;
                ensure(ex.header("www-authenticate").is_some_and(|v| v.starts_with("Bearer")), &ex, || "no WWW-Authenticate: Bearer".into())
            })
        })
        .only_if(applies, reason),
        rejects("bad-signature", "a token signed with another key answers 401", |_, c| jwt::sign(b"not-the-service-secret", c)),
        rejects("alg-none", "an unsigned token (alg: none) answers 401", |_, c| jwt::unsigned(c)),
        rejects("expired", "a token expired beyond the 60 s leeway answers 401", |ctx, c| {
            let mut c = c.clone();
            c["exp"] = json!(now() - 600);
            c["iat"] = json!(now() - 4000);
            c["nbf"] = json!(now() - 4000);
            sign(ctx, &c)
        }),
        rejects("wrong-audience", "a token for another audience answers 401", |ctx, c| {
            let mut c = c.clone();
            c["aud"] = json!("conform-some-other-api");
            sign(ctx, &c)
        }),
        rejects("wrong-issuer", "a token from another issuer answers 401", |ctx, c| {
            let mut c = c.clone();
            c["iss"] = json!("https://conform.invalid/");
            sign(ctx, &c)
        }),
        Check::new("auth.scope", "a valid token without the route's scope answers 403 forbidden", move |ctx| {
            with(target, |r| {
                let token = sign(ctx, &claims(ctx, &["audit:read"]));
                let ex = ctx.client.get(&collection(r)).header("authorization", format!("Bearer {token}")).send()?;
                ctx.expect_problem(&ex, 403, "forbidden")
            })
        })
        .only_if(applies, reason),
        Check::new("auth.public", "health, metrics and openapi answer without a token", |ctx| {
            for path in ["/health/live", "/health/ready", "/metrics", "/openapi.json"] {
                let ex = ctx.client.get(path).anonymous().send()?;
                ensure(ex.status != 401 && ex.status != 403, &ex, || format!("{path} asked for credentials"))?;
            }
            Ok(())
        })
        .only_if(jwt, "the manifest has `auth: none`"),
    ]
}

/// Valid claims with `scopes` (`*` meaning every scope the service has).
fn claims(ctx: &Ctx, scopes: &[&str]) -> Value {
    let Auth::Jwt { issuer, audience } = &ctx.service.auth else { return json!({}) };
    let scopes: Vec<String> =
        if scopes == ["*"] { crate::conform::all_scopes(ctx.service) } else { scopes.iter().map(|s| (*s).to_owned()).collect() };
    jwt::claims(issuer, audience, "conform-auth", &scopes, now())
}

fn sign(ctx: &Ctx, claims: &Value) -> String {
    jwt::sign(ctx.config.jwt_secret.as_deref().unwrap_or_default().as_bytes(), claims)
}

fn rejected(ctx: &Ctx, r: &Resource, token: &str) -> Outcome {
    let ex = ctx.client.get(&collection(r)).header("authorization", format!("Bearer {token}")).send()?;
    ctx.expect_problem(&ex, 401, "unauthorized")?;
    let challenge = ex.header("www-authenticate").unwrap_or_default();
    ensure(challenge.starts_with("Bearer") && challenge.contains("error=\"invalid_token\""), &ex, || {
        format!("WWW-Authenticate is {challenge:?}, not Bearer error=\"invalid_token\"")
    })
}
