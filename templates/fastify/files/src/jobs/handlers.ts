// What each job kind does. Every handler is safe to run twice: a delivery may be repeated (the
// receiver dedupes on webhook-id), cleanup deletes what is already gone, and a webhook marks
// itself processed in the transaction that applies it.
import type { Logger } from "pino";

import type { Database } from "../db/database.js";
import { SpanKind, currentTraceparent, inSpan } from "../observability/tracing.js";
import { sign } from "../webhooks/signature.js";
import { uuidv7 } from "../wire/ids.js";
import type { Job } from "./queue.js";

export interface DeliveryTarget {
  readonly url: string;
  readonly key: Buffer;
  readonly timeoutMs: number;
}

interface EventRow {
  id: string;
  type: string;
  created_at: Date;
  data: unknown;
  delivered_at: Date | null;
}

/** A W3C traceparent for a delivery whose job did not record one. */
function newTraceparent(): string {
  const hex = uuidv7().replaceAll("-", "");
  return `00-${hex}-${hex.slice(16)}-01`;
}

export async function deliverEvent(db: Database, target: DeliveryTarget, job: Job, signal: AbortSignal): Promise<void> {
  const eventId = job.payload.event_id;
  if (typeof eventId !== "string") throw new Error("deliver_event job without event_id");
  const found = await db.query<EventRow>("select id, type, created_at, data, delivered_at from events where id = $1", [eventId]);
  const event = found.rows[0];
  if (event === undefined || event.delivered_at !== null) return;
  // Built from the stored row only, so every attempt sends the same bytes.
  const body = JSON.stringify({ id: event.id, type: event.type, created_at: event.created_at.toISOString(), data: event.data });
  const timestamp = Math.floor(Date.now() / 1000);
  await inSpan("POST event delivery", SpanKind.CLIENT, { "http.request.method": "POST", "server.address": new URL(target.url).host }, async (span) => {
    const response = await fetch(target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": event.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": sign(target.key, event.id, timestamp, body),
        traceparent: currentTraceparent() ?? job.traceparent ?? newTraceparent(),
      },
      body,
      signal: AbortSignal.any([signal, AbortSignal.timeout(target.timeoutMs)]),
    });
    span.setAttribute("http.response.status_code", response.status);
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the receiver answered ${response.status}`);
  });
  await db.query("update events set delivered_at = now() where id = $1 and delivered_at is null", [event.id]);
}

const DELIVERED_EVENT_RETENTION_DAYS = 7;

export async function cleanup(db: Database, logger: Logger): Promise<void> {
  const keys = await db.query("delete from idempotency_keys where expires_at <= now()");
  const events = await db.query(
    `delete from events where delivered_at is not null and delivered_at < now() - make_interval(days => $1)`,
    [DELIVERED_EVENT_RETENTION_DAYS],
  );
  logger.info({ idempotency_keys: keys.rowCount, events: events.rowCount }, "cleanup done");
}
