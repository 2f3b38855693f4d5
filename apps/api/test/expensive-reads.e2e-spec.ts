import { beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { createPool, DatabaseUnavailableError, DEFAULT_ACQUIRE_TIMEOUT_MS, lockKey } from '#database';
import { newEventId, type NewEvent } from '#event-store';
import { ConfigError, loadConfig } from '#platform';
import type { Response } from 'supertest';
import { WHOLE_STORE_WALK_LOCK } from '../src/audit/one-at-a-time.js';
import { Api, expectError, type Filed } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

/**
 * Expensive reads (API.md, "Expensive reads"): whole-store verification and anchors run one at a
 * time per installation, and a request that cannot get a database connection in time answers
 * 503 instead of hanging. Both with the real PostgreSQL: nothing here is mocked.
 */
describe('expensive reads', () => {
  let t: TestApp;
  let api: Api;
  let filed: Filed;

  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  beforeAll(async () => {
    filed = await api.file({ title: '整库校验' });
    // A store that takes a whole-store walk a moment: 20 streams of 500 events.
    const metadata = { actorId: 'bulk', actorRole: 'coordinator', unitId: 'hd-dg-1', at: t.now().toISOString(), correlationId: randomUUID(), causationId: null };
    for (let stream = 0; stream < 20; stream++) {
      const events: NewEvent[] = Array.from({ length: 500 }, (_, i) => ({ id: newEventId(), type: 'BulkRecorded', schemaVersion: 1, data: { stream, i }, metadata }));
      await t.engine.store.appendToStream(`bulk-${randomUUID()}`, events, { expectedRevision: 'no_stream' });
    }
    await t.settle();
  });

  const verify = async () => api.get('auditor', '/api/v1/audit/verify');
  const expectBusy = (response: Response) => {
    expectError(response, 429, 'busy');
    expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(response.body.message).toMatch(/already running.*one runs at a time/);
  };

  describe('whole-store verification and anchors: one at a time per installation', () => {
    /** Whether some session holds the walk's advisory lock (a bigint key: pg_locks shows its high and low halves). */
    async function walkLockHeld(): Promise<boolean> {
      const key = BigInt.asUintN(64, BigInt(lockKey(WHOLE_STORE_WALK_LOCK)));
      const { rows } = await t.engine.pool.query<{ held: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
                           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                           AND classid::bigint = $1 AND objid::bigint = $2) AS held`,
        [(key >> 32n).toString(), (key & 0xffffffffn).toString()],
      );
      return rows[0]!.held;
    }

    it('answers one of 30 concurrent verifications and refuses the other 29 with 429 busy and Retry-After, /health staying 200', async () => {
      await api.get('auditor', '/api/v1/me'); // the token, before the walks start
      // The first walk to take the lock waits inside its run until the test lets it go on, so
      // the others surely find it running (no table lock: that would hold back every reader of
      // the cluster's log). The walk itself is the store's, on the real database.
      const { store } = t.engine;
      const walk = store.verifyAll.bind(store);
      let walking!: () => void;
      const inside = new Promise<void>((resolve) => (walking = resolve));
      let goOn!: () => void;
      const gate = new Promise<void>((resolve) => (goOn = resolve));
      store.verifyAll = async (options) => {
        walking();
        await gate;
        return walk(options);
      };
      try {
        const first = verify();
        await inside;
        expect(await walkLockHeld()).toBe(true);

        const others = await Promise.all(Array.from({ length: 29 }, () => verify()));
        for (const response of others) expectBusy(response);
        expectBusy(await api.get('auditor', '/api/v1/audit/anchor'));
        for (let i = 0; i < 3; i++) expect((await t.http().get('/health')).status).toBe(200);

        goOn();
        const answered = await first;
        expect(answered.status).toBe(200);
        expect(answered.body).toMatchObject({ ok: true, broken: [] });
        expect(answered.body.events).toBeGreaterThanOrEqual(10_000);
      } finally {
        goOn();
        store.verifyAll = walk;
      }
      // The lock went with the run: the next walk runs.
      expect(await walkLockHeld()).toBe(false);
      expect((await verify()).status).toBe(200);
      expect((await api.get('auditor', '/api/v1/audit/anchor')).status).toBe(200);
    });

    it('holds every API process to it: a walk running elsewhere on the database refuses this one', async () => {
      const elsewhere = new pg.Client({ connectionString: t.db.url });
      await elsewhere.connect();
      try {
        await elsewhere.query('SELECT pg_advisory_lock($1)', [lockKey(WHOLE_STORE_WALK_LOCK)]);
        const answers = await Promise.all([verify(), api.get('admin', '/api/v1/audit/anchor')]);
        for (const response of answers) expectBusy(response);
        expect((await t.http().get('/health')).status).toBe(200);
      } finally {
        await elsewhere.end();
      }
      expect((await verify()).status).toBe(200);
    });

    it('lets 30 verifications fired at once through one at a time: each answers 200 or 429 busy, at least one 200', async () => {
      const answers = await Promise.all([...Array.from({ length: 30 }, () => verify()), t.http().get('/health')]);
      const health = answers.pop()!;
      expect(health.status).toBe(200);
      expect(answers.filter((response) => response.status === 200).length).toBeGreaterThanOrEqual(1);
      for (const response of answers.filter((response) => response.status !== 200)) expectBusy(response);
    });
  });

  describe('a request that cannot get a database connection in time', () => {
    it('reads DATABASE_ACQUIRE_TIMEOUT_MS (default 5000) and gives it to the pool', async () => {
      const env = { DATABASE_URL: t.db.url };
      expect(loadConfig(env).databaseAcquireTimeoutMs).toBe(DEFAULT_ACQUIRE_TIMEOUT_MS);
      expect(DEFAULT_ACQUIRE_TIMEOUT_MS).toBe(5000);
      expect(loadConfig({ ...env, DATABASE_ACQUIRE_TIMEOUT_MS: ' 250 ' }).databaseAcquireTimeoutMs).toBe(250);
      for (const bad of ['0', '-1', '1.5', '5s', '60001']) {
        expect(() => loadConfig({ ...env, DATABASE_ACQUIRE_TIMEOUT_MS: bad })).toThrow(ConfigError);
        expect(() => loadConfig({ ...env, DATABASE_ACQUIRE_TIMEOUT_MS: bad })).toThrow(/DATABASE_ACQUIRE_TIMEOUT_MS/);
      }
      const pool = createPool(t.db.url, { acquireTimeoutMs: 250 });
      expect(pool.options.connectionTimeoutMillis).toBe(250);
      await pool.end();
    });

    it('answers 503 unavailable with Retry-After while the pool is exhausted, and serves again once connections are free', async () => {
      const { pool } = t.engine;
      // The app's pool as DATABASE_ACQUIRE_TIMEOUT_MS=300 makes it: the test waits 0.3 s, not 5.
      const configured = pool.options.connectionTimeoutMillis;
      pool.options.connectionTimeoutMillis = 300;
      await api.get('auditor', '/api/v1/me'); // the token, before the pool is exhausted
      const held: pg.PoolClient[] = [];
      let hoarding = true;
      let hoarders: Promise<void>[] = [];
      try {
        // Every connection the pool may open, held by the test: the next checkout times out.
        for (;;) {
          const next = await pool.connect().catch((error: unknown) => error);
          if (next instanceof Error) {
            expect(next).toBeInstanceOf(DatabaseUnavailableError);
            break;
          }
          held.push(next as pg.PoolClient);
        }
        expect(held.length).toBeGreaterThan(0);
        expect(pool.totalCount).toBe(pool.options.max);
        // The engine's own parts keep using the pool and give connections back now and then. The
        // test queues for them first, with no timeout (a checkout reads the timeout when it
        // starts), so that no connection given back reaches a request while the test runs.
        pool.options.connectionTimeoutMillis = 0;
        hoarders = Array.from({ length: pool.options.max }, () =>
          pool.connect().then((client) => {
            if (hoarding) held.push(client);
            else client.release();
          }),
        );
        pool.options.connectionTimeoutMillis = 300;

        for (const path of [`/api/v1/cases/${filed.id}`, `/api/v1/cases/${filed.id}/history`, '/api/v1/cases']) {
          const response = await api.get('auditor', path);
          expectError(response, 503, 'unavailable');
          expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
          expect(response.body.message).toMatch(/no connection could be had within 0\.3 s/);
        }
      } finally {
        hoarding = false;
        for (const client of held.splice(0)) client.release();
        await Promise.all(hoarders);
        pool.options.connectionTimeoutMillis = configured;
      }
      const after = await api.get('auditor', `/api/v1/cases/${filed.id}`);
      expect(after.status).toBe(200);
      expect(after.body).toMatchObject({ id: filed.id });
    });
  });
});
