import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { TokenBuckets } from "../../src/ratelimit.js";

describe("token bucket", () => {
  it("allows a burst, then refills at the rate", () => {
    let now = 0;
    const buckets = new TokenBuckets(2, 3, () => now);
    for (let i = 0; i < 3; i += 1) assert.equal(buckets.takeNow("a").allowed, true);
    const refused = buckets.takeNow("a");
    assert.equal(refused.allowed, false);
    assert.equal(refused.remaining, 0);
    assert.equal(refused.retryAfterSeconds, 1);
    now += 500;
    assert.equal(buckets.takeNow("a").allowed, true);
    assert.equal(buckets.takeNow("b").remaining, 2, "each key has its own bucket");
  });
});
