//! What every stack renders identically, computed once in Rust: the SQL migrations (and, beside
//! them, the OpenAPI document). Templates receive these as `artifacts`, so no stack re-derives
//! a schema or a route table of its own.

pub mod sql;

use serde::Serialize;

use crate::model::Service;

/// The stack-independent artifacts of a service, as templates see them.
#[derive(Debug, Clone, Serialize)]
pub struct Artifacts {
    /// The migrations in the order they are applied.
    pub migrations: Vec<sql::Migration>,
}

impl Artifacts {
    /// Computes every artifact of `service`: pure, so equal services give equal bytes.
    pub fn of(service: &Service) -> Self {
        Self { migrations: sql::migrations(service) }
    }
}
