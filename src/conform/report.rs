//! The report, as a person reads it (text), as a program does (JSON), and as CI systems do (JUnit).

use std::fmt::Write as _;

use super::{Report, Status};
use crate::model::Service;

pub fn text(report: &Report) -> String {
    let mut out = format!("skaffold conform: {} at {}\n\n", report.service, report.base_url);
    for r in &report.results {
        let (label, extra) = match &r.status {
            Status::Pass => ("pass", None),
            Status::NotApplicable { reason } => ("n/a ", Some(reason.clone())),
            Status::Fail { message, .. } => ("FAIL", Some(message.clone())),
        };
        let _ = writeln!(out, "{label}  {:<40} {}", r.id, r.description);
        if let Some(extra) = extra {
            let _ = writeln!(out, "      {extra}");
        }
        if let Status::Fail { exchange: Some(exchange), .. } = &r.status {
            for line in exchange.lines() {
                let _ = writeln!(out, "        {line}");
            }
        }
    }
    let count = |f: fn(&Status) -> bool| report.results.iter().filter(|r| f(&r.status)).count();
    let passed = count(|s| matches!(s, Status::Pass));
    let not_applicable = count(|s| matches!(s, Status::NotApplicable { .. }));
    let _ = writeln!(out, "\nconform: {passed} passed, {} failed, {not_applicable} not applicable", report.failed());
    out
}

pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default() + "\n"
}

pub fn junit(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let skipped = report.results.iter().filter(|r| matches!(r.status, Status::NotApplicable { .. })).count();
    let _ = writeln!(
        out,
        "<testsuite name=\"skaffold conform {}\" tests=\"{}\" failures=\"{}\" skipped=\"{skipped}\">",
        xml(&report.service),
        report.results.len(),
        report.failed()
    );
    for r in &report.results {
        #[allow(clippy::cast_precision_loss)]
        let seconds = r.millis as f64 / 1000.0;
        let _ = write!(out, "  <testcase classname=\"{}\" name=\"{}\" time=\"{seconds:.3}\"", xml(&r.group), xml(&r.id));
        match &r.status {
            Status::Pass => out.push_str("/>\n"),
            Status::NotApplicable { reason } => {
                let _ = writeln!(out, ">\n    <skipped message=\"{}\"/>\n  </testcase>", xml(reason));
            }
            Status::Fail { message, exchange } => {
                let _ = writeln!(
                    out,
                    ">\n    <failure message=\"{}\">{}</failure>\n  </testcase>",
                    xml(message),
                    xml(exchange.as_deref().unwrap_or_default())
                );
            }
        }
    }
    out.push_str("</testsuite>\n");
    out
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The checks a manifest gets, one line each, without running any.
pub fn list(service: &Service) -> String {
    let mut out = String::new();
    for check in super::checks::all(service) {
        match &check.applies {
            Ok(()) => {
                let _ = writeln!(out, "{:<40} {}", check.id, check.description);
            }
            Err(reason) => {
                let _ = writeln!(out, "{:<40} {} (n/a: {reason})", check.id, check.description);
            }
        }
    }
    out
}
