import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Type } from "@sinclair/typebox";

import { Problem } from "../../src/errors.js";
import { Nullable, StringEnum, ajv, decimalError, isDate, isDateTime, problemItems, throwIfInvalid } from "../../src/validation.js";

const check = ajv.compile(
  Type.Object(
    {
      name: Type.String({ maxLength: 3 }),
      kind: StringEnum(["a", "b"] as const),
      note: Type.Optional(Nullable(Type.String())),
      when: Type.String({ format: "date-time" }),
    },
    { additionalProperties: false },
  ),
);

describe("validation", () => {
  it("reports every failing member once, as a JSON pointer", () => {
    assert.equal(check({ name: "toolong", kind: "c", note: 5, extra: true }), false);
    const items = problemItems(check.errors, { extra: "is read-only" });
    assert.deepEqual(items, [
      { pointer: "#/when", detail: "is required" },
      { pointer: "#/extra", detail: "is read-only" },
      { pointer: "#/name", detail: "must NOT have more than 3 characters" },
      { pointer: "#/kind", detail: 'must be one of "a", "b"' },
      { pointer: "#/note", detail: "must be a string or null" },
    ]);
    assert.throws(() => {
      throwIfInvalid(items);
    }, (err: unknown) => err instanceof Problem && err.slug === "validation-error" && err.errors?.length === 5);
  });

  it("accepts null for a nullable member", () => {
    assert.equal(check({ name: "abc", kind: "a", note: null, when: "2026-11-24T10:00:00.123Z" }), true);
  });

  it("checks calendar dates and RFC 3339 timestamps", () => {
    assert.equal(isDate("2024-02-29"), true);
    assert.equal(isDate("2023-02-29"), false);
    assert.equal(isDate("2026-13-45"), false);
    assert.equal(isDateTime("2026-11-24T10:00:00+01:00"), true);
    assert.equal(isDateTime("yesterday"), false);
  });

  it("checks a decimal's digits against its column", () => {
    assert.equal(decimalError("12.50", 12, 2), undefined);
    assert.match(decimalError("1.005", 12, 2) ?? "", /at most 2 digits after/);
    assert.match(decimalError("12345678901.00", 12, 2) ?? "", /at most 10 digits before/);
    assert.match(decimalError("twelve", 12, 2) ?? "", /decimal number/);
  });
});
