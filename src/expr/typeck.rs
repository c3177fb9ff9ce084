//! Type checking: from the syntax tree to the typed IR, against the resource a rule belongs to.
//!
//! Decisions the language makes here (documented in MANIFEST.md's terms):
//! - `customer.risk_level` follows the ref field `customer_id`: a ref named `x_id` is followed as
//!   `x`; a ref whose name does not end in `_id` is followed by its own name.
//! - Integers mix with decimals anywhere: the integer side is promoted (`to_decimal`), so
//!   `total >= 1000` and `amount > 10.5` both type-check and compare exactly.
//! - Division is for integers only; a decimal quotient would need a rounding rule every stack
//!   agrees on.
//! - string, text, enum, uuid and ref values are strings; strings compare with `==`, `!=` and
//!   `in` only, because the stacks' runtimes order text differently (UTF-16 against code points).
//! - A string literal compared with an enum must be one of its values.
//! - `and`, `or` and `not` take conditions that are never null: an optional boolean is tested as
//!   `flag == true`.

use std::ops::Range;

use super::ExprError;
use super::ast::{BinaryOp, Expr, ExprKind, Ident, UnaryOp};
use super::ir::{ArithOp, CmpOp, CountCall, Node, Op, RefHop, Type};
use crate::decimal::{Dec, MAX_DIGITS};
use crate::diagnostic::did_you_mean;
use crate::manifest::names::SYSTEM_FIELDS;
use crate::manifest::units::Duration;
use crate::model::{Field, FieldType, Resource};

/// A typed node and what the checker still needs to know about it.
struct Typed {
    node: Node,
    span: Range<usize>,
    /// The values of the enum it reads, to check the literals it is compared with.
    enum_values: Option<Vec<String>>,
}

impl Typed {
    fn ty(&self) -> Type {
        self.node.ty
    }

    fn is_literal(&self) -> bool {
        matches!(self.node.op, Op::Integer { .. } | Op::Decimal { .. } | Op::String { .. } | Op::Boolean { .. } | Op::Null)
    }
}

pub(super) struct Checker<'a> {
    pub src: &'a str,
    pub resource: &'a Resource,
    pub resources: &'a [Resource],
    pub errors: Vec<ExprError>,
    pub refs: Vec<RefHop>,
    pub counts: Vec<CountCall>,
}

/// A failure already recorded in `errors`; callers stop without adding a cascade.
struct Reported;

type Checked = Result<Typed, Reported>;

impl<'a> Checker<'a> {
    pub fn new(src: &'a str, resource: &'a Resource, resources: &'a [Resource]) -> Self {
        Checker { src, resource, resources, errors: Vec::new(), refs: Vec::new(), counts: Vec::new() }
    }

    /// Checks the whole `when`: it must be a condition that is never null.
    pub fn rule(&mut self, e: &Expr) -> Option<Node> {
        let t = self.expr(e).ok()?;
        self.condition(&t, "a rule's `when`").ok()?;
        Some(t.node)
    }

    fn fail(&mut self, span: Range<usize>, message: impl Into<String>, hint: Option<String>) -> Reported {
        let mut e = ExprError::new(span, message);
        e.hint = hint;
        self.errors.push(e);
        Reported
    }

    fn text(&self, span: &Range<usize>) -> &str {
        self.src.get(span.clone()).unwrap_or("")
    }

    fn describe(&self, t: &Typed) -> String {
        format!("`{}` is {}", self.text(&t.span), article(t.ty()))
    }

    fn condition(&mut self, t: &Typed, role: &str) -> Result<(), Reported> {
        if t.ty() != Type::Boolean {
            let message = format!("{role} must be a condition, but {}", self.describe(t));
            return Err(self.fail(t.span.clone(), message, Some("compare it, such as `amount > 100`".into())));
        }
        if t.node.nullable {
            let text = self.text(&t.span).to_owned();
            let message = format!("`{text}` may be null, and {role} needs true or false");
            return Err(self.fail(t.span.clone(), message, Some(format!("write `{text} == true` to treat null as false"))));
        }
        Ok(())
    }

    fn expr(&mut self, e: &Expr) -> Checked {
        let span = e.span.clone();
        let leaf = |op: Op, ty: Type| Typed { node: Node::new(op, ty, false), span: span.clone(), enum_values: None };
        match &e.kind {
            ExprKind::Int(i) => Ok(leaf(Op::Integer { value: *i }, Type::Integer)),
            ExprKind::Decimal(text) => match Dec::parse(text) {
                Some(d) => Ok(decimal_literal(d, span)),
                None => Err(self.fail(span, format!("a decimal carries at most {MAX_DIGITS} digits"), None)),
            },
            ExprKind::Str(s) => Ok(leaf(Op::String { value: s.clone() }, Type::String)),
            ExprKind::Bool(b) => Ok(leaf(Op::Boolean { value: *b }, Type::Boolean)),
            ExprKind::Null => Ok(Typed { node: Node::new(Op::Null, Type::Null, true), span, enum_values: None }),
            ExprKind::Duration(d) if Duration::parse(d).is_some() => {
                Err(self.fail(span, format!("`{d}` is a duration, which only `count(resource, field, {d})` takes"), None))
            }
            ExprKind::Duration(d) => Err(self.fail(span, format!("`{d}` is neither a number nor a duration"), None)),
            ExprKind::List(_) => {
                Err(self.fail(span, "a list can only follow `in` or `not in`", Some("such as `currency in [\"EUR\", \"USD\"]`".into())))
            }
            ExprKind::Path(segments) => match segments.as_slice() {
                [field] => self.own_field(field),
                [via, field] => self.ref_field(via, field, span),
                _ => Err(self.fail(span, "a path follows at most one ref", None)),
            },
            ExprKind::Call { name, args } => self.call(name, args, span),
            ExprKind::Unary { op: UnaryOp::Not, arg } => {
                let arg = self.expr(arg)?;
                self.condition(&arg, "`not`")?;
                Ok(Typed { node: Node::new(Op::Not { arg: Box::new(arg.node) }, Type::Boolean, false), span, enum_values: None })
            }
            ExprKind::Unary { op: UnaryOp::Neg, arg } => {
                let arg = self.expr(arg)?;
                self.negate(arg, span)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let lhs_t = self.expr(lhs);
                // Check the right side even when the left failed, so that one run reports both.
                if matches!(op, BinaryOp::In | BinaryOp::NotIn) {
                    return self.membership(lhs_t?, rhs, *op == BinaryOp::NotIn, span);
                }
                let rhs_t = self.expr(rhs);
                let (lhs, rhs) = (lhs_t?, rhs_t?);
                match op {
                    BinaryOp::And | BinaryOp::Or => {
                        self.condition(&lhs, &format!("each side of `{}`", op.symbol()))?;
                        self.condition(&rhs, &format!("each side of `{}`", op.symbol()))?;
                        let (lhs, rhs) = (Box::new(lhs.node), Box::new(rhs.node));
                        let op = if *op == BinaryOp::And { Op::And { lhs, rhs } } else { Op::Or { lhs, rhs } };
                        Ok(Typed { node: Node::new(op, Type::Boolean, false), span, enum_values: None })
                    }
                    BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => self.arith(*op, lhs, rhs, span),
                    _ => self.compare(*op, lhs, rhs, span),
                }
            }
        }
    }

    fn field_node(f: &Field, op: Op, nullable: bool, span: Range<usize>) -> Typed {
        let (ty, scale, enum_values) = match &f.ty {
            FieldType::Integer { .. } => (Type::Integer, None, None),
            FieldType::Decimal { scale, .. } => (Type::Decimal, Some(*scale), None),
            FieldType::Boolean => (Type::Boolean, None, None),
            FieldType::Timestamp => (Type::Timestamp, None, None),
            FieldType::Date => (Type::Date, None, None),
            FieldType::Json { .. } => (Type::Json, None, None),
            FieldType::Enum { values } => (Type::String, None, Some(values.clone())),
            FieldType::String { .. } | FieldType::Text { .. } | FieldType::Uuid | FieldType::Ref { .. } => (Type::String, None, None),
        };
        Typed { node: Node::new(op, ty, nullable).with_scale(scale), span, enum_values }
    }

    fn unknown_field(&mut self, name: &Ident, resource: &Resource) -> Reported {
        let message = format!("`{}` is not a field of {}", name.name, resource.name);
        let hint = if SYSTEM_FIELDS.contains(&name.name.as_str()) {
            Some(format!("`{}` is kept by the service, and rules read only the fields the manifest declares", name.name))
        } else {
            did_you_mean(&name.name, resource.fields.iter().map(|f| f.name.as_str()))
        };
        self.fail(name.span.clone(), message, hint)
    }

    fn own_field(&mut self, name: &Ident) -> Checked {
        let Some(f) = self.resource.field(&name.name) else {
            if let Some(r) = self.resources.iter().find(|r| r.name == name.name) {
                let hint = format!("count its rows with `count({}, field, 1h)`, or read a field of it through a ref", r.name);
                return Err(self.fail(name.span.clone(), format!("`{}` is a resource, not a field", name.name), Some(hint)));
            }
            return Err(self.unknown_field(name, self.resource));
        };
        Ok(Self::field_node(f, Op::Field { field: f.name.clone() }, f.optional, name.span.clone()))
    }

    /// The candidate's ref field that `name.field` follows.
    fn find_ref(&self, name: &str) -> Option<(&'a Field, &'a str)> {
        self.resource.fields.iter().find_map(|f| match &f.ty {
            FieldType::Ref { resource } if f.name.strip_suffix("_id").unwrap_or(&f.name) == name => Some((f, resource.as_str())),
            _ => None,
        })
    }

    fn ref_field(&mut self, via: &Ident, field: &Ident, span: Range<usize>) -> Checked {
        let Some((ref_field, target_name)) = self.find_ref(&via.name) else {
            let message = format!("`{}` does not name a ref of {}", via.name, self.resource.name);
            let hint = match self.resource.field(&via.name) {
                Some(f) if matches!(f.ty, FieldType::Ref { .. }) => {
                    Some(format!("follow the ref as `{}.{}`", via.name.trim_end_matches("_id"), field.name))
                }
                Some(f) => Some(format!("`{}` is {} field; only refs are followed with `.`", f.name, article_field(&f.ty))),
                None => {
                    let refs = self.resource.fields.iter().filter(|f| matches!(f.ty, FieldType::Ref { .. }));
                    let names: Vec<&str> = refs.map(|f| f.name.strip_suffix("_id").unwrap_or(&f.name)).collect();
                    did_you_mean(&via.name, names.iter().copied())
                }
            };
            return Err(self.fail(via.span.clone(), message, hint));
        };
        let Some(target) = self.resources.iter().find(|r| r.name == target_name) else {
            // The ref's own check already reported the unknown resource.
            return Err(Reported);
        };
        let Some(f) = target.field(&field.name) else {
            return Err(self.unknown_field(field, target));
        };
        let hop = match self.refs.iter().position(|h| h.via == ref_field.name) {
            Some(i) => &mut self.refs[i],
            None => {
                self.refs.push(RefHop {
                    via: ref_field.name.clone(),
                    resource: target.name.clone(),
                    table: target.plural.clone(),
                    fields: Vec::new(),
                    nullable: ref_field.optional,
                });
                let last = self.refs.len() - 1;
                &mut self.refs[last]
            }
        };
        if !hop.fields.contains(&f.name) {
            hop.fields.push(f.name.clone());
        }
        let op = Op::RefField { via: ref_field.name.clone(), resource: target.name.clone(), field: f.name.clone() };
        Ok(Self::field_node(f, op, ref_field.optional || f.optional, span))
    }

    fn call(&mut self, name: &Ident, args: &[Expr], span: Range<usize>) -> Checked {
        let arity = match name.name.as_str() {
            "len" | "lower" => 1,
            "count" => 3,
            other => {
                let hint = did_you_mean(other, ["len", "lower", "count"]).or_else(|| Some("the functions are len, lower and count".into()));
                return Err(self.fail(name.span.clone(), format!("unknown function `{other}`"), hint));
            }
        };
        if args.len() != arity {
            let usage = match arity {
                1 => format!("`{}(x)`", name.name),
                _ => "`count(resource, field, 1h)`".to_owned(),
            };
            let message = format!("`{}` takes {arity} argument{}, found {}", name.name, if arity == 1 { "" } else { "s" }, args.len());
            return Err(self.fail(span, message, Some(format!("write {usage}"))));
        }
        if name.name == "count" {
            return self.count(args, span);
        }
        let arg = self.expr(&args[0])?;
        if arg.ty() != Type::String {
            let message = format!("`{}` takes a string, but {}", name.name, self.describe(&arg));
            return Err(self.fail(arg.span.clone(), message, None));
        }
        let nullable = arg.node.nullable;
        let (op, ty) = match name.name.as_str() {
            "len" => (Op::Len { arg: Box::new(arg.node) }, Type::Integer),
            _ => (Op::Lower { arg: Box::new(arg.node) }, Type::String),
        };
        Ok(Typed { node: Node::new(op, ty, nullable), span, enum_values: None })
    }

    fn count(&mut self, args: &[Expr], span: Range<usize>) -> Checked {
        let single = |e: &Expr| match &e.kind {
            ExprKind::Path(segments) if segments.len() == 1 => Some(segments[0].clone()),
            _ => None,
        };
        let Some(resource_name) = single(&args[0]) else {
            return Err(self.fail(
                args[0].span.clone(),
                "`count` takes a resource name first",
                Some("such as `count(payment, customer_id, 1h)`".into()),
            ));
        };
        let Some(counted) = self.resources.iter().find(|r| r.name == resource_name.name) else {
            let hint = did_you_mean(&resource_name.name, self.resources.iter().map(|r| r.name.as_str()));
            return Err(self.fail(resource_name.span, format!("`{}` is not a resource of this manifest", resource_name.name), hint));
        };
        let Some(group) = single(&args[1]) else {
            return Err(self.fail(args[1].span.clone(), "`count` groups by a field of this resource, written as its name", None));
        };
        let Some(own) = self.resource.field(&group.name) else {
            return Err(self.unknown_field(&group, self.resource));
        };
        if matches!(own.ty, FieldType::Json { .. }) {
            return Err(self.fail(group.span, "`count` cannot group by a json field", None));
        }
        if counted.name != self.resource.name {
            match counted.field(&group.name) {
                Some(theirs) if same_type(&theirs.ty, &own.ty) => {}
                Some(theirs) => {
                    let message = format!(
                        "`{}` is {} field here but {} field of {}",
                        group.name,
                        article_field(&own.ty),
                        article_field(&theirs.ty),
                        counted.name
                    );
                    return Err(self.fail(group.span, message, None));
                }
                None => {
                    let message = format!("{} has no field `{}` to match this {}'s against", counted.name, group.name, self.resource.name);
                    return Err(self.fail(group.span, message, None));
                }
            }
        }
        let window = match &args[2].kind {
            ExprKind::Duration(text) => match Duration::parse(text) {
                Some(d) => d.millis,
                None => {
                    let message = format!("`{text}` is not a duration");
                    return Err(self.fail(
                        args[2].span.clone(),
                        message,
                        Some("write a number and a unit (ms, s, m, h, d), such as `1h`".into()),
                    ));
                }
            },
            _ => {
                let message = "`count` takes a window such as `1h`, `5m`, `30s`, `7d` or `500ms` last";
                return Err(self.fail(args[2].span.clone(), message, None));
            }
        };
        let call = CountCall {
            index: self.counts.len(),
            resource: counted.name.clone(),
            table: counted.plural.clone(),
            group_field: own.name.clone(),
            window_ms: window,
        };
        let index = match self
            .counts
            .iter()
            .find(|c| (&c.resource, &c.group_field, c.window_ms) == (&call.resource, &call.group_field, call.window_ms))
        {
            Some(existing) => existing.index,
            None => {
                self.counts.push(call.clone());
                call.index
            }
        };
        let op = Op::Count { index, resource: call.resource, table: call.table, group_field: call.group_field, window_ms: window };
        Ok(Typed { node: Node::new(op, Type::Integer, false), span, enum_values: None })
    }

    fn negate(&mut self, arg: Typed, span: Range<usize>) -> Checked {
        let node = match (&arg.node.op, arg.ty()) {
            // Folding keeps `-5` a literal, which templates print as is and vectors probe around.
            (Op::Integer { value }, _) => Node::new(Op::Integer { value: -value }, Type::Integer, false),
            (Op::Decimal { value }, _) => match Dec::parse(value) {
                Some(d) => decimal_literal(d.negated(), span.clone()).node,
                None => return Err(Reported),
            },
            (_, Type::Integer | Type::Decimal) => {
                let (ty, scale, nullable) = (arg.ty(), arg.node.scale, arg.node.nullable);
                Node::new(Op::Neg { arg: Box::new(arg.node) }, ty, nullable).with_scale(scale)
            }
            _ => {
                let message = format!("`-` negates numbers, but {}", self.describe(&arg));
                return Err(self.fail(arg.span.clone(), message, None));
            }
        };
        Ok(Typed { node, span, enum_values: None })
    }

    fn arith(&mut self, op: BinaryOp, lhs: Typed, rhs: Typed, span: Range<usize>) -> Checked {
        for side in [&lhs, &rhs] {
            if !matches!(side.ty(), Type::Integer | Type::Decimal) {
                let message = format!("`{}` works on numbers, but {}", op.symbol(), self.describe(side));
                return Err(self.fail(side.span.clone(), message, None));
            }
        }
        let nullable = lhs.node.nullable || rhs.node.nullable;
        let arith = match op {
            BinaryOp::Add => ArithOp::Add,
            BinaryOp::Sub => ArithOp::Sub,
            BinaryOp::Mul => ArithOp::Mul,
            _ => ArithOp::Div,
        };
        if lhs.ty() == Type::Integer && rhs.ty() == Type::Integer {
            let op = Op::Arith { op: arith, operand: Type::Integer, lhs: Box::new(lhs.node), rhs: Box::new(rhs.node) };
            return Ok(Typed { node: Node::new(op, Type::Integer, nullable), span, enum_values: None });
        }
        if arith == ArithOp::Div {
            let hint = "divide integers, or multiply instead: `total > 2 * limit` rather than `total / 2 > limit`";
            return Err(self.fail(span, "`/` divides integers only: a decimal quotient would need rounding", Some(hint.into())));
        }
        let (lhs, rhs) = (promote(lhs.node), promote(rhs.node));
        let (a, b) = (lhs.scale.unwrap_or(0), rhs.scale.unwrap_or(0));
        let scale = if arith == ArithOp::Mul { a + b } else { a.max(b) };
        if scale > MAX_DIGITS {
            return Err(self.fail(span, format!("this product has more than {MAX_DIGITS} digits after the point"), None));
        }
        let op = Op::Arith { op: arith, operand: Type::Decimal, lhs: Box::new(lhs), rhs: Box::new(rhs) };
        Ok(Typed { node: Node::new(op, Type::Decimal, nullable).with_scale(Some(scale)), span, enum_values: None })
    }

    /// The type both sides are compared as, promoting an integer side to decimal.
    fn unify(&mut self, lhs: &Typed, rhs: &Typed) -> Result<Type, Reported> {
        match (lhs.ty(), rhs.ty()) {
            (a, b) if a == b => Ok(a),
            (Type::Integer, Type::Decimal) | (Type::Decimal, Type::Integer) => Ok(Type::Decimal),
            _ => {
                let (bad, good) = if rhs.is_literal() || !lhs.is_literal() { (rhs, lhs) } else { (lhs, rhs) };
                let message = format!("{} and {}: they cannot be compared", self.describe(good), self.describe(bad));
                let hint = match (good.ty(), bad.ty()) {
                    (Type::Integer | Type::Decimal, Type::String) => Some("write the number without quotes".to_owned()),
                    (Type::Date | Type::Timestamp, Type::String) => Some("rules compare dates and timestamps with other fields".to_owned()),
                    _ => None,
                };
                Err(self.fail(bad.span.clone(), message, hint))
            }
        }
    }

    fn check_enum_literal(&mut self, values: &[String], literal: &Typed) {
        if let Op::String { value } = &literal.node.op
            && !values.contains(value)
        {
            let hint =
                did_you_mean(value, values.iter().map(String::as_str)).unwrap_or_else(|| format!("the values are: {}", values.join(", ")));
            self.fail(literal.span.clone(), format!("\"{value}\" is not a value of this enum"), Some(hint));
        }
    }

    fn compare(&mut self, op: BinaryOp, lhs: Typed, rhs: Typed, span: Range<usize>) -> Checked {
        let boolean = |op: Op| Node::new(op, Type::Boolean, false);
        if lhs.ty() == Type::Null || rhs.ty() == Type::Null {
            let (other, null) = if rhs.ty() == Type::Null { (lhs, rhs) } else { (rhs, lhs) };
            let node = match op {
                BinaryOp::Eq => boolean(Op::IsNull { arg: Box::new(other.node) }),
                BinaryOp::Ne => boolean(Op::IsNotNull { arg: Box::new(other.node) }),
                _ => {
                    let message = format!("`{}` does not compare with null: only `==` and `!=` do", op.symbol());
                    return Err(self.fail(null.span, message, None));
                }
            };
            return Ok(Typed { node, span, enum_values: None });
        }
        let operand = self.unify(&lhs, &rhs)?;
        let ordering = matches!(op, BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge);
        match operand {
            Type::Json => {
                let message = format!("{}, which compares only with `== null` and `!= null`", self.describe(&lhs));
                return Err(self.fail(span, message, None));
            }
            Type::String | Type::Boolean if ordering => {
                let message = format!("{}, which compares only with `==`, `!=` and `in`", self.describe(&lhs));
                return Err(self.fail(span, message, None));
            }
            _ => {}
        }
        for (field, literal) in [(&lhs, &rhs), (&rhs, &lhs)] {
            if let Some(values) = &field.enum_values {
                self.check_enum_literal(values, literal);
            }
        }
        let cmp = match op {
            BinaryOp::Eq => CmpOp::Eq,
            BinaryOp::Ne => CmpOp::Ne,
            BinaryOp::Lt => CmpOp::Lt,
            BinaryOp::Le => CmpOp::Le,
            BinaryOp::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        let (lhs, rhs) = if operand == Type::Decimal { (promote(lhs.node), promote(rhs.node)) } else { (lhs.node, rhs.node) };
        let node = boolean(Op::Compare { op: cmp, operand, lhs: Box::new(lhs), rhs: Box::new(rhs) });
        Ok(Typed { node, span, enum_values: None })
    }

    fn membership(&mut self, arg: Typed, list: &Expr, negated: bool, span: Range<usize>) -> Checked {
        let ExprKind::List(items) = &list.kind else {
            let message = format!("`{}` takes a list in brackets", if negated { "not in" } else { "in" });
            return Err(self.fail(list.span.clone(), message, Some("such as `currency in [\"EUR\", \"USD\"]`".into())));
        };
        let mut typed = Vec::new();
        let mut failed = false;
        for item in items {
            match self.expr(item) {
                Ok(t) if t.ty() == Type::Null => {
                    self.fail(t.span, "a list after `in` cannot hold null", Some("test for null with `== null`".into()));
                    failed = true;
                }
                Ok(t) => typed.push(t),
                Err(Reported) => failed = true,
            }
        }
        if failed {
            return Err(Reported);
        }
        let mut operand = arg.ty();
        for item in &typed {
            operand = match self.unify(&arg, item)? {
                Type::Decimal => Type::Decimal,
                _ => operand,
            };
        }
        if matches!(operand, Type::Json | Type::Null) {
            return Err(self.fail(arg.span.clone(), format!("{}, which has no `in`", self.describe(&arg)), None));
        }
        if let Some(values) = &arg.enum_values {
            for item in &typed {
                self.check_enum_literal(values, item);
            }
        }
        let lift = |n: Node| if operand == Type::Decimal { promote(n) } else { n };
        let list = typed.into_iter().map(|t| lift(t.node)).collect();
        let op = Op::In { negated, operand, arg: Box::new(lift(arg.node)), list };
        Ok(Typed { node: Node::new(op, Type::Boolean, false), span, enum_values: None })
    }
}

fn decimal_literal(d: Dec, span: Range<usize>) -> Typed {
    let node = Node::new(Op::Decimal { value: d.to_string() }, Type::Decimal, false).with_scale(Some(d.scale));
    Typed { node, span, enum_values: None }
}

/// An integer node as a decimal: literals are rewritten, other nodes wrapped in `to_decimal`.
fn promote(node: Node) -> Node {
    match (&node.op, node.ty) {
        (Op::Integer { value }, _) => Node::new(Op::Decimal { value: value.to_string() }, Type::Decimal, false).with_scale(Some(0)),
        (_, Type::Integer) => {
            let nullable = node.nullable;
            Node::new(Op::ToDecimal { arg: Box::new(node) }, Type::Decimal, nullable).with_scale(Some(0))
        }
        _ => node,
    }
}

fn same_type(a: &FieldType, b: &FieldType) -> bool {
    match (a, b) {
        (FieldType::Ref { resource: x }, FieldType::Ref { resource: y }) => x == y,
        _ => a.name() == b.name(),
    }
}

fn article(ty: Type) -> &'static str {
    match ty {
        Type::Integer => "an integer",
        Type::Decimal => "a decimal",
        Type::String => "a string",
        Type::Boolean => "a boolean",
        Type::Date => "a date",
        Type::Timestamp => "a timestamp",
        Type::Json => "a json value",
        Type::Null => "null",
    }
}

fn article_field(ty: &FieldType) -> String {
    let name = ty.name();
    let an = if matches!(name.as_bytes().first(), Some(b'a' | b'e' | b'i' | b'o' | b'u')) { "an" } else { "a" };
    format!("{an} {name}")
}
