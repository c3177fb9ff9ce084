// Applies the shared SQL migrations (migrations/*.sql, identical in every stack) exactly as
// skaffold prescribes: one runner at a time under a session advisory lock, each missing migration
// in its own transaction together with its schema_migrations row.
import { readdir, readFile } from "node:fs/promises";

import type pg from "pg";
import type { Logger } from "pino";

/** The ASCII bytes of "skaffold" as a big-endian integer: the lock every stack's runner takes. */
export const MIGRATION_LOCK_KEY = "8316848229302889572";

const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(0, -".sql".length),
      sql: await readFile(new URL(file, dir), "utf8"),
    })),
  );
}

/** Returns the names of the migrations it applied. */
export async function migrate(pool: pg.Pool, logger: Logger): Promise<string[]> {
  const migrations = await loadMigrations();
  const client = await pool.connect();
  // Without a listener, a connection lost mid-migration would crash the process instead of
  // failing the migration.
  const onError = (err: Error): void => {
    logger.warn({ err: err.message }, "migration connection lost");
  };
  client.on("error", onError);
  const applied: string[] = [];
  try {
    await client.query("select pg_advisory_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
    try {
      const exists = await client.query<{ present: boolean }>("select to_regclass('schema_migrations') is not null as present");
      const done = new Set<number>();
      if (exists.rows[0]?.present === true) {
        const rows = await client.query<{ version: number }>("select version from schema_migrations");
        for (const row of rows.rows) done.add(row.version);
      }
      for (const migration of migrations.filter((m) => !done.has(m.version))) {
        await client.query("begin");
        try {
          await client.query(migration.sql);
          await client.query("insert into schema_migrations (version, name) values ($1, $2)", [migration.version, migration.name]);
          await client.query("commit");
        } catch (err) {
          await client.query("rollback");
          throw err;
        }
        applied.push(migration.name);
        logger.info({ migration: migration.name }, "migration applied");
      }
    } finally {
      await client.query("select pg_advisory_unlock($1::bigint)", [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.off("error", onError);
    client.release();
  }
  return applied;
}
