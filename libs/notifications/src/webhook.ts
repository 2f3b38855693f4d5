import { createHmac } from 'node:crypto';
import { textsOf, type Notification, type NotificationEventRef, type NotificationTexts, type NotificationType } from './notification.js';
import type { Recipient } from './recipients.js';

/**
 * Webhook delivery (API.md, "Webhook notifications" and "Privacy and defaults"): every
 * notification is POSTed as JSON to NOTIFY_WEBHOOK_URL, signed with NOTIFY_WEBHOOK_SECRET (the body
 * alone, and the attempt's timestamp with the body), and retried with exponential backoff for at
 * least an hour. Every attempt carries the same `deliveryId`, so a receiver can drop repeats, and
 * a timestamp of its own.
 */

/** The JSON body of a webhook delivery. */
export interface WebhookPayload {
  readonly deliveryId: string;
  readonly type: NotificationType;
  /** Null when the notification tells of a bulletin (`BulletinPublished`, with `bulletinId`). */
  readonly caseId: string | null;
  readonly caseNumber: string | null;
  readonly bulletinId?: string;
  readonly unitId: string;
  readonly recipients: readonly Recipient[];
  /** Chinese, as API.md has it. */
  readonly text: string;
  /** An addition to API.md: the text in every language (`zh-CN`, `en`). */
  readonly texts: NotificationTexts;
  readonly event: NotificationEventRef;
}

/** Why a delivery failed: a non-2xx answer, no answer at all, or no answer in time. */
export type DeliveryFailureReason = 'status' | 'network' | 'timeout';

/** A webhook delivery that did not get a 2xx answer; the job that sent it retries. */
export class DeliveryFailedError extends Error {
  readonly code = 'delivery_failed';

  constructor(
    readonly reason: DeliveryFailureReason,
    /** The HTTP status for `status`; null when no answer came. */
    readonly status: number | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeliveryFailedError';
  }
}

export interface DeliverOptions {
  /** The whole exchange (connect, send, answer) must finish within this; default 10 s. */
  readonly timeoutMs?: number;
}

export interface DeliveryResult {
  readonly status: number;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRY_BASE_MS = 1_000;
/** Retries go on for at least this long in all. */
export const MIN_RETRY_SPAN_MS = 3_600_000;

export function payloadFor(notification: Notification, recipients: readonly Recipient[]): WebhookPayload {
  const { deliveryId, type, caseId, caseNumber, bulletinId, unitId, text, event } = notification;
  return {
    deliveryId,
    type,
    caseId,
    caseNumber,
    ...(bulletinId ? { bulletinId } : {}),
    unitId,
    recipients: recipients.map(({ userId, username, displayName }) => ({ userId, username, displayName })),
    text,
    texts: textsOf(notification),
    event: { type: event.type, revision: event.revision, position: event.position, at: event.at },
  };
}

/** `sha256=<hex HMAC-SHA256 of the raw body with the secret>`: the X-Minyi-Signature header. */
export function sign(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`: the X-Minyi-Signature-Timestamped
 * header, which binds the body to the X-Minyi-Timestamp of its attempt, so that a receiver who
 * refuses old timestamps (API.md: more than 5 minutes) cannot be sent a captured delivery again.
 */
export function signTimestamped(timestamp: number, rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** The signature headers of one attempt at `now`: every attempt, a redelivery too, signs its own time. */
export function signatureHeaders(rawBody: string, secret: string, now: Date = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'X-Minyi-Signature': sign(rawBody, secret),
    'X-Minyi-Timestamp': String(timestamp),
    'X-Minyi-Signature-Timestamped': signTimestamped(timestamp, rawBody, secret),
  };
}

/**
 * POSTs the payload. Resolves on a 2xx answer; throws DeliveryFailedError on any other answer
 * (redirects included: they are not followed), on a network error, or on timeout.
 */
export async function deliver(url: string, secret: string, payload: WebhookPayload, options: DeliverOptions = {}): Promise<DeliveryResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const body = JSON.stringify(payload);
  let response: Response;
  let answer: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'minyi-webhook/1',
        'X-Minyi-Delivery': payload.deliveryId,
        // Signed with the system clock, which receivers compare with theirs.
        ...signatureHeaders(body, secret),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read the answer under the same deadline, so the connection is freed.
    answer = await response.text();
  } catch (error) {
    const name = (error as { name?: string } | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new DeliveryFailedError('timeout', null, `webhook ${describeUrl(url)}: no answer within ${timeoutMs} ms`, { cause: error });
    }
    const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
    const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    throw new DeliveryFailedError('network', null, `webhook ${describeUrl(url)}: ${detail}`, { cause: error });
  }
  if (response.status < 200 || response.status > 299) {
    const excerpt = answer.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw new DeliveryFailedError('status', response.status, `webhook ${describeUrl(url)} answered ${response.status}${excerpt ? `: ${excerpt}` : ''}`);
  }
  return { status: response.status };
}

/** BullMQ job options: how many attempts, and the exponential backoff between them. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly backoff: { readonly type: 'exponential'; readonly delay: number };
}

/**
 * Attempts and backoff so that the retries span at least an hour. BullMQ waits base·2^(k-1)
 * before retry k, so n retries wait base·(2^n − 1) in all; n is the least with that ≥ 1 h.
 * With the default base of 1 s: 12 retries (13 attempts), waiting 1 s, 2 s, … 2048 s (34 min),
 * 4095 s (68 min) in all. No jitter: jitter would shorten the waits below the hour.
 */
export function retryPolicy(baseMs: number = DEFAULT_RETRY_BASE_MS): RetryPolicy {
  if (!Number.isInteger(baseMs) || baseMs < 1) throw new RangeError(`the retry base must be a whole number of milliseconds ≥ 1, got ${baseMs}`);
  let retries = 1;
  while (baseMs * (2 ** retries - 1) < MIN_RETRY_SPAN_MS) retries += 1;
  return { attempts: retries + 1, backoff: { type: 'exponential', delay: baseMs } };
}

/** The total wait of a policy's retries, in milliseconds. */
export function retrySpanMs(policy: RetryPolicy): number {
  return policy.backoff.delay * (2 ** (policy.attempts - 1) - 1);
}

/** The webhook channel as configured: one URL and its secret. */
export class WebhookChannel {
  constructor(
    readonly url: string,
    private readonly secret: string,
    private readonly options: DeliverOptions = {},
  ) {}

  send(notification: Notification, recipients: readonly Recipient[]): Promise<DeliveryResult> {
    return deliver(this.url, this.secret, payloadFor(notification, recipients), this.options);
  }
}

/** The webhook functions under one name. */
export const WebhookDelivery = Object.freeze({ payloadFor, sign, signTimestamped, deliver, retryPolicy, retrySpanMs });

/** A URL for messages: never its credentials or query (which may hold a token). */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
