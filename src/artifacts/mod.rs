//! What every stack renders identically, computed once in Rust: the OpenAPI document, the SQL
//! migrations and the rules' shared test vectors. Templates receive these as `artifacts`, so no stack re-derives a schema or a
//! route table of its own.

pub mod openapi;
pub mod sql;

use serde::Serialize;

use crate::model::Service;

/// The stack-independent artifacts of a service, as templates see them.
#[derive(Debug, Clone, Serialize)]
pub struct Artifacts {
    /// The OpenAPI 3.1 document as every stack serves it at `/openapi.json`: the exact text.
    pub openapi_json: String,
    /// The migrations in the order they are applied.
    pub migrations: Vec<sql::Migration>,
    /// Every problem type: slug, status and title, so each stack's error type agrees.
    pub problem_types: Vec<openapi::ProblemType>,
    /// Every rule's test vectors as one JSON document (`[{resource, rule, when, vectors}]`), which
    /// each stack's generated tests replay against its compiled rules. Empty when the service
    /// has no rules, so a template that writes only this renders no file.
    pub rule_vectors_json: String,
}

impl Artifacts {
    /// Computes every artifact of `service`: pure, so equal services give equal bytes.
    pub fn of(service: &Service) -> Self {
        Self {
            openapi_json: openapi::to_json(service),
            migrations: sql::migrations(service),
            problem_types: openapi::PROBLEM_TYPES.to_vec(),
            rule_vectors_json: rule_vectors_json(service),
        }
    }
}

fn rule_vectors_json(service: &Service) -> String {
    let rules: Vec<serde_json::Value> = service
        .resources
        .iter()
        .flat_map(|r| {
            r.rules
                .iter()
                .map(|rule| serde_json::json!({ "resource": r.name, "rule": rule.name, "when": rule.when, "vectors": rule.vectors }))
        })
        .collect();
    if rules.is_empty() {
        return String::new();
    }
    let mut text = serde_json::to_string_pretty(&rules).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}
