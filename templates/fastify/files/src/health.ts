// Liveness, readiness, the OpenAPI document and metrics: public, never rate limited.
import { readFileSync } from "node:fs";

import type { FastifyInstance } from "fastify";

import type { RedisConnection } from "./cache/redis.js";
import type { Database } from "./db/database.js";
import type { Metrics } from "./observability/metrics.js";

const CHECK_TIMEOUT_MS = 1000;

// Served byte for byte as skaffold rendered it, so every stack serves the same document.
const OPENAPI = readFileSync(new URL("../openapi.json", import.meta.url));

/** The manifest's `cache` setting: whether the service may serve without Redis. */
export type CachePolicy = "none" | "optional" | "required";

export type CheckState = "ok" | "error" | "disabled";

export interface Checks {
  readonly database: CheckState;
  readonly cache: CheckState;
}

async function bounded(check: () => Promise<unknown>): Promise<"ok" | "error"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"error">((resolve) => {
    timer = setTimeout(() => {
      resolve("error");
    }, CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().then(() => "ok" as const), timeout]);
  } catch {
    return "error";
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The cache check: a PING bounded to a second when REDIS_URL is set. Without it the cache is
 * "disabled", unless the service cannot work without one, which is then an "error".
 */
export async function checkCache(redis: Pick<RedisConnection, "ping"> | undefined, policy: CachePolicy): Promise<CheckState> {
  if (redis === undefined) return policy === "required" ? "error" : "disabled";
  return bounded(() => redis.ping());
}

/**
 * Whether to take traffic. The database is always needed; Redis only with `cache: required`.
 * With `optional` a failing Redis is a slower service, not a broken one: reads fall back to the
 * database and the rate limiter to its in-process buckets.
 */
export function isReady(checks: Checks, policy: CachePolicy, draining: boolean): boolean {
  if (draining || checks.database !== "ok") return false;
  return !(policy === "required" && checks.cache === "error");
}

/** The two levels readiness logs at; a pino or Fastify logger is one. */
export interface TransitionLogger {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/** Logs the cache check when its outcome changes, so a Redis outage is one line, not one a probe. */
export class CacheTransitions {
  private last: CheckState | undefined;

  constructor(private readonly logger: TransitionLogger) {}

  note(state: CheckState): void {
    if (state === this.last) return;
    if (state === "error") this.logger.warn({ cache: state, was: this.last ?? null }, "cache check failing");
    else if (this.last === "error") this.logger.info({ cache: state, was: this.last }, "cache check recovered");
    this.last = state;
  }
}

export interface HealthOptions {
  readonly db: Pick<Database, "pool">;
  readonly metrics: Pick<Metrics, "registry">;
  /** True once shutdown has begun: readiness fails so the load balancer stops sending traffic. */
  readonly draining: () => boolean;
  /** Absent without REDIS_URL. */
  readonly redis: Pick<RedisConnection, "ping"> | undefined;
  readonly cachePolicy: CachePolicy;
}

export function registerHealthRoutes(app: FastifyInstance, { db, metrics, draining, redis, cachePolicy }: HealthOptions): void {
  const transitions = new CacheTransitions(app.log);

  app.get("/health/live", (_request, reply) => reply.send({ status: "ok" }));

  app.get("/health/ready", async (_request, reply) => {
    const [database, cache] = await Promise.all([bounded(() => db.pool.query("select 1")), checkCache(redis, cachePolicy)]);
    transitions.note(cache);
    const checks: Checks = { database, cache };
    const ready = isReady(checks, cachePolicy, draining());
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", checks });
  });

  app.get("/openapi.json", (_request, reply) => reply.type("application/json").send(OPENAPI));

  app.get("/metrics", async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
