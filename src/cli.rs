//! The command line as clap sees it. Nothing here does work: [`crate::run`] turns these types into
//! a command and hands it to `cmd::<command>`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Turn one YAML manifest into a complete, production-grade backend service.
///
/// The same manifest renders the same service (routes, errors, headers, schema, events) in Axum,
/// Fastify, FastAPI, Go or ASP.NET Core. Output is deterministic: the same manifest and skaffold
/// version always give byte-identical files.
///
/// (Not related to Google's Skaffold.)
#[derive(Debug, Parser)]
#[command(name = "skaffold", version, max_term_width = 100)]
#[command(after_help = "Start with `skaffold init`, then `skaffold new <name>.skaffold.yaml`.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a service from a manifest into a new directory.
    ///
    /// Everything is rendered in memory first; nothing is written unless the whole service
    /// rendered. The output directory must not exist or be empty, unless `--force` is given, and
    /// even then only files that skaffold wrote before (listed in `.skaffold/lock.json`) are
    /// replaced.
    ///
    /// Example:
    ///
    ///     skaffold new payments.yaml --stack go --out payments-svc
    ///     skaffold new payments.yaml --set http.port=9000 --set auth=none --dry-run
    #[command(verbatim_doc_comment)]
    New(NewArgs),
    /// Write a commented starter manifest, `<name>.skaffold.yaml`.
    ///
    /// On a terminal it asks for the name and stack; otherwise (or with `--yes`) it takes them from
    /// the flags and defaults.
    Init(InitArgs),
    /// Check a manifest and report every problem at once, with line, column and a hint.
    ///
    /// Exits 0 when the manifest is valid and 2 when it is not.
    Validate(ValidateArgs),
    /// List the stacks skaffold can render.
    Stacks(TemplatesSource),
    /// Print the JSON Schema of the manifest format, for editors and CI.
    Schema,
    /// Print a shell completion script.
    ///
    /// Example: `skaffold completions bash > /etc/bash_completion.d/skaffold`
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Check a running service against the service contract, driven by its manifest.
    ///
    /// Every check has an id and a one-line description; a failure shows the request and the
    /// response that revealed it. Exits 1 when any check fails. The suite creates rows, so point
    /// it at a test deployment.
    ///
    /// Example:
    ///
    ///     skaffold conform --url http://127.0.0.1:8080 --manifest payments.yaml --jwt-secret dev-secret
    #[command(verbatim_doc_comment)]
    Conform(ConformArgs),
    /// Print an HS256 token a service rendered from the manifest accepts, for local development.
    ///
    /// The token carries the manifest's issuer and audience, the given scopes (every scope of the
    /// service when none is given) and lasts an hour.
    ///
    /// Example:
    ///
    ///     curl -H "Authorization: Bearer $(skaffold token payments.yaml --secret dev-secret)" localhost:8080/v1/payments
    #[command(verbatim_doc_comment)]
    Token(TokenArgs),
    /// Work with template trees (to start or maintain a fork of a stack).
    #[command(subcommand)]
    Templates(TemplatesCommand),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The manifest to render.
    pub manifest: PathBuf,
    /// The stack to render (overrides the manifest's `stack`).
    #[arg(long, short)]
    pub stack: Option<String>,
    /// Output directory [default: ./<service name>].
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Override a manifest value before validation, as `key.path=value` (the value is YAML).
    /// May be repeated.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Show what would be written (path, size, create/overwrite/unchanged) and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the plan or the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Write into a non-empty directory, replacing only files skaffold wrote before.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub templates: TemplatesSource,
}

#[derive(Debug, Args)]
pub struct TemplatesSource {
    /// Render from a template tree on disk (one folder per stack) instead of the built-in one.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The service name (lowercase letters, digits and dashes).
    #[arg(long)]
    pub name: Option<String>,
    /// The stack the manifest names.
    #[arg(long)]
    pub stack: Option<String>,
    /// Never ask; take flags and defaults.
    #[arg(long, short)]
    pub yes: bool,
    /// Directory to write the manifest into.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The manifest to check.
    pub manifest: PathBuf,
    /// How to report problems.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub templates: TemplatesSource,
}

#[derive(Debug, Args)]
pub struct ConformArgs {
    /// The service's base URL.
    #[arg(long, required_unless_present = "list")]
    pub url: Option<String>,
    /// List the checks this manifest gets, with their descriptions, and run none.
    #[arg(long)]
    pub list: bool,
    /// The manifest the service was rendered from.
    #[arg(long)]
    pub manifest: PathBuf,
    /// The HS256 secret the service verifies tokens with (its AUTH_JWT_SECRET).
    #[arg(long, value_name = "SECRET", conflicts_with = "jwks_listen")]
    pub jwt_secret: Option<String>,
    /// Serve the suite's own ES256 and RS256 keys as a JWKS here instead, and sign with them (point
    /// the service's AUTH_JWKS_URL at it); loopback only. Adds the `auth.jwks.*` checks.
    #[arg(long, value_name = "ADDR")]
    pub jwks_listen: Option<std::net::SocketAddr>,
    /// An inbound webhook's signing secret, as NAME=whsec_...; repeatable.
    #[arg(long = "webhook-secret", value_name = "NAME=SECRET")]
    pub webhook_secrets: Vec<String>,
    /// Listen here for the service's outbound events (its EVENTS_WEBHOOK_URL); loopback only.
    #[arg(long, value_name = "ADDR")]
    pub events_listen: Option<std::net::SocketAddr>,
    /// The service's EVENTS_WEBHOOK_SECRET, to verify event signatures.
    #[arg(long, value_name = "SECRET")]
    pub events_secret: Option<String>,
    /// Run only the checks whose id starts with this (such as `errors.` or `crud.payments`); repeatable.
    #[arg(long, value_name = "PREFIX")]
    pub only: Vec<String>,
    /// How to report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The manifest the service was rendered from.
    pub manifest: PathBuf,
    /// The service's AUTH_JWT_SECRET.
    #[arg(long)]
    pub secret: String,
    /// The token's subject (the audit trail's actor).
    #[arg(long, default_value = "developer")]
    pub subject: String,
    /// A scope such as `payments:read`; repeatable. Default: every scope of the service.
    #[arg(long = "scope")]
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One line per check, failures with their exchange.
    Text,
    /// Every result as JSON.
    Json,
    /// JUnit XML, for CI test reports.
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Compiler-style text with carets.
    Text,
    /// A JSON array of problems (file, line, column, message, hint).
    Json,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Write a built-in stack's template tree to a directory, to start a fork.
    ///
    /// Render from the fork with `skaffold new --templates <parent of DIR>`.
    Export {
        /// The stack to export.
        stack: String,
        /// Where to write it (must not exist, or be empty).
        dir: PathBuf,
    },
}
