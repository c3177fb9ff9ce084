// The list cursor: base64url of the last row's keyset key, `created_at` and `id`. Opaque to
// clients; anything that does not decode to that shape is 400 invalid-parameter.
import { invalidParameter } from "../errors.js";
import { isUuid } from "./ids.js";

export interface CursorKey {
  readonly createdAt: Date;
  readonly id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.createdAt.toISOString(), key.id]), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): CursorKey {
  const bad = invalidParameter("cursor", "is not a cursor this service issued");
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw bad;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw bad;
  const [at, id] = decoded as unknown[];
  if (typeof at !== "string" || typeof id !== "string" || !isUuid(id)) throw bad;
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at) throw bad;
  return { createdAt, id };
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

export function parseLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_LIMIT;
  if (typeof value !== "string" || !/^\d{1,3}$/.test(value)) throw invalidParameter("limit", "must be an integer from 1 to 100");
  const limit = Number(value);
  if (limit < 1 || limit > MAX_LIMIT) throw invalidParameter("limit", "must be an integer from 1 to 100");
  return limit;
}
