//! The reference evaluator: the semantics every stack's generated code must match, run in Rust to
//! compute the shared test vectors. It is never used by a generated service.

use std::cmp::Ordering;

use indexmap::IndexMap;
use serde::Serialize;

use super::ir::{ArithOp, CmpOp, Node, Op, Type};
use crate::decimal::Dec;

/// What a rule sees: the candidate row, the rows its refs point to, and its counts, all in the
/// JSON wire form (decimals as strings, timestamps as RFC 3339).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Input {
    pub fields: IndexMap<String, serde_json::Value>,
    /// Keyed by the candidate's ref field (`customer_id`); `null` when the ref is empty.
    pub refs: IndexMap<String, serde_json::Value>,
    /// Results of the rule's `counts`, by index.
    pub counts: Vec<i64>,
}

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Integer(i64),
    Decimal(Dec),
    String(String),
    /// `YYYY-MM-DD`, which orders like the date.
    Date(String),
    /// Milliseconds since the Unix epoch.
    Timestamp(i64),
    Json(serde_json::Value),
}

/// Why a rule could not be evaluated. The stacks answer the first two by rejecting with the rule's
/// name; `BadInput` means the caller broke the [`Input`] contract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    #[error("integer or decimal overflow")]
    Overflow,
    #[error("division by zero")]
    DivisionByZero,
    #[error("malformed input: {0}")]
    BadInput(String),
}

impl EvalError {
    /// The name used in test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            EvalError::Overflow => "overflow",
            EvalError::DivisionByZero => "division_by_zero",
            EvalError::BadInput(_) => "bad_input",
        }
    }
}

/// Evaluates a node against an input.
pub fn eval(node: &Node, input: &Input) -> Result<Value, EvalError> {
    let boolean = |b: bool| Ok(Value::Boolean(b));
    match &node.op {
        Op::Integer { value } => Ok(Value::Integer(*value)),
        Op::Decimal { value } => Dec::parse(value).map(Value::Decimal).ok_or_else(|| bad(format!("decimal literal `{value}`"))),
        Op::String { value } => Ok(Value::String(value.clone())),
        Op::Boolean { value } => boolean(*value),
        Op::Null => Ok(Value::Null),
        Op::Field { field } => read(node.ty, input.fields.get(field), field),
        Op::RefField { via, field, .. } => match input.refs.get(via) {
            None | Some(serde_json::Value::Null) => Ok(Value::Null),
            Some(row) => read(node.ty, row.get(field), field),
        },
        Op::Count { index, .. } => input.counts.get(*index).map(|n| Value::Integer(*n)).ok_or_else(|| bad(format!("no count {index}"))),
        Op::Len { arg } => match eval(arg, input)? {
            Value::String(s) => Ok(Value::Integer(i64::try_from(s.chars().count()).map_err(|_| EvalError::Overflow)?)),
            other => null_or_bad(other, "len"),
        },
        Op::Lower { arg } => match eval(arg, input)? {
            Value::String(s) => Ok(Value::String(s.to_lowercase())),
            other => null_or_bad(other, "lower"),
        },
        Op::ToDecimal { arg } => match eval(arg, input)? {
            Value::Integer(i) => Ok(Value::Decimal(Dec::from_int(i))),
            other => null_or_bad(other, "to_decimal"),
        },
        Op::Neg { arg } => match eval(arg, input)? {
            Value::Integer(i) => i.checked_neg().map(Value::Integer).ok_or(EvalError::Overflow),
            Value::Decimal(d) => Ok(Value::Decimal(d.negated())),
            other => null_or_bad(other, "-"),
        },
        Op::Arith { op, lhs, rhs, .. } => arith(*op, eval(lhs, input)?, eval(rhs, input)?),
        Op::Compare { op, lhs, rhs, .. } => {
            let ordering = compare(&eval(lhs, input)?, &eval(rhs, input)?)?;
            boolean(ordering.is_some_and(|o| match op {
                CmpOp::Eq => o.is_eq(),
                CmpOp::Ne => o.is_ne(),
                CmpOp::Lt => o.is_lt(),
                CmpOp::Le => o.is_le(),
                CmpOp::Gt => o.is_gt(),
                CmpOp::Ge => o.is_ge(),
            }))
        }
        Op::In { negated, arg, list, .. } => {
            let value = eval(arg, input)?;
            if value == Value::Null {
                return boolean(false);
            }
            let mut found = false;
            for item in list {
                if compare(&value, &eval(item, input)?)?.is_some_and(Ordering::is_eq) {
                    found = true;
                    break;
                }
            }
            boolean(found != *negated)
        }
        Op::IsNull { arg } => boolean(eval(arg, input)? == Value::Null),
        Op::IsNotNull { arg } => boolean(eval(arg, input)? != Value::Null),
        Op::Not { arg } => boolean(!truth(eval(arg, input)?)?),
        Op::And { lhs, rhs } => boolean(truth(eval(lhs, input)?)? && truth(eval(rhs, input)?)?),
        Op::Or { lhs, rhs } => boolean(truth(eval(lhs, input)?)? || truth(eval(rhs, input)?)?),
    }
}

fn bad(what: String) -> EvalError {
    EvalError::BadInput(what)
}

fn null_or_bad(v: Value, what: &str) -> Result<Value, EvalError> {
    match v {
        Value::Null => Ok(Value::Null),
        other => Err(bad(format!("`{what}` applied to {other:?}"))),
    }
}

fn truth(v: Value) -> Result<bool, EvalError> {
    match v {
        Value::Boolean(b) => Ok(b),
        other => Err(bad(format!("expected a boolean, found {other:?}"))),
    }
}

fn read(ty: Type, value: Option<&serde_json::Value>, field: &str) -> Result<Value, EvalError> {
    use serde_json::Value as J;
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(Value::Null);
    };
    let wrong = || bad(format!("`{field}` is not {}: {value}", ty.name()));
    match (ty, value) {
        (Type::Integer, J::Number(n)) => n.as_i64().map(Value::Integer).ok_or_else(wrong),
        (Type::Decimal, J::String(s)) => Dec::parse(s).map(Value::Decimal).ok_or_else(wrong),
        (Type::Decimal, J::Number(n)) => Dec::parse(&n.to_string()).map(Value::Decimal).ok_or_else(wrong),
        (Type::String, J::String(s)) => Ok(Value::String(s.clone())),
        (Type::Boolean, J::Bool(b)) => Ok(Value::Boolean(*b)),
        (Type::Date, J::String(s)) if s.len() == 10 && days(s).is_some() => Ok(Value::Date(s.clone())),
        (Type::Timestamp, J::String(s)) => timestamp_millis(s).map(Value::Timestamp).ok_or_else(wrong),
        (Type::Json, v) => Ok(Value::Json(v.clone())),
        _ => Err(wrong()),
    }
}

fn arith(op: ArithOp, a: Value, b: Value) -> Result<Value, EvalError> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        (Value::Integer(a), Value::Integer(b)) => {
            let result = match op {
                ArithOp::Add => a.checked_add(b),
                ArithOp::Sub => a.checked_sub(b),
                ArithOp::Mul => a.checked_mul(b),
                ArithOp::Div if b == 0 => return Err(EvalError::DivisionByZero),
                // Truncates toward zero; `i64::MIN / -1` is the one overflow.
                ArithOp::Div => a.checked_div(b),
            };
            result.map(Value::Integer).ok_or(EvalError::Overflow)
        }
        (Value::Decimal(a), Value::Decimal(b)) => {
            let result = match op {
                ArithOp::Add => a.checked_add(b),
                ArithOp::Sub => a.checked_sub(b),
                ArithOp::Mul => a.checked_mul(b),
                ArithOp::Div => return Err(bad("decimal division".into())),
            };
            result.map(Value::Decimal).ok_or(EvalError::Overflow)
        }
        (a, b) => Err(bad(format!("arithmetic on {a:?} and {b:?}"))),
    }
}

/// `None` when either side is null: every comparison with null is false.
fn compare(a: &Value, b: &Value) -> Result<Option<Ordering>, EvalError> {
    Ok(Some(match (a, b) {
        (Value::Null, _) | (_, Value::Null) => return Ok(None),
        (Value::Integer(a), Value::Integer(b)) => a.cmp(b),
        (Value::Decimal(a), Value::Decimal(b)) => a.compare(*b),
        (Value::String(a), Value::String(b)) | (Value::Date(a), Value::Date(b)) => a.cmp(b),
        (Value::Boolean(a), Value::Boolean(b)) => a.cmp(b),
        (Value::Timestamp(a), Value::Timestamp(b)) => a.cmp(b),
        (a, b) => return Err(bad(format!("comparing {a:?} with {b:?}"))),
    }))
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (Howard Hinnant's `days_from_civil`).
fn days(date: &str) -> Option<i64> {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |s: &str| s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse::<i64>().ok()).flatten();
    let (y, m, d) = (num(date.get(0..4)?)?, num(date.get(5..7)?)?, num(date.get(8..10)?)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d < 1 || d > month_days[(m - 1) as usize] {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Milliseconds since the epoch of an RFC 3339 timestamp; digits beyond milliseconds are dropped,
/// as the wire format carries milliseconds.
pub(crate) fn timestamp_millis(s: &str) -> Option<i64> {
    let (date, time) = s.split_once(['T', 't'])?;
    let day = days(date)?;
    let (clock, offset_minutes) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let i = time.rfind(['+', '-'])?;
        let (h, m) = time[i + 1..].split_once(':')?;
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        let sign = if time.as_bytes()[i] == b'-' { -1 } else { 1 };
        (&time[..i], sign * (h * 60 + m))
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let parts: Vec<i64> = hms.split(':').map(|p| if p.len() == 2 { p.parse().ok() } else { None }).collect::<Option<_>>()?;
    let [h, m, sec] = parts.as_slice() else { return None };
    if *h > 23 || *m > 59 || *sec > 60 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis: i64 = format!("{frac:0<3}").get(0..3)?.parse().ok()?;
    let seconds = day * 86_400 + h * 3600 + m * 60 + sec - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_become_instants() {
        assert_eq!(timestamp_millis("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(timestamp_millis("1970-01-01T01:00:00.5+01:00"), Some(500));
        assert_eq!(timestamp_millis("2024-02-29T00:00:00.000Z"), Some(1_709_164_800_000));
        assert_eq!(timestamp_millis("2023-02-29T00:00:00Z"), None);
        assert_eq!(timestamp_millis("2024-01-01 00:00:00Z"), None);
    }
}
