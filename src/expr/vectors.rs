//! Shared test vectors: a few inputs per rule, chosen around its boundaries, with the result the
//! reference evaluator gives. Every stack's generated tests replay them, which is how "identical
//! semantics in every stack" is checked rather than hoped for.
//!
//! Deterministic by construction: candidates come from the literals in the rule and fixed seeds,
//! in IR order; nothing random, nothing from the clock.

use serde::Serialize;

use super::CompiledRule;
use super::eval::{Input, Value, eval};
use super::ir::{ArithOp, Node, Op, Type};
use crate::decimal::Dec;
use crate::model::{FieldType, Resource};

/// One input and what the rule must answer for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vector {
    pub input: Input,
    pub expected: Expected,
}

/// Serialized as `true`/`false`, or as `{"error": "overflow"}` when the rule cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Expected {
    Result(bool),
    Error { error: String },
}

/// Most vectors built from boundaries, before the extreme-value ones.
const MAX_BOUNDARY_VECTORS: usize = 8;

/// A value the rule reads, which a vector sets.
#[derive(Debug, Clone, PartialEq)]
enum Leaf {
    Field(String),
    RefField { via: String, field: String },
    Count(usize),
}

#[derive(Debug)]
struct Slot {
    leaf: Leaf,
    ty: Type,
    scale: u32,
    nullable: bool,
    field_type: Option<FieldType>,
    candidates: Vec<serde_json::Value>,
}

/// Builds the vectors of a compiled rule of `resource`.
pub fn vectors(rule: &CompiledRule, resource: &Resource, resources: &[Resource]) -> Vec<Vector> {
    let mut slots: Vec<Slot> = Vec::new();
    for node in rule.ir.walk() {
        if let Some(leaf) = leaf_of(node)
            && !slots.iter().any(|s| s.leaf == leaf)
        {
            let field_type = field_type(&leaf, resource, resources);
            slots.push(Slot {
                leaf,
                ty: node.ty,
                scale: node.scale.unwrap_or(0),
                nullable: node.nullable,
                field_type,
                candidates: Vec::new(),
            });
        }
    }
    for node in rule.ir.walk() {
        probe(node, &mut slots);
    }
    for slot in &mut slots {
        if slot.candidates.is_empty() {
            slot.candidates.push(seed(slot));
        }
        let bounds_ok: Vec<serde_json::Value> = slot.candidates.iter().filter(|v| within_bounds(slot, v)).cloned().collect();
        slot.candidates = if bounds_ok.is_empty() { vec![seed(slot)] } else { bounds_ok };
        if slot.nullable {
            slot.candidates.push(serde_json::Value::Null);
        }
    }
    let mut assignments: Vec<Vec<usize>> = Vec::new();
    let product = slots.iter().try_fold(1usize, |n, s| n.checked_mul(s.candidates.len()).filter(|p| *p <= MAX_BOUNDARY_VECTORS));
    if product.is_some() {
        let mut current = vec![0; slots.len()];
        loop {
            assignments.push(current.clone());
            let Some(i) = (0..slots.len()).rev().find(|i| current[*i] + 1 < slots[*i].candidates.len()) else { break };
            current[i] += 1;
            current[i + 1..].iter_mut().for_each(|c| *c = 0);
        }
    } else {
        assignments.push(vec![0; slots.len()]);
        for (i, slot) in slots.iter().enumerate() {
            for c in 1..slot.candidates.len() {
                let mut a = vec![0; slots.len()];
                a[i] = c;
                assignments.push(a);
            }
        }
        assignments.truncate(MAX_BOUNDARY_VECTORS);
    }
    let mut inputs: Vec<Input> = assignments.iter().map(|a| input_for(&slots, |i| slots[i].candidates[a[i]].clone(), resource)).collect();
    for extreme in extremes(&rule.ir) {
        inputs.push(input_for(&slots, |i| extreme_value(&slots[i], extreme).unwrap_or_else(|| slots[i].candidates[0].clone()), resource));
    }
    // A count's result is given directly, but a replaying test still needs the value it groups by.
    for input in &mut inputs {
        for call in &rule.counts {
            if let Some(f) = resource.field(&call.group_field)
                && !input.fields.contains_key(&f.name)
            {
                input.fields.insert(f.name.clone(), seed(&field_slot(Leaf::Field(f.name.clone()), &f.ty)));
            }
        }
    }
    let mut out: Vec<Vector> = Vec::new();
    for input in inputs {
        if out.iter().any(|v| v.input == input) {
            continue;
        }
        let expected = match eval(&rule.ir, &input) {
            Ok(Value::Boolean(b)) => Expected::Result(b),
            Ok(_) => continue,
            Err(e) => Expected::Error { error: e.code().to_owned() },
        };
        out.push(Vector { input, expected });
    }
    out
}

fn leaf_of(node: &Node) -> Option<Leaf> {
    match &node.op {
        Op::Field { field } => Some(Leaf::Field(field.clone())),
        Op::RefField { via, field, .. } => Some(Leaf::RefField { via: via.clone(), field: field.clone() }),
        Op::Count { index, .. } => Some(Leaf::Count(*index)),
        _ => None,
    }
}

fn field_type(leaf: &Leaf, resource: &Resource, resources: &[Resource]) -> Option<FieldType> {
    match leaf {
        Leaf::Field(name) => resource.field(name).map(|f| f.ty.clone()),
        Leaf::RefField { via, field } => {
            let Some(FieldType::Ref { resource: target }) = resource.field(via).map(|f| &f.ty) else { return None };
            resources.iter().find(|r| &r.name == target)?.field(field).map(|f| f.ty.clone())
        }
        Leaf::Count(_) => None,
    }
}

/// Strips the promotion an integer gets next to a decimal: the leaf underneath is what varies.
fn unwrap(node: &Node) -> &Node {
    match &node.op {
        Op::ToDecimal { arg } => arg,
        _ => node,
    }
}

fn slot_of<'s>(slots: &'s mut [Slot], node: &Node) -> Option<&'s mut Slot> {
    let leaf = leaf_of(unwrap(node))?;
    slots.iter_mut().find(|s| s.leaf == leaf)
}

fn push(slot: &mut Slot, values: impl IntoIterator<Item = serde_json::Value>) {
    for v in values {
        if !slot.candidates.contains(&v) {
            slot.candidates.push(v);
        }
    }
}

/// Adds the candidates a comparison suggests for the leaves it reads.
fn probe(node: &Node, slots: &mut [Slot]) {
    match &node.op {
        Op::Compare { lhs, rhs, .. } => {
            for (side, other) in [(lhs, rhs), (rhs, lhs)] {
                if let Some(lit) = literal(other) {
                    let inner = unwrap(side);
                    match &inner.op {
                        Op::Len { arg } => {
                            if let (Some(slot), Value::Integer(n)) = (slot_of(slots, arg), &lit) {
                                let make = |k: i64| serde_json::Value::String("é".repeat(usize::try_from(k.clamp(0, 64)).unwrap_or(0)));
                                push(slot, [make(*n), make(n.saturating_sub(1)), make(n.saturating_add(1))]);
                            }
                        }
                        Op::Lower { arg } => {
                            if let (Some(slot), Value::String(s)) = (slot_of(slots, arg), &lit) {
                                push(slot, [serde_json::Value::String(s.to_uppercase()), serde_json::Value::String(format!("{s}x"))]);
                            }
                        }
                        _ => {
                            if let Some(slot) = slot_of(slots, side) {
                                let values = around(slot, &lit);
                                push(slot, values);
                            }
                        }
                    }
                }
            }
            // Two leaves compared with each other: hold one at its seed and move the other by one step.
            if literal(lhs).is_none() && literal(rhs).is_none() {
                if let Some(slot) = slot_of(slots, rhs) {
                    let s = seed(slot);
                    push(slot, [s]);
                }
                if let Some(slot) = slot_of(slots, lhs) {
                    let values = steps(slot);
                    push(slot, values);
                }
            }
        }
        Op::In { arg, list, .. } => {
            if let Some(slot) = slot_of(slots, arg) {
                let members: Vec<serde_json::Value> = list.iter().filter_map(literal).filter_map(|v| wire(slot, &v)).collect();
                push(slot, members.iter().take(2).cloned());
                if let Some(outsider) = outsider(slot, &members) {
                    push(slot, [outsider]);
                }
            }
        }
        _ => {}
    }
}

fn literal(node: &Node) -> Option<Value> {
    match &node.op {
        Op::Integer { value } => Some(Value::Integer(*value)),
        Op::Decimal { value } => Dec::parse(value).map(Value::Decimal),
        Op::String { value } => Some(Value::String(value.clone())),
        Op::Boolean { value } => Some(Value::Boolean(*value)),
        _ => None,
    }
}

/// A literal in the wire form of the slot's field, if it can be written there exactly.
fn wire(slot: &Slot, v: &Value) -> Option<serde_json::Value> {
    use serde_json::Value as J;
    Some(match (slot.ty, v) {
        (Type::Integer, Value::Integer(i)) => J::from(*i),
        (Type::Integer, Value::Decimal(d)) => J::from(i64::try_from(d.units / 10_i128.pow(d.scale)).ok()?),
        (Type::Decimal, Value::Integer(i)) => J::String(Dec::from_int(*i).rescale(slot.scale)?.to_string()),
        (Type::Decimal, Value::Decimal(d)) => {
            // A literal with more digits than the field holds is probed at its truncation.
            let truncated = Dec { units: d.units / 10_i128.pow(d.scale.saturating_sub(slot.scale)), scale: d.scale.min(slot.scale) };
            J::String(truncated.rescale(slot.scale)?.to_string())
        }
        (Type::String, Value::String(s)) => J::String(s.clone()),
        (Type::Boolean, Value::Boolean(b)) => J::Bool(*b),
        _ => return None,
    })
}

/// The literal itself and its neighbours one step either side.
fn around(slot: &Slot, lit: &Value) -> Vec<serde_json::Value> {
    let Some(at) = wire(slot, lit) else { return Vec::new() };
    let mut out = vec![at.clone()];
    match slot.ty {
        Type::String => out.extend(outsider(slot, std::slice::from_ref(&at))),
        Type::Boolean => out.push(serde_json::Value::Bool(!at.as_bool().unwrap_or(false))),
        _ => out.extend(step(slot, &at, 1).into_iter().chain(step(slot, &at, -1))),
    }
    out
}

/// The value one unit (an integer, the field's last decimal digit, a day, a millisecond) away.
fn step(slot: &Slot, v: &serde_json::Value, by: i64) -> Option<serde_json::Value> {
    use serde_json::Value as J;
    match slot.ty {
        Type::Integer => v.as_i64()?.checked_add(by).map(J::from),
        Type::Decimal => {
            let d = Dec::parse(v.as_str()?)?.rescale(slot.scale)?;
            d.checked_add(Dec { units: i128::from(by), scale: slot.scale }).map(|d| J::String(d.to_string()))
        }
        Type::Date => Some(J::String(if by > 0 { "2024-01-16" } else { "2024-01-14" }.into())),
        Type::Timestamp => Some(J::String(if by > 0 { "2024-01-15T12:00:00.001Z" } else { "2024-01-15T11:59:59.999Z" }.into())),
        _ => None,
    }
}

fn steps(slot: &Slot) -> Vec<serde_json::Value> {
    let s = seed(slot);
    match slot.ty {
        Type::String | Type::Boolean => {
            let other = outsider(slot, std::slice::from_ref(&s));
            std::iter::once(s).chain(other).collect()
        }
        _ => [Some(s.clone()), step(slot, &s, 1), step(slot, &s, -1)].into_iter().flatten().collect(),
    }
}

/// A value of the slot's type that is none of `members`.
fn outsider(slot: &Slot, members: &[serde_json::Value]) -> Option<serde_json::Value> {
    use serde_json::Value as J;
    let candidates: Vec<J> = match (&slot.field_type, slot.ty) {
        (Some(FieldType::Enum { values }), _) => values.iter().map(|v| J::String(v.clone())).collect(),
        (_, Type::String) => ["other", "abc", "xyz"].iter().map(|s| J::String((*s).into())).collect(),
        (_, Type::Boolean) => vec![J::Bool(true), J::Bool(false)],
        (_, Type::Integer) => {
            (0..8).map(J::from).chain(members.iter().filter_map(J::as_i64).map(|i| J::from(i.saturating_add(1)))).collect()
        }
        (_, Type::Decimal) => members.iter().filter_map(|m| step(slot, m, 1)).collect(),
        _ => Vec::new(),
    };
    candidates.into_iter().find(|c| !members.contains(c) && within_bounds(slot, c))
}

/// A slot for a field no node reads directly.
fn field_slot(leaf: Leaf, ty: &FieldType) -> Slot {
    let (value_type, scale) = match ty {
        FieldType::Integer { .. } => (Type::Integer, 0),
        FieldType::Decimal { scale, .. } => (Type::Decimal, *scale),
        FieldType::Boolean => (Type::Boolean, 0),
        FieldType::Timestamp => (Type::Timestamp, 0),
        FieldType::Date => (Type::Date, 0),
        FieldType::Json { .. } => (Type::Json, 0),
        FieldType::String { .. } | FieldType::Text { .. } | FieldType::Enum { .. } | FieldType::Uuid | FieldType::Ref { .. } => {
            (Type::String, 0)
        }
    };
    Slot { leaf, ty: value_type, scale, nullable: false, field_type: Some(ty.clone()), candidates: Vec::new() }
}

/// A typical value for a leaf, inside the field's bounds.
fn seed(slot: &Slot) -> serde_json::Value {
    use serde_json::Value as J;
    match (&slot.field_type, slot.ty) {
        (Some(FieldType::Integer { min, max }), _) => {
            J::from(100_i64.clamp(min.unwrap_or(i64::MIN), max.unwrap_or(i64::MAX).max(min.unwrap_or(i64::MIN))))
        }
        (Some(FieldType::Decimal { min, .. }), _) => {
            let hundred = Dec::from_int(100).rescale(slot.scale).map(|d| d.to_string()).unwrap_or_else(|| "100".into());
            let v = J::String(hundred);
            if within_bounds(slot, &v) { v } else { min.clone().map_or(v, J::String) }
        }
        (Some(FieldType::Enum { values }), _) => values.first().map_or(J::Null, |v| J::String(v.clone())),
        (Some(FieldType::Uuid | FieldType::Ref { .. }), _) => J::String("00000000-0000-4000-8000-000000000001".into()),
        (_, Type::Integer) => J::from(1),
        (_, Type::Decimal) => J::String("100".into()),
        (_, Type::String) => J::String("abc".into()),
        (_, Type::Boolean) => J::Bool(true),
        (_, Type::Date) => J::String("2024-01-15".into()),
        (_, Type::Timestamp) => J::String("2024-01-15T12:00:00.000Z".into()),
        (_, Type::Json | Type::Null) => serde_json::json!({ "key": "value" }),
    }
}

fn within_bounds(slot: &Slot, v: &serde_json::Value) -> bool {
    match (&slot.field_type, &slot.leaf) {
        (_, Leaf::Count(_)) => v.as_i64().is_some_and(|n| n >= 0),
        (Some(FieldType::Integer { min, max }), _) => v.as_i64().is_some_and(|n| min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m)),
        (Some(FieldType::Decimal { min, max, .. }), _) => {
            let Some(d) = v.as_str().and_then(Dec::parse) else { return false };
            let bound = |b: &Option<String>| b.as_deref().and_then(Dec::parse);
            bound(min).is_none_or(|m| d.compare(m).is_ge()) && bound(max).is_none_or(|m| d.compare(m).is_le())
        }
        (Some(FieldType::Enum { values }), _) => v.as_str().is_some_and(|s| values.iter().any(|x| x == s)),
        _ => true,
    }
}

#[derive(Debug, Clone, Copy)]
enum Extreme {
    /// Every integer at its largest allowed value, to reach overflow where the rule can.
    Largest,
    /// Every integer at zero, to reach division by zero.
    Zero,
}

fn extremes(ir: &Node) -> Vec<Extreme> {
    let mut out = Vec::new();
    let integer_arith = |n: &&Node| matches!(n.op, Op::Arith { operand: Type::Integer, .. });
    if ir.walk().iter().any(integer_arith) {
        out.push(Extreme::Largest);
    }
    if ir.walk().iter().any(|n| matches!(n.op, Op::Arith { op: ArithOp::Div, .. })) {
        out.push(Extreme::Zero);
    }
    out
}

fn extreme_value(slot: &Slot, extreme: Extreme) -> Option<serde_json::Value> {
    if slot.ty != Type::Integer || matches!(slot.leaf, Leaf::Count(_)) {
        return None;
    }
    let (min, max) = match &slot.field_type {
        Some(FieldType::Integer { min, max }) => (*min, *max),
        _ => (None, None),
    };
    let v = match extreme {
        // Validation keeps integers within what JSON carries exactly.
        Extreme::Largest => max.unwrap_or((1 << 53) - 1),
        Extreme::Zero => 0_i64.clamp(min.unwrap_or(i64::MIN), max.unwrap_or(i64::MAX)),
    };
    Some(serde_json::Value::from(v))
}

/// The input that sets every slot `i` to `value(i)`.
fn input_for(slots: &[Slot], value: impl Fn(usize) -> serde_json::Value, resource: &Resource) -> Input {
    let mut input = Input::default();
    for (i, slot) in slots.iter().enumerate() {
        let v = value(i);
        match &slot.leaf {
            Leaf::Field(name) => {
                input.fields.insert(name.clone(), v);
            }
            Leaf::Count(index) => {
                if input.counts.len() <= *index {
                    input.counts.resize(index + 1, 0);
                }
                input.counts[*index] = v.as_i64().unwrap_or(0);
            }
            Leaf::RefField { via, field } => {
                let via_optional = resource.field(via).is_some_and(|f| f.optional);
                if v.is_null() && via_optional {
                    input.fields.insert(via.clone(), serde_json::Value::Null);
                    input.refs.insert(via.clone(), serde_json::Value::Null);
                    continue;
                }
                input.fields.entry(via.clone()).or_insert_with(|| serde_json::Value::String("00000000-0000-4000-8000-000000000002".into()));
                let row = input.refs.entry(via.clone()).or_insert_with(|| serde_json::json!({}));
                if let Some(row) = row.as_object_mut() {
                    row.insert(field.clone(), v);
                }
            }
        }
    }
    input
}
