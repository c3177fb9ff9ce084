//! `skaffold templates export`: start a fork of a built-in stack.

use std::path::Path;
use std::process::ExitCode;

use crate::error::CliError;
use crate::templates::{self, Source, TemplateError};

pub fn export(stack: &str, dir: &Path) -> Result<ExitCode, CliError> {
    let stack = Source::Embedded.load(stack).map_err(template_error)?;
    if fs_err::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(CliError::usage(format!("{} is not empty", dir.display())).hint("export into a new directory"));
    }
    let written =
        templates::export(&stack, dir).map_err(|e| CliError::failure(format!("cannot export to {}", dir.display())).caused_by_chain(&e))?;
    println!("Exported {} ({written} files) to {}", stack.name, dir.display());
    println!("Render from it with: skaffold new <manifest> --stack {} --templates {}", stack.name, dir.display());
    Ok(ExitCode::SUCCESS)
}

/// An unknown stack is a usage error that lists what exists.
pub fn template_error(e: TemplateError) -> CliError {
    match &e {
        TemplateError::UnknownStack { name, available } => {
            let hint = crate::diagnostic::did_you_mean(name, available.iter().map(String::as_str))
                .unwrap_or_else(|| format!("available stacks: {}", available.join(", ")));
            CliError::usage(format!("no templates for stack `{name}`")).hint(hint)
        }
        _ => CliError::usage("cannot read the templates").caused_by_chain(&e),
    }
}
