import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CaseNumbers, CaseRepository, ExecuteCaseCommand, ExecuteCaseCommandHandler, caseStreamId, foldCase } from '#cases';
import { DEMO_ORG_UNITS, OrgTree, parseSlaPolicy, type Actor, type CaseCommand } from '#domain';
import { migrateEventStore, PostgresEventStore } from '#event-store';
import { JobQueues } from '#jobs';
import { ProjectionRunner } from '#projections';
import { createTestDatabase, eventually, jobBackends, type TestDatabase } from '#testing';
import { SLA_QUEUE, SlaTimerReactor, SlaTimerWorker, slaJobId, type SlaTimerJob } from './sla-timers.js';

/** Clocks of seconds, so the timers fire within the test: warn at half, breach at the due time. */
const policy = parseSlaPolicy({
  warnAt: 0.5,
  clocks: {
    accept: { default: { seconds: 2 } },
    resolve: { default: { seconds: 1 }, onBreach: 'escalate' },
  },
});
const org = new OrgTree(DEMO_ORG_UNITS);
// These tests wait for real BullMQ timers of a few seconds.
jest.setTimeout(30_000);
const clerk: Actor = { userId: 'u-clerk', roles: ['clerk'], unitId: 'hd-dg-1' };
const coordinator: Actor = { userId: 'u-coord', roles: ['coordinator'], unitId: 'hd-dg-1' };

const backends = jobBackends('SLA timers');

describe.each(backends)('SLA timers on BullMQ (%s)', (_name, backendRedisUrl) => {
  let events: TestDatabase;
  let jobs: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let queues: JobQueues;
  let runner: ProjectionRunner;
  let reactor: SlaTimerReactor;
  let handler: ExecuteCaseCommandHandler;
  const errors: Error[] = [];

  const run = (command: CaseCommand) => handler.execute(new ExecuteCaseCommand(command, undefined, randomUUID()));
  const file = async () => {
    const caseId = randomUUID();
    await run({ type: 'FileCase', caseId, actor: clerk, at: new Date().toISOString(), number: '', kind: 'dispute', title: '计时测试', description: '计时', channel: 'hotline', unitId: 'hd-dg-1', filer: { name: '王五', phone: null, anonymous: false } });
    return caseId;
  };
  const typesOf = async (caseId: string) => (await store.readStream(caseStreamId(caseId))).map((event) => event.type);

  beforeAll(async () => {
    events = await createTestDatabase('minyi_sla');
    jobs = await createTestDatabase('minyi_sla_jobs');
    pool = new pg.Pool({ connectionString: events.url, max: 10 });
    await migrateEventStore(pool);
    store = new PostgresEventStore({ pool, pollIntervalMs: 100 });
    const cases = new CaseRepository(store, policy);
    handler = new ExecuteCaseCommandHandler(store, org, new CaseNumbers(pool), cases);
    queues = await JobQueues.open({ redisUrl: backendRedisUrl, postgresUrl: jobs.url, prefix: `minyi-test-${randomUUID().slice(0, 8)}`, onError: (_source, error) => errors.push(error) });
    const now = () => new Date();
    reactor = new SlaTimerReactor(store, cases, policy, queues.queue<SlaTimerJob>(SLA_QUEUE), now);
    runner = new ProjectionRunner(pool, store, [reactor], { standbyRetryMs: 100, onError: (_projection, error) => errors.push(error as Error) });
    await runner.start();
    const worker = new SlaTimerWorker((command) => handler.execute(command), cases, now);
    queues.worker<SlaTimerJob>(SLA_QUEUE, (job) => worker.process(job), { concurrency: 4 });
  }, 60_000);

  afterAll(async () => {
    expect(errors).toEqual([]); // no projection or queue error along the way
    await runner?.stop();
    await queues?.queue(SLA_QUEUE).obliterate({ force: true }).catch(() => undefined);
    await queues?.close();
    await store?.close();
    await pool?.end();
    await events?.drop();
    await jobs?.drop();
  });

  it('warns at the warnAt share of a running clock, then records its breach, each once', async () => {
    const caseId = await file();
    const types = await eventually(async () => {
      const t = await typesOf(caseId);
      return t.includes('SlaBreached') ? t : undefined;
    });
    expect(types).toEqual(['CaseFiled', 'SlaWarningRaised', 'SlaBreached']);
    const [, warning, breach] = await store.readStream(caseStreamId(caseId));
    expect(warning!.data).toMatchObject({ clock: 'accept', startedAtRevision: 0 });
    expect(breach!.metadata).toMatchObject({ actorId: 'system', actorRole: 'system' });
    expect(Date.parse(breach!.metadata.at)).toBeGreaterThanOrEqual(Date.parse(String(breach!.data.dueAt)));
  });

  it('does nothing for a clock that stopped before its timer fired', async () => {
    const caseId = await file();
    const { clocks } = foldCase(await store.readStream(caseStreamId(caseId)), policy);
    const accept = clocks.clocks.find((run) => run.clock === 'accept')!;
    const timer = slaJobId({ kind: 'RecordSlaBreach', caseId, alert: { clock: 'accept', dueAt: accept.dueAt, startedAtRevision: 0 }, fireAt: accept.dueAt });
    const queue = queues.queue<SlaTimerJob>(SLA_QUEUE);
    const scheduled = await eventually(async () => (await queue.getJob(timer)) ?? undefined);
    // The breach timer is set; accepting stops the clock before it fires.
    await run({ type: 'AcceptCase', caseId, actor: coordinator, at: new Date().toISOString() });
    await eventually(async () => ((await queue.getJob(scheduled.id!))?.finishedOn ? true : undefined));
    const breaches = (await store.readStream(caseStreamId(caseId))).filter((e) => e.type === 'SlaBreached');
    expect(breaches.map((e) => e.data.clock)).not.toContain('accept');
  });

  it('escalates a case whose resolution clock breached, as the system, with the breach as the reason', async () => {
    const caseId = await file();
    await run({ type: 'AcceptCase', caseId, actor: coordinator, at: new Date().toISOString() });
    const escalation = await eventually(async () => (await store.readStream(caseStreamId(caseId))).find((e) => e.type === 'CaseEscalated'));
    expect(escalation.data).toMatchObject({ fromUnitId: 'hd-dg-1', toUnitId: 'hd-dg' });
    expect(String(escalation.data.reason)).toContain('resolve');
    expect(escalation.metadata.actorRole).toBe('system');
  });

  it('records a breach once even when its timer fires twice', async () => {
    const caseId = await file();
    const breach = await eventually(async () => (await store.readStream(caseStreamId(caseId))).find((e) => e.type === 'SlaBreached'));
    const queue = queues.queue<SlaTimerJob>(SLA_QUEUE);
    const again = await queue.add('RecordSlaBreach', { kind: 'RecordSlaBreach', caseId, alert: breach.data as never, fireAt: new Date().toISOString() }, { jobId: `again-${randomUUID()}` });
    await eventually(async () => ((await again.isCompleted()) ? true : undefined));
    expect((await typesOf(caseId)).filter((t) => t === 'SlaBreached')).toHaveLength(1);
  });

  it('re-creates every running clock from the log after the queue store lost its jobs; each breach still fires once', async () => {
    const queue = queues.queue<SlaTimerJob>(SLA_QUEUE);
    const filed = await Promise.all(Array.from({ length: 5 }, () => file()));
    await eventually(async () => ((await queue.getDelayedCount()) >= 5 ? true : undefined));
    await queue.obliterate({ force: true }); // the queue store loses every job, as a flushed Redis would
    expect(await queue.getDelayedCount()).toBe(0);
    const rescheduled = await reactor.rescheduleAll();
    expect(rescheduled.timers).toBeGreaterThanOrEqual(5);
    for (const caseId of filed) {
      await eventually(async () => ((await typesOf(caseId)).includes('SlaBreached') ? true : undefined));
    }
    for (const caseId of filed) expect((await typesOf(caseId)).filter((t) => t === 'SlaBreached')).toHaveLength(1);
  });
});
