// The frame of every write: idempotency claim, one transaction for the work and its stored
// response, and the reply. Handlers only say what the work is.
import type { FastifyReply, FastifyRequest } from "fastify";
import type pg from "pg";

import type { Database } from "../db/database.js";
import { Problem } from "../errors.js";
import { parseIdempotencyKey, scopeOf, type IdempotencyStore, type Outcome } from "../idempotency.js";
import type { Metrics } from "../observability/metrics.js";
import { problemBytes, toProblem } from "./errors.js";

export interface MutationDeps {
  readonly db: Database;
  readonly idempotency: IdempotencyStore;
  readonly metrics: Metrics;
}

export interface MutationOptions {
  /** POST with `idempotency.required`: a missing key is 400 idempotency-key-missing. */
  readonly keyRequired: boolean;
  /** Runs once the work has committed (not on a replay): cache invalidation. */
  readonly afterCommit?: () => Promise<void>;
}

export function jsonOutcome(status: number, body: unknown, headers: Record<string, string> = {}): Outcome {
  return { status, headers: { ...headers, "content-type": "application/json; charset=utf-8" }, body: Buffer.from(JSON.stringify(body)) };
}

export function emptyOutcome(status: number): Outcome {
  return { status, headers: {}, body: Buffer.alloc(0) };
}

/** A problem that is the committed result of the work, such as a rule rejection that is audited. */
export function problemOutcome(request: FastifyRequest, problem: Problem): Outcome {
  return {
    status: problem.status,
    headers: { ...problem.headers, "content-type": "application/problem+json" },
    body: Buffer.from(problemBytes(request, problem)),
  };
}

function send(reply: FastifyReply, outcome: Outcome): void {
  reply.code(outcome.status).headers(outcome.headers);
  if (outcome.body.length === 0) reply.send();
  else reply.send(outcome.body);
}

export async function runMutation(
  deps: MutationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  options: MutationOptions,
  work: (tx: pg.PoolClient) => Promise<Outcome>,
): Promise<void> {
  const key = parseIdempotencyKey(request.headers["idempotency-key"]);
  if (key === undefined) {
    if (options.keyRequired) throw new Problem("idempotency-key-missing", "this request needs an Idempotency-Key header");
    const outcome = await deps.db.transaction(request.deadline, work);
    await options.afterCommit?.();
    send(reply, outcome);
    return;
  }
  const scope = scopeOf(request, key);
  const claim = await deps.idempotency.claim(scope);
  if (claim.kind === "replay") {
    deps.metrics.idempotencyReplays.inc();
    reply.header("idempotent-replayed", "true");
    send(reply, claim.outcome);
    return;
  }
  try {
    const outcome = await deps.db.transaction(request.deadline, async (tx) => {
      const result = await work(tx);
      await deps.idempotency.complete(tx, scope, result);
      return result;
    });
    await options.afterCommit?.();
    send(reply, outcome);
  } catch (err: unknown) {
    const problem = toProblem(err);
    if (problem !== undefined && problem.status < 500) {
      // The work was rolled back; its answer is stored on its own so a retry gets the same one.
      const outcome = problemOutcome(request, problem);
      await deps.idempotency.complete(deps.db.pool, scope, outcome);
      send(reply, outcome);
      return;
    }
    await deps.idempotency.release(scope).catch((releaseError: unknown) => {
      request.log.warn({ err: releaseError }, "could not release an idempotency key");
    });
    throw err;
  }
}
