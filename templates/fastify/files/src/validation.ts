// Shape, type and constraint checks for request bodies: TypeBox schemas compiled by one Ajv
// instance with `allErrors`, so a client sees every failing field at once, each as a JSON pointer.
import { Type, type Static, type TSchema, type TUnsafe } from "@sinclair/typebox";
import { Ajv, type ErrorObject } from "ajv";

import { validationProblem, type ProblemItem } from "./errors.js";
import { parseDecimal } from "./wire/decimal.js";

// The same shapes the database's CHECK constraints enforce, so those never fire first.
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  return m !== null && isDate(m[1] ?? "") && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4]) < 61;
}

export const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addFormat("email", EMAIL);
ajv.addFormat("uri", URI);
ajv.addFormat("uuid", UUID);
ajv.addFormat("date", isDate);
ajv.addFormat("date-time", isDateTime);
ajv.addFormat("decimal", (text: string) => parseDecimal(text) !== undefined);

/** A schema that also accepts `null`: one `type` array rather than `anyOf`, so errors stay one per field. */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const { type, enum: values, ...rest } = schema as { type?: unknown; enum?: unknown[] };
  return Type.Unsafe<Static<T> | null>({
    ...rest,
    ...(type === undefined ? {} : { type: [type, "null"] }),
    ...(values === undefined ? {} : { enum: [...values, null] }),
  });
}

/** A string from a fixed list, as a single `enum` keyword. */
export function StringEnum<const T extends readonly string[]>(values: T): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: "string", enum: [...values] });
}

/** Why a member the schema does not allow was rejected, by field name. */
export type ForbiddenFields = Readonly<Record<string, string>>;

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
  object: "an object",
  array: "an array",
};

function pointerOf(error: ErrorObject): string {
  if (error.keyword === "additionalProperties") {
    return `${error.instancePath}/${(error.params as { additionalProperty: string }).additionalProperty}`;
  }
  if (error.keyword === "required") {
    return `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}`;
  }
  return error.instancePath;
}

function detailOf(error: ErrorObject, forbidden: ForbiddenFields): string {
  if (error.keyword === "additionalProperties") {
    const field = (error.params as { additionalProperty: string }).additionalProperty;
    return forbidden[field] ?? "is not a field of this resource";
  }
  if (error.keyword === "required") return "is required";
  if (error.keyword === "type") {
    const types = String((error.params as { type: string | string[] }).type).split(",");
    const named = types.filter((t) => t !== "null").map((t) => TYPE_NAMES[t] ?? t);
    return `must be ${named.join(" or ")}${types.includes("null") ? " or null" : ""}`;
  }
  if (error.keyword === "enum") {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.filter((v) => v !== null);
    return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  return error.message ?? "is invalid";
}

/** Ajv's errors as one problem item per pointer, in the order Ajv found them. */
export function problemItems(errors: readonly ErrorObject[] | null | undefined, forbidden: ForbiddenFields = {}): ProblemItem[] {
  const items = new Map<string, string>();
  for (const error of errors ?? []) {
    const pointer = `#${pointerOf(error)}`;
    if (!items.has(pointer)) items.set(pointer, detailOf(error, forbidden));
  }
  return [...items].map(([pointer, detail]) => ({ pointer, detail }));
}

/** Throws 422 validation-error when there is anything to report. */
export function throwIfInvalid(items: readonly ProblemItem[]): void {
  if (items.length > 0) throw validationProblem(items);
}

/** Checks a decimal's digits against numeric(precision, scale) and returns it at that scale. */
export function decimalError(text: string, precision: number, scale: number): string | undefined {
  const d = parseDecimal(text);
  if (d === undefined) return "must be a decimal number written as a string, such as \"12.50\"";
  if (d.scale > scale) return `must have at most ${scale} digits after the point`;
  const integerDigits = (d.units < 0n ? -d.units : d.units).toString().length - d.scale;
  if (integerDigits > precision - scale) return `must have at most ${precision - scale} digits before the point`;
  return undefined;
}

/** The JSON text's size in UTF-8 bytes, as stored. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}
