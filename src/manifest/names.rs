//! Names that must work as identifiers in all five target languages and in PostgreSQL.
//!
//! Resource, field and rule names are snake_case in the manifest. Stacks turn them into
//! `PascalCase` types, `camelCase` properties and `snake_case` columns, so a name is refused when
//! any of those spellings is a reserved word somewhere.

/// Words that cannot be a field name because every generated row already has them.
pub const SYSTEM_FIELDS: &[&str] = &["id", "created_at", "updated_at", "version", "flags"];

/// Tables the service owns besides the resources' own.
pub const SYSTEM_TABLES: &[&str] = &["audit_events", "events", "jobs", "idempotency_keys", "inbound_webhooks", "schema_migrations"];

const RUST: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
    "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof",
    "unsized", "virtual", "yield", "try",
];
const TYPESCRIPT: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "implements",
    "interface",
    "let",
    "package",
    "private",
    "protected",
    "public",
    "static",
    "yield",
    "await",
    "arguments",
    "eval",
    "constructor",
    "prototype",
];
const PYTHON: &[&str] = &[
    "false", "none", "true", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
    "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
    "while", "with", "yield", "match", "case",
];
const GO: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
    "nil",
    "iota",
    "error",
    "string",
    "bool",
    "byte",
    "rune",
    "int",
    "len",
    "cap",
    "append",
    "make",
    "new",
    "copy",
    "close",
    "panic",
];
const CSHARP: &[&str] = &[
    "abstract",
    "as",
    "base",
    "bool",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "checked",
    "class",
    "const",
    "continue",
    "decimal",
    "default",
    "delegate",
    "do",
    "double",
    "else",
    "enum",
    "event",
    "explicit",
    "extern",
    "false",
    "finally",
    "fixed",
    "float",
    "for",
    "foreach",
    "goto",
    "if",
    "implicit",
    "in",
    "int",
    "interface",
    "internal",
    "is",
    "lock",
    "long",
    "namespace",
    "new",
    "null",
    "object",
    "operator",
    "out",
    "override",
    "params",
    "private",
    "protected",
    "public",
    "readonly",
    "ref",
    "return",
    "sbyte",
    "sealed",
    "short",
    "sizeof",
    "stackalloc",
    "static",
    "string",
    "struct",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "uint",
    "ulong",
    "unchecked",
    "unsafe",
    "ushort",
    "using",
    "virtual",
    "void",
    "volatile",
    "while",
];
/// Reserved in PostgreSQL even as column names (without quoting).
const POSTGRES: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

/// Names the generated code uses for itself, which a field or resource would shadow.
const GENERATED: &[&str] = &["input", "state", "request", "response", "config", "error", "result", "query", "row", "tx"];

/// Checks a snake_case identifier; returns the reason it cannot be used.
pub fn check_identifier(name: &str, what: &str) -> Result<(), String> {
    let valid_shape = name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.contains("__")
        && !name.ends_with('_');
    if !valid_shape {
        return Err(format!(
            "{what} `{name}` must be snake_case: lowercase letters, digits and single underscores, starting with a letter, at most 40 characters"
        ));
    }
    let spellings = [name.to_owned(), camel_case(name).to_lowercase()];
    let languages: [(&str, &[&str]); 7] = [
        ("Rust", RUST),
        ("TypeScript", TYPESCRIPT),
        ("Python", PYTHON),
        ("Go", GO),
        ("C#", CSHARP),
        ("PostgreSQL", POSTGRES),
        ("the generated code", GENERATED),
    ];
    let clashes: Vec<&str> =
        languages.iter().filter(|(_, words)| spellings.iter().any(|s| words.contains(&s.as_str()))).map(|(lang, _)| *lang).collect();
    if clashes.is_empty() { Ok(()) } else { Err(format!("{what} `{name}` is a reserved word in {}", clashes.join(", "))) }
}

/// `line_item` -> `lineItem`.
pub fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `line_item` -> `LineItem`.
pub fn pascal_case(name: &str) -> String {
    let camel = camel_case(&snake_case(name));
    let mut chars = camel.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// `lineItem`, `line-item`, `LineItem` -> `line_item`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '-' || c == ' ' || c == '.' {
            out.push('_');
            prev_lower = false;
        } else if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// The English plural of a snake_case noun, applied to its last word.
pub fn pluralize(name: &str) -> String {
    let irregular = [("person", "people"), ("child", "children"), ("man", "men"), ("woman", "women"), ("datum", "data")];
    let (head, last) = match name.rfind('_') {
        Some(i) => name.split_at(i + 1),
        None => ("", name),
    };
    if let Some((_, plural)) = irregular.iter().find(|(s, _)| *s == last) {
        return format!("{head}{plural}");
    }
    let vowel_before = |s: &str| s.chars().rev().nth(1).is_some_and(|c| "aeiou".contains(c));
    let plural = if last.ends_with('y') && !vowel_before(last) {
        format!("{}ies", &last[..last.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"].iter().any(|end| last.ends_with(end)) {
        format!("{last}es")
    } else {
        format!("{last}s")
    };
    format!("{head}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pluralizes_the_last_word() {
        let cases = [
            ("customer", "customers"),
            ("payment", "payments"),
            ("category", "categories"),
            ("day", "days"),
            ("address", "addresses"),
            ("box", "boxes"),
            ("line_item", "line_items"),
            ("branch", "branches"),
            ("sales_person", "sales_people"),
        ];
        for (singular, plural) in cases {
            assert_eq!(pluralize(singular), plural);
        }
    }

    #[test]
    fn refuses_reserved_words_in_any_language() {
        assert!(check_identifier("amount", "field").is_ok());
        let err = check_identifier("type", "field").unwrap_err();
        assert!(err.contains("Rust") && err.contains("Go"), "{err}");
        assert!(check_identifier("class", "field").unwrap_err().contains("Python"));
        assert!(check_identifier("order", "field").unwrap_err().contains("PostgreSQL"));
        // camelCase spellings count too: `type_of` becomes `typeOf`, reserved in Rust as `typeof`.
        assert!(check_identifier("type_of", "field").unwrap_err().contains("Rust"));
        assert!(check_identifier("Amount", "field").unwrap_err().contains("snake_case"));
        assert!(check_identifier("a__b", "field").is_err());
    }
}
