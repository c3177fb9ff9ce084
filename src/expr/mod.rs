//! Rule expressions: lexer, parser, type checker, typed IR, and the reference evaluator that
//! produces the test vectors every stack replays.
//!
//! [`compile`] turns a rule's `when` into a [`CompiledRule`]: the IR root plus the ref rows and
//! counts it needs. Errors carry byte ranges into the expression; the manifest checker maps them
//! into the YAML source.

mod ast;
mod eval;
mod ir;
mod lexer;
mod parser;
mod typeck;
mod vectors;

#[cfg(test)]
mod tests;

use std::ops::Range;

use serde::Serialize;

pub use crate::decimal::Dec;
pub use ast::{BinaryOp, Expr, ExprKind, Ident, UnaryOp};
pub use eval::{EvalError, Input, Value, eval};
pub use ir::{ArithOp, CmpOp, CountCall, Node, Op, RefHop, Type};
pub use parser::{MAX_DEPTH, MAX_LENGTH, parse};
pub use vectors::{Expected, Vector, vectors};

use crate::model::Resource;

/// A problem in an expression, at a byte range of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub range: Range<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl ExprError {
    pub fn new(range: Range<usize>, message: impl Into<String>) -> Self {
        ExprError { range, message: message.into(), hint: None }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// A rule's `when`, checked and typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompiledRule {
    /// The root of the typed IR; always a non-null boolean.
    pub ir: Node,
    /// The rows the rule reads through refs, one per ref field.
    pub refs: Vec<RefHop>,
    /// The counts the rule needs, deduplicated; `count` nodes point here by index.
    pub counts: Vec<CountCall>,
}

/// Parses and type-checks `when` as a rule of `resource`, among all of the service's `resources`.
///
/// Parse errors stop at the first; type errors are all reported.
pub fn compile(when: &str, resource: &Resource, resources: &[Resource]) -> Result<CompiledRule, Vec<ExprError>> {
    let ast = parse(when).map_err(|e| vec![e])?;
    let mut checker = typeck::Checker::new(when, resource, resources);
    match checker.rule(&ast) {
        Some(ir) if checker.errors.is_empty() => Ok(CompiledRule { ir, refs: checker.refs, counts: checker.counts }),
        _ => {
            let mut errors = checker.errors;
            errors.sort_by_key(|e| e.range.start);
            Err(errors)
        }
    }
}
