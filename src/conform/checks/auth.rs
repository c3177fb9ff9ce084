//! Section 7's authentication: bearer JWTs verified for signature, algorithm, expiry, issuer and
//! audience, scopes per route, and the operational routes left public.

use serde_json::{Value, json};

use std::time::{Duration, Instant};

use super::with;
use crate::conform::jwks::{Key, KeySet};
use crate::conform::unix_now as now;
use crate::conform::{Check, Ctx, Failure, Outcome, collection, ensure, jwt};
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
    let mut checks = vec![
        Check::new("auth.missing", "no token answers 401 unauthorized with WWW-Authenticate: Bearer", move |ctx| {
            with(target, |r| {
                let ex = ctx.client.get(&collection(r)).anonymous().send()?;
                ctx.expect_problem(&ex, 401, "unauthorized")?;
                ensure(ex.header("www-authenticate").is_some_and(|v| v.starts_with("Bearer")), &ex, || "no WWW-Authenticate: Bearer".into())
            })
        })
        .only_if(applies, reason),
        rejects("bad-signature", "a token signed with another key answers 401", |ctx, c| match &ctx.keys {
            // Under the kid of a published key, so the signature is what fails.
            Some(keys) => Key::es256("conform-forger").map_or_else(|_| jwt::unsigned(c), |k| k.sign_as(&keys.es256.kid, c)),
            None => jwt::sign(b"not-the-service-secret", c),
        }),
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
    ];
    let jwks = |id: &'static str, description: &'static str, run: fn(&Ctx, &KeySet, &Resource) -> Outcome| {
        Check::new(format!("auth.jwks.{id}"), description, move |ctx| {
            let keys = ctx.keys.as_ref().ok_or_else(|| Failure::from("the run has no key set".to_owned()))?;
            with(target, |r| run(ctx, keys, r))
        })
        .only_if(applies, reason)
    };
    checks.extend([
        jwks("rs256", "an RS256 token signed with a published key is accepted", |ctx, keys, r| {
            accepted(ctx, r, &keys.rs256.sign(&claims(ctx, &["*"]))).map(drop)
        }),
        jwks("unknown-key", "a token signed with an unpublished key under an unknown kid answers 401", |ctx, _, r| {
            rejected(ctx, r, &Key::es256("conform-unpublished")?.sign(&claims(ctx, &["*"])))
        }),
        jwks("alg-confusion", "an HS256 token keyed with the RSA key's public PEM, under its kid, answers 401", |ctx, keys, r| {
            let pem = keys.rs256.public_pem().ok_or_else(|| Failure::from("the RSA key has no PEM form".to_owned()))?;
            let header = json!({ "alg": "HS256", "typ": "JWT", "kid": keys.rs256.kid });
            rejected(ctx, r, &jwt::sign_with(&header, &claims(ctx, &["*"]), |input| jwt::hmac_sha256(pem.as_bytes(), input)))
        }),
        jwks("cached", "ten requests with a published key fetch the key set at most once", |ctx, keys, r| {
            let token = keys.es256.sign(&claims(ctx, &["*"]));
            let before = keys.fetches();
            let mut ex = accepted(ctx, r, &token)?;
            for _ in 1..10 {
                ex = accepted(ctx, r, &token)?;
            }
            let fetched = keys.fetches() - before;
            ensure(fetched <= 1, &ex, || format!("the key set was fetched {fetched} times for ten requests"))
        }),
        jwks("rotation", "a key published mid-run is accepted within 10 s of its first use", |ctx, keys, r| {
            let key = Key::es256(&format!("conform-rotated-{}", ctx.values.tag()))?;
            keys.publish(&key);
            let token = key.sign(&claims(ctx, &["*"]));
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let ex = get_with(ctx, r, &token)?;
                if ex.status == 200 {
                    return Ok(());
                }
                if Instant::now() > deadline {
                    return ensure(false, &ex, || format!("a token with the new kid still answers {} after 10 s", ex.status));
                }
                // Polling a service that may refetch at most once a second, bounded by the deadline.
                std::thread::sleep(Duration::from_millis(250));
            }
        }),
    ]);
    checks
}

/// One GET of the collection with `token`.
fn get_with(ctx: &Ctx, r: &Resource, token: &str) -> Result<crate::conform::http::Exchange, Failure> {
    Ok(ctx.client.get(&collection(r)).header("authorization", format!("Bearer {token}")).send()?)
}

/// One GET of the collection with `token`, which must answer 200.
fn accepted(ctx: &Ctx, r: &Resource, token: &str) -> Result<crate::conform::http::Exchange, Failure> {
    let ex = get_with(ctx, r, token)?;
    ensure(ex.status == 200, &ex, || format!("a valid token answered {}, not 200", ex.status))?;
    Ok(ex)
}

/// Valid claims with `scopes` (`*` meaning every scope the service has).
fn claims(ctx: &Ctx, scopes: &[&str]) -> Value {
    let Auth::Jwt { issuer, audience } = &ctx.service.auth else { return json!({}) };
    let scopes: Vec<String> =
        if scopes == ["*"] { crate::conform::all_scopes(ctx.service) } else { scopes.iter().map(|s| (*s).to_owned()).collect() };
    jwt::claims(issuer, audience, "conform-auth", &scopes, now())
}

/// A valid token for `claims`, signed the way the service verifies: with its secret or the key set.
fn sign(ctx: &Ctx, claims: &Value) -> String {
    match &ctx.keys {
        Some(keys) => keys.es256.sign(claims),
        None => jwt::sign(ctx.config.jwt_secret.as_deref().unwrap_or_default().as_bytes(), claims),
    }
}

fn rejected(ctx: &Ctx, r: &Resource, token: &str) -> Outcome {
    let ex = ctx.client.get(&collection(r)).header("authorization", format!("Bearer {token}")).send()?;
    ctx.expect_problem(&ex, 401, "unauthorized")?;
    let challenge = ex.header("www-authenticate").unwrap_or_default();
    ensure(challenge.starts_with("Bearer") && challenge.contains("error=\"invalid_token\""), &ex, || {
        format!("WWW-Authenticate is {challenge:?}, not Bearer error=\"invalid_token\"")
    })
}
