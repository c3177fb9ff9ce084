//! Section 7's rate limit: draft-10 headers on limited routes, and a burst past the bucket gets
//! 429 with the IANA problem type and Retry-After. It runs last: it empties the suite's bucket.

use crate::conform::http::Exchange;
use crate::conform::{Check, Ctx, Outcome, collection, ensure};
use crate::model::Service;

pub fn checks(service: &Service) -> Vec<Check<'_>> {
    let target = service.resources.iter().find(|r| r.operations.list);
    let reason = "no resource has a list route";
    vec![
        Check::new("ratelimit.headers", "/v1 responses carry RateLimit-Policy and RateLimit", move |ctx| {
            let Some(r) = target else { return Ok(()) };
            let ex = ctx.client.get(&format!("{}?limit=1", collection(r))).send()?;
            let policy = ex.header("ratelimit-policy").unwrap_or_default();
            let burst = ctx.service.rate_limit.burst;
            ensure(policy.starts_with("\"default\"") && policy.contains(&format!("q={burst}")), &ex, || {
                format!("RateLimit-Policy is {policy:?}, expected \"default\";q={burst};w=…")
            })?;
            let limit = ex.header("ratelimit").unwrap_or_default();
            ensure(limit.starts_with("\"default\"") && limit.contains(";r=") && limit.contains(";t="), &ex, || {
                format!("RateLimit is {limit:?}, expected \"default\";r=<remaining>;t=<reset>")
            })
        })
        .only_if(target.is_some(), reason),
        Check::new("ratelimit.exceeded", "a burst past the bucket answers 429 quota-exceeded with Retry-After", move |ctx| {
            let Some(r) = target else { return Ok(()) };
            burst(ctx, &format!("{}?limit=1", collection(r)))
        })
        .only_if(target.is_some(), reason),
    ]
}

fn burst(ctx: &Ctx, path: &str) -> Outcome {
    let attempts = (ctx.service.rate_limit.burst as usize) * 3 + 50;
    let limited: Option<Exchange> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    for _ in 0..attempts / 8 + 1 {
                        match ctx.client.get(path).impatient().send() {
                            Ok(ex) if ex.status == 429 => return Some(ex),
                            _ => {}
                        }
                    }
                    None
                })
            })
            .collect();
        workers.into_iter().filter_map(|w| w.join().ok().flatten()).next()
    });
    let Some(ex) = limited else {
        return Err(format!("{attempts} requests in a burst never answered 429 (burst {})", ctx.service.rate_limit.burst).into());
    };
    ctx.expect_problem(&ex, 429, "quota-exceeded")?;
    let retry = ex.header("retry-after").unwrap_or_default();
    ensure(retry.parse::<u64>().is_ok(), &ex, || format!("Retry-After is {retry:?}, not a number of seconds"))
}
