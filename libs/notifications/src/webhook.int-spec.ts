import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeliveryFailedError, WebhookChannel, deliver, payloadFor } from './webhook.js';
import { ESCALATION_NOTIFICATION, ESCALATION_RECIPIENT } from './testing/escalation-notification.js';
import { verifies, verifiesTimestamped } from './testing/webhook-receiver.js';

/** What the receiving server saw of one request. */
interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const SECRET = 'webhook-secret-用于测试';

const notification = ESCALATION_NOTIFICATION;
const recipients = [ESCALATION_RECIPIENT];

describe('webhook delivery to a real HTTP server', () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];
  /** Per path: how the server answers. */
  const answers: Record<string, (response: ServerResponse) => void> = {
    '/ok': (response) => response.writeHead(204).end(),
    '/fails': (response) => response.writeHead(500, { 'Content-Type': 'text/plain' }).end('database down\n'),
    '/moved': (response) => response.writeHead(302, { Location: '/ok' }).end(),
    // Never answers while the test waits; released when the server closes.
    '/slow': (response) => void held.push(response),
  };
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        received.push({ method: request.method ?? '', path, headers: request.headers, body: Buffer.concat(chunks) });
        (answers[path] ?? ((r: ServerResponse) => r.writeHead(404).end()))(response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const response of held) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const lastTo = (path: string) => received.filter((r) => r.path === path).at(-1)!;

  it('POSTs the payload as JSON with the delivery id and a signature that verifies with the secret', async () => {
    const payload = payloadFor(notification, recipients);
    expect(await deliver(`${base}/ok`, SECRET, payload, { timeoutMs: 5_000 })).toEqual({ status: 204 });

    const request = lastTo('/ok');
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-minyi-delivery']).toBe(notification.deliveryId);
    expect(request.headers['x-minyi-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifies(request.body, request.headers['x-minyi-signature'] as string, SECRET)).toBe(true);
    expect(verifies(request.body, request.headers['x-minyi-signature'] as string, 'another secret')).toBe(false);
    expect(request.headers['x-minyi-timestamp']).toMatch(/^\d+$/);
    expect(Math.abs(Number(request.headers['x-minyi-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(request.headers['x-minyi-signature-timestamped']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifiesTimestamped(request.body, request.headers, SECRET)).toBe(true);
    expect(verifiesTimestamped(request.body, request.headers, 'another secret')).toBe(false);
    // A receiver refuses the same delivery replayed more than 5 minutes later, and a body with another timestamp.
    expect(verifiesTimestamped(request.body, request.headers, SECRET, Date.now() / 1000 + 301)).toBe(false);
    const shifted = { ...request.headers, 'x-minyi-timestamp': String(Number(request.headers['x-minyi-timestamp']) + 1) };
    expect(verifiesTimestamped(request.body, shifted, SECRET)).toBe(false);
    expect(JSON.parse(request.body.toString('utf8'))).toEqual({
      deliveryId: notification.deliveryId,
      type: 'CaseEscalated',
      caseId: notification.caseId,
      caseNumber: 'MY-2026-000001',
      unitId: 'hd-dg',
      recipients,
      text: notification.text,
      texts: notification.texts,
      event: { type: 'CaseEscalated', revision: 1, position: 42, at: '2026-03-02T09:01:00+08:00' },
    });
  });

  it('sends the same delivery id and body on every attempt, each with a fresh timestamp', async () => {
    const channel = new WebhookChannel(`${base}/ok`, SECRET, { timeoutMs: 5_000 });
    await channel.send(notification, recipients);
    const first = lastTo('/ok');
    // Timestamps are whole seconds: the redelivery comes in a later one.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await channel.send(notification, recipients);
    const second = lastTo('/ok');
    expect(second.headers['x-minyi-delivery']).toBe(first.headers['x-minyi-delivery']);
    expect(second.body.equals(first.body)).toBe(true);
    expect(second.headers['x-minyi-signature']).toBe(first.headers['x-minyi-signature']);
    expect(Number(second.headers['x-minyi-timestamp'])).toBeGreaterThan(Number(first.headers['x-minyi-timestamp']));
    expect(second.headers['x-minyi-signature-timestamped']).not.toBe(first.headers['x-minyi-signature-timestamped']);
    expect(verifiesTimestamped(second.body, second.headers, SECRET)).toBe(true);
  });

  it('fails with the status on a 500', async () => {
    const failure = await deliver(`${base}/fails`, SECRET, payloadFor(notification, recipients)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryFailedError);
    expect(failure).toMatchObject({ reason: 'status', status: 500, code: 'delivery_failed' });
    expect((failure as Error).message).toContain('answered 500: database down');
  });

  it('fails on a redirect rather than following it', async () => {
    const before = received.filter((r) => r.path === '/ok').length;
    await expect(deliver(`${base}/moved`, SECRET, payloadFor(notification, recipients))).rejects.toMatchObject({ reason: 'status', status: 302 });
    expect(received.filter((r) => r.path === '/ok')).toHaveLength(before);
  });

  it('fails with reason timeout when the server does not answer in time', async () => {
    const failure = await deliver(`${base}/slow`, SECRET, payloadFor(notification, recipients), { timeoutMs: 200 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryFailedError);
    expect(failure).toMatchObject({ reason: 'timeout', status: null });
  });

  it('fails with reason network when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const failure = await deliver(`http://127.0.0.1:${port}/`, SECRET, payloadFor(notification, recipients), { timeoutMs: 5_000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryFailedError);
    expect(failure).toMatchObject({ reason: 'network', status: null });
    expect((failure as Error).message).toContain('ECONNREFUSED');
  });
});
