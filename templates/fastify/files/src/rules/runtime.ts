// What compiled rules are made of (contract section 5). Values are null-aware: arithmetic on null
// is null, a comparison with null is false, and only `== null` / `!= null` see null. Integers are
// checked 64-bit on BigInt; decimals are exact (wire/decimal.ts). An overflow is a RuleError, and
// the rule then rejects.
import { add, compareDecimal, decimalLiteral, fromInteger, mul, neg, parseDecimal, sub, DecimalOverflow, type Decimal } from "../wire/decimal.js";

export { compareDecimal };

/** What a rule sees: the candidate, the rows its refs point to, its counts; all in wire form. */
export interface RuleInput {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly refs: Readonly<Record<string, Readonly<Record<string, unknown>> | null | undefined>>;
  readonly counts: readonly number[];
}

export class RuleError extends Error {
  constructor(readonly code: "overflow" | "division_by_zero") {
    super(code === "overflow" ? "integer or decimal overflow" : "division by zero");
    this.name = "RuleError";
  }
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function i64(value: bigint): bigint {
  if (value < I64_MIN || value > I64_MAX) throw new RuleError("overflow");
  return value;
}

function decimal(op: () => Decimal): Decimal {
  try {
    return op();
  } catch (err) {
    if (err instanceof DecimalOverflow) throw new RuleError("overflow");
    throw err;
  }
}

type Binary<T> = (a: T | null, b: T | null) => T | null;
function nullSafe<T>(op: (a: T, b: T) => T): Binary<T> {
  return (a, b) => (a === null || b === null ? null : op(a, b));
}

export const integerOps = {
  add: nullSafe<bigint>((a, b) => i64(a + b)),
  sub: nullSafe<bigint>((a, b) => i64(a - b)),
  mul: nullSafe<bigint>((a, b) => i64(a * b)),
  // BigInt division truncates toward zero, as the contract requires.
  div: nullSafe<bigint>((a, b) => {
    if (b === 0n) throw new RuleError("division_by_zero");
    return i64(a / b);
  }),
  neg: (a: bigint | null): bigint | null => (a === null ? null : i64(-a)),
};

export const decimalOps = {
  add: nullSafe<Decimal>((a, b) => decimal(() => add(a, b))),
  sub: nullSafe<Decimal>((a, b) => decimal(() => sub(a, b))),
  mul: nullSafe<Decimal>((a, b) => decimal(() => mul(a, b))),
  neg: (a: Decimal | null): Decimal | null => (a === null ? null : neg(a)),
};

export const literalDecimal = decimalLiteral;

export function toDecimal(a: bigint | null): Decimal | null {
  return a === null ? null : decimal(() => fromInteger(a));
}

export function readInteger(value: unknown): bigint | null {
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "bigint") return value;
  return null;
}

export function readDecimal(value: unknown): Decimal | null {
  if (typeof value === "string") return parseDecimal(value) ?? null;
  if (typeof value === "number" && Number.isFinite(value)) return parseDecimal(String(value)) ?? null;
  return null;
}

export function readText(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export function readBoolean(value: unknown): boolean | null {
  return typeof value === "boolean" ? value : null;
}

export function readTimestamp(value: unknown): number | null {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== "string") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export function readJson(value: unknown): unknown {
  return value === undefined ? null : value;
}

export function countOf(input: RuleInput, index: number): bigint {
  return BigInt(input.counts[index] ?? 0);
}

/** Unicode scalar values, not UTF-16 units. */
export function len(text: string | null): bigint | null {
  return text === null ? null : BigInt(Array.from(text).length);
}

export function lower(text: string | null): string | null {
  return text === null ? null : text.toLowerCase();
}

export type Order<T> = (a: T, b: T) => number;

export const orderInteger: Order<bigint> = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
export const orderNumber: Order<number> = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
export const orderBoolean: Order<boolean> = (a, b) => Number(a) - Number(b);
/** By code point, as Rust and PostgreSQL's C collation order strings; dates as YYYY-MM-DD too. */
export const orderText: Order<string> = (a, b) => {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length - y.length;
};
/** JSON values only compare for equality. */
export const orderJson: Order<unknown> = (a, b) => (JSON.stringify(a) === JSON.stringify(b) ? 0 : 1);

export type CompareOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge";

export function compare<T>(op: CompareOp, a: T | null, b: T | null, order: Order<T>): boolean {
  if (a === null || b === null) return false;
  const c = order(a, b);
  switch (op) {
    case "eq":
      return c === 0;
    case "ne":
      return c !== 0;
    case "lt":
      return c < 0;
    case "le":
      return c <= 0;
    case "gt":
      return c > 0;
    case "ge":
      return c >= 0;
  }
}

/** `x in [...]`, or `not in` when negated; false whenever x is null. Items are evaluated lazily. */
export function isIn<T>(negated: boolean, value: T | null, items: readonly (() => T | null)[], order: Order<T>): boolean {
  if (value === null) return false;
  const found = items.some((item) => compare("eq", value, item(), order));
  return found !== negated;
}

export function truth(value: boolean | null): boolean {
  return value === true;
}
