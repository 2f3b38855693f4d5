import type pg from 'pg';
import type { EventStoreAudit, StoreVerification, StreamWithHead, VerifyStoreOptions } from '../event-store-audit.port.js';
import type {
  AppendResult,
  BatchHandler,
  EventStore,
  ExpectedRevision,
  LogPosition,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamHead,
  SubscribeOptions,
  Subscription,
} from '../event-store.port.js';
import { readStreamRange } from '../port-arguments.js';
import { PostgresAppends } from './appends.js';
import { CatchUpSubscriptions, readLogAfter } from './catch-up-subscription.js';
import { eventFromRow, POSITION_OF, queryEventCount, queryStreamHead, READ_STREAM, type EventRow } from './sql.js';
import { readStreamWithHead, verifyStore } from './store-audit.js';
import { CommitSignal } from './wake.js';

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

/**
 * The PostgreSQL adapter of the event store port and of the audit port. Each responsibility has
 * a file of its own: appends.ts (optimistic concurrency, idempotent repeats), catch-up-subscription.ts
 * (reading $all in global order behind the xid8 snapshot horizon), wake.ts (how readers learn of
 * new commits) and store-audit.ts (the audit reads). This class puts them together on one pool.
 */
export class PostgresEventStore implements EventStore, EventStoreAudit {
  readonly #pool: pg.Pool;
  readonly #endPoolOnClose: boolean;
  readonly #appends: PostgresAppends;
  readonly #commits: CommitSignal;
  readonly #subscriptions: CatchUpSubscriptions;
  #closed = false;

  constructor(options: PostgresEventStoreOptions) {
    this.#pool = options.pool;
    this.#endPoolOnClose = options.endPoolOnClose ?? false;
    this.#appends = new PostgresAppends(options.pool);
    this.#commits = new CommitSignal(options);
    this.#subscriptions = new CatchUpSubscriptions(options.pool, this.#commits, {
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      onRead: options.onSubscriptionRead,
    });
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.#assertOpen();
    const result = await this.#appends.append(streamId, events, options.expectedRevision);
    this.#commits.announce();
    return result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.#assertOpen();
    const { from, max } = readStreamRange(options);
    const { rows } = await this.#pool.query<EventRow>({
      name: 'minyi_es_read_stream',
      text: READ_STREAM,
      values: [streamId, from, max ?? null],
    });
    return rows.map(eventFromRow);
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    this.#assertOpen();
    return queryStreamHead(this.#pool, streamId);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    this.#assertOpen();
    return (await readLogAfter(this.#pool, options.after ?? null, options.maxCount)).events;
  }

  subscribeToAll(handler: BatchHandler, options: SubscribeOptions = {}): Subscription {
    this.#assertOpen();
    return this.#subscriptions.subscribe(handler, options);
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

  async countEvents(): Promise<number> {
    this.#assertOpen();
    return queryEventCount(this.#pool);
  }

  async readStreamWithHead(streamId: string): Promise<StreamWithHead> {
    this.#assertOpen();
    return readStreamWithHead(this.#pool, streamId);
  }

  /** Verifies every stream of the store, and optionally takes an anchor (see store-audit.ts). */
  verifyAll(options: VerifyStoreOptions = {}): Promise<StoreVerification> {
    this.#assertOpen();
    return verifyStore(this.#pool, options);
  }

  /** Stops every subscription and the LISTEN connection; ends the pool only with endPoolOnClose. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // The signal stops announcing at once; it closes its LISTEN connection while the subscriptions stop.
    const signalClosed = this.#commits.close();
    await this.#subscriptions.stopAll();
    await signalClosed;
    if (this.#endPoolOnClose) await this.#pool.end();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the event store is closed');
  }
}
