import type pg from 'pg';
import type { BatchHandler, LogPosition, RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port.js';
import { startSubscription, subscriptionBatchSize } from '../port-arguments.js';
import { eventFromRow, READ_ALL, type EventRow } from './sql.js';
import { sleep, type CommitSignal } from './wake.js';

/**
 * Reading $all in global order, and the catch-up subscriptions that follow it.
 *
 * Each event carries its transaction's id (xid8). A read passes only events of transactions older
 * than its snapshot's xmin, in (transaction_id, global_position) order, so while any transaction
 * that could still add an earlier event is open, the readers wait for it instead of passing it
 * by. Events of overlapping transactions therefore come in the order the transactions took their
 * ids, which is not always the order they committed in. The xmin is server-wide: a long write
 * transaction in any database of the same server holds the subscriptions back until it ends.
 */

const START: LogPosition = { commit: 0n, prepare: 0n };
/** A subscription held back by an open transaction looks again after this, doubling up to the poll interval. */
const HELD_BACK_FIRST_DELAY_MS = 10;

export interface LogPage {
  readonly events: RecordedEvent[];
  /** Events exist past the horizon: an open transaction holds them back. */
  readonly heldBack: boolean;
}

/** A batch of the log after `after` (exclusive; null for the start), only events safe to pass. */
export async function readLogAfter(pool: pg.Pool, after: LogPosition | null, maxCount: number): Promise<LogPage> {
  if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`maxCount must be a positive integer, got ${maxCount}`);
  const from = after ?? START;
  const { rows } = await pool.query<EventRow & { held_back: boolean }>({
    name: 'minyi_es_read_all',
    text: READ_ALL,
    values: [from.commit.toString(), from.prepare.toString(), maxCount],
  });
  const heldBack = rows[0]?.held_back ?? false;
  const events = rows[0]?.global_position == null ? [] : rows.map(eventFromRow);
  return { events, heldBack };
}

export interface CatchUpOptions {
  /** How long an idle subscription waits before looking again without a wake-up. */
  readonly pollIntervalMs: number;
  /** Called after each read of a subscription's catch-up loop (for instrumentation and tests). */
  readonly onRead?: (read: { readonly events: number; readonly heldBack: boolean }) => void;
}

/** The running subscriptions of one store instance. */
export class CatchUpSubscriptions {
  readonly #pool: pg.Pool;
  readonly #commits: CommitSignal;
  readonly #options: CatchUpOptions;
  readonly #running = new Set<Subscription>();

  constructor(pool: pg.Pool, commits: CommitSignal, options: CatchUpOptions) {
    if (!(options.pollIntervalMs > 0)) throw new RangeError(`pollIntervalMs must be positive, got ${options.pollIntervalMs}`);
    this.#pool = pool;
    this.#commits = commits;
    this.#options = options;
  }

  subscribe(handler: BatchHandler, options: SubscribeOptions = {}): Subscription {
    const batchSize = subscriptionBatchSize(options.batchSize);
    const poll = this.#options.pollIntervalMs;
    const commits = this.#commits;
    let position = options.after ?? null;
    commits.listen();

    const run = async (signal: AbortSignal) => {
      let heldBackDelay = HELD_BACK_FIRST_DELAY_MS;
      while (!signal.aborted) {
        const seen = commits.version;
        const { events, heldBack } = await readLogAfter(this.#pool, position, batchSize);
        this.#options.onRead?.({ events: events.length, heldBack });
        if (signal.aborted) break;
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
          if (floor > 0) await sleep(floor, signal);
          await commits.wait(seen, delay - floor, signal);
          heldBackDelay = Math.min(heldBackDelay * 2, poll);
        } else {
          await commits.wait(seen, poll, signal);
        }
      }
    };

    return startSubscription(run, this.#running);
  }

  /** Stops every running subscription, each after the batch in hand. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#running].map((subscription) => subscription.stop()));
  }
}
