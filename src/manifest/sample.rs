//! Strings that match a manifest `pattern`: the OpenAPI examples take the first, the conformance
//! suite takes numbered variants when a field is unique and each row needs a value of its own.
//!
//! The pattern is reduced to a row of slots along its leftmost choices (the first branch of an
//! alternation, the fewest repetitions, one character per class); variant `n` then reads as a
//! number written in those classes' sizes, last slot fastest. Every result is checked against
//! the pattern, so an unusual pattern costs a value, never a wrong one.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Characters a class offers, visible ASCII first, at most this many per slot.
const CLASS_CHOICES: usize = 64;

enum Slot {
    Text(String),
    Choice(Vec<char>),
}

/// The `variant`-th string of `pattern`'s leftmost choices (counting around when there are fewer),
/// if it matches the pattern.
pub fn sample(pattern: &str, variant: u64) -> Option<String> {
    let hir = regex_syntax::parse(pattern).ok()?;
    let mut slots = Vec::new();
    if !walk(&hir, &mut slots) {
        return None;
    }
    // Variants wrap around: a pattern with fewer strings along these choices repeats them.
    let total = slots.iter().try_fold(1u64, |acc, slot| match slot {
        Slot::Choice(chars) => acc.checked_mul(chars.len() as u64),
        Slot::Text(_) => Some(acc),
    });
    let mut n = total.map_or(variant, |t| variant % t);
    let mut picks = vec![0usize; slots.len()];
    for (slot, pick) in slots.iter().zip(picks.iter_mut()).rev() {
        if let Slot::Choice(chars) = slot {
            let size = chars.len() as u64;
            *pick = usize::try_from(n % size).ok()?;
            n /= size;
        }
    }
    let text: String = slots
        .iter()
        .zip(picks)
        .map(|(slot, pick)| match slot {
            Slot::Text(t) => t.clone(),
            Slot::Choice(chars) => chars[pick].to_string(),
        })
        .collect();
    regex::Regex::new(pattern).ok()?.is_match(&text).then_some(text)
}

fn walk(hir: &Hir, slots: &mut Vec<Slot>) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => match std::str::from_utf8(&literal.0) {
            Ok(text) => {
                slots.push(Slot::Text(text.to_owned()));
                true
            }
            Err(_) => false,
        },
        HirKind::Class(Class::Unicode(class)) => {
            // Visible ASCII reads best; a negated class would otherwise start at U+0000.
            let visible = class.ranges().iter().flat_map(|r| r.start().max('!')..=r.end().min('~'));
            let mut chars: Vec<char> = visible.take(CLASS_CHOICES).collect();
            if chars.is_empty() {
                chars.extend(class.ranges().first().map(|r| r.start()));
            }
            let found = !chars.is_empty();
            slots.push(Slot::Choice(chars));
            found
        }
        HirKind::Class(Class::Bytes(_)) => false,
        HirKind::Repetition(repetition) => (0..repetition.min).all(|_| walk(&repetition.sub, slots)),
        HirKind::Capture(capture) => walk(&capture.sub, slots),
        HirKind::Concat(parts) => parts.iter().all(|part| walk(part, slots)),
        HirKind::Alternation(branches) => branches.first().is_some_and(|branch| walk(branch, slots)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_variant_is_the_leftmost_string() {
        assert_eq!(sample("^[A-Z]{2}$", 0).as_deref(), Some("AA"));
        assert_eq!(sample("^INV-[0-9]{6}$", 0).as_deref(), Some("INV-000000"));
        assert_eq!(sample("^(red|green)$", 0).as_deref(), Some("red"));
    }

    #[test]
    fn variants_count_in_the_classes_last_slot_fastest() {
        assert_eq!(sample("^INV-[0-9]{6}$", 42).as_deref(), Some("INV-000042"));
        assert_eq!(sample("^[A-Z]{2}$", 27).as_deref(), Some("BB"));
        let distinct: std::collections::HashSet<String> = (0..500).filter_map(|n| sample("^[A-Z]{2}[0-9A-Z]{2,12}$", n)).collect();
        assert_eq!(distinct.len(), 500);
    }

    #[test]
    fn variants_wrap_around_and_an_unmatchable_pattern_gives_nothing() {
        assert_eq!(sample("^[ab]$", 2).as_deref(), Some("a"));
        assert_eq!(sample("^[ab]$", 3).as_deref(), Some("b"));
        assert_eq!(sample("^(a|b)x$", 0).as_deref(), Some("ax"));
        assert_eq!(sample("^$x", 0), None);
    }
}
