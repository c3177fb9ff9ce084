//! The typed IR: what templates read to write each stack's plain code for a rule.
//!
//! Every node is an object with a `kind` and its result `type`; decimal nodes also carry their
//! `scale`, and nodes that may be null at run time say so with `nullable`. Everything a template
//! would otherwise have to work out (operand types, integer-to-decimal promotion, `== null`) is
//! explicit, so each stack lowers node by node without looking around.

use serde::Serialize;

/// The type of a value in a rule.
///
/// string, text, enum, uuid and ref fields are all `string`: they compare as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Type {
    Integer,
    Decimal,
    String,
    Boolean,
    Date,
    Timestamp,
    Json,
    /// The type of the `null` literal.
    Null,
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::Integer => "integer",
            Type::Decimal => "decimal",
            Type::String => "string",
            Type::Boolean => "boolean",
            Type::Date => "date",
            Type::Timestamp => "timestamp",
            Type::Json => "json",
            Type::Null => "null",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    #[serde(flatten)]
    pub op: Op,
    #[serde(rename = "type")]
    pub ty: Type,
    /// Digits after the point, for decimal nodes: a literal's as written, a field's declared
    /// scale, the larger of a sum's operands, the total of a product's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// Whether the value may be null at run time (an optional field, or a value computed from one).
    pub nullable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    /// Integer division, truncating toward zero (not Python's floor); by zero is a rule error.
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Op {
    Integer {
        value: i64,
    },
    /// Canonical text, such as `"1000.00"`.
    Decimal {
        value: String,
    },
    String {
        value: String,
    },
    Boolean {
        value: bool,
    },
    Null,
    /// A field of the row being created or updated.
    Field {
        field: String,
    },
    /// A field of the row a ref of the candidate points to: `refs` lists the rows to load.
    RefField {
        /// The candidate's ref field, such as `customer_id`.
        via: String,
        resource: String,
        field: String,
    },
    /// Rows of `table` whose `group_field` equals the candidate's, created in the last window.
    Count {
        /// Position in the rule's `counts`, so generated code names the result once.
        index: usize,
        resource: String,
        table: String,
        group_field: String,
        window_ms: u64,
    },
    /// Unicode characters (not bytes, not UTF-16 units) of a string.
    Len {
        arg: Box<Node>,
    },
    /// Unicode lowercase of a string.
    Lower {
        arg: Box<Node>,
    },
    /// An integer used where a decimal is expected.
    ToDecimal {
        arg: Box<Node>,
    },
    Neg {
        arg: Box<Node>,
    },
    Arith {
        op: ArithOp,
        /// `integer` (exact 64-bit, overflow is a rule error) or `decimal`.
        operand: Type,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    /// False whenever either side is null.
    Compare {
        op: CmpOp,
        operand: Type,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    /// `x in [..]`; with `negated`, `x not in [..]`. False when `x` is null, either way.
    In {
        negated: bool,
        operand: Type,
        arg: Box<Node>,
        list: Vec<Node>,
    },
    /// `x == null`.
    IsNull {
        arg: Box<Node>,
    },
    /// `x != null`.
    IsNotNull {
        arg: Box<Node>,
    },
    Not {
        arg: Box<Node>,
    },
    /// Evaluated left to right, stopping at the first false.
    And {
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    /// Evaluated left to right, stopping at the first true.
    Or {
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
}

/// A row a rule reads through one of the candidate's refs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefHop {
    /// The candidate's ref field holding the row's id.
    pub via: String,
    pub resource: String,
    pub table: String,
    /// The fields the rule reads from that row, in first-use order.
    pub fields: Vec<String>,
    /// Whether the ref field is optional, so the row may be absent.
    pub nullable: bool,
}

/// A `count(...)` a rule needs, run inside the write transaction before the rule is evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountCall {
    pub index: usize,
    pub resource: String,
    pub table: String,
    /// Compared with the candidate's value of the same field; a null value counts nothing.
    pub group_field: String,
    pub window_ms: u64,
}

impl Node {
    pub(crate) fn new(op: Op, ty: Type, nullable: bool) -> Node {
        Node { op, ty, scale: None, nullable }
    }

    pub(crate) fn with_scale(mut self, scale: Option<u32>) -> Node {
        self.scale = scale;
        self
    }

    /// The node and all nodes below it, parents first.
    pub fn walk(&self) -> Vec<&Node> {
        let mut out = vec![self];
        let mut i = 0;
        while i < out.len() {
            let node = out[i];
            match &node.op {
                Op::Len { arg } | Op::Lower { arg } | Op::ToDecimal { arg } | Op::Neg { arg } | Op::Not { arg } => out.push(arg),
                Op::IsNull { arg } | Op::IsNotNull { arg } => out.push(arg),
                Op::Arith { lhs, rhs, .. } | Op::Compare { lhs, rhs, .. } | Op::And { lhs, rhs } | Op::Or { lhs, rhs } => {
                    out.push(lhs);
                    out.push(rhs);
                }
                Op::In { arg, list, .. } => {
                    out.push(arg);
                    out.extend(list);
                }
                _ => {}
            }
            i += 1;
        }
        out
    }
}
