import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CaseNumbers, CaseFoldCache, ExecuteCaseCommand, ExecuteCaseCommandHandler, type CaseCommandResult } from '#cases';
import { calendarOf, DEFAULT_SLA_POLICY, DEMO_ORG_UNITS, InvalidError, OrgTree, type Actor, type CaseCommand, type CaseKind } from '#domain';
import { migrateEventStore, PostgresEventStore, type EventStore } from '#event-store';
import { ProjectionRunner } from '#projections';
import { createTestDatabase, type TestDatabase } from '#testing';
import { CaseStatsProjection } from './case-stats.projection.js';
import { UnitRankings } from './unit-ranking.js';

const org = new OrgTree(DEMO_ORG_UNITS);
const policy = DEFAULT_SLA_POLICY;
const clerk: Actor = { userId: 'u-clerk', roles: ['clerk'], unitId: 'hd-dg-1' };
const coordinator: Actor = { userId: 'u-c1', roles: ['coordinator'], unitId: 'hd-dg-1' };
const leader: Actor = { userId: 'u-l1', roles: ['leader'], unitId: 'hd-dg' };
/** What every case here is filed with, but its id, time and kind. */
const FILING = {
  type: 'FileCase',
  number: '',
  title: '排名测试',
  description: '排名重算测试用例。',
  channel: 'walk_in',
  unitId: 'hd-dg-1',
  filer: { name: '张三', phone: null, anonymous: false },
} as const;
const NOVEMBER = { from: new Date('2026-10-31T16:00:00Z'), to: new Date('2026-11-30T16:00:00Z') };

describe('unit rankings at a position', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let runner: ProjectionRunner;
  let handler: ExecuteCaseCommandHandler;
  let head = 0;
  // Monday 2026-11-02 09:00 in Shanghai.
  let clock = Date.parse('2026-11-02T09:00:00+08:00');
  const at = (advance = 60_000) => new Date((clock += advance)).toISOString();

  const run = async (command: CaseCommand): Promise<CaseCommandResult> => {
    const result = await handler.execute(new ExecuteCaseCommand(command, undefined, randomUUID()));
    head = Math.max(head, result.position);
    return result;
  };
  const file = async (kind: CaseKind) => (await run({ ...FILING, caseId: randomUUID(), actor: clerk, at: at(), kind })).id;
  const move = (caseId: string, actor: Actor, fields: Record<string, unknown> & { type: string }, advance?: number) => run({ ...fields, caseId, actor, at: at(advance) } as CaseCommand);
  const rankings = (events: EventStore = store, maxCases?: number) => new UnitRankings(pool, org, events, policy, calendarOf(policy), maxCases);

  beforeAll(async () => {
    db = await createTestDatabase('minyi_unit_ranking');
    pool = new pg.Pool({ connectionString: db.url, max: 10 });
    await migrateEventStore(pool);
    store = new PostgresEventStore({ pool, pollIntervalMs: 100 });
    runner = new ProjectionRunner(pool, store, [new CaseStatsProjection(policy)], { standbyRetryMs: 100 });
    await runner.start();
    handler = new ExecuteCaseCommandHandler(store, org, new CaseNumbers(pool), new CaseFoldCache(store, policy), policy);

    // Every count differs: satisfied, unsatisfied, annotated, accepted late, left filed.
    const satisfied = await file('suggestion');
    await move(satisfied, coordinator, { type: 'AcceptCase' });
    await move(satisfied, coordinator, { type: 'RequestAnnotation', summary: '请领导批示' });
    await move(satisfied, leader, { type: 'AnnotateCase', instruction: '抓紧办理' });
    await move(satisfied, coordinator, { type: 'ResolveCase', outcome: 'adopted', summary: '采纳' });
    await move(satisfied, coordinator, { type: 'RecordFeedback', satisfaction: 'basically_satisfied' });
    const unsatisfied = await file('dispute');
    await move(unsatisfied, coordinator, { type: 'AcceptCase' });
    await move(unsatisfied, coordinator, { type: 'ResolveCase', outcome: 'mediated', summary: '已调解' });
    await move(unsatisfied, coordinator, { type: 'RecordFeedback', satisfaction: 'unsatisfied' });
    const late = await file('dispute');
    await move(late, coordinator, { type: 'AcceptCase' }, 5 * 24 * 3_600_000);
    await file('risk');
    expect(await runner.waitFor(head, 10_000)).toBe(true);
  });

  afterAll(async () => {
    await runner?.stop();
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  it('computes at the head exactly what the read model counts now', async () => {
    const now = await rankings().ranking('hd', NOVEMBER, policy.rankingWeights);
    expect(now.position).toBe(head);
    expect(now.units.find((unit) => unit.unitId === 'hd-dg')).toMatchObject({ filed: 4 });
    expect(await rankings().ranking('hd', NOVEMBER, policy.rankingWeights, head)).toEqual(now);
  });

  it('holds no transaction open while it reads the cases’ events', async () => {
    await runner.stop();
    try {
      const open: number[] = [];
      // The real store, watched: each stream read first asks PostgreSQL for sessions idle in a transaction.
      const watched = new Proxy(store, {
        get(target, property) {
          if (property !== 'readStream') {
            // Bound to the store itself: its methods use private fields.
            const value: unknown = Reflect.get(target, property);
            return typeof value === 'function' ? value.bind(target) : value;
          }
          return async (streamId: string) => {
            const { rows } = await pool.query<{ open: number }>(
              `SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
            );
            open.push(rows[0]!.open);
            return target.readStream(streamId);
          };
        },
      });
      await rankings(watched).ranking('hd', NOVEMBER, policy.rankingWeights, head);
      expect(open).toHaveLength(4);
      expect(open.every((count) => count === 0)).toBe(true);
    } finally {
      await runner.start();
    }
  });

  it('refuses, naming position, to fold more cases than its cap; as many as the cap it folds', async () => {
    const refused = await rankings(store, 3)
      .ranking('hd', NOVEMBER, policy.rankingWeights, head)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidError);
    expect(refused).toMatchObject({ field: 'position', message: expect.stringContaining('at most 3 cases') });
    expect((await rankings(store, 4).ranking('hd', NOVEMBER, policy.rankingWeights, head)).position).toBe(head);
    // Without a position nothing is folded, and no cap applies.
    expect((await rankings(store, 3).ranking('hd', NOVEMBER, policy.rankingWeights)).position).toBe(head);
  });
});
