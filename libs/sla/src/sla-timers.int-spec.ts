import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CaseNumbers, CaseFoldCache, ExecuteCaseCommand, ExecuteCaseCommandHandler, caseStreamId } from '#cases';
import { DEMO_ORG_UNITS, OrgTree, parseSlaPolicy, type Actor, type CaseCommand, type SlaAlert } from '#domain';
import { migrateEventStore, PostgresEventStore } from '#event-store';
import { JobQueues, type JobWorker } from '#jobs';
import { ProjectionRunner } from '#projections';
import { createTestDatabase, eventually, jobBackends, type TestDatabase } from '#testing';
import { SLA_QUEUE, SlaJobs, slaJobId, type SlaTimerJob } from './sla-queue.js';
import { SlaTimerRunner } from './sla-timer-runner.js';
import { SlaTimerTable, dueSecond } from './sla-timer-table.js';
import { SlaTimerReactor, SlaTimerWorker } from './sla-timers.js';

/** Clocks of seconds, so the timers fire within the test: warn at half, breach at the due time. */
const policy = parseSlaPolicy({
  warnAt: 0.5,
  clocks: {
    accept: { default: { seconds: 4 } },
    resolve: { default: { seconds: 1 }, onBreach: 'escalate' },
  },
});
const org = new OrgTree(DEMO_ORG_UNITS);
const clerk: Actor = { userId: 'u-clerk', roles: ['clerk'], unitId: 'hd-dg-1' };
const coordinator: Actor = { userId: 'u-coord', roles: ['coordinator'], unitId: 'hd-dg-1' };
const leader: Actor = { userId: 'u-leader', roles: ['leader'], unitId: 'hd-dg' };

interface Row {
  kind: 'warn' | 'breach';
  clock: string;
  run_revision: number;
  due_at: Date;
  deadline: string;
}

const backends = jobBackends('SLA timers');

describe.each(backends)('SLA timers: rows in PostgreSQL, ticks on BullMQ (%s)', (_name, backendRedisUrl) => {
  let events: TestDatabase;
  let jobs: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let queues: JobQueues;
  let runner: ProjectionRunner;
  let reactor: SlaTimerReactor;
  let timers: SlaTimerRunner;
  let worker: JobWorker<SlaTimerJob>;
  let handler: ExecuteCaseCommandHandler;
  const errors: Error[] = [];

  const run = (command: CaseCommand) => handler.execute(new ExecuteCaseCommand(command, undefined, randomUUID()));
  const file = async () => {
    const caseId = randomUUID();
    await run({ type: 'FileCase', caseId, actor: clerk, at: new Date().toISOString(), number: '', kind: 'dispute', title: '计时测试', description: '计时', channel: 'hotline', unitId: 'hd-dg-1', filer: { name: '王五', phone: null, anonymous: false } });
    return caseId;
  };
  const typesOf = async (caseId: string) => (await store.readStream(caseStreamId(caseId))).map((event) => event.type);
  const breachesOf = async (caseId: string) => (await typesOf(caseId)).filter((type) => type === 'SlaBreached').length;
  const rowsOf = async (caseId: string) =>
    (await pool.query<Row>('SELECT kind, clock, run_revision, due_at, deadline FROM sla_timers WHERE case_id = $1 ORDER BY due_at, kind', [caseId])).rows;
  const queue = () => queues.queue<SlaTimerJob>(SLA_QUEUE);
  const tickOf = (at: Date | string) => queue().getJob(slaJobId({ kind: 'SlaTick', second: dueSecond(at) }));
  /** The queue store loses every job, as a flushed Redis would (the worker pauses meanwhile, so that no job in hand goes missing under it). */
  const loseEveryJob = async () => {
    await worker.pause();
    try {
      await queue().obliterate({ force: true });
    } finally {
      worker.resume();
    }
  };

  beforeAll(async () => {
    events = await createTestDatabase('minyi_sla');
    jobs = await createTestDatabase('minyi_sla_jobs');
    pool = new pg.Pool({ connectionString: events.url, max: 10 });
    await migrateEventStore(pool);
    store = new PostgresEventStore({ pool, pollIntervalMs: 100 });
    const cases = new CaseFoldCache(store, policy);
    handler = new ExecuteCaseCommandHandler(store, org, new CaseNumbers(pool), cases, policy);
    queues = await JobQueues.open({ redisUrl: backendRedisUrl, postgresUrl: jobs.url, prefix: `minyi-test-${randomUUID().slice(0, 8)}`, onError: (_source, error) => errors.push(error) });
    const now = () => new Date();
    const table = new SlaTimerTable(pool);
    const slaJobs = new SlaJobs(queues.queue<SlaTimerJob>(SLA_QUEUE), now);
    reactor = new SlaTimerReactor(store, cases, policy, table, slaJobs);
    runner = new ProjectionRunner(pool, store, [reactor], { standbyRetryMs: 100, onError: (_projection, error) => errors.push(error as Error) });
    await runner.start();
    const fire = new SlaTimerWorker((command) => handler.execute(command), now);
    timers = new SlaTimerRunner(table, slaJobs, fire, now, { onError: (error) => errors.push(error), sweepIntervalMs: 500 });
    worker = queues.worker<SlaTimerJob>(SLA_QUEUE, timers.process, { concurrency: 4 });
    timers.startSweeping();
  }, 60_000);

  afterAll(async () => {
    expect(errors).toEqual([]); // no projection, queue or timer error along the way
    await timers?.stop();
    await runner?.stop();
    await queues?.queue(SLA_QUEUE).obliterate({ force: true }).catch(() => undefined);
    await queues?.close();
    await store?.close();
    await pool?.end();
    await events?.drop();
    await jobs?.drop();
  });

  it('writes a warning and a breach row for a running clock, with one tick for each second they fall due in', async () => {
    const caseId = await file();
    const rows = await eventually(async () => {
      const found = await rowsOf(caseId);
      return found.length === 2 ? found : undefined;
    });
    expect(rows.map(({ kind, clock, run_revision }) => ({ kind, clock, run_revision }))).toEqual([
      { kind: 'warn', clock: 'accept', run_revision: 0 },
      { kind: 'breach', clock: 'accept', run_revision: 0 },
    ]);
    // The warning names the run's deadline, which is the breach's due time.
    expect(rows[0]!.deadline).toBe(rows[1]!.deadline);
    expect(Date.parse(rows[1]!.deadline)).toBe(rows[1]!.due_at.getTime());
    // Once the rows have committed, a tick waits for the second each falls due in (seconds away yet).
    for (const row of rows) {
      const tick = await eventually(async () => (await tickOf(row.due_at)) ?? undefined);
      expect(tick.data).toEqual({ kind: 'SlaTick', second: dueSecond(row.due_at) });
      expect(await tick.isDelayed()).toBe(true);
    }
  });

  it('warns at the warnAt share of a running clock, then records its breach, each once, and deletes the fired rows', async () => {
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
    // The alert carries the deadline as the clock gives it, in the policy's time zone.
    expect(breach!.data.dueAt).toMatch(/\+08:00$/);
    await eventually(async () => ((await rowsOf(caseId)).length === 0 ? true : undefined));
  });

  it('deletes the rows of a clock that stops before they fire; its tick then finds nothing to do', async () => {
    const caseId = await file();
    const [, breachRow] = await eventually(async () => {
      const found = await rowsOf(caseId);
      return found.length === 2 ? found : undefined;
    });
    // Accepting stops the accept clock before its breach is due; the resolve clock starts.
    await run({ type: 'AcceptCase', caseId, actor: coordinator, at: new Date().toISOString() });
    await eventually(async () => ((await rowsOf(caseId)).some((row) => row.clock === 'accept' && row.run_revision === 0) ? undefined : true));
    // Past the old breach's second, its tick has run (and is gone).
    await eventually(async () => (Date.now() > breachRow!.due_at.getTime() + 1000 && !(await tickOf(breachRow!.due_at)) ? true : undefined));
    // (The resolve clock breaches meanwhile and escalates the case, where a new accept run starts.)
    const breaches = (await store.readStream(caseStreamId(caseId))).filter((e) => e.type === 'SlaBreached');
    expect(breaches.filter((e) => e.data.clock === 'accept' && e.data.startedAtRevision === 0)).toEqual([]);
  });

  it('escalates a case whose resolution clock breached, as the system, with the breach as the reason', async () => {
    const caseId = await file();
    await run({ type: 'AcceptCase', caseId, actor: coordinator, at: new Date().toISOString() });
    const escalation = await eventually(async () => (await store.readStream(caseStreamId(caseId))).find((e) => e.type === 'CaseEscalated'));
    expect(escalation.data).toMatchObject({ fromUnitId: 'hd-dg-1', toUnitId: 'hd-dg' });
    expect(String(escalation.data.reason)).toContain('resolve');
    expect(escalation.metadata.actorRole).toBe('system');
    // The log reads as it always has: the breach's due time, as the breach recorded it, in the reason.
    const breach = (await store.readStream(caseStreamId(caseId))).find((e) => e.type === 'SlaBreached' && e.data.clock === 'resolve')!;
    expect(escalation.data.reason).toBe(`resolve clock breached (due ${String(breach.data.dueAt)}): escalated automatically`);
    expect(escalation.metadata).toMatchObject({ actorId: 'system', unitId: null });
  });

  it('moves the rows when a leader extends the deadline: the old due times go, the new ones come', async () => {
    const caseId = await file();
    const [, before] = await eventually(async () => {
      const found = await rowsOf(caseId);
      return found.length === 2 ? found : undefined;
    });
    await run({ type: 'ExtendDeadline', caseId, actor: leader, at: new Date().toISOString(), clock: 'accept', workingDays: 1, reason: '需协调' });
    const after = await eventually(async () => {
      const found = await rowsOf(caseId);
      return found.some((row) => row.kind === 'breach' && row.due_at.getTime() > before!.due_at.getTime()) ? found : undefined;
    });
    expect(after.map((row) => row.due_at.getTime())).not.toContain(before!.due_at.getTime());
    expect(after.find((row) => row.kind === 'breach')!.due_at.getTime()).toBeGreaterThan(before!.due_at.getTime() + 3600_000);
  });

  it('records a breach once even when its timer fires twice', async () => {
    const caseId = await file();
    const breach = await eventually(async () => (await store.readStream(caseStreamId(caseId))).find((e) => e.type === 'SlaBreached'));
    // The fired row again, as a replay or a rebuild would write it, and a tick for it.
    const alert = breach.data as unknown as SlaAlert;
    await new SlaTimerTable(pool).upsert([{ caseId, command: 'RecordSlaBreach', fireAt: alert.dueAt, alert }]);
    await new SlaJobs(queue(), () => new Date()).announce([dueSecond(alert.dueAt)]);
    await eventually(async () => ((await rowsOf(caseId)).length === 0 ? true : undefined));
    expect(await breachesOf(caseId)).toBe(1);
  });

  it('writes each timer once however often the log is replayed into the reactor', async () => {
    const caseId = await file();
    await run({ type: 'ExtendDeadline', caseId, actor: leader, at: new Date().toISOString(), clock: 'accept', workingDays: 3, reason: '需协调' });
    const ids = async () => (await pool.query<{ id: string }>('SELECT id FROM sla_timers WHERE case_id = $1 ORDER BY id', [caseId])).rows.map((row) => row.id);
    const written = await eventually(async () => {
      const found = await ids();
      // (The first warning may have fired before the extension: then only the breach is left.)
      return found.length > 0 && (await rowsOf(caseId)).every((row) => row.due_at.getTime() > Date.now() + 3600_000) ? found : undefined;
    });
    await runner.rebuild('sla-timers');
    const head = (await store.readAll({ after: null, maxCount: 100_000 })).at(-1)!;
    expect(await runner.waitFor(head.globalPosition, 15_000)).toBe(true);
    await reactor.rescheduleAll();
    expect(await ids()).toEqual(written);
  });

  it('fires every pending breach exactly once after the queue store lost its ticks (the sweep announces them again)', async () => {
    const filed = await Promise.all(Array.from({ length: 5 }, () => file()));
    // Each case's rows are written, and the tick of its breach announced.
    for (const caseId of filed) {
      await eventually(async () => {
        const rows = await rowsOf(caseId);
        return rows.length === 2 && (await tickOf(rows[1]!.due_at)) ? true : undefined;
      });
    }
    await loseEveryJob();
    expect(await queue().getDelayedCount()).toBe(0);
    for (const caseId of filed) await eventually(async () => ((await breachesOf(caseId)) > 0 ? true : undefined));
    await eventually(async () => ((await Promise.all(filed.map(rowsOf))).every((rows) => rows.length === 0) ? true : undefined));
    for (const caseId of filed) expect(await breachesOf(caseId)).toBe(1);
  });

  it('announces the ticks of the pending rows again without reading the log (start-up after a lost queue store)', async () => {
    const filed = await Promise.all(Array.from({ length: 3 }, () => file()));
    for (const caseId of filed) await eventually(async () => ((await rowsOf(caseId)).length === 2 ? true : undefined));
    await loseEveryJob();
    const dueAts = (await Promise.all(filed.map(rowsOf))).flat().map((row) => row.due_at);
    expect(await reactor.announcePending()).toBeGreaterThanOrEqual(new Set(dueAts.map(dueSecond)).size);
    for (const dueAt of dueAts) expect(await tickOf(dueAt)).toBeTruthy();
  });

  it('re-creates the rows from the log and the ticks from the rows (timers:rebuild); each breach still fires once', async () => {
    const filed = await Promise.all(Array.from({ length: 5 }, () => file()));
    for (const caseId of filed) await eventually(async () => ((await rowsOf(caseId)).length === 2 ? true : undefined));
    // Rows and ticks both lost, while the clocks run on.
    await loseEveryJob();
    await pool.query('DELETE FROM sla_timers WHERE case_id = ANY($1::uuid[])', [filed]);
    const rebuilt = await reactor.rescheduleAll();
    expect(rebuilt.timers).toBeGreaterThanOrEqual(10);
    expect(rebuilt.ticks).toBeGreaterThanOrEqual(1);
    expect((await Promise.all(filed.map(rowsOf))).flat().length).toBeGreaterThanOrEqual(5);
    for (const caseId of filed) await eventually(async () => ((await breachesOf(caseId)) > 0 ? true : undefined));
    await eventually(async () => ((await Promise.all(filed.map(rowsOf))).every((rows) => rows.length === 0) ? true : undefined));
    for (const caseId of filed) expect(await breachesOf(caseId)).toBe(1);
  });
});
