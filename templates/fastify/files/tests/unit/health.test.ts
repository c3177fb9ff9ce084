import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { CacheTransitions, checkCache, isReady, type CachePolicy, type CheckState } from "../../src/health.js";

const up = { ping: () => Promise.resolve() };
const down = { ping: () => Promise.reject(new Error("connection refused")) };

describe("readiness", () => {
  it("reads the cache check from REDIS_URL and the manifest's cache setting", async () => {
    assert.equal(await checkCache(undefined, "none"), "disabled");
    assert.equal(await checkCache(undefined, "optional"), "disabled");
    assert.equal(await checkCache(undefined, "required"), "error");
    for (const policy of ["none", "optional", "required"] as const) {
      assert.equal(await checkCache(up, policy), "ok");
      assert.equal(await checkCache(down, policy), "error");
    }
  });

  it("needs the cache only when the manifest requires it", () => {
    const cases: [CheckState, CachePolicy, boolean][] = [
      ["ok", "required", true],
      ["error", "required", false],
      ["error", "optional", true],
      ["error", "none", true],
      ["disabled", "optional", true],
    ];
    for (const [cache, policy, ready] of cases) {
      assert.equal(isReady({ database: "ok", cache }, policy, false), ready, `${cache} with cache: ${policy}`);
    }
  });

  it("fails without the database and while draining", () => {
    assert.equal(isReady({ database: "error", cache: "ok" }, "optional", false), false);
    assert.equal(isReady({ database: "ok", cache: "ok" }, "optional", true), false);
  });

  it("logs a failing cache once per transition, not once per probe", () => {
    const lines: string[] = [];
    const transitions = new CacheTransitions({
      warn: (_fields, message) => lines.push(`warn ${message}`),
      info: (_fields, message) => lines.push(`info ${message}`),
    });
    for (const state of ["ok", "error", "error", "error", "ok", "ok", "error"] as const) transitions.note(state);
    assert.deepEqual(lines, ["warn cache check failing", "info cache check recovered", "warn cache check failing"]);
  });
});
