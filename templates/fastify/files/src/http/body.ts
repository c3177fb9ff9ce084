// Request bodies: JSON (and JSON merge patch) only, kept as raw bytes beside the parsed value.
// Fastify answers 415 for any other content type and 413 past the body limit before this runs,
// which gives the contract's order: media type, then size, then syntax.
import type { FastifyInstance, FastifyRequest } from "fastify";

import { Problem } from "../errors.js";

export const JSON_MEDIA_TYPES = ["application/json", "application/merge-patch+json"];

export function parseJsonBody(request: FastifyRequest, body: Buffer): unknown {
  request.rawBody = body;
  if (body.length === 0) throw new Problem("malformed-request", "the request body is empty");
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    throw new Problem("malformed-request", "the request body is not valid JSON");
  }
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_MEDIA_TYPES, { parseAs: "buffer" }, (request: FastifyRequest, body: Buffer, done) => {
    try {
      done(null, parseJsonBody(request, body));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

/** The body as a JSON object, or 400 malformed-request. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new Problem("malformed-request", "the request body must be a JSON object");
  }
  return body as Record<string, unknown>;
}
