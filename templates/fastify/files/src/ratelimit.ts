// A token bucket per principal (JWT `sub`) or client IP on /v1 routes, with the draft-10
// RateLimit and RateLimit-Policy headers (contract section 7). With Redis the bucket is shared by
// every replica (one atomic script); without it, or while Redis fails, each replica limits alone.
import type { FastifyInstance } from "fastify";

import type { RedisConnection } from "./cache/redis.js";
import { Problem } from "./errors.js";
import type { Metrics } from "./observability/metrics.js";

export interface Take {
  readonly allowed: boolean;
  readonly remaining: number;
  readonly resetSeconds: number;
  readonly retryAfterSeconds: number;
}

export interface RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;
  take(key: string): Promise<Take>;
}

function outcome(allowed: boolean, tokens: number, ratePerSecond: number, burst: number): Take {
  return {
    allowed,
    remaining: Math.floor(tokens),
    resetSeconds: Math.ceil((burst - tokens) / ratePerSecond),
    retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / ratePerSecond)),
  };
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class TokenBuckets implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token if there is one; returns what is left and the seconds until the bucket is full. */
  takeNow(key: string): Take {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedMs: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.ratePerSecond);
    bucket.updatedMs = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 100_000) this.evictFull(now);
    return outcome(allowed, bucket.tokens, this.ratePerSecond, this.burst);
  }

  take(key: string): Promise<Take> {
    return Promise.resolve(this.takeNow(key));
  }

  /** Full buckets carry no information; dropping them bounds memory under many clients. */
  private evictFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.ratePerSecond >= this.burst) this.buckets.delete(key);
    }
  }
}

// Refill and take in one step on Redis's clock, so replicas with skewed clocks agree.
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) / 1000 * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tostring(tokens)}
`;

export class SharedTokenBuckets implements RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;

  constructor(
    private readonly redis: RedisConnection,
    private readonly fallback: TokenBuckets,
  ) {
    this.ratePerSecond = fallback.ratePerSecond;
    this.burst = fallback.burst;
  }

  async take(key: string): Promise<Take> {
    try {
      const [allowed, tokens] = (await this.redis.client.eval(TAKE_SCRIPT, 1, `ratelimit:${key}`, this.ratePerSecond, this.burst)) as [
        number,
        string,
      ];
      return outcome(allowed === 1, Number(tokens), this.ratePerSecond, this.burst);
    } catch (err) {
      this.redis.warn("ratelimit", "shared rate limit unavailable; limiting in process", err);
      return this.fallback.takeNow(key);
    }
  }
}

export function registerRateLimit(app: FastifyInstance, buckets: RateLimiter, metrics: Metrics): void {
  const window = Math.max(1, Math.ceil(buckets.burst / buckets.ratePerSecond));
  const policy = `"default";q=${buckets.burst};w=${window}`;
  app.addHook("onRequest", async (request, reply) => {
    if (!request.url.startsWith("/v1/")) return;
    const key = request.principal === "" ? `ip:${request.ip}` : `sub:${request.principal}`;
    const result = await buckets.take(key);
    reply.header("ratelimit-policy", policy);
    reply.header("ratelimit", `"default";r=${result.remaining};t=${result.resetSeconds}`);
    if (!result.allowed) {
      metrics.rateLimited.inc();
      throw new Problem("quota-exceeded", "too many requests; retry later", { headers: { "retry-after": String(result.retryAfterSeconds) } });
    }
  });
}
