// `make migrate`: applies the shared migrations and exits, for deployments that migrate in a
// separate step (a Kubernetes Job) and run the service with MIGRATE_ON_START=false.
import { ConfigError, loadConfig } from "./config.js";
import { Database } from "./db/database.js";
import { migrate } from "./db/migrate.js";
import { createLogger } from "./observability/logger.js";

const logger = createLogger(process.env.LOG_LEVEL ?? "info");
try {
  const config = loadConfig();
  const db = new Database(
    {
      url: config.databaseUrl,
      poolMax: 1,
      acquireTimeoutMs: config.databaseAcquireTimeoutMs,
      // DDL may legitimately take longer than a request's statement budget.
      statementTimeoutMs: 0,
    },
    logger,
  );
  const applied = await migrate(db.pool, logger);
  logger.info({ applied: applied.length }, "migrations up to date");
  await db.close();
} catch (err) {
  if (err instanceof ConfigError) logger.fatal({ variable: err.variable }, `invalid configuration: ${err.message}`);
  else logger.fatal({ err }, "migration failed");
  process.exitCode = 1;
}
