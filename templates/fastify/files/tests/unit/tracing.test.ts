// Trace context without an exporter (OTEL_EXPORTER_OTLP_ENDPOINT unset): a caller's traceparent
// is continued and a request without one still gets a trace id. Each test file runs in its own
// process, so the tracer provider installed here is the only one.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { SpanKind, contextFrom, currentTraceId, currentTraceparent, inSpan, startTracing } from "../../src/observability/tracing.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe("tracing", () => {
  it("continues a caller's trace and starts new ones without an exporter", async () => {
    const stop = startTracing(undefined, "tracing-test");
    const continued = await inSpan("continued", SpanKind.SERVER, {}, () => Promise.resolve(currentTraceparent()), contextFrom(CALLER));
    const [, traceId, spanId] = (continued ?? "").split("-");
    assert.equal(traceId, TRACE_ID);
    assert.notEqual(spanId, "00f067aa0ba902b7", "the request's span is a child of the caller's, not the same span");
    const fresh = await inSpan("fresh", SpanKind.SERVER, {}, () => Promise.resolve(currentTraceId()), contextFrom(undefined));
    assert.match(fresh ?? "", /^[0-9a-f]{32}$/);
    assert.notEqual(fresh, TRACE_ID);
    await stop();
  });
});
