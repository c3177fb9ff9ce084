//! A recursive-descent parser for the grammar in MANIFEST.md ("Rule expressions").
//!
//! Hostile input is bounded twice: by length before lexing, and by nesting while parsing, so a
//! manifest can neither overflow the stack nor make validation slow.

use std::ops::Range;

use super::ExprError;
use super::ast::{BinaryOp, Expr, ExprKind, Ident, UnaryOp};
use super::lexer::{Tok, Token, lex};

/// Longest expression accepted, in bytes. Real rules are a line or two.
pub const MAX_LENGTH: usize = 1024;
/// Deepest tree accepted: every operator, call and list is one level.
pub const MAX_DEPTH: usize = 64;
/// Guards the recursion itself. A fully parenthesized print of a tree of depth [`MAX_DEPTH`] nests
/// a parenthesis and a prefix operator per level, so this is twice the tree limit.
const MAX_NESTING: usize = 2 * MAX_DEPTH + 2;

/// Parses one expression.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    if src.len() > MAX_LENGTH {
        return Err(
            ExprError::new(0..src.len(), format!("this expression is longer than {MAX_LENGTH} bytes")).hint("split it into several rules")
        );
    }
    if src.trim().is_empty() {
        return Err(ExprError::new(0..src.len(), "the expression is empty"));
    }
    let tokens = lex(src)?;
    let mut p = Parser { tokens, pos: 0, nesting: 0 };
    let expr = p.expr()?;
    let next = p.peek();
    if next.tok != Tok::Eof {
        let e = ExprError::new(next.span.clone(), format!("unexpected {} after a complete expression", next.tok));
        return Err(e.hint("combine conditions with `and` or `or`"));
    }
    if depth(&expr) > MAX_DEPTH {
        return Err(ExprError::new(expr.span.clone(), format!("this expression nests more than {MAX_DEPTH} levels deep"))
            .hint("split it into several rules"));
    }
    Ok(expr)
}

fn depth(e: &Expr) -> usize {
    let children = match &e.kind {
        ExprKind::Call { args, .. } | ExprKind::List(args) => args.iter().map(depth).max().unwrap_or(0),
        ExprKind::Unary { arg, .. } => depth(arg),
        ExprKind::Binary { lhs, rhs, .. } => depth(lhs).max(depth(rhs)),
        _ => 0,
    };
    children + 1
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    nesting: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        // `lex` always ends with Eof and the parser never moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)].tok
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.tok != Tok::Eof {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, tok: &Tok) -> Option<Token> {
        (self.peek().tok == *tok).then(|| self.bump())
    }

    fn enter(&mut self, at: Range<usize>) -> Result<(), ExprError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(ExprError::new(at, format!("this expression nests more than {MAX_DEPTH} levels deep")));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting -= 1;
    }

    fn expr(&mut self) -> Result<Expr, ExprError> {
        self.enter(self.peek().span.clone())?;
        let e = self.or();
        self.leave();
        e
    }

    fn binary_chain(
        &mut self,
        next: fn(&mut Self) -> Result<Expr, ExprError>,
        op_of: fn(&Tok) -> Option<BinaryOp>,
    ) -> Result<Expr, ExprError> {
        let mut lhs = next(self)?;
        while let Some(op) = op_of(&self.peek().tok) {
            self.bump();
            let rhs = next(self)?;
            lhs = binary(op, lhs, rhs);
        }
        Ok(lhs)
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        self.binary_chain(Self::and, |t| (*t == Tok::Or).then_some(BinaryOp::Or))
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        self.binary_chain(Self::not, |t| (*t == Tok::And).then_some(BinaryOp::And))
    }

    fn not(&mut self) -> Result<Expr, ExprError> {
        let Some(not) = self.eat(&Tok::Not) else {
            return self.cmp();
        };
        self.enter(not.span.clone())?;
        let arg = self.not();
        self.leave();
        let arg = arg?;
        Ok(Expr { span: not.span.start..arg.span.end, kind: ExprKind::Unary { op: UnaryOp::Not, arg: Box::new(arg) } })
    }

    fn cmp_op(&self) -> Option<(BinaryOp, usize)> {
        let op = match self.peek().tok {
            Tok::EqEq => BinaryOp::Eq,
            Tok::NotEq => BinaryOp::Ne,
            Tok::Lt => BinaryOp::Lt,
            Tok::Le => BinaryOp::Le,
            Tok::Gt => BinaryOp::Gt,
            Tok::Ge => BinaryOp::Ge,
            Tok::In => BinaryOp::In,
            Tok::Not if *self.peek_at(1) == Tok::In => return Some((BinaryOp::NotIn, 2)),
            _ => return None,
        };
        Some((op, 1))
    }

    fn cmp(&mut self) -> Result<Expr, ExprError> {
        let lhs = self.sum()?;
        let Some((op, width)) = self.cmp_op() else {
            return Ok(lhs);
        };
        for _ in 0..width {
            self.bump();
        }
        let rhs = self.sum()?;
        if let Some((second, _)) = self.cmp_op() {
            let at = self.peek().span.clone();
            return Err(ExprError::new(at, format!("comparisons do not chain: `{}` follows `{}`", second.symbol(), op.symbol()))
                .hint("compare twice and join with `and`, such as `a < b and b < c`"));
        }
        Ok(binary(op, lhs, rhs))
    }

    fn sum(&mut self) -> Result<Expr, ExprError> {
        self.binary_chain(Self::term, |t| match t {
            Tok::Plus => Some(BinaryOp::Add),
            Tok::Minus => Some(BinaryOp::Sub),
            _ => None,
        })
    }

    fn term(&mut self) -> Result<Expr, ExprError> {
        self.binary_chain(Self::unary, |t| match t {
            Tok::Star => Some(BinaryOp::Mul),
            Tok::Slash => Some(BinaryOp::Div),
            _ => None,
        })
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        let Some(minus) = self.eat(&Tok::Minus) else {
            return self.primary();
        };
        self.enter(minus.span.clone())?;
        let arg = self.unary();
        self.leave();
        let arg = arg?;
        Ok(Expr { span: minus.span.start..arg.span.end, kind: ExprKind::Unary { op: UnaryOp::Neg, arg: Box::new(arg) } })
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let t = self.bump();
        let kind = match t.tok {
            Tok::Int(i) => ExprKind::Int(i),
            Tok::Decimal(d) => ExprKind::Decimal(d),
            Tok::Str(s) => ExprKind::Str(s),
            Tok::Duration(d) => ExprKind::Duration(d),
            Tok::True => ExprKind::Bool(true),
            Tok::False => ExprKind::Bool(false),
            Tok::Null => ExprKind::Null,
            Tok::LParen => {
                let inner = self.expr()?;
                self.close(&t, Tok::RParen)?;
                // The parentheses only group: the tree keeps the inner node, with its own span.
                return Ok(inner);
            }
            Tok::LBracket => {
                let mut items = vec![self.expr()?];
                while self.eat(&Tok::Comma).is_some() {
                    items.push(self.expr()?);
                }
                let end = self.close(&t, Tok::RBracket)?;
                return Ok(Expr { kind: ExprKind::List(items), span: t.span.start..end });
            }
            Tok::Ident(name) => return self.path_or_call(Ident { name, span: t.span }),
            other => return Err(self.expected_expression(&other, t.span)),
        };
        Ok(Expr { kind, span: t.span })
    }

    fn expected_expression(&self, found: &Tok, at: Range<usize>) -> ExprError {
        // `bump` does not move past Eof, so where `found` sits depends on what it is.
        let index = if *found == Tok::Eof { self.pos } else { self.pos - 1 };
        let message = match index.checked_sub(1).map(|i| &self.tokens[i].tok) {
            Some(prev) => format!("expected an expression after {prev}, found {found}"),
            None => format!("expected an expression, found {found}"),
        };
        ExprError::new(at, message)
    }

    /// Expects the closing bracket of `open`; returns the end offset of the closing token.
    fn close(&mut self, open: &Token, close: Tok) -> Result<usize, ExprError> {
        if let Some(t) = self.eat(&close) {
            return Ok(t.span.end);
        }
        let next = self.peek();
        if next.tok == Tok::Eof {
            return Err(ExprError::new(open.span.clone(), format!("unclosed {}", open.tok)).hint(format!("add {close}")));
        }
        let message = match (&open.tok, &next.tok) {
            (Tok::LBracket, _) => format!("expected `,` or `]` in the list, found {}", next.tok),
            _ => format!("expected {close} or an operator, found {}", next.tok),
        };
        Err(ExprError::new(next.span.clone(), message))
    }

    fn path_or_call(&mut self, first: Ident) -> Result<Expr, ExprError> {
        if let Some(open) = self.eat(&Tok::LParen) {
            self.enter(open.span.clone())?;
            let args = self.call_args(&open);
            self.leave();
            let (args, end) = args?;
            return Ok(Expr { span: first.span.start..end, kind: ExprKind::Call { name: first, args } });
        }
        let mut segments = vec![first];
        while let Some(dot) = self.eat(&Tok::Dot) {
            let next = self.bump();
            let Tok::Ident(name) = next.tok else {
                return Err(ExprError::new(next.span, format!("expected a field name after `.`, found {}", next.tok)));
            };
            if segments.len() == 2 {
                let e = ExprError::new(dot.span.start..next.span.end, "a path follows at most one ref");
                return Err(e.hint("rules read the row's own fields and the fields of the rows its refs point to"));
            }
            segments.push(Ident { name, span: next.span });
        }
        let span = segments[0].span.start..segments[segments.len() - 1].span.end;
        Ok(Expr { kind: ExprKind::Path(segments), span })
    }

    fn call_args(&mut self, open: &Token) -> Result<(Vec<Expr>, usize), ExprError> {
        let mut args = Vec::new();
        if let Some(close) = self.eat(&Tok::RParen) {
            return Ok((args, close.span.end));
        }
        args.push(self.expr()?);
        while self.eat(&Tok::Comma).is_some() {
            args.push(self.expr()?);
        }
        let end = self.close(open, Tok::RParen)?;
        Ok((args, end))
    }
}

fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr { span: lhs.span.start..rhs.span.end, kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(src: &str) -> String {
        parse(src).map(|e| e.to_string()).unwrap_or_else(|e| format!("error {:?}: {}", e.range, e.message))
    }

    #[test]
    fn precedence_follows_the_grammar() {
        assert_eq!(show("not a == b and c"), "((not (a == b)) and c)");
        assert_eq!(show("a or b and c"), "(a or (b and c))");
        assert_eq!(show("1 + 2 * 3 - 4"), "((1 + (2 * 3)) - 4)");
        assert_eq!(show("- -x * 2"), "((-(-x)) * 2)");
        assert_eq!(show("x not in [1, 2]"), "(x not in [1, 2])");
        assert_eq!(show("not x in [1]"), "(not (x in [1]))");
        assert_eq!(show("count(payment, customer_id, 1h) >= 5"), "(count(payment, customer_id, 1h) >= 5)");
        assert_eq!(show("customer.risk_level == \"a\\\"b\""), "(customer.risk_level == \"a\\\"b\")");
        assert_eq!(show("(a)"), "a");
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        assert_eq!(show("a and"), "error 5..5: expected an expression after `and`, found the end of the expression");
        assert_eq!(show("(a == 1"), "error 0..1: unclosed `(`");
        assert_eq!(show("[1, 2"), "error 0..1: unclosed `[`");
        assert_eq!(show("(a b)"), "error 3..4: expected `)` or an operator, found `b`");
        assert_eq!(show("a b"), "error 2..3: unexpected `b` after a complete expression");
        assert_eq!(show("a < b < c"), "error 6..7: comparisons do not chain: `<` follows `<`");
        assert_eq!(show("a.b.c"), "error 3..5: a path follows at most one ref");
        assert_eq!(show("> 1"), "error 0..1: expected an expression, found `>`");
        assert_eq!(show("  "), "error 0..2: the expression is empty");
    }

    #[test]
    fn hostile_input_is_refused_without_overflowing() {
        let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
        assert!(show(&deep).contains("longer than"));
        let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        assert!(show(&deep).contains("levels deep"));
        assert!(show(&"not ".repeat(200)).contains("levels deep"));
        let chain = vec!["a"; 100].join(" + ");
        assert!(show(&chain).contains("levels deep"));
        let ok = vec!["a"; 60].join(" + ");
        assert!(parse(&ok).is_ok());
    }
}
