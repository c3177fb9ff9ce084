//! `skaffold init`: a commented starter manifest, asked for on a terminal, from flags otherwise.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::InitArgs;
use crate::error::CliError;
use crate::generate::PRODUCT_STACKS;

const STARTER: &str = include_str!("starter.yaml");

/// The starter manifest for a name and stack.
pub fn starter(name: &str, stack: &str) -> String {
    STARTER.replace("{name}", name).replace("{stack}", stack)
}

pub fn run(args: &InitArgs) -> Result<ExitCode, CliError> {
    let interactive = !args.yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let default_name = default_name(&args.dir);
    let name = match (&args.name, interactive) {
        (Some(n), _) => n.clone(),
        (None, true) => dialoguer::Input::<String>::new()
            .with_prompt("Service name")
            .default(default_name)
            .validate_with(|n: &String| valid_name(n).map_err(|e| e.to_owned()))
            .interact_text()
            .map_err(|e| CliError::failure("cannot read the answer").caused_by(e))?,
        (None, false) => default_name,
    };
    valid_name(&name).map_err(|e| CliError::usage(format!("invalid name `{name}`: {e}")))?;
    let stack = match (&args.stack, interactive) {
        (Some(s), _) => s.clone(),
        (None, true) => {
            let choice = dialoguer::Select::new()
                .with_prompt("Stack")
                .items(PRODUCT_STACKS)
                .default(0)
                .interact()
                .map_err(|e| CliError::failure("cannot read the answer").caused_by(e))?;
            PRODUCT_STACKS[choice].to_owned()
        }
        (None, false) => PRODUCT_STACKS[0].to_owned(),
    };
    if !PRODUCT_STACKS.contains(&stack.as_str()) {
        let hint =
            crate::diagnostic::did_you_mean(&stack, PRODUCT_STACKS).unwrap_or_else(|| format!("stacks: {}", PRODUCT_STACKS.join(", ")));
        return Err(CliError::usage(format!("unknown stack `{stack}`")).hint(hint));
    }
    let path = args.dir.join(format!("{name}.skaffold.yaml"));
    if path.exists() {
        return Err(CliError::failure(format!("{} already exists", path.display())).hint("choose another --name, or remove the file"));
    }
    fs_err::create_dir_all(&args.dir)?;
    fs_err::write(&path, starter(&name, &stack))?;
    println!("Wrote {}", path.display());
    println!("Next: skaffold new {}", path.display());
    Ok(ExitCode::SUCCESS)
}

fn valid_name(name: &str) -> Result<(), &'static str> {
    let ok = (2..=40).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok { Ok(()) } else { Err("use 2 to 40 lowercase letters, digits and dashes, starting with a letter") }
}

/// The current directory's name, made into a service name when it can be.
fn default_name(dir: &std::path::Path) -> String {
    let base = std::path::absolute(dir).ok().and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_lowercase())).unwrap_or_default();
    let cleaned: String = base.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let cleaned = cleaned.trim_matches('-').to_owned();
    if valid_name(&cleaned).is_ok() { cleaned } else { "my-service".to_owned() }
}
