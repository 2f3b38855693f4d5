import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { inTransaction } from './transaction.js';

/** Statements on the pool's clients fail after this long (pg's query_timeout). */
const QUERY_TIMEOUT_MS = 500;

describe('inTransaction', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  /** Every release the pool saw: the error it was given, or null. */
  let releases: (Error | null)[] = [];
  let removed = 0;

  beforeAll(async () => {
    db = await createTestDatabase('minyi_tx');
    pool = new pg.Pool({ connectionString: db.url, max: 2, query_timeout: QUERY_TIMEOUT_MS });
    pool.on('error', () => undefined);
    pool.on('release', (error: Error | undefined) => releases.push(error ?? null));
    pool.on('remove', () => removed++);
    await pool.query('CREATE TABLE notes (id serial PRIMARY KEY, text text NOT NULL)');
  });

  beforeEach(async () => {
    await pool.query('DELETE FROM notes'); // not TRUNCATE: a destroyed connection's backend may still hold its transaction open a while
    releases = [];
    removed = 0;
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const notes = async () => (await pool.query<{ text: string }>('SELECT text FROM notes ORDER BY id')).rows.map((row) => row.text);
  const backendPid = async (client: pg.PoolClient) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

  /**
   * Work that leaves a slow statement running on its connection and throws. The pool's clients
   * give up on a statement after QUERY_TIMEOUT_MS, so the ROLLBACK queued behind it fails while
   * the connection itself stays up: only the helper can know it is unfit to be handed out again.
   */
  const workThatLeavesTheConnectionBusy = (pids: number[]) => async (client: pg.PoolClient) => {
    await client.query("INSERT INTO notes (text) VALUES ('lost')");
    pids.push(await backendPid(client));
    void client.query(`SELECT pg_sleep(${(4 * QUERY_TIMEOUT_MS) / 1000})`).catch(() => undefined);
    throw new Error('work failed');
  };

  describe('with a pool', () => {
    it('commits what the work wrote and returns its result, then releases the connection', async () => {
      const result = await inTransaction(pool, async (client) => {
        await client.query("INSERT INTO notes (text) VALUES ('kept')");
        return 42;
      });
      expect(result).toBe(42);
      expect(await notes()).toEqual(['kept']);
      expect(releases).toEqual([null, null]); // the transaction's, then notes()'s
      expect(pool.idleCount).toBe(pool.totalCount);
    });

    it('rolls back when the work throws, rethrows its error, and hands the healthy connection out again', async () => {
      let pid = 0;
      await expect(
        inTransaction(pool, async (client) => {
          pid = await backendPid(client);
          await client.query("INSERT INTO notes (text) VALUES ('undone')");
          throw new Error('work failed');
        }),
      ).rejects.toThrow('work failed');
      expect(await notes()).toEqual([]);
      expect(releases[0]).toBeNull();
      const again = await pool.connect();
      try {
        expect(await backendPid(again)).toBe(pid);
      } finally {
        again.release();
      }
    });

    it('opens the transaction with the given BEGIN', async () => {
      const isolation = await inTransaction(
        pool,
        async (client) => (await client.query<{ level: string }>("SELECT current_setting('transaction_isolation') AS level")).rows[0]!.level,
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      );
      expect(isolation).toBe('repeatable read');
    });

    it('destroys a connection whose ROLLBACK failed: released with the error, never handed out again', async () => {
      const pids: number[] = [];
      await expect(inTransaction(pool, workThatLeavesTheConnectionBusy(pids))).rejects.toThrow('work failed');
      expect(releases[0]).toBeInstanceOf(Error);
      await eventually(async () => (removed === 1 ? true : undefined), 5_000); // the pool ends the connection, then reports it
      expect(await notes()).toEqual([]);
      const next = await pool.connect();
      try {
        expect(await backendPid(next)).not.toBe(pids[0]);
      } finally {
        next.release();
      }
    });
  });

  describe('with a client the caller holds', () => {
    it('commits and rolls back on that client, and leaves its release to the caller', async () => {
      const client = await pool.connect();
      try {
        await client.query("SET application_name = 'held'");
        await inTransaction(client, async (tx) => {
          expect(tx).toBe(client);
          await tx.query("INSERT INTO notes (text) VALUES ('kept')");
        });
        await expect(
          inTransaction(client, async (tx) => {
            await tx.query("INSERT INTO notes (text) VALUES ('undone')");
            throw new Error('work failed');
          }),
        ).rejects.toThrow('work failed');
        expect(releases).toEqual([]);
        // Still the caller's session, and out of any transaction.
        expect((await client.query<{ name: string }>("SELECT current_setting('application_name') AS name")).rows[0]!.name).toBe('held');
        expect((await client.query<{ open: boolean }>('SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS open')).rows[0]!.open).toBe(false);
      } finally {
        client.release();
      }
      expect(await notes()).toEqual(['kept']);
    });

    it('destroys a held connection whose ROLLBACK failed: the pool drops it on the caller’s release', async () => {
      const pids: number[] = [];
      const client = await pool.connect();
      try {
        await expect(inTransaction(client, workThatLeavesTheConnectionBusy(pids))).rejects.toThrow('work failed');
        expect(releases).toEqual([]);
      } finally {
        client.release();
      }
      await eventually(async () => (removed === 1 ? true : undefined), 5_000);
      const next = await pool.connect();
      try {
        expect(await backendPid(next)).not.toBe(pids[0]);
      } finally {
        next.release();
      }
    });
  });
});
