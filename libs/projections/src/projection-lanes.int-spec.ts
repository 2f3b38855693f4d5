import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { lockKey } from '#database';
import { migrateEventStore, PostgresEventStore, type NewEvent, type RecordedEvent } from '#event-store';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { countedEvent } from './counted-event.testing.js';
import { laneOf } from './lanes.js';
import type { Projection } from './projection.js';
import { ProjectionLanesInUseError, ProjectionRunner } from './projection-runner.js';

/**
 * Counts how often each event of its own streams (named after it) was applied (`times`) and by
 * which runner, in the batch's transaction; a reactor (no tables, so a change of lanes resumes it instead of starting over),
 * whose effect is idempotent by event id. `delayMs` keeps each batch open for a while, so that a
 * runner can be killed in the middle of one.
 */
class ApplicationCounter implements Projection {
  readonly version = 1;
  readonly runsInLanes = true;
  constructor(
    readonly name: string,
    private readonly runner = 'main',
    private readonly delayMs = 0,
  ) {}

  async migrate(client: pg.PoolClient) {
    await client.query('CREATE TABLE IF NOT EXISTS applications (projection text, event_id uuid, stream_id text, runner text, times int NOT NULL, PRIMARY KEY (projection, event_id))');
  }
  async reset() {}
  handles(event: RecordedEvent) {
    return event.streamId.startsWith(`${this.name}-`);
  }
  async apply(client: pg.PoolClient, all: readonly RecordedEvent[]) {
    const events = all.filter((event) => this.handles(event));
    await client.query(
      `INSERT INTO applications SELECT $1, e.id, e.stream_id, $2, 1 FROM unnest($3::uuid[], $4::text[]) AS e(id, stream_id)
       ON CONFLICT (projection, event_id) DO UPDATE SET times = applications.times + 1, runner = EXCLUDED.runner`,
      [this.name, this.runner, events.map((event) => event.id), events.map((event) => event.streamId)],
    );
    if (this.delayMs > 0) await client.query('SELECT pg_sleep($1)', [this.delayMs / 1000]);
  }
}

describe('projections in lanes', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  const running: ProjectionRunner[] = [];
  const closing: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 20 });
    await migrateEventStore(pool);
    store = new PostgresEventStore({ pool, pollIntervalMs: 50 });
  });

  afterEach(async () => {
    for (const runner of running.splice(0)) await runner.stop();
    for (const close of closing.splice(0)) await close();
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  /** Appends `perStream` counted events to each of `streams` fresh streams, interleaved; answers the last global position. */
  async function appendInterleaved(prefix: string, streams: number, perStream: number): Promise<number> {
    let last = 0;
    for (let round = 0; round < perStream; round++) {
      for (let s = 0; s < streams; s++) {
        const events: NewEvent[] = [countedEvent(round)];
        last = (await store.appendToStream(`${prefix}-${s}`, events, { expectedRevision: round === 0 ? 'no_stream' : round - 1 })).globalPosition;
      }
    }
    return last;
  }

  const applications = async (projection: string) =>
    (await pool.query<{ stream_id: string; runner: string; times: number }>('SELECT stream_id, runner, times FROM applications WHERE projection = $1', [projection])).rows;

  const checkpointKeys = async (projection: string) =>
    (await pool.query<{ projection: string }>("SELECT projection FROM projection_checkpoints WHERE projection = $1 OR projection LIKE $1 || '[%' ORDER BY projection", [projection])).rows.map(
      (row) => row.projection,
    );

  /** Sets a lane's checkpoint back to the event at `globalPosition`, as if the lane had stopped there; answers its position. */
  async function moveCheckpointBack(key: string, globalPosition: number) {
    const position = (await store.positionOf(globalPosition))!;
    await pool.query('UPDATE projection_checkpoints SET commit_position = $2, prepare_position = $3 WHERE projection = $1', [key, position.commit.toString(), position.prepare.toString()]);
    return position;
  }

  it('shares the streams out among the lanes, each lane on the process that holds its lock, each event applied once', async () => {
    const runners = ['a', 'b', 'c', 'd'].map((name) => new ProjectionRunner(pool, store, [new ApplicationCounter('shared', name)], { lanes: 4, standbyRetryMs: 50 }));
    running.push(...runners);
    // Counted before any starts, each takes one lane.
    await Promise.all(runners.map((runner) => runner.join()));
    await Promise.all(runners.map((runner) => runner.start()));
    const head = await appendInterleaved('shared', 24, 3);
    expect(await runners[0]!.waitFor(head, 15_000)).toBe(true);

    const rows = await applications('shared');
    expect(rows).toHaveLength(72);
    expect(rows.every((row) => row.times === 1)).toBe(true);
    // A stream's events all go to its lane: one runner applied them all.
    const runnerOfStream = new Map<string, Set<string>>();
    for (const row of rows) runnerOfStream.set(row.stream_id, (runnerOfStream.get(row.stream_id) ?? new Set()).add(row.runner));
    expect([...runnerOfStream.values()].every((runnerSet) => runnerSet.size === 1)).toBe(true);
    // Streams of one lane share a runner, as the lane's lock is held by one.
    const runnerOfLane = new Map<number, Set<string>>();
    for (const [stream, runnerSet] of runnerOfStream) runnerOfLane.set(laneOf(stream, 4), (runnerOfLane.get(laneOf(stream, 4)) ?? new Set()).add([...runnerSet][0]!));
    expect([...runnerOfLane.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect([...runnerOfLane.values()].every((runnerSet) => runnerSet.size === 1)).toBe(true);
    expect(new Set([...runnerOfLane.values()].map((runnerSet) => [...runnerSet][0])).size).toBe(4);
    expect(await checkpointKeys('shared')).toEqual(['shared[0/4]', 'shared[1/4]', 'shared[2/4]', 'shared[3/4]']);
  });

  it('replays every lane of a reactor rebuilt on one process, the lanes another process holds too', async () => {
    const runners = ['a', 'b'].map((name) => new ProjectionRunner(pool, store, [new ApplicationCounter('replayed', name)], { lanes: 2, standbyRetryMs: 50 }));
    running.push(...runners);
    await Promise.all(runners.map((runner) => runner.join()));
    await Promise.all(runners.map((runner) => runner.start()));
    const before = await appendInterleaved('replayed', 8, 2);
    expect(await runners[0]!.waitFor(before, 15_000)).toBe(true);
    expect((await applications('replayed')).every((row) => row.times === 1)).toBe(true);

    // Runner a resets every lane's checkpoint; runner b's subscription had read past it.
    await runners[0]!.rebuild('replayed');
    const after = await appendInterleaved('replayed-later', 8, 1);
    expect(await runners[1]!.waitFor(after, 15_000)).toBe(true);

    const rows = await applications('replayed');
    const replayedRows = rows.filter((row) => !row.stream_id.startsWith('replayed-later'));
    expect(replayedRows).toHaveLength(16);
    // Every event before the rebuild applied again, in both lanes; none of the later ones twice.
    expect(replayedRows.every((row) => row.times === 2)).toBe(true);
    expect(rows.filter((row) => row.stream_id.startsWith('replayed-later')).every((row) => row.times === 1)).toBe(true);
  });

  it('waits for every lane of a projection, and its checkpoint is where the slowest lane stands', async () => {
    const runner = new ProjectionRunner(pool, store, [new ApplicationCounter('waited')], { lanes: 4 });
    running.push(runner);
    await runner.start();
    const head = await appendInterleaved('waited', 8, 1);
    expect(await runner.waitFor(head, 15_000)).toBe(true);
    expect(await runner.checkpoint('waited')).toEqual(await store.positionOf(head));
    await runner.stop();

    // One lane falls behind (its process is slow, say): reads that wait for the head wait for it.
    const behind = await moveCheckpointBack('waited[2/4]', head - 3);
    expect(await runner.waitFor(head, 200)).toBe(false);
    expect(await runner.checkpoint('waited')).toEqual(behind);
    expect(await runner.waitFor(head - 3, 200)).toBe(true);
  });

  it('loses and repeats nothing when the process running the lanes dies in the middle of a batch: a standby takes them over', async () => {
    // The doomed process logs in as a role of its own, so that it can be cut off as a crash
    // would: its sessions end (their locks go, the open batch rolls back) and none comes back.
    const role = `minyi_lanes_doomed_${randomBytes(4).toString('hex')}`;
    // A password of its own: an embedded server asks for one, where a trusting one does not.
    const password = randomBytes(16).toString('hex');
    await pool.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    closing.push(async () => {
      await pool.query(`DROP OWNED BY ${role}`);
      await pool.query(`DROP ROLE ${role}`);
    });
    // The tables exist before the doomed runner's migrate: it needs only rights on them.
    const survivorProjection = new ApplicationCounter('crash', 'survivor');
    const survivor = new ProjectionRunner(pool, store, [survivorProjection], { lanes: 4, standbyRetryMs: 50 });
    await survivor.migrate();
    await pool.query(`GRANT ALL ON SCHEMA public TO ${role}; GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${role}`);

    const url = new URL(db.url);
    url.username = role;
    url.password = password;
    const doomedPool = new pg.Pool({ connectionString: url.toString(), max: 10, application_name: role });
    // Dead, it hears nothing more: what its connections report as they are cut is no one's business.
    doomedPool.on('error', () => undefined);
    doomedPool.on('connect', (client) => client.on('error', () => undefined));
    const doomedStore = new PostgresEventStore({ pool: doomedPool, pollIntervalMs: 50, onBackgroundError: () => undefined });
    const doomed = new ProjectionRunner(doomedPool, doomedStore, [new ApplicationCounter('crash', 'doomed', 30)], { lanes: 4, standbyRetryMs: 50, batchSize: 4, onError: () => undefined });
    closing.push(async () => {
      await doomed.stop().catch(() => undefined);
      await doomedStore.close().catch(() => undefined);
      await doomedPool.end().catch(() => undefined);
    });

    const head = await appendInterleaved('crash', 16, 10);
    await doomed.start();
    await survivor.start(); // takes the lanes the doomed one hands over, beyond its share of two
    running.push(survivor);
    const appliedBy = async (runner: string) => (await applications('crash')).filter((row) => row.runner === runner).length;
    await eventually(async () => ((await appliedBy('doomed')) >= 20 ? true : undefined));

    await pool.query(`ALTER ROLE ${role} NOLOGIN`);
    const { rows: cut } = await pool.query<{ ended: boolean }>('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE usename = $1', [role]);
    expect(cut.length).toBeGreaterThan(0);

    expect(await survivor.waitFor(head, 30_000)).toBe(true);
    const rows = await applications('crash');
    expect(rows).toHaveLength(160);
    expect(rows.filter((row) => row.times !== 1)).toEqual([]);
    expect(await appliedBy('doomed')).toBeGreaterThanOrEqual(20);
    expect(await appliedBy('survivor')).toBeGreaterThan(0);
  });

  it('gives a lane up when its lock connection is cut, and the lane is taken over without repeating an event', async () => {
    const cutOff = `minyi_lanes_cut_${randomBytes(4).toString('hex')}`;
    const cutPool = new pg.Pool({ connectionString: db.url, max: 10, application_name: cutOff });
    cutPool.on('error', () => undefined); // an idle connection cut with the others
    const cutStore = new PostgresEventStore({ pool: cutPool, pollIntervalMs: 50, onBackgroundError: () => undefined });
    closing.push(async () => {
      await cutStore.close();
      await cutPool.end();
    });
    const reported: string[] = [];
    const first = new ProjectionRunner(cutPool, cutStore, [new ApplicationCounter('cut', 'first')], { lanes: 2, standbyRetryMs: 50, onError: (key) => reported.push(key) });
    const second = new ProjectionRunner(pool, store, [new ApplicationCounter('cut', 'second')], { lanes: 2, standbyRetryMs: 50 });
    running.push(first, second);
    await first.join();
    await second.join();
    await first.start();
    await second.start();
    const before = await appendInterleaved('cut', 6, 1);
    expect(await second.waitFor(before, 15_000)).toBe(true);

    // Between batches, only the lock connections are open: cutting them ends the first's lease.
    await pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [cutOff]);
    // It held one lane of the two, its share.
    await eventually(async () => (reported.some((key) => key.startsWith('cut[')) ? true : undefined));
    let head = 0;
    for (let s = 0; s < 6; s++) head = (await store.appendToStream(`cut-${s}`, [countedEvent(1)], { expectedRevision: 0 })).globalPosition;
    expect(await second.waitFor(head, 15_000)).toBe(true);
    const rows = await applications('cut');
    expect(rows).toHaveLength(12);
    expect(rows.filter((row) => row.times !== 1)).toEqual([]);
  });

  it('resumes a reactor in another number of lanes from the oldest checkpoint of the old lanes, skipping nothing', async () => {
    const two = new ProjectionRunner(pool, store, [new ApplicationCounter('relaned')], { lanes: 2 });
    running.push(two);
    await two.start();
    const head = await appendInterleaved('relaned', 10, 2);
    expect(await two.waitFor(head, 15_000)).toBe(true);
    await two.stop();
    // Lane 0 had fallen behind when the processes stopped: its last five events are not applied.
    await moveCheckpointBack('relaned[0/2]', head - 5);
    await pool.query("DELETE FROM applications WHERE projection = 'relaned' AND event_id IN (SELECT event_id FROM events WHERE global_position > $1 AND global_position <= $2 AND stream_id = ANY($3::text[]))", [
      head - 5,
      head,
      Array.from({ length: 10 }, (_, s) => `relaned-${s}`).filter((stream) => laneOf(stream, 2) === 0),
    ]);

    // While a process still runs an old lane, the change is refused.
    const holder = await pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [lockKey('relaned[1/2]')]);
      await expect(new ProjectionRunner(pool, store, [new ApplicationCounter('relaned')], { lanes: 3 }).migrate()).rejects.toThrow(ProjectionLanesInUseError);
      await holder.query('SELECT pg_advisory_unlock($1)', [lockKey('relaned[1/2]')]);
    } finally {
      holder.release();
    }
    expect(await checkpointKeys('relaned')).toEqual(['relaned[0/2]', 'relaned[1/2]']);

    const three = new ProjectionRunner(pool, store, [new ApplicationCounter('relaned')], { lanes: 3 });
    running.push(three);
    await three.start();
    expect(await checkpointKeys('relaned')).toEqual(['relaned[0/3]', 'relaned[1/3]', 'relaned[2/3]']);
    expect(await three.waitFor(head, 15_000)).toBe(true);
    const rows = await applications('relaned');
    // Every event applied; only the last five (those past the oldest checkpoint) once more, at most.
    expect(rows).toHaveLength(20);
    const { rows: late } = await pool.query<{ id: string }>('SELECT event_id AS id FROM events WHERE global_position > $1 AND stream_id LIKE $2', [head - 5, 'relaned-%']);
    const again = (await pool.query<{ event_id: string }>("SELECT event_id FROM applications WHERE projection = 'relaned' AND times > 1")).rows.map((row) => row.event_id);
    expect(again.every((id) => late.some((row) => row.id === id))).toBe(true);
    expect(rows.every((row) => row.times <= 2)).toBe(true);
  });
});
