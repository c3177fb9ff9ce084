// CORS for the origins the manifest lists, and nothing for any other origin: browsers then
// refuse the response, which is the point. Preflights are answered here, before auth and rate
// limiting, since they carry no credentials.
import type { FastifyInstance } from "fastify";

import type { KnownPath } from "./errors.js";
import { pathOf } from "./errors.js";

const ALLOWED_HEADERS = "authorization, content-type, idempotency-key, if-match, if-none-match, x-request-id, traceparent";
const EXPOSED_HEADERS = "location, etag, x-request-id, retry-after, idempotent-replayed, ratelimit, ratelimit-policy";

export function registerCors(app: FastifyInstance, origins: readonly string[], knownPaths: readonly KnownPath[]): void {
  const allowed = new Set(origins);
  app.addHook("onRequest", async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return;
    reply.header("access-control-allow-origin", origin);
    reply.header("vary", "origin");
    reply.header("access-control-expose-headers", EXPOSED_HEADERS);
    if (request.method !== "OPTIONS" || request.headers["access-control-request-method"] === undefined) return;
    const path = pathOf(request);
    const known = knownPaths.find((p) => p.pattern.test(path));
    if (known === undefined) return;
    reply.header("access-control-allow-methods", known.methods.join(", "));
    reply.header("access-control-allow-headers", ALLOWED_HEADERS);
    reply.header("access-control-max-age", "600");
    return reply.code(204).send();
  });
}
