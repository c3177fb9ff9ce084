//! Durations (`500ms`, `3s`, `5m`, `1h`, `24h`, `7d`) and sizes (`512KiB`, `1MiB`, `8192`).

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

/// A duration written with a unit, kept in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    pub millis: u64,
}

impl Duration {
    pub const fn from_millis(millis: u64) -> Self {
        Self { millis }
    }

    pub fn seconds(self) -> u64 {
        self.millis / 1000
    }

    pub fn parse(text: &str) -> Option<Self> {
        let split = text.find(|c: char| !c.is_ascii_digit())?;
        let (digits, unit) = text.split_at(split);
        let n: u64 = digits.parse().ok()?;
        let factor = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return None,
        };
        n.checked_mul(factor).filter(|ms| *ms > 0).map(Self::from_millis)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as `500ms`, `3s`, `5m`, `1h` or `7d`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                Duration::parse(v).ok_or_else(|| {
                    E::custom(format!("`{v}` is not a duration: write a positive number and a unit (ms, s, m, h, d), such as `30s`"))
                })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                Err(E::custom(format!("`{v}` has no unit: write `{v}s`, `{v}ms`, ...")))
            }
        }
        deserializer.deserialize_str(V)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9]+(ms|s|m|h|d)$",
            "description": "A duration: a number and a unit (ms, s, m, h, d), such as `30s` or `24h`.",
            "examples": ["500ms", "30s", "5m", "24h"]
        })
    }
}

/// A size in bytes, written as a plain number or with a binary unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub bytes: u64,
}

impl Size {
    pub fn parse(text: &str) -> Option<Self> {
        let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (digits, unit) = text.split_at(split);
        let n: u64 = digits.parse().ok()?;
        let factor: u64 = match unit {
            "" | "B" => 1,
            "KiB" => 1 << 10,
            "MiB" => 1 << 20,
            "GiB" => 1 << 30,
            _ => return None,
        };
        n.checked_mul(factor).filter(|b| *b > 0).map(|bytes| Self { bytes })
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Size;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size such as `8192`, `512KiB` or `1MiB`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Size, E> {
                Size::parse(v)
                    .ok_or_else(|| E::custom(format!("`{v}` is not a size: write bytes, or a number with KiB, MiB or GiB, such as `1MiB`")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Size, E> {
                u64::try_from(v)
                    .ok()
                    .filter(|b| *b > 0)
                    .map(|bytes| Size { bytes })
                    .ok_or_else(|| E::custom("a size must be a positive number of bytes"))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl JsonSchema for Size {
    fn schema_name() -> Cow<'static, str> {
        "Size".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A size in bytes: a number, or a number with KiB, MiB or GiB.",
            "oneOf": [
                { "type": "integer", "minimum": 1 },
                { "type": "string", "pattern": "^[0-9]+(B|KiB|MiB|GiB)?$" }
            ],
            "examples": [8192, "512KiB", "1MiB"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations_and_sizes() {
        assert_eq!(Duration::parse("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(Duration::parse("24h").map(Duration::seconds), Some(86_400));
        assert_eq!(Duration::parse("7d").map(Duration::seconds), Some(604_800));
        for bad in ["", "5", "ms", "1.5s", "0s", "3 s", "1w", "-1s"] {
            assert_eq!(Duration::parse(bad), None, "{bad}");
        }
        assert_eq!(Size::parse("1MiB").map(|s| s.bytes), Some(1_048_576));
        assert_eq!(Size::parse("8192").map(|s| s.bytes), Some(8192));
        assert_eq!(Size::parse("1MB"), None);
    }
}
