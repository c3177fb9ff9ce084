//! `skaffold conform`: a black-box check of a running service against the service contract,
//! driven by the manifest it was rendered from.
//!
//! Each check has an id (`errors.unknown-route`, `crud.payments.list`), a one-line description and
//! a group; it passes, fails with the request and response that showed it, or does not apply to
//! this manifest (an auth check when `auth: none`), which the report says and never counts as a
//! pass.

mod checks;
pub mod http;
pub mod jwks;
pub mod jwt;
pub mod payload;
pub mod receiver;
pub mod report;

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use self::http::{Client, Exchange};
use self::payload::Values;
use crate::model::{Auth, Resource, Service};

/// What a run needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    pub base_url: String,
    pub service: Service,
    /// The OpenAPI document skaffold renders for the manifest; `/openapi.json` must equal it.
    pub openapi_json: String,
    pub jwt_secret: Option<String>,
    /// Serve the suite's own key set here instead (the service's `AUTH_JWKS_URL` points here).
    pub jwks_listen: Option<std::net::SocketAddr>,
    pub webhook_secrets: BTreeMap<String, String>,
    /// Where the suite's event receiver listens (the service's `EVENTS_WEBHOOK_URL` points here).
    pub events_listen: Option<std::net::SocketAddr>,
    /// The service's `EVENTS_WEBHOOK_SECRET`, to verify deliveries.
    pub events_secret: Option<String>,
    /// Only checks whose id starts with one of these run (all when empty).
    pub only: Vec<String>,
}

/// Why a check did not pass.
#[derive(Debug, Clone)]
pub struct Failure {
    pub message: String,
    /// Boxed: a failure is rare and an exchange is large, and checks return `Result`s all the time.
    pub exchange: Option<Box<Exchange>>,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self { message, exchange: None }
    }
}

pub type Outcome = Result<(), Failure>;

/// Fails with `message` and the exchange that showed it unless `condition` holds.
pub fn ensure(condition: bool, exchange: &Exchange, message: impl FnOnce() -> String) -> Outcome {
    if condition { Ok(()) } else { Err(Failure { message: message(), exchange: Some(Box::new(exchange.clone())) }) }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Status {
    Pass,
    Fail { message: String, exchange: Option<String> },
    NotApplicable { reason: String },
}

/// One check's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckResult {
    pub id: String,
    pub group: String,
    pub description: String,
    #[serde(flatten)]
    pub status: Status,
    pub millis: u128,
}

/// The whole run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub service: String,
    pub base_url: String,
    pub results: Vec<CheckResult>,
}

impl Report {
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| matches!(r.status, Status::Fail { .. })).count()
    }
}

/// A check, before it runs.
pub struct Check<'a> {
    pub id: String,
    pub description: String,
    pub applies: Result<(), String>,
    pub run: Box<dyn Fn(&Ctx) -> Outcome + 'a>,
}

impl std::fmt::Debug for Check<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("id", &self.id).finish_non_exhaustive()
    }
}

impl<'a> Check<'a> {
    pub fn new(id: impl Into<String>, description: impl Into<String>, run: impl Fn(&Ctx) -> Outcome + 'a) -> Self {
        Self { id: id.into(), description: description.into(), applies: Ok(()), run: Box::new(run) }
    }

    /// Marks the check as not applying to this manifest, with the reason shown in the report.
    pub fn only_if(mut self, applies: bool, reason: impl Into<String>) -> Self {
        if !applies {
            self.applies = Err(reason.into());
        }
        self
    }
}

/// What every check reads: the service, a client, fresh values.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub service: &'a Service,
    pub config: &'a Config,
    pub client: Client,
    pub values: Values,
    pub receiver: Option<receiver::Receiver>,
    /// The key set tokens are signed with, when the service verifies with a JWKS.
    pub keys: Option<jwks::KeySet>,
    /// Every row `create` made so far, with its resource: the audit trail must hold each.
    pub created: std::sync::Mutex<Vec<(String, Value)>>,
}

impl Ctx<'_> {
    pub fn resource(&self, name: &str) -> Option<&Resource> {
        self.service.resources.iter().find(|r| r.name == name)
    }

    /// The `type` a problem with `slug` must carry.
    pub fn problem_type(&self, slug: &str) -> String {
        format!("{}{slug}", self.service.http.problem_base_uri)
    }

    /// A fresh `Idempotency-Key` value.
    pub fn idempotency_key(&self) -> String {
        format!("conform-{}", self.values.tag())
    }

    /// POSTs `body` to the resource's collection with a fresh idempotency key.
    pub fn post(&self, resource: &Resource, body: &Value) -> Result<Exchange, Failure> {
        Ok(self.client.request("POST", &collection(resource)).header("idempotency-key", self.idempotency_key()).json(body).send()?)
    }

    /// A valid create body for `resource`, creating the rows its refs point at first.
    pub fn valid_body(&self, resource: &Resource) -> Result<Value, Failure> {
        let mut refs = Map::new();
        for field in &resource.fields {
            if let crate::model::FieldType::Ref { resource: target } = &field.ty
                && field.writable_on_create()
            {
                let target = self.resource(target).ok_or_else(|| format!("unknown resource {target}"))?;
                let (_, row) = self.create(target)?;
                refs.insert(field.name.clone(), row["id"].clone());
            }
        }
        Ok(payload::create_body(&self.values, resource, &refs)?)
    }

    /// Creates a row of `resource` and returns the exchange and the representation.
    pub fn create(&self, resource: &Resource) -> Result<(Exchange, Value), Failure> {
        if !resource.operations.create {
            return Err(format!("{} has no create operation", resource.name).into());
        }
        let body = self.valid_body(resource)?;
        let ex = self.post(resource, &body)?;
        ensure(ex.status == 201, &ex, || format!("creating a {} answered {}, not 201", resource.name, ex.status))?;
        let row = ex.json().filter(Value::is_object).ok_or_else(|| Failure {
            message: "the created representation is not a JSON object".into(),
            exchange: Some(Box::new(ex.clone())),
        })?;
        self.created.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((resource.name.clone(), row.clone()));
        Ok((ex, row))
    }

    /// A merge patch that changes the first field a client may update (not a ref), or `{}`.
    pub fn patch_body(&self, resource: &Resource) -> Value {
        let field = resource.fields.iter().find(|f| f.writable_on_update() && !matches!(f.ty, crate::model::FieldType::Ref { .. }));
        field.and_then(|f| self.values.valid(f).map(|v| json!({ &f.name: v }))).unwrap_or_else(|| json!({}))
    }

    /// PATCHes row `id` with a merge patch, with `If-Match` when given.
    pub fn patch(&self, resource: &Resource, id: &str, body: &Value, if_match: Option<&str>) -> Result<Exchange, Failure> {
        let mut request = self.client.request("PATCH", &item(resource, id)).header("content-type", "application/merge-patch+json");
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        Ok(request.body(body.to_string().into_bytes()).send()?)
    }

    /// Checks that `ex` is an RFC 9457 problem of `slug` with `status`, as section 3 says.
    pub fn expect_problem(&self, ex: &Exchange, status: u16, slug: &str) -> Outcome {
        ensure(ex.status == status, ex, || format!("expected {status} {slug}, got {}", ex.status))?;
        self.expect_problem_shape(ex)?;
        let body = ex.json().unwrap_or_default();
        let expected = if status == 429 { crate::artifacts::openapi::QUOTA_EXCEEDED_TYPE.to_owned() } else { self.problem_type(slug) };
        ensure(body["type"] == json!(expected), ex, || format!("`type` is {}, expected {expected}", body["type"]))
    }

    /// The members every problem has, whatever its type.
    pub fn expect_problem_shape(&self, ex: &Exchange) -> Outcome {
        ensure(ex.media_type() == "application/problem+json", ex, || {
            format!("an error answered {:?}, not application/problem+json", ex.header("content-type").unwrap_or("no content type"))
        })?;
        let body = ex.json().unwrap_or_default();
        ensure(body.is_object(), ex, || "the problem body is not a JSON object".into())?;
        let ty = body["type"].as_str().unwrap_or_default();
        ensure(crate::manifest::is_absolute_uri(ty), ex, || format!("`type` {ty:?} is not an absolute URI"))?;
        ensure(body["title"].as_str().is_some_and(|t| !t.is_empty()), ex, || "`title` is missing".into())?;
        ensure(body["status"] == json!(ex.status), ex, || format!("`status` is {}, the response is {}", body["status"], ex.status))?;
        ensure(body["detail"].is_string(), ex, || "`detail` is missing".into())?;
        let path = ex.path.split('?').next().unwrap_or_default();
        ensure(body["instance"] == json!(path), ex, || format!("`instance` is {}, the request path is {path}", body["instance"]))?;
        let request_id = ex.header("x-request-id");
        ensure(request_id.is_some(), ex, || "no X-Request-Id header".into())?;
        ensure(body["request_id"].as_str() == request_id, ex, || {
            format!("`request_id` is {}, the X-Request-Id header {request_id:?}", body["request_id"])
        })
    }
}

pub fn collection(resource: &Resource) -> String {
    format!("/v1/{}", resource.path)
}

pub fn item(resource: &Resource, id: &str) -> String {
    format!("/v1/{}/{id}", resource.path)
}

/// Runs every check that `config.only` selects, in order, and reports each.
pub fn run(config: &Config) -> Result<Report, String> {
    let now = unix_now();
    let keys = config.jwks_listen.map(jwks::KeySet::start).transpose()?;
    let token = match (&config.service.auth, &config.jwt_secret, &keys) {
        (Auth::None, _, _) => None,
        (Auth::Jwt { .. }, Some(_), Some(_)) => return Err("pass one of --jwt-secret and --jwks-listen, as the service takes one".into()),
        (Auth::Jwt { issuer, audience }, Some(secret), None) => {
            Some(jwt::sign(secret.as_bytes(), &jwt::claims(issuer, audience, "conform", &all_scopes(&config.service), now)))
        }
        (Auth::Jwt { issuer, audience }, None, Some(keys)) => {
            Some(keys.es256.sign(&jwt::claims(issuer, audience, "conform", &all_scopes(&config.service), now)))
        }
        (Auth::Jwt { .. }, None, None) => {
            return Err("the manifest uses JWT auth: pass --jwt-secret (the service's AUTH_JWT_SECRET) or --jwks-listen (where its AUTH_JWKS_URL points)".into());
        }
    };
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let receiver = config.events_listen.map(receiver::Receiver::start).transpose()?;
    let ctx = Ctx {
        service: &config.service,
        config,
        client: Client::new(&config.base_url, token),
        values: Values::new(now ^ u64::from(nanos)),
        receiver,
        keys,
        created: std::sync::Mutex::default(),
    };
    let mut results = Vec::new();
    for check in checks::all(&config.service) {
        if !config.only.is_empty() && !config.only.iter().any(|p| check.id.starts_with(p.as_str())) {
            continue;
        }
        let group = check.id.split('.').next().unwrap_or_default().to_owned();
        let started = Instant::now();
        let status = match check.applies.clone().and_then(|()| configured(&check.id, config)) {
            Err(reason) => Status::NotApplicable { reason },
            Ok(()) => match (check.run)(&ctx) {
                Ok(()) => Status::Pass,
                Err(f) => Status::Fail { message: f.message, exchange: f.exchange.map(|e| e.render()) },
            },
        };
        results.push(CheckResult { id: check.id, group, description: check.description, status, millis: started.elapsed().as_millis() });
    }
    Ok(Report { service: config.service.name.clone(), base_url: config.base_url.clone(), results })
}

/// Checks that need something of the run itself: the event receiver, the key set, a webhook's secret.
fn configured(id: &str, config: &Config) -> Result<(), String> {
    if id.starts_with("auth.jwks.") && config.jwks_listen.is_none() {
        return Err("run with --jwks-listen (the service's AUTH_JWKS_URL) instead of --jwt-secret".into());
    }
    if id.starts_with("events.") && config.events_listen.is_none() {
        return Err("run with --events-listen (the service's EVENTS_WEBHOOK_URL) and --events-secret".into());
    }
    if let Some(name) = id.strip_prefix("webhooks.").and_then(|rest| rest.split('.').next())
        && !config.webhook_secrets.contains_key(name)
    {
        return Err(format!("run with --webhook-secret {name}=<the service's secret>"));
    }
    Ok(())
}

/// Seconds since the Unix epoch: token claims and webhook timestamps.
pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Every scope the service knows, for the suite's own token.
pub fn all_scopes(service: &Service) -> Vec<String> {
    let mut scopes: Vec<String> =
        service.resources.iter().flat_map(|r| [format!("{}:read", r.path), format!("{}:write", r.path)]).collect();
    scopes.push("audit:read".into());
    scopes
}
