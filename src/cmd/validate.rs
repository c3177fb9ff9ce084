//! `skaffold validate`: every problem at once, as text or JSON.

use std::process::ExitCode;

use crate::cli::{Format, ValidateArgs};
use crate::diagnostic;
use crate::error::CliError;
use crate::templates::Source;

pub fn run(args: &ValidateArgs) -> Result<ExitCode, CliError> {
    let source = Source::from_option(args.templates.templates.as_deref());
    let text = super::read_manifest(&args.manifest)?;
    let available = super::stack_names(&source)?;
    let file = args.manifest.display().to_string();
    let result = crate::generate::service(&text, &[], &available);
    match (args.format, result) {
        (Format::Json, Ok(_)) => {
            print!("{}", diagnostic::render_json(&file, &[]));
            Ok(ExitCode::SUCCESS)
        }
        (Format::Json, Err(diagnostics)) => {
            print!("{}", diagnostic::render_json(&file, &diagnostics));
            Ok(ExitCode::from(2))
        }
        (Format::Text, Ok(service)) => {
            let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
            println!(
                "{file}: valid ({}, {}, {})",
                count(service.resources.len(), "resource"),
                count(service.resources.iter().map(|r| r.rules.len()).sum(), "rule"),
                count(service.webhooks.len(), "webhook")
            );
            Ok(ExitCode::SUCCESS)
        }
        (Format::Text, Err(diagnostics)) => {
            eprint!("{}", diagnostic::render_text(&file, &text, &diagnostics));
            Err(CliError::invalid_manifest())
        }
    }
}
