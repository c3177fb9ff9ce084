//! A YAML document as a tree of nodes that remember where they came from.
//!
//! The manifest is parsed into this tree first (with `saphyr-parser`, a YAML 1.2 parser), and the
//! typed model is then deserialized from the tree by [`de`]. Keeping our own tree gives three things
//! a direct deserializer does not: every node has a span for semantic errors found later, duplicate
//! keys are rejected with both locations, and hostile input is bounded (size, depth, alias
//! expansion) before any typed work starts.

pub mod de;

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Pos, Span};

/// Bounds that keep a hostile or accidental input from exhausting memory or the stack.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_depth: usize,
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_bytes: 1024 * 1024, max_depth: 64, max_nodes: 200_000 }
    }
}

/// How a scalar was written. Only plain scalars are resolved to null, booleans and numbers;
/// anything quoted or in block style is a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ScalarKind {
    Plain,
    Quoted,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Scalar { value: String, kind: ScalarKind },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// What a plain scalar means under the YAML 1.2 core schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

impl Node {
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar { .. } => match self.resolve() {
                Some(Resolved::Null) => "null",
                Some(Resolved::Bool(_)) => "a boolean",
                Some(Resolved::Int(_)) => "an integer",
                Some(Resolved::Float(_)) => "a number",
                _ => "a string",
            },
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// Resolves a scalar per the YAML 1.2 core schema; `None` for collections.
    pub fn resolve(&self) -> Option<Resolved<'_>> {
        let NodeKind::Scalar { value, kind } = &self.kind else {
            return None;
        };
        if *kind == ScalarKind::Quoted {
            return Some(Resolved::Str(value));
        }
        Some(resolve_plain(value))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Looks up a key in a mapping node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// The tree as JSON, scalars resolved per the YAML 1.2 core schema: what a JSON Schema of the
/// manifest is checked against.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match &node.kind {
        NodeKind::Scalar { value, .. } => match node.resolve() {
            Some(Resolved::Null) => Value::Null,
            Some(Resolved::Bool(b)) => Value::Bool(b),
            Some(Resolved::Int(i)) => Value::from(i),
            Some(Resolved::Float(f)) => serde_json::Number::from_f64(f).map_or_else(|| Value::String(value.clone()), Value::Number),
            _ => Value::String(value.clone()),
        },
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => {
            Value::Object(entries.iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), to_json(v))).collect())
        }
    }
}

fn resolve_plain(value: &str) -> Resolved<'_> {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        _ => {}
    }
    if let Some(i) = parse_int(value) {
        return Resolved::Int(i);
    }
    if is_float(value)
        && let Ok(f) = value.parse::<f64>()
    {
        return Resolved::Float(f);
    }
    Resolved::Str(value)
}

fn parse_int(value: &str) -> Option<i64> {
    let (digits, radix) = if let Some(hex) = value.strip_prefix("0x") {
        (hex, 16)
    } else if let Some(oct) = value.strip_prefix("0o") {
        (oct, 8)
    } else {
        let unsigned = value.strip_prefix(['-', '+']).unwrap_or(value);
        if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return value.parse().ok();
    };
    if digits.is_empty() {
        return None;
    }
    i64::from_str_radix(digits, radix).ok()
}

fn is_float(value: &str) -> bool {
    let body = value.strip_prefix(['-', '+']).unwrap_or(value);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => (!int.is_empty() || !frac.is_empty()) && digits(int) && digits(frac),
        None => !mantissa.is_empty() && digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Parses one YAML document into a [`Node`] tree; the first problem of any kind is the error.
pub fn parse(src: &str, limits: Limits) -> Result<Node, Diagnostic> {
    let (node, mut problems) = parse_reporting(src, limits)?;
    if problems.is_empty() { Ok(node) } else { Err(problems.swap_remove(0)) }
}

/// Parses one YAML document, going on past problems that leave a usable tree (a duplicate key
/// keeps its first value): those come back beside the tree so they are reported with the rest.
pub fn parse_reporting(src: &str, limits: Limits) -> Result<(Node, Vec<Diagnostic>), Diagnostic> {
    if src.len() > limits.max_bytes {
        return Err(Diagnostic::error(format!("the manifest is {} bytes; the limit is {} bytes", src.len(), limits.max_bytes)));
    }
    let mut builder = TreeBuilder { src, limits, nodes: 0, anchors: HashMap::new(), stack: Vec::new(), root: None, problems: Vec::new() };
    for item in Parser::new_from_str(src) {
        let (event, span) = item.map_err(|e| {
            let mark = e.marker();
            let pos = Pos { line: mark.line(), col: mark.col() + 1, offset: mark.index() };
            Diagnostic::error(format!("invalid YAML: {}", e.info())).with_span(Span { start: pos, end: pos })
        })?;
        let span = Span { start: pos_of(span.start), end: pos_of(span.end) };
        builder.event(event, span)?;
    }
    let root = builder.root.ok_or_else(|| Diagnostic::error("the manifest is empty").with_hint("start from `skaffold init`"))?;
    Ok((root, builder.problems))
}

fn pos_of(m: saphyr_parser::Marker) -> Pos {
    Pos { line: m.line(), col: m.col() + 1, offset: m.index() }
}

enum Open {
    Seq {
        items: Vec<Node>,
        start: Span,
        anchor: usize,
    },
    /// `dropping` is set while the value of a duplicate key is read: it is reported, not kept.
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        dropping: bool,
        start: Span,
        anchor: usize,
    },
}

struct TreeBuilder<'s> {
    src: &'s str,
    limits: Limits,
    nodes: usize,
    anchors: HashMap<usize, Node>,
    stack: Vec<Open>,
    root: Option<Node>,
    /// Problems that do not stop the parse (duplicate keys), reported with everything found later.
    problems: Vec<Diagnostic>,
}

impl TreeBuilder<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Diagnostic> {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
            Event::DocumentStart(_) => {
                if self.root.is_some() {
                    return Err(Diagnostic::error("a manifest holds exactly one YAML document")
                        .with_span(span)
                        .with_hint("remove the `---` separator and everything after it"));
                }
                Ok(())
            }
            Event::Scalar(value, style, anchor, tag) => {
                reject_tag(tag.as_deref().map(|t| format!("{}{}", t.handle, t.suffix)), span)?;
                let kind = if style == ScalarStyle::Plain { ScalarKind::Plain } else { ScalarKind::Quoted };
                let span = self.scalar_span(span, &value);
                let node = Node { kind: NodeKind::Scalar { value: value.into_owned(), kind }, span };
                self.finish(node, anchor)
            }
            Event::SequenceStart(anchor, tag) => {
                reject_tag(tag.as_deref().map(|t| format!("{}{}", t.handle, t.suffix)), span)?;
                self.open(Open::Seq { items: Vec::new(), start: span, anchor }, span)
            }
            Event::MappingStart(anchor, tag) => {
                reject_tag(tag.as_deref().map(|t| format!("{}{}", t.handle, t.suffix)), span)?;
                self.open(Open::Map { entries: Vec::new(), key: None, dropping: false, start: span, anchor }, span)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.stack.pop() else {
                    return Err(Diagnostic::error("invalid YAML: unbalanced collection").with_span(span));
                };
                let (kind, start, anchor) = match open {
                    Open::Seq { items, start, anchor } => (NodeKind::Seq(items), start, anchor),
                    Open::Map { entries, start, anchor, .. } => (NodeKind::Map(entries), start, anchor),
                };
                let node = Node { kind, span: Span { start: start.start, end: span.end.max_by_offset(start.end) } };
                self.finish(node, anchor)
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id).cloned() else {
                    return Err(Diagnostic::error("alias to an unknown anchor").with_span(span));
                };
                let size = count_nodes(&target);
                self.count(size, span)?;
                self.finish(Node { span, ..target }, 0)
            }
        }
    }

    /// The parser's span of a plain scalar can run past its text; clip it so the caret sits under
    /// exactly what was written.
    fn scalar_span(&self, span: Span, value: &str) -> Span {
        let written: String = self.src.chars().skip(span.start.offset).take(span.end.offset - span.start.offset).collect();
        let trimmed = written.trim_end();
        if trimmed.is_empty() && !value.is_empty() {
            return span;
        }
        let len = trimmed.chars().count();
        if written.contains('\n') && !trimmed.contains('\n') {
            return Span {
                start: span.start,
                end: Pos { line: span.start.line, col: span.start.col + len, offset: span.start.offset + len },
            };
        }
        if trimmed.contains('\n') {
            return span;
        }
        Span { start: span.start, end: Pos { line: span.start.line, col: span.start.col + len, offset: span.start.offset + len } }
    }

    fn open(&mut self, open: Open, span: Span) -> Result<(), Diagnostic> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(Diagnostic::error(format!("the manifest nests deeper than {} levels", self.limits.max_depth)).with_span(span));
        }
        self.stack.push(open);
        Ok(())
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), Diagnostic> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err(Diagnostic::error(format!("the manifest expands to more than {} YAML nodes", self.limits.max_nodes))
                .with_span(span)
                .with_hint("aliases that repeat large anchors multiply the document's size"));
        }
        Ok(())
    }

    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), Diagnostic> {
        self.count(1, node.span)?;
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Open::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Open::Map { entries, key, dropping, .. }) => match key.take() {
                None => {
                    let NodeKind::Scalar { value, .. } = &node.kind else {
                        return Err(Diagnostic::error("mapping keys must be plain strings").with_span(node.span));
                    };
                    if let Some((first, _)) = entries.iter().find(|(k, _)| k.as_str() == Some(value)) {
                        self.problems.push(Diagnostic::error(format!("duplicate key `{value}`")).with_span(node.span).with_hint(format!(
                            "`{value}` is already defined at line {}, column {}",
                            first.span.start.line, first.span.start.col
                        )));
                        *dropping = true;
                    }
                    *key = Some(node);
                    Ok(())
                }
                Some(_) if *dropping => {
                    *dropping = false;
                    Ok(())
                }
                Some(k) => {
                    entries.push((k, node));
                    Ok(())
                }
            },
        }
    }
}

impl Pos {
    fn max_by_offset(self, other: Pos) -> Pos {
        if self.offset >= other.offset { self } else { other }
    }
}

fn reject_tag(tag: Option<String>, span: Span) -> Result<(), Diagnostic> {
    match tag {
        None => Ok(()),
        Some(tag) => Err(Diagnostic::error(format!("YAML tags such as `{tag}` are not supported in a manifest"))
            .with_span(span)
            .with_hint("write the value without a tag; quote it if it must be a string")),
    }
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.kind {
        NodeKind::Scalar { .. } => 0,
        NodeKind::Seq(items) => items.iter().map(count_nodes).sum(),
        NodeKind::Map(entries) => entries.iter().map(|(k, v)| count_nodes(k) + count_nodes(v)).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(src: &str) -> Node {
        parse(src, Limits::default()).expect("valid yaml")
    }

    #[test]
    fn resolves_plain_scalars_by_the_core_schema() {
        let node = tree("a: 12\nb: '12'\nc: true\nd: ~\ne: 1.5\nf: 0x1F\ng: yes\n");
        assert_eq!(node.get("a").and_then(Node::resolve), Some(Resolved::Int(12)));
        assert_eq!(node.get("b").and_then(Node::resolve), Some(Resolved::Str("12")));
        assert_eq!(node.get("c").and_then(Node::resolve), Some(Resolved::Bool(true)));
        assert_eq!(node.get("d").and_then(Node::resolve), Some(Resolved::Null));
        assert_eq!(node.get("e").and_then(Node::resolve), Some(Resolved::Float(1.5)));
        assert_eq!(node.get("f").and_then(Node::resolve), Some(Resolved::Int(31)));
        // YAML 1.2 has no `yes` boolean.
        assert_eq!(node.get("g").and_then(Node::resolve), Some(Resolved::Str("yes")));
    }

    #[test]
    fn rejects_duplicate_keys_naming_the_first() {
        let err = parse("a: 1\nb: 2\na: 3\n", Limits::default()).unwrap_err();
        assert_eq!(err.message, "duplicate key `a`");
        let span = err.span.expect("span");
        assert_eq!((span.start.line, span.start.col), (3, 1));
        assert!(err.hint.unwrap().contains("line 1, column 1"));
    }

    #[test]
    fn spans_point_at_the_written_scalar() {
        let node = tree("name: payments   # comment\n");
        let span = node.get("name").unwrap().span;
        assert_eq!((span.start.line, span.start.col, span.end.col), (1, 7, 15));
    }

    #[test]
    fn bounds_depth_and_alias_expansion() {
        let deep = "a: ".to_owned() + &"[".repeat(100) + &"]".repeat(100);
        assert!(parse(&deep, Limits::default()).unwrap_err().message.contains("deeper"));
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 { "a".to_owned() } else { format!("l{}", i - 1) };
            bomb.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(parse(&bomb, Limits::default()).unwrap_err().message.contains("more than"));
    }

    #[test]
    fn rejects_several_documents_and_tags() {
        assert!(parse("a: 1\n---\nb: 2\n", Limits::default()).unwrap_err().message.contains("one YAML document"));
        assert!(parse("a: !!binary aGk=\n", Limits::default()).unwrap_err().message.contains("tags"));
    }
}
