//! `skaffold conform`: run the contract's checks against a running service.

use std::collections::BTreeMap;
use std::process::ExitCode;

use crate::cli::{ConformArgs, ReportFormat, TokenArgs};
use crate::conform::{self, report};
use crate::error::CliError;
use crate::templates::Source;

pub fn run(args: &ConformArgs) -> Result<ExitCode, CliError> {
    let (_, service) = super::load_service(&args.manifest, &[], &Source::Embedded)?;
    let mut webhook_secrets = BTreeMap::new();
    for pair in &args.webhook_secrets {
        let (name, secret) =
            pair.split_once('=').ok_or_else(|| CliError::usage(format!("--webhook-secret `{pair}` is not NAME=SECRET")))?;
        webhook_secrets.insert(name.to_owned(), secret.to_owned());
    }
    if args.list {
        print!("{}", report::list(&service));
        return Ok(ExitCode::SUCCESS);
    }
    let config = conform::Config {
        base_url: args.url.clone().unwrap_or_default(),
        openapi_json: crate::artifacts::openapi::to_json(&service),
        service,
        jwt_secret: args.jwt_secret.clone(),
        jwks_listen: args.jwks_listen,
        webhook_secrets,
        events_listen: args.events_listen,
        events_secret: args.events_secret.clone(),
        only: args.only.clone(),
    };
    let report = conform::run(&config).map_err(CliError::usage)?;
    print!(
        "{}",
        match args.format {
            ReportFormat::Text => report::text(&report),
            ReportFormat::Json => report::json(&report),
            ReportFormat::Junit => report::junit(&report),
        }
    );
    Ok(if report.failed() == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `skaffold token`: a development token for a service rendered from the manifest.
pub fn token(args: &TokenArgs) -> Result<ExitCode, CliError> {
    let (_, service) = super::load_service(&args.manifest, &[], &Source::Embedded)?;
    let crate::model::Auth::Jwt { issuer, audience } = &service.auth else {
        return Err(CliError::usage(format!("{} has `auth: none`: its service takes no tokens", args.manifest.display())));
    };
    let scopes = if args.scopes.is_empty() { conform::all_scopes(&service) } else { args.scopes.clone() };
    println!(
        "{}",
        conform::jwt::sign(args.secret.as_bytes(), &conform::jwt::claims(issuer, audience, &args.subject, &scopes, conform::unix_now()))
    );
    Ok(ExitCode::SUCCESS)
}
