import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { accountStreamId } from '#accounts';
import { DEFAULT_SLA_POLICY } from '#domain';
import { migrateEventStore, PostgresEventStore, type NewEvent } from '#event-store';
import { ProjectionRunner } from '#projections';
import { createTestDatabase, type TestDatabase } from '#testing';
// The benchmarks' whole case stories: every workflow step the case read model folds.
import { appendCaseStories } from '../../../apps/bench/src/case-stories.js';
import { readModels } from './read-models.js';

/** An account's life: created, renamed and moved, disabled; the accounts read model folds it. */
function accountStory(n: number): NewEvent[] {
  const userId = randomUUID();
  const metadata = (hour: number) => ({ actorId: 'admin', actorRole: 'admin', unitId: 'city', at: new Date(Date.UTC(2026, 2, 2, hour)).toISOString(), correlationId: randomUUID(), causationId: null });
  const event = (type: string, data: Record<string, unknown>, hour: number): NewEvent => ({ id: randomUUID(), type, schemaVersion: 1, data, metadata: metadata(hour) });
  return [
    event('UserCreated', { userId, username: `clerk-${n}`, displayName: `信息员${n}`, roles: ['clerk'], unitId: 'hd-dg-1' }, n),
    event('UserUpdated', { displayName: `信息员${n}号`, unitId: 'hx-xh-1' }, n + 1),
    ...(n % 2 === 0 ? [event('UserDisabled', { reason: '调离' }, n + 2)] : []),
  ];
}

describe('the read models in lanes', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let head = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 30 });
    await migrateEventStore(pool);
    store = new PostgresEventStore({ pool, pollIntervalMs: 50 });
    await appendCaseStories(store, 400, 4);
    for (let n = 0; n < 12; n++) head = (await store.appendToStream(accountStreamId(randomUUID()), accountStory(n), { expectedRevision: 'no_stream' })).globalPosition;
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  /** Every row of every read model's tables, as text, in one order. */
  async function rows(): Promise<Record<string, string[]>> {
    const tables = readModels(DEFAULT_SLA_POLICY).flatMap((model) => model.tables ?? []);
    const all: Record<string, string[]> = {};
    for (const table of tables) all[table] = (await pool.query<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM ${table} t ORDER BY 1`)).rows.map((r) => r.row);
    return all;
  }

  /** Runs every read model in `lanes` lanes on `processes` runners until they have caught up, then stops them. */
  async function catchUp(lanes: number, processes: number, whileRunning?: (runners: ProjectionRunner[]) => Promise<void>): Promise<void> {
    const runners = Array.from({ length: processes }, () => new ProjectionRunner(pool, store, readModels(DEFAULT_SLA_POLICY), { lanes, standbyRetryMs: 50 }));
    try {
      for (const runner of runners) await runner.start();
      expect(await runners[0]!.waitFor(head, 60_000)).toBe(true);
      await whileRunning?.(runners);
    } finally {
      for (const runner of runners) await runner.stop();
    }
  }

  const checkpointKeys = async () => (await pool.query<{ projection: string }>('SELECT projection FROM projection_checkpoints ORDER BY projection')).rows.map((row) => row.projection);

  it('holds the same rows in 1 lane and in 4 shared by 4 processes, starting over when the count changes, and a rebuild sets every lane', async () => {
    await catchUp(1, 1);
    const inOneLane = await rows();
    expect(inOneLane.case_view).toHaveLength(40);
    expect(inOneLane.accounts).toHaveLength(12);
    expect(await checkpointKeys()).toEqual(['accounts', 'bulletins', 'case-stats', 'cases', 'hotspots', 'public-filings']);

    // Four lanes: the read models that may run in lanes start over, and come to the same rows.
    await pool.query('TRUNCATE case_view, accounts');
    await catchUp(4, 4, async ([runner]) => {
      await runner!.rebuild('cases');
      const { rows: lanes } = await pool.query<{ commit_position: string; prepare_position: string }>(
        "SELECT DISTINCT commit_position, prepare_position FROM projection_checkpoints WHERE projection LIKE 'cases[%'",
      );
      expect(lanes).toHaveLength(1); // every lane swapped in at one checkpoint
    });
    expect(await rows()).toEqual(inOneLane);
    const keys = await checkpointKeys();
    expect(keys.filter((key) => key.startsWith('cases'))).toEqual(['cases[0/4]', 'cases[1/4]', 'cases[2/4]', 'cases[3/4]']);
    // Those that may not stay in their one lane, and kept their rows.
    expect(keys).toEqual(expect.arrayContaining(['case-stats', 'hotspots']));

    // And back to one lane, under the name it had.
    await pool.query('TRUNCATE case_view, accounts');
    await catchUp(1, 2);
    expect(await rows()).toEqual(inOneLane);
    expect(await checkpointKeys()).toEqual(['accounts', 'bulletins', 'case-stats', 'cases', 'hotspots', 'public-filings']);
  });
});
