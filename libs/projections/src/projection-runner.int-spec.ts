import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { migrateEventStore, PostgresEventStore, type RecordedEvent } from '#event-store';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { advanceCheckpoint } from './checkpoints.js';
import { countedEvent } from './counted-event.testing.js';
import type { AfterCommit, Projection } from './projection.js';
import { ProjectionRunner } from './projection-runner.js';

/** Counts events per stream; fails on demand, to show a failed batch leaves rows and checkpoint untouched. */
class CountingProjection implements Projection {
  readonly version = 1;
  constructor(readonly name = 'counts') {}

  failNext = false;
  applied = 0;
  async migrate(client: pg.PoolClient) {
    await client.query('CREATE TABLE IF NOT EXISTS stream_counts (stream_id text PRIMARY KEY, n int NOT NULL)');
  }
  async reset(client: pg.PoolClient) {
    await client.query('TRUNCATE stream_counts');
  }
  async apply(client: pg.PoolClient, events: readonly RecordedEvent[]): Promise<void | AfterCommit> {
    for (const event of events) {
      await client.query('INSERT INTO stream_counts VALUES ($1, 1) ON CONFLICT (stream_id) DO UPDATE SET n = stream_counts.n + 1', [event.streamId]);
    }
    if (this.failNext) {
      this.failNext = false;
      throw new Error('projection failed mid-batch');
    }
    this.applied += events.length;
  }
}


describe('projection runner', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  const runners: ProjectionRunner[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 10 });
    await migrateEventStore(pool);
    store = new PostgresEventStore({ pool, pollIntervalMs: 50 });
  });

  afterAll(async () => {
    for (const runner of runners) await runner.stop();
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  const count = async (stream: string) => (await pool.query('SELECT n FROM stream_counts WHERE stream_id = $1', [stream])).rows[0]?.n;

  it('runs each projection on one instance at a time, and a standby takes over when the leader stops', async () => {
    const first = new CountingProjection();
    const second = new CountingProjection();
    const leader = new ProjectionRunner(pool, store, [first], { standbyRetryMs: 50 });
    const standby = new ProjectionRunner(pool, store, [second], { standbyRetryMs: 50 });
    runners.push(leader, standby);
    await leader.start();
    await standby.start();

    const a = await store.appendToStream('s-a', [countedEvent(1), countedEvent(2)], { expectedRevision: 'no_stream' });
    expect(await leader.waitFor(a.globalPosition, 10_000)).toBe(true);
    expect(first.applied).toBe(2);
    expect(second.applied).toBe(0);

    await leader.stop();
    const b = await store.appendToStream('s-a', [countedEvent(3)], { expectedRevision: 1 });
    expect(await standby.waitFor(b.globalPosition, 10_000)).toBe(true);
    expect(second.applied).toBe(1); // resumed from the leader's checkpoint, not from zero
    expect(await count('s-a')).toBe(3);
    await standby.stop();
  });

  it('survives its lead session being terminated: gives the lead up, takes it again, and applies what follows once', async () => {
    const projection = new CountingProjection('terminated-lead');
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(pool, store, [projection], { standbyRetryMs: 50, onError: (_name, error) => errors.push(error) });
    runners.push(runner);
    await runner.start();
    const before = await store.appendToStream('s-terminated', [countedEvent(1)], { expectedRevision: 'no_stream' });
    expect(await runner.waitFor(before.globalPosition, 10_000)).toBe(true);
    const appliedBefore = projection.applied;

    // The session holding the projection's advisory lock, ended as an operator or a failover would.
    const { rows } = await pool.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(l.pid) AS ended FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.pid <> pg_backend_pid()`,
    );
    expect(rows.some((row) => row.ended)).toBe(true);
    await eventually(async () => (errors.length > 0 ? true : undefined));

    const after = await store.appendToStream('s-terminated', [countedEvent(2)], { expectedRevision: 0 });
    expect(await runner.waitFor(after.globalPosition, 10_000)).toBe(true);
    expect(await count('s-terminated')).toBe(2); // the event before the fault not applied again
    expect(projection.applied).toBe(appliedBefore + 1);
    await runner.stop();
  });

  it('rolls a failed batch back with its checkpoint, then applies it once', async () => {
    const projection = new CountingProjection();
    const runner = new ProjectionRunner(pool, store, [projection], { standbyRetryMs: 50 });
    runners.push(runner);
    await runner.start();
    const before = await runner.checkpoint('counts');
    projection.failNext = true;
    const appended = await store.appendToStream('s-b', [countedEvent(1)], { expectedRevision: 'no_stream' });
    expect(await runner.waitFor(appended.globalPosition, 10_000)).toBe(true);
    expect(await count('s-b')).toBe(1); // not 2: the failed attempt's row was rolled back
    expect(await runner.checkpoint('counts')).not.toEqual(before);
    await runner.stop();
  });

  it('runs the work a batch leaves for after its commit once it has committed, and reports its failure without applying the batch again', async () => {
    const seen: (number | undefined)[] = [];
    let fail = false;
    class Announcing extends CountingProjection {
      override async apply(client: pg.PoolClient, events: readonly RecordedEvent[]) {
        await super.apply(client, events);
        return async () => {
          // Another connection already sees the batch's rows.
          seen.push(await count('s-e'));
          if (fail) throw new Error('the queue is away');
        };
      }
    }
    const projection = new Announcing('counts-e');
    const reported: unknown[] = [];
    const runner = new ProjectionRunner(pool, store, [projection], { standbyRetryMs: 50, onError: (_name, error) => reported.push(error) });
    runners.push(runner);
    await runner.start();

    await store.appendToStream('s-e', [countedEvent(1)], { expectedRevision: 'no_stream' });
    await eventually(async () => (seen.includes(1) ? true : undefined));

    fail = true;
    await store.appendToStream('s-e', [countedEvent(2)], { expectedRevision: 0 });
    await eventually(async () => (reported.length > 0 ? true : undefined));
    expect(seen.at(-1)).toBe(2);
    expect(reported).toEqual([new Error('the queue is away')]);

    fail = false;
    const appended = await store.appendToStream('s-e', [countedEvent(3)], { expectedRevision: 1 });
    expect(await runner.waitFor(appended.globalPosition, 10_000)).toBe(true);
    expect(await count('s-e')).toBe(3);
    await runner.stop();
  });

  it('only moves the checkpoint past batches without an event the projection handles, never back past a newer one', async () => {
    /** Handles only events with an even number, and refuses a batch without one. */
    class EvenOnly extends CountingProjection {
      handles(event: RecordedEvent) {
        return Number(event.data.n) % 2 === 0;
      }
      override async apply(client: pg.PoolClient, events: readonly RecordedEvent[]) {
        if (!events.some((event) => this.handles(event))) throw new Error('applied a batch it handles nothing of');
        await super.apply(client, events.filter((event) => this.handles(event)));
      }
    }
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(pool, store, [new EvenOnly('counts-even')], { onError: (_name, error) => errors.push(error) });
    runners.push(runner);
    await runner.start();
    const caughtUp = await store.appendToStream('s-even', [countedEvent(2)], { expectedRevision: 'no_stream' });
    expect(await runner.waitFor(caughtUp.globalPosition, 10_000)).toBe(true);

    const odd = await store.appendToStream('s-odd', [countedEvent(1), countedEvent(3)], { expectedRevision: 'no_stream' });
    expect(await runner.waitFor(odd.globalPosition, 10_000)).toBe(true);
    const even = await store.appendToStream('s-odd', [countedEvent(4)], { expectedRevision: 1 });
    expect(await runner.waitFor(even.globalPosition, 10_000)).toBe(true);
    expect(errors).toEqual([]);
    expect(await count('s-odd')).toBe(1);
    await runner.stop();

    // A checkpoint that has moved on (as after a rebuild's swap) is not moved back.
    const ahead = await runner.checkpoint('counts-even');
    const client = await pool.connect();
    try {
      await advanceCheckpoint(client, 'counts-even', odd.position, odd.globalPosition, 1);
    } finally {
      client.release();
    }
    expect(await runner.checkpoint('counts-even')).toEqual(ahead);
  });

  it('waits for the named projections only, when asked', async () => {
    const runner = new ProjectionRunner(pool, store, [new CountingProjection('counts-a'), new CountingProjection('counts-b')], { standbyRetryMs: 50 });
    runners.push(runner);
    await runner.start();
    const appended = await store.appendToStream('s-d', [countedEvent(1)], { expectedRevision: 'no_stream' });
    expect(await runner.waitFor(appended.globalPosition, 10_000)).toBe(true);
    await runner.stop();
    // counts-b falls behind; counts-a stays where it is.
    await pool.query("UPDATE projection_checkpoints SET commit_position = 0, prepare_position = 0 WHERE projection = 'counts-b'");
    expect(await runner.waitFor(appended.globalPosition, 200, ['counts-a'])).toBe(true);
    expect(await runner.waitFor(appended.globalPosition, 200)).toBe(false);
  });

  it('answers false when a position is not reached in time', async () => {
    const runner = new ProjectionRunner(pool, store, [new CountingProjection()]);
    runners.push(runner);
    await runner.migrate(); // not started: nothing moves
    const appended = await store.appendToStream('s-c', [countedEvent(1)], { expectedRevision: 'no_stream' });
    await pool.query("UPDATE projection_checkpoints SET commit_position = 0, prepare_position = 0 WHERE projection = 'counts'");
    expect(await runner.waitFor(appended.globalPosition, 200)).toBe(false);
  });
});
