import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { migrateEventStore, PostgresEventStore, type RecordedEvent } from '#event-store';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { readCheckpoint } from './checkpoints.js';
import { countedEvent } from './counted-event.testing.js';
import type { Projection } from './projection.js';
import { ProjectionRunner } from './projection-runner.js';
import { rebuildReadModel, type RebuildProgress } from './rebuild.js';

/**
 * Sums `data.n` per stream into two tables. Applying an event twice would count it twice, so the
 * totals show whether every event was applied exactly once across a rebuild and its swap.
 */
class TotalsProjection implements Projection {
  readonly version = 1;
  readonly tables = ['stream_totals', 'totals_summary'];
  constructor(
    readonly name: string,
    private readonly table = 'stream_totals',
  ) {}

  async migrate(client: pg.PoolClient) {
    await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (stream_id text PRIMARY KEY, events int NOT NULL, total int NOT NULL)`);
    await client.query('CREATE TABLE IF NOT EXISTS totals_summary (id int PRIMARY KEY, events int NOT NULL)');
    await client.query('CREATE INDEX IF NOT EXISTS stream_totals_total ON stream_totals (total)');
  }
  async reset(client: pg.PoolClient) {
    await client.query('TRUNCATE stream_totals, totals_summary');
  }
  async apply(client: pg.PoolClient, events: readonly RecordedEvent[]) {
    const rows = events.map((event) => ({ stream_id: event.streamId, n: Number(event.data.n) }));
    await client.query(
      `INSERT INTO ${this.table} (stream_id, events, total)
       SELECT stream_id, count(*), sum(n) FROM jsonb_to_recordset($1::jsonb) AS r(stream_id text, n int) GROUP BY stream_id
       ON CONFLICT (stream_id) DO UPDATE SET events = ${this.table}.events + EXCLUDED.events, total = ${this.table}.total + EXCLUDED.total`,
      [JSON.stringify(rows)],
    );
    await client.query(
      'INSERT INTO totals_summary VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET events = totals_summary.events + EXCLUDED.events',
      [events.length],
    );
  }
}

/** Totals whose live batches can be held at a gate, inside their transaction. */
class GatedTotalsProjection extends TotalsProjection {
  private gate: Promise<void> | null = null;
  private openGate = () => {};
  /** Resolves when a batch reaches the closed gate. */
  waiting: Promise<void> = Promise.resolve();
  private arrived = () => {};

  close(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
    this.waiting = new Promise((resolve) => (this.arrived = resolve));
  }
  open(): void {
    this.gate = null;
    this.openGate();
  }
  override async apply(client: pg.PoolClient, events: readonly RecordedEvent[]) {
    if (this.gate) {
      this.arrived();
      await this.gate;
    }
    await super.apply(client, events);
  }
}


describe('rebuilding a read model beside its live tables', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 12 });
    await migrateEventStore(pool);
    store = new PostgresEventStore({ pool, pollIntervalMs: 20 });
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  /** Appends `count` events to `streams` streams of a prefix; returns the last global position. */
  async function appendEvents(prefix: string, streams: number, perStream: number): Promise<number> {
    let last = 0;
    for (let s = 0; s < streams; s++) {
      const result = await store.appendToStream(`${prefix}-${s}`, Array.from({ length: perStream }, (_, i) => countedEvent(i + 1)), { expectedRevision: 'any' });
      last = result.globalPosition;
    }
    return last;
  }

  /** What the totals must be: computed from the log itself. */
  async function expectedTotals(): Promise<{ stream_id: string; events: number; total: number }[]> {
    const { rows } = await pool.query(
      `SELECT stream_id, count(*)::int AS events, sum((data->>'n')::int)::int AS total FROM events GROUP BY stream_id ORDER BY stream_id`,
    );
    return rows;
  }
  const totals = async () => (await pool.query('SELECT stream_id, events, total FROM stream_totals ORDER BY stream_id')).rows;
  const summary = async () => (await pool.query('SELECT events FROM totals_summary')).rows[0]?.events as number | undefined;

  it('swaps in tables that hold every event exactly once, while the live runner and readers carry on', async () => {
    await appendEvents('a', 40, 25); // 1,000 events
    const projection = new TotalsProjection('totals');
    const runner = new ProjectionRunner(pool, store, [projection]);
    await runner.start();
    try {
      expect(await runner.waitFor(await appendEvents('b', 1, 1), 10_000)).toBe(true);
      const before = await summary();
      expect(before).toBe(1_001);

      // Readers poll the live table the whole time: it never looks empty or half-built.
      let reading = true;
      const seen: number[] = [];
      const reader = (async () => {
        while (reading) seen.push((await summary()) ?? 0);
      })();

      // Writers append while the rebuild copies, so the swap has events to catch up on, and the
      // live runner applies some of them to the old tables before the swap.
      const progress: RebuildProgress[] = [];
      let writes: Promise<number> | undefined;
      const result = await rebuildReadModel(pool, store, projection, {
        batchSize: 100,
        onProgress: (step) => {
          progress.push(step);
          if (progress.length === 3) writes = appendEvents('c', 10, 30);
        },
      });
      const lastWrite = await writes!;
      expect(await runner.waitFor(lastWrite, 10_000)).toBe(true);
      reading = false;
      await reader;

      expect(result.tables).toEqual(['stream_totals', 'totals_summary']);
      expect(result.events).toBeGreaterThanOrEqual(1_001);
      expect(progress[0]).toMatchObject({ projection: 'totals', phase: 'copy', events: 100, total: 1_001 });
      expect(seen.length).toBeGreaterThan(0);
      expect(Math.min(...seen)).toBeGreaterThanOrEqual(1_001);

      expect(await totals()).toEqual(await expectedTotals());
      expect(await summary()).toBe(1_301);
      const { rows } = await pool.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'minyi_rebuild_%'");
      expect(rows[0].n).toBe(0); // the scratch schema is gone

      // The runner goes on from the swapped-in checkpoint.
      expect(await runner.waitFor(await appendEvents('d', 2, 5), 10_000)).toBe(true);
      expect(await totals()).toEqual(await expectedTotals());
    } finally {
      await runner.stop();
    }
  });

  it('a live batch held up across the swap does not apply again what the swapped-in tables hold', async () => {
    const projection = new GatedTotalsProjection('totals-gated');
    const runner = new ProjectionRunner(pool, store, [projection]);
    await runner.start();
    try {
      expect(await runner.waitFor(await appendEvents('f', 1, 1), 10_000)).toBe(true);
      projection.close();
      await appendEvents('g', 1, 10); // the live batch that waits at the gate, in its transaction
      await projection.waiting;
      const lastWrite = await appendEvents('h', 5, 10); // read by the live runner only after the gate opens

      const rebuild = rebuildReadModel(pool, store, new TotalsProjection('totals-gated'));
      // The rebuild copies everything, then waits for the live batch's lock on the checkpoint row.
      await eventually(async () => ((await pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0].n > 0 ? true : undefined));
      projection.open();
      await rebuild;

      expect(await runner.waitFor(lastWrite, 10_000)).toBe(true);
      expect(await totals()).toEqual(await expectedTotals());
    } finally {
      await runner.stop();
    }
  });

  it('builds the tables and the checkpoint when the read model was never run, and a runner resumes from them', async () => {
    const projection = new TotalsProjection('totals-fresh');
    await pool.query('DROP TABLE IF EXISTS stream_totals, totals_summary');
    const result = await rebuildReadModel(pool, store, projection);
    expect(await totals()).toEqual(await expectedTotals());
    expect(await readCheckpoint(pool, 'totals-fresh')).toEqual(result.position);

    const runner = new ProjectionRunner(pool, store, [projection]);
    await runner.start();
    try {
      expect(await runner.waitFor(await appendEvents('e', 3, 4), 10_000)).toBe(true);
      expect(await totals()).toEqual(await expectedTotals());
    } finally {
      await runner.stop();
    }
  });

  it('refuses a projection whose SQL names its tables with a schema, leaving the live tables alone', async () => {
    const rows = await totals();
    const qualified = new TotalsProjection('totals-qualified', 'public.stream_totals');
    await expect(rebuildReadModel(pool, store, qualified)).rejects.toThrow('did not create stream_totals through search_path');
    expect(await totals()).toEqual(rows);
  });

  it('refuses a projection without tables, and a second rebuild of the same projection at once', async () => {
    const reactor: Projection = { name: 'reactor', version: 1, migrate: async () => {}, apply: async () => {}, reset: async () => {} };
    await expect(rebuildReadModel(pool, store, reactor)).rejects.toThrow('keeps no tables of its own');

    const projection = new TotalsProjection('totals-twice');
    const outcomes = await Promise.allSettled([rebuildReadModel(pool, store, projection), rebuildReadModel(pool, store, projection)]);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(String((refused[0] as PromiseRejectedResult).reason)).toContain('another rebuild of "totals-twice" is running');
    expect(await totals()).toEqual(await expectedTotals());
  });
});
