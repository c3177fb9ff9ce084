// A server span per request, continuing the caller's trace when it sends a `traceparent`. The
// rest of the request (hooks, handler, queries) runs inside the span's context.
import type { Span } from "@opentelemetry/api";
import type { FastifyInstance } from "fastify";

import { SpanKind, SpanStatusCode, context, contextFrom, trace, tracer } from "../observability/tracing.js";
import { traceparentOf } from "./request-context.js";

declare module "fastify" {
  interface FastifyRequest {
    span: Span | undefined;
  }
}

export function registerRequestTracing(app: FastifyInstance): void {
  app.decorateRequest("span", undefined);
  app.addHook("onRequest", (request, _reply, done) => {
    const parent = contextFrom(traceparentOf(request.headers.traceparent));
    const route = request.routeOptions.url ?? "unmatched";
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": request.method, "http.route": route, "url.path": request.url.split("?")[0] } },
      parent,
    );
    request.span = span;
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook("onResponse", async (request, reply) => {
    const span = request.span;
    if (span === undefined) return;
    span.setAttribute("http.response.status_code", reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

/** The trace id of a request's span, for its log line; undefined when it belongs to no trace. */
export function traceIdOfRequest(span: Span | undefined): string | undefined {
  const id = span?.spanContext().traceId;
  return id === undefined || /^0+$/.test(id) ? undefined : id;
}
