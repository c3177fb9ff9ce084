// UUIDv7 (RFC 9562): a millisecond timestamp then randomness, so ids made in one process sort by
// creation time, and b-tree inserts stay at the right edge of the index.
import { randomBytes } from "node:crypto";

let lastMillis = 0;
let sequence = 0;

export function uuidv7(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  // Within one millisecond, a 12-bit counter in rand_a keeps ids from this process increasing.
  if (now <= lastMillis) {
    sequence += 1;
    if (sequence > 0xfff) {
      lastMillis += 1;
      sequence = 0;
    }
    now = lastMillis;
  } else {
    lastMillis = now;
    sequence = bytes.readUInt16BE(6) & 0x7ff;
  }
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
