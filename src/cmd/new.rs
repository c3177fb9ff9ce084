//! `skaffold new`: validate, render in memory, then write atomically (or only show the plan).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::NewArgs;
use crate::error::CliError;
use crate::generate;
use crate::manifest::Override;
use crate::templates::Source;
use crate::write::{self, Plan, Status, WriteError};

pub fn run(args: &NewArgs) -> Result<ExitCode, CliError> {
    let overrides = args
        .sets
        .iter()
        .map(|s| Override::parse(s).map_err(|e| CliError::usage(format!("invalid --set: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let source = Source::from_option(args.templates.templates.as_deref());
    let (text, service) = super::load_service(&args.manifest, &overrides, &source)?;
    let stack_name = args.stack.clone().or_else(|| service.stack.clone()).ok_or_else(|| {
        CliError::usage("no stack chosen").hint("pass `--stack <name>` or set `stack:` in the manifest; `skaffold stacks` lists them")
    })?;
    let stack = source.load(&stack_name).map_err(super::templates::template_error)?;
    let label = match &source {
        Source::Embedded => "embedded",
        Source::Dir(_) => "directory",
    };
    let files = generate::files(&service, &stack, &text, &overrides, label)
        .map_err(|e| CliError::failure(format!("cannot render the `{stack_name}` templates")).caused_by_chain(&e))?;
    let target = args.out.clone().unwrap_or_else(|| PathBuf::from(&service.name));
    let plan = write::plan(&target, &files).map_err(write_error)?;

    if args.dry_run {
        let blocked = plan.conflicts().next().is_some() || (plan.needs_force() && !args.force);
        print!("{}", if args.json { plan_json(&plan, &stack_name, false) } else { plan_table(&plan) });
        if blocked {
            return Err(blocked_error(&plan, args.force));
        }
        return Ok(ExitCode::SUCCESS);
    }
    write::apply(&plan, &files, args.force).map_err(write_error)?;
    if args.json {
        print!("{}", plan_json(&plan, &stack_name, true));
    } else {
        let bytes: usize = plan.entries.iter().map(|e| e.bytes).sum();
        let changed = plan.entries.iter().filter(|e| e.status != Status::Unchanged).count();
        println!(
            "Rendered {} with {} into {}: {} files ({changed} written), {}.",
            service.name,
            stack_name,
            target.display(),
            plan.entries.len(),
            human_size(bytes)
        );
        println!("Next: read {} to run, test and deploy it.", target.join("README.md").display());
    }
    Ok(ExitCode::SUCCESS)
}

fn blocked_error(plan: &Plan, force: bool) -> CliError {
    let conflicts: Vec<&str> = plan.conflicts().map(|e| e.path.as_str()).collect();
    if conflicts.is_empty() && !force {
        return CliError::failure(format!("{} is not empty", plan.target.display()))
            .hint("pass --force to replace the files skaffold wrote there before");
    }
    let mut e = CliError::failure(format!("{} files in {} were not written by skaffold", conflicts.len(), plan.target.display()));
    for path in conflicts {
        e = e.caused_by(format!("would replace {path}"));
    }
    e.hint("move those files away, or render into another directory")
}

fn write_error(e: WriteError) -> CliError {
    match e {
        WriteError::NotEmpty(dir) => CliError::failure(format!("{} is not empty", dir.display()))
            .hint("pass --force to replace the files skaffold wrote there before"),
        WriteError::Conflicts { target, count, paths } => {
            let mut err =
                CliError::failure(format!("{count} files in {} were not written by skaffold; nothing was written", target.display()));
            for p in paths {
                err = err.caused_by(format!("would replace {p}"));
            }
            err.hint("move those files away, or render into another directory")
        }
        other => CliError::failure("cannot write the service").caused_by_chain(&other),
    }
}

fn plan_table(plan: &Plan) -> String {
    let mut out = String::new();
    for e in &plan.entries {
        let _ = writeln!(out, "{:<9}  {:>9}  {}", e.status.label(), human_size(e.bytes), e.path);
    }
    let total: usize = plan.entries.iter().map(|e| e.bytes).sum();
    let _ = writeln!(out, "{} files, {} in {} (dry run: nothing written)", plan.entries.len(), human_size(total), plan.target.display());
    out
}

fn plan_json(plan: &Plan, stack: &str, written: bool) -> String {
    let value = serde_json::json!({
        "target": plan.target.display().to_string(),
        "stack": stack,
        "written": written,
        "files": plan.entries,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

fn human_size(bytes: usize) -> String {
    #[allow(clippy::cast_precision_loss)]
    let kib = bytes as f64 / 1024.0;
    if bytes < 1024 { format!("{bytes} B") } else { format!("{kib:.1} KiB") }
}
