import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { DecimalOverflow, add, atScale, compareDecimal, formatDecimal, mul, parseDecimal, sub } from "../../src/wire/decimal.js";

function d(text: string) {
  const value = parseDecimal(text);
  assert.ok(value !== undefined, text);
  return value;
}

describe("decimal", () => {
  it("adds without floating-point error", () => {
    assert.equal(formatDecimal(add(d("0.10"), d("0.20"))), "0.30");
    assert.equal(formatDecimal(sub(d("1"), d("0.01"))), "0.99");
    assert.equal(formatDecimal(mul(d("1.5"), d("-2.25"))), "-3.375");
  });

  it("compares by value across scales", () => {
    assert.equal(compareDecimal(d("1000.00"), d("1000")), 0);
    assert.equal(compareDecimal(d("-0.01"), d("0")), -1);
    assert.equal(compareDecimal(d("100.01"), d("100.00")), 1);
  });

  it("writes a value at its column's scale", () => {
    assert.equal(atScale("12.5", 2), "12.50");
    assert.equal(atScale("7", 2), "7.00");
  });

  it("refuses malformed text and overflows past 38 digits", () => {
    for (const bad of ["", "1.", ".5", "1e3", "12,50", "--1"]) assert.equal(parseDecimal(bad), undefined, bad);
    const big = d("9".repeat(38));
    assert.throws(() => add(big, d("1")), DecimalOverflow);
  });
});
