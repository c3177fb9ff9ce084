-- 0001_platform: the tables every skaffold service owns, whatever its manifest.
--
-- Written once here and rendered unchanged into every stack, so that `pg_dump --schema-only` of
-- any two stacks' databases is equal. The comments attached with `comment on` are part of that
-- dump on purpose: they are the reference for the engineers who write each stack's queries.
--
-- The migration runner applies this file in one transaction, under an advisory lock, and records
-- it in schema_migrations in that same transaction; nothing here is written to be re-run.

create table schema_migrations (
  version bigint primary key,
  name text not null,
  applied_at timestamptz(3) not null default now()
);

comment on table schema_migrations is
  'Migrations applied to this database, shared by every stack so that they agree on what is applied. A runner takes the advisory lock, reads this table (absent = nothing applied), and applies each missing migration in one transaction that also inserts its row here.';

create table idempotency_keys (
  principal text not null,
  method text not null,
  path text not null,
  key text not null,
  fingerprint bytea not null,
  status text not null default 'in_progress',
  response_status smallint,
  response_headers jsonb,
  response_body bytea,
  locked_at timestamptz(3) not null default now(),
  created_at timestamptz(3) not null default now(),
  expires_at timestamptz(3) not null,
  constraint idempotency_keys_pkey primary key (principal, method, path, key),
  constraint idempotency_keys_key_length check (octet_length(key) between 1 and 255),
  -- SHA-256 is always 32 bytes; anything else is a bug in the stack, not a client error.
  constraint idempotency_keys_fingerprint_length check (octet_length(fingerprint) = 32),
  constraint idempotency_keys_status_values check (status in ('in_progress', 'completed')),
  -- A completed key must be replayable byte for byte, so its response is stored with it.
  constraint idempotency_keys_response_complete check (
    status = 'in_progress' or (response_status is not null and response_headers is not null and response_body is not null)
  ),
  constraint idempotency_keys_response_status_range check (response_status between 100 and 599)
);

-- The cleanup job deletes expired keys in expires_at order.
create index idempotency_keys_expires_at_idx on idempotency_keys (expires_at);

comment on table idempotency_keys is
  'One row per Idempotency-Key, scoped by (principal, method, path, key). Inserted as in_progress before the work; completed with the stored response in the transaction of the work; deleted when the work fails with a 5xx or times out, so that a retry runs again.';
comment on column idempotency_keys.principal is
  'JWT sub of the caller; the empty string when the service has no authentication.';
comment on column idempotency_keys.method is
  'HTTP method in upper case (POST, PATCH, DELETE).';
comment on column idempotency_keys.path is
  'Request path without the query string, as received (/v1/payments).';
comment on column idempotency_keys.key is
  'The Idempotency-Key value, unwrapped from a structured-field string when quoted.';
comment on column idempotency_keys.fingerprint is
  'SHA-256 of the raw request body (32 bytes): the same key with another fingerprint is idempotency-key-reused.';
comment on column idempotency_keys.response_headers is
  'The replayed headers as a JSON object of header name (lower case) to value: location, etag, content-type when present.';
comment on column idempotency_keys.response_body is
  'The response body bytes exactly as sent, so that a replay is byte-identical.';
comment on column idempotency_keys.locked_at is
  'When the current attempt took the key; an in_progress row older than the request timeout plus 5 s may be taken over.';
comment on column idempotency_keys.expires_at is
  'created_at plus the idempotency TTL; after it the cleanup job deletes the row and the key is new again.';

create table audit_events (
  id uuid primary key,
  occurred_at timestamptz(3) not null default now(),
  actor text not null,
  action text not null,
  resource_type text not null,
  resource_id uuid,
  before jsonb,
  after jsonb,
  request_id text,
  constraint audit_events_action_values check (action in ('create', 'update', 'delete', 'rule_rejected')),
  -- Only a rejected create has no row, hence no id.
  constraint audit_events_resource_id_present check (resource_id is not null or action = 'rule_rejected')
);

-- The three orders GET /v1/audit-events pages through: everything, one resource type, one row.
create index audit_events_occurred_at_id_idx on audit_events (occurred_at desc, id desc);
create index audit_events_resource_type_occurred_at_id_idx on audit_events (resource_type, occurred_at desc, id desc);
create index audit_events_resource_occurred_at_id_idx on audit_events (resource_type, resource_id, occurred_at desc, id desc);

comment on table audit_events is
  'Append-only history of every mutation and rule rejection, written in the transaction of the mutation and served by GET /v1/audit-events. Triggers reject UPDATE, DELETE and TRUNCATE.';
comment on column audit_events.actor is
  'JWT sub of the caller, or webhook:<name> for changes made by an inbound webhook.';
comment on column audit_events.resource_type is
  'The resource''s singular manifest name (payment).';
comment on column audit_events.before is
  'The representation before the change; null for create and rule_rejected.';
comment on column audit_events.after is
  'The representation after the change; null for delete; for rule_rejected, the candidate that was rejected.';
comment on column audit_events.request_id is
  'X-Request-Id of the request; null when a background job made the change.';

-- A function rather than a revoked privilege: privileges differ between deployments, while the
-- trigger travels with the schema and holds for the table owner too. It raises the generic
-- P0001, not an integrity-violation code, so that no stack mistakes it for a client's conflict:
-- only a bug can reach it, and it must surface as a 500.
create function audit_events_append_only() returns trigger
language plpgsql
as $$
begin
  raise exception 'audit_events is append-only: % is not allowed', tg_op;
end;
$$;

create trigger audit_events_append_only
  before update or delete on audit_events
  for each row execute function audit_events_append_only();

-- Row triggers do not fire for TRUNCATE; a statement trigger closes that way around them.
create trigger audit_events_no_truncate
  before truncate on audit_events
  for each statement execute function audit_events_append_only();

create table events (
  id uuid primary key,
  type text not null,
  resource_type text,
  resource_id uuid,
  data jsonb not null,
  created_at timestamptz(3) not null default now(),
  delivered_at timestamptz(3)
);

-- Cleanup deletes old delivered events; undelivered ones are never in this index.
create index events_delivered_at_idx on events (delivered_at) where delivered_at is not null;

comment on table events is
  'Transactional outbox: one row per domain event ({resource}.created, .updated, .deleted, .flagged), written with the change and delivered by a deliver_event job.';
comment on column events.type is
  'The event type, such as payment.created.';
comment on column events.data is
  'The event''s data member as delivered: the resource representation.';
comment on column events.delivered_at is
  'When a delivery attempt got a 2xx; null while pending.';

create table jobs (
  id uuid primary key,
  kind text not null,
  payload jsonb not null,
  status text not null default 'queued',
  attempts integer not null default 0,
  max_attempts integer not null,
  run_at timestamptz(3) not null default now(),
  locked_until timestamptz(3),
  last_error text,
  traceparent text,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now(),
  constraint jobs_kind_values check (kind in ('deliver_event', 'process_webhook', 'cleanup')),
  constraint jobs_status_values check (status in ('queued', 'running', 'done', 'dead')),
  constraint jobs_attempts_range check (attempts >= 0),
  constraint jobs_max_attempts_range check (max_attempts >= 1),
  -- A running job without a lease could never be reclaimed after a crash.
  constraint jobs_locked_until_present check (status <> 'running' or locked_until is not null)
);

-- Claiming: status = 'queued' and run_at <= now() order by run_at, for update skip locked.
create index jobs_queued_run_at_idx on jobs (run_at) where status = 'queued';
-- Reclaiming: status = 'running' and locked_until < now().
create index jobs_running_locked_until_idx on jobs (locked_until) where status = 'running';
-- The periodic cleanup is scheduled by every replica; this makes all but one insert a no-op
-- (insert ... on conflict do nothing).
create unique index jobs_cleanup_pending_key on jobs (kind) where kind = 'cleanup' and status in ('queued', 'running');

comment on table jobs is
  'The background job queue. Claimed with FOR UPDATE SKIP LOCKED and leased until locked_until; retried with exponential backoff by moving run_at; dead after max_attempts and kept.';
comment on column jobs.payload is
  'deliver_event: {"event_id": uuid}; process_webhook: {"inbound_webhook_id": uuid}; cleanup: {}.';
comment on column jobs.attempts is
  'Attempts started so far, incremented when the job is claimed.';
comment on column jobs.run_at is
  'Earliest time the job may be claimed.';
comment on column jobs.locked_until is
  'End of the current lease while running; an expired lease is reclaimed.';
comment on column jobs.traceparent is
  'W3C traceparent of the request that enqueued the job, so the job''s spans join its trace.';

create table inbound_webhooks (
  id uuid primary key,
  webhook text not null,
  webhook_id text not null,
  event_type text,
  body bytea not null,
  status text not null default 'received',
  received_at timestamptz(3) not null default now(),
  processed_at timestamptz(3),
  -- The sender's webhook-id makes redelivery harmless: a duplicate insert answers 200.
  constraint inbound_webhooks_webhook_webhook_id_key unique (webhook, webhook_id),
  constraint inbound_webhooks_status_values check (status in ('received', 'processed', 'ignored', 'failed'))
);

comment on table inbound_webhooks is
  'Verified inbound webhook deliveries, stored before processing by a process_webhook job.';
comment on column inbound_webhooks.webhook is
  'The webhook''s manifest name, as in POST /webhooks/{name}.';
comment on column inbound_webhooks.webhook_id is
  'The webhook-id header of the delivery.';
comment on column inbound_webhooks.event_type is
  'The value at the manifest''s event_type pointer; null when the body has none.';
comment on column inbound_webhooks.body is
  'The raw request body bytes, exactly as signed.';
