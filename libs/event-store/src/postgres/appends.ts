import type pg from 'pg';
import { inTransaction } from '#database';
import {
  EventIdConflictError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventMetadata,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type StreamHead,
} from '../event-store.port.js';
import { validateAppend } from '../port-arguments.js';
import { canonicalEventParts, hashFromParts, type CanonicalEventParts } from '../hashing.js';
import {
  APPEND_AT_REVISION,
  APPEND_NEW_STREAM,
  APPEND_ONE_AT_REVISION,
  APPEND_ONE_NEW_STREAM,
  eventFromRow,
  EVENTS_BY_ID,
  LOCK_HEAD,
  queryStreamHead,
  type EventRow,
} from './sql.js';

interface AppendedRow {
  global_position: string;
  transaction_id: string;
  revision: number;
  prev_hash: string | null;
  hash: string;
}

/** An event ready to write: ids normalised, canonical JSON computed once. */
interface PreparedEvent {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly parts: CanonicalEventParts;
}

/**
 * Appends, for the PostgreSQL adapter.
 *
 * An exact expected revision or 'no_stream' is one statement, so one round trip (see sql.ts);
 * 'any' and 'stream_exists' lock the head row in a short transaction (four round trips). A
 * conflict costs one or two more reads, to tell an idempotent repeat from a real conflict and to
 * report the current revision. There is no global lock. An append whose outcome the caller never
 * learnt (the connection dropped) can simply be sent again: the same event ids make the repeat a
 * no-op if the first attempt committed.
 */
export class PostgresAppends {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    validateAppend(streamId, events, expected);
    if (typeof expected === 'number') return this.#appendAtRevision(this.#pool, streamId, expected, events, expected);
    if (expected === 'no_stream') return this.#appendNewStream(this.#pool, streamId, events, expected);
    return this.#appendLocked(streamId, events, expected);
  }

  async #appendAtRevision(
    db: pg.Pool | pg.PoolClient,
    streamId: string,
    revision: number,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const prepared = prepare(streamId, revision + 1, events);
    const one = prepared.length === 1 ? prepared[0]! : null;
    return this.#runAppend(
      db,
      one
        ? {
            name: 'minyi_es_append_one_at_revision',
            text: APPEND_ONE_AT_REVISION,
            values: [streamId, revision, one.id, one.type, one.schemaVersion, one.parts.data, one.parts.metadata, one.parts.head, one.parts.tail],
          }
        : {
            name: 'minyi_es_append_at_revision',
            text: APPEND_AT_REVISION,
            values: [
              streamId,
              revision,
              prepared.map((e) => e.id),
              prepared.map((e) => e.type),
              prepared.map((e) => e.schemaVersion),
              prepared.map((e) => e.parts.data),
              prepared.map((e) => e.parts.metadata),
              prepared.map((e) => e.parts.head),
              prepared.map((e) => e.parts.tail),
            ],
          },
      streamId,
      prepared,
      expected,
    );
  }

  async #appendNewStream(
    db: pg.Pool | pg.PoolClient,
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const prepared = prepare(streamId, 0, events);
    const hashes: string[] = [];
    const prevHashes: (string | null)[] = [];
    let prev: string | null = null;
    for (const event of prepared) {
      prevHashes.push(prev);
      prev = hashFromParts(event.parts, prev);
      hashes.push(prev);
    }
    const one = prepared.length === 1 ? prepared[0]! : null;
    return this.#runAppend(
      db,
      one
        ? {
            name: 'minyi_es_append_one_new_stream',
            text: APPEND_ONE_NEW_STREAM,
            values: [streamId, prev, one.id, one.type, one.schemaVersion, one.parts.data, one.parts.metadata],
          }
        : {
            name: 'minyi_es_append_new_stream',
            text: APPEND_NEW_STREAM,
            values: [
              streamId,
              prepared.length - 1,
              prev,
              prepared.map((e) => e.id),
              prepared.map((e) => e.type),
              prepared.map((e) => e.schemaVersion),
              prepared.map((e) => e.parts.data),
              prepared.map((e) => e.parts.metadata),
              prevHashes,
              hashes,
            ],
          },
      streamId,
      prepared,
      expected,
      () => new StreamCreatedMeanwhile(streamId),
    );
  }

  /**
   * Runs one append statement. Outside a transaction a failure, or no row back (the expected
   * revision did not hold), is diagnosed here: a conflict or an idempotent repeat. Inside one,
   * the caller rolls back first and diagnoses then; `noRowsInTransaction` says what to throw.
   */
  async #runAppend(
    db: pg.Pool | pg.PoolClient,
    query: pg.QueryConfig,
    streamId: string,
    prepared: readonly PreparedEvent[],
    expected: ExpectedRevision,
    noRowsInTransaction?: () => Error,
  ): Promise<AppendResult> {
    const inLockedTransaction = db !== this.#pool;
    let rows: AppendedRow[];
    try {
      rows = (await db.query<AppendedRow>(query)).rows;
    } catch (error) {
      if (inLockedTransaction) throw error;
      return this.#afterFailedAppend(streamId, prepared.map((e) => e.id), expected, error);
    }
    if (rows.length === 0) {
      if (inLockedTransaction && noRowsInTransaction) throw noRowsInTransaction();
      return this.#afterFailedAppend(streamId, prepared.map((e) => e.id), expected, null);
    }
    return appendResult(streamId, prepared, rows);
  }

  /** 'any' and 'stream_exists': lock the head row, then append right after it. */
  async #appendLocked(streamId: string, events: readonly NewEvent[], expected: 'any' | 'stream_exists'): Promise<AppendResult> {
    try {
      return await inTransaction(this.#pool, (client) => this.#appendAfterLockedHead(client, streamId, events, expected));
    } catch (failure) {
      if (failure instanceof WrongExpectedRevisionError) throw failure;
      // The statement failed inside the transaction (now rolled back): an idempotent repeat shows
      // up here as a unique violation on event_id.
      return this.#afterFailedAppend(streamId, events.map((e) => e.id.toLowerCase()), expected, failure);
    }
  }

  async #appendAfterLockedHead(
    client: pg.PoolClient,
    streamId: string,
    events: readonly NewEvent[],
    expected: 'any' | 'stream_exists',
  ): Promise<AppendResult> {
    // A creation that loses to a concurrent one finds the winner's head row on the next round,
    // so two rounds suffice; the third is a bound, not an expectation.
    for (let attempt = 1; ; attempt++) {
      const { rows } = await client.query<StreamHead>({ name: 'minyi_es_lock_head', text: LOCK_HEAD, values: [streamId] });
      const head = rows[0];
      if (head) return this.#appendAtRevision(client, streamId, head.revision, events, expected);
      if (expected === 'stream_exists') throw new WrongExpectedRevisionError(streamId, expected, null);
      try {
        return await this.#appendNewStream(client, streamId, events, expected);
      } catch (error) {
        // A concurrent append created the stream (and committed: ON CONFLICT waited for it); the
        // next SELECT ... FOR UPDATE in this transaction sees and locks its head.
        if (!(error instanceof StreamCreatedMeanwhile) || attempt >= 3) throw error;
      }
    }
  }

  /**
   * An append that wrote nothing (zero rows, or a unique violation): an idempotent repeat, an
   * overlap of ids, or a revision conflict. Anything else is rethrown as it came.
   */
  async #afterFailedAppend(
    streamId: string,
    ids: readonly string[],
    expected: ExpectedRevision,
    error: unknown,
  ): Promise<AppendResult> {
    const constraint = uniqueViolation(error);
    if (error !== null && constraint === null) throw error;
    const { rows } = await this.#pool.query<EventRow>({ name: 'minyi_es_events_by_id', text: EVENTS_BY_ID, values: [ids] });
    if (rows.length > 0) return idempotentResult(streamId, ids, rows.map(eventFromRow));
    if (constraint === 'events_event_id_key') throw error; // the clashing event is gone again: not ours to explain
    const head = await queryStreamHead(this.#pool, streamId);
    throw new WrongExpectedRevisionError(streamId, expected, head?.revision ?? null);
  }
}

/** Raised inside a locked append when ON CONFLICT found the stream created by someone else. */
class StreamCreatedMeanwhile extends Error {
  constructor(streamId: string) {
    super(`stream ${streamId}: created concurrently while this append tried to create it`);
    this.name = 'StreamCreatedMeanwhile';
  }
}

function prepare(streamId: string, firstRevision: number, events: readonly NewEvent[]): PreparedEvent[] {
  return events.map((event, index) => {
    const id = event.id.toLowerCase();
    const revision = firstRevision + index;
    return {
      id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      parts: canonicalEventParts({ streamId, revision, id, type: event.type, schemaVersion: event.schemaVersion, data: event.data, metadata: event.metadata }),
    };
  });
}

function appendResult(streamId: string, prepared: readonly PreparedEvent[], rows: readonly AppendedRow[]): AppendResult {
  const byRevision = [...rows].sort((a, b) => a.revision - b.revision);
  const first = byRevision[0]!.revision;
  const events = byRevision.map((row, index): RecordedEvent => {
    const event = prepared[index]!;
    const globalPosition = Number(row.global_position);
    return {
      id: event.id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      // What a read returns: the stored JSON, not the writer's objects (which may hold Dates etc.).
      data: JSON.parse(event.parts.data) as Record<string, unknown>,
      metadata: JSON.parse(event.parts.metadata) as EventMetadata,
      streamId,
      revision: first + index,
      globalPosition,
      position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) },
      prevHash: row.prev_hash,
      hash: row.hash,
    };
  });
  const last = events.at(-1)!;
  return { nextExpectedRevision: last.revision, globalPosition: last.globalPosition, position: last.position, events };
}

/** The ids are stored already: the original result if they are exactly this stream's consecutive events, else a conflict. */
function idempotentResult(streamId: string, ids: readonly string[], stored: readonly RecordedEvent[]): AppendResult {
  const byId = new Map(stored.map((e) => [e.id, e]));
  const found = ids.filter((id) => byId.has(id));
  const conflict = (detail: string) => new EventIdConflictError(streamId, found, detail);
  if (found.length !== ids.length) throw conflict(`${found.length} of the ${ids.length} events are stored, the others are not`);
  const events = ids.map((id) => byId.get(id)!);
  const elsewhere = events.find((e) => e.streamId !== streamId);
  if (elsewhere) throw conflict(`event ${elsewhere.id} belongs to stream ${elsewhere.streamId}`);
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.revision !== events[0]!.revision + i) throw conflict('the events are stored at other revisions or in another order');
  }
  const last = events.at(-1)!;
  return { nextExpectedRevision: last.revision, globalPosition: last.globalPosition, position: last.position, events };
}

function uniqueViolation(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code !== '23505') return null;
  return constraint === 'events_event_id_key' || constraint === 'events_stream_revision_key' || constraint === 'streams_pkey' ? constraint : null;
}
