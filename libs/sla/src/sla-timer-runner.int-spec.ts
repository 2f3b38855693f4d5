import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { JobQueues } from '#jobs';
import { createTestDatabase, jobBackends, type TestDatabase } from '#testing';
import { SLA_QUEUE, SlaJobs, slaJobId, type SlaTimerJob } from './sla-queue.js';
import { MAX_TIMER_ATTEMPTS, SlaTimerRunner, type SlaTimerHandler } from './sla-timer-runner.js';
import { SlaTimerTable, dueSecond, type CaseTimer, type ClaimedTimer } from './sla-timer-table.js';

const START = Date.parse('2026-11-02T09:00:00+08:00');

/** A breach (or warning) timer of a case's accept clock, due at `at` (ms). */
function timer(caseId: string, at: number, command: CaseTimer['command'] = 'RecordSlaBreach'): CaseTimer {
  const due = new Date(at).toISOString();
  return { caseId, command, fireAt: due, alert: { clock: 'accept', dueAt: due, startedAtRevision: 0 } };
}

describe.each(jobBackends('SLA timer runner'))('the SLA timer runner on the engine clock (%s)', (_name, redisUrl) => {
  let main: TestDatabase;
  let jobsDb: TestDatabase;
  let pool: pg.Pool;
  let queues: JobQueues;
  let table: SlaTimerTable;
  let clock: number;
  const now = () => new Date(clock);
  let jobs: SlaJobs;
  /** What the handler fired, and at what engine time. */
  let fired: { timer: ClaimedTimer; at: number }[];
  /** Cases whose timers fail to fire. */
  let failing: Set<string>;
  let errors: Error[];
  const handlerOn = (time: () => Date): SlaTimerHandler => ({
    fire: async (claimed) => {
      fired.push({ timer: claimed, at: time().getTime() });
      if (failing.has(claimed.caseId)) throw new Error('the event store is away');
      return { done: 'recorded' };
    },
    escalate: async () => ({ done: 'nothing to do' }),
  });
  let runner: SlaTimerRunner;

  const rows = async () =>
    (
      await pool.query<{ case_id: string; kind: string; attempts: number; next_attempt_at: Date | null; last_error: string | null }>(
        'SELECT case_id, kind, attempts, next_attempt_at, last_error FROM sla_timers ORDER BY due_at, case_id',
      )
    ).rows;
  const tick = (second: number) => queues.queue<SlaTimerJob>(SLA_QUEUE).getJob(slaJobId({ kind: 'SlaTick', second }));

  beforeAll(async () => {
    main = await createTestDatabase('minyi_sla_runner');
    jobsDb = await createTestDatabase('minyi_sla_runner_jobs');
    pool = new pg.Pool({ connectionString: main.url, max: 6 });
    await SlaTimerTable.migrate(pool);
    table = new SlaTimerTable(pool);
    queues = await JobQueues.open({ redisUrl, postgresUrl: jobsDb.url, prefix: `minyi-test-${randomUUID().slice(0, 8)}`, onError: (_source, error) => errors.push(error) });
  }, 60_000);

  beforeEach(async () => {
    await pool.query('DELETE FROM sla_timers');
    await queues.queue(SLA_QUEUE).obliterate({ force: true });
    clock = START;
    fired = [];
    failing = new Set();
    errors = [];
    jobs = new SlaJobs(queues.queue<SlaTimerJob>(SLA_QUEUE), now);
    runner = new SlaTimerRunner(table, jobs, handlerOn(now), now, { onError: (error) => errors.push(error), batchSize: 50 });
  });

  afterAll(async () => {
    await queues?.queue(SLA_QUEUE).obliterate({ force: true }).catch(() => undefined);
    await queues?.close();
    await pool?.end();
    await main?.drop();
    await jobsDb?.drop();
  });

  it('writes the given timers of the touched cases, deletes their other rows, leaves other cases alone, and answers the seconds', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await table.replace(pool, [a, b], [timer(a, START + 1_000), timer(a, START + 500, 'RaiseSlaWarning'), timer(b, START + 2_000)]);
    // Case a moves on: its breach moves to a later time (an extension) and its warning has fired.
    const seconds = await table.replace(pool, [a], [timer(a, START + 90_000), timer(a, START + 90_400)]);
    expect(seconds).toEqual([dueSecond(START + 90_000)]);
    expect((await rows()).map((row) => [row.case_id, row.kind])).toEqual([
      [b, 'breach'],
      [a, 'breach'],
      [a, 'breach'],
    ]);
    // Writing the same timers again changes nothing.
    await table.replace(pool, [a], [timer(a, START + 90_000), timer(a, START + 90_400)]);
    await table.upsert([timer(b, START + 2_000)]);
    expect(await rows()).toHaveLength(3);
  });

  it('fires nothing that is not due on the engine clock when a tick runs early, and the rows once it is', async () => {
    const caseId = randomUUID();
    await table.replace(pool, [caseId], [timer(caseId, START + 10_000, 'RaiseSlaWarning'), timer(caseId, START + 20_000)]);
    expect(await runner.runTick(dueSecond(START + 10_000))).toEqual({ fired: 0, failed: 0 });
    expect((await rows()).map((row) => row.attempts)).toEqual([0, 0]);

    clock = START + 10_000;
    expect(await runner.runTick(dueSecond(START + 10_000))).toEqual({ fired: 1, failed: 0 });
    clock = START + 25_000;
    expect(await runner.runTick(dueSecond(START + 20_000))).toEqual({ fired: 1, failed: 0 });
    expect(fired.map(({ timer: t }) => t.command)).toEqual(['RaiseSlaWarning', 'RecordSlaBreach']);
    expect(fired[1]!.timer).toMatchObject({ caseId, alert: { clock: 'accept', startedAtRevision: 0, dueAt: new Date(START + 20_000).toISOString() } });
    expect(await rows()).toEqual([]);
  });

  it('stays for the rest of its second, firing each row when it falls due, never before', async () => {
    // A clock that runs: the tick's second starts now.
    const second = dueSecond(Date.now()) + 1;
    const offset = second * 1000 - Date.now();
    const running = () => new Date(Date.now() + offset);
    const chasing = new SlaTimerRunner(table, new SlaJobs(jobs.queue, running), handlerOn(running), running, { onError: (error) => errors.push(error) });
    const [a, b] = [randomUUID(), randomUUID()];
    await table.replace(pool, [a, b], [timer(a, second * 1000 + 200), timer(b, second * 1000 + 600), timer(b, second * 1000 + 1_500, 'RaiseSlaWarning')]);
    expect(await chasing.runTick(second)).toEqual({ fired: 2, failed: 0 });
    for (const { timer: t, at } of fired) expect(at).toBeGreaterThanOrEqual(Date.parse(t.fireAt));
    // The row of the next second is left to that second's tick.
    expect((await rows()).map((row) => row.kind)).toEqual(['warn']);
  });

  it('retries a failing timer after a growing backoff, announcing a tick for it, while the rest of its batch fires; parks it after the last attempt', async () => {
    const [ok1, broken, ok2] = [randomUUID(), randomUUID(), randomUUID()];
    failing.add(broken);
    await table.replace(pool, [ok1, broken, ok2], [timer(ok1, START), timer(broken, START), timer(ok2, START, 'RaiseSlaWarning')]);
    expect(await runner.runDue()).toEqual({ fired: 2, failed: 1 });
    const [left] = await rows();
    expect(left).toMatchObject({ case_id: broken, attempts: 1, last_error: 'the event store is away' });
    expect(left!.next_attempt_at!.getTime()).toBe(START + 2_000);
    const retryTick = await tick(dueSecond(START + 2_000));
    expect(retryTick?.delay).toBe(2_000);
    expect(errors[0]!.message).toContain(`case ${broken}`);

    // Not due again before its backoff has passed; then after 2 s, 4 s, 8 s, ...
    expect(await runner.runDue()).toEqual({ fired: 0, failed: 0 });
    const waits: number[] = [];
    for (let attempt = 2; attempt <= MAX_TIMER_ATTEMPTS; attempt++) {
      const [row] = await rows();
      waits.push(row!.next_attempt_at!.getTime() - clock);
      clock = row!.next_attempt_at!.getTime();
      expect(await runner.runDue()).toEqual({ fired: 0, failed: 1 });
    }
    expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000]);
    // Given up: kept with its error, never claimed again.
    expect(await rows()).toEqual([expect.objectContaining({ case_id: broken, attempts: MAX_TIMER_ATTEMPTS, next_attempt_at: null, last_error: 'the event store is away' })]);
    expect(errors.at(-1)!.message).toContain('given up');
    clock += 3600_000;
    expect(await runner.runDue()).toEqual({ fired: 0, failed: 0 });
  });

  it("fires a case's due timers one after the other, in the order they fell due, and different cases side by side", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await table.replace(pool, [a, b], [timer(a, START - 2_000), timer(a, START - 5_000, 'RaiseSlaWarning'), timer(b, START - 3_000), timer(b, START - 4_000, 'RaiseSlaWarning')]);
    const inFlight = new Map<string, number>();
    let overlapping = 0;
    let mostAtOnce = 0;
    const slowly: SlaTimerHandler = {
      fire: async (claimed) => {
        if (inFlight.get(claimed.caseId)) overlapping++;
        inFlight.set(claimed.caseId, 1);
        mostAtOnce = Math.max(mostAtOnce, [...inFlight.values()].reduce((sum, n) => sum + n, 0));
        // Long enough for the cases' firings to overlap if they may.
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight.set(claimed.caseId, 0);
        fired.push({ timer: claimed, at: clock });
        return { done: 'recorded' };
      },
      escalate: async () => ({ done: 'nothing to do' }),
    };
    const ordered = new SlaTimerRunner(table, jobs, slowly, now, { onError: (error) => errors.push(error) });
    expect(await ordered.runDue()).toEqual({ fired: 4, failed: 0 });
    expect(overlapping).toBe(0);
    expect(mostAtOnce).toBe(2);
    const commandsOf = (caseId: string) => fired.filter(({ timer: t }) => t.caseId === caseId).map(({ timer: t }) => t.command);
    expect(commandsOf(a)).toEqual(['RaiseSlaWarning', 'RecordSlaBreach']);
    expect(commandsOf(b)).toEqual(['RaiseSlaWarning', 'RecordSlaBreach']);
  });

  it('fires each row once when several workers claim at the same time', async () => {
    const timers = Array.from({ length: 300 }, (_, i) => timer(randomUUID(), START - i));
    await table.replace(
      pool,
      timers.map((t) => t.caseId),
      timers,
    );
    const others = Array.from({ length: 3 }, () => new SlaTimerRunner(table, jobs, handlerOn(now), now, { onError: (error) => errors.push(error), batchSize: 20 }));
    const results = await Promise.all([runner, ...others].map((r) => r.runDue()));
    expect(results.reduce((sum, r) => sum + r.fired, 0)).toBe(300);
    expect(new Set(fired.map(({ timer: t }) => t.id)).size).toBe(300);
    expect(fired).toHaveLength(300);
    expect(await rows()).toEqual([]);
  });

  it('fires again a row whose worker died while firing it, once its lease has run out', async () => {
    const caseId = randomUUID();
    await table.replace(pool, [caseId], [timer(caseId, START)]);
    await table.claimDue(now(), 10, new Date(START + 60_000)); // claimed, and never finished
    expect(await runner.runDue()).toEqual({ fired: 0, failed: 0 });
    clock = START + 60_000;
    expect(await runner.runDue()).toEqual({ fired: 1, failed: 0 });
    expect(fired[0]!.timer.attempts).toBe(2);
  });

  it('sweeps: announces a tick at once for rows due for a while, and none for rows still to come or just due', async () => {
    const [late, just, later] = [randomUUID(), randomUUID(), randomUUID()];
    await table.replace(pool, [late, just, later], [timer(late, START - 10_000), timer(just, START - 500), timer(later, START + 60_000)]);
    expect(await runner.sweep()).toBe(1);
    const announced = await tick(dueSecond(START - 10_000));
    expect(announced?.data).toEqual({ kind: 'SlaTick', second: dueSecond(START - 10_000) });
    expect(announced?.delay).toBe(0);
    expect(await tick(dueSecond(START - 500))).toBeUndefined();
    expect(await tick(dueSecond(START + 60_000))).toBeUndefined();
    // A tick that waits is not added twice.
    await runner.sweep();
    expect(await queues.counts(SLA_QUEUE)).toMatchObject({ waiting: 1, delayed: 0 });
    expect(errors).toEqual([]);
  });
});
