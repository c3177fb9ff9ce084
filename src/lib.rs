//! skaffold turns one YAML manifest into a complete backend service in the stack you pick.
//!
//! The pipeline: load and validate the manifest ([`manifest`]) into a normalized
//! [`model::Service`]; compute the stack-independent artifacts once ([`artifacts`]); render the
//! stack's templates in memory ([`render`]); plan and write the files atomically ([`write`]).
//! [`generate`] is that pipeline without any I/O.

pub mod artifacts;
pub mod cli;
mod cmd;
pub mod conform;
pub mod decimal;
pub mod diagnostic;
pub mod error;
pub mod expr;
pub mod generate;
pub mod manifest;
pub mod model;
pub mod render;
pub mod templates;
pub mod write;
pub mod yaml;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, TemplatesCommand};

/// Entry point of the command-line tool.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::New(args) => cmd::new::run(&args),
        Command::Init(args) => cmd::init::run(&args),
        Command::Validate(args) => cmd::validate::run(&args),
        Command::Stacks(source) => cmd::stacks::run(&source),
        Command::Schema => cmd::schema::run(),
        Command::Completions { shell } => cmd::completions::run(shell),
        Command::Conform(args) => cmd::conform::run(&args),
        Command::Token(args) => cmd::conform::token(&args),
        Command::Templates(TemplatesCommand::Export { stack, dir }) => cmd::templates::export(&stack, &dir),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprint!("{}", e.render());
            e.exit_code()
        }
    }
}
