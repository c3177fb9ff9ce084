//! skaffold turns one YAML manifest into a complete backend service in the stack you pick.
//!
//! The pipeline is: load and validate the manifest ([`manifest`]) into a normalized
//! [`model::Service`], compute the stack-independent artifacts once (OpenAPI document, SQL
//! migrations, compiled rules), plan every output file in memory ([`plan`]), then write the plan
//! atomically ([`write`]).

pub mod diagnostic;
pub mod expr;
pub mod manifest;
pub mod model;
pub mod yaml;

use std::process::ExitCode;

/// Entry point of the command-line tool.
pub fn run() -> ExitCode {
    ExitCode::SUCCESS
}
