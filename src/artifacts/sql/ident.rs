//! Names of constraints and indexes, kept within PostgreSQL's identifier limit.

use sha2::{Digest, Sha256};

/// PostgreSQL silently truncates longer identifiers (NAMEDATALEN - 1), and two long names that
/// share a prefix would then collide; we shorten them ourselves, visibly and without collisions.
const MAX_IDENTIFIER_BYTES: usize = 63;

/// Hex digits of the hash that replace the cut-off end of a long name.
const HASH_DIGITS: usize = 8;

/// `<table>_<parts joined by _>`, shortened when needed.
pub fn object_name(table: &str, parts: &[&str]) -> String {
    let mut name = table.to_owned();
    for part in parts {
        name.push('_');
        name.push_str(part);
    }
    fit(name)
}

/// Returns `name` unchanged when it fits; otherwise its first bytes, `_`, and 8 hex digits of the
/// SHA-256 of the whole name, 63 bytes in all. The hash keeps distinct long names distinct, and
/// being a function of the name alone, the result is the same on every run.
pub fn fit(name: String) -> String {
    if name.len() <= MAX_IDENTIFIER_BYTES {
        return name;
    }
    let digest = Sha256::digest(name.as_bytes());
    let hash: String = digest.iter().take(HASH_DIGITS / 2).map(|b| format!("{b:02x}")).collect();
    // Names are validated ASCII identifiers, so any byte index is a char boundary; trimming a
    // trailing `_` avoids a `__` before the hash.
    let keep = MAX_IDENTIFIER_BYTES - HASH_DIGITS - 1;
    let head = name.get(..keep).unwrap_or(&name).trim_end_matches('_');
    format!("{head}_{hash}")
}
