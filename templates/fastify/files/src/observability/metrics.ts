// Prometheus metrics with the contract's series names (section 2). Queue depths are read from
// the jobs table when scraped, so every replica reports the same truth.
import { Counter, Gauge, Histogram, Registry } from "prom-client";

import type { Database } from "../db/database.js";

export class Metrics {
  readonly registry = new Registry();

  readonly requestDuration = new Histogram({
    name: "http_server_request_duration_seconds",
    help: "Duration of HTTP requests, by route template.",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly idempotencyReplays = new Counter({
    name: "idempotency_replays_total",
    help: "Responses replayed from a stored Idempotency-Key outcome.",
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: "rate_limited_total",
    help: "Requests answered 429 by the rate limiter.",
    registers: [this.registry],
  });

  constructor(db: Database) {
    const pool = db.pool;
    new Gauge({
      name: "db_pool_connections",
      help: "Database pool connections by state.",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        this.set({ state: "total" }, pool.totalCount);
        this.set({ state: "idle" }, pool.idleCount);
        this.set({ state: "waiting" }, pool.waitingCount);
      },
    });
    const jobs = async (status: "queued" | "dead"): Promise<number> => {
      try {
        const result = await db.query<{ n: number }>("select count(*) as n from jobs where status = $1", [status]);
        return result.rows[0]?.n ?? 0;
      } catch {
        // A scrape while the database is down still answers; the gauge reads 0 until it returns.
        return 0;
      }
    };
    new Gauge({
      name: "jobs_queued",
      help: "Jobs waiting to run.",
      registers: [this.registry],
      async collect() {
        this.set(await jobs("queued"));
      },
    });
    new Gauge({
      name: "jobs_dead",
      help: "Jobs that exhausted their attempts.",
      registers: [this.registry],
      async collect() {
        this.set(await jobs("dead"));
      },
    });
  }
}
