import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CaseNumbers, CaseFoldCache, ExecuteCaseCommand, ExecuteCaseCommandHandler, type CaseCommandResult } from '#cases';
import { DEFAULT_SLA_POLICY, DEMO_ORG_UNITS, OrgTree, SYSTEM_ACTOR, type Actor, type CaseCommand, type CaseKind } from '#domain';
import { migrateEventStore, PostgresEventStore, type LogPosition } from '#event-store';
import { ProjectionRunner } from '#projections';
import { createTestDatabase, type TestDatabase } from '#testing';
import { CASE_STATS_READ_MODEL, CaseStatsProjection } from './case-stats.projection.js';

const org = new OrgTree(DEMO_ORG_UNITS);
const clerk: Actor = { userId: 'u-clerk', roles: ['clerk'], unitId: 'hd-dg-1' };
const coordinator: Actor = { userId: 'u-c1', roles: ['coordinator'], unitId: 'hd-dg-1' };
const townCoordinator: Actor = { userId: 'u-c2', roles: ['coordinator'], unitId: 'hd-dg' };
const leader: Actor = { userId: 'u-l1', roles: ['leader'], unitId: 'hd-dg' };
/** Records the adoptions above the town: staff record them up to their own level. */
const cityLeader: Actor = { userId: 'u-l2', roles: ['leader'], unitId: 'sf' };
const HOUR = 3_600_000;

describe('the statistics read model', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let runner: ProjectionRunner;
  let handler: ExecuteCaseCommandHandler;
  let cases: CaseFoldCache;
  // Monday 2026-11-02 09:00 in Shanghai; the accept clock runs one working day.
  let clock = Date.parse('2026-11-02T09:00:00+08:00');
  const at = (advance = 60_000) => new Date((clock += advance)).toISOString();
  let last: CaseCommandResult;
  const errors: unknown[] = [];

  const run = async (command: CaseCommand): Promise<CaseCommandResult> => (last = await handler.execute(new ExecuteCaseCommand(command, undefined, randomUUID())));
  const file = async (kind: CaseKind) => {
    const filed = await run({
      type: 'FileCase',
      caseId: randomUUID(),
      actor: clerk,
      at: at(),
      number: '',
      kind,
      title: '统计测试',
      description: '统计读模型测试用例。',
      channel: 'walk_in',
      unitId: 'hd-dg-1',
      filer: { name: '张三', phone: null, anonymous: false },
    });
    return filed.id;
  };
  const move = (caseId: string, actor: Actor, fields: Record<string, unknown> & { type: string }, advance?: number) =>
    run({ ...fields, caseId, actor, at: at(advance) } as CaseCommand);
  const rows = async (client: pg.Pool | pg.PoolClient = pool) => (await client.query('SELECT * FROM case_stats ORDER BY case_id')).rows;
  const adoptions = async (client: pg.Pool | pg.PoolClient = pool) => (await client.query('SELECT * FROM case_stats_adoptions ORDER BY case_id, ordinal')).rows;

  let onTime: string;
  let breachedWaiting: string;
  let escalatedLate: string;

  beforeAll(async () => {
    db = await createTestDatabase('minyi_reporting');
    pool = new pg.Pool({ connectionString: db.url, max: 10 });
    await migrateEventStore(pool);
    store = new PostgresEventStore({ pool, pollIntervalMs: 100 });
    // Small batches, so that the live run folds cases across batch boundaries.
    runner = new ProjectionRunner(pool, store, [new CaseStatsProjection(DEFAULT_SLA_POLICY)], { standbyRetryMs: 100, batchSize: 3, onError: (_name, error) => errors.push(error) });
    await runner.start();
    cases = new CaseFoldCache(store, DEFAULT_SLA_POLICY);
    handler = new ExecuteCaseCommandHandler(store, org, new CaseNumbers(pool), cases, DEFAULT_SLA_POLICY);

    // Accepted and resolved in time, annotated, then redone after unsatisfied feedback and closed satisfied.
    onTime = await file('suggestion');
    await move(onTime, coordinator, { type: 'AcceptCase' });
    await move(onTime, coordinator, { type: 'AddNote', noteType: 'visit', text: '入户走访' });
    await move(onTime, coordinator, { type: 'RequestAnnotation', summary: '请领导批示' });
    await move(onTime, leader, { type: 'AnnotateCase', instruction: '抓紧办理' });
    await move(onTime, coordinator, { type: 'ResolveCase', outcome: 'partially_adopted', summary: '部分采纳' });
    await move(onTime, coordinator, { type: 'RecordFeedback', satisfaction: 'unsatisfied' });
    await move(onTime, coordinator, { type: 'ResolveCase', outcome: 'adopted', summary: '采纳' });
    await move(onTime, coordinator, { type: 'RecordFeedback', satisfaction: 'satisfied' });
    // Adopted at the county, then annotated at the city: one batch ends between the two.
    await move(onTime, cityLeader, { type: 'AdoptSuggestion', level: 'county', kind: 'adopted', body: '纳入区政府工作要点' });
    await move(onTime, cityLeader, { type: 'AdoptSuggestion', level: 'city', kind: 'annotated', body: '市领导批示' });

    // Never accepted: its accept clock's breach is recorded, as the SLA timer does.
    breachedWaiting = await file('risk');
    const { clocks } = await cases.current(breachedWaiting);
    const accept = clocks.clocks.find((run) => run.clock === 'accept')!;
    await move(breachedWaiting, SYSTEM_ACTOR, { type: 'RecordSlaBreach', clock: 'accept', dueAt: accept.dueAt, startedAtRevision: 0 }, 25 * HOUR);

    // Accepted in time at the community, escalated, and accepted late by the town.
    escalatedLate = await file('dispute');
    await move(escalatedLate, coordinator, { type: 'AcceptCase' });
    await move(escalatedLate, coordinator, { type: 'EscalateCase', reason: '需上级协调' });
    await move(escalatedLate, townCoordinator, { type: 'AcceptCase' }, 30 * HOUR);
    await move(escalatedLate, townCoordinator, { type: 'ResolveCase', outcome: 'mediated', summary: '调解成功' });
    // Notes after the last counted event: they change no row.
    for (let i = 0; i < 4; i++) await move(escalatedLate, townCoordinator, { type: 'AddNote', noteType: 'visit', text: `回访 ${i}` });

    expect(await runner.waitFor(last.position, 10_000)).toBe(true);
  });

  afterAll(async () => {
    expect(errors).toEqual([]); // no batch failed along the way
    await runner?.stop();
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  it('keeps one row per case with the facts its figures need', async () => {
    const byId = new Map((await rows()).map((row) => [row.case_id, row]));
    expect(byId.size).toBe(3);
    expect(byId.get(onTime)).toMatchObject({
      kind: 'suggestion',
      filed_unit_id: 'hd-dg-1',
      filed_by: 'u-clerk',
      filed_at: expect.any(Date),
      accepted: true,
      accepted_on_time: true,
      accept_breached: false,
      resolved: true,
      resolved_on_time: true,
      outcome: 'adopted',
      annotated: true,
      latest_satisfaction: 'satisfied',
      feedback_count: 2,
      units_visited: ['hd-dg-1'],
    });
    expect(byId.get(breachedWaiting)).toMatchObject({ accepted: false, accepted_on_time: false, accept_breached: true, resolved: false, outcome: null, feedback_count: 0 });
    expect(byId.get(escalatedLate)).toMatchObject({
      accepted: true,
      accepted_on_time: false,
      accept_breached: true,
      resolved: true,
      resolved_on_time: true,
      outcome: 'mediated',
      units_visited: ['hd-dg-1', 'hd-dg'],
    });
  });

  it('keeps each adoption of a case, in order, with when it was recorded', async () => {
    const recorded = await adoptions();
    expect(recorded.map(({ case_id, ordinal, kind, level }) => ({ case_id, ordinal, kind, level }))).toEqual([
      { case_id: onTime, ordinal: 0, kind: 'adopted', level: 'county' },
      { case_id: onTime, ordinal: 1, kind: 'annotated', level: 'city' },
    ]);
    const { state } = (await rows()).find((row) => row.case_id === onTime);
    expect(recorded.map((row) => row.adopted_at.toISOString())).toEqual(state.adoptions.map((adoption: { at: string }) => new Date(adoption.at).toISOString()));
  });

  it('keeps the fold without notes, and its revision at the last event that counts', async () => {
    const byId = new Map((await rows()).map((row) => [row.case_id, row]));
    for (const row of byId.values()) expect(row.state.notes).toEqual([]);
    // Filed, accepted, escalated, accepted, resolved: revision 4; the four notes after it are not applied.
    expect(byId.get(escalatedLate)).toMatchObject({ revision: 4, state: { status: 'resolved' } });
  });

  it('gives the same rows when the log is replayed one event at a time', async () => {
    const live = await rows();
    const liveAdoptions = await adoptions();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const projection = new CaseStatsProjection(DEFAULT_SLA_POLICY);
      await projection.reset(client);
      for (let after: LogPosition | null = null; ; ) {
        const [event] = await store.readAll({ after, maxCount: 1 });
        if (!event) break;
        await projection.apply(client, [event]);
        after = event.position;
      }
      expect(await rows(client)).toEqual(live);
      expect(await adoptions(client)).toEqual(liveAdoptions);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('rebuilds from the log into identical rows', async () => {
    const before = await rows();
    const adoptedBefore = await adoptions();
    expect(adoptedBefore).toHaveLength(2);
    // Damage the read model: only a replay from the start of the log can mend it.
    await pool.query("UPDATE case_stats SET accepted = NOT accepted, state = '{}'::jsonb");
    await pool.query('DELETE FROM case_stats WHERE case_id = $1', [onTime]);
    await pool.query('DELETE FROM case_stats_adoptions');
    await runner.rebuild(CASE_STATS_READ_MODEL);
    expect(await runner.waitFor(last.position, 10_000)).toBe(true);
    expect(await rows()).toEqual(before);
    expect(await adoptions()).toEqual(adoptedBefore);

    // And it carries on live from where the rebuild stopped.
    await move(breachedWaiting, coordinator, { type: 'AcceptCase' });
    expect(await runner.waitFor(last.position, 10_000)).toBe(true);
    expect((await rows()).find((row) => row.case_id === breachedWaiting)).toMatchObject({ accepted: true, accepted_on_time: false, accept_breached: true });
  });
});
