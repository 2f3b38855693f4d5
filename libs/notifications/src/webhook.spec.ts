import { describe, expect, it } from '@jest/globals';
import { DEFAULT_RETRY_BASE_MS, MIN_RETRY_SPAN_MS, payloadFor, retryPolicy, retrySpanMs, sign, signatureHeaders, signTimestamped } from './webhook.js';
import { ESCALATION_NOTIFICATION, ESCALATION_RECIPIENT } from './testing/escalation-notification.js';

describe('sign', () => {
  it('is sha256= and the hex HMAC-SHA256 of the body (RFC 4231, test case 2)', () => {
    expect(sign('what do ya want for nothing?', 'Jefe')).toBe('sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('signs the UTF-8 bytes of the body', () => {
    expect(sign('案件', 'k')).toBe(sign(Buffer.from('案件', 'utf8'), 'k'));
    expect(sign('案件', 'k')).not.toBe(sign('案件', 'k2'));
  });
});

describe('signTimestamped', () => {
  it('is the HMAC of "<timestamp>.<body>", and the headers of an attempt carry its unix seconds', () => {
    expect(signTimestamped(1_764_806_400, '{"a":1}', 'k')).toBe(sign('1764806400.{"a":1}', 'k'));
    expect(signatureHeaders('{"a":1}', 'k', new Date('2025-12-04T00:00:00.999Z'))).toEqual({
      'X-Minyi-Signature': sign('{"a":1}', 'k'),
      'X-Minyi-Timestamp': '1764806400',
      'X-Minyi-Signature-Timestamped': sign('1764806400.{"a":1}', 'k'),
    });
  });
});

describe('retryPolicy', () => {
  it('retries with exponential backoff for at least an hour from the default base of 1 s: 13 attempts, 4095 s', () => {
    const policy = retryPolicy();
    expect(policy).toEqual({ attempts: 13, backoff: { type: 'exponential', delay: DEFAULT_RETRY_BASE_MS } });
    expect(retrySpanMs(policy)).toBe(4_095_000);
  });

  it.each([1, 250, 1_000, 5_000, 60_000, 3_600_000, 7_200_000])('spans at least an hour, and no more retries than that needs, from a base of %i ms', (base) => {
    const policy = retryPolicy(base);
    // BullMQ waits base·2^(k−1) before retry k (1-based).
    const waits = Array.from({ length: policy.attempts - 1 }, (_, k) => base * 2 ** k);
    const total = waits.reduce((sum, wait) => sum + wait, 0);
    expect(total).toBe(retrySpanMs(policy));
    expect(total).toBeGreaterThanOrEqual(MIN_RETRY_SPAN_MS);
    expect(total - waits[waits.length - 1]!).toBeLessThan(MIN_RETRY_SPAN_MS);
    expect(policy.backoff).toEqual({ type: 'exponential', delay: base });
  });

  it('refuses a base that is not a positive whole number of milliseconds', () => {
    for (const base of [0, -1, 1.5, Number.NaN]) expect(() => retryPolicy(base)).toThrow(RangeError);
  });
});

describe('payloadFor', () => {
  it('is the API.md body, with the resolved recipients and without the audience', () => {
    const notification = ESCALATION_NOTIFICATION;
    const recipient = ESCALATION_RECIPIENT;
    expect(payloadFor(notification, [recipient])).toEqual({
      deliveryId: notification.deliveryId,
      type: 'CaseEscalated',
      caseId: notification.caseId,
      caseNumber: 'MY-2026-000001',
      unitId: 'hd-dg',
      recipients: [recipient],
      text: notification.text,
      texts: notification.texts,
      event: { type: 'CaseEscalated', revision: 1, position: 42, at: '2026-03-02T09:01:00+08:00' },
    });
    expect(Object.keys(payloadFor(notification, []))).toEqual(['deliveryId', 'type', 'caseId', 'caseNumber', 'unitId', 'recipients', 'text', 'texts', 'event']);
  });
});
