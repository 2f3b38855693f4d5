import type pg from 'pg';
import { inTransaction } from '#database';

/**
 * The event store's schema, in numbered steps. A step is never edited once released: add a new one.
 *
 * events   the log. `global_position` is the single number clients see; `transaction_id` is
 *          the appending transaction's id, which readers compare with their snapshot's xmin so
 *          that an event whose transaction commits late is never passed by (see the adapter).
 * streams  one head row per stream: its last revision and hash. Appends move it with a
 *          conditional update (optimistic concurrency); it also lets verify notice a stream whose
 *          newest events were deleted.
 * Events are append-only: a statement-level trigger refuses UPDATE, DELETE and TRUNCATE.
 * (A superuser can still get past it, e.g. with session_replication_role = replica; the hash
 * chain is what exposes that.)
 */
const MIGRATIONS: readonly { readonly version: number; readonly name: string; readonly sql: string }[] = [
  {
    version: 1,
    name: 'events and stream heads',
    sql: `
      CREATE TABLE IF NOT EXISTS streams (
        stream_id  text PRIMARY KEY,
        revision   integer NOT NULL CHECK (revision >= 0),
        hash       text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      ) WITH (fillfactor = 70);

      CREATE TABLE IF NOT EXISTS events (
        global_position bigserial PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id        uuid NOT NULL,
        stream_id       text NOT NULL,
        revision        integer NOT NULL CHECK (revision >= 0),
        type            text NOT NULL,
        schema_version  integer NOT NULL,
        data            jsonb NOT NULL,
        metadata        jsonb NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        prev_hash       text,
        hash            text NOT NULL,
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
      );

      CREATE INDEX IF NOT EXISTS events_transaction_order_idx ON events (transaction_id, global_position);

      CREATE OR REPLACE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$;

      DROP TRIGGER IF EXISTS events_append_only ON events;
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
    `,
  },
];

/** Version table and advisory lock key, distinct from any other library's migrations. */
const VERSION_TABLE = 'event_store_migrations';
const LOCK_KEY = 0x6d696e79_69657331n; // "minyies1"

export const EVENT_STORE_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

type Queryable = Pick<pg.Pool, 'connect'>;

/**
 * Brings the event store's tables up to date. Idempotent, and safe when several processes start
 * at once: the whole run is one transaction that first takes a transaction-level advisory lock,
 * so the others wait and then find nothing left to do.
 */
export async function migrateEventStore(pool: Queryable): Promise<{ applied: number[] }> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [LOCK_KEY.toString()]);
    await checkServer(client);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const done = new Set((await client.query<{ version: number }>(`SELECT version FROM ${VERSION_TABLE}`)).rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${VERSION_TABLE} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return { applied };
  });
}

async function checkServer(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ version: string; encoding: string }>(
    "SELECT current_setting('server_version_num') AS version, current_setting('server_encoding') AS encoding",
  );
  const row = rows[0]!;
  // xid8, pg_current_xact_id() and pg_current_snapshot() arrived in PostgreSQL 13.
  if (Number(row.version) < 130000) throw new Error(`the event store needs PostgreSQL 13 or later (server is ${row.version})`);
  // Hashes are computed over UTF-8 text, partly inside the database.
  if (row.encoding !== 'UTF8') throw new Error(`the event store needs a UTF8 database (this one is ${row.encoding})`);
}
