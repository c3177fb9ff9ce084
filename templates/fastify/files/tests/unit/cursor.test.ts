import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Problem } from "../../src/errors.js";
import { decodeCursor, encodeCursor, parseLimit } from "../../src/wire/cursor.js";
import { uuidv7 } from "../../src/wire/ids.js";

describe("list cursor", () => {
  it("round-trips a keyset key", () => {
    const key = { createdAt: new Date("2026-11-24T10:00:00.123Z"), id: uuidv7() };
    const cursor = encodeCursor(key);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeCursor(cursor), key);
  });

  for (const bad of ["!!not-a-cursor", "e30", Buffer.from('["yesterday","x"]').toString("base64url"), ""]) {
    it(`refuses ${JSON.stringify(bad)} as invalid-parameter naming cursor`, () => {
      assert.throws(
        () => decodeCursor(bad),
        (err: unknown) => err instanceof Problem && err.slug === "invalid-parameter" && JSON.stringify(err.errors).includes('"cursor"'),
      );
    });
  }
});

describe("limit", () => {
  it("defaults to 20 and accepts 1..100", () => {
    assert.equal(parseLimit(undefined), 20);
    assert.equal(parseLimit("1"), 1);
    assert.equal(parseLimit("100"), 100);
  });

  for (const bad of ["0", "101", "ten", "-1", "1.5", ""]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseLimit(bad), (err: unknown) => err instanceof Problem && err.slug === "invalid-parameter");
    });
  }
});

describe("uuidv7", () => {
  it("is version 7, variant 10, and increases within a millisecond", () => {
    const ids = Array.from({ length: 50 }, () => uuidv7(1_700_000_000_000));
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual([...ids].sort(), ids);
  });
});
