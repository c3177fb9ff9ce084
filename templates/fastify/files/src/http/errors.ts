// Every error leaves as application/problem+json, including the ones Fastify makes itself
// (unknown route, wrong method, bad media type, body too large) and unexpected failures, which
// are logged with their stack and answered with a bare 500.
import type { IncomingMessage } from "node:http";

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import { databaseProblem } from "../db/database.js";
import { Problem, notFound } from "../errors.js";

/** A path the service serves and the methods it answers there, for 405 and `Allow`. */
export interface KnownPath {
  readonly pattern: RegExp;
  readonly methods: readonly string[];
}

export function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf("?");
  return query === -1 ? request.url : request.url.slice(0, query);
}

export function problemBytes(request: FastifyRequest, problem: Problem): string {
  return JSON.stringify(problem.body(pathOf(request), request.id));
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).headers(problem.headers).type("application/problem+json").send(problemBytes(request, problem));
}

/** Fastify's own errors, by code, as the contract's problem types. */
function frameworkProblem(err: FastifyError): Problem | undefined {
  switch (err.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_TYPE":
      return new Problem("unsupported-media-type", "the body must be application/json or application/merge-patch+json");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new Problem("payload-too-large", "the request body is larger than the limit");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new Problem("malformed-request", "the request body is not valid JSON");
    case "FST_ERR_BAD_URL":
      return notFound("no such route");
    default:
      return undefined;
  }
}

export function toProblem(err: unknown): Problem | undefined {
  if (err instanceof Problem) return err;
  const fromDatabase = databaseProblem(err);
  if (fromDatabase !== undefined) return fromDatabase;
  if (err instanceof Error && typeof (err as FastifyError).code === "string") return frameworkProblem(err as FastifyError);
  return undefined;
}

/**
 * Reads and discards what is left of a body the service refused before reading it (413), so the
 * client, which is still sending, can read the answer instead of failing on a closed socket.
 * Past `maxBytes` the connection is dropped: an endless body cannot hold the server.
 */
async function drain(raw: IncomingMessage, maxBytes: number): Promise<void> {
  if (raw.complete || raw.destroyed) return;
  await new Promise<void>((resolve) => {
    let read = 0;
    raw.on("data", (chunk: Buffer) => {
      read += chunk.length;
      if (read > maxBytes) {
        raw.destroy();
        resolve();
      }
    });
    raw.once("end", resolve);
    raw.once("close", resolve);
    raw.once("error", () => {
      resolve();
    });
    raw.resume();
  });
}

export function registerErrorHandling(app: FastifyInstance, knownPaths: readonly KnownPath[], drainLimitBytes: number): void {
  app.setErrorHandler(async (err, request, reply) => {
    const problem = toProblem(err);
    if (problem !== undefined) {
      if (problem.slug === "payload-too-large") await drain(request.raw, drainLimitBytes);
      if (problem.status >= 500) request.log.warn({ err: problem.cause ?? problem, problem: problem.slug }, problem.detail);
      return sendProblem(request, reply, problem);
    }
    request.log.error({ err }, "unhandled error");
    return sendProblem(request, reply, new Problem("internal-error", "the server failed to handle the request"));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request);
    const known = knownPaths.find((p) => p.pattern.test(path));
    if (known === undefined) return sendProblem(request, reply, notFound("no such route"));
    const allow = known.methods.join(", ");
    return sendProblem(
      request,
      reply,
      new Problem("method-not-allowed", `${request.method} is not allowed here; use ${allow}`, { headers: { allow } }),
    );
  });
}
