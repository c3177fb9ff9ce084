//! SQL literals for defaults and CHECK constraints.

use serde_json::Value;

use crate::model::FieldType;

/// A string constant: `'` doubled, everything else verbatim (standard_conforming_strings).
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The `default` expression of a field's manifest default. The validator has already checked the
/// value against the type, so only its SQL spelling is decided here.
pub fn default_expr(ty: &FieldType, value: &Value) -> String {
    match (ty, value) {
        // Compact JSON text, so the stored default is what the manifest says, byte for byte.
        (FieldType::Json { .. }, v) => format!("{}::jsonb", quote(&v.to_string())),
        // A decimal arrives as canonical text ("5000.00"), which is also a numeric constant.
        (FieldType::Decimal { .. }, Value::String(s)) => s.clone(),
        (_, Value::Number(n)) => n.to_string(),
        (_, Value::Bool(b)) => b.to_string(),
        (_, Value::String(s)) => quote(s),
        // The validator admits no other literal for a non-json field.
        (_, _) => "null".to_owned(),
    }
}
