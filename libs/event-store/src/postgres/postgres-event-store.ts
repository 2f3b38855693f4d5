import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  EventIdConflictError,
  WrongExpectedRevisionError,
  type AppendResult,
  type BatchHandler,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type LogPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamHead,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port.js';
import { canonicalEventParts, hashFromParts, type CanonicalEventParts } from '../hashing.js';
import {
  APPEND_AT_REVISION,
  APPEND_NEW_STREAM,
  APPEND_ONE_AT_REVISION,
  APPEND_ONE_NEW_STREAM,
  CHANNEL,
  eventFromRow,
  EVENTS_BY_ID,
  LOCK_HEAD,
  NOTIFY,
  POSITION_OF,
  READ_ALL,
  READ_STREAM,
  STREAM_HEAD,
  type EventRow,
} from './sql.js';
import { verifyStore, type StoreVerification, type VerifyStoreOptions } from './store-audit.js';
import { NotificationListener, sleep, WakeSignal } from './wake.js';

export interface PostgresEventStoreOptions {
  /** Connections for appends and reads. Owned by the caller unless endPoolOnClose is set. */
  readonly pool: pg.Pool;
  /**
   * Creates the dedicated connection that LISTENs for new events (default: a pg.Client with the
   * pool's connection settings and TCP keep-alive).
   */
  readonly createListenClient?: () => pg.Client;
  /**
   * After each committed append, send a NOTIFY (outside the append's transaction; coalesced to
   * one in flight and at most one per 5 ms) so subscribers in other processes wake at once.
   * Default true. Subscribers in this process are woken directly either way.
   */
  readonly notify?: boolean;
  /** How long an idle subscription waits before looking again without a notification (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** End the pool in close() (default false). */
  readonly endPoolOnClose?: boolean;
  /** Errors that do not belong to any caller: the LISTEN connection, the post-commit NOTIFY. */
  readonly onBackgroundError?: (error: unknown) => void;
  /** Called after each read of a subscription's catch-up loop (for instrumentation and tests). */
  readonly onSubscriptionRead?: (read: { readonly events: number; readonly heldBack: boolean }) => void;
}

const START: LogPosition = { commit: 0n, prepare: 0n };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT32_MAX = 2_147_483_647;
/** Under a stream of appends, at most one NOTIFY per this interval (per store instance). */
const NOTIFY_MIN_INTERVAL_MS = 5;
/** A subscription held back by an open transaction looks again after this, doubling up to the poll interval. */
const HELD_BACK_FIRST_DELAY_MS = 10;

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
 * The PostgreSQL adapter of the event store port.
 *
 * Appends. An exact expected revision or 'no_stream' is one statement, so one round trip (see
 * sql.ts); 'any' and 'stream_exists' lock the head row in a short transaction (four round
 * trips). A conflict costs one or two more reads, to tell an idempotent repeat from a real
 * conflict and to report the current revision. There is no global lock. An append whose outcome
 * the caller never learnt (the connection dropped) can simply be sent again: the same event ids
 * make the repeat a no-op if the first attempt committed.
 *
 * Global order. Each event carries its transaction's id (xid8). readAll passes only events of
 * transactions older than its snapshot's xmin, in (transaction_id, global_position) order, so
 * while any transaction that could still add an earlier event is open, the readers wait for it
 * instead of passing it by. Events of overlapping transactions therefore come in the order the
 * transactions took their ids, which is not always the order they committed in. The xmin is
 * server-wide: a long write transaction in any database of the same server holds the
 * subscriptions back until it ends.
 */
export class PostgresEventStore implements EventStore {
  readonly #pool: pg.Pool;
  readonly #options: PostgresEventStoreOptions;
  readonly #signal = new WakeSignal();
  readonly #listener: NotificationListener;
  readonly #subscriptions = new Set<Subscription>();
  readonly #pollIntervalMs: number;
  #notifying: Promise<void> | null = null;
  #notifyAgain = false;
  #closed = false;

  constructor(options: PostgresEventStoreOptions) {
    this.#pool = options.pool;
    this.#options = options;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    if (!(this.#pollIntervalMs > 0)) throw new RangeError(`pollIntervalMs must be positive, got ${this.#pollIntervalMs}`);
    const createClient =
      options.createListenClient ??
      (() => new pg.Client({ ...(this.#pool.options as pg.ClientConfig), keepAlive: true, application_name: 'minyi-event-store-listener' }));
    this.#listener = new NotificationListener({
      channel: CHANNEL,
      createClient,
      signal: this.#signal,
      onError: (error) => this.#options.onBackgroundError?.(error),
    });
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.#assertOpen();
    const expected = options.expectedRevision;
    validateAppend(streamId, events, expected);
    let result: AppendResult;
    if (typeof expected === 'number') {
      result = await this.#appendAtRevision(this.#pool, streamId, expected, events, expected);
    } else if (expected === 'no_stream') {
      result = await this.#appendNewStream(this.#pool, streamId, events, expected);
    } else {
      result = await this.#appendLocked(streamId, events, expected);
    }
    this.#announce();
    return result;
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
    const inTransaction = db !== this.#pool;
    let rows: AppendedRow[];
    try {
      rows = (await db.query<AppendedRow>(query)).rows;
    } catch (error) {
      if (inTransaction) throw error;
      return this.#afterFailedAppend(streamId, prepared.map((e) => e.id), expected, error);
    }
    if (rows.length === 0) {
      if (inTransaction && noRowsInTransaction) throw noRowsInTransaction();
      return this.#afterFailedAppend(streamId, prepared.map((e) => e.id), expected, null);
    }
    return appendResult(streamId, prepared, rows);
  }

  /** 'any' and 'stream_exists': lock the head row, then append right after it. */
  async #appendLocked(streamId: string, events: readonly NewEvent[], expected: 'any' | 'stream_exists'): Promise<AppendResult> {
    const client = await this.#pool.connect();
    let failure: unknown = null;
    let result: AppendResult | null = null;
    try {
      await client.query('BEGIN');
      try {
        // A creation that loses to a concurrent one finds the winner's head row on the next
        // round, so two rounds suffice; the third is a bound, not an expectation.
        for (let attempt = 1; result === null && failure === null; attempt++) {
          const { rows } = await client.query<StreamHead>({ name: 'minyi_es_lock_head', text: LOCK_HEAD, values: [streamId] });
          const head = rows[0];
          if (head) {
            result = await this.#appendAtRevision(client, streamId, head.revision, events, expected);
          } else if (expected === 'stream_exists') {
            failure = new WrongExpectedRevisionError(streamId, expected, null);
          } else {
            try {
              result = await this.#appendNewStream(client, streamId, events, expected);
            } catch (error) {
              // A concurrent append created the stream (and committed: ON CONFLICT waited for
              // it); the next SELECT ... FOR UPDATE in this transaction sees and locks its head.
              if (!(error instanceof StreamCreatedMeanwhile) || attempt >= 3) throw error;
            }
          }
        }
      } catch (error) {
        failure = error;
      }
      if (failure === null) {
        await client.query('COMMIT');
      } else {
        await client.query('ROLLBACK');
      }
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    client.release();
    if (result) return result;
    if (failure instanceof WrongExpectedRevisionError) throw failure;
    // The statement failed inside the transaction (now rolled back): an idempotent repeat shows
    // up here as a unique violation on event_id.
    return this.#afterFailedAppend(streamId, events.map((e) => e.id.toLowerCase()), expected, failure);
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
    const head = await this.streamHead(streamId);
    throw new WrongExpectedRevisionError(streamId, expected, head?.revision ?? null);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.#assertOpen();
    const from = options.fromRevision ?? 0;
    if (!Number.isInteger(from) || from < 0) throw new RangeError(`fromRevision must be a non-negative integer, got ${from}`);
    const max = options.maxCount;
    if (max !== undefined && (!Number.isInteger(max) || max < 0)) throw new RangeError(`maxCount must be a non-negative integer, got ${max}`);
    const { rows } = await this.#pool.query<EventRow>({
      name: 'minyi_es_read_stream',
      text: READ_STREAM,
      values: [streamId, from, max ?? null],
    });
    return rows.map(eventFromRow);
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    this.#assertOpen();
    const { rows } = await this.#pool.query<StreamHead>({ name: 'minyi_es_stream_head', text: STREAM_HEAD, values: [streamId] });
    return rows[0] ?? null;
  }

  /**
   * The stream's events and its head row as one snapshot shows them, so that verifyStream never
   * mistakes an append committing between the two reads for tampering.
   */
  async readStreamWithHead(streamId: string): Promise<{ events: RecordedEvent[]; head: StreamHead | null }> {
    this.#assertOpen();
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const { rows } = await client.query<EventRow>({ name: 'minyi_es_read_stream', text: READ_STREAM, values: [streamId, 0, null] });
        const head = (await client.query<StreamHead>({ name: 'minyi_es_stream_head', text: STREAM_HEAD, values: [streamId] })).rows[0] ?? null;
        await client.query('COMMIT');
        return { events: rows.map(eventFromRow), head };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      client.release();
    }
  }

  /** Verifies every stream of the store, and optionally takes an anchor (see store-audit.ts). */
  verifyAll(options: VerifyStoreOptions = {}): Promise<StoreVerification> {
    this.#assertOpen();
    return verifyStore(this.#pool, options);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    this.#assertOpen();
    return (await this.#readAll(options.after ?? null, options.maxCount)).events;
  }

  async #readAll(after: LogPosition | null, maxCount: number): Promise<{ events: RecordedEvent[]; heldBack: boolean }> {
    if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`maxCount must be a positive integer, got ${maxCount}`);
    const from = after ?? START;
    const { rows } = await this.#pool.query<EventRow & { held_back: boolean }>({
      name: 'minyi_es_read_all',
      text: READ_ALL,
      values: [from.commit.toString(), from.prepare.toString(), maxCount],
    });
    const heldBack = rows[0]?.held_back ?? false;
    const events = rows[0]?.global_position == null ? [] : rows.map(eventFromRow);
    return { events, heldBack };
  }

  subscribeToAll(handler: BatchHandler, options: SubscribeOptions = {}): Subscription {
    this.#assertOpen();
    const batchSize = options.batchSize ?? 500;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    const abort = new AbortController();
    const poll = this.#pollIntervalMs;
    let position = options.after ?? null;
    this.#listener.start();

    const run = async () => {
      let heldBackDelay = HELD_BACK_FIRST_DELAY_MS;
      while (!abort.signal.aborted) {
        const seen = this.#signal.version;
        const { events, heldBack } = await this.#readAll(position, batchSize);
        this.#options.onSubscriptionRead?.({ events: events.length, heldBack });
        if (abort.signal.aborted) break;
        if (events.length > 0) {
          await handler(events);
          position = events.at(-1)!.position;
          heldBackDelay = HELD_BACK_FIRST_DELAY_MS;
        }
        if (events.length === batchSize) continue;
        if (heldBack) {
          // Events exist past the horizon: an open transaction holds them back. It may end
          // without a notification (it may not even be an append), so look again soon; but
          // while it stays open and nothing can pass, not more often than every few
          // milliseconds, however many later appends wake us meanwhile.
          const delay = Math.min(heldBackDelay, poll);
          const floor = events.length === 0 ? Math.min(HELD_BACK_FIRST_DELAY_MS, delay) : 0;
          if (floor > 0) await sleep(floor, abort.signal);
          await this.#signal.wait(seen, delay - floor, abort.signal);
          heldBackDelay = Math.min(heldBackDelay * 2, poll);
        } else {
          await this.#signal.wait(seen, poll, abort.signal);
        }
      }
    };

    const done = run();
    const subscription: Subscription = {
      done,
      stop: async () => {
        abort.abort();
        await done.catch(() => undefined);
      },
    };
    this.#subscriptions.add(subscription);
    void done.then(
      () => this.#subscriptions.delete(subscription),
      () => this.#subscriptions.delete(subscription),
    );
    return subscription;
  }

  async positionOf(globalPosition: number): Promise<LogPosition | null> {
    this.#assertOpen();
    if (!Number.isSafeInteger(globalPosition) || globalPosition < 1) return null;
    const { rows } = await this.#pool.query<{ transaction_id: string }>({
      name: 'minyi_es_position_of',
      text: POSITION_OF,
      values: [globalPosition],
    });
    const row = rows[0];
    return row ? { commit: BigInt(row.transaction_id), prepare: BigInt(globalPosition) } : null;
  }

  /** Stops every subscription and the LISTEN connection; ends the pool only with endPoolOnClose. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((s) => s.stop()));
    await this.#listener.stop();
    await this.#notifying;
    if (this.#options.endPoolOnClose) await this.#pool.end();
  }

  /** After a commit: wake this process's subscriptions, and tell other processes (coalesced). */
  #announce(): void {
    this.#signal.wake();
    if (this.#options.notify === false || this.#closed) return;
    if (this.#notifying) {
      this.#notifyAgain = true;
      return;
    }
    const send = async (): Promise<void> => {
      for (;;) {
        this.#notifyAgain = false;
        const sentAt = performance.now();
        try {
          await this.#pool.query(NOTIFY);
        } catch (error) {
          this.#options.onBackgroundError?.(error);
        }
        if (!this.#notifyAgain || this.#closed) {
          this.#notifying = null;
          return;
        }
        // Appends committed meanwhile: one more NOTIFY covers them all, a few milliseconds on.
        const wait = NOTIFY_MIN_INTERVAL_MS - (performance.now() - sentAt);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    };
    this.#notifying = send();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the event store is closed');
  }
}

/** Raised inside #appendLocked when ON CONFLICT found the stream created by someone else. */
class StreamCreatedMeanwhile extends Error {
  constructor(streamId: string) {
    super(`stream ${streamId}: created concurrently while this append tried to create it`);
    this.name = 'StreamCreatedMeanwhile';
  }
}

function validateAppend(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): void {
  if (typeof streamId !== 'string' || streamId.length === 0) throw new TypeError('streamId must be a non-empty string');
  if (!Array.isArray(events) || events.length === 0) throw new RangeError(`stream ${streamId}: appendToStream needs at least one event`);
  if (
    !(expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') &&
    !(typeof expected === 'number' && Number.isInteger(expected) && expected >= 0 && expected < INT32_MAX)
  ) {
    throw new TypeError(`stream ${streamId}: expectedRevision must be 'any', 'no_stream', 'stream_exists' or a revision, got ${String(expected)}`);
  }
  const seen = new Set<string>();
  for (const [index, event] of events.entries()) {
    const where = `stream ${streamId}, event ${index}`;
    if (typeof event.id !== 'string' || !UUID.test(event.id)) throw new TypeError(`${where}: id must be a UUID, got ${String(event.id)}`);
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw new TypeError(`${where}: id ${id} appears twice in one append`);
    seen.add(id);
    if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError(`${where}: type must be a non-empty string`);
    if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1 || event.schemaVersion > INT32_MAX) {
      throw new TypeError(`${where}: schemaVersion must be a positive integer`);
    }
    if (!isObject(event.data)) throw new TypeError(`${where}: data must be an object`);
    if (!isObject(event.metadata)) throw new TypeError(`${where}: metadata must be an object`);
  }
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
