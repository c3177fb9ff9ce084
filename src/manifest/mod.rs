//! Loading a manifest: YAML text -> spanned tree -> typed manifest -> validated [`Service`].
//!
//! [`load`] reports every problem it finds, in source order; nothing downstream runs unless the
//! manifest is entirely valid.

pub mod check;
pub mod names;
pub mod pattern;
pub mod raw;
pub mod sample;
pub mod units;

use crate::diagnostic::{Diagnostic, Span};
use crate::model::Service;
use crate::yaml::{self, Limits, Node, NodeKind, ScalarKind};

pub use check::CheckContext;
pub(crate) use check::is_absolute_uri;

/// A `--set key.path=value` override, applied to the YAML tree before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub path: Vec<String>,
    pub value: String,
    /// As the user wrote it, for the lock file.
    pub text: String,
}

impl Override {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (key, value) = text.split_once('=').ok_or_else(|| format!("`{text}` is not `key.path=value`"))?;
        let path: Vec<String> = key.split('.').map(str::to_owned).collect();
        if path.iter().any(String::is_empty) {
            return Err(format!("`{key}` is not a key path such as `http.port`"));
        }
        Ok(Self { path, value: value.to_owned(), text: text.to_owned() })
    }

    fn apply(&self, root: &mut Node) -> Result<(), Diagnostic> {
        let mut value = yaml::parse(&self.value, Limits::default()).or_else(|_| {
            Ok::<_, Diagnostic>(Node {
                kind: NodeKind::Scalar { value: self.value.clone(), kind: ScalarKind::Quoted },
                span: Span::default(),
            })
        })?;
        forget_spans(&mut value);
        let mut node = root;
        for (i, key) in self.path.iter().enumerate() {
            let NodeKind::Map(entries) = &mut node.kind else {
                let at = self.path[..i].join(".");
                return Err(Diagnostic::error(format!("--set {}: `{at}` is not a mapping", self.text)));
            };
            let position = match entries.iter().position(|(k, _)| k.as_str() == Some(key)) {
                Some(p) => p,
                None => {
                    let key_node = Node { kind: NodeKind::Scalar { value: key.clone(), kind: ScalarKind::Plain }, span: Span::default() };
                    let empty = Node { kind: NodeKind::Map(Vec::new()), span: Span::default() };
                    entries.push((key_node, empty));
                    entries.len() - 1
                }
            };
            node = &mut entries[position].1;
        }
        *node = value;
        Ok(())
    }
}

/// Values from `--set` have no place in the file; line 0 tells the renderer so.
fn forget_spans(node: &mut Node) {
    node.span = Span::default();
    match &mut node.kind {
        NodeKind::Scalar { .. } => {}
        NodeKind::Seq(items) => items.iter_mut().for_each(forget_spans),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            forget_spans(k);
            forget_spans(v);
        }),
    }
}

/// Parses and validates a manifest's text.
pub fn load(src: &str, ctx: CheckContext<'_>) -> Result<Service, Vec<Diagnostic>> {
    load_with(src, &[], ctx)
}

/// Parses a manifest's text, applies overrides, and validates the result.
pub fn load_with(src: &str, overrides: &[Override], ctx: CheckContext<'_>) -> Result<Service, Vec<Diagnostic>> {
    let (mut tree, mut diagnostics) = yaml::parse_reporting(src, Limits::default()).map_err(|d| vec![d])?;
    for o in overrides {
        o.apply(&mut tree).map_err(|d| vec![d])?;
    }
    let (manifest, errors) = yaml::de::from_node::<raw::Manifest>(&tree);
    diagnostics.extend(errors.into_iter().map(|e| e.into_diagnostic()));
    let checked = manifest.map(|m| check::check(&m, ctx));
    match checked {
        Some(Ok(service)) if diagnostics.is_empty() => Ok(service),
        Some(Err(more)) => {
            diagnostics.extend(more);
            Err(sorted(diagnostics))
        }
        _ => Err(sorted(diagnostics)),
    }
}

/// Problems in source order, so the report reads top to bottom.
fn sorted(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by_key(|d| d.span.map(|s| s.start.offset));
    diagnostics
}

/// The JSON Schema of the manifest format, generated from [`raw::Manifest`].
pub fn json_schema() -> serde_json::Value {
    let settings = schemars::generate::SchemaSettings::draft2020_12();
    let schema = settings.into_generator().into_root_schema_for::<raw::Manifest>();
    serde_json::to_value(schema).unwrap_or_default()
}
