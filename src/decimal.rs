//! Exact fixed-point decimals, wherever skaffold handles a `decimal` value: manifest bounds and
//! defaults, the rule evaluator behind the shared test vectors, OpenAPI examples and conformance
//! payloads. Floats would make `0.10 + 0.20` differ between stacks; these never do.

use std::cmp::Ordering;
use std::fmt;

/// The most digits a decimal may carry, as PostgreSQL's `numeric(38, s)`; beyond is an overflow.
pub const MAX_DIGITS: u32 = 38;

/// `units / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dec {
    pub units: i128,
    pub scale: u32,
}

fn limit() -> i128 {
    10_i128.pow(MAX_DIGITS)
}

impl Dec {
    pub fn from_int(i: i64) -> Dec {
        Dec { units: i128::from(i), scale: 0 }
    }

    /// Parses `12.50`, `-3` or `007.1`; the scale is the number of digits written after the point.
    pub fn parse(text: &str) -> Option<Dec> {
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits_ok(int) || !digits_ok(frac) || (body.contains('.') && frac.is_empty()) {
            return None;
        }
        let scale = u32::try_from(frac.len()).ok().filter(|s| *s <= MAX_DIGITS)?;
        let mut units: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            units = units.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        Dec { units: if negative { -units } else { units }, scale }.checked()
    }

    fn checked(self) -> Option<Dec> {
        (self.units.abs() < limit()).then_some(self)
    }

    /// The same value with `scale` digits after the point, if it fits.
    pub fn rescale(self, scale: u32) -> Option<Dec> {
        if scale < self.scale {
            return None;
        }
        let factor = 10_i128.checked_pow(scale - self.scale)?;
        Dec { units: self.units.checked_mul(factor)?, scale }.checked()
    }

    fn aligned(self, other: Dec) -> Option<(i128, i128, u32)> {
        let scale = self.scale.max(other.scale);
        Some((self.rescale(scale)?.units, other.rescale(scale)?.units, scale))
    }

    pub fn checked_add(self, other: Dec) -> Option<Dec> {
        let (a, b, scale) = self.aligned(other)?;
        Dec { units: a.checked_add(b)?, scale }.checked()
    }

    pub fn checked_sub(self, other: Dec) -> Option<Dec> {
        let (a, b, scale) = self.aligned(other)?;
        Dec { units: a.checked_sub(b)?, scale }.checked()
    }

    pub fn checked_mul(self, other: Dec) -> Option<Dec> {
        Dec { units: self.units.checked_mul(other.units)?, scale: self.scale + other.scale }.checked()
    }

    pub fn negated(self) -> Dec {
        Dec { units: -self.units, scale: self.scale }
    }

    /// Compares by value, so `1000.00` equals `1000`. Exact for any two scales: integer parts
    /// first, then the fractions, which always fit once aligned because each is below `10^scale`.
    pub fn compare(self, other: Dec) -> Ordering {
        let split = |d: Dec| {
            let one = 10_i128.pow(d.scale);
            (d.units / one, d.units % one)
        };
        let ((ia, fa), (ib, fb)) = (split(self), split(other));
        let scale = self.scale.max(other.scale);
        let widen = |f: i128, s: u32| f * 10_i128.pow(scale - s);
        ia.cmp(&ib).then_with(|| widen(fa, self.scale).cmp(&widen(fb, other.scale)))
    }
}

/// Why a value does not fit `numeric(precision, scale)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitError {
    /// More digits after the point than the scale (other than trailing zeros).
    Fraction,
    /// More digits before the point than `precision - scale`.
    Digits,
}

impl Dec {
    /// The value as `numeric(precision, scale)` stores it: exactly `scale` digits after the point.
    pub fn fit(self, precision: u32, scale: u32) -> Result<Dec, FitError> {
        let mut d = self;
        while d.scale > scale {
            if d.units % 10 != 0 {
                return Err(FitError::Fraction);
            }
            d = Dec { units: d.units / 10, scale: d.scale - 1 };
        }
        let d = d.rescale(scale).ok_or(FitError::Digits)?;
        let limit = 10_u128.checked_pow(precision).ok_or(FitError::Digits)?;
        if d.units.unsigned_abs() >= limit { Err(FitError::Digits) } else { Ok(d) }
    }

    /// `preferred` moved into what `numeric(precision, scale)` and the bounds allow, at `scale`;
    /// `None` when the bounds leave nothing (or do not parse).
    pub fn within(precision: u32, scale: u32, min: Option<&str>, max: Option<&str>, preferred: Dec) -> Option<Dec> {
        let limit = 10_i128.checked_pow(precision)? - 1;
        let at_scale = |text: &str| Some(Dec::parse(text)?.rescale(scale)?.units);
        let low = min.map_or(Some(-limit), at_scale)?.max(-limit);
        let high = max.map_or(Some(limit), at_scale)?.min(limit);
        let preferred = preferred.rescale(scale).map_or(limit, |d| d.units);
        (low <= high).then(|| Dec { units: preferred.clamp(low, high), scale })
    }
}

/// Canonical text: the digits at the value's own scale, no leading zeros, `-` only when non-zero.
impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.units.unsigned_abs().to_string();
        let scale = self.scale as usize;
        let padded = if digits.len() <= scale { format!("{}{digits}", "0".repeat(scale + 1 - digits.len())) } else { digits };
        let sign = if self.units < 0 { "-" } else { "" };
        let (int, frac) = padded.split_at(padded.len() - scale);
        if scale == 0 { write!(f, "{sign}{int}") } else { write!(f, "{sign}{int}.{frac}") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dec {
        Dec::parse(s).unwrap()
    }

    #[test]
    fn parses_and_prints_canonically() {
        assert_eq!(d("007.10").to_string(), "7.10");
        assert_eq!(d("-0.05").to_string(), "-0.05");
        assert_eq!(d("-0.00").to_string(), "0.00");
        assert_eq!(d("12").to_string(), "12");
        for bad in ["", "1.", ".5", "1e3", "--1", "1.2.3"] {
            assert_eq!(Dec::parse(bad), None, "{bad}");
        }
        assert_eq!(Dec::parse(&"9".repeat(39)), None);
    }

    #[test]
    fn arithmetic_is_exact() {
        assert_eq!(d("0.10").checked_add(d("0.2")).unwrap().to_string(), "0.30");
        assert_eq!(d("1.5").checked_mul(d("1.5")).unwrap().to_string(), "2.25");
        assert_eq!(d("1").checked_sub(d("0.001")).unwrap().to_string(), "0.999");
        assert_eq!(d("1000.00").compare(Dec::from_int(1000)), Ordering::Equal);
        assert_eq!(d("-1.5").compare(d("-1.25")), Ordering::Less);
        assert_eq!(d(&"9".repeat(38)).checked_add(d("1")), None);
        assert_eq!(d(&"9".repeat(20)).checked_mul(d(&"9".repeat(20))), None);
    }

    #[test]
    fn values_fit_their_column() {
        assert_eq!(d("12.5").fit(10, 2).map(|d| d.to_string()), Ok("12.50".into()));
        assert_eq!(d("12.500").fit(10, 2).map(|d| d.to_string()), Ok("12.50".into()));
        assert_eq!(d("12.345").fit(10, 2), Err(FitError::Fraction));
        assert_eq!(d("123456789").fit(10, 2), Err(FitError::Digits));
        assert_eq!(d("-0.00").fit(3, 2).map(|d| d.to_string()), Ok("0.00".into()));
    }

    #[test]
    fn a_preferred_value_is_moved_within_bounds() {
        let within = |p, s, lo, hi, want: i64| Dec::within(p, s, lo, hi, Dec::from_int(want)).map(|d| d.to_string());
        assert_eq!(within(12, 2, Some("0.01"), Some("9999999.99"), 10).as_deref(), Some("10.00"));
        assert_eq!(within(4, 2, Some("-5.00"), Some("-1.00"), 10).as_deref(), Some("-1.00"));
        assert_eq!(within(3, 0, None, Some("7"), 10).as_deref(), Some("7"));
        assert_eq!(within(2, 2, None, None, 10).as_deref(), Some("0.99"));
        assert_eq!(within(4, 2, Some("5"), Some("1"), 1), None);
    }
}
