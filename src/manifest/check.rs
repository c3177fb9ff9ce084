//! Semantic checks: from the manifest as written ([`raw`]) to the validated [`Service`].
//!
//! Every problem becomes a [`Diagnostic`] with the span of what was written; checking goes on after
//! a problem so one run reports them all. Parts that failed to deserialize (`Recover(None)`) are
//! known to exist but are not checked again, so one mistake does not cascade into several.

use std::collections::HashSet;

use indexmap::IndexMap;

use super::names::{SYSTEM_FIELDS, SYSTEM_TABLES, camel_case, check_identifier, pluralize};
use super::pattern::check_portable;
use super::raw::{self, FieldType as RawType, Operation};
use super::units::Duration;
use crate::artifacts::openapi::RESERVED_RESOURCE_NAMES;
use crate::decimal::{Dec, FitError};
use crate::diagnostic::{Diagnostic, Span, did_you_mean};
use crate::expr;
use crate::model::{self, Auth, FieldType, Operations, Service, SetValue};
use crate::yaml::de::{Recover, Spanned};

/// What the checks need to know beyond the manifest itself.
#[derive(Debug, Clone, Copy)]
pub struct CheckContext<'a> {
    /// The manifest's source text, to place carets inside strings such as rule expressions.
    pub src: &'a str,
    /// The stacks a manifest may name.
    pub stacks: &'a [&'a str],
}

/// Integers stay within what a JSON number carries exactly in every language.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

pub fn check(m: &raw::Manifest, ctx: CheckContext<'_>) -> Result<Service, Vec<Diagnostic>> {
    let mut c = Checker { ctx, diags: Vec::new() };
    let service = c.service(m);
    if c.diags.is_empty() {
        Ok(service)
    } else {
        c.diags.sort_by_key(|d| d.span.map(|s| s.start.offset));
        Err(c.diags)
    }
}

struct Checker<'a> {
    ctx: CheckContext<'a>,
    diags: Vec<Diagnostic>,
}

/// The field types of every resource, gathered before resources are checked one by one so that
/// refs can point forward.
type ResourceIndex<'m> = IndexMap<&'m str, &'m raw::Resource>;

impl Checker<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(message).with_span(span));
    }

    fn error_hint(&mut self, span: Span, message: impl Into<String>, hint: Option<String>) {
        self.diags.push(Diagnostic::error(message).with_span(span).with_hint_opt(hint));
    }

    fn service(&mut self, m: &raw::Manifest) -> Service {
        if m.skaffold.value != 1 {
            self.error_hint(
                m.skaffold.span,
                format!("unsupported manifest format {}", m.skaffold.value),
                Some("this skaffold reads format 1: write `skaffold: 1`".into()),
            );
        }
        let name = &m.name;
        let valid_name = name.len() >= 2
            && name.len() <= 40
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid_name {
            self.error_hint(
                name.span,
                format!("invalid service name `{}`", name.value),
                Some("use 2 to 40 lowercase letters, digits and dashes, starting with a letter".into()),
            );
        }
        if let Some(stack) = &m.stack
            && !self.ctx.stacks.contains(&stack.as_str())
        {
            let hint = did_you_mean(stack, self.ctx.stacks.iter().copied())
                .unwrap_or_else(|| format!("available stacks: {}", self.ctx.stacks.join(", ")));
            self.error_hint(stack.span, format!("unknown stack `{}`", stack.value), Some(hint));
        }
        let cache = m.cache.as_ref().map_or(model::CacheMode::Optional, |c| c.value);
        let resources = self.resources(m, cache);
        let webhooks = self.webhooks(m, &resources);
        Service {
            name: name.value.clone(),
            description: m.description.clone().unwrap_or_default(),
            stack: m.stack.as_ref().map(|s| s.value.clone()),
            http: self.http(m),
            database: self.database(m),
            cache,
            auth: self.auth(m),
            rate_limit: self.rate_limit(m),
            idempotency: recovered(&m.idempotency).map_or(model::Idempotency { required: true, ttl_seconds: 86_400 }, |i| {
                model::Idempotency {
                    required: i.required.unwrap_or(true),
                    ttl_seconds: i.ttl.as_ref().map_or(86_400, |d| self.at_least_a_second(d)),
                }
            }),
            jobs: recovered(&m.jobs).map_or(model::Jobs { timeout_ms: 300_000, max_attempts: 8, concurrency: 4 }, |j| model::Jobs {
                timeout_ms: millis(j.timeout.as_ref(), 300_000),
                max_attempts: self.positive(j.max_attempts.as_ref(), 8, "max_attempts"),
                concurrency: self.positive(j.concurrency.as_ref(), 4, "concurrency"),
            }),
            resources,
            webhooks,
        }
    }

    fn at_least_a_second(&mut self, d: &Spanned<Duration>) -> u64 {
        if d.millis < 1000 {
            self.error(d.span, "this duration must be at least `1s`");
        }
        d.seconds().max(1)
    }

    fn positive(&mut self, value: Option<&Spanned<u32>>, default: u32, what: &str) -> u32 {
        match value {
            Some(v) if v.value == 0 => {
                self.error(v.span, format!("`{what}` must be at least 1"));
                default
            }
            Some(v) => v.value,
            None => default,
        }
    }

    fn http(&mut self, m: &raw::Manifest) -> model::Http {
        let default_base = format!("urn:{}:problem:", m.name.value);
        let Some(http) = recovered(&m.http) else {
            return model::Http {
                port: 8080,
                request_timeout_ms: 30_000,
                body_limit_bytes: 1 << 20,
                problem_base_uri: default_base,
                cors_origins: Vec::new(),
            };
        };
        if let Some(port) = &http.port
            && port.value == 0
        {
            self.error(port.span, "the port must be between 1 and 65535");
        }
        let problem_base_uri = match &http.problem_base_uri {
            Some(uri) => {
                if !is_absolute_uri(uri) || !(uri.ends_with('/') || uri.ends_with(':')) {
                    self.error_hint(
                        uri.span,
                        format!("`{}` is not an absolute URI ending with `/`", uri.value),
                        Some("problem types are this base plus a slug, such as `https://errors.example.com/payments/`".into()),
                    );
                }
                uri.value.clone()
            }
            None => default_base,
        };
        let mut cors_origins = Vec::new();
        for origin in http.cors.iter().flat_map(|c| &c.origins) {
            let valid = origin.split_once("://").is_some_and(|(scheme, rest)| {
                matches!(scheme, "http" | "https") && !rest.is_empty() && !rest.contains('/') && !rest.contains('*')
            });
            if !valid {
                self.error_hint(
                    origin.span,
                    format!("`{}` is not an origin", origin.value),
                    Some("write scheme, host and optional port, such as `https://app.example.com`".into()),
                );
            }
            cors_origins.push(origin.value.clone());
        }
        model::Http {
            port: http.port.as_ref().map_or(8080, |p| p.value),
            request_timeout_ms: millis(http.request_timeout.as_ref(), 30_000),
            body_limit_bytes: http.body_limit.as_ref().map_or(1 << 20, |s| s.bytes),
            problem_base_uri,
            cors_origins,
        }
    }

    fn database(&mut self, m: &raw::Manifest) -> model::Database {
        let db = recovered(&m.database);
        let pool = db.and_then(|d| d.pool.as_ref());
        model::Database {
            statement_timeout_ms: millis(db.and_then(|d| d.statement_timeout.as_ref()), 3_000),
            pool_max: self.positive(pool.and_then(|p| p.max.as_ref()), 10, "max"),
            acquire_timeout_ms: millis(pool.and_then(|p| p.acquire_timeout.as_ref()), 2_000),
        }
    }

    fn auth(&mut self, m: &raw::Manifest) -> Auth {
        match recovered(&m.auth) {
            None | Some(raw::Auth::None) => Auth::None,
            Some(raw::Auth::Jwt(jwt)) => {
                if jwt.issuer.is_empty() {
                    self.error(jwt.issuer.span, "the issuer must not be empty");
                }
                if jwt.audience.is_empty() {
                    self.error(jwt.audience.span, "the audience must not be empty");
                }
                Auth::Jwt { issuer: jwt.issuer.value.clone(), audience: jwt.audience.value.clone() }
            }
        }
    }

    fn rate_limit(&mut self, m: &raw::Manifest) -> model::RateLimit {
        match recovered(&m.rate_limit) {
            None => model::RateLimit { requests_per_second: 50, burst: 100 },
            Some(r) => {
                let rps = self.positive(Some(&r.requests_per_second), 50, "requests_per_second");
                let burst = self.positive(Some(&r.burst), 100, "burst");
                if burst < rps {
                    self.error_hint(
                        r.burst.span,
                        "the burst is smaller than the rate",
                        Some(format!("a bucket of {burst} cannot absorb {rps} requests in one second; raise `burst`")),
                    );
                }
                model::RateLimit { requests_per_second: rps, burst }
            }
        }
    }

    /// Each resource names schemas in the OpenAPI document (`Payment`, `PaymentCreate`,
    /// `PaymentUpdate`, `PaymentPage`) and so in every stack's types; a name that lands on the
    /// document's own schemas or on another resource's would make two types one.
    fn schema_name_clash(&mut self, name: &Spanned<String>, m: &raw::Manifest) {
        if RESERVED_RESOURCE_NAMES.contains(&name.as_str()) {
            self.error_hint(
                name.span,
                format!("resource name `{}` is taken by a schema every service has", name.value),
                Some(format!("these names are taken: {}", RESERVED_RESOURCE_NAMES.join(", "))),
            );
            return;
        }
        for suffix in ["_create", "_update", "_page"] {
            let Some(base) = name.strip_suffix(suffix) else { continue };
            if m.resources.keys().any(|other| other.value == base) {
                self.error_hint(
                    name.span,
                    format!("resource `{}` would share its type names with the `{base}` resource's `{}` schema", name.value, &suffix[1..]),
                    Some("choose a name that does not end in _create, _update or _page".into()),
                );
            }
        }
    }

    fn resources(&mut self, m: &raw::Manifest, cache: model::CacheMode) -> Vec<model::Resource> {
        if m.resources.is_empty() {
            self.diags.push(Diagnostic::error("the manifest declares no resources").with_hint("add at least one under `resources:`"));
        }
        let index: ResourceIndex<'_> = m.resources.iter().filter_map(|(name, r)| r.0.as_ref().map(|r| (name.as_str(), r))).collect();
        let mut plurals: IndexMap<String, Span> = IndexMap::new();
        let mut out = Vec::new();
        for (name, resource) in &m.resources {
            if let Err(reason) = check_identifier(name, "resource name") {
                self.error(name.span, reason);
            } else {
                self.schema_name_clash(name, m);
            }
            let Some(resource) = &resource.0 else {
                continue;
            };
            let plural = match &resource.plural {
                Some(p) => {
                    if let Err(reason) = check_identifier(p, "plural") {
                        self.error(p.span, reason);
                    }
                    p.value.clone()
                }
                None => pluralize(name),
            };
            let plural_span = resource.plural.as_ref().map_or(name.span, |p| p.span);
            if SYSTEM_TABLES.contains(&plural.as_str()) {
                self.error_hint(
                    plural_span,
                    format!("the table name `{plural}` is used by the service itself"),
                    Some("rename the resource or set another `plural`".into()),
                );
            }
            if let Some(first) = plurals.get(&plural) {
                self.error_hint(
                    plural_span,
                    format!("two resources share the plural `{plural}`"),
                    Some(format!("the other is at line {}", first.line_col().0)),
                );
            }
            plurals.insert(plural.clone(), plural_span);
            out.push(self.resource(name, resource, plural, &index, cache));
        }
        self.rules(m, &mut out);
        out
    }

    /// Compiles every rule's `when`. This runs after all resources are built because a rule may
    /// read through a ref to a resource declared later, or count another resource's rows.
    fn rules(&mut self, m: &raw::Manifest, resources: &mut [model::Resource]) {
        // A field that failed its own check is missing from the model; a rule reading it, on its
        // resource or through a ref, would only repeat that problem as "unknown field". Such
        // rules wait for the next run; every other rule is checked now.
        let incomplete: HashSet<&str> = m
            .resources
            .iter()
            .filter(|(name, r)| match &r.0 {
                Some(raw) => !resources.iter().any(|model| model.name == name.value && model.fields.len() == raw.fields.len()),
                None => true,
            })
            .map(|(name, _)| name.as_str())
            .collect();
        if m.resources.len() != resources.len() {
            return; // A resource failed to load at all: positions below would not line up.
        }
        let mut compiled = Vec::new();
        for (position, (_, raw)) in m.resources.iter().enumerate() {
            let Some(raw) = &raw.0 else { continue };
            let resource = &resources[position];
            let reads_incomplete = incomplete.contains(resource.name.as_str())
                || resource.fields.iter().any(|f| matches!(&f.ty, FieldType::Ref { resource } if incomplete.contains(resource.as_str())));
            if reads_incomplete {
                continue;
            }
            let mut rules = Vec::new();
            for rule in raw.rules.iter().filter_map(|r| r.0.as_ref()) {
                match expr::compile(&rule.when, resource, resources) {
                    Ok(c) => {
                        let vectors = expr::vectors(&c, resource, resources);
                        rules.push(model::Rule {
                            name: rule.name.value.clone(),
                            when: rule.when.value.clone(),
                            action: rule.action.value,
                            message: rule.message.clone().unwrap_or_else(|| format!("rejected by rule {}", rule.name.value)),
                            ir: c.ir,
                            refs: c.refs,
                            counts: c.counts,
                            vectors,
                        });
                    }
                    Err(errors) => {
                        for e in errors {
                            let span = self.inside_string(&rule.when, e.range.start, e.range.end);
                            self.error_hint(span, e.message, e.hint);
                        }
                    }
                }
            }
            compiled.push((position, rules));
        }
        for (position, rules) in compiled {
            resources[position].has_flags = rules.iter().any(|r| r.action == model::RuleAction::Flag);
            resources[position].rules = rules;
        }
    }

    fn resource(
        &mut self,
        name: &Spanned<String>,
        r: &raw::Resource,
        plural: String,
        index: &ResourceIndex<'_>,
        cache: model::CacheMode,
    ) -> model::Resource {
        let operations = self.operations(r);
        let mut fields = Vec::new();
        for (field_name, field) in &r.fields {
            if let Err(reason) = check_identifier(field_name, "field name") {
                self.error(field_name.span, reason);
            } else if SYSTEM_FIELDS.contains(&field_name.as_str()) {
                self.error_hint(
                    field_name.span,
                    format!("`{}` is a field every resource already has", field_name.value),
                    Some(format!("the service adds {} itself", SYSTEM_FIELDS.join(", "))),
                );
            }
            if let Some(field) = &field.0
                && let Some(f) = self.field(field_name, field, index)
            {
                fields.push(f);
            }
        }
        if r.fields.is_empty() {
            self.error(name.span, format!("resource `{}` has no fields", name.value));
        }
        let filters = self.filters(r, &operations);
        let cache_ttl_seconds = r.cache.as_ref().map(|c| {
            if cache == model::CacheMode::None {
                self.error_hint(
                    c.ttl.span,
                    "this resource is cached but the service has `cache: none`",
                    Some("set `cache: optional` or remove the resource's `cache`".into()),
                );
            }
            if !operations.read {
                self.error(c.ttl.span, "caching serves reads by id, and this resource has no `read` operation");
            }
            self.at_least_a_second(&c.ttl)
        });
        let mut rule_names = HashSet::new();
        for rule in r.rules.iter().filter_map(|r| r.0.as_ref()) {
            if let Err(reason) = check_identifier(&rule.name, "rule name") {
                self.error(rule.name.span, reason);
            }
            if !rule_names.insert(rule.name.value.clone()) {
                self.error(rule.name.span, format!("rule `{}` is defined twice in this resource", rule.name.value));
            }
        }
        if !operations.create && !operations.update && !r.rules.is_empty() {
            self.error(name.span, "rules run on create and update, and this resource has neither");
        }
        model::Resource {
            name: name.value.clone(),
            path: plural.replace('_', "-"),
            plural,
            description: r.description.clone(),
            operations,
            fields,
            filters,
            cache_ttl_seconds,
            // Both are filled by `rules`, once every resource is known.
            has_flags: false,
            rules: Vec::new(),
        }
    }

    fn operations(&mut self, r: &raw::Resource) -> Operations {
        let Some(list) = &r.operations else {
            return Operations { create: true, read: true, list: true, update: true, delete: true };
        };
        if list.is_empty() {
            self.error(list.span, "a resource needs at least one operation");
        }
        let mut seen = HashSet::new();
        for op in list.iter() {
            if !seen.insert(op.value) {
                self.error(op.span, "this operation is listed twice");
            }
        }
        let has = |o| seen.contains(&o);
        Operations {
            create: has(Operation::Create),
            read: has(Operation::Read),
            list: has(Operation::List),
            update: has(Operation::Update),
            delete: has(Operation::Delete),
        }
    }

    fn filters(&mut self, r: &raw::Resource, operations: &Operations) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for filter in &r.filters {
            let Some((_, field)) = r.fields.iter().find(|(n, _)| n.value == filter.value) else {
                let hint = did_you_mean(filter, r.fields.keys().map(|k| k.as_str()));
                self.error_hint(filter.span, format!("filter `{}` names no field of this resource", filter.value), hint);
                continue;
            };
            if out.contains(&filter.value) {
                self.error(filter.span, format!("filter `{}` is listed twice", filter.value));
                continue;
            }
            if let Some(f) = &field.0
                && matches!(f.ty.value, RawType::Json | RawType::Text)
            {
                self.error(filter.span, format!("a {} field cannot be an equality filter", f.ty.value.name()));
            }
            if !operations.list {
                self.error(filter.span, "filters apply to the list route, and this resource has no `list` operation");
            }
            out.push(filter.value.clone());
        }
        out
    }

    fn field(&mut self, name: &Spanned<String>, f: &raw::Field, index: &ResourceIndex<'_>) -> Option<model::Field> {
        let ty = f.ty.value;
        self.refuse_inapplicable_options(f);
        let flag = |b: &Option<Spanned<bool>>| b.as_ref().is_some_and(|b| b.value);
        let field_type = match ty {
            RawType::String => self.string_type(f),
            RawType::Text => FieldType::Text { max_length: f.max_length.as_ref().map_or(10_000, |m| m.value) },
            RawType::Integer => self.integer_type(f),
            RawType::Decimal => self.decimal_type(f)?,
            RawType::Boolean => FieldType::Boolean,
            RawType::Timestamp => FieldType::Timestamp,
            RawType::Date => FieldType::Date,
            RawType::Enum => self.enum_type(f)?,
            RawType::Uuid => FieldType::Uuid,
            RawType::Ref => self.ref_type(f, index)?,
            RawType::Json => FieldType::Json { max_bytes: f.max_bytes.as_ref().map(|s| s.bytes) },
        };
        if let (Some(unique), RawType::Boolean | RawType::Json) = (&f.unique, ty)
            && unique.value
        {
            self.error(unique.span, format!("a {} field cannot be unique", ty.name()));
        }
        let read_only = flag(&f.read_only);
        if let (Some(ro), Some(im)) = (&f.read_only, &f.immutable)
            && ro.value
            && im.value
        {
            self.error_hint(
                im.span,
                "a read_only field is already never settable by clients",
                Some("keep one of `read_only` and `immutable`".into()),
            );
        }
        let optional = flag(&f.optional);
        if read_only && !optional && f.default.is_none() {
            self.error_hint(
                f.read_only.as_ref().map_or(name.span, |s| s.span),
                format!("`{}` is read_only and required, so a create could never set it", name.value),
                Some("add a `default`, or make it `optional: true`".into()),
            );
        }
        let default = match &f.default {
            Some(d) if ty == RawType::Ref => {
                self.error(d.span, "a ref field cannot have a default");
                None
            }
            Some(d) => self.literal_for(&field_type, d),
            None => None,
        };
        Some(model::Field {
            name: name.value.clone(),
            ty: field_type,
            description: f.description.clone(),
            optional,
            default,
            unique: flag(&f.unique),
            immutable: flag(&f.immutable),
            read_only,
        })
    }

    fn refuse_inapplicable_options(&mut self, f: &raw::Field) {
        use RawType as T;
        let ty = f.ty.value;
        let options: [(&str, Option<Span>, &[RawType]); 11] = [
            ("max_length", f.max_length.as_ref().map(|s| s.span), &[T::String, T::Text]),
            ("min_length", f.min_length.as_ref().map(|s| s.span), &[T::String]),
            ("pattern", f.pattern.as_ref().map(|s| s.span), &[T::String]),
            ("format", f.format.as_ref().map(|s| s.span), &[T::String]),
            ("transform", f.transform.as_ref().map(|s| s.span), &[T::String]),
            ("min", f.min.as_ref().map(|s| s.span), &[T::Integer, T::Decimal]),
            ("max", f.max.as_ref().map(|s| s.span), &[T::Integer, T::Decimal]),
            ("precision", f.precision.as_ref().map(|s| s.span), &[T::Decimal]),
            ("scale", f.scale.as_ref().map(|s| s.span), &[T::Decimal]),
            ("values", f.values.as_ref().map(|s| s.span), &[T::Enum]),
            ("resource", f.resource.as_ref().map(|s| s.span), &[T::Ref]),
        ];
        for (option, span, types) in options {
            if let Some(span) = span
                && !types.contains(&ty)
            {
                let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
                self.error_hint(
                    span,
                    format!("`{option}` does not apply to {} fields", ty.name()),
                    Some(format!("`{option}` applies to: {}", names.join(", "))),
                );
            }
        }
        if let (Some(mb), false) = (&f.max_bytes, ty == T::Json) {
            self.error(mb.span, format!("`max_bytes` does not apply to {} fields", ty.name()));
        }
    }

    fn string_type(&mut self, f: &raw::Field) -> FieldType {
        let max_length = f.max_length.as_ref().map_or(255, |m| m.value);
        if let Some(max) = &f.max_length
            && max.value == 0
        {
            self.error(max.span, "max_length must be at least 1");
        }
        let min_length = f.min_length.as_ref().map(|m| m.value);
        if let (Some(min), Some(max)) = (&f.min_length, &f.max_length)
            && min.value > max.value
        {
            self.error(min.span, format!("min_length {} is larger than max_length {}", min.value, max.value));
        }
        if let Some(pattern) = &f.pattern
            && let Err(e) = check_portable(pattern)
        {
            let span = self.inside_string(pattern, e.range.start, e.range.end);
            self.error(span, e.message);
        }
        FieldType::String {
            min_length,
            max_length,
            pattern: f.pattern.as_ref().map(|p| p.value.clone()),
            format: f.format.as_ref().map(|s| s.value),
            transforms: f.transform.as_ref().map(|t| t.iter().map(|t| t.value).collect()).unwrap_or_default(),
        }
    }

    fn integer_type(&mut self, f: &raw::Field) -> FieldType {
        let mut bound = |lit: &Option<Spanned<raw::NumberLit>>| {
            let lit = lit.as_ref()?;
            match lit.value {
                raw::NumberLit::Int(i) if i.abs() <= MAX_SAFE_INTEGER => Some(i),
                raw::NumberLit::Int(_) => {
                    self.error(lit.span, "integer bounds must be within ±(2^53 - 1), what JSON numbers carry exactly");
                    None
                }
                _ => {
                    self.error(lit.span, "an integer field's bound must be an integer");
                    None
                }
            }
        };
        let (min, max) = (bound(&f.min), bound(&f.max));
        if let (Some(lo), Some(hi), Some(span)) = (min, max, f.min.as_ref().map(|m| m.span))
            && lo > hi
        {
            self.error(span, format!("min {lo} is larger than max {hi}"));
        }
        FieldType::Integer { min, max }
    }

    fn decimal_type(&mut self, f: &raw::Field) -> Option<FieldType> {
        let precision = f.precision.as_ref().map_or(18, |p| p.value);
        let scale = f.scale.as_ref().map_or(2, |s| s.value);
        if !(1..=38).contains(&precision) {
            self.error(f.precision.as_ref()?.span, "precision must be between 1 and 38");
            return None;
        }
        if scale > precision {
            self.error(f.scale.as_ref()?.span, format!("scale {scale} is larger than precision {precision}"));
            return None;
        }
        let mut bound = |lit: &Option<Spanned<raw::NumberLit>>| {
            let lit = lit.as_ref()?;
            match fitted_decimal(&lit.text(), precision, scale) {
                Ok(d) => Some(d),
                Err(reason) => {
                    self.error(lit.span, reason);
                    None
                }
            }
        };
        let (min, max) = (bound(&f.min), bound(&f.max));
        if let (Some(lo), Some(hi)) = (min, max)
            && lo.compare(hi).is_gt()
        {
            self.error(f.min.as_ref()?.span, format!("min {lo} is larger than max {hi}"));
        }
        Some(FieldType::Decimal { precision, scale, min: min.map(|d| d.to_string()), max: max.map(|d| d.to_string()) })
    }

    fn enum_type(&mut self, f: &raw::Field) -> Option<FieldType> {
        let Some(values) = &f.values else {
            self.error_hint(f.ty.span, "an enum field needs its `values`", Some("add `values: [a, b, c]`".into()));
            return None;
        };
        if values.is_empty() {
            self.error(values.span, "an enum needs at least one value");
        }
        let mut seen: HashSet<String> = HashSet::new();
        for v in values.iter() {
            let shape_ok = v.len() <= 63
                && v.starts_with(|c: char| c.is_ascii_alphabetic())
                && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if !shape_ok {
                self.error_hint(
                    v.span,
                    format!("enum value `{}` cannot become an identifier in every stack", v.value),
                    Some("start with a letter; use letters, digits, `_`, `-` and `.`".into()),
                );
            }
            // Stacks generate one constant per value; values that differ only in case or
            // punctuation would collide there.
            let key: String = camel_case(&v.to_lowercase().replace(['-', '.'], "_"));
            if !seen.insert(key) {
                self.error(v.span, format!("enum value `{}` repeats another value", v.value));
            }
        }
        Some(FieldType::Enum { values: values.iter().map(|v| v.value.clone()).collect() })
    }

    fn ref_type(&mut self, f: &raw::Field, index: &ResourceIndex<'_>) -> Option<FieldType> {
        let Some(target) = &f.resource else {
            self.error_hint(f.ty.span, "a ref field needs the `resource` it refers to", Some("add `resource: <name>`".into()));
            return None;
        };
        if !index.contains_key(target.as_str()) {
            let hint = did_you_mean(target, index.keys().copied())
                .or_else(|| Some(format!("resources: {}", index.keys().copied().collect::<Vec<_>>().join(", "))));
            self.error_hint(target.span, format!("`{}` is not a resource of this manifest", target.value), hint);
            return None;
        }
        Some(FieldType::Ref { resource: target.value.clone() })
    }

    /// Checks a literal (a default or a webhook's `set`) against a field type; returns it in the
    /// field's JSON wire form.
    fn literal_for(&mut self, ty: &FieldType, lit: &Spanned<serde_json::Value>) -> Option<serde_json::Value> {
        match literal_value(ty, &lit.value) {
            Ok(v) => Some(v),
            Err(reason) => {
                self.error(lit.span, reason);
                None
            }
        }
    }

    fn webhooks(&mut self, m: &raw::Manifest, resources: &[model::Resource]) -> Vec<model::Webhook> {
        let mut out = Vec::new();
        for (name, hook) in &m.webhooks {
            if let Err(reason) = check_identifier(name, "webhook name") {
                self.error(name.span, reason);
            }
            let Some(hook) = &hook.0 else { continue };
            let expected_env = format!("WEBHOOK_{}_SECRET", name.to_uppercase());
            if hook.secret_env.value != expected_env {
                self.error_hint(
                    hook.secret_env.span,
                    format!("the secret of webhook `{}` must come from `{expected_env}`", name.value),
                    Some("every stack reads `WEBHOOK_<NAME>_SECRET`".into()),
                );
            }
            self.pointer(&hook.event_type);
            let mut handlers = Vec::new();
            for (event, action) in &hook.on {
                if event.trim().is_empty() {
                    self.error(event.span, "an event type must not be empty");
                }
                let Some(action) = &action.0 else { continue };
                if let Some(h) = self.webhook_handler(event, action, resources) {
                    handlers.push(h);
                }
            }
            out.push(model::Webhook {
                name: name.value.clone(),
                secret_env: hook.secret_env.value.clone(),
                event_type_pointer: hook.event_type.value.clone(),
                handlers,
            });
        }
        out
    }

    fn webhook_handler(
        &mut self,
        event: &Spanned<String>,
        action: &raw::WebhookAction,
        resources: &[model::Resource],
    ) -> Option<model::WebhookHandler> {
        self.pointer(&action.id);
        let Some(resource) = resources.iter().find(|r| r.name == action.update.value) else {
            let hint = did_you_mean(&action.update, resources.iter().map(|r| r.name.as_str()));
            self.error_hint(action.update.span, format!("`{}` is not a resource of this manifest", action.update.value), hint);
            return None;
        };
        if action.set.is_empty() {
            self.error(action.update.span, "a webhook update needs at least one field in `set`");
        }
        let mut set = Vec::new();
        for (field_name, value) in &action.set {
            let Some(field) = resource.field(field_name) else {
                let hint = did_you_mean(field_name, resource.fields.iter().map(|f| f.name.as_str()));
                self.error_hint(field_name.span, format!("`{}` is not a field of {}", field_name.value, resource.name), hint);
                continue;
            };
            if field.immutable {
                self.error(field_name.span, format!("`{}` is immutable: it is set on create only", field.name));
                continue;
            }
            let from = value.as_object().filter(|o| o.len() == 1).and_then(|o| o.get("from"));
            let value = match from {
                Some(serde_json::Value::String(pointer)) => {
                    self.pointer(&Spanned::new(pointer.clone(), value.span));
                    SetValue::From { pointer: pointer.clone() }
                }
                Some(_) => {
                    self.error(value.span, "`from` takes a JSON pointer string, such as `/data/id`");
                    continue;
                }
                None => match self.literal_for(&field.ty, value) {
                    Some(v) => SetValue::Literal { value: v },
                    None => continue,
                },
            };
            set.push(model::WebhookSet { field: field.name.clone(), value });
        }
        Some(model::WebhookHandler {
            event_type: event.value.clone(),
            resource: resource.name.clone(),
            id_pointer: action.id.value.clone(),
            set,
        })
    }

    fn pointer(&mut self, p: &Spanned<String>) {
        let escapes_ok = p.split('~').skip(1).all(|rest| rest.starts_with(['0', '1']));
        if !p.starts_with('/') || !escapes_ok {
            self.error_hint(
                p.span,
                format!("`{}` is not a JSON pointer", p.value),
                Some("a pointer starts with `/`, such as `/data/id` (RFC 6901)".into()),
            );
        }
    }

    /// The span of `from..to` (byte offsets) inside a string scalar, when the scalar was written
    /// without escapes so that characters map one to one; otherwise the whole scalar.
    fn inside_string(&self, value: &Spanned<String>, from: usize, to: usize) -> Span {
        let span = value.span;
        if span.start.line != span.end.line {
            return span;
        }
        let written: String = self.ctx.src.chars().skip(span.start.offset).take(span.end.offset - span.start.offset).collect();
        let quote = if written == value.value {
            0
        } else if written.len() == value.len() + 2 && written[1..written.len() - 1] == value.value {
            1
        } else {
            return span;
        };
        let chars = |byte: usize| value.value[..byte.min(value.len())].chars().count();
        span.sub(quote + chars(from), quote + chars(to))
    }
}

fn recovered<T>(value: &Option<Recover<T>>) -> Option<&T> {
    value.as_ref().and_then(|r| r.0.as_ref())
}

fn millis(d: Option<&Spanned<Duration>>, default: u64) -> u64 {
    d.map_or(default, |d| d.millis)
}

/// Whether `uri` has a scheme and something after it, with no white space.
pub(crate) fn is_absolute_uri(uri: &str) -> bool {
    uri.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && !uri.contains(char::is_whitespace)
    })
}

impl Span {
    fn line_col(self) -> (usize, usize) {
        (self.start.line, self.start.col)
    }
}

/// Parses a manifest decimal and fits it to `numeric(precision, scale)`, saying why not.
fn fitted_decimal(text: &str, precision: u32, scale: u32) -> Result<Dec, String> {
    let parsed =
        Dec::parse(text.strip_prefix('+').unwrap_or(text)).ok_or_else(|| format!("`{text}` is not a decimal number such as `12.50`"))?;
    parsed.fit(precision, scale).map_err(|e| match e {
        FitError::Fraction => format!("`{text}` has more than {scale} digits after the point"),
        FitError::Digits => format!("`{text}` does not fit numeric({precision}, {scale})"),
    })
}

/// Checks a JSON literal against a field type and returns its wire form.
fn literal_value(ty: &FieldType, v: &serde_json::Value) -> Result<serde_json::Value, String> {
    use serde_json::Value as J;
    let expect = |what: &str| Err(format!("expected {what} for a {} field, found {}", ty.name(), json_kind(v)));
    match (ty, v) {
        (FieldType::String { min_length, max_length, pattern, format, .. }, J::String(s)) => {
            let len = u32::try_from(s.chars().count()).unwrap_or(u32::MAX);
            if len > *max_length || min_length.is_some_and(|m| len < m) {
                return Err(format!("`{s}` does not fit the field's length limits"));
            }
            if let Some(p) = pattern
                && regex::Regex::new(p).is_ok_and(|re| !re.is_match(s))
            {
                return Err(format!("`{s}` does not match the field's pattern `{p}`"));
            }
            if let Some(f) = format {
                let ok = match f {
                    model::StringFormat::Email => s.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.')),
                    model::StringFormat::Uri => is_absolute_uri(s),
                    model::StringFormat::Uuid => is_uuid(s),
                };
                if !ok {
                    return Err(format!(
                        "`{s}` is not a valid {}",
                        serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
                    ));
                }
            }
            Ok(v.clone())
        }
        (FieldType::Text { max_length }, J::String(s)) if s.chars().count() <= *max_length as usize => Ok(v.clone()),
        (FieldType::Text { .. }, J::String(_)) => Err("the text is longer than the field's max_length".into()),
        (FieldType::Integer { min, max }, J::Number(n)) => match n.as_i64() {
            Some(i) if min.is_some_and(|m| i < m) || max.is_some_and(|m| i > m) => Err(format!("{i} is outside the field's bounds")),
            Some(_) => Ok(v.clone()),
            None => expect("an integer"),
        },
        (FieldType::Decimal { precision, scale, min, max }, J::String(_) | J::Number(_)) => {
            let text = match v {
                J::String(s) => s.clone(),
                _ => v.to_string(),
            };
            let d = fitted_decimal(&text, *precision, *scale)?;
            let outside = |bound: &Option<String>, ord| bound.as_deref().and_then(Dec::parse).is_some_and(|b| d.compare(b) == ord);
            if outside(min, std::cmp::Ordering::Less) || outside(max, std::cmp::Ordering::Greater) {
                return Err(format!("{d} is outside the field's bounds"));
            }
            Ok(J::String(d.to_string()))
        }
        (FieldType::Boolean, J::Bool(_)) | (FieldType::Json { .. }, _) => Ok(v.clone()),
        (FieldType::Enum { values }, J::String(s)) => {
            if values.contains(s) {
                Ok(v.clone())
            } else {
                let hint = did_you_mean(s, values.iter().map(String::as_str)).map(|h| format!(" ({h})")).unwrap_or_default();
                Err(format!("`{s}` is not one of the values: {}{hint}", values.join(", ")))
            }
        }
        (FieldType::Uuid, J::String(s)) if is_uuid(s) => Ok(v.clone()),
        (FieldType::Date, J::String(s)) if is_date(s) => Ok(v.clone()),
        (FieldType::Timestamp, J::String(s)) if is_timestamp(s) => Ok(v.clone()),
        (FieldType::Uuid, _) => expect("a UUID string"),
        (FieldType::Date, _) => expect("a date `YYYY-MM-DD`"),
        (FieldType::Timestamp, _) => expect("an RFC 3339 timestamp such as `2026-01-31T12:00:00Z`"),
        (FieldType::Integer { .. }, _) => expect("an integer"),
        (FieldType::Decimal { .. }, _) => expect("a decimal such as `\"12.50\"`"),
        (FieldType::Boolean, _) => expect("`true` or `false`"),
        (FieldType::String { .. } | FieldType::Text { .. } | FieldType::Enum { .. }, _) => expect("a string"),
        (FieldType::Ref { .. }, _) => Err("a ref field takes no literal".into()),
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a mapping",
    }
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]) && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let num = |t: &str, len: usize| (t.len() == len && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse::<u32>().ok()).flatten();
    let (Some(y), Some(m), Some(d)) = (num(y, 4), num(m, 2), num(d, 2)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn is_timestamp(s: &str) -> bool {
    let Some((date, time)) = s.split_once(['T', 't']) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let (clock, zone_ok) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, true)
    } else if let Some(i) = time.rfind(['+', '-']) {
        let zone = &time[i + 1..];
        (&time[..i], zone.len() == 5 && zone.as_bytes()[2] == b':')
    } else {
        (time, false)
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, "0"));
    let hms: Vec<&str> = hms.split(':').collect();
    zone_ok
        && hms.len() == 3
        && hms.iter().zip([23, 59, 60]).all(|(p, max)| p.len() == 2 && p.parse::<u32>().is_ok_and(|n| n <= max))
        && !frac.is_empty()
        && frac.len() <= 9
        && frac.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_fit_and_canonicalise() {
        let fit = |t: &str| fitted_decimal(t, 10, 2).map(|d| d.to_string());
        assert_eq!(fit("12.5").unwrap(), "12.50");
        assert_eq!(fit("-0.00").unwrap(), "0.00");
        assert_eq!(fit("007").unwrap(), "7.00");
        assert!(fit("1.234").unwrap_err().contains("more than 2 digits"));
        assert!(fit("123456789").unwrap_err().contains("does not fit"));
        assert!(fit("1.").is_err() && fit("abc").is_err() && fit(".5").is_err());
    }

    #[test]
    fn dates_and_timestamps() {
        assert!(is_date("2024-02-29") && !is_date("2023-02-29") && !is_date("2024-13-01"));
        assert!(is_timestamp("2026-11-24T10:00:00.123Z") && is_timestamp("2026-11-24T10:00:00+02:00"));
        assert!(!is_timestamp("2026-11-24 10:00:00Z") && !is_timestamp("2026-11-24T25:00:00Z"));
    }
}
