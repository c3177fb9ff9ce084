//! The syntax tree of an expression, as written, with byte ranges for error messages.

use std::fmt;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Range<usize>,
}

/// A name with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    Int(i64),
    /// As written, such as `1000.00`; the checker gives it its canonical form.
    Decimal(String),
    Str(String),
    /// A window such as `1h`, kept as written; only `count` accepts one.
    Duration(String),
    Bool(bool),
    Null,
    /// `field` or `ref.field`: one or two segments.
    Path(Vec<Ident>),
    Call {
        name: Ident,
        args: Vec<Expr>,
    },
    List(Vec<Expr>),
    Unary {
        op: UnaryOp,
        arg: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Or => "or",
            Self::And => "and",
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::In => "in",
            Self::NotIn => "not in",
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, Self::Eq | Self::Ne | Self::Lt | Self::Le | Self::Gt | Self::Ge | Self::In | Self::NotIn)
    }
}

impl Expr {
    /// The same tree with every span emptied, to compare trees parsed from different texts.
    pub fn without_spans(&self) -> Expr {
        let strip_ident = |i: &Ident| Ident { name: i.name.clone(), span: 0..0 };
        let kind = match &self.kind {
            ExprKind::Path(segments) => ExprKind::Path(segments.iter().map(strip_ident).collect()),
            ExprKind::Call { name, args } => {
                ExprKind::Call { name: strip_ident(name), args: args.iter().map(Expr::without_spans).collect() }
            }
            ExprKind::List(items) => ExprKind::List(items.iter().map(Expr::without_spans).collect()),
            ExprKind::Unary { op, arg } => ExprKind::Unary { op: *op, arg: Box::new(arg.without_spans()) },
            ExprKind::Binary { op, lhs, rhs } => {
                ExprKind::Binary { op: *op, lhs: Box::new(lhs.without_spans()), rhs: Box::new(rhs.without_spans()) }
            }
            other => other.clone(),
        };
        Expr { kind, span: 0..0 }
    }
}

/// Prints the expression fully parenthesized, so that re-parsing the text gives the same tree.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Int(i) => write!(f, "{i}"),
            ExprKind::Decimal(d) | ExprKind::Duration(d) => f.write_str(d),
            ExprKind::Str(s) => write!(f, "\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Null => f.write_str("null"),
            ExprKind::Path(segments) => {
                let names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
                f.write_str(&names.join("."))
            }
            ExprKind::Call { name, args } => {
                write!(f, "{}(", name.name)?;
                comma_separated(f, args)?;
                f.write_str(")")
            }
            ExprKind::List(items) => {
                f.write_str("[")?;
                comma_separated(f, items)?;
                f.write_str("]")
            }
            ExprKind::Unary { op: UnaryOp::Neg, arg } => write!(f, "(-{arg})"),
            ExprKind::Unary { op: UnaryOp::Not, arg } => write!(f, "(not {arg})"),
            ExprKind::Binary { op, lhs, rhs } => write!(f, "({lhs} {} {rhs})", op.symbol()),
        }
    }
}

fn comma_separated(f: &mut fmt::Formatter<'_>, items: &[Expr]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}
