/**
 * The adapter's SQL. Each parameterised statement runs as a named prepared statement, so a
 * pooled connection parses and plans it once.
 *
 * Appends are one statement each, hence one round trip and one implicit transaction: the head
 * row's conditional update (or insert) and the multi-row insert of the events commit together
 * or not at all.
 */

import type pg from 'pg';
import type { EventMetadata, RecordedEvent, StreamHead } from '../event-store.port.js';

/** Columns of a RecordedEvent, as eventFromRow reads them. */
export const EVENT_COLUMNS = `global_position, transaction_id, event_id, stream_id, revision, type,
  schema_version, data, metadata, prev_hash, hash`;

/** A row of EVENT_COLUMNS (bigint and xid8 come back as text). */
export interface EventRow {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  prev_hash: string | null;
  hash: string;
}

export function eventFromRow(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    streamId: row.stream_id,
    revision: row.revision,
    globalPosition: Number(row.global_position),
    position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) },
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Append at an exact expected revision ($2 ≥ 0). The writer does not know the hash of the
 * stream's last event, so it sends each event's canonical JSON split around the prevHash value
 * ($8 heads, $9 tails; see canonicalEventParts) and the database chains the hashes starting from
 * the head row's hash: hash_i = sha256(head_i || '"' || hash_(i-1) || '"' || tail_i).
 *
 * `prev` reads the head row as the statement's snapshot sees it. The UPDATE then moves the head
 * only if it still stands at $2: if a concurrent append got there first, the UPDATE waits for its
 * row lock, re-checks `revision = $2` on the new row version and matches nothing. An event at
 * revision $2 has one hash, so a `prev` row that passes is the row the UPDATE moves. Zero rows
 * back means a conflict (or an idempotent repeat, told apart by the caller).
 *
 *   $1 stream_id  $2 expected revision  $3 event ids  $4 types  $5 schema versions
 *   $6 data (JSON text)  $7 metadata (JSON text)  $8 canonical heads  $9 canonical tails
 */
export const APPEND_AT_REVISION = `
WITH RECURSIVE
prev AS (
  SELECT hash FROM streams WHERE stream_id = $1 AND revision = $2
),
chain (n, prev_hash, hash) AS (
  SELECT 1, prev.hash,
         encode(sha256(convert_to(($8::text[])[1] || '"' || prev.hash || '"' || ($9::text[])[1], 'UTF8')), 'hex')
    FROM prev
  UNION ALL
  SELECT c.n + 1, c.hash,
         encode(sha256(convert_to(($8::text[])[c.n + 1] || '"' || c.hash || '"' || ($9::text[])[c.n + 1], 'UTF8')), 'hex')
    FROM chain c
   WHERE c.n < cardinality($3::uuid[])
),
head AS (
  UPDATE streams s
     SET revision = $2 + c.n, hash = c.hash, updated_at = now()
    FROM chain c
   WHERE s.stream_id = $1 AND s.revision = $2 AND c.n = cardinality($3::uuid[])
  RETURNING s.revision
)
INSERT INTO events (event_id, stream_id, revision, type, schema_version, data, metadata, prev_hash, hash)
SELECT t.event_id, $1, $2 + t.n, t.type, t.schema_version, t.data::jsonb, t.metadata::jsonb, c.prev_hash, c.hash
  FROM unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[])
       WITH ORDINALITY AS t (event_id, type, schema_version, data, metadata, n)
  JOIN chain c ON c.n = t.n
 WHERE EXISTS (SELECT FROM head)
 ORDER BY t.n
RETURNING global_position, transaction_id, revision, prev_hash, hash`;

/**
 * APPEND_AT_REVISION for the common case of a single event, with scalar parameters: no arrays
 * to encode and parse, no recursion. Same parameters, one value each.
 */
export const APPEND_ONE_AT_REVISION = `
WITH prev AS (
  SELECT hash FROM streams WHERE stream_id = $1 AND revision = $2
),
chain AS (
  SELECT prev.hash AS prev_hash,
         encode(sha256(convert_to($8::text || '"' || prev.hash || '"' || $9::text, 'UTF8')), 'hex') AS hash
    FROM prev
),
head AS (
  UPDATE streams s
     SET revision = $2 + 1, hash = c.hash, updated_at = now()
    FROM chain c
   WHERE s.stream_id = $1 AND s.revision = $2
  RETURNING s.revision
)
INSERT INTO events (event_id, stream_id, revision, type, schema_version, data, metadata, prev_hash, hash)
SELECT $3::uuid, $1, head.revision, $4::text, $5::int, $6::jsonb, $7::jsonb, c.prev_hash, c.hash
  FROM head, chain c
RETURNING global_position, transaction_id, revision, prev_hash, hash`;

/**
 * Append as a stream's first events. The writer knows every hash (the chain starts from null),
 * so it sends them. ON CONFLICT DO NOTHING: if the stream exists (or a concurrent creator
 * commits first) nothing is inserted and zero rows come back.
 *
 *   $1 stream_id  $2 last revision  $3 last hash  $4 event ids  $5 types  $6 schema versions
 *   $7 data  $8 metadata  $9 prev hashes  $10 hashes
 */
export const APPEND_NEW_STREAM = `
WITH head AS (
  INSERT INTO streams (stream_id, revision, hash) VALUES ($1, $2, $3)
  ON CONFLICT (stream_id) DO NOTHING
  RETURNING revision
)
INSERT INTO events (event_id, stream_id, revision, type, schema_version, data, metadata, prev_hash, hash)
SELECT t.event_id, $1, t.n - 1, t.type, t.schema_version, t.data::jsonb, t.metadata::jsonb, t.prev_hash, t.hash
  FROM unnest($4::uuid[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[])
       WITH ORDINALITY AS t (event_id, type, schema_version, data, metadata, prev_hash, hash, n)
 WHERE EXISTS (SELECT FROM head)
 ORDER BY t.n
RETURNING global_position, transaction_id, revision, prev_hash, hash`;

/**
 * APPEND_NEW_STREAM for a single event, with scalar parameters:
 *   $1 stream_id  $2 hash  $3 event id  $4 type  $5 schema version  $6 data  $7 metadata
 */
export const APPEND_ONE_NEW_STREAM = `
WITH head AS (
  INSERT INTO streams (stream_id, revision, hash) VALUES ($1, 0, $2)
  ON CONFLICT (stream_id) DO NOTHING
  RETURNING revision
)
INSERT INTO events (event_id, stream_id, revision, type, schema_version, data, metadata, prev_hash, hash)
SELECT $3::uuid, $1, head.revision, $4::text, $5::int, $6::jsonb, $7::jsonb, NULL, $2
  FROM head
RETURNING global_position, transaction_id, revision, prev_hash, hash`;

/** For 'any' and 'stream_exists': the head row, locked until the append's transaction ends. */
export const LOCK_HEAD = 'SELECT revision, hash FROM streams WHERE stream_id = $1 FOR UPDATE';

export const STREAM_HEAD = 'SELECT revision, hash FROM streams WHERE stream_id = $1';

/** The stream's head row, or null when the stream does not exist. */
export async function queryStreamHead(db: pg.Pool | pg.PoolClient, streamId: string): Promise<StreamHead | null> {
  const { rows } = await db.query<StreamHead>({ name: 'minyi_es_stream_head', text: STREAM_HEAD, values: [streamId] });
  return rows[0] ?? null;
}

export const EVENTS_BY_ID = `SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ANY($1::uuid[])`;

export const READ_STREAM = `
SELECT ${EVENT_COLUMNS}
  FROM events
 WHERE stream_id = $1 AND revision >= $2
 ORDER BY revision
 LIMIT $3`;

/**
 * A batch of the global log after ($1, $2), safe to pass: only events of transactions older than
 * the snapshot's xmin, i.e. of transactions that have all finished, so no event can later appear
 * before the last one returned. `held_back` tells whether committed or in-flight events exist
 * beyond that horizon (a reader then looks again soon rather than at its idle poll interval).
 * Always returns at least one row; the event columns are null when the batch is empty.
 */
export const READ_ALL = `
SELECT h.held_back, e.*
  FROM (SELECT EXISTS (SELECT FROM events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())) AS held_back) h
  LEFT JOIN LATERAL (
    SELECT ${EVENT_COLUMNS}
      FROM events
     WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       AND (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
     ORDER BY transaction_id, global_position
     LIMIT $3
  ) e ON true
 ORDER BY e.transaction_id, e.global_position`;

export const POSITION_OF = 'SELECT transaction_id FROM events WHERE global_position = $1';

/** How many events the log holds (an exact count: it reads the whole table). */
export async function queryEventCount(db: pg.Pool | pg.PoolClient): Promise<number> {
  const { rows } = await db.query<{ count: string }>('SELECT count(*) AS count FROM events');
  return Number(rows[0]!.count);
}

/**
 * Sent after an append has committed, never inside it: a transaction that has notified holds a
 * server-wide lock from its NOTIFY until its commit is flushed, which would make every append
 * wait for the others' fsyncs one at a time. Its own commit need not be durable (a lost
 * notification only costs a poll interval), so it does not wait for the WAL flush either. One
 * simple-protocol string: the two statements run as one implicit transaction, in one round trip.
 */
export const NOTIFY = 'SET LOCAL synchronous_commit = off; NOTIFY minyi_events';
export const CHANNEL = 'minyi_events';
