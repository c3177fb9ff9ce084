//! The checks, one module per contract area. Each function returns its checks in the order they
//! run; ids are `<group>.<name>` or `<group>.<plural>.<name>`.

mod audit;
mod auth;
mod crud;
mod errors;
mod events;
mod health;
mod idempotency;
mod ratelimit;
mod rules;
mod webhooks;

use super::{Check, Outcome};
use crate::model::Resource;
use crate::model::Service;

pub fn all(service: &Service) -> Vec<Check<'_>> {
    let mut checks = health::checks(service);
    checks.extend(errors::checks(service));
    checks.extend(idempotency::checks(service));
    checks.extend(auth::checks(service));
    checks.extend(audit::checks(service));
    checks.extend(webhooks::checks(service));
    checks.extend(events::checks(service));
    for resource in &service.resources {
        checks.extend(crud::checks(resource));
        checks.extend(rules::checks(resource));
    }
    // After every check that creates rows: their audit trail.
    checks.extend(audit::late(service));
    // Last: it empties the suite's token bucket, which would slow every check after it.
    checks.extend(ratelimit::checks(service));
    checks
}

/// Runs `f` on the resource a check was built for; a check without one is marked not applicable
/// when it is built, so it never gets here.
fn with(resource: Option<&Resource>, f: impl FnOnce(&Resource) -> Outcome) -> Outcome {
    resource.map_or(Ok(()), f)
}
