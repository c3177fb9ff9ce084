//! Rule expressions: lexer, parser, type checker, IR and per-language lowering.
