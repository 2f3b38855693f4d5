/** The checks of the port's arguments that every adapter makes alike, and the running of a subscription. */
import type { ExpectedRevision, NewEvent, ReadStreamOptions, Subscription } from './event-store.port.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Revisions and schema versions are PostgreSQL integers; both adapters refuse the same appends. */
const INT32_MAX = 2_147_483_647;

/** Refuses a malformed append before anything is read or written (the same checks for every adapter). */
export function validateAppend(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): void {
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

/** readStream's options checked: the first revision (default 0) and the most events (undefined: all). */
export function readStreamRange(options: ReadStreamOptions): { readonly from: number; readonly max: number | undefined } {
  const from = options.fromRevision ?? 0;
  if (!Number.isInteger(from) || from < 0) throw new RangeError(`fromRevision must be a non-negative integer, got ${from}`);
  const max = options.maxCount;
  if (max !== undefined && (!Number.isInteger(max) || max < 0)) throw new RangeError(`maxCount must be a non-negative integer, got ${max}`);
  return { from, max };
}

/** A subscription's batch size checked (default 500). */
export function subscriptionBatchSize(batchSize = 500): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  return batchSize;
}

/**
 * A Subscription around a loop that returns once its signal aborts: stop() aborts and waits for
 * the loop (the batch in hand finishes), done is the loop. It stays in `running` until it settles.
 */
export function startSubscription(loop: (signal: AbortSignal) => Promise<void>, running: Set<Subscription>): Subscription {
  const abort = new AbortController();
  const done = loop(abort.signal);
  const subscription: Subscription = {
    done,
    stop: async () => {
      abort.abort();
      await done.catch(() => undefined);
    },
  };
  running.add(subscription);
  const forget = () => running.delete(subscription);
  done.then(forget, forget);
  return subscription;
}
