//! One module per command. Each turns its arguments into work and returns an exit code or a
//! [`CliError`] for the edge to render.

pub mod completions;
pub mod conform;
pub mod init;
pub mod new;
pub mod schema;
pub mod stacks;
pub mod templates;
pub mod validate;

use std::path::Path;

use crate::diagnostic;
use crate::error::CliError;
use crate::manifest::Override;
use crate::model::Service;
use crate::templates::Source;

/// Reads a manifest file.
fn read_manifest(path: &Path) -> Result<String, CliError> {
    fs_err::read_to_string(path).map_err(|e| CliError::usage(format!("cannot read the manifest {}", path.display())).caused_by(e.kind()))
}

/// The stacks of a template source, as a usage error when the source is unreadable.
fn stack_names(source: &Source) -> Result<Vec<String>, CliError> {
    source.names().map_err(|e| CliError::usage("cannot read the templates").caused_by_chain(&e))
}

/// Reads and validates a manifest, printing every problem as text when it is invalid.
fn load_service(path: &Path, overrides: &[Override], source: &Source) -> Result<(String, Service), CliError> {
    let text = read_manifest(path)?;
    let available = stack_names(source)?;
    match crate::generate::service(&text, overrides, &available) {
        Ok(service) => Ok((text, service)),
        Err(diagnostics) => {
            eprint!("{}", diagnostic::render_text(&path.display().to_string(), &text, &diagnostics));
            Err(CliError::invalid_manifest())
        }
    }
}
