// A bare Fastify handler per route, doing the one query the generated service's route does and
// nothing else: no validation, idempotency, audit, outbox, auth or rate limiting. The load
// benchmark compares the generated service with this, in the same run. Plain JavaScript, so it
// runs as written: there is nothing here for a compiler to check.
import { randomBytes } from "node:crypto";

import Fastify from "fastify";
import pg from "pg";

// UUIDv7 like the service's (and baseline-axum's), so inserts land at the right edge of the index.
function uuidv7() {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(Date.now(), 0, 6);
  bytes[6] = 0x70 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify({ logger: false });

app.get("/v1/customers/:id", async (request, reply) => {
  const result = await pool
    .query(
      "SELECT id, email, name, country, risk_level, created_at::text AS created_at, version FROM customers WHERE id = $1",
      [request.params.id],
    )
    .catch(() => undefined);
  if (result === undefined) return reply.code(503).send();
  const row = result.rows[0];
  if (row === undefined) return reply.code(404).send();
  return { ...row, version: Number(row.version) };
});

app.post("/v1/customers", async (request, reply) => {
  const id = uuidv7();
  const { email, name, country } = request.body ?? {};
  try {
    await pool.query("INSERT INTO customers (id, email, name, country) VALUES ($1, $2, $3, $4)", [id, email, name, country]);
  } catch {
    return reply.code(409).send();
  }
  return reply.code(201).send({ id });
});

await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
