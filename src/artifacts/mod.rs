//! What every stack renders identically, computed once in Rust: the OpenAPI document and the SQL
//! migrations. Templates receive these as `artifacts`, so no stack re-derives a schema or a
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
}

impl Artifacts {
    /// Computes every artifact of `service`: pure, so equal services give equal bytes.
    pub fn of(service: &Service) -> Self {
        Self {
            openapi_json: openapi::to_json(service),
            migrations: sql::migrations(service),
            problem_types: openapi::PROBLEM_TYPES.to_vec(),
        }
    }
}
