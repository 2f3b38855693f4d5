import { createHash } from 'node:crypto';
import type { RecordedEvent, StreamHead } from './event-store.port.js';

/**
 * The canonical JSON form that event hashes are taken over: object keys sorted by UTF-16 code
 * units, no whitespace, strings and numbers written as JSON.stringify writes them. For JSON
 * values this is RFC 8785 (JCS). Values JSON cannot carry faithfully are refused rather than
 * silently changed: non-finite numbers, bigints and cycles throw a TypeError; `undefined`,
 * functions and symbols are dropped from objects and become null in arrays, as in JSON.stringify
 * (so what is hashed is exactly what is stored).
 */
export function canonicalJson(value: unknown): string {
  const text = serialize(value, []);
  if (text === undefined) throw new TypeError(`canonicalJson: ${typeof value} is not a JSON value`);
  return text;
}

function serialize(input: unknown, ancestors: object[]): string | undefined {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: bigint is not a JSON value (send it as a string)');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (ancestors.includes(object)) throw new TypeError('canonicalJson: cyclic value');
  ancestors.push(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item: unknown) => serialize(item, ancestors) ?? 'null').join(',')}]`;
    }
    const record = object as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const text = serialize(record[key], ancestors);
      if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    ancestors.pop();
  }
}

/** What an event's hash covers: its envelope, its payload and the link to its predecessor. */
export interface HashedEventFields {
  readonly streamId: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly prevHash: string | null;
}

/**
 * The canonical text of an event split around its `prevHash` value:
 * `canonicalJson(fields) === head + JSON.stringify(prevHash) + tail`.
 *
 * The keys in sorted order are data, id, metadata, prevHash, revision, schemaVersion, streamId,
 * type. An appender that does not know the previous hash yet (it sits in the stream's head row)
 * sends head and tail and lets the database put the hash in between.
 */
export interface CanonicalEventParts {
  readonly head: string;
  readonly tail: string;
  /** canonicalJson(data), also what gets stored. */
  readonly data: string;
  /** canonicalJson(metadata), also what gets stored. */
  readonly metadata: string;
}

export function canonicalEventParts(fields: Omit<HashedEventFields, 'prevHash'>): CanonicalEventParts {
  const data = canonicalJson(fields.data);
  const metadata = canonicalJson(fields.metadata);
  return {
    data,
    metadata,
    head: `{"data":${data},"id":${JSON.stringify(fields.id)},"metadata":${metadata},"prevHash":`,
    tail:
      `,"revision":${canonicalJson(fields.revision)},"schemaVersion":${canonicalJson(fields.schemaVersion)}` +
      `,"streamId":${JSON.stringify(fields.streamId)},"type":${JSON.stringify(fields.type)}}`,
  };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** sha256 hex over the canonical JSON of the event's hashed fields. */
export function eventHash(fields: HashedEventFields): string {
  return sha256Hex(
    canonicalJson({
      streamId: fields.streamId,
      revision: fields.revision,
      id: fields.id,
      type: fields.type,
      schemaVersion: fields.schemaVersion,
      data: fields.data,
      metadata: fields.metadata,
      prevHash: fields.prevHash,
    }),
  );
}

/** The hash of an event from its split canonical parts (same value as eventHash). */
export function hashFromParts(parts: Pick<CanonicalEventParts, 'head' | 'tail'>, prevHash: string | null): string {
  return sha256Hex(`${parts.head}${JSON.stringify(prevHash)}${parts.tail}`);
}

export type VerifiableEvent = HashedEventFields & Pick<RecordedEvent, 'hash'>;

export interface StreamVerification {
  /** True when every event, every link and the head row check out. */
  readonly ok: boolean;
  /** How many events were checked. */
  readonly events: number;
  /** The recomputed hash of the last event that checked out, or null if none did. */
  readonly headHash: string | null;
  /** The first revision that is missing, altered or not vouched for by the head row. */
  readonly firstBrokenRevision?: number;
  /** What is wrong, in words. */
  readonly problem?: string;
}

/**
 * Checks one stream's record is whole: revisions contiguous from 0, each event's hash recomputed
 * from its fields, each prevHash equal to the previous event's hash, and the head row's revision
 * and hash equal to the last event's (so deleting the newest events is caught too). Pure: hand it
 * the events of readStream (in revision order) and streamHead.
 */
export function verifyStream(events: readonly VerifiableEvent[], head: StreamHead | null): StreamVerification {
  const check = new StreamChainCheck();
  for (const event of events) check.add(event);
  return check.finish(head);
}

/**
 * verifyStream one event at a time, so that a stream of any length is checked in constant memory:
 * `add` each event in revision order, then `finish` with the stream's head row. After the first
 * problem the remaining events are only counted.
 */
export class StreamChainCheck {
  #count = 0;
  #streamId: string | undefined;
  /** The stored hash and revision of the last event added while the chain held. */
  #last: { readonly revision: number; readonly hash: string } | null = null;
  /** The recomputed hash of the last event that checked out. */
  #headHash: string | null = null;
  #failure: { readonly revision: number; readonly problem: string } | null = null;

  /** How many events were added. */
  get events(): number {
    return this.#count;
  }

  add(event: VerifiableEvent): void {
    const index = this.#count++;
    if (this.#failure) return;
    this.#streamId ??= event.streamId;
    const fail = (revision: number, problem: string) => void (this.#failure = { revision, problem });
    if (event.streamId !== this.#streamId) return fail(index, `event at index ${index} belongs to stream ${event.streamId}, not ${this.#streamId}`);
    if (event.revision !== index) {
      return event.revision > index
        ? fail(index, `revision ${index} is missing (next found: ${event.revision})`)
        : fail(event.revision, `revision ${event.revision} appears out of order or twice`);
    }
    if (event.prevHash !== (this.#last?.hash ?? null)) return fail(index, `revision ${index} does not link to the hash of revision ${index - 1}`);
    const recomputed = eventHash(event);
    if (recomputed !== event.hash) return fail(index, `revision ${index} was altered: its hash does not match its contents`);
    this.#headHash = recomputed;
    this.#last = { revision: event.revision, hash: event.hash };
  }

  finish(head: StreamHead | null): StreamVerification {
    const headHash = this.#headHash;
    const broken = (revision: number, problem: string): StreamVerification => ({
      ok: false,
      events: this.#count,
      headHash,
      firstBrokenRevision: revision,
      problem,
    });
    if (this.#failure) return broken(this.#failure.revision, this.#failure.problem);
    const last = this.#last;
    if (!last) {
      return head === null ? { ok: true, events: 0, headHash: null } : broken(0, `the head row records revision ${head.revision} but the stream has no events`);
    }
    if (head === null) return broken(last.revision + 1, 'the stream head row is missing');
    if (head.revision > last.revision) {
      return broken(last.revision + 1, `the head row records revision ${head.revision} but the events end at ${last.revision}: events were removed`);
    }
    if (head.revision < last.revision) {
      return broken(head.revision + 1, `events after the head row's revision ${head.revision} were added outside an append`);
    }
    if (head.hash !== last.hash) return broken(last.revision, `the head row's hash does not match revision ${last.revision}`);
    return { ok: true, events: this.#count, headHash };
  }
}

/**
 * The digest of a set of stream heads: sha256 hex of the canonical JSON of the object that maps
 * each stream id to its head hash, i.e. of `{"<stream id>":"<hash>",...}` with the ids sorted by
 * UTF-16 code units. Written out piece by piece, so the JSON text itself is never held in memory.
 * The same value as `sha256Hex(canonicalJson(Object.fromEntries(heads)))`; anyone can recompute it.
 */
export function streamHeadsDigest(heads: readonly (readonly [streamId: string, hash: string])[]): string {
  const sorted = [...heads].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = createHash('sha256');
  digest.update('{', 'utf8');
  sorted.forEach(([streamId, hash], index) => {
    if (index > 0 && streamId === sorted[index - 1]![0]) throw new RangeError(`streamHeadsDigest: stream ${streamId} appears twice`);
    digest.update(`${index > 0 ? ',' : ''}${JSON.stringify(streamId)}:${JSON.stringify(hash)}`, 'utf8');
  });
  digest.update('}', 'utf8');
  return digest.digest('hex');
}
