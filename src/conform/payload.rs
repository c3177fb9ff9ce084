//! Request bodies made from the manifest: valid ones that pass every field constraint and no reject
//! rule, and invalid ones where every writable field is wrong at once.
//!
//! Values differ from call to call (a run nonce and a counter), so unique fields never collide,
//! not even with rows a previous run left behind.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value, json};

use crate::decimal::Dec;
use crate::manifest::sample::sample;
use crate::model::{Field, FieldType, Resource, StringFormat};

/// The instant and day used for `timestamp` and `date` fields.
const TIMESTAMP: &str = "2026-11-24T10:00:00.123Z";
const DATE: &str = "2026-11-24";

/// Hands out distinct numbers for generated values.
#[derive(Debug)]
pub struct Values {
    nonce: u64,
    counter: AtomicU64,
}

impl Values {
    pub fn new(nonce: u64) -> Self {
        Self { nonce: nonce % 1_000_000, counter: AtomicU64::new(0) }
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// A tag that is new on every call: `<nonce>x<counter>`.
    pub fn tag(&self) -> String {
        format!("{}x{}", self.nonce, self.next())
    }

    /// A valid value for `field` other than a ref (the caller creates the referenced row), or
    /// `None` when no valid value can be made (an unusual pattern).
    pub fn valid(&self, field: &Field) -> Option<Value> {
        // A field's default is the value the manifest's author had in mind, so rules written
        // against the rest of the row see what they expect (a credit limit, not its minimum).
        if let Some(default) = &field.default
            && !field.unique
        {
            return Some(default.clone());
        }
        let n = self.next();
        Some(match &field.ty {
            FieldType::String { min_length, max_length, pattern, format, .. } => {
                let text = match (pattern, format) {
                    (Some(p), _) => return self.patterned(p, n).map(Value::String),
                    (None, Some(StringFormat::Email)) => format!("c{}x{n}@example.com", self.nonce),
                    (None, Some(StringFormat::Uri)) => format!("https://example.com/{}/{n}", self.nonce),
                    (None, Some(StringFormat::Uuid)) => uuid_like(self.nonce, n),
                    (None, None) => format!("conform {} {n}", self.nonce),
                };
                json!(fit(&text, min_length.unwrap_or(0), *max_length))
            }
            FieldType::Text { max_length } => json!(fit(&format!("conform text {} {n}", self.nonce), 0, *max_length)),
            FieldType::Integer { min, max } => json!(integer(*min, *max)),
            FieldType::Decimal { precision, scale, min, max } => json!(decimal(*precision, *scale, min.as_deref(), max.as_deref())?),
            FieldType::Boolean => json!(false),
            FieldType::Timestamp => json!(TIMESTAMP),
            FieldType::Date => json!(DATE),
            FieldType::Enum { values } => field.default.clone().unwrap_or_else(|| json!(values.first())),
            FieldType::Uuid => json!(uuid_like(self.nonce, n)),
            FieldType::Ref { .. } => return None,
            FieldType::Json { .. } => json!({ "conform": n }),
        })
    }

    fn patterned(&self, pattern: &str, n: u64) -> Option<String> {
        // Mixed with the run's nonce, so reruns against one database start elsewhere among the
        // pattern's strings and unique fields do not collide with rows left by earlier runs.
        sample(pattern, self.nonce.wrapping_mul(7919).wrapping_add(n))
    }
}

/// A value of the wrong JSON type or shape for `field`, and what the service must say about it.
pub fn invalid(field: &Field) -> Option<Value> {
    Some(match &field.ty {
        FieldType::String { .. } | FieldType::Text { .. } => json!(12345),
        FieldType::Integer { .. } => json!("twelve"),
        FieldType::Decimal { .. } => json!("twelve"),
        FieldType::Boolean => json!("yes"),
        FieldType::Timestamp => json!("yesterday"),
        FieldType::Date => json!("2026-13-45"),
        FieldType::Enum { .. } => json!("conform-not-a-value"),
        FieldType::Uuid | FieldType::Ref { .. } => json!("not-a-uuid"),
        FieldType::Json { .. } => return None,
    })
}

/// A valid body for `resource` given values for its ref fields: every field a client may set on
/// create, so optional fields are exercised too.
pub fn create_body(values: &Values, resource: &Resource, refs: &Map<String, Value>) -> Result<Value, String> {
    let mut body = Map::new();
    for field in resource.fields.iter().filter(|f| f.writable_on_create()) {
        let value = match &field.ty {
            FieldType::Ref { .. } => refs.get(&field.name).cloned(),
            _ => values.valid(field),
        };
        match value {
            Some(v) => {
                body.insert(field.name.clone(), v);
            }
            None if field.optional || field.default.is_some() => {}
            None => return Err(format!("cannot make a valid value for {}.{}", resource.name, field.name)),
        }
    }
    Ok(Value::Object(body))
}

fn fit(text: &str, min: u32, max: u32) -> String {
    let mut out: String = text.chars().take(max as usize).collect();
    while out.chars().count() < min as usize {
        out.push('x');
    }
    out
}

fn integer(min: Option<i64>, max: Option<i64>) -> i64 {
    let value = min.unwrap_or(1);
    max.map_or(value, |m| value.min(m))
}

/// One, or the nearest value the field allows, written with exactly `scale` digits.
fn decimal(precision: u32, scale: u32, min: Option<&str>, max: Option<&str>) -> Option<String> {
    Dec::within(precision, scale, min, max, Dec::from_int(1)).map(|d| d.to_string())
}

/// A UUID-shaped value (version 4 layout) built from two numbers, distinct for distinct inputs.
pub fn uuid_like(a: u64, b: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a & 0xffff_ffff,
        (b >> 32) & 0xffff,
        (b >> 20) & 0xfff,
        (b >> 8) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(src: &str) -> crate::model::Service {
        crate::manifest::load(src, crate::manifest::CheckContext { src, stacks: &[] }).expect("valid")
    }

    #[test]
    fn valid_values_meet_the_field_constraints() {
        let s = service(
            "skaffold: 1\nname: shop\nresources:\n  item:\n    fields:\n      code: { type: string, unique: true, pattern: \"^INV-[0-9]{6}$\" }\n      email: { type: string, format: email }\n      brief: { type: string, min_length: 3, max_length: 4 }\n      price: { type: decimal, precision: 6, scale: 2, min: \"0.01\", max: \"0.50\" }\n      qty: { type: integer, min: 5 }\n",
        );
        let values = Values::new(123_456);
        let item = &s.resources[0];
        let body = create_body(&values, item, &Map::new()).unwrap();
        let code = body["code"].as_str().unwrap();
        assert!(regex::Regex::new("^INV-[0-9]{6}$").unwrap().is_match(code), "{code}");
        assert!(body["email"].as_str().unwrap().contains('@'));
        assert!((3..=4).contains(&body["brief"].as_str().unwrap().chars().count()));
        assert_eq!(body["price"], "0.50");
        assert_eq!(body["qty"], 5);
        let again = create_body(&values, item, &Map::new()).unwrap();
        assert_ne!(again["code"], body["code"], "unique fields get a new value each time");
    }

    #[test]
    fn decimals_are_written_at_their_scale() {
        assert_eq!(decimal(12, 2, Some("0"), None).as_deref(), Some("1.00"));
        assert_eq!(decimal(12, 2, Some("5000"), None).as_deref(), Some("5000.00"));
        assert_eq!(decimal(4, 0, None, Some("-3")).as_deref(), Some("-3"));
        assert_eq!(uuid_like(1, 2).len(), 36);
    }
}
