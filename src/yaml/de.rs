//! A serde deserializer over a [`Node`] tree that reports problems with spans and keeps going.
//!
//! Two things make it report *every* problem at once rather than the first:
//! - unknown keys in a struct are recorded (with a "did you mean") and skipped, not fatal;
//! - a value wrapped in [`Recover`] that fails to deserialize records its error and becomes
//!   `Recover(None)`, so one broken field definition does not hide the next one.
//!
//! [`Spanned`] captures the span of any value for the semantic checks that run afterwards.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::de::value::{BorrowedStrDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer};

use super::{Node, NodeKind, Resolved};
use crate::diagnostic::{Diagnostic, Span, did_you_mean};

const SPANNED: &str = "$__skaffold_Spanned";
const RECOVER: &str = "$__skaffold_Recover";

/// A deserialization problem; becomes a [`Diagnostic`].
#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    pub span: Option<Span>,
    pub message: String,
    pub hint: Option<String>,
    /// Set on the placeholder error that travels up after the real one was recorded.
    recorded: bool,
}

impl DeError {
    fn new(message: String, hint: Option<String>) -> Self {
        Self { span: None, message, hint, recorded: false }
    }

    fn at(mut self, span: Span) -> Self {
        self.span.get_or_insert(span);
        self
    }

    pub fn into_diagnostic(self) -> Diagnostic {
        let d = Diagnostic::error(self.message).with_hint_opt(self.hint);
        match self.span {
            Some(span) => d.with_span(span),
            None => d,
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(msg.to_string(), None)
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::new(format!("expected {}, found {}", describe_expected(exp), describe_unexpected(unexp)), None)
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::new(format!("invalid value {}: expected {}", describe_unexpected(unexp), describe_expected(exp)), None)
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let hint = did_you_mean(variant, expected.iter().copied()).unwrap_or_else(|| format!("expected one of: {}", expected.join(", ")));
        Self::new(format!("unknown value `{variant}`"), Some(hint))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        unknown_key(field, expected)
    }

    fn missing_field(field: &'static str) -> Self {
        Self::new(format!("missing required key `{field}`"), None)
    }
}

fn unknown_key(field: &str, expected: &[&str]) -> DeError {
    let hint = did_you_mean(field, expected.iter().copied()).unwrap_or_else(|| format!("expected one of: {}", expected.join(", ")));
    DeError::new(format!("unknown key `{field}`"), Some(hint))
}

fn describe_expected(exp: &dyn de::Expected) -> String {
    let text = exp.to_string();
    if text.starts_with("struct ") || text.starts_with("a map") {
        "a mapping".to_owned()
    } else if text.starts_with("a sequence") {
        "a list".to_owned()
    } else if text.starts_with("enum ") || text.starts_with("variant identifier") {
        "one of the allowed values".to_owned()
    } else {
        text
    }
}

fn describe_unexpected(unexp: de::Unexpected<'_>) -> String {
    match unexp {
        de::Unexpected::Map => "a mapping".to_owned(),
        de::Unexpected::Seq => "a list".to_owned(),
        de::Unexpected::Unit => "null".to_owned(),
        de::Unexpected::Str(s) => format!("the string `{s}`"),
        other => other.to_string(),
    }
}

/// Deserializes `T` from `node`. Returns the value (if the top level itself could be built) and
/// every problem found along the way.
pub fn from_node<'a, T: Deserialize<'a>>(node: &'a Node) -> (Option<T>, Vec<DeError>) {
    let sink = RefCell::new(Vec::new());
    let result = T::deserialize(NodeDe { node, sink: &sink });
    let mut errors = sink.into_inner();
    let value = match result {
        Ok(v) => Some(v),
        Err(e) => {
            if !e.recorded {
                errors.push(e);
            }
            None
        }
    };
    errors.sort_by_key(|e| e.span.map(|s| s.start.offset));
    (value, errors)
}

#[derive(Clone, Copy)]
struct NodeDe<'a, 's> {
    node: &'a Node,
    sink: &'s RefCell<Vec<DeError>>,
}

impl<'a, 's> NodeDe<'a, 's> {
    fn at(&self, node: &'a Node) -> Self {
        Self { node, sink: self.sink }
    }

    fn wrong_type(&self, expected: &str) -> DeError {
        DeError::new(format!("expected {expected}, found {}", self.node.kind_name()), None).at(self.node.span)
    }

    fn scalar(&self) -> Option<Resolved<'a>> {
        self.node.resolve()
    }
}

macro_rules! int_methods {
    ($($method:ident => $ty:ty),*) => {$(
        fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
            match self.scalar() {
                Some(Resolved::Int(i)) => match <$ty>::try_from(i) {
                    Ok(v) => visitor.visit_i64(i64::try_from(v).unwrap_or(i)),
                    Err(_) => Err(DeError::new(format!("{i} is out of range"), None)),
                },
                _ => Err(self.wrong_type("an integer")),
            }
            .map_err(|e| e.at(self.node.span))
        }
    )*};
}

impl<'a> Deserializer<'a> for NodeDe<'a, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        let span = self.node.span;
        match &self.node.kind {
            NodeKind::Scalar { .. } => match self.scalar() {
                Some(Resolved::Null) => visitor.visit_unit(),
                Some(Resolved::Bool(b)) => visitor.visit_bool(b),
                Some(Resolved::Int(i)) => visitor.visit_i64(i),
                Some(Resolved::Float(f)) => visitor.visit_f64(f),
                Some(Resolved::Str(s)) => visitor.visit_borrowed_str(s),
                None => Err(self.wrong_type("a scalar")),
            },
            NodeKind::Seq(items) => visitor.visit_seq(SeqAccess { items: items.iter(), de: self }),
            NodeKind::Map(entries) => visitor.visit_map(MapAccess { entries: entries.iter(), value: None, de: self, known: None }),
        }
        .map_err(|e| e.at(span))
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.scalar() {
            Some(Resolved::Bool(b)) => visitor.visit_bool(b).map_err(|e: DeError| e.at(self.node.span)),
            _ => Err(self.wrong_type("`true` or `false`")),
        }
    }

    int_methods!(deserialize_i8 => i8, deserialize_i16 => i16, deserialize_i32 => i32, deserialize_i64 => i64,
        deserialize_u8 => u8, deserialize_u16 => u16, deserialize_u32 => u32, deserialize_u64 => u64);

    fn deserialize_f32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.scalar() {
            #[allow(clippy::cast_precision_loss)]
            Some(Resolved::Int(i)) => visitor.visit_f64(i as f64),
            Some(Resolved::Float(f)) => visitor.visit_f64(f),
            _ => Err(self.wrong_type("a number")),
        }
        .map_err(|e| e.at(self.node.span))
    }

    fn deserialize_char<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match (&self.node.kind, self.scalar()) {
            (_, Some(Resolved::Null)) => Err(self.wrong_type("a string")),
            (NodeKind::Scalar { value, .. }, _) => visitor.visit_borrowed_str(value).map_err(|e: DeError| e.at(self.node.span)),
            _ => Err(self.wrong_type("a string")),
        }
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.scalar() {
            Some(Resolved::Null) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.scalar() {
            Some(Resolved::Null) => visitor.visit_unit(),
            _ => Err(self.wrong_type("null")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        if name == RECOVER { visitor.visit_newtype_struct(RecoveringDe(self)) } else { visitor.visit_newtype_struct(self) }
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            NodeKind::Seq(items) => visitor.visit_seq(SeqAccess { items: items.iter(), de: self }).map_err(|e| e.at(self.node.span)),
            _ => Err(self.wrong_type("a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(self, _name: &'static str, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            NodeKind::Map(entries) => visitor
                .visit_map(MapAccess { entries: entries.iter(), value: None, de: self, known: None })
                .map_err(|e| e.at(self.node.span)),
            _ => Err(self.wrong_type("a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == SPANNED {
            return visitor.visit_map(SpannedAccess { de: self, state: 0 });
        }
        match &self.node.kind {
            NodeKind::Map(entries) => visitor
                .visit_map(MapAccess { entries: entries.iter(), value: None, de: self, known: Some(fields) })
                .map_err(|e| e.at(self.node.span)),
            _ => Err(self.wrong_type("a mapping")),
        }
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match &self.node.kind {
            NodeKind::Scalar { value, .. } if self.scalar() != Some(Resolved::Null) => {
                visitor.visit_enum(EnumAccess { tag: value, tag_span: self.node.span, value: None, de: self })
            }
            NodeKind::Map(entries) if entries.len() == 1 => {
                let (key, value) = &entries[0];
                let tag = key.as_str().unwrap_or_default();
                visitor.visit_enum(EnumAccess { tag, tag_span: key.span, value: Some(value), de: self })
            }
            _ => Err(self.wrong_type(&format!("one of: {}", variants.join(", ")))),
        }
        .map_err(|e| e.at(self.node.span))
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqAccess<'a, 's, I: Iterator<Item = &'a Node>> {
    items: I,
    de: NodeDe<'a, 's>,
}

impl<'a, 's, I: Iterator<Item = &'a Node>> de::SeqAccess<'a> for SeqAccess<'a, 's, I> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some(node) => seed.deserialize(self.de.at(node)).map(Some).map_err(|e| e.at(node.span)),
            None => Ok(None),
        }
    }
}

struct MapAccess<'a, 's, I: Iterator<Item = &'a (Node, Node)>> {
    entries: I,
    value: Option<&'a Node>,
    de: NodeDe<'a, 's>,
    /// For structs: the keys the target accepts. Other keys are recorded and skipped.
    known: Option<&'static [&'static str]>,
}

impl<'a, 's, I: Iterator<Item = &'a (Node, Node)>> de::MapAccess<'a> for MapAccess<'a, 's, I> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        for (key, value) in self.entries.by_ref() {
            if let Some(known) = self.known {
                let name = key.as_str().unwrap_or_default();
                if !known.contains(&name) {
                    self.de.sink.borrow_mut().push(unknown_key(name, known).at(key.span));
                    continue;
                }
            }
            self.value = Some(value);
            return seed.deserialize(self.de.at(key)).map(Some).map_err(|e| e.at(key.span));
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let node = self.value.take().ok_or_else(|| DeError::new("value requested before its key".to_owned(), None))?;
        seed.deserialize(self.de.at(node)).map_err(|e| e.at(node.span))
    }
}

struct EnumAccess<'a, 's> {
    tag: &'a str,
    tag_span: Span,
    value: Option<&'a Node>,
    de: NodeDe<'a, 's>,
}

impl<'a, 's> de::EnumAccess<'a> for EnumAccess<'a, 's> {
    type Error = DeError;
    type Variant = VariantAccess<'a, 's>;

    fn variant_seed<V: DeserializeSeed<'a>>(self, seed: V) -> Result<(V::Value, Self::Variant), DeError> {
        let tag: BorrowedStrDeserializer<'a, DeError> = BorrowedStrDeserializer::new(self.tag);
        let variant = seed.deserialize(tag).map_err(|e| e.at(self.tag_span))?;
        Ok((variant, VariantAccess { value: self.value, de: self.de }))
    }
}

struct VariantAccess<'a, 's> {
    value: Option<&'a Node>,
    de: NodeDe<'a, 's>,
}

impl<'a> de::VariantAccess<'a> for VariantAccess<'a, '_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.value {
            None => Ok(()),
            Some(node) if node.resolve() == Some(Resolved::Null) => Ok(()),
            Some(node) => Err(DeError::new("this value takes no options".to_owned(), None).at(node.span)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<T::Value, DeError> {
        match self.value {
            Some(node) => seed.deserialize(self.de.at(node)),
            None => Err(DeError::new("this value needs options".to_owned(), None).at(self.de.node.span)),
        }
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Some(node) => self.de.at(node).deserialize_seq(visitor),
            None => Err(DeError::new("this value needs a list".to_owned(), None).at(self.de.node.span)),
        }
    }

    fn struct_variant<V: Visitor<'a>>(self, fields: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Some(node) => self.de.at(node).deserialize_struct("", fields, visitor),
            None => Err(DeError::new("this value needs options".to_owned(), None).at(self.de.node.span)),
        }
    }
}

/// Yields the two entries a [`Spanned`] is built from: the span, then the value.
struct SpannedAccess<'a, 's> {
    de: NodeDe<'a, 's>,
    state: u8,
}

impl<'a> de::MapAccess<'a> for SpannedAccess<'a, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let key = match self.state {
            0 => "span",
            1 => "value",
            _ => return Ok(None),
        };
        seed.deserialize(BorrowedStrDeserializer::<DeError>::new(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        self.state += 1;
        if self.state == 1 {
            let s = self.de.node.span;
            let parts = [s.start.line, s.start.col, s.start.offset, s.end.line, s.end.col, s.end.offset];
            seed.deserialize(SeqDeserializer::<_, DeError>::new(parts.into_iter().map(|n| n.into_deserializer())))
        } else {
            seed.deserialize(self.de)
        }
    }
}

/// A deserializer that records any error of the value below it and hands up a placeholder, so the
/// [`Recover`] above can carry on with `None`.
struct RecoveringDe<'a, 's>(NodeDe<'a, 's>);

impl RecoveringDe<'_, '_> {
    fn record<T>(&self, result: Result<T, DeError>) -> Result<T, DeError> {
        result.map_err(|e| {
            if !e.recorded {
                self.0.sink.borrow_mut().push(e);
            }
            DeError { recorded: true, ..DeError::new(String::new(), None) }
        })
    }
}

macro_rules! recovering {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {$(
        fn $method<V: Visitor<'a>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, DeError> {
            let result = self.0.$method($($arg,)* visitor);
            self.record(result)
        }
    )*};
}

impl<'a> Deserializer<'a> for RecoveringDe<'a, '_> {
    type Error = DeError;

    recovering!(
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(), deserialize_i32(), deserialize_i64(),
        deserialize_u8(), deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_f32(), deserialize_f64(),
        deserialize_char(), deserialize_str(), deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str), deserialize_seq(), deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize), deserialize_map(),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]), deserialize_identifier(),
        deserialize_ignored_any(),
    );
}

/// A value together with where it was written.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    pub span: Span,
    pub value: T,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Self { span, value }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Spanned<T> {}

impl<T: std::hash::Hash> std::hash::Hash for Spanned<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpannedVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let _: Option<&str> = map.next_key()?;
                let [sl, sc, so, el, ec, eo]: [usize; 6] = map.next_value()?;
                let _: Option<&str> = map.next_key()?;
                let value = map.next_value()?;
                let at = |line, col, offset| crate::diagnostic::Pos { line, col, offset };
                Ok(Spanned { span: Span { start: at(sl, sc, so), end: at(el, ec, eo) }, value })
            }
        }
        deserializer.deserialize_struct(SPANNED, &["span", "value"], SpannedVisitor(PhantomData))
    }
}

/// For `#[serde(default, deserialize_with = "lenient")]` on optional keys: a value that fails to
/// deserialize is recorded and replaced by the default, so the rest of its struct is still read.
pub fn lenient<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(deserializer: D) -> Result<T, D::Error> {
    Ok(Recover::<T>::deserialize(deserializer)?.0.unwrap_or_default())
}

/// A value whose failure to deserialize is recorded and does not stop its siblings.
#[derive(Debug, Clone)]
pub struct Recover<T>(pub Option<T>);

impl<T: JsonSchema> JsonSchema for Recover<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        generator.subschema_for::<T>()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Recover<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RecoverVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for RecoverVisitor<T> {
            type Value = Recover<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
                // The recovering deserializer has already recorded whatever went wrong.
                Ok(Recover(T::deserialize(deserializer).ok()))
            }
        }
        deserializer.deserialize_newtype_struct(RECOVER, RecoverVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;

    use super::*;
    use crate::yaml::{Limits, parse};

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Field {
        #[serde(rename = "type")]
        ty: Spanned<String>,
        #[serde(default)]
        max: Option<i64>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        name: Spanned<String>,
        fields: IndexMap<Spanned<String>, Recover<Field>>,
    }

    #[test]
    fn reports_every_problem_and_keeps_the_rest() {
        let src = "name: x\nfields:\n  a: { type: string, maxx: 3 }\n  b: { type: integer, max: lots }\n  c: { type: text }\nextra: 1\n";
        let node = parse(src, Limits::default()).unwrap();
        let (doc, errors) = from_node::<Doc>(&node);
        let doc = doc.expect("top level builds");
        let messages: Vec<_> = errors.iter().map(|e| (e.message.as_str(), e.span.map(|s| (s.start.line, s.start.col)))).collect();
        assert_eq!(
            messages,
            vec![
                ("unknown key `maxx`", Some((3, 22))),
                ("expected an integer, found a string", Some((4, 28))),
                ("unknown key `extra`", Some((6, 1))),
            ]
        );
        assert_eq!(errors[0].hint.as_deref(), Some("did you mean `max`?"));
        assert_eq!(doc.fields[0].0.as_ref().unwrap().max, None);
        assert!(doc.fields[1].0.is_none(), "the broken field is recovered as None");
        assert_eq!(doc.fields[2].0.as_ref().unwrap().ty.value, "text");
        assert_eq!((doc.name.span.start.col, doc.name.span.end.col), (7, 8));
    }

    #[test]
    fn missing_keys_point_at_their_mapping() {
        let node = parse("fields: {}\n", Limits::default()).unwrap();
        let (_, errors) = from_node::<Doc>(&node);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "missing required key `name`");
        assert_eq!(errors[0].span.unwrap().start.line, 1);
    }
}
