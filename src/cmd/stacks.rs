//! `skaffold stacks`: what can be rendered.

use std::process::ExitCode;

use crate::cli::TemplatesSource;
use crate::error::CliError;
use crate::templates::Source;

pub fn run(args: &TemplatesSource) -> Result<ExitCode, CliError> {
    let source = Source::from_option(args.templates.as_deref());
    let stacks = source.list().map_err(|e| CliError::usage("cannot read the templates").caused_by_chain(&e))?;
    let width = stacks.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, descriptor) in stacks {
        println!("{name:width$}  {}", descriptor.description);
    }
    Ok(ExitCode::SUCCESS)
}
