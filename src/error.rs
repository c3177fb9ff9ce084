//! The one place errors become text and exit codes: `error:`, `caused by:`, `hint:`.
//!
//! Exit codes: 0 success, 1 failure, 2 invalid usage or invalid manifest.

use std::fmt::Write as _;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The command could not do its work (I/O, a broken template, a conflict).
    Failure,
    /// The user asked for something that cannot be: an unknown stack, a bad flag value.
    Usage,
    /// The manifest is invalid; its diagnostics were already printed.
    InvalidManifest,
}

#[derive(Debug)]
pub struct CliError {
    pub kind: Kind,
    pub message: String,
    pub causes: Vec<String>,
    pub hint: Option<String>,
}

impl CliError {
    pub fn failure(message: impl Into<String>) -> Self {
        Self { kind: Kind::Failure, message: message.into(), causes: Vec::new(), hint: None }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self { kind: Kind::Usage, ..Self::failure(message) }
    }

    /// The manifest's problems are already on stderr; this only sets the exit code.
    pub fn invalid_manifest() -> Self {
        Self { kind: Kind::InvalidManifest, ..Self::failure("") }
    }

    pub fn caused_by(mut self, cause: impl std::fmt::Display) -> Self {
        self.causes.push(cause.to_string());
        self
    }

    /// Adds the error and its whole source chain as causes.
    pub fn caused_by_chain(mut self, err: &(dyn std::error::Error + 'static)) -> Self {
        let mut next = Some(err);
        while let Some(e) = next {
            self.causes.push(e.to_string());
            next = e.source();
        }
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn render(&self) -> String {
        if self.kind == Kind::InvalidManifest {
            return String::new();
        }
        let mut out = format!("error: {}\n", self.message);
        for cause in &self.causes {
            for (i, line) in cause.lines().enumerate() {
                let lead = if i == 0 { "  caused by: " } else { "             " };
                let _ = writeln!(out, "{lead}{line}");
            }
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "  hint: {hint}");
        }
        out
    }

    pub fn exit_code(&self) -> ExitCode {
        match self.kind {
            Kind::Failure => ExitCode::from(1),
            Kind::Usage | Kind::InvalidManifest => ExitCode::from(2),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::failure(e.to_string())
    }
}
