//! `skaffold schema`: the manifest's JSON Schema, generated from the Rust types.

use std::process::ExitCode;

use crate::error::CliError;

pub fn run() -> Result<ExitCode, CliError> {
    print!("{}", schema_text());
    Ok(ExitCode::SUCCESS)
}

/// The schema as committed in `schema/manifest.schema.json`.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&crate::manifest::json_schema()).unwrap_or_default();
    text.push('\n');
    text
}
