import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  NO_STREAM,
  START,
  type AllStreamResolvedEvent,
  type Direction,
} from '@eventstore/db-client';
import { readStreamRange, startSubscription, subscriptionBatchSize, validateAppend } from '../port-arguments.js';
import { AnchorPositionError, type BrokenStream, type EventStoreAudit, type StoreVerification, type StreamWithHead, type VerifyStoreOptions } from '../event-store-audit.port.js';
import {
  comparePositions,
  WrongExpectedRevisionError,
  type AppendResult,
  type BatchHandler,
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
import { StreamChainCheck, streamHeadsDigest } from '../hashing.js';
import { chainEvents, esdbConnectionString, planAppend } from './esdb-appends.js';
import { fromPosition, fromRecordedEvent, fromStreamEvent, globalPositionOf, headOf, toEventData, toPortError, toPosition } from './esdb-mapping.js';
import { ReadableBatches } from './readable-batches.js';

export interface EsdbEventStoreOptions {
  /** `esdb://`, `esdb+discover://`, `kurrentdb://` or `kurrentdb+discover://` (EVENTSTORE_URL). */
  readonly url: string;
}

/**
 * An append with 'any' or 'stream_exists' reads the stream's head, then appends at exactly that
 * revision (so that the hash chain links to the event it was computed from); a concurrent append
 * in between makes it read and try again, up to this many times.
 */
const MAX_UNPINNED_ATTEMPTS = 32;
/** An append at an exact revision that meets a conflict reads the stream again to tell a repeat from a conflict; this bounds that. */
const MAX_PINNED_ATTEMPTS = 3;
const DEFAULT_VERIFY_EVENT_BATCH = 2000;

/**
 * The EventStoreDB / KurrentDB adapter of the event store port and of the audit port, on
 * @eventstore/db-client (the mapping of events, positions, revisions and errors: esdb-mapping.ts;
 * the append decisions: esdb-appends.ts).
 *
 * What differs from PostgreSQL, and why:
 * - Appends read the stream before writing (the server keeps no head row and no index of event
 *   ids): its last event gives the head and the next prevHash, its ids tell a repeat from a
 *   conflict. The write goes to the exact revision read, so a concurrent append makes it fail
 *   rather than break the chain. The events are then read back for their $all positions. That
 *   is three round trips where PostgreSQL's exact append takes one, and the first read grows
 *   with the stream (a case stream holds tens of events).
 * - Event ids are unique within a stream, not across the store: EventStoreDB has no global index
 *   of them, so an id reused in another stream is not refused (writers choose fresh UUIDv7s).
 * - The head of a stream is its last event, so removing the newest events of a stream is not
 *   caught by verification as it is in PostgreSQL (where the head row would disagree).
 * - $all positions are final once written (no transaction can land before them later), so every
 *   position is settled.
 * - The log is read past system events (`$`-streams and `$`-types: the server's own records and
 *   projections); any other event must be the product's (its metadata carries the envelope and
 *   chain), else reading it fails naming it: give the product a database of its own.
 * - countEvents and verifyAll walk the whole of $all: fine for a replay total and an audit, not
 *   for a request path.
 */
export class EsdbEventStore implements EventStore, EventStoreAudit {
  readonly #client: EventStoreDBClient;
  readonly #subscriptions = new Set<Subscription>();
  #closed = false;

  constructor(options: EsdbEventStoreOptions) {
    this.#client = EventStoreDBClient.connectionString(esdbConnectionString(options.url));
  }

  /** Reads the last record of $all, so that a server that cannot be reached stops start-up rather than the first request. */
  async assertReachable(): Promise<void> {
    this.#assertOpen();
    try {
      await collect(this.#client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
    } catch (error) {
      throw new Error(`the EventStoreDB / KurrentDB server of EVENTSTORE_URL cannot be read: ${(error as Error).message}`, { cause: error });
    }
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: { readonly expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    this.#assertOpen();
    const expected = options.expectedRevision;
    validateAppend(streamId, events, expected);
    const ids = events.map((event) => event.id.toLowerCase());
    const pinned = !(expected === 'any' || expected === 'stream_exists');
    const attempts = pinned ? MAX_PINNED_ATTEMPTS : MAX_UNPINNED_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      const stored = await this.#readStream(streamId, 0n, undefined, FORWARDS);
      const plan = planAppend(streamId, stored, ids, expected);
      if (plan.kind === 'repeat') return resultOf(stored.filter((event) => event.revision >= plan.fromRevision && event.revision < plan.fromRevision + ids.length));
      if (plan.kind === 'wrong_revision') throw new WrongExpectedRevisionError(streamId, expected, plan.actual);
      const chained = chainEvents(streamId, plan.after, events);
      try {
        await this.#client.appendToStream(
          streamId,
          chained.map((event) => toEventData(event, event)),
          { expectedRevision: plan.after === null ? NO_STREAM : BigInt(plan.after.revision) },
        );
      } catch (error) {
        const portError = toPortError(error, expected);
        // Another append landed between the read and the write: read again (a racing repeat of
        // these very events then shows up as a repeat, a real conflict as one).
        if (portError instanceof WrongExpectedRevisionError && attempt < attempts) {
          if (!pinned) await delay(Math.random() * attempt);
          continue;
        }
        throw portError;
      }
      return resultOf(await this.#appended(streamId, chained[0]!.revision, ids));
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.#assertOpen();
    const { from, max } = readStreamRange(options);
    if (max === 0) return [];
    return this.#readStream(streamId, BigInt(from), max, FORWARDS);
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    this.#assertOpen();
    const [last] = await this.#readStream(streamId, END, 1, BACKWARDS);
    return last ? headOf(last) : null;
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    this.#assertOpen();
    const { maxCount } = options;
    if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`maxCount must be a positive integer, got ${maxCount}`);
    return this.#readLogAfter(options.after ?? null, maxCount);
  }

  subscribeToAll(handler: BatchHandler, options: SubscribeOptions = {}): Subscription {
    this.#assertOpen();
    const batchSize = subscriptionBatchSize(options.batchSize);
    return startSubscription((signal) => this.#follow(handler, options.after ?? null, batchSize, signal), this.#subscriptions);
  }

  async positionOf(globalPosition: number): Promise<LogPosition | null> {
    this.#assertOpen();
    if (!Number.isSafeInteger(globalPosition) || globalPosition < 0) return null;
    // An event appended through gRPC commits itself (commit = prepare), so a read from (g, g)
    // starts at the event whose prepare position is g, if there is one.
    const at = BigInt(globalPosition);
    const [found] = await collect(this.#client.readAll({ fromPosition: { commit: at, prepare: at }, maxCount: 1, direction: FORWARDS }));
    const event = found?.event;
    return event && event.position.prepare === at ? fromPosition(event.position) : null;
  }

  /** A walk of the whole of $all, counting the product's events: what a replay works through, not for a request path. */
  async countEvents(): Promise<number> {
    this.#assertOpen();
    let count = 0;
    for await (const resolved of this.#client.readAll({ fromPosition: START, direction: FORWARDS })) {
      if (resolved.event && !isSystemEvent(resolved.event)) count++;
    }
    return count;
  }

  /** Both from one read: the head of a stream in EventStoreDB is its last event. */
  async readStreamWithHead(streamId: string): Promise<StreamWithHead> {
    this.#assertOpen();
    const events = await this.#readStream(streamId, 0n, undefined, FORWARDS);
    const last = events.at(-1);
    return { events, head: last ? headOf(last) : null };
  }

  /**
   * Walks $all once up to its end when the walk began, checking each stream's chain as its events
   * come by (one chain check per stream in memory). An anchor's `commit` is the event's $all
   * commit position.
   */
  async verifyAll(options: VerifyStoreOptions = {}): Promise<StoreVerification> {
    this.#assertOpen();
    const eventBatch = options.eventBatchSize ?? DEFAULT_VERIFY_EVENT_BATCH;
    if (!Number.isInteger(eventBatch) || eventBatch < 1) throw new RangeError(`eventBatchSize must be a positive integer, got ${eventBatch}`);
    const end = await this.#lastProductEvent();
    const anchorAt = await this.#anchorPoint(options.anchor, end);
    const totalEvents = await this.countEvents();
    const streams = new Map<string, { readonly check: StreamChainCheck; last: StreamHead; anchorHash: string | null }>();
    let events = 0;
    if (end) {
      for await (const resolved of this.#client.readAll({ fromPosition: START, direction: FORWARDS })) {
        const raw = resolved.event;
        if (!raw) continue;
        if (comparePositions(fromPosition(raw.position), end) > 0) break;
        if (isSystemEvent(raw)) continue;
        const event = fromRecordedEvent(raw);
        let stream = streams.get(event.streamId);
        if (!stream) streams.set(event.streamId, (stream = { check: new StreamChainCheck(), last: headOf(event), anchorHash: null }));
        stream.check.add(event);
        stream.last = headOf(event);
        if (anchorAt && comparePositions(event.position, anchorAt) <= 0) stream.anchorHash = event.hash;
        options.onEvent?.(event);
        if (++events % eventBatch === 0) await options.onProgress?.({ events, streams: streams.size, totalEvents });
      }
    }
    if (events % eventBatch !== 0) await options.onProgress?.({ events, streams: streams.size, totalEvents });
    const broken: BrokenStream[] = [];
    const anchorHeads: [string, string][] = [];
    for (const [streamId, stream] of streams) {
      const verdict = stream.check.finish(stream.last);
      if (!verdict.ok) broken.push({ streamId, revision: verdict.firstBrokenRevision!, problem: verdict.problem! });
      if (stream.anchorHash !== null) anchorHeads.push([streamId, stream.anchorHash]);
    }
    broken.sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
    const anchor = anchorAt && {
      position: globalPositionOf(anchorAt),
      commit: anchorAt.commit.toString(),
      streams: anchorHeads.length,
      digest: streamHeadsDigest(anchorHeads),
    };
    return { ok: broken.length === 0, streams: streams.size, events, broken, ...(anchor ? { anchor } : {}) };
  }

  /** Stops every subscription, then closes the client's connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.stop()));
    await this.#client.dispose();
  }

  /** The events just appended, read back for their positions; they must be the ones sent. */
  async #appended(streamId: string, fromRevision: number, ids: readonly string[]): Promise<RecordedEvent[]> {
    const events = await this.#readStream(streamId, BigInt(fromRevision), ids.length, FORWARDS);
    if (events.length !== ids.length || events.some((event, index) => event.id !== ids[index])) {
      throw new Error(`stream ${streamId}: the append succeeded but revisions ${fromRevision}.. do not hold the events appended`);
    }
    return events;
  }

  async #readStream(streamId: string, from: bigint | typeof END, maxCount: number | undefined, direction: Direction): Promise<RecordedEvent[]> {
    try {
      const read = this.#client.readStream(streamId, { fromRevision: from, direction, ...(maxCount === undefined ? {} : { maxCount }) });
      return (await collect(read)).flatMap((resolved) => (resolved.event ? [fromStreamEvent(resolved.event)] : []));
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw error;
    }
  }

  /**
   * Up to maxCount of the product's events strictly after `after`, reading $all in pages past
   * system events. A read from a position includes the event at it, so each page after the
   * first starts at the last position seen and skips it.
   */
  async #readLogAfter(after: LogPosition | null, maxCount: number): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    let seen = after;
    while (events.length < maxCount) {
      const want = maxCount - events.length + 1;
      const page = await collect(this.#client.readAll({ fromPosition: seen ? toPosition(seen) : START, maxCount: want, direction: FORWARDS }));
      const taken = productEventsAfter(page, seen, maxCount - events.length);
      events.push(...taken.events);
      seen = taken.seen;
      if (taken.fresh === 0 || page.length < want) break;
    }
    return events;
  }

  /** Catches up by pages of readAll (batches as PostgreSQL gives them), then follows a live subscription from the last event delivered. */
  async #follow(handler: BatchHandler, after: LogPosition | null, batchSize: number, signal: AbortSignal): Promise<void> {
    let position = after;
    while (!signal.aborted) {
      const batch = await this.#readLogAfter(position, batchSize);
      if (signal.aborted) return;
      if (batch.length > 0) {
        await handler(batch);
        position = batch.at(-1)!.position;
      }
      if (batch.length < batchSize) break;
    }
    if (signal.aborted) return;
    // From the last event delivered (exclusive), or the start: nothing appended since the last page is missed.
    const live = this.#client.subscribeToAll({ fromPosition: position ? toPosition(position) : START, filter: excludeSystemEvents() });
    // A Readable underneath; its typings narrow the listeners so far that TypeScript no longer sees one.
    const batches = new ReadableBatches<AllStreamResolvedEvent>(live as unknown as Readable, batchSize);
    try {
      for (;;) {
        const resolved = await batches.next(signal);
        if (resolved === null) {
          if (signal.aborted) return;
          throw new Error('the EventStoreDB subscription to $all ended');
        }
        // Never twice, whichever way the server counts the starting position.
        const { events } = productEventsAfter(resolved, position, Infinity);
        if (events.length === 0) continue;
        await handler(events);
        position = events.at(-1)!.position;
        if (signal.aborted) return;
      }
    } finally {
      await live.unsubscribe().catch(() => undefined);
    }
  }

  /** The position of the last of the product's events in $all, or null for an empty log. */
  async #lastProductEvent(): Promise<LogPosition | null> {
    let from: LogPosition | typeof END = END;
    for (;;) {
      const page = await collect(this.#client.readAll({ fromPosition: from === END ? END : toPosition(from), maxCount: 100, direction: BACKWARDS }));
      const product = page.find(({ event }) => event && !isSystemEvent(event));
      if (product?.event) return fromPosition(product.event.position);
      const last = page.at(-1)?.event;
      if (!last || page.length < 100) return null;
      const next = fromPosition(last.position);
      if (from !== END && comparePositions(next, from) >= 0) return null;
      from = next;
    }
  }

  async #anchorPoint(point: VerifyStoreOptions['anchor'], end: LogPosition | null): Promise<LogPosition | null> {
    if (point === undefined) return null;
    if (point === 'head') return end ?? { commit: 0n, prepare: 0n };
    const { position } = point;
    if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`an anchor position must be a non-negative integer, got ${position}`);
    if (point.commit !== undefined) {
      if (!/^\d{1,20}$/.test(point.commit)) throw new RangeError(`an anchor commit must be a commit position (digits), got ${point.commit}`);
      return { commit: BigInt(point.commit), prepare: BigInt(position) };
    }
    const at = await this.positionOf(position);
    if (!at) throw new AnchorPositionError(position, 'unknown', end ? globalPositionOf(end) : 0);
    return at;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the event store is closed');
  }
}

/**
 * The product's events in one page of $all that come strictly after `seen` (a read from a
 * position may include the record at it), past system events, at most `room` of them; with the
 * position of the last record looked at (where the next page starts) and how many were new.
 */
export function productEventsAfter(
  page: readonly AllStreamResolvedEvent[],
  seen: LogPosition | null,
  room: number,
): { readonly events: RecordedEvent[]; readonly seen: LogPosition | null; readonly fresh: number } {
  const events: RecordedEvent[] = [];
  let last = seen;
  let fresh = 0;
  for (const { event } of page) {
    if (events.length >= room) break;
    if (!event) continue;
    const position = fromPosition(event.position);
    if (last && comparePositions(position, last) <= 0) continue;
    last = position;
    fresh++;
    if (!isSystemEvent(event)) events.push(fromRecordedEvent(event));
  }
  return { events, seen: last, fresh };
}

/** The server's own records and its projections' output: `$`-streams and `$`-types (link events are `$>`). */
export function isSystemEvent(event: { readonly streamId: string; readonly type: string }): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

function resultOf(events: readonly RecordedEvent[]): AppendResult {
  const last = events.at(-1)!;
  return { nextExpectedRevision: last.revision, globalPosition: last.globalPosition, position: last.position, events: [...events] };
}

async function collect<E>(read: AsyncIterable<E>): Promise<E[]> {
  const items: E[] = [];
  for await (const item of read) items.push(item);
  return items;
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof Error && (error as { type?: unknown }).type === 'stream-not-found';
}

