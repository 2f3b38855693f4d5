import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Job } from 'bullmq';
import pg from 'pg';
import { accountsTestKit } from '../../accounts/src/testing.js';
import { CaseNumbers, CaseFoldCache, ExecuteCaseCommand, ExecuteCaseCommandHandler, caseStreamId } from '#cases';
import { DEFAULT_SLA_POLICY, DEMO_ORG_UNITS, OrgTree, type CaseCommand, type Role, type UserActor } from '#domain';
import { migrateEventStore, PostgresEventStore } from '#event-store';
import { JobQueues } from '#jobs';
import { ProjectionRunner } from '#projections';
import { createTestDatabase, eventually, jobBackends, type TestDatabase } from '#testing';
import { DEMO_SEEDING_CORRELATION, InAppBacklog, NOTIFY_QUEUES, NotificationDelivery, NotificationReactor, type NotifyChannel, type NotifyJob } from './dispatch.js';
import { InAppNotifications, type InAppNotification } from './in-app.js';
import { verifies } from './testing/webhook-receiver.js';
import { retryPolicy, WebhookChannel, type WebhookPayload } from './webhook.js';

/**
 * The notification path end to end on real queues: case commands append events, the reactor
 * (a projection) turns them into one job per channel, the channel workers store in-app
 * notifications and POST signed deliveries to a real HTTP receiver.
 */

const org = new OrgTree(DEMO_ORG_UNITS);
const SECRET = 'dispatch-secret-用于测试';
/** The first retry's delay; the retries still span an hour, so the dead-letter test skips the waits. */
const RETRY_BASE_MS = 50;

const backends = jobBackends('notification dispatch');

const ACCOUNTS: [string, Role[], string][] = [
  ['hd-dg-1.clerk', ['clerk'], 'hd-dg-1'],
  ['hd-dg-1.coordinator', ['coordinator'], 'hd-dg-1'],
  ['hd-dg-1.coordinator2', ['coordinator'], 'hd-dg-1'],
  ['hd-dg.coordinator', ['coordinator'], 'hd-dg'],
  ['hd-dg.leader', ['leader'], 'hd-dg'],
  ['hx-xh-1.coordinator', ['coordinator'], 'hx-xh-1'],
];

/** What the webhook receiver saw of one request, and what it answered. */
interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly payload: WebhookPayload;
  readonly answered: number;
  readonly at: number;
}

describe.each(backends)('notification dispatch on BullMQ (%s)', (_name, backendRedisUrl) => {
  let events: TestDatabase;
  let jobs: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let queues: JobQueues;
  let runner: ProjectionRunner;
  let handler: ExecuteCaseCommandHandler;
  let inApp: InAppNotifications;
  let receiver: Server;
  const ids: Record<string, string> = {};
  const errors: Error[] = [];
  const received: Received[] = [];
  /** Per case id: how many more deliveries the receiver refuses with a 500 (`always`: every one). */
  const refusals = new Map<string, number | 'always'>();
  let lastPosition = 0;

  const actor = (username: string): UserActor => {
    const account = ACCOUNTS.find(([name]) => name === username)!;
    return { userId: ids[username]!, roles: account[1], unitId: account[2] };
  };
  const run = async (command: CaseCommand, correlationId: string = randomUUID()) => {
    const result = await handler.execute(new ExecuteCaseCommand(command, undefined, correlationId));
    lastPosition = Math.max(lastPosition, result.position);
    return result;
  };
  /** Files a case at 东关社区 as its clerk; the receiver refuses its deliveries as `refuse` says. */
  const file = async (title: string, refuse?: number | 'always', correlationId?: string) => {
    const caseId = randomUUID();
    if (refuse !== undefined) refusals.set(caseId, refuse);
    const result = await run(
      {
        type: 'FileCase',
        caseId,
        actor: actor('hd-dg-1.clerk'),
        at: new Date().toISOString(),
        number: '',
        kind: 'dispute',
        title,
        description: '业主与物业因停车位分配发生争执，请求社区调解。',
        channel: 'walk_in',
        unitId: 'hd-dg-1',
        filer: { name: '张三', phone: '13800000000', anonymous: false },
      },
      correlationId,
    );
    const [event] = await store.readStream(caseStreamId(caseId));
    return { ...result, event: event! };
  };
  const lastEventOf = async (caseId: string) => (await store.readStream(caseStreamId(caseId))).at(-1)!;

  const queueOf = (channel: NotifyChannel) => queues.queue<NotifyJob>(NOTIFY_QUEUES[channel]);
  /** The job id the reactor gives a delivery on a channel. */
  const jobIdOf = (channel: NotifyChannel, deliveryId: string) => `${channel}.${deliveryId}`;
  /** Waits until the channel's job for the delivery has completed. */
  const delivered = (channel: NotifyChannel, deliveryId: string) =>
    eventually(async () => {
      const job = await queueOf(channel).getJob(jobIdOf(channel, deliveryId));
      return job && (await job.getState()) === 'completed' ? job : undefined;
    });
  const deliveriesOf = (deliveryId: string) => received.filter((r) => r.payload.deliveryId === deliveryId);
  const inAppOf = async (username: string, caseId: string): Promise<InAppNotification[]> =>
    (await inApp.list(ids[username]!, { limit: 500 })).filter((n) => n.caseId === caseId);
  /** Every notification queue with nothing waiting, delayed or running. */
  const allSettled = () =>
    eventually(async () => {
      for (const name of [NOTIFY_QUEUES.inApp, NOTIFY_QUEUES.webhook]) {
        const counts = await queues.counts(name);
        if (counts.waiting + counts.delayed + counts.active > 0) return undefined;
      }
      return true;
    });

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const payload = JSON.parse(body.toString('utf8')) as WebhookPayload;
        const refuse = refusals.get(payload.caseId!) ?? 0;
        if (typeof refuse === 'number' && refuse > 0) refusals.set(payload.caseId!, refuse - 1);
        const answered = refuse === 'always' || refuse > 0 ? 500 : 204;
        received.push({ headers: request.headers, body, payload, answered, at: Date.now() });
        if (answered === 500) response.writeHead(500, { 'Content-Type': 'text/plain' }).end('receiver down\n');
        else response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/minyi`;

    events = await createTestDatabase('minyi_notify');
    jobs = await createTestDatabase('minyi_notify_jobs');
    pool = new pg.Pool({ connectionString: events.url, max: 10 });
    await migrateEventStore(pool);
    const accountsKit = await accountsTestKit(pool);
    Object.assign(ids, await accountsKit.createUsers(ACCOUNTS.map(([username, roles, unitId]) => ({ username, roles, unitId }))));
    await accountsKit.close();
    inApp = new InAppNotifications(pool);
    await inApp.migrate();

    store = new PostgresEventStore({ pool, pollIntervalMs: 50 });
    handler = new ExecuteCaseCommandHandler(store, org, new CaseNumbers(pool), new CaseFoldCache(store, DEFAULT_SLA_POLICY), DEFAULT_SLA_POLICY);
    queues = await JobQueues.open({
      redisUrl: backendRedisUrl,
      postgresUrl: jobs.url,
      prefix: `minyi-test-${randomUUID().slice(0, 8)}`,
      onError: (_source, error) => errors.push(error),
    });
    const reactor = new NotificationReactor(store, org, DEFAULT_SLA_POLICY, { inApp: queueOf('inApp'), webhook: queueOf('webhook') }, RETRY_BASE_MS);
    runner = new ProjectionRunner(pool, store, [reactor], { standbyRetryMs: 100, onError: (_projection, error) => errors.push(error as Error) });
    await runner.start();
    const delivery = new NotificationDelivery(pool, { inApp, webhook: new WebhookChannel(webhookUrl, SECRET, { timeoutMs: 5_000 }) });
    queues.worker<NotifyJob>(NOTIFY_QUEUES.inApp, (job) => delivery.inApp(job), { concurrency: 4 });
    queues.worker<NotifyJob>(NOTIFY_QUEUES.webhook, (job) => delivery.webhook(job), { concurrency: 4 });
  }, 60_000);

  afterAll(async () => {
    expect(errors).toEqual([]); // no projection or queue error along the way
    await runner?.stop();
    for (const name of [NOTIFY_QUEUES.inApp, NOTIFY_QUEUES.webhook]) await queues?.queue(name).obliterate({ force: true }).catch(() => undefined);
    await queues?.close();
    await store?.close();
    await pool?.end();
    await events?.drop();
    await jobs?.drop();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('tells the coordinators of the filing unit in the app, and POSTs one signed delivery to the webhook', async () => {
    const filed = await file('停车位纠纷');
    const deliveryId = filed.event.id;
    await delivered('inApp', deliveryId);
    await delivered('webhook', deliveryId);

    for (const coordinator of ['hd-dg-1.coordinator', 'hd-dg-1.coordinator2']) {
      expect(await inAppOf(coordinator, filed.id)).toEqual([
        {
          id: expect.any(String),
          deliveryId,
          type: 'CaseFiled',
          caseId: filed.id,
          caseNumber: filed.number,
          unitId: 'hd-dg-1',
          text: `案件 ${filed.number}「停车位纠纷」已在东关社区登记，请及时受理`,
          texts: {
            'zh-CN': `案件 ${filed.number}「停车位纠纷」已在东关社区登记，请及时受理`,
            en: `Case ${filed.number} "停车位纠纷" was filed at 东关社区; please accept it`,
          },
          event: { type: 'CaseFiled', revision: 0, position: filed.position, at: filed.event.metadata.at },
          createdAt: expect.any(String),
          readAt: null,
        },
      ]);
    }
    // Not the clerk who filed it, not the unit above, not another unit.
    for (const other of ['hd-dg-1.clerk', 'hd-dg.coordinator', 'hd-dg.leader', 'hx-xh-1.coordinator']) {
      expect(await inAppOf(other, filed.id)).toEqual([]);
    }

    const deliveries = deliveriesOf(deliveryId);
    expect(deliveries).toHaveLength(1);
    const [request] = deliveries;
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-minyi-delivery']).toBe(deliveryId);
    expect(request!.headers['x-minyi-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifies(request!.body, request!.headers['x-minyi-signature'], SECRET)).toBe(true);
    expect(verifies(request!.body, request!.headers['x-minyi-signature'], 'another secret')).toBe(false);
    // The body of API.md, "Webhook notifications", and nothing else (no audience internals).
    expect(JSON.parse(request!.body.toString('utf8'))).toStrictEqual({
      deliveryId,
      type: 'CaseFiled',
      caseId: filed.id,
      caseNumber: filed.number,
      unitId: 'hd-dg-1',
      recipients: ['hd-dg-1.coordinator', 'hd-dg-1.coordinator2'].map((username) => ({ userId: ids[username], username, displayName: `${username} 显示名` })),
      text: `案件 ${filed.number}「停车位纠纷」已在东关社区登记，请及时受理`,
      texts: {
        'zh-CN': `案件 ${filed.number}「停车位纠纷」已在东关社区登记，请及时受理`,
        en: `Case ${filed.number} "停车位纠纷" was filed at 东关社区; please accept it`,
      },
      event: { type: 'CaseFiled', revision: 0, position: filed.position, at: filed.event.metadata.at },
    });
  });

  it('tells the coordinators of the unit above when a case is escalated, and not the one who escalated it', async () => {
    const filed = await file('噪音扰民');
    const escalated = await run({ type: 'EscalateCase', caseId: filed.id, actor: actor('hd-dg-1.coordinator'), at: new Date().toISOString(), reason: '需街道协调' });
    const event = await lastEventOf(filed.id);
    expect(event.type).toBe('CaseEscalated');
    await delivered('inApp', event.id);
    await delivered('webhook', event.id);

    const told = await inAppOf('hd-dg.coordinator', filed.id);
    expect(told).toEqual([
      expect.objectContaining({
        deliveryId: event.id,
        type: 'CaseEscalated',
        unitId: 'hd-dg',
        text: `案件 ${filed.number}「噪音扰民」已由东关社区上报至东关街道，请及时受理`,
        event: { type: 'CaseEscalated', revision: 1, position: escalated.position, at: event.metadata.at },
      }),
    ]);
    // The community's coordinators were told of the filing only; the town's leader of nothing.
    for (const username of ['hd-dg-1.coordinator', 'hd-dg-1.coordinator2']) {
      expect((await inAppOf(username, filed.id)).map((n) => n.type)).toEqual(['CaseFiled']);
    }
    expect(await inAppOf('hd-dg.leader', filed.id)).toEqual([]);
    expect(deliveriesOf(event.id).map((r) => r.payload.recipients.map((p) => p.username))).toEqual([['hd-dg.coordinator']]);
  });

  it('redelivers with the same delivery id, after the backoff, until the receiver takes it', async () => {
    const filed = await file('楼道堆物', 3);
    const deliveryId = filed.event.id;
    const job = await delivered('webhook', deliveryId);

    const attempts = deliveriesOf(deliveryId);
    expect(attempts.map((r) => r.answered)).toEqual([500, 500, 500, 204]);
    for (const attempt of attempts) {
      expect(attempt.headers['x-minyi-delivery']).toBe(deliveryId);
      expect(attempt.body.equals(attempts[0]!.body)).toBe(true);
      expect(verifies(attempt.body, attempt.headers['x-minyi-signature'], SECRET)).toBe(true);
    }
    // Exponential backoff from the configured base: 50, 100, 200 ms.
    const gaps = attempts.slice(1).map((attempt, k) => attempt.at - attempts[k]!.at);
    gaps.forEach((gap, k) => expect(gap).toBeGreaterThanOrEqual(RETRY_BASE_MS * 2 ** k - 5));
    expect(job.opts).toMatchObject(retryPolicy(RETRY_BASE_MS));
    // The in-app channel delivered once, whatever the webhook did.
    expect(await inAppOf('hd-dg-1.coordinator', filed.id)).toHaveLength(1);
  });

  it('keeps a delivery the receiver always refuses as a failed job after every attempt, without holding back any other', async () => {
    const refused = await file('违章搭建', 'always');
    const deliveryId = refused.event.id;
    const webhookJobId = jobIdOf('webhook', deliveryId);
    // The in-app channel delivers while the webhook is refused.
    await delivered('inApp', deliveryId);
    expect((await inAppOf('hd-dg-1.coordinator', refused.id)).map((n) => n.deliveryId)).toEqual([deliveryId]);
    await eventually(async () => ((await queueOf('webhook').getJob(webhookJobId))?.attemptsMade ?? 0) >= 1 || undefined);

    // While it waits for its retry, a later delivery on the same channel goes through.
    const later = await file('路灯损坏');
    await delivered('webhook', later.event.id);
    await delivered('inApp', later.event.id);
    expect(deliveriesOf(later.event.id).map((r) => r.answered)).toEqual([204]);
    expect(['delayed', 'waiting', 'active']).toContain(await (await queueOf('webhook').getJob(webhookJobId))!.getState());

    // The retries span an hour: run each one as soon as it is scheduled instead of waiting.
    const { attempts } = retryPolicy(RETRY_BASE_MS);
    const failed = await eventually(async () => {
      const job = await queueOf('webhook').getJob(webhookJobId);
      const state = await job?.getState();
      if (state === 'failed') return job;
      if (state === 'delayed') await job!.promote().catch(() => undefined); // it may have moved on meanwhile
      return undefined;
    }, 25_000);
    expect(failed!.attemptsMade).toBe(attempts);
    expect(deliveriesOf(deliveryId)).toHaveLength(attempts);
    expect(new Set(deliveriesOf(deliveryId).map((r) => r.headers['x-minyi-delivery']))).toEqual(new Set([deliveryId]));

    // The dead letter: kept among the queue's failed jobs, with its notification and the reason.
    const deadLetters: Job<NotifyJob>[] = await queues.failedJobs<NotifyJob>(NOTIFY_QUEUES.webhook);
    expect(deadLetters.map((job) => job.id)).toEqual([webhookJobId]);
    expect(deadLetters[0]!.data.notification).toMatchObject({ deliveryId, type: 'CaseFiled', caseId: refused.id, caseNumber: refused.number });
    expect(deadLetters[0]!.failedReason).toContain('answered 500: receiver down');
    expect(await queues.failedJobs(NOTIFY_QUEUES.inApp)).toEqual([]);
    expect(await queues.counts(NOTIFY_QUEUES.webhook)).toMatchObject({ failed: 1 });
  });

  it('notifies no one twice when the log is replayed', async () => {
    await allSettled();
    // One notification read before the replay stays read.
    const [latest] = await inApp.list(ids['hd-dg.coordinator']!, { limit: 1 });
    expect(await inApp.markRead(ids['hd-dg.coordinator']!, [latest!.id])).toBe(1);
    const rows = async () => (await pool.query('SELECT id, user_id, delivery_id, read_at FROM notifications ORDER BY id')).rows;
    const before = { rows: await rows(), posts: received.length, inApp: await queues.counts(NOTIFY_QUEUES.inApp), webhook: await queues.counts(NOTIFY_QUEUES.webhook) };
    expect(before.rows.length).toBeGreaterThan(0);
    expect(before.webhook).toMatchObject({ failed: 1, completed: before.inApp.completed - 1 });

    await runner.rebuild('notifications');
    expect(await runner.waitFor(lastPosition, 15_000)).toBe(true);

    // The reactor saw every event again, but each job id existed already: no job was added.
    expect(await queues.counts(NOTIFY_QUEUES.inApp)).toEqual(before.inApp);
    expect(await queues.counts(NOTIFY_QUEUES.webhook)).toEqual(before.webhook);
    expect(await rows()).toEqual(before.rows);
    expect(received).toHaveLength(before.posts);
  });
  it('tells the app, not the webhook, of the events the demo seeding writes: seeded history is not news', async () => {
    const seeded = await file('演示：噪音扰民', undefined, DEMO_SEEDING_CORRELATION);
    await delivered('inApp', seeded.event.id);
    expect(await inAppOf('hd-dg-1.coordinator', seeded.id)).toHaveLength(1);
    // A later event's webhook job exists: the reactor has passed the seeded one, and queued no job for it.
    const later = await file('井盖缺失');
    await delivered('webhook', later.event.id);
    expect(await queueOf('webhook').getJob(jobIdOf('webhook', seeded.event.id))).toBeUndefined();
    expect(deliveriesOf(seeded.event.id)).toEqual([]);
  });

  it('waits for the in-app deliveries up to a position, whether they wait, wait to retry or run; not for later ones', async () => {
    // A queue of its own: its jobs stay where they are put until removed.
    const queue = queues.queue<NotifyJob>(`notify-in-app-backlog-${randomUUID().slice(0, 8)}`);
    const backlog = new InAppBacklog(queue, async () => true);
    const notification = (position: number) => ({ event: { type: 'CaseFiled', revision: 0, position, at: new Date().toISOString() } }) as unknown as NotifyJob['notification'];
    const waitsFor = (position: number) => backlog.waitFor(position, 200);
    let release = () => undefined as void;
    try {
      expect(await waitsFor(1_000)).toBe(true); // nothing in the queue
      const later = await queue.add('inApp', { notification: notification(30) });
      const retrying = await queue.add('inApp', { notification: notification(20) }, { delay: 60_000 });
      expect(await waitsFor(29)).toBe(false); // the delayed one, at 20
      expect(await waitsFor(19)).toBe(true);
      await retrying.remove();
      expect(await waitsFor(29)).toBe(true);
      expect(await waitsFor(30)).toBe(false); // the waiting one, at 30
      await later.remove();

      // A delivery in a worker's hands still has to finish.
      const gate = new Promise<void>((resolve) => (release = resolve));
      const started = new Promise<void>((resolve) => {
        queues.worker<NotifyJob>(queue.name, async () => {
          resolve();
          await gate;
        });
      });
      await queue.add('inApp', { notification: notification(40) });
      await started;
      expect(await waitsFor(40)).toBe(false);
      release();
      expect(await backlog.waitFor(40, 5_000)).toBe(true);

      // A reactor that has not reached the position yet: the jobs up to it may not even exist.
      expect(await new InAppBacklog(queue, async () => false).waitFor(1, 200)).toBe(false);
    } finally {
      release();
      await queue.obliterate({ force: true });
    }
  });
});
