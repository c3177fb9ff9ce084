//! The platform migration lives in a `.sql` file of its own: it is fixed text, and reviewing it as
//! SQL (with an editor's SQL highlighting) is easier than reviewing a Rust string.

pub const SQL: &str = include_str!("platform.sql");
