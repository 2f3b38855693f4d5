/**
 * The audit port: the reads that only verification and the case dossier need, apart from the
 * engine's event store port. Auditors prove the record whole with them: a stream read together
 * with its head row, and a walk of the whole store that can also take an anchor (a digest of every
 * stream's head at a point of the log, kept elsewhere to prove later that nothing before it changed).
 */
import type { EventStore, RecordedEvent, StreamHead } from './event-store.port.js';

/** A stream's events and its head row, as one snapshot of the store shows them. */
export interface StreamWithHead {
  readonly events: RecordedEvent[];
  readonly head: StreamHead | null;
}

export interface EventStoreAudit {
  /**
   * The stream's events and its head row from one snapshot, so that verifying them never takes an
   * append committing between two reads for tampering.
   */
  readStreamWithHead(streamId: string): Promise<StreamWithHead>;

  /**
   * Checks every stream's hash chain and head row, and takes an anchor when asked. Throws
   * AnchorPositionError when the anchor's point cannot be anchored.
   */
  verifyAll(options?: VerifyStoreOptions): Promise<StoreVerification>;
}

/** A stream whose record is not whole, and the first revision that is missing or altered. */
export interface BrokenStream {
  readonly streamId: string;
  readonly revision: number;
  /** What is wrong, in words. */
  readonly problem: string;
}

/**
 * The heads of every stream at a point of the log. `position` is the global position of the last
 * event the anchor covers (0 for an empty log) and `commit` that event's transaction id (as text,
 * an xid8): the anchor covers every event at or before (commit, position) in log order.
 */
export interface StoreAnchor {
  readonly position: number;
  readonly commit: string;
  /** How many streams had events at that point. */
  readonly streams: number;
  /** streamHeadsDigest of those streams' last hashes at that point. */
  readonly digest: string;
}

export interface StoreVerification {
  /** True when every stream's chain and head row check out. */
  readonly ok: boolean;
  /** Streams walked: those with events or a head row. */
  readonly streams: number;
  /** Events checked. */
  readonly events: number;
  /** In stream id order (UTF-16 code units). */
  readonly broken: readonly BrokenStream[];
  /** Present when an anchor was asked for. */
  readonly anchor?: StoreAnchor;
}

export interface VerifyProgress {
  readonly events: number;
  readonly streams: number;
  /** Events in the store when the walk began (its snapshot). */
  readonly totalEvents: number;
}

/** Where to take an anchor: at the settled head of the log, at an event's global position, or at an anchor's exact point. */
export type AnchorPoint = 'head' | { readonly position: number; readonly commit?: string };

export interface VerifyStoreOptions {
  /** Also compute the anchor at this point of the log. */
  readonly anchor?: AnchorPoint;
  /** Head rows read at once (default 1000). */
  readonly streamBatchSize?: number;
  /** Events read at once (default 2000). */
  readonly eventBatchSize?: number;
  /** Called after each batch of events. */
  readonly onProgress?: (progress: VerifyProgress) => void | Promise<void>;
  /** Called with each event as the walk reads it, before its batch's onProgress (checks that ride along, such as attachment files). */
  readonly onEvent?: (event: RecordedEvent) => void;
}

/** An anchor was asked for at a global position that cannot be anchored. */
export class AnchorPositionError extends Error {
  constructor(
    readonly position: number,
    /** `unknown`: no event has that position; `unsettled`: a transaction that may still land before it is open. */
    readonly reason: 'unknown' | 'unsettled',
    /** The settled head of the log (0 when empty). */
    readonly headPosition: number,
  ) {
    super(
      reason === 'unknown'
        ? `no event has global position ${position} (the log's settled head is ${headPosition})`
        : `global position ${position} is not settled yet: a transaction that may still add events before it is open; try again shortly`,
    );
    this.name = 'AnchorPositionError';
  }

  /** `not_found` for a position no event has, `not_settled` for one that may still change. */
  get code(): 'not_found' | 'not_settled' {
    return this.reason === 'unknown' ? 'not_found' : 'not_settled';
  }

  /** The request field that named the position. */
  get field(): string {
    return 'position';
  }
}

/** Whether an anchor still holds: the same streams and digest at the same point. */
export function anchorsMatch(kept: StoreAnchor, now: StoreAnchor): boolean {
  return kept.position === now.position && kept.commit === now.commit && kept.streams === now.streams && kept.digest === now.digest;
}

/**
 * An anchor as someone kept it (parsed JSON), checked field by field; a RangeError names the
 * field that is wrong. Extra fields are ignored.
 */
export function parseStoreAnchor(value: unknown): StoreAnchor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RangeError('an anchor is a JSON object { position, commit, streams, digest }');
  const { position, commit, streams, digest } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(position) || (position as number) < 0) throw new RangeError('anchor field "position" must be a non-negative integer');
  if (typeof commit !== 'string' || !/^\d{1,20}$/.test(commit)) throw new RangeError('anchor field "commit" must be a transaction id written as a string of digits');
  if (!Number.isSafeInteger(streams) || (streams as number) < 0) throw new RangeError('anchor field "streams" must be a non-negative integer');
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) throw new RangeError('anchor field "digest" must be 64 lower-case hex digits (sha256)');
  return { position: position as number, commit, streams: streams as number, digest };
}

/** What EVENT_STORE provides, whichever adapter: the engine's port and the audit reads. */
export type AuditableEventStore = EventStore & EventStoreAudit;
