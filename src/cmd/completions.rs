//! `skaffold completions <shell>`.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::CliError;

pub fn run(shell: clap_complete::Shell) -> Result<ExitCode, CliError> {
    clap_complete::generate(shell, &mut Cli::command(), "skaffold", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}
