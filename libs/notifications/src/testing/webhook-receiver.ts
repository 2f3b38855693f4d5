import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a receiver checks a delivery: HMAC-SHA256 of the raw body, compared in constant time.
 * Written out here rather than calling the channel's `sign`, so the specs check it independently.
 */
export function verifies(body: Buffer, header: string | string[] | undefined, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(typeof header === 'string' ? header : '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
