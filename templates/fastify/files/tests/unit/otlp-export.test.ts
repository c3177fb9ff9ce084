// Export when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans reach an OTLP/HTTP receiver on 127.0.0.1 as
// protobuf, flushed when tracing stops. A file of its own, so its tracer provider is the only one.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";

import { SpanKind, contextFrom, inSpan, startTracing } from "../../src/observability/tracing.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe("OTLP export", () => {
  it("exports spans as OTLP/HTTP protobuf to {endpoint}/v1/traces, flushed at stop", async () => {
    const received: { path: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks) });
        response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      });
    });
    await new Promise<void>((resolve) => {
      receiver.listen(0, "127.0.0.1", resolve);
    });
    try {
      const stop = startTracing(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, "tracing-test");
      await inSpan("exported", SpanKind.SERVER, {}, () => Promise.resolve(), contextFrom(CALLER));
      await stop();
      assert.equal(received.length, 1);
      const [post] = received;
      assert.equal(post?.path, "/v1/traces");
      assert.equal(post.headers["content-type"], "application/x-protobuf");
      assert.ok(post.body.includes(Buffer.from(TRACE_ID, "hex")), "the body holds the trace id's 16 bytes");
    } finally {
      await new Promise<void>((resolve) => {
        receiver.close(() => {
          resolve();
        });
      });
    }
  });
});
