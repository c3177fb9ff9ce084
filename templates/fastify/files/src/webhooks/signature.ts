// Standard Webhooks signatures (https://www.standardwebhooks.com): `v1,` and base64 of
// HMAC-SHA256 over `id.timestamp.body`, keyed with the base64 part of a `whsec_` secret. Used to
// sign outbound events and to verify inbound deliveries.
import { createHmac, timingSafeEqual } from "node:crypto";

/** How far a delivery's timestamp may be from now, either way. */
export const TOLERANCE_SECONDS = 5 * 60;

export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret, "base64");
}

export function sign(key: Buffer, id: string, timestamp: number, body: Buffer | string): string {
  const mac = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64");
  return `v1,${mac}`;
}

export interface SignedHeaders {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/** Why a delivery fails verification, or undefined when one of its `v1` signatures matches. */
export function verificationError(key: Buffer, headers: SignedHeaders, body: Buffer, nowSeconds: number): string | undefined {
  const { id, timestamp, signature } = headers;
  if (id === undefined || timestamp === undefined || signature === undefined) {
    return "webhook-id, webhook-timestamp and webhook-signature are required";
  }
  if (!/^\d{1,12}$/.test(timestamp)) return "webhook-timestamp is not a number of seconds";
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return "webhook-timestamp is too far from now";
  const expected = Buffer.from(sign(key, id, Number(timestamp), body));
  // Several signatures may be sent (key rotation); each is compared in constant time.
  const matched = signature.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matched ? undefined : "no signature matches";
}
