//! Deterministic example values, built from the field types alone.
//!
//! Every example must validate against the schema it illustrates (a test checks this). Where a
//! valid value cannot be guaranteed, a pattern the sampler cannot satisfy, the value is left out:
//! an optional field becomes `null` or is omitted, and a schema whose required field has no value
//! gets no example at all rather than a wrong one.

use serde_json::{Map, Value, json};

use crate::decimal::Dec;
use crate::manifest::sample::sample;
use crate::model::{Field, FieldType, Resource, Service, StringFormat, Transform};

/// The instant every example happened at (the contract's own example timestamp).
pub(crate) const TIMESTAMP: &str = "2026-11-24T10:00:00.123Z";
const DATE: &str = "2026-11-24";
/// A UUID for `uuid` fields that reference nothing in the service.
const FREE_UUID: &str = "0193a7c1-5b2e-7d4f-8a6b-9c0d1e2f3a4b";

/// The example id of the resource at `index`: UUIDv7-shaped, distinct per resource, so a `ref`
/// field's example points at its target's example.
pub(crate) fn resource_id(index: usize) -> String {
    format!("0193a7c1-5b2e-7d4f-8a6b-{:012x}", index + 1)
}

fn resource_index(service: &Service, name: &str) -> usize {
    service.resources.iter().position(|r| r.name == name).unwrap_or(0)
}

/// The example representation of `resource`, as `GET` returns it.
pub(crate) fn representation(service: &Service, resource: &Resource) -> Option<Value> {
    let mut row = Map::new();
    row.insert("id".into(), json!(resource_id(resource_index(service, &resource.name))));
    for field in &resource.fields {
        match field_value(service, field) {
            Some(value) => row.insert(field.name.clone(), value),
            None if field.optional => row.insert(field.name.clone(), Value::Null),
            None => return None,
        };
    }
    if resource.has_flags {
        row.insert("flags".into(), json!([]));
    }
    row.insert("version".into(), json!(1));
    row.insert("created_at".into(), json!(TIMESTAMP));
    row.insert("updated_at".into(), json!(TIMESTAMP));
    Some(Value::Object(row))
}

/// An example create body: every writable field that has a value.
pub(crate) fn create_body(service: &Service, resource: &Resource) -> Option<Value> {
    let mut body = Map::new();
    for field in resource.fields.iter().filter(|f| f.writable_on_create()) {
        match field_value(service, field) {
            Some(value) => {
                body.insert(field.name.clone(), value);
            }
            None if field.optional || field.default.is_some() => {}
            None => return None,
        }
    }
    Some(Value::Object(body))
}

/// An example merge patch: the first updatable field that has a value, or `{}`.
pub(crate) fn update_body(service: &Service, resource: &Resource) -> Value {
    let mut body = Map::new();
    if let Some((field, value)) =
        resource.fields.iter().filter(|f| f.writable_on_update()).find_map(|f| field_value(service, f).map(|v| (f, v)))
    {
        body.insert(field.name.clone(), value);
    }
    Value::Object(body)
}

/// An example value of `field`, or `None` when no valid value can be guaranteed.
pub(crate) fn field_value(service: &Service, field: &Field) -> Option<Value> {
    if let Some(default) = &field.default {
        return Some(default.clone());
    }
    match &field.ty {
        FieldType::String { min_length, max_length, pattern, format, transforms } => {
            let candidate = match format {
                Some(StringFormat::Email) => "ada@example.com".to_owned(),
                Some(StringFormat::Uri) => format!("https://example.com/{}", field.name.replace('_', "-")),
                Some(StringFormat::Uuid) => FREE_UUID.to_owned(),
                None => match pattern {
                    Some(pattern) => sample(pattern, 0)?,
                    None => fit(&format!("example {}", field.name.replace('_', " ")), min_length.unwrap_or(0), *max_length),
                },
            };
            let value = transformed(&candidate, transforms);
            string_fits(&value, *min_length, *max_length, pattern.as_deref()).then(|| json!(value))
        }
        FieldType::Text { max_length } => Some(json!(fit(&format!("Example {}.", field.name.replace('_', " ")), 0, *max_length))),
        FieldType::Integer { min, max } => {
            Some(json!(100_i64.clamp(min.unwrap_or(i64::MIN), max.unwrap_or(i64::MAX).max(min.unwrap_or(i64::MIN)))))
        }
        FieldType::Decimal { precision, scale, min, max } => decimal(*precision, *scale, min.as_deref(), max.as_deref()).map(Value::String),
        FieldType::Boolean => Some(json!(true)),
        FieldType::Timestamp => Some(json!(TIMESTAMP)),
        FieldType::Date => Some(json!(DATE)),
        FieldType::Enum { values } => values.first().map(|v| json!(v)),
        FieldType::Uuid => Some(json!(FREE_UUID)),
        FieldType::Ref { resource } => Some(json!(resource_id(resource_index(service, resource)))),
        FieldType::Json { max_bytes } => Some(if max_bytes.is_some_and(|m| m < 32) { json!({}) } else { json!({ "source": "example" }) }),
    }
}

/// `text` cut to `max` characters, padded with `x` up to `min`.
fn fit(text: &str, min: u32, max: u32) -> String {
    let mut out: String = text.chars().take(max as usize).collect();
    while (out.chars().count() as u32) < min {
        out.push('x');
    }
    out
}

fn transformed(value: &str, transforms: &[Transform]) -> String {
    transforms.iter().fold(value.to_owned(), |v, t| match t {
        Transform::Trim => v.trim().to_owned(),
        Transform::Lower => v.to_lowercase(),
    })
}

/// Whether `value` meets the field's constraints as the service checks them (after transforms).
fn string_fits(value: &str, min: Option<u32>, max: u32, pattern: Option<&str>) -> bool {
    let length = value.chars().count() as u32;
    let pattern_ok = pattern.is_none_or(|p| regex::Regex::new(p).is_ok_and(|re| re.is_match(value)));
    length >= min.unwrap_or(0) && length <= max && pattern_ok
}

/// `10` with `scale` digits, moved into the field's bounds and precision.
fn decimal(precision: u32, scale: u32, min: Option<&str>, max: Option<&str>) -> Option<String> {
    Dec::within(precision, scale, min, max, Dec::from_int(10)).map(|d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_satisfy_their_patterns() {
        for pattern in ["^[A-Z]{2}$", "^INV-[0-9]{6}$", "^[A-Z]{2}[0-9A-Z]{2,12}$", "^(foo|bar)+baz?$", r"^\d{3}-[a-z]+$"] {
            let value = sample(pattern, 0).unwrap();
            assert!(regex::Regex::new(pattern).unwrap().is_match(&value), "{pattern} -> {value}");
        }
    }

    #[test]
    fn decimals_respect_scale_and_bounds() {
        assert_eq!(decimal(12, 2, Some("0.01"), Some("9999999.99")).as_deref(), Some("10.00"));
        assert_eq!(decimal(4, 2, Some("-5.00"), Some("-1.00")).as_deref(), Some("-1.00"));
        assert_eq!(decimal(3, 0, None, Some("7")).as_deref(), Some("7"));
        assert_eq!(decimal(2, 2, None, None).as_deref(), Some("0.99"));
    }
}
