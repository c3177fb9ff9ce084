// A token bucket per principal (JWT `sub`) or client IP on /v1 routes, with the draft-10
// RateLimit and RateLimit-Policy headers (contract section 7). In-process: each replica limits
// on its own.
import type { FastifyInstance } from "fastify";

import { Problem } from "./errors.js";
import type { Metrics } from "./observability/metrics.js";

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token if there is one; returns what is left and the seconds until the bucket is full. */
  take(key: string): { allowed: boolean; remaining: number; resetSeconds: number; retryAfterSeconds: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedMs: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.ratePerSecond);
    bucket.updatedMs = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 100_000) this.evictFull(now);
    return {
      allowed,
      remaining: Math.floor(bucket.tokens),
      resetSeconds: Math.ceil((this.burst - bucket.tokens) / this.ratePerSecond),
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond)),
    };
  }

  /** Full buckets carry no information; dropping them bounds memory under many clients. */
  private evictFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.ratePerSecond >= this.burst) this.buckets.delete(key);
    }
  }
}

export function registerRateLimit(app: FastifyInstance, buckets: TokenBuckets, metrics: Metrics): void {
  const window = Math.max(1, Math.ceil(buckets.burst / buckets.ratePerSecond));
  const policy = `"default";q=${buckets.burst};w=${window}`;
  app.addHook("onRequest", async (request, reply) => {
    if (!request.url.startsWith("/v1/")) return;
    const key = request.principal === "" ? `ip:${request.ip}` : `sub:${request.principal}`;
    const result = buckets.take(key);
    reply.header("ratelimit-policy", policy);
    reply.header("ratelimit", `"default";r=${result.remaining};t=${result.resetSeconds}`);
    if (!result.allowed) {
      metrics.rateLimited.inc();
      throw new Problem("quota-exceeded", "too many requests; retry later", { headers: { "retry-after": String(result.retryAfterSeconds) } });
    }
  });
}
