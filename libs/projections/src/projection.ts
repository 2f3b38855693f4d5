import type { PoolClient } from 'pg';
import type { RecordedEvent } from '#event-store';

/**
 * A read model derived from the global log. The runner calls `apply` inside the transaction that
 * also moves the projection's checkpoint, so rows and checkpoint never disagree, and replaying
 * the log from zero into empty tables gives the same rows.
 */
export interface Projection {
  /** Stable name: the checkpoint's key and the advisory lock's seed. */
  readonly name: string;
  /**
   * The version of its tables and of what `apply` writes into them. Change it instead of
   * converting rows in place: at start, a projection whose stored version differs has its tables
   * dropped and made anew by `migrate` (a reactor, which has none, is `reset`), and its checkpoint
   * reset, so it catches up from the start of the log. Bump a reactor's only if replaying its
   * side effects is harmless.
   */
  readonly version: number;
  /**
   * The tables this projection owns, for a read model. A projection with tables is rebuilt into
   * a scratch schema while the live tables keep serving reads, then swapped in; so its SQL names
   * them unqualified (resolved through `search_path`). Reactors, which keep no rows, have none.
   */
  readonly tables?: readonly string[];
  /**
   * True for a read model whose rows each follow one stream (a case's row, its case's events):
   * events of different streams then touch different rows, so a rebuild may apply them side by
   * side on several connections. Leave it out when a row gathers events of several streams.
   */
  readonly rowsFollowStreams?: boolean;
  /**
   * True when the projection may run in lanes (PROJECTION_LANES): each lane applies the events of
   * its share of the streams, in log order within each stream, while the lanes move through the
   * log at their own pace. Say so only when `apply` needs no event of another stream before or
   * after one of this stream's: a read model whose rows follow streams, or a reactor whose effects
   * for a stream depend on that stream alone. A reactor in lanes must also do nothing twice when a
   * stretch of the log is applied again: when the number of lanes changes, its new lanes resume
   * from the oldest checkpoint of the old ones (a read model starts over instead). Leave it out
   * for a row that gathers several streams, or a checkpoint read as one point of the log.
   */
  readonly runsInLanes?: boolean;
  /**
   * Whether `apply` does anything with the event (default: every event). A batch with none that
   * it handles only moves the checkpoint, in one statement instead of a transaction.
   */
  handles?(event: RecordedEvent): boolean;
  /**
   * Creates the projection's tables when missing (idempotent, run at start, on a connection outside
   * any transaction; a rebuild runs it inside one, in its scratch schema).
   */
  migrate(client: PoolClient): Promise<void>;
  /**
   * Applies a batch of events, in log order, inside the runner's transaction. It may answer work
   * to run once that transaction has committed: a reactor's side effects that must not act
   * before its rows are visible. A failure of that work is reported; the batch stays applied.
   * (Answered rather than kept on the projection: lanes apply batches side by side.)
   */
  apply(client: PoolClient, events: readonly RecordedEvent[]): Promise<void | AfterCommit>;
  /** Empties the projection's tables, before a rebuild from the start of the log. */
  reset(client: PoolClient): Promise<void>;
}

/** Work a batch leaves for after its transaction has committed (see `Projection.apply`). */
export type AfterCommit = () => Promise<void>;
