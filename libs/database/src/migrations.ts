import type { Pool, PoolClient } from 'pg';
import { lockKey } from './locks.js';
import { inTransaction, isClient } from './transaction.js';

/**
 * One numbered step of a library's schema. A released step is never edited: add the next one.
 * The first step of a library that existed before this runner must be idempotent (CREATE ...
 * IF NOT EXISTS), as it also runs on databases where the older start-up code made the tables.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL (several statements allowed), or work done in the step's transaction. */
  readonly up: string | ((client: PoolClient) => Promise<void>);
}

/** A pool to check a connection out of, or a connection the caller holds (outside any transaction). */
export type MigrationTarget = Pool | PoolClient;

/**
 * Applies the library's steps that `schema_migrations` does not list yet, in version order, each
 * in its own transaction together with its record: a failing step leaves neither its changes nor
 * its record, and stops the run. Several processes may start at once: the library's lock makes
 * the others wait, and they then find nothing left to do.
 */
export async function runMigrations(target: MigrationTarget, library: string, migrations: readonly Migration[]): Promise<{ applied: number[] }> {
  assertOrdered(library, migrations);
  return withMigrationLock(target, library, async (client) => {
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations WHERE library = $1', [library]);
    const done = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await inTransaction(client, async () => {
        if (typeof migration.up === 'string') await client.query(migration.up);
        else await migration.up(client);
        await client.query('INSERT INTO schema_migrations (library, version, name) VALUES ($1, $2, $3)', [library, migration.version, migration.name]);
      });
      applied.push(migration.version);
    }
    return { applied };
  });
}

/**
 * Runs `work` holding the library's migration lock: a session-level advisory lock keyed on the
 * library's name, so that one library's steps can span several transactions while another
 * library migrates beside it (a migration may even start another library's, on the same
 * connection: session locks are re-entrant). `work` gets the connection that holds the lock.
 */
export async function withMigrationLock<T>(target: MigrationTarget, library: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const held = isClient(target);
  const client = held ? target : await target.connect();
  const key = lockKey(`migrations:${library}`);
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      await createMigrationTable(client);
      return await work(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]).catch((error: Error) => (broken = error));
    }
  } finally {
    // A connection that may still hold the lock must not go back to the pool.
    if (!held) client.release(broken);
  }
}

/** The record of applied steps, made under a lock of its own: every library's first run creates it. */
async function createMigrationTable(client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ exists: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS exists");
  if (rows[0]?.exists) return;
  await inTransaction(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey('migrations')]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        library    text NOT NULL,
        version    integer NOT NULL,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (library, version)
      )`);
  });
}

function assertOrdered(library: string, migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    const previous = index === 0 ? 0 : migrations[index - 1]!.version;
    if (!Number.isInteger(migration.version) || migration.version <= previous) {
      throw new Error(`migrations of "${library}" must have increasing positive whole versions: ${migration.version} follows ${previous}`);
    }
  });
}
