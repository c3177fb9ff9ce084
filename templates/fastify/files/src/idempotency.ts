// Idempotency keys (contract section 4). The key row is claimed before the work, and completed
// with the response inside the work's own transaction, so a stored response exists exactly when
// the work was committed. 4xx outcomes are stored too; a 5xx or timeout releases the key.
import { createHash } from "node:crypto";

import type { FastifyRequest } from "fastify";

import type { Database, Queryable } from "./db/database.js";
import { Problem } from "./errors.js";
import { pathOf } from "./http/errors.js";

/** A response as sent, and as stored for replay. */
export interface Outcome {
  readonly status: number;
  /** Lower-case header names: location, etag, content-type. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface IdempotencyScope {
  readonly principal: string;
  readonly method: string;
  readonly path: string;
  readonly key: string;
  readonly fingerprint: Buffer;
}

const VISIBLE_ASCII = /^[\x21-\x7e]{1,255}$/;

/** The key from the header, bare or as a structured-field string; undefined when not sent. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) throw new Problem("idempotency-key-invalid", "send exactly one Idempotency-Key header");
  let key = header.trim();
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) {
    key = key.slice(1, -1);
    if (/["\\]/.test(key)) throw new Problem("idempotency-key-invalid", "the quoted Idempotency-Key holds an escape");
  }
  if (!VISIBLE_ASCII.test(key)) {
    throw new Problem("idempotency-key-invalid", "Idempotency-Key must be 1 to 255 visible ASCII characters");
  }
  return key;
}

export function scopeOf(request: FastifyRequest, key: string): IdempotencyScope {
  return {
    principal: request.principal,
    method: request.method,
    path: pathOf(request),
    key,
    fingerprint: createHash("sha256")
      .update(request.rawBody ?? Buffer.alloc(0))
      .digest(),
  };
}

interface KeyRow {
  fingerprint: Buffer;
  status: "in_progress" | "completed";
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: Buffer | null;
  stale: boolean;
  expired: boolean;
}

export type Claim = { readonly kind: "claimed" } | { readonly kind: "replay"; readonly outcome: Outcome };

const PK = "principal = $1 and method = $2 and path = $3 and key = $4";

function pk(scope: IdempotencyScope): unknown[] {
  return [scope.principal, scope.method, scope.path, scope.key];
}

export class IdempotencyStore {
  constructor(
    private readonly db: Database,
    private readonly ttlSeconds: number,
    /** An in-progress key older than this may be taken over: its request cannot still be running. */
    private readonly takeoverMs: number,
  ) {}

  async claim(scope: IdempotencyScope): Promise<Claim> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const inserted = await this.db.query(
        `insert into idempotency_keys (principal, method, path, key, fingerprint, expires_at)
         values ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
         on conflict do nothing`,
        [...pk(scope), scope.fingerprint, this.ttlSeconds],
      );
      if (inserted.rowCount === 1) return { kind: "claimed" };
      const found = await this.db.query<KeyRow>(
        `select fingerprint, status, response_status, response_headers, response_body,
                locked_at < now() - make_interval(secs => $5) as stale, expires_at <= now() as expired
         from idempotency_keys where ${PK}`,
        [...pk(scope), this.takeoverMs / 1000],
      );
      const row = found.rows[0];
      if (row === undefined) continue;
      if (row.expired) {
        await this.db.query(`delete from idempotency_keys where ${PK} and expires_at <= now()`, pk(scope));
        continue;
      }
      if (!row.fingerprint.equals(scope.fingerprint)) {
        throw new Problem("idempotency-key-reused", "this Idempotency-Key was used with a different request body");
      }
      if (row.status === "completed" && row.response_status !== null && row.response_body !== null) {
        return { kind: "replay", outcome: { status: row.response_status, headers: row.response_headers ?? {}, body: row.response_body } };
      }
      if (row.stale) {
        const taken = await this.db.query(
          `update idempotency_keys set locked_at = now()
           where ${PK} and status = 'in_progress' and locked_at < now() - make_interval(secs => $5)`,
          [...pk(scope), this.takeoverMs / 1000],
        );
        if (taken.rowCount === 1) return { kind: "claimed" };
      }
      throw new Problem("idempotency-key-in-use", "a request with this Idempotency-Key is still in progress", {
        headers: { "retry-after": "1" },
      });
    }
    throw new Problem("idempotency-key-in-use", "a request with this Idempotency-Key is still in progress", {
      headers: { "retry-after": "1" },
    });
  }

  /** Stores the outcome; `tx` is the work's transaction, or the pool for a rolled-back 4xx. */
  async complete(tx: Queryable, scope: IdempotencyScope, outcome: Outcome): Promise<void> {
    await tx.query(
      `update idempotency_keys
       set status = 'completed', response_status = $5, response_headers = $6, response_body = $7
       where ${PK}`,
      [...pk(scope), outcome.status, JSON.stringify(outcome.headers), outcome.body],
    );
  }

  /** Forgets the key after a 5xx or a timeout, so that a retry runs the work again. */
  async release(scope: IdempotencyScope): Promise<void> {
    await this.db.query(`delete from idempotency_keys where ${PK} and status = 'in_progress'`, pk(scope));
  }
}
