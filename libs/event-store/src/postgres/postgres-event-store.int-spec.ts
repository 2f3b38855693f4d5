import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import {
  Collector,
  describeEventStoreContract,
  endOfLog,
  metadata,
  newEvent,
  newStreamId,
} from '../contract/event-store.contract.js';
import { comparePositions, EventIdConflictError, WrongExpectedRevisionError, type LogPosition, type RecordedEvent } from '../event-store.port.js';
import { eventHash, verifyStream } from '../hashing.js';
import { migrateEventStore } from './migrations.js';
import { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store.js';

const LONG = 60_000;

/**
 * Subscriptions here poll only every 30 s, so a test that sees an event sooner has proved the
 * wake-up path (this process's own appends, or NOTIFY from another store) rather than the poll.
 */
const SLOW_POLL_MS = 30_000;

describe('PostgresEventStore', () => {
  let db: TestDatabase;
  const pools: pg.Pool[] = [];
  const clients: pg.Client[] = [];

  const newPool = (max = 30) => {
    const pool = new pg.Pool({ connectionString: db.url, max });
    pool.on('error', () => undefined);
    pools.push(pool);
    return pool;
  };
  const newClient = async () => {
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
    return client;
  };
  const newStore = (options: Partial<PostgresEventStoreOptions> = {}) =>
    new PostgresEventStore({ pool: newPool(), pollIntervalMs: SLOW_POLL_MS, ...options });

  beforeAll(async () => {
    db = await createTestDatabase('minyi_event_store');
    await migrateEventStore(newPool(2));
  }, LONG);

  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined);
    for (const pool of pools) await pool.end().catch(() => undefined);
    await db?.drop();
  }, LONG);

  describeEventStoreContract('PostgreSQL', async () => {
    const store = newStore();
    const otherStore = newStore();
    return {
      store,
      otherStore,
      close: async () => {
        await store.close();
        await otherStore.close();
      },
    };
  });

  describe('global order with transactions that commit late', () => {
    /** A valid first event of a stream, written by hand inside the client's open transaction. */
    async function insertFirstEvent(client: pg.Client, type: string): Promise<{ id: string; streamId: string }> {
      const streamId = newStreamId('held');
      const event = newEvent(type, { note: '事务尚未提交' });
      const hash = eventHash({ ...event, streamId, revision: 0, prevHash: null });
      await client.query('INSERT INTO streams (stream_id, revision, hash) VALUES ($1, 0, $2)', [streamId, hash]);
      await client.query(
        `INSERT INTO events (event_id, stream_id, revision, type, schema_version, data, metadata, prev_hash, hash)
         VALUES ($1, $2, 0, $3, 1, $4, $5, NULL, $6)`,
        [event.id, streamId, type, JSON.stringify(event.data), JSON.stringify(event.metadata), hash],
      );
      return { id: event.id, streamId };
    }

    /** Resolves at the first subscription read after arm() that matches. */
    function readWatcher() {
      let armed: ((read: { events: number; heldBack: boolean }) => boolean) | null = null;
      let resolve: () => void = () => undefined;
      return {
        onSubscriptionRead: (read: { readonly events: number; readonly heldBack: boolean }) => {
          if (armed?.(read)) {
            armed = null;
            resolve();
          }
        },
        arm: (match: (read: { events: number; heldBack: boolean }) => boolean) =>
          new Promise<void>((r) => {
            resolve = r;
            armed = match;
          }),
      };
    }

    it(
      'holds later events back while an older transaction is open, then delivers all in position order, none skipped',
      async () => {
        const watcher = readWatcher();
        const store = newStore({ onSubscriptionRead: watcher.onSubscriptionRead });
        try {
          const checkpoint = await endOfLog(store);
          const held = await newClient();
          await held.query('BEGIN');
          const { rows } = await held.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
          const heldEvent = await insertFirstEvent(held, 'HeldBack');

          const collector = new Collector();
          const subscription = store.subscribeToAll(collector.handler, { after: checkpoint });
          try {
            const sawHeldBack = watcher.arm((read) => read.heldBack && read.events === 0);
            const a = await store.appendToStream(newStreamId(), [newEvent('Later1')], { expectedRevision: 'no_stream' });
            const b = await store.appendToStream(newStreamId(), [newEvent('Later2'), newEvent('Later3')], { expectedRevision: 'no_stream' });
            const later = [...a.events, ...b.events];
            for (const event of later) expect(event.position.commit).toBeGreaterThan(BigInt(rows[0]!.xid));

            // The appends woke the subscription; it looked, and passed nothing.
            await sawHeldBack;
            expect(collector.events).toEqual([]);
            expect(await store.readAll({ after: checkpoint, maxCount: 100 })).toEqual([]);

            await held.query('COMMIT');
            await collector.until(4);
            expect(collector.events.map((e) => e.type)).toEqual(['HeldBack', 'Later1', 'Later2', 'Later3']);
            expect(collector.ids()).toEqual([heldEvent.id, ...later.map((e) => e.id)]);
            expect(collector.events.slice(1)).toEqual(later);
            expect(collector.events[0]!.position.commit).toBe(BigInt(rows[0]!.xid));
            for (let i = 1; i < 4; i++) expect(comparePositions(collector.events[i - 1]!.position, collector.events[i]!.position)).toBeLessThan(0);
            expect(await store.readAll({ after: checkpoint, maxCount: 100 })).toEqual(collector.events);
            expect(verifyStream(await store.readStream(heldEvent.streamId), await store.streamHead(heldEvent.streamId)).ok).toBe(true);
          } finally {
            await subscription.stop();
          }
        } finally {
          await store.close();
        }
      },
      LONG,
    );

    it(
      'holds later events back behind an append that is blocked inside its own statement',
      async () => {
        const watcher = readWatcher();
        const store = newStore({ onSubscriptionRead: watcher.onSubscriptionRead });
        try {
          const slowStream = newStreamId('slow');
          await store.appendToStream(slowStream, [newEvent('CaseFiled')], { expectedRevision: 'no_stream' });
          const checkpoint = await endOfLog(store);
          const collector = new Collector();
          const subscription = store.subscribeToAll(collector.handler, { after: checkpoint });
          const locker = await newClient();
          try {
            // Lock the head row: the next append to slowStream starts its transaction, then waits.
            await locker.query('BEGIN');
            await locker.query('SELECT 1 FROM streams WHERE stream_id = $1 FOR UPDATE', [slowStream]);
            const slowEvent = newEvent('SlowAppend');
            const slow = store.appendToStream(slowStream, [slowEvent], { expectedRevision: 0 });
            await waitForLockWaiter(locker);

            const sawHeldBack = watcher.arm((read) => read.heldBack && read.events === 0);
            const later = await store.appendToStream(newStreamId(), [newEvent('AfterSlow')], { expectedRevision: 'no_stream' });
            await sawHeldBack;
            expect(collector.events).toEqual([]);

            await locker.query('COMMIT');
            const slowResult = await slow;
            await collector.until(2);
            expect(collector.events.map((e) => e.type)).toEqual(['SlowAppend', 'AfterSlow']);
            expect(collector.events).toEqual([...slowResult.events, ...later.events]);
          } finally {
            await locker.query('ROLLBACK').catch(() => undefined);
            await subscription.stop();
          }
        } finally {
          await store.close();
        }
      },
      LONG,
    );

    /** Polls until some other backend waits for a lock that `holder` holds (the condition cannot be awaited otherwise). */
    async function waitForLockWaiter(holder: pg.Client): Promise<void> {
      const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const deadline = Date.now() + 20_000;
      for (;;) {
        const waiting = await holder.query('SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [rows[0]!.pid]);
        if (waiting.rowCount) return;
        if (Date.now() > deadline) throw new Error('the append never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  });

  describe('atomic appends', () => {
    let store: PostgresEventStore;
    let admin: pg.Client;

    beforeAll(async () => {
      store = newStore();
      admin = await newClient();
      // A constraint only these tests trip: the second event of an append violates it mid-statement.
      await admin.query("ALTER TABLE events ADD CONSTRAINT test_no_poison CHECK (type <> 'Poison')");
    });

    afterAll(async () => {
      await admin.query('ALTER TABLE events DROP CONSTRAINT IF EXISTS test_no_poison');
      await store.close();
    });

    it.each([
      ['an exact revision', 1 as const],
      ['any', 'any' as const],
      ['stream_exists', 'stream_exists' as const],
    ])('a failing multi-event append at %s leaves no event and no head change', async (_, expectedRevision) => {
      const streamId = newStreamId();
      await store.appendToStream(streamId, [newEvent('CaseFiled'), newEvent()], { expectedRevision: 'no_stream' });
      const headBefore = await store.streamHead(streamId);
      const checkpoint = await endOfLog(store);
      const good = newEvent('NoteAdded');
      const error = await store.appendToStream(streamId, [good, newEvent('Poison')], { expectedRevision }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: '23514', constraint: 'test_no_poison' });

      expect(await store.streamHead(streamId)).toEqual(headBefore);
      expect(await store.readStream(streamId)).toHaveLength(2);
      expect((await admin.query('SELECT 1 FROM events WHERE event_id = $1', [good.id])).rowCount).toBe(0);
      expect(await store.readAll({ after: checkpoint, maxCount: 10 })).toEqual([]);

      // The stream goes on from where it stood: no gap, the chain intact.
      await store.appendToStream(streamId, [good], { expectedRevision: 1 });
      const events = await store.readStream(streamId);
      expect(events.map((e) => e.revision)).toEqual([0, 1, 2]);
      expect(verifyStream(events, await store.streamHead(streamId)).ok).toBe(true);
    });

    it.each([['no_stream' as const], ['any' as const]])('a failing first append (%s) creates no stream', async (expectedRevision) => {
      const streamId = newStreamId();
      const error = await store.appendToStream(streamId, [newEvent('CaseFiled'), newEvent('Poison')], { expectedRevision }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: '23514' });
      expect(await store.streamHead(streamId)).toBeNull();
      expect(await store.readStream(streamId)).toEqual([]);
    });

    it('the unique (stream, revision) key backs the head row up: a row written past the head makes the append conflict', async () => {
      const streamId = newStreamId();
      const first = await store.appendToStream(streamId, [newEvent('CaseFiled')], { expectedRevision: 'no_stream' });
      const rogue = newEvent('Rogue');
      await admin.query(
        `INSERT INTO events (event_id, stream_id, revision, type, schema_version, data, metadata, prev_hash, hash)
         VALUES ($1, $2, 1, 'Rogue', 1, '{}', '{}', $3, 'x')`,
        [rogue.id, streamId, first.events[0]!.hash],
      );
      const error = await store.appendToStream(streamId, [newEvent()], { expectedRevision: 0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store.streamHead(streamId)).toEqual({ revision: 0, hash: first.events[0]!.hash });
    });

    it('refuses to update or delete events', async () => {
      await expect(admin.query("UPDATE events SET type = 'Changed' WHERE false")).rejects.toThrow(/append-only/);
      await expect(admin.query('DELETE FROM events WHERE false')).rejects.toThrow(/append-only/);
      await expect(admin.query('TRUNCATE events')).rejects.toThrow(/append-only/);
    });
  });

  describe('idempotency beyond the contract', () => {
    it('recognises a repeat whatever the expected revision, and names an overlap EventIdConflictError', async () => {
      const store = newStore();
      try {
        const streamId = newStreamId();
        const [a, b, c] = [newEvent(), newEvent(), newEvent()];
        const original = await store.appendToStream(streamId, [a, b, c], { expectedRevision: 'no_stream' });
        const checkpoint = await endOfLog(store);
        for (const expectedRevision of [0, 1, 2, 7, 'any', 'stream_exists', 'no_stream'] as const) {
          expect(await store.appendToStream(streamId, [a, b, c], { expectedRevision })).toEqual(original);
        }
        expect((await store.appendToStream(streamId, [b, c], { expectedRevision: 2 })).events).toEqual(original.events.slice(1));

        for (const [events, expectedRevision] of [
          [[c, newEvent()], 2],
          [[newEvent(), a], 'any'],
          [[b, a], 0],
        ] as const) {
          const error = await store.appendToStream(streamId, [...events], { expectedRevision }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(EventIdConflictError);
          expect(error).toMatchObject({ code: 'event_id_conflict', streamId });
        }
        const elsewhere = await store.appendToStream(newStreamId(), [a], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
        expect(elsewhere).toBeInstanceOf(EventIdConflictError);
        expect((elsewhere as EventIdConflictError).eventIds).toEqual([a.id]);
        expect(await store.readAll({ after: checkpoint, maxCount: 10 })).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });

  describe('text in the database', () => {
    it('stores Chinese text and emoji as UTF-8, byte for byte, and the database-computed hash matches verify', async () => {
      const store = newStore();
      try {
        const title = '调解成功 🎉 民意 𠀋';
        const streamId = newStreamId();
        await store.appendToStream(streamId, [newEvent('CaseFiled', { title })], { expectedRevision: 'no_stream' });
        // The second event's hash is chained inside the database (see APPEND_ONE_AT_REVISION).
        await store.appendToStream(streamId, [{ ...newEvent('NoteAdded', { title }), metadata: metadata({ actorId: '王五' }) }], { expectedRevision: 0 });
        await store.appendToStream(streamId, [newEvent('NoteAdded', { title }), newEvent('NoteAdded', { title: '🎉' })], { expectedRevision: 1 });
        const admin = await newClient();
        const { rows } = await admin.query<{ bytes: Buffer }>(
          "SELECT convert_to(data->>'title', 'UTF8') AS bytes FROM events WHERE stream_id = $1 ORDER BY revision LIMIT 1",
          [streamId],
        );
        expect(rows[0]!.bytes.equals(Buffer.from(title, 'utf8'))).toBe(true);
        expect(verifyStream(await store.readStream(streamId), await store.streamHead(streamId))).toMatchObject({ ok: true, events: 4 });
      } finally {
        await store.close();
      }
    });
  });

  describe('verifyStream on tampered rows', () => {
    let store: PostgresEventStore;
    let tamper: pg.Client;

    beforeAll(async () => {
      store = newStore();
      tamper = await newClient();
      // What a privileged intruder can do: switch off triggers (the append-only guard) for the session.
      await tamper.query('SET session_replication_role = replica');
    });

    afterAll(async () => {
      await store.close();
    });

    async function stream(length: number): Promise<{ streamId: string; events: RecordedEvent[] }> {
      const streamId = newStreamId();
      await store.appendToStream(streamId, [newEvent('CaseFiled', { title: '停车位纠纷' })], { expectedRevision: 'no_stream' });
      for (let revision = 1; revision < length; revision++) {
        await store.appendToStream(streamId, [newEvent('NoteAdded', { n: revision })], { expectedRevision: revision - 1 });
      }
      const events = await store.readStream(streamId);
      expect(verifyStream(events, await store.streamHead(streamId)).ok).toBe(true);
      return { streamId, events };
    }

    const check = async (streamId: string) => verifyStream(await store.readStream(streamId), await store.streamHead(streamId));

    it('detects an edited event', async () => {
      const { streamId } = await stream(5);
      await tamper.query(`UPDATE events SET data = jsonb_set(data, '{n}', '99') WHERE stream_id = $1 AND revision = 2`, [streamId]);
      expect(await check(streamId)).toMatchObject({ ok: false, firstBrokenRevision: 2 });
    });

    it('detects edited metadata, and an edit whose hash was recomputed (the next link breaks)', async () => {
      const { streamId, events } = await stream(4);
      await tamper.query(`UPDATE events SET metadata = jsonb_set(metadata, '{actorId}', '"someone.else"') WHERE stream_id = $1 AND revision = 3`, [
        streamId,
      ]);
      expect(await check(streamId)).toMatchObject({ ok: false, firstBrokenRevision: 3 });

      const { streamId: other, events: originals } = await stream(4);
      const forged = { ...originals[1]!, data: { n: 100 } };
      await tamper.query('UPDATE events SET data = $3, hash = $4 WHERE stream_id = $1 AND revision = $2', [
        other,
        1,
        JSON.stringify(forged.data),
        eventHash(forged),
      ]);
      expect(await check(other)).toMatchObject({ ok: false, firstBrokenRevision: 2 });
      expect(events).toHaveLength(4);
    });

    it('detects a deleted event in the middle, and a deleted first event', async () => {
      const { streamId } = await stream(5);
      await tamper.query('DELETE FROM events WHERE stream_id = $1 AND revision = 2', [streamId]);
      expect(await check(streamId)).toMatchObject({ ok: false, firstBrokenRevision: 2 });

      const { streamId: other } = await stream(3);
      await tamper.query('DELETE FROM events WHERE stream_id = $1 AND revision = 0', [other]);
      expect(await check(other)).toMatchObject({ ok: false, firstBrokenRevision: 0 });
    });

    it('detects a truncated stream (its last event deleted) through the head row', async () => {
      const { streamId } = await stream(4);
      await tamper.query('DELETE FROM events WHERE stream_id = $1 AND revision = 3', [streamId]);
      expect(await check(streamId)).toMatchObject({ ok: false, firstBrokenRevision: 3 });
    });

    it('detects a truncation that also rewound the head row, if the head hash was not forged to match', async () => {
      const { streamId } = await stream(4);
      await tamper.query('DELETE FROM events WHERE stream_id = $1 AND revision = 3', [streamId]);
      await tamper.query('UPDATE streams SET revision = 2 WHERE stream_id = $1', [streamId]);
      expect(await check(streamId)).toMatchObject({ ok: false, firstBrokenRevision: 2 });
    });
  });

  describe('the LISTEN connection', () => {
    it(
      'comes back after being killed, and subscribers keep getting events from other processes promptly',
      async () => {
        const errors: unknown[] = [];
        const subscriber = newStore({ onBackgroundError: (error) => errors.push(error) });
        const writer = newStore();
        const admin = await newClient();
        try {
          const checkpoint = await endOfLog(subscriber);
          const collector = new Collector();
          const subscription = subscriber.subscribeToAll(collector.handler, { after: checkpoint });
          try {
            const streamId = newStreamId();
            await writer.appendToStream(streamId, [newEvent()], { expectedRevision: 'no_stream' });
            await collector.until(1, 10_000);

            const listenerPids = async () =>
              (
                await admin.query<{ pid: number }>(
                  "SELECT pid FROM pg_stat_activity WHERE application_name = 'minyi-event-store-listener' AND datname = current_database()",
                )
              ).rows.map((row) => row.pid);
            const before = await listenerPids();
            expect(before.length).toBeGreaterThanOrEqual(1);
            await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);

            for (let revision = 0; revision < 3; revision++) {
              await writer.appendToStream(streamId, [newEvent()], { expectedRevision: revision });
              await collector.until(2 + revision, 10_000);
            }
            expect(errors.length).toBeGreaterThanOrEqual(1);
            const after = await listenerPids();
            expect(after.some((pid) => !before.includes(pid))).toBe(true);
          } finally {
            await subscription.stop();
          }
        } finally {
          await subscriber.close();
          await writer.close();
        }
      },
      LONG,
    );
  });

  describe('migrations', () => {
    it(
      'run concurrently from several processes on a fresh database, and again, without harm',
      async () => {
        const fresh = await createTestDatabase('minyi_event_store_migrate');
        const migrationPools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: fresh.url, max: 2 }));
        try {
          const results = await Promise.all(migrationPools.map((pool) => migrateEventStore(pool)));
          expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
          expect(results.flatMap((r) => r.applied)).toEqual([1]);
          expect(await Promise.all(migrationPools.map((pool) => migrateEventStore(pool)))).toEqual(migrationPools.map(() => ({ applied: [] })));
          const { rows } = await migrationPools[0]!.query("SELECT version FROM schema_migrations WHERE library = 'event-store'");
          expect(rows).toEqual([{ version: 1 }]);

          const store = new PostgresEventStore({ pool: migrationPools[0]! });
          const result = await store.appendToStream(newStreamId(), [newEvent()], { expectedRevision: 'no_stream' });
          expect(result.nextExpectedRevision).toBe(0);
          await store.close();
        } finally {
          for (const pool of migrationPools) await pool.end();
          await fresh.drop();
        }
      },
      LONG,
    );
    it(
      'run on a database the start-up code migrated before the runner, keeping its events',
      async () => {
        const older = await createTestDatabase('minyi_event_store_older');
        const olderPool = new pg.Pool({ connectionString: older.url, max: 2 });
        try {
          // What the start-up code before the runner left: the tables and events, no record in schema_migrations.
          await migrateEventStore(olderPool);
          await olderPool.query('DROP TABLE schema_migrations');
          const store = new PostgresEventStore({ pool: olderPool });
          const streamId = newStreamId();
          await store.appendToStream(streamId, [newEvent()], { expectedRevision: 'no_stream' });

          expect(await migrateEventStore(olderPool)).toEqual({ applied: [1] });
          expect(await store.readStream(streamId)).toHaveLength(1);
          const result = await store.appendToStream(streamId, [newEvent()], { expectedRevision: 0 });
          expect(result.nextExpectedRevision).toBe(1);
          await store.close();
        } finally {
          await olderPool.end();
          await older.drop();
        }
      },
      LONG,
    );
  });

  describe('positions', () => {
    it('are (transaction id, global position) pairs: events of one append share the transaction id', async () => {
      const store = newStore();
      try {
        const result = await store.appendToStream(newStreamId(), [newEvent(), newEvent(), newEvent()], { expectedRevision: 'no_stream' });
        const commits = new Set(result.events.map((e) => e.position.commit));
        expect(commits.size).toBe(1);
        expect(result.events.map((e) => e.position.prepare)).toEqual(result.events.map((e) => BigInt(e.globalPosition)));
        const position: LogPosition | null = await store.positionOf(result.globalPosition);
        expect(position).toEqual(result.position);
      } finally {
        await store.close();
      }
    });
  });
});
