//! The regular-expression subset that Rust `regex`, RE2 (Go), ECMAScript, Python `re` and .NET all
//! read the same way. A `pattern` outside it is refused at validation, with the offending piece
//! named, because the same manifest must validate identically in every stack.

use regex_syntax::ast::{self, Ast, ClassSet, ClassSetItem, GroupKind, LiteralKind, SpecialLiteralKind};

/// A piece of a pattern that is not portable: byte range inside the pattern and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub range: std::ops::Range<usize>,
    pub message: String,
}

/// Checks that `pattern` parses and stays within the portable subset.
pub fn check_portable(pattern: &str) -> Result<(), PatternError> {
    let ast = ast::parse::Parser::new().parse(pattern).map_err(|e| PatternError {
        range: e.span().start.offset..e.span().end.offset,
        message: format!("invalid pattern: {}", e.kind()),
    })?;
    walk(&ast)?;
    regex::Regex::new(pattern).map(|_| ()).map_err(|e| PatternError { range: 0..pattern.len(), message: format!("invalid pattern: {e}") })
}

fn refuse(span: &ast::Span, what: &str, instead: &str) -> Result<(), PatternError> {
    Err(PatternError {
        range: span.start.offset..span.end.offset,
        message: format!("{what} is not portable across the five stacks; {instead}"),
    })
}

fn walk(ast: &Ast) -> Result<(), PatternError> {
    match ast {
        Ast::Empty(_) | Ast::Dot(_) => Ok(()),
        Ast::Flags(f) => refuse(&f.span, "an inline flag group", "write the cases out, such as `[Aa]`"),
        Ast::Literal(lit) => literal(lit),
        Ast::Assertion(a) => match a.kind {
            ast::AssertionKind::StartLine | ast::AssertionKind::EndLine => Ok(()),
            _ => refuse(&a.span, "this assertion", "use only `^` and `$`"),
        },
        Ast::ClassUnicode(c) => refuse(&c.span, "a Unicode class", "list the characters or ranges in `[...]`"),
        Ast::ClassPerl(c) => refuse(&c.span, "a Perl class such as `\\d`, `\\w` or `\\s`", "write an explicit class such as `[0-9]`"),
        Ast::ClassBracketed(c) => class_set(&c.kind),
        Ast::Repetition(r) => walk(&r.ast),
        Ast::Group(g) => match &g.kind {
            GroupKind::CaptureIndex(_) => walk(&g.ast),
            GroupKind::CaptureName { .. } => refuse(&g.span, "a named group", "use a plain group `(...)`"),
            GroupKind::NonCapturing(flags) if flags.items.is_empty() => walk(&g.ast),
            GroupKind::NonCapturing(_) => refuse(&g.span, "a group with flags", "write the cases out, such as `[Aa]`"),
        },
        Ast::Alternation(a) => a.asts.iter().try_for_each(walk),
        Ast::Concat(c) => c.asts.iter().try_for_each(walk),
    }
}

fn literal(lit: &ast::Literal) -> Result<(), PatternError> {
    match &lit.kind {
        LiteralKind::Verbatim | LiteralKind::Meta => Ok(()),
        LiteralKind::Special(SpecialLiteralKind::Tab | SpecialLiteralKind::LineFeed | SpecialLiteralKind::CarriageReturn) => Ok(()),
        LiteralKind::HexFixed(ast::HexLiteralKind::X) => Ok(()),
        _ => refuse(&lit.span, "this escape", "write the character itself or use `\\xHH`"),
    }
}

fn class_set(set: &ClassSet) -> Result<(), PatternError> {
    match set {
        ClassSet::BinaryOp(op) => refuse(&op.span, "class set operations (`&&`, `--`, `~~`)", "list the allowed characters instead"),
        ClassSet::Item(item) => class_item(item),
    }
}

fn class_item(item: &ClassSetItem) -> Result<(), PatternError> {
    match item {
        ClassSetItem::Empty(_) => Ok(()),
        ClassSetItem::Literal(lit) => literal(lit),
        ClassSetItem::Range(r) => literal(&r.start).and_then(|()| literal(&r.end)),
        ClassSetItem::Ascii(c) => refuse(&c.span, "a POSIX class such as `[:alpha:]`", "use ranges such as `a-zA-Z`"),
        ClassSetItem::Unicode(c) => refuse(&c.span, "a Unicode class", "list the characters or ranges"),
        ClassSetItem::Perl(c) => refuse(&c.span, "a Perl class such as `\\d`", "use a range such as `0-9`"),
        ClassSetItem::Bracketed(b) => refuse(&b.span, "a nested class", "merge it into the outer class"),
        ClassSetItem::Union(u) => u.items.iter().try_for_each(class_item),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_common_portable_forms() {
        for p in ["^[A-Z]{2}$", "^[a-z0-9._-]+@[a-z]+\\.[a-z]{2,}$", "^(ab|cd)*?x$", "^[^\\s]$".replace("\\s", " ").as_str(), "\\x41\\.\\t"]
        {
            assert_eq!(check_portable(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn refuses_what_engines_disagree_on() {
        let cases = [
            ("^\\d+$", "Perl class"),
            ("(?i)abc", "inline flag"),
            ("(?P<x>a)", "named group"),
            ("\\p{L}", "Unicode class"),
            ("[[:alpha:]]", "POSIX class"),
            ("[a-z&&[^x]]", "set operations"),
            ("\\bword", "assertion"),
            ("a(?=b)", "look-around"),
            ("(a)\\1", "backreferences"),
            ("\\u0041", "escape"),
            ("[a-", "invalid pattern"),
        ];
        for (pattern, fragment) in cases {
            let err = check_portable(pattern).unwrap_err();
            assert!(err.message.contains(fragment), "{pattern}: {}", err.message);
        }
    }
}
