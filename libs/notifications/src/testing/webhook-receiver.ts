import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';

/**
 * How a receiver checks a delivery: HMAC-SHA256 of the raw body, compared in constant time.
 * Written out here rather than calling the channel's `sign`, so the specs check it independently.
 */
export function verifies(body: Buffer, header: string | string[] | undefined, secret: string): boolean {
  return sameSignature(header, createHmac('sha256', secret).update(body));
}

/** Receivers refuse deliveries whose timestamp is older than this (API.md). */
export const MAX_TIMESTAMP_AGE_SECONDS = 300;

/**
 * How a receiver checks the timestamped signature: `X-Minyi-Timestamp` is whole seconds no more
 * than 5 minutes from the receiver's clock, and `X-Minyi-Signature-Timestamped` is the HMAC of
 * `<timestamp>.<raw body>`.
 */
export function verifiesTimestamped(body: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>, secret: string, nowSeconds = Date.now() / 1000): boolean {
  const timestamp = headers['x-minyi-timestamp'];
  if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > MAX_TIMESTAMP_AGE_SECONDS) return false;
  return sameSignature(headers['x-minyi-signature-timestamped'], createHmac('sha256', secret).update(`${timestamp}.`).update(body));
}

function sameSignature(header: string | string[] | undefined, hmac: Hmac): boolean {
  const expected = Buffer.from(`sha256=${hmac.digest('hex')}`);
  const given = Buffer.from(typeof header === 'string' ? header : '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
