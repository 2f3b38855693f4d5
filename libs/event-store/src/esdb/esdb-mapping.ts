/**
 * How the event-store port maps onto EventStoreDB / KurrentDB (`@eventstore/db-client`), as pure
 * functions, so that the mapping is tested without a server:
 *
 * - An event's `data` is the port event's data; its `metadata` carries the envelope the port
 *   keeps beside it: the writer's metadata exactly as hashed (`envelope`), the schema version,
 *   and the hash chain (`prevHash`, `hash`), so that a stream verifies the same on both stores.
 *   `$correlationId` and `$causationId` repeat the envelope's for the server's own projections.
 * - A stream's head (last revision and hash) is its last event's revision and metadata `hash`.
 * - `$all` positions are the checkpoint: LogPosition { commit, prepare } is the server's Position.
 *   The single number clients see (`globalPosition`) is the prepare position, unique per event.
 *   An event appended through gRPC commits itself, so its commit and prepare positions are equal,
 *   and a stream read gives it the same position as a read of $all.
 * - Expected revisions: 'any' ↔ ANY, 'no_stream' ↔ NO_STREAM, 'stream_exists' ↔ STREAM_EXISTS,
 *   n ↔ BigInt(n); a wrong expected version becomes the port's WrongExpectedRevisionError.
 */
import type { AllStreamRecordedEvent, AppendExpectedRevision, RecordedEvent as ClientRecordedEvent, CurrentRevision, JSONEventData, Position } from '@eventstore/db-client';
import { WrongExpectedRevisionError, type EventMetadata, type ExpectedRevision, type LogPosition, type NewEvent, type RecordedEvent, type StreamHead } from '../event-store.port.js';

/** What an event's metadata holds on the server. */
export interface StoredMetadata {
  /** The writer's metadata, exactly as hashed. */
  readonly envelope: EventMetadata;
  readonly schemaVersion: number;
  /** sha256 hex of the stream's previous event, null for revision 0. */
  readonly prevHash: string | null;
  /** sha256 hex over the canonical form of this event (see eventHash). */
  readonly hash: string;
  readonly $correlationId: string;
  readonly $causationId?: string;
}

/** A new event as the client appends it, its chain already computed. */
export function toEventData(event: NewEvent, chain: { readonly prevHash: string | null; readonly hash: string }): JSONEventData {
  const metadata: StoredMetadata = {
    envelope: event.metadata,
    schemaVersion: event.schemaVersion,
    prevHash: chain.prevHash,
    hash: chain.hash,
    $correlationId: event.metadata.correlationId,
    ...(event.metadata.causationId === null ? {} : { $causationId: event.metadata.causationId }),
  };
  return { id: event.id, contentType: 'application/json', type: event.type, data: event.data, metadata: { ...metadata } };
}

/** A recorded `$all` event as the port hands it on; an event written by anything else is refused, naming it. */
export function fromRecordedEvent(recorded: AllStreamRecordedEvent): RecordedEvent {
  const where = `${recorded.streamId}@${recorded.revision}`;
  if (!recorded.isJson) throw new TypeError(`${where}: not a JSON event`);
  const metadata = storedMetadataOf(recorded.metadata, where);
  return {
    // Hashed in lower case; the client writes out the UUID it received in its own spelling.
    id: recorded.id.toLowerCase(),
    type: recorded.type,
    schemaVersion: metadata.schemaVersion,
    data: recorded.data as Record<string, unknown>,
    metadata: metadata.envelope,
    streamId: recorded.streamId,
    revision: revisionNumber(recorded.revision, where),
    globalPosition: globalPositionOf(recorded.position),
    position: fromPosition(recorded.position),
    prevHash: metadata.prevHash,
    hash: metadata.hash,
  };
}

/** Positions are signed 64-bit numbers on the server: its "no position" (-1) arrives as 2^64 - 1, past any real one. */
const NO_POSITION = 2n ** 63n;

/**
 * An event read from its stream. Servers give a stream-read event its $all position only when it
 * committed itself (as every event appended through gRPC does), and older ones never did: without
 * it the port's RecordedEvent cannot be made, so that is refused plainly.
 */
export function fromStreamEvent(event: ClientRecordedEvent): RecordedEvent {
  const { position } = event;
  if (!position || position.commit >= NO_POSITION || position.prepare >= NO_POSITION) {
    throw new Error(`${event.streamId}@${event.revision}: the server sent no $all position with the stream's event; this adapter needs a server that does (a current KurrentDB)`);
  }
  return fromRecordedEvent({ ...event, position } as AllStreamRecordedEvent);
}

/** The head of a stream from its last event. */
export function headOf(last: RecordedEvent): StreamHead {
  return { revision: last.revision, hash: last.hash };
}

export function toExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (typeof expected === 'number') {
    if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`expected revision must be a whole number ≥ 0, not ${expected}`);
    return BigInt(expected);
  }
  return expected;
}

export function toPosition(position: LogPosition): Position {
  return { commit: position.commit, prepare: position.prepare };
}

export function fromPosition(position: Position): LogPosition {
  return { commit: position.commit, prepare: position.prepare };
}

/** The one number clients see for an event: its prepare position, refused past what a JSON number holds exactly. */
export function globalPositionOf(position: Position): number {
  if (position.prepare > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`log position ${position.prepare} is past ${Number.MAX_SAFE_INTEGER}`);
  return Number(position.prepare);
}

/**
 * The port's error for a client's error: a wrong expected version becomes WrongExpectedRevisionError
 * with the stream's current revision (null when it has none); any other error is returned as it is.
 */
export function toPortError(error: unknown, expected: ExpectedRevision): unknown {
  if (!isWrongExpectedVersion(error)) return error;
  const actual = error.actualVersion === 'no_stream' ? null : revisionNumber(error.actualVersion, error.streamName);
  return new WrongExpectedRevisionError(error.streamName, expected, actual);
}

interface WrongExpectedVersion {
  readonly type: 'wrong-expected-version';
  readonly streamName: string;
  readonly actualVersion: CurrentRevision;
}

function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersion {
  return error instanceof Error && (error as { type?: unknown }).type === 'wrong-expected-version';
}

function revisionNumber(revision: bigint, where: string): number {
  if (revision > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${where}: revision ${revision} is past ${Number.MAX_SAFE_INTEGER}`);
  return Number(revision);
}

/** The stored metadata, checked field by field: an event without the chain cannot be verified. */
function storedMetadataOf(metadata: unknown, where: string): StoredMetadata {
  const fail = (field: string): never => {
    throw new TypeError(`${where}: metadata.${field} is missing or malformed`);
  };
  if (typeof metadata !== 'object' || metadata === null) return fail('envelope');
  const { envelope, schemaVersion, prevHash, hash } = metadata as Record<string, unknown>;
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) fail('envelope');
  if (typeof schemaVersion !== 'number' || !Number.isInteger(schemaVersion)) fail('schemaVersion');
  if (prevHash !== null && (typeof prevHash !== 'string' || !SHA256_HEX.test(prevHash))) fail('prevHash');
  if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) fail('hash');
  return metadata as StoredMetadata;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
