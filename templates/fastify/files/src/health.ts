// Liveness, readiness, the OpenAPI document and metrics: public, never rate limited.
import { readFileSync } from "node:fs";

import type { FastifyInstance } from "fastify";

import type { RedisConnection } from "./cache/redis.js";
import type { Database } from "./db/database.js";
import type { Metrics } from "./observability/metrics.js";

const CHECK_TIMEOUT_MS = 1000;

// Served byte for byte as skaffold rendered it, so every stack serves the same document.
const OPENAPI = readFileSync(new URL("../openapi.json", import.meta.url));

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

export interface HealthOptions {
  readonly db: Database;
  readonly metrics: Metrics;
  /** True once shutdown has begun: readiness fails so the load balancer stops sending traffic. */
  readonly draining: () => boolean;
  /** Absent without REDIS_URL: the cache check then reads "disabled". */
  readonly redis: RedisConnection | undefined;
}

export function registerHealthRoutes(app: FastifyInstance, { db, metrics, draining, redis }: HealthOptions): void {
  app.get("/health/live", (_request, reply) => reply.send({ status: "ok" }));

  app.get("/health/ready", async (_request, reply) => {
    const [database, cache] = await Promise.all([
      bounded(() => db.pool.query("select 1")),
      redis === undefined ? Promise.resolve("disabled" as const) : bounded(() => redis.ping()),
    ]);
    const checks = { database, cache };
    const ready = database === "ok" && cache !== "error" && !draining();
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", checks });
  });

  app.get("/openapi.json", (_request, reply) => reply.type("application/json").send(OPENAPI));

  app.get("/metrics", async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
