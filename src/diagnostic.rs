//! Problems found in a manifest, and how they are shown: `file:line:col`, the source line, a caret
//! under the span, and a hint. Every check in the loader produces a [`Diagnostic`]; only
//! [`render_text`] and [`render_json`] know how they look.

use std::fmt::Write as _;

use serde::Serialize;

/// A position in the source: 1-based line and column (in characters), 0-based character offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
    pub offset: usize,
}

/// A half-open range of the source, `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    /// A sub-span of a single-line span, `from..to` counted in characters from its start.
    pub fn sub(self, from: usize, to: usize) -> Span {
        let at = |n: usize| Pos { line: self.start.line, col: self.start.col + n, offset: self.start.offset + n };
        Span { start: at(from), end: at(to.max(from)) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, message: message.into(), span: None, hint: None }
    }

    pub fn with_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_hint_opt(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }
}

/// Suggests the closest of `candidates` to a misspelled `word`, if one is close enough.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Renders diagnostics the way a compiler does, one block per problem, in source order.
pub fn render_text(file: &str, src: &str, diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<&str> = src.split('\n').collect();
    let mut out = String::new();
    for d in diagnostics {
        let _ = writeln!(out, "error: {}", d.message);
        match d.span {
            Some(span) => render_snippet(&mut out, file, &lines, span),
            None => {
                let _ = writeln!(out, "  --> {file}");
            }
        }
        if let Some(hint) = &d.hint {
            let _ = writeln!(out, "  = hint: {hint}");
        }
        out.push('\n');
    }
    let n = diagnostics.len();
    let _ = writeln!(out, "{n} problem{} found in {file}", if n == 1 { "" } else { "s" });
    out
}

fn render_snippet(out: &mut String, file: &str, lines: &[&str], span: Span) {
    if span.start.line == 0 {
        let _ = writeln!(out, "  --> {file} (a value given with --set)");
        return;
    }
    let line_no = span.start.line;
    let gutter = line_no.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}--> {file}:{}:{}", line_no, span.start.col);
    let Some(text) = lines.get(line_no - 1) else {
        return;
    };
    let text = text.trim_end_matches('\r');
    let width = text.chars().count();
    let start = span.start.col.saturating_sub(1).min(width);
    let end = if span.end.line == span.start.line { span.end.col.saturating_sub(1) } else { width };
    let carets = end.saturating_sub(start).max(1);
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line_no} | {text}");
    let _ = writeln!(out, "{pad} | {}{}", " ".repeat(start), "^".repeat(carets));
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    severity: &'a Severity,
    message: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    hint: Option<&'a str>,
}

/// Renders diagnostics as a JSON array, for CI annotations and editors.
pub fn render_json(file: &str, diagnostics: &[Diagnostic]) -> String {
    let items: Vec<JsonDiagnostic<'_>> = diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            file,
            severity: &d.severity,
            message: &d.message,
            line: d.span.map(|s| s.start.line),
            column: d.span.map(|s| s.start.col),
            end_line: d.span.map(|s| s.end.line),
            end_column: d.span.map(|s| s.end.col),
            hint: d.hint.as_deref(),
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned()) + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_sits_under_the_span() {
        let src = "name: payments\nstack: axm\n";
        let span = Span { start: Pos { line: 2, col: 8, offset: 22 }, end: Pos { line: 2, col: 11, offset: 25 } };
        let d = Diagnostic::error("unknown stack `axm`").with_span(span).with_hint("did you mean `axum`?");
        let text = render_text("m.yaml", src, &[d]);
        assert_eq!(
            text,
            "error: unknown stack `axm`\n --> m.yaml:2:8\n  |\n2 | stack: axm\n  |        ^^^\n  = hint: did you mean `axum`?\n\n1 problem found in m.yaml\n"
        );
    }

    #[test]
    fn suggests_only_close_words() {
        assert_eq!(did_you_mean("filtres", ["fields", "filters", "rules"]).as_deref(), Some("did you mean `filters`?"));
        assert_eq!(did_you_mean("zzz", ["fields", "filters"]), None);
    }
}
