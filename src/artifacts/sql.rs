//! The PostgreSQL migrations of a service, computed once here and rendered into every stack.
//!
//! Every stack ships the same files, so `pg_dump --schema-only` of any two stacks' databases is
//! equal. There are always two migrations:
//!
//! - `0001_platform`: the tables every service owns (idempotency keys, audit events, outbox,
//!   jobs, inbound webhooks, and `schema_migrations`), identical for every manifest;
//! - `0002_resources`: one table per resource of the manifest, in an order where every table
//!   exists before a foreign key points at it.
//!
//! # How a stack applies them
//!
//! Each migration is one script meant to run inside one transaction, with no statement that
//! refuses a transaction (no `create index concurrently`). A runner, in every stack alike:
//!
//! 1. takes `pg_advisory_lock(MIGRATION_LOCK_KEY)` on a dedicated connection;
//! 2. reads `select version from schema_migrations`, treating a missing table
//!    (`to_regclass('schema_migrations') is null`) as "nothing applied";
//! 3. for each migration not applied, in version order: `begin`, the script,
//!    `insert into schema_migrations (version, name) values ($1, $2)`, `commit`;
//! 4. releases the lock.
//!
//! Transactional DDL makes each step all-or-nothing, so the scripts use plain `create` rather
//! than `if not exists`: a migration applied twice fails loudly instead of hiding drift.
//! `schema_migrations` lives in `0001_platform` so that its definition, too, is shared; a stack
//! whose migration tool insists on its own bookkeeping table (sqlx's `_sqlx_migrations`, Alembic's
//! `alembic_version`, ...) keeps it, and the schema comparison between stacks leaves such tables
//! out.
//!
//! The scripts rely on `standard_conforming_strings = on` (the default since PostgreSQL 9.1): a
//! backslash inside `'...'` is an ordinary character, which is how patterns are written.

mod ident;
mod literal;
mod order;
mod platform;
mod table;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::model::Service;

/// The key of the session-level advisory lock that serializes migration runners: the ASCII bytes
/// of `skaffold` read as a big-endian integer, so it is recognizable in `pg_locks`.
pub const MIGRATION_LOCK_KEY: i64 = 0x736b_6166_666f_6c64;

/// The email shape the database enforces for `format: email`. Stacks validate with this same
/// pattern, so that the database check is a backstop that never fires before validation does.
pub const EMAIL_PATTERN: &str = r"^[^@\s]+@[^@\s]+\.[^@\s]+$";

/// The absolute URI shape the database enforces for `format: uri`: a scheme, a colon, no spaces.
pub const URI_PATTERN: &str = r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$";

/// The shape the database enforces for a string field with `format: uuid` (any version, any case).
pub const UUID_PATTERN: &str = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$";

/// One migration file: applied once, in `version` order, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Migration {
    /// Starts at 1 and increases by one; what `schema_migrations.version` records.
    pub version: u32,
    /// The version padded to four digits and a word, such as `0001_platform`: the file stem.
    pub name: String,
    /// The script: LF line endings, ends with a newline.
    pub sql: String,
}

/// The migrations of `service`, in the order they are applied. A pure function of the service:
/// the same manifest always gives the same bytes.
pub fn migrations(service: &Service) -> Vec<Migration> {
    vec![
        Migration { version: 1, name: "0001_platform".into(), sql: platform::SQL.to_owned() },
        Migration { version: 2, name: "0002_resources".into(), sql: table::resources_sql(service) },
    ]
}
