//! Tokens of the rule language, each with its byte range in the expression.

use std::fmt;
use std::ops::Range;

use super::ExprError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// A non-negative integer literal; `-` is always a separate operator.
    Int(i64),
    /// A decimal literal as written, such as `1000.00`.
    Decimal(String),
    /// A string literal with its escapes resolved.
    Str(String),
    /// A number directly followed by a unit, such as `1h`: only meaningful as `count`'s window.
    Duration(String),
    Ident(String),
    And,
    Or,
    Not,
    In,
    True,
    False,
    Null,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Eof,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Tok::Int(i) => return write!(f, "`{i}`"),
            Tok::Decimal(d) | Tok::Duration(d) => return write!(f, "`{d}`"),
            Tok::Str(_) => "a string",
            Tok::Ident(name) => return write!(f, "`{name}`"),
            Tok::And => "`and`",
            Tok::Or => "`or`",
            Tok::Not => "`not`",
            Tok::In => "`in`",
            Tok::True => "`true`",
            Tok::False => "`false`",
            Tok::Null => "`null`",
            Tok::EqEq => "`==`",
            Tok::NotEq => "`!=`",
            Tok::Lt => "`<`",
            Tok::Le => "`<=`",
            Tok::Gt => "`>`",
            Tok::Ge => "`>=`",
            Tok::Plus => "`+`",
            Tok::Minus => "`-`",
            Tok::Star => "`*`",
            Tok::Slash => "`/`",
            Tok::LParen => "`(`",
            Tok::RParen => "`)`",
            Tok::LBracket => "`[`",
            Tok::RBracket => "`]`",
            Tok::Comma => "`,`",
            Tok::Dot => "`.`",
            Tok::Eof => "the end of the expression",
        };
        f.write_str(text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub span: Range<usize>,
}

/// Splits an expression into tokens; the last one is always [`Tok::Eof`].
pub fn lex(src: &str) -> Result<Vec<Token>, ExprError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let two = bytes.get(i + 1).copied();
        let (tok, len) = match (b, two) {
            (b'=', Some(b'=')) => (Tok::EqEq, 2),
            (b'!', Some(b'=')) => (Tok::NotEq, 2),
            (b'<', Some(b'=')) => (Tok::Le, 2),
            (b'>', Some(b'=')) => (Tok::Ge, 2),
            (b'<', _) => (Tok::Lt, 1),
            (b'>', _) => (Tok::Gt, 1),
            (b'+', _) => (Tok::Plus, 1),
            (b'-', _) => (Tok::Minus, 1),
            (b'*', _) => (Tok::Star, 1),
            (b'/', _) => (Tok::Slash, 1),
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b'[', _) => (Tok::LBracket, 1),
            (b']', _) => (Tok::RBracket, 1),
            (b',', _) => (Tok::Comma, 1),
            (b'.', _) => (Tok::Dot, 1),
            (b'=', _) => return Err(ExprError::new(start..start + 1, "`=` is not an operator").hint("compare with `==`")),
            (b'!', _) => return Err(ExprError::new(start..start + 1, "`!` is not an operator").hint("negate with `not`")),
            (b'"', _) => {
                let (text, end) = string(src, start)?;
                out.push(Token { tok: Tok::Str(text), span: start..end });
                i = end;
                continue;
            }
            (b'0'..=b'9', _) => {
                let (tok, end) = number(src, start)?;
                out.push(Token { tok, span: start..end });
                i = end;
                continue;
            }
            (b'a'..=b'z' | b'A'..=b'Z' | b'_', _) => {
                let end = scan(bytes, i, |b| b.is_ascii_alphanumeric() || b == b'_');
                let tok = match &src[start..end] {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "in" => Tok::In,
                    "true" => Tok::True,
                    "false" => Tok::False,
                    "null" => Tok::Null,
                    word => Tok::Ident(word.to_owned()),
                };
                out.push(Token { tok, span: start..end });
                i = end;
                continue;
            }
            _ => {
                let c = src[start..].chars().next().unwrap_or('?');
                let end = start + c.len_utf8();
                let hint = match c {
                    '\'' => Some("strings are written in double quotes"),
                    '&' | '|' => Some("combine conditions with `and` and `or`"),
                    _ => None,
                };
                let e = ExprError::new(start..end, format!("unexpected character `{c}`"));
                return Err(match hint {
                    Some(h) => e.hint(h),
                    None => e,
                });
            }
        };
        out.push(Token { tok, span: start..start + len });
        i += len;
    }
    out.push(Token { tok: Tok::Eof, span: src.len()..src.len() });
    Ok(out)
}

fn scan(bytes: &[u8], mut i: usize, keep: impl Fn(u8) -> bool) -> usize {
    while i < bytes.len() && keep(bytes[i]) {
        i += 1;
    }
    i
}

fn number(src: &str, start: usize) -> Result<(Tok, usize), ExprError> {
    let bytes = src.as_bytes();
    let int_end = scan(bytes, start, |b| b.is_ascii_digit());
    if bytes.get(int_end) == Some(&b'.') && bytes.get(int_end + 1).is_some_and(u8::is_ascii_digit) {
        let end = scan(bytes, int_end + 1, |b| b.is_ascii_digit());
        if end - start > 40 {
            return Err(ExprError::new(start..end, "this decimal has more than 38 digits"));
        }
        return Ok((Tok::Decimal(src[start..end].to_owned()), end));
    }
    if bytes.get(int_end).is_some_and(u8::is_ascii_alphabetic) {
        let end = scan(bytes, int_end, |b| b.is_ascii_alphanumeric());
        return Ok((Tok::Duration(src[start..end].to_owned()), end));
    }
    match src[start..int_end].parse::<i64>() {
        Ok(n) => Ok((Tok::Int(n), int_end)),
        Err(_) => Err(ExprError::new(start..int_end, "this integer does not fit in 64 bits")),
    }
}

/// Reads a double-quoted string starting at `start`; returns its value and the end offset.
fn string(src: &str, start: usize) -> Result<(String, usize), ExprError> {
    let mut value = String::new();
    let mut chars = src[start + 1..].char_indices();
    while let Some((at, c)) = chars.next() {
        let at = start + 1 + at;
        match c {
            '"' => return Ok((value, at + 1)),
            '\\' => match chars.next() {
                Some((_, c @ ('"' | '\\'))) => value.push(c),
                Some((_, other)) => {
                    return Err(ExprError::new(at..at + 1 + other.len_utf8(), format!("unknown escape `\\{other}`"))
                        .hint("strings know only `\\\"` and `\\\\`"));
                }
                None => break,
            },
            c => value.push(c),
        }
    }
    Err(ExprError::new(start..start + 1, "unclosed string").hint("end it with `\"`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_operators_numbers_and_keywords() {
        assert_eq!(
            toks("amount >= 1000.00 and not x in [\"a\"]"),
            [
                Tok::Ident("amount".into()),
                Tok::Ge,
                Tok::Decimal("1000.00".into()),
                Tok::And,
                Tok::Not,
                Tok::Ident("x".into()),
                Tok::In,
                Tok::LBracket,
                Tok::Str("a".into()),
                Tok::RBracket,
                Tok::Eof
            ]
        );
        assert_eq!(toks("count(p, c, 1h)")[6], Tok::Duration("1h".into()));
        assert_eq!(toks("a.b")[1], Tok::Dot);
    }

    #[test]
    fn spans_are_byte_ranges() {
        let t = lex("é == \"x\"");
        assert!(t.is_err());
        let t = lex("a == \"é\"").unwrap();
        assert_eq!(t[2].span, 5..9);
        assert_eq!(t[3].span, 9..9);
    }

    #[test]
    fn strings_take_two_escapes() {
        assert_eq!(toks(r#""a\"b\\c""#)[0], Tok::Str("a\"b\\c".into()));
        assert_eq!(lex(r#""a\nb""#).unwrap_err().message, "unknown escape `\\n`");
        assert_eq!(lex("x == \"abc").unwrap_err().range, 5..6);
    }

    #[test]
    fn rejects_oversized_integers_and_stray_characters() {
        assert!(lex("99999999999999999999").unwrap_err().message.contains("64 bits"));
        assert_eq!(lex("a = 1").unwrap_err().hint.as_deref(), Some("compare with `==`"));
        assert_eq!(lex("a && b").unwrap_err().range, 2..3);
    }
}
