import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { migrateEventStore, PostgresEventStore, type RecordedEvent } from '#event-store';
import { createTestDatabase, type TestDatabase } from '#testing';
import { readCheckpoint } from './checkpoints.js';
import { countedEvent } from './counted-event.testing.js';
import type { Projection } from './projection.js';
import { ProjectionRunner, ProjectionVersionChangedError } from './projection-runner.js';

/**
 * Sums `data.n` per stream into a folded state. Version 1 kept the state as jsonb, version 2 as
 * json: the kind of change that used to convert rows in place and now rebuilds from the log.
 */
class FoldedTotals implements Projection {
  readonly tables: readonly string[];
  applied = 0;
  constructor(
    readonly version: number,
    readonly name = 'folded',
    private readonly table = 'folded_totals',
  ) {
    this.tables = [table];
  }

  async migrate(client: pg.PoolClient) {
    const type = this.version === 1 ? 'jsonb' : 'json';
    await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (stream_id text PRIMARY KEY, events int NOT NULL, state ${type} NOT NULL)`);
  }
  async reset(client: pg.PoolClient) {
    await client.query(`TRUNCATE ${this.table}`);
  }
  async apply(client: pg.PoolClient, events: readonly RecordedEvent[]) {
    for (const event of events) {
      await client.query(
        `INSERT INTO ${this.table} VALUES ($1, 1, json_build_object('total', $2::int, 'title', '停车位 🚗'))
         ON CONFLICT (stream_id) DO UPDATE
           SET events = ${this.table}.events + 1,
               state = json_build_object('total', (${this.table}.state ->> 'total')::int + $2::int, 'title', '停车位 🚗')`,
        [event.streamId, Number(event.data.n)],
      );
    }
    this.applied += events.length;
  }
}

/** Keeps no rows; counts what it applied and how often it was reset. */
class CountingReactor implements Projection {
  applied = 0;
  resets = 0;
  constructor(readonly version: number) {}
  readonly name = 'reactor';
  async migrate() {}
  async reset() {
    this.resets++;
  }
  async apply(_client: pg.PoolClient, events: readonly RecordedEvent[]) {
    this.applied += events.length;
  }
}

describe('projection versions', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let head = 0;
  const running: ProjectionRunner[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 10 });
    await migrateEventStore(pool);
    store = new PostgresEventStore({ pool, pollIntervalMs: 50 });
    await store.appendToStream('s-a', [countedEvent(1), countedEvent(2)], { expectedRevision: 'no_stream' });
    head = (await store.appendToStream('s-b', [countedEvent(5)], { expectedRevision: 'no_stream' })).globalPosition;
  });

  afterEach(async () => {
    for (const runner of running.splice(0)) await runner.stop();
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  /** Starts the projections and waits until they have applied the whole log. */
  const caughtUp = async (...projections: Projection[]) => {
    const runner = new ProjectionRunner(pool, store, projections, { standbyRetryMs: 50 });
    running.push(runner);
    await runner.start();
    expect(await runner.waitFor(head, 10_000)).toBe(true);
    return runner;
  };
  const rows = async (table = 'folded_totals') => (await pool.query(`SELECT * FROM ${table} ORDER BY stream_id`)).rows;
  const stateType = async (table = 'folded_totals') =>
    (await pool.query("SELECT data_type FROM information_schema.columns WHERE table_name = $1 AND column_name = 'state'", [table])).rows[0]?.data_type;
  const storedVersion = async (projection: string) =>
    (await pool.query('SELECT version FROM projection_checkpoints WHERE projection = $1', [projection])).rows[0]?.version;

  it('rebuilds a projection whose version changed from the log, into the rows a fresh one makes', async () => {
    await caughtUp(new FoldedTotals(1));
    expect(await stateType()).toBe('jsonb');
    const before = await rows();
    expect(before).toEqual([
      { stream_id: 's-a', events: 2, state: { total: 3, title: '停车位 🚗' } },
      { stream_id: 's-b', events: 1, state: { total: 5, title: '停车位 🚗' } },
    ]);
    await running.pop()!.stop();

    const rebuilt = new FoldedTotals(2);
    const runner = await caughtUp(rebuilt);
    expect(rebuilt.applied).toBe(3); // the whole log, again
    expect(await stateType()).toBe('json');
    expect(await rows()).toEqual(before);
    expect(await storedVersion('folded')).toBe(2);
    expect(await runner.checkpoint('folded')).toEqual(await store.positionOf(head));

    await caughtUp(new FoldedTotals(2, 'fresh', 'fresh_totals'));
    expect(await rows('fresh_totals')).toEqual(await rows());
  });

  it('leaves a projection whose version did not change alone', async () => {
    await caughtUp(new FoldedTotals(2));
    await running.pop()!.stop();
    const checkpoint = await readCheckpoint(pool, 'folded');
    // A row no replay would write: only a rebuild would take it away.
    await pool.query("UPDATE folded_totals SET events = 99 WHERE stream_id = 's-a'");

    const again = new FoldedTotals(2);
    await caughtUp(again);
    expect(again.applied).toBe(0);
    expect((await rows())[0]).toMatchObject({ stream_id: 's-a', events: 99 });
    expect(await readCheckpoint(pool, 'folded')).toEqual(checkpoint);
  });

  it('counts a checkpoint kept before versions were as version 1, and resets a reactor whose version changed, once when started twice at once', async () => {
    const first = new CountingReactor(1);
    await caughtUp(first);
    expect(first.applied).toBe(3);
    await running.pop()!.stop();
    await pool.query("UPDATE projection_checkpoints SET version = NULL WHERE projection = 'reactor'");

    const unchanged = new CountingReactor(1);
    await caughtUp(unchanged);
    expect(unchanged).toMatchObject({ applied: 0, resets: 0 });
    await running.pop()!.stop();

    const changed = [new CountingReactor(2), new CountingReactor(2)];
    await Promise.all(changed.map((reactor) => caughtUp(reactor)));
    expect(changed.map((reactor) => reactor.resets).sort()).toEqual([0, 1]);
    expect(changed.map((reactor) => reactor.applied).sort()).toEqual([0, 3]); // one leads, from the start of the log
    expect(await storedVersion('reactor')).toBe(2);
  });

  it('stops an instance still running the version before from writing, once another version started the projection over', async () => {
    const errors: unknown[] = [];
    const older = new FoldedTotals(1, 'overtaken', 'overtaken_totals');
    const olderRunner = new ProjectionRunner(pool, store, [older], { standbyRetryMs: 50, onError: (_name, error) => errors.push(error) });
    running.push(olderRunner);
    await olderRunner.start();
    expect(await olderRunner.waitFor(head, 10_000)).toBe(true);

    // The newer start rebuilds the tables while the older instance leads; then an event comes.
    const newer = new FoldedTotals(2, 'overtaken', 'overtaken_totals');
    const newerRunner = new ProjectionRunner(pool, store, [newer], { standbyRetryMs: 50 });
    running.push(newerRunner);
    await newerRunner.start();
    head = (await store.appendToStream('s-c', [countedEvent(7)], { expectedRevision: 'no_stream' })).globalPosition;

    expect(await newerRunner.waitFor(head, 10_000)).toBe(true);
    expect(errors.some((error) => error instanceof ProjectionVersionChangedError)).toBe(true);
    expect(older.applied).toBe(3);
    expect(newer.applied).toBe(4);
    await caughtUp(new FoldedTotals(2, 'overtaken-fresh', 'overtaken_fresh_totals'));
    expect(await rows('overtaken_totals')).toEqual(await rows('overtaken_fresh_totals'));
  });
});
