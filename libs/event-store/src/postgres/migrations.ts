import type pg from 'pg';
import { runMigrations, type Migration } from '#database';

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
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events and stream heads',
    up: `
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

export const EVENT_STORE_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/**
 * Brings the event store's tables up to date, as the library `event-store` of the migration
 * runner. Idempotent, and safe when several processes start at once. (Databases migrated before
 * the runner also keep an `event_store_migrations` table, no longer read.)
 */
export async function migrateEventStore(pool: pg.Pool): Promise<{ applied: number[] }> {
  await checkServer(pool);
  return runMigrations(pool, 'event-store', MIGRATIONS);
}

async function checkServer(client: pg.Pool): Promise<void> {
  const { rows } = await client.query<{ version: string; encoding: string }>(
    "SELECT current_setting('server_version_num') AS version, current_setting('server_encoding') AS encoding",
  );
  const row = rows[0]!;
  // xid8, pg_current_xact_id() and pg_current_snapshot() arrived in PostgreSQL 13.
  if (Number(row.version) < 130000) throw new Error(`the event store needs PostgreSQL 13 or later (server is ${row.version})`);
  // Hashes are computed over UTF-8 text, partly inside the database.
  if (row.encoding !== 'UTF8') throw new Error(`the event store needs a UTF8 database (this one is ${row.encoding})`);
}
