// The transactional outbox (contract section 6): a domain event and the job that delivers it,
// written in the transaction of the change, so an event exists exactly when its change does.
import type { Queryable } from "./db/database.js";
import { uuidv7 } from "./wire/ids.js";

export interface DomainEvent {
  readonly type: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly data: unknown;
}

export interface DeliveryJob {
  readonly maxAttempts: number;
  /** The W3C traceparent of the change, so the delivery joins its trace. */
  readonly traceparent: string | null;
}

export async function publishEvent(tx: Queryable, event: DomainEvent, job: DeliveryJob): Promise<void> {
  const id = uuidv7();
  await tx.query(`insert into events (id, type, resource_type, resource_id, data) values ($1, $2, $3, $4, $5)`, [
    id,
    event.type,
    event.resourceType,
    event.resourceId,
    JSON.stringify(event.data),
  ]);
  await tx.query(`insert into jobs (id, kind, payload, max_attempts, traceparent) values ($1, 'deliver_event', $2, $3, $4)`, [
    uuidv7(),
    JSON.stringify({ event_id: id }),
    job.maxAttempts,
    job.traceparent,
  ]);
}
