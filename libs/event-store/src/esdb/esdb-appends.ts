/**
 * The decisions of an EventStoreDB append, as pure functions over what a read of the stream
 * showed, so that they are tested without a server (esdb-event-store.ts does the reading and
 * writing around them).
 *
 * EventStoreDB keeps no index of event ids and no head row: the adapter reads the stream first.
 * Its events give the head (last revision and hash, for the next event's prevHash and the exact
 * expected revision sent to the server) and the ids already stored, so that a repeat is told
 * from a conflict before anything is written.
 */
import { EventIdConflictError, type EventMetadata, type ExpectedRevision, type NewEvent, type StreamHead } from '../event-store.port.js';
import { canonicalJson, eventHash } from '../hashing.js';

/** What the plan needs of each stored event of the stream, in revision order. */
export interface StoredEventRef {
  readonly id: string;
  readonly revision: number;
  readonly hash: string;
}

export type AppendPlan =
  /** Every id is stored already, consecutive and in this order: return those events, write nothing. */
  | { readonly kind: 'repeat'; readonly fromRevision: number }
  /** The expectation does not hold: the stream's current revision, null when it has no events. */
  | { readonly kind: 'wrong_revision'; readonly actual: number | null }
  /** Append after this head (null: create the stream). */
  | { readonly kind: 'append'; readonly after: StreamHead | null };

/**
 * What to do with an append, given the stream's stored events (in revision order). Ids that are
 * stored some other way (only some of them, or not consecutively in this order) throw
 * EventIdConflictError. A repeat is recognised whatever the expected revision, as the PostgreSQL
 * adapter does. Ids are compared in lower case; the caller has validated the append.
 */
export function planAppend(streamId: string, stored: readonly StoredEventRef[], ids: readonly string[], expected: ExpectedRevision): AppendPlan {
  const revisionOf = new Map(stored.map((event) => [event.id.toLowerCase(), event.revision]));
  const found = ids.filter((id) => revisionOf.has(id));
  if (found.length > 0) {
    const conflict = (detail: string) => new EventIdConflictError(streamId, found, detail);
    if (found.length !== ids.length) throw conflict(`${found.length} of the ${ids.length} events are stored, the others are not`);
    const first = revisionOf.get(ids[0]!)!;
    if (ids.some((id, index) => revisionOf.get(id) !== first + index)) throw conflict('the events are stored at other revisions or in another order');
    return { kind: 'repeat', fromRevision: first };
  }
  const last = stored.at(-1);
  const head = last ? { revision: last.revision, hash: last.hash } : null;
  const holds =
    expected === 'any' ||
    (expected === 'no_stream' && head === null) ||
    (expected === 'stream_exists' && head !== null) ||
    (typeof expected === 'number' && head?.revision === expected);
  return holds ? { kind: 'append', after: head } : { kind: 'wrong_revision', actual: head?.revision ?? null };
}

/** A new event with its place in the stream and its link in the chain, as it will be stored and read back. */
export interface ChainedEvent {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** The stored JSON, not the writer's objects (which may hold Dates etc.): what is hashed is what is read. */
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
  readonly revision: number;
  readonly prevHash: string | null;
  readonly hash: string;
}

/** The events to append after `head`: revisions from head + 1, each hashed over the same fields as in PostgreSQL and linked to the previous. */
export function chainEvents(streamId: string, head: StreamHead | null, events: readonly NewEvent[]): ChainedEvent[] {
  let prevHash = head?.hash ?? null;
  const firstRevision = (head?.revision ?? -1) + 1;
  return events.map((event, index) => {
    const fields = {
      streamId,
      revision: firstRevision + index,
      id: event.id.toLowerCase(),
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: JSON.parse(canonicalJson(event.data)) as Record<string, unknown>,
      metadata: JSON.parse(canonicalJson(event.metadata)) as EventMetadata,
      prevHash,
    };
    const hash = eventHash(fields);
    prevHash = hash;
    return { id: fields.id, type: fields.type, schemaVersion: fields.schemaVersion, data: fields.data, metadata: fields.metadata, revision: fields.revision, prevHash: fields.prevHash, hash };
  });
}

const SCHEMES: Readonly<Record<string, string>> = {
  'esdb:': 'esdb:',
  'esdb+discover:': 'esdb+discover:',
  'kurrentdb:': 'esdb:',
  'kurrentdb+discover:': 'esdb+discover:',
};

/** The URL schemes EVENTSTORE_URL accepts. */
export const EVENTSTORE_URL_SCHEMES: readonly string[] = Object.keys(SCHEMES).map((scheme) => `${scheme}//`);

/**
 * The connection string the client understands: `kurrentdb://` and `kurrentdb+discover://` (the
 * server's new name) become `esdb://` and `esdb+discover://`, which is all @eventstore/db-client 6
 * parses; the rest (hosts, which may be several, and settings) is kept as given. Anything else is
 * refused, naming the schemes accepted.
 */
export function esdbConnectionString(url: string): string {
  const match = /^([a-z+]+:)\/\//i.exec(url.trim());
  const scheme = match ? SCHEMES[match[1]!.toLowerCase()] : undefined;
  if (!match || scheme === undefined) {
    // The URL may carry a password: name only its scheme.
    throw new TypeError(`an EventStoreDB / KurrentDB URL starts with ${EVENTSTORE_URL_SCHEMES.join(', ')}, not ${match ? match[1] : 'no scheme'}`);
  }
  return `${scheme}//${url.trim().slice(match[0].length)}`;
}
