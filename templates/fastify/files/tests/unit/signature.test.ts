import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { backoffMs } from "../../src/jobs/queue.js";
import { secretKey, sign, verificationError } from "../../src/webhooks/signature.js";

const key = secretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

describe("Standard Webhooks signatures", () => {
  // The example of the Standard Webhooks specification.
  it("signs like the specification", () => {
    assert.equal(
      sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}'),
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
  });

  it("accepts any matching v1 signature and refuses stale or forged ones", () => {
    const body = Buffer.from("{}");
    const good = sign(key, "msg_1", 1000, body);
    const headers = { id: "msg_1", timestamp: "1000" };
    assert.equal(verificationError(key, { ...headers, signature: `v1,bm9wZQ== ${good}` }, body, 1000), undefined);
    assert.match(verificationError(key, { ...headers, signature: good }, body, 1000 + 301) ?? "", /too far/);
    assert.match(verificationError(key, { ...headers, signature: "v1,AAAA" }, body, 1000) ?? "", /no signature/);
    assert.match(verificationError(key, { ...headers, signature: undefined }, body, 1000) ?? "", /required/);
  });
});

describe("job backoff", () => {
  it("is full jitter under an exponential ceiling capped at an hour", () => {
    assert.equal(backoffMs(1, () => 0.999), 999);
    assert.equal(backoffMs(4, () => 0.5), 4000);
    assert.equal(backoffMs(40, () => 1), 3_600_000);
    assert.equal(backoffMs(3, () => 0), 0);
  });
});
