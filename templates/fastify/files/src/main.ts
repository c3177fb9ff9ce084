// The process: configuration, migrations, the HTTP server, and a graceful stop on SIGTERM
// (contract section 9): readiness fails at once, in-flight requests get SHUTDOWN_GRACE_MS, then
// the pool closes and the process exits 0.
import { buildApp } from "./app.js";
import { RedisConnection } from "./cache/redis.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { Database } from "./db/database.js";
import { migrate } from "./db/migrate.js";
import { Workers } from "./jobs/worker.js";
import { createLogger } from "./observability/logger.js";
import { startTracing } from "./observability/tracing.js";

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      // One line naming the variable; never its value, which may be a secret.
      createLogger("info").fatal({ variable: err.variable }, `invalid configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const stopTracing = startTracing(config.otelEndpoint, config.otelServiceName);
  const db = new Database(
    {
      url: config.databaseUrl,
      poolMax: config.databasePoolMax,
      acquireTimeoutMs: config.databaseAcquireTimeoutMs,
      statementTimeoutMs: config.databaseStatementTimeoutMs,
    },
    logger,
  );
  if (config.migrateOnStart) await migrate(db.pool, logger);
  const redis = config.redisUrl === undefined ? undefined : new RedisConnection(config.redisUrl, logger);

  let draining = false;
  const { server } = await buildApp({ config, db, logger, draining: () => draining, ...(redis === undefined ? {} : { redis }) });
  await server.listen({ port: config.port, host: config.host });
  // SERVICE_ROLE=api serves HTTP only; worker and all also run the job workers (a worker still
  // answers health and metrics, so the same probes work for both deployments).
  const workers = config.serviceRole === "api" ? undefined : new Workers(config, db, logger, redis);
  workers?.start();

  const stop = async (signal: string): Promise<void> => {
    if (draining) return;
    draining = true;
    logger.info({ signal }, "shutting down");
    const forced = setTimeout(() => {
      logger.warn("shutdown grace period over; closing remaining connections");
      server.server.closeAllConnections();
    }, config.shutdownGraceMs);
    forced.unref();
    await Promise.all([server.close(), workers?.stop()]);
    await Promise.all([db.close(), redis?.close(), stopTracing()]);
    clearTimeout(forced);
    logger.info("stopped");
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      stop(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
}

main().catch((err: unknown) => {
  createLogger("info").fatal({ err }, "failed to start");
  process.exit(1);
});
