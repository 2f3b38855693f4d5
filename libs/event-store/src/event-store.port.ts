/**
 * The event-store port: everything the engine needs from an event log, and nothing more.
 *
 * It is shaped so that an EventStoreDB/KurrentDB adapter maps onto it one to one (the mapping of
 * events, metadata, positions, expected revisions and errors is esdb/esdb-mapping.ts):
 *   appendToStream(stream, events, { expectedRevision })  ↔ client.appendToStream(stream, events, { expectedRevision })
 *     'any' ↔ ANY, 'no_stream' ↔ NO_STREAM, 'stream_exists' ↔ STREAM_EXISTS, n ↔ BigInt(n)
 *   readStream(stream, { fromRevision, maxCount })         ↔ client.readStream(stream, { fromRevision, maxCount })
 *   readAll({ from, maxCount })                             ↔ client.readAll({ fromPosition, maxCount })
 *   subscribeToAll(handler, { from })                       ↔ client.subscribeToAll({ fromPosition }) (catch-up subscription)
 *   LogPosition { commit, prepare }                         ↔ $all Position { commit, prepare }
 *   RecordedEvent.revision                                  ↔ event.revision; RecordedEvent.id ↔ event.id
 *   idempotent re-append of the same event ids              ↔ EventStoreDB's idempotent write check
 *   EventIdConflictError                                    ↔ a failed idempotent write check
 * In PostgreSQL, `commit` is the appending transaction's id (xid8) and `prepare` the event's
 * global_position. Together they give a total order that only ever grows at the end: a reader
 * passes a position only once every transaction that could still land before it has finished.
 * (Between transactions that overlap, this is the order in which they took their ids, not
 * strictly the order in which they committed; see the adapter.)
 */

/** Where the writer expects the stream to stand before its append. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/** A point in the global log, ordered by (commit, prepare). */
export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** Who and when, carried by every event. */
export interface EventMetadata {
  readonly actorId: string;
  readonly actorRole: string;
  /** The acting user's unit, or null for the system actor. */
  readonly unitId: string | null;
  /** When the command was decided (ISO 8601 with offset); the event's recorded-at time. */
  readonly at: string;
  readonly correlationId: string;
  readonly causationId: string | null;
}

/** An event as a writer hands it to the store. */
export interface NewEvent {
  /** UUIDv7, chosen by the writer: appending the same ids again is a no-op. */
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
}

/** An event as the store keeps it: the envelope of DESIGN.md. */
export interface RecordedEvent extends NewEvent {
  readonly streamId: string;
  /** 0 for a stream's first event. */
  readonly revision: number;
  /** The global log position (global_position); the single number clients see. */
  readonly globalPosition: number;
  /** The full position for checkpoints and comparisons. */
  readonly position: LogPosition;
  /** sha256 hex of the previous event of the stream, null for revision 0. */
  readonly prevHash: string | null;
  /** sha256 hex over the canonical form of this event's envelope and data. */
  readonly hash: string;
}

export interface AppendResult {
  /** The revision of the stream's last event after the append. */
  readonly nextExpectedRevision: number;
  /** The global position of the last appended event. */
  readonly globalPosition: number;
  readonly position: LogPosition;
  /** The recorded events, in order (the original ones when the append was an idempotent repeat). */
  readonly events: readonly RecordedEvent[];
}

export interface StreamHead {
  readonly revision: number;
  readonly hash: string;
}

export interface ReadStreamOptions {
  /** Inclusive; default 0. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omit to read from the start. */
  readonly after?: LogPosition | null;
  readonly maxCount: number;
}

export interface SubscribeOptions {
  /** Exclusive, as in readAll: usually a projection's checkpoint. */
  readonly after?: LogPosition | null;
  /** Most events handed to the handler at once (default 500). */
  readonly batchSize?: number;
}

/**
 * A running catch-up subscription. The handler is awaited before the next batch is read, so a
 * handler that writes its checkpoint with its rows resumes exactly where it stopped.
 */
export interface Subscription {
  /** Settles when the subscription stops: resolves after stop(), rejects if the handler or the store fails. */
  readonly done: Promise<void>;
  /** Stops after the batch in hand; resolves once stopped. */
  stop(): Promise<void>;
}

export type BatchHandler = (events: readonly RecordedEvent[]) => Promise<void>;

export interface EventStore {
  /**
   * Appends atomically (one or more events; an empty list is refused with a RangeError). Throws
   * WrongExpectedRevisionError (with the stream's current revision) on a mismatch. Re-appending
   * events whose ids are already the stream's events, at consecutive revisions in the same
   * order, with the expected revision of the original append or 'any', succeeds without writing
   * and returns the original result (as EventStoreDB's idempotent write check does; the
   * PostgreSQL adapter recognises a repeat whatever the expected revision). Ids that overlap
   * stored events any other way are refused and nothing is written: EventIdConflictError, or a
   * WrongExpectedRevisionError where the server's own check decides.
   */
  appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;

  /** The stream's events from `fromRevision`, in revision order; [] for a missing stream. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** The stream's last revision and hash, or null when it does not exist. */
  streamHead(streamId: string): Promise<StreamHead | null>;

  /** A batch of the global log after a position, in commit order; only events safe to pass. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;

  /** Catches up from `after`, then follows the log live, never skipping an event that commits late. */
  subscribeToAll(handler: BatchHandler, options?: SubscribeOptions): Subscription;

  /** The position of an event by its global position, or null if unknown (used to wait for read-your-writes). */
  positionOf(globalPosition: number): Promise<LogPosition | null>;

  /** How many events the log holds: the total a replay of the whole log works through. */
  countEvents(): Promise<number>;

  close(): Promise<void>;
}

/** Thrown when the expected revision does not match; never a lost update. */
export class WrongExpectedRevisionError extends Error {
  readonly code = 'revision_conflict';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's current revision, or null when it does not exist. */
    readonly actual: number | null,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, found ${actual === null ? 'no stream' : actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/**
 * Thrown when some of the appended event ids are already stored but not as exactly these events
 * of this stream, consecutive and in this order (a partial or mismatched repeat): nothing is written.
 */
export class EventIdConflictError extends Error {
  readonly code = 'event_id_conflict';
  constructor(
    readonly streamId: string,
    /** The appended ids that were already stored. */
    readonly eventIds: readonly string[],
    detail: string,
  ) {
    super(`stream ${streamId}: event ids already stored (${eventIds.join(', ')}): ${detail}`);
    this.name = 'EventIdConflictError';
  }
}

/** Compares two log positions: negative, zero or positive. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}
