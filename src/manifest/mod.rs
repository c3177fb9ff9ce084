//! Loading a manifest: YAML text -> spanned tree -> typed manifest -> validated [`Service`].
//!
//! [`load`] reports every problem it finds, in source order; nothing downstream runs unless the
//! manifest is entirely valid.

pub mod check;
pub mod names;
pub mod pattern;
pub mod raw;
pub mod units;

use crate::diagnostic::Diagnostic;
use crate::model::Service;
use crate::yaml::{self, Limits};

pub use check::CheckContext;

/// Parses and validates a manifest's text.
pub fn load(src: &str, ctx: CheckContext<'_>) -> Result<Service, Vec<Diagnostic>> {
    let tree = yaml::parse(src, Limits::default()).map_err(|d| vec![d])?;
    let (manifest, errors) = yaml::de::from_node::<raw::Manifest>(&tree);
    let mut diagnostics: Vec<Diagnostic> =
        errors.into_iter().map(|e| e.into_diagnostic()).collect();
    let Some(manifest) = manifest else {
        return Err(diagnostics);
    };
    match check::check(&manifest, ctx) {
        Ok(service) if diagnostics.is_empty() => Ok(service),
        Ok(_) => Err(diagnostics),
        Err(more) => {
            diagnostics.extend(more);
            diagnostics.sort_by_key(|d| d.span.map(|s| s.start.offset));
            Err(diagnostics)
        }
    }
}

/// The JSON Schema of the manifest format, generated from [`raw::Manifest`].
pub fn json_schema() -> serde_json::Value {
    let settings = schemars::generate::SchemaSettings::draft2020_12();
    let schema = settings
        .into_generator()
        .into_root_schema_for::<raw::Manifest>();
    serde_json::to_value(schema).unwrap_or_default()
}
