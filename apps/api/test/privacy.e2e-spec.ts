import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { decode } from '../../../libs/notifications/src/testing/mail-message.js';
import { verifies, verifiesTimestamped } from '../../../libs/notifications/src/testing/webhook-receiver.js';
import { Api, filing, type DemoUser } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';
import { eventually } from '#testing';

const SECRET = 'privacy-webhook-secret';
/** The anonymous filer: a name and a phone found nowhere else in the case. */
const NAME = '隐名者甲乙';
const PHONE = '13957864213';
const WITHHELD = { name: '匿名', phone: null, anonymous: true };

interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Neither the name nor any form of the phone (whole or masked) appears in this text. */
function expectNoFiler(text: string): void {
  expect(text).not.toContain(NAME);
  expect(text).not.toContain(PHONE);
  expect(text).not.toContain('139****4213');
}

describe('privacy: anonymous filers, request ids', () => {
  let t: TestApp;
  let api: Api;
  const env: Record<string, string> = {};
  const deliveries: Delivery[] = [];
  const mails: string[] = [];
  let receiver: Server;
  let smtp: SMTPServer;

  // The webhook receiver and the SMTP server listen before the app starts, which is told where they are.
  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        deliveries.push({ headers: request.headers, body: Buffer.concat(chunks) });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
    });
    const listening = smtp.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
    Object.assign(env, {
      NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/minyi`,
      NOTIFY_WEBHOOK_SECRET: SECRET,
      SMTP_URL: `smtp://127.0.0.1:${(listening.address() as AddressInfo).port}`,
      NOTIFY_EMAIL_TO: 'duty@example.org',
      NOTIFY_EMAIL_FROM: 'minyi@example.org',
    });
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await new Promise((resolve) => smtp.close(() => resolve(undefined)));
  });

  useTestApp(
    (app) => {
      t = app;
      api = new Api(app);
    },
    { env },
  );

  describe('an anonymous filer', () => {
    let caseId: string;
    let number: string;

    beforeAll(async () => {
      const filed = await api.file({ title: '匿名反映：夜间施工噪音', filer: { name: NAME, phone: PHONE, anonymous: true } });
      caseId = filed.id;
      number = filed.number;
      await api.must('hd-dg-1.coordinator', caseId, 'accept');
      await api.must('hd-dg-1.coordinator', caseId, 'notes', { type: 'contact', text: '已联系反映人' });
      // Escalated, the case is acted on at the street, outside the filing unit.
      await api.must('hd-dg-1.coordinator', caseId, 'escalate');
      await t.settle();
    });

    const OUTSIDE: readonly DemoUser[] = ['hd-dg.coordinator', 'hd-dg.leader', 'hd.coordinator', 'city.leader', 'auditor'];

    it('is named, with the phone as the masking rule says, to users at the filing unit', async () => {
      // The clerk and coordinator there no longer act on the case: the name shows, the phone masked.
      for (const user of ['hd-dg-1.clerk', 'hd-dg-1.coordinator'] as const) {
        expect((await api.detail(user, caseId)).filer).toEqual({ name: NAME, phone: '139****4213', anonymous: true });
        const history = await api.get(user, `/api/v1/cases/${caseId}/history`);
        expect(history.body.events[0].data.filer).toEqual({ name: NAME, phone: '139****4213', anonymous: true });
        const then = await api.get(user, `/api/v1/cases/${caseId}/state?revision=0`);
        expect(then.body.state.filer).toEqual({ name: NAME, phone: '139****4213', anonymous: true });
        const dossier = await api.get(user, `/api/v1/cases/${caseId}/dossier`);
        expect(dossier.body.case.filer).toEqual({ name: NAME, phone: '139****4213', anonymous: true });
        const page = await api.get(user, `/api/v1/cases/${caseId}/dossier?format=html`);
        expect(page.text).toContain(`${NAME} 139****4213（匿名）`);
      }
    });

    it('is 匿名 with no phone in the detail, list, history, state-at and dossier of everyone else', async () => {
      for (const user of OUTSIDE) {
        const detail = await api.get(user, `/api/v1/cases/${caseId}`);
        expect(detail.status).toBe(200);
        expect(detail.body.filer).toEqual(WITHHELD);
        expectNoFiler(detail.text);

        const list = await api.get(user, `/api/v1/cases?pageSize=100`);
        const item = list.body.items.find((entry: { id: string }) => entry.id === caseId);
        expect(item.filer).toEqual(WITHHELD);
        expectNoFiler(list.text);

        const history = await api.get(user, `/api/v1/cases/${caseId}/history`);
        expect(history.body.events[0]).toMatchObject({ type: 'CaseFiled', data: { filer: WITHHELD } });
        expectNoFiler(history.text);

        for (const point of ['revision=0', 'revision=3', `at=${encodeURIComponent(t.now().toISOString())}`]) {
          const then = await api.get(user, `/api/v1/cases/${caseId}/state?${point}`);
          expect(then.status).toBe(200);
          expect(then.body.state.filer).toEqual(WITHHELD);
          expectNoFiler(then.text);
        }

        const dossier = await api.get(user, `/api/v1/cases/${caseId}/dossier`);
        expect(dossier.body.case.filer).toEqual(WITHHELD);
        expect(dossier.body.timeline[0].data.filer).toEqual(WITHHELD);
        expect(dossier.body.timeline[0].description).toContain('反映人：匿名');
        expectNoFiler(dossier.text);
        const page = await api.get(user, `/api/v1/cases/${caseId}/dossier?format=html`);
        expect(page.status).toBe(200);
        expect(page.text).toMatch(/<th scope="row">反映人<\/th><td>匿名<\/td>/);
        expectNoFiler(page.text);
      }
    });

    it('cannot be found by name outside the filing unit', async () => {
      for (const user of OUTSIDE) {
        const found = await api.get(user, `/api/v1/cases?q=${encodeURIComponent(NAME)}`);
        expect(found.status).toBe(200);
        expect(found.body).toMatchObject({ items: [], total: 0 });
        // The case itself is in their list: the title finds it.
        const byTitle = await api.get(user, `/api/v1/cases?q=${encodeURIComponent('夜间施工噪音')}`);
        expect(byTitle.body.items.map((entry: { id: string }) => entry.id)).toEqual([caseId]);
      }
    });

    it('is named in no notification: in-app, webhook or e-mail', async () => {
      const inApp = await eventually(async () => {
        const body = (await api.get('hd-dg.coordinator', '/api/v1/notifications')).body as { items: { caseId: string; type: string }[] };
        return body.items.some((item) => item.caseId === caseId && item.type === 'CaseEscalated') ? body : undefined;
      });
      expectNoFiler(JSON.stringify(inApp));
      expectNoFiler(JSON.stringify((await api.get('hd-dg-1.coordinator', '/api/v1/notifications')).body));

      // Filed (to the community) and escalated (to the street): one webhook delivery and one e-mail each.
      const ours = await eventually(async () => {
        const found = deliveries.filter((delivery) => JSON.parse(delivery.body.toString('utf8')).caseId === caseId);
        return found.length >= 2 ? found : undefined;
      });
      for (const delivery of ours) {
        expectNoFiler(delivery.body.toString('utf8'));
        expect(verifies(delivery.body, delivery.headers['x-minyi-signature'], SECRET)).toBe(true);
        expect(verifiesTimestamped(delivery.body, delivery.headers, SECRET)).toBe(true);
      }
      const messages = await eventually(async () => {
        const found = mails.map(decode).filter((mail) => mail.body.includes(number));
        return found.length >= 2 ? found : undefined;
      });
      for (const mail of messages) expectNoFiler(`${mail.subject}\n${mail.body}`);
    });
  });

  describe('request ids', () => {
    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const metadataOf = async (caseId: string) => ((await api.get('auditor', `/api/v1/cases/${caseId}/history`)).body.events as { metadata: Record<string, unknown> }[]).map((event) => event.metadata);

    it('keeps the client’s X-Request-Id as clientRequestId; the correlation id is the server’s own request id', async () => {
      const filed = await api.post('hd-dg-1.clerk', '/api/v1/cases', filing(), { 'X-Request-Id': 'client-trace-42', 'X-Correlation-Id': 'client-correlation-7' });
      expect(filed.status).toBe(201);
      const serverId = filed.headers['x-request-id'];
      expect(serverId).toMatch(UUID);
      const accepted = await api.post('hd-dg-1.coordinator', `/api/v1/cases/${filed.body.id}/accept`, {}, { 'X-Request-Id': '  padded id 9  ' });
      expect(accepted.status).toBe(200);
      const [filing0, accept1] = await metadataOf(filed.body.id);
      expect(filing0).toMatchObject({ clientRequestId: 'client-trace-42', correlationId: serverId });
      expect(accept1).toMatchObject({ clientRequestId: 'padded id 9', correlationId: accepted.headers['x-request-id'] });
      expect(accept1!.correlationId).toMatch(UUID);
    });

    it('keeps it in an account’s events too', async () => {
      const created = await api.post(
        'admin',
        '/api/v1/users',
        { username: 'trace.clerk', displayName: '追踪信息员', password: 'a-long-password-1', roles: ['clerk'], unitId: 'hd-dg-1' },
        { 'X-Request-Id': 'admin-trace-7' },
      );
      expect(created.status).toBe(201);
      const history = await api.get('admin', `/api/v1/users/${created.body.id}/history`);
      expect(history.body.events[0]).toMatchObject({ type: 'UserCreated', metadata: { clientRequestId: 'admin-trace-7' } });
      expect(history.body.events[0].metadata.correlationId).toBe(created.headers['x-request-id']);
    });

    it('ignores an X-Request-Id that is too long or not printable ASCII, and records none when none was sent', async () => {
      for (const header of ['x'.repeat(129), 'caf\u00e9', 'tab\there']) {
        const filed = await api.post('hd-dg-1.clerk', '/api/v1/cases', filing(), { 'X-Request-Id': header });
        expect(filed.status).toBe(201);
        const [metadata] = await metadataOf(filed.body.id);
        expect(metadata).not.toHaveProperty('clientRequestId');
        expect(metadata!.correlationId).toBe(filed.headers['x-request-id']);
      }
      const plain = await api.file();
      expect((await metadataOf(plain.id))[0]).not.toHaveProperty('clientRequestId');
      // 128 characters are kept.
      const longest = await api.post('hd-dg-1.clerk', '/api/v1/cases', filing(), { 'X-Request-Id': 'y'.repeat(128) });
      expect((await metadataOf(longest.body.id))[0]).toMatchObject({ clientRequestId: 'y'.repeat(128) });
    });
  });
});
