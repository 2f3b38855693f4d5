import { describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { caseStreamId } from '#cases';
import { NOTIFY_QUEUES, type InAppNotification, type NotifyJob } from '#notifications';
import { Api, expectError } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

/** Asks again every 25 ms until `probe` answers, failing after `ms`: the reactor and the workers run on their own. */
async function until<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface Listed {
  readonly items: InAppNotification[];
  readonly unreadCount: number;
}

describe('notifications', () => {
  let t: TestApp;
  let api: Api;
  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  const notifications = async (user: string, query = ''): Promise<Listed> => {
    const response: Response = await api.get(user, `/api/v1/notifications${query}`);
    expect(response.status).toBe(200);
    return response.body as Listed;
  };

  it('needs a token', async () => {
    expectError(await t.http().get('/api/v1/notifications'), 401);
    expectError(await t.http().get('/api/v1/admin/dead-letters'), 401);
  });

  it('tells the coordinator of the filing unit in the app, counts it unread until it is marked read, and tells no other unit', async () => {
    const filed = await api.file({ title: '通知测试：楼道堆物' });
    const listed = await until(async () => {
      const body = await notifications('hd-dg-1.coordinator');
      return body.items.some((item) => item.caseId === filed.id) ? body : undefined;
    });
    expect(listed.items).toEqual([
      {
        id: expect.any(String),
        deliveryId: expect.any(String),
        type: 'CaseFiled',
        caseId: filed.id,
        caseNumber: filed.number,
        unitId: 'hd-dg-1',
        text: `案件 ${filed.number}「通知测试：楼道堆物」已在东关社区登记，请及时受理`,
        texts: {
          'zh-CN': `案件 ${filed.number}「通知测试：楼道堆物」已在东关社区登记，请及时受理`,
          en: `Case ${filed.number} "通知测试：楼道堆物" was filed at 东关社区; please accept it`,
        },
        event: { type: 'CaseFiled', revision: 0, position: filed.position, at: expect.any(String) },
        createdAt: expect.any(String),
        readAt: null,
      },
    ]);
    expect(listed.unreadCount).toBe(1);
    const [notification] = listed.items;
    // The delivery id is the id of the event it tells of.
    expect(notification!.deliveryId).toBe((await t.engine.store.readStream(caseStreamId(filed.id)))[0]!.id);
    expect((await notifications('hd-dg-1.coordinator', '?unread=true')).items.map((item) => item.id)).toEqual([notification!.id]);

    // All of a notification's recipients are stored at once: whoever lacks it now was not told.
    for (const other of ['hx-xh-1.coordinator', 'hd-dg.coordinator', 'hd-dg-1.clerk']) {
      expect(await notifications(other)).toEqual({ items: [], unreadCount: 0 });
    }

    const read = await api.post('hd-dg-1.coordinator', '/api/v1/notifications/read', { ids: [notification!.id] });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ updated: 1 });
    const after = await notifications('hd-dg-1.coordinator');
    expect(after.unreadCount).toBe(0);
    expect(after.items[0]!.readAt).toEqual(expect.any(String));
    expect((await notifications('hd-dg-1.coordinator', '?unread=true')).items).toEqual([]);
    // Marking it again changes nothing; another user cannot mark it.
    expect((await api.post('hd-dg-1.coordinator', '/api/v1/notifications/read', { ids: [notification!.id] })).body).toEqual({ updated: 0 });
    expect((await api.post('hx-xh-1.coordinator', '/api/v1/notifications/read', { ids: [notification!.id] })).body).toEqual({ updated: 0 });
  });

  describe('GET /api/v1/admin/dead-letters', () => {
    it('is for admins only', async () => {
      for (const user of ['hd-dg-1.clerk', 'hd-dg-1.coordinator', 'city.leader', 'auditor']) {
        expectError(await api.get(user, '/api/v1/admin/dead-letters'), 403, 'forbidden');
      }
    });

    it('is empty while every delivery went through', async () => {
      const response = await api.get('admin', '/api/v1/admin/dead-letters');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [] });
    });

    it('lists a delivery that failed after every attempt, with its notification and the reason', async () => {
      // The app under test has no webhook configured: fail one delivery on that queue by hand.
      const filed = await api.file({ title: '通知测试：投递失败' });
      const { items } = await until(async () => {
        const body = await notifications('hd-dg-1.coordinator');
        return body.items.some((item) => item.caseId === filed.id) ? body : undefined;
      });
      const stored = items.find((item) => item.caseId === filed.id)!;
      const { queues } = t.engine;
      queues.worker<NotifyJob>(NOTIFY_QUEUES.webhook, () => Promise.reject(new Error('webhook http://receiver.invalid/ answered 503')));
      const jobId = `webhook.${stored.deliveryId}`;
      const job = await queues.queue<NotifyJob>(NOTIFY_QUEUES.webhook).add(
        'webhook',
        { notification: { ...jobFields(stored), audience: { groups: [], userIds: [], excludeUserIds: [] } } },
        { jobId, attempts: 2, backoff: { type: 'fixed', delay: 1 }, removeOnFail: false },
      );
      await until(async () => ((await job.isFailed()) ? true : undefined));

      const response = await api.get('admin', '/api/v1/admin/dead-letters');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        items: [
          {
            queue: 'notify-webhook',
            jobId,
            deliveryId: stored.deliveryId,
            type: 'CaseFiled',
            caseId: filed.id,
            caseNumber: filed.number,
            attempts: 2,
            failedReason: 'webhook http://receiver.invalid/ answered 503',
            failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          },
        ],
      });
    });
  });

  it('with minPosition, includes what the event at that position notified (read-your-writes), at once', async () => {
    const filed = await api.file({ title: '通知测试：读己之写' });
    const response = await api.get('hd-dg-1.coordinator', `/api/v1/notifications?minPosition=${filed.position}`);
    expect(response.status).toBe(200);
    expect(response.headers['x-minyi-consistency']).toBe('caught-up');
    expect((response.body as Listed).items.map((item) => item.caseId)).toContain(filed.id);
    const beyond = await api.get('hd-dg-1.coordinator', `/api/v1/notifications?minPosition=${Number.MAX_SAFE_INTEGER}`);
    expect(beyond.headers['x-minyi-consistency']).toBe('stale');
  });
});

/** The notification a job carries, but its audience, from the in-app notification it gave. */
function jobFields(n: InAppNotification): Omit<NotifyJob['notification'], 'audience'> {
  return { deliveryId: n.deliveryId, type: n.type, caseId: n.caseId, caseNumber: n.caseNumber, unitId: n.unitId, text: n.text, texts: n.texts, event: n.event };
}
