// What every request carries before any route runs: its id, its deadline, and the headers every
// response has (contract section 7).
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

import type { FastifyInstance } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** Fires when REQUEST_TIMEOUT_MS has passed since the request arrived. */
    deadline: AbortSignal;
    /** JWT `sub` of the caller; the empty string when the request carries no identity. */
    principal: string;
    /** The body exactly as received, for idempotency fingerprints and webhook signatures. */
    rawBody: Buffer | undefined;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The caller's X-Request-Id when it is safe to echo and log, otherwise a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const sent = req.headers["x-request-id"];
  return typeof sent === "string" && REQUEST_ID.test(sent) ? sent : randomUUID();
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A well-formed W3C `traceparent` header, to store with the jobs a request enqueues. */
export function traceparentOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== "string") return undefined;
  const value = header.trim();
  return TRACEPARENT.test(value) ? value : undefined;
}

/** The trace id of a W3C `traceparent`, so a request's log line joins its caller's trace. */
export function traceIdOf(header: string | string[] | undefined): string | undefined {
  const value = traceparentOf(header);
  return value === undefined ? undefined : TRACEPARENT.exec(value)?.[1];
}

export function registerRequestContext(app: FastifyInstance, requestTimeoutMs: number): void {
  app.decorateRequest("deadline", null as unknown as AbortSignal);
  app.decorateRequest("principal", "");
  app.decorateRequest("rawBody", undefined);
  app.addHook("onRequest", async (request, reply) => {
    request.deadline = AbortSignal.timeout(requestTimeoutMs);
    reply.header("x-request-id", request.id);
    reply.header("x-content-type-options", "nosniff");
    if (request.url.startsWith("/v1/") || request.url === "/v1") {
      reply.header("cache-control", "no-store");
    }
  });
}
