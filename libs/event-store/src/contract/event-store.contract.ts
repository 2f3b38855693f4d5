/**
 * The event store contract: what every adapter of the port must do, as one Jest suite. An
 * adapter's spec calls describeEventStoreContract with a factory for a store on an empty log.
 * Nothing here knows the adapter: tests that need to reach under the port (holding a database
 * transaction open, tampering with rows) live in the adapter's own spec.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { v7 as uuidv7 } from 'uuid';
import {
  comparePositions,
  EventIdConflictError,
  WrongExpectedRevisionError,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type LogPosition,
  type NewEvent,
  type RecordedEvent,
} from '../event-store.port.js';
import { canonicalJson, verifyStream } from '../hashing.js';

export interface EventStoreContractFixture {
  /** A store on a log that only this suite writes to. */
  readonly store: EventStore;
  /**
   * A second store on the same log, as another process would open it. Its subscriptions must
   * see the first one's appends without waiting for a slow poll.
   */
  readonly otherStore: EventStore;
  /** Closes both stores and whatever the factory opened. */
  close(): Promise<void>;
  /**
   * Whether an id stored in one stream is refused in another (default true). EventStoreDB keeps
   * no index of event ids across streams, so its adapter checks them within a stream only.
   */
  readonly idsUniqueAcrossStreams?: boolean;
}

const LONG = 60_000;

export function metadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    actorId: 'hd-dg.coordinator',
    actorRole: 'coordinator',
    unitId: 'hd-dg',
    at: '2026-03-02T09:00:00+08:00',
    correlationId: uuidv7(),
    causationId: null,
    ...overrides,
  };
}

export function newEvent(type = 'NoteAdded', data: Record<string, unknown> = { text: '电话联系当事人' }): NewEvent {
  return { id: uuidv7(), type, schemaVersion: 1, data, metadata: metadata() };
}

export function newStreamId(prefix = 'case'): string {
  return `${prefix}-${uuidv7()}`;
}

/** The position after the last event currently readable: a checkpoint that skips what earlier tests wrote. */
export async function endOfLog(store: EventStore): Promise<LogPosition | null> {
  let after: LogPosition | null = null;
  for (;;) {
    const batch = await store.readAll({ after, maxCount: 1000 });
    if (batch.length === 0) return after;
    after = batch.at(-1)!.position;
  }
}

/** Collects what a subscription delivers and lets a test await a count of events. */
export class Collector {
  readonly events: RecordedEvent[] = [];
  readonly batches: number[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];
  #inFlight = 0;
  maxInFlight = 0;

  readonly handler = async (batch: readonly RecordedEvent[]): Promise<void> => {
    this.#inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
    await Promise.resolve();
    this.events.push(...batch);
    this.batches.push(batch.length);
    this.#inFlight--;
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.events.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  /** Resolves once at least `count` events arrived; rejects after `timeoutMs` saying what did arrive. */
  until(count: number, timeoutMs = 20_000): Promise<void> {
    if (this.events.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${count} events; got ${this.events.length}: ${this.events.map((e) => e.type).join(', ')}`)),
        timeoutMs,
      );
      this.#waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  ids(): string[] {
    return this.events.map((e) => e.id);
  }
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure, but it succeeded');
    },
    (error: unknown) => error,
  );
}

async function conflict(promise: Promise<unknown>): Promise<WrongExpectedRevisionError> {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  return error as WrongExpectedRevisionError;
}

function expectIncreasing(events: readonly RecordedEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    expect(comparePositions(events[i - 1]!.position, events[i]!.position)).toBeLessThan(0);
  }
}

async function expectWhole(store: EventStore, streamId: string, length: number): Promise<RecordedEvent[]> {
  const events = await store.readStream(streamId);
  expect(events.map((e) => e.revision)).toEqual(Array.from({ length }, (_, i) => i));
  expect(new Set(events.map((e) => e.id)).size).toBe(length);
  expect(verifyStream(events, await store.streamHead(streamId))).toMatchObject({ ok: true, events: length });
  return events;
}

export function describeEventStoreContract(name: string, factory: () => Promise<EventStoreContractFixture>): void {
  describe(`event store contract: ${name}`, () => {
    let fixture: EventStoreContractFixture;
    let store: EventStore;

    beforeAll(async () => {
      fixture = await factory();
      store = fixture.store;
    }, LONG);

    afterAll(async () => {
      await fixture?.close();
    }, LONG);

    describe('appending and reading a stream', () => {
      it('records the envelope: revisions from 0, positions, the hash chain, data and metadata as given', async () => {
        const streamId = newStreamId();
        const first = newEvent('CaseFiled', { title: '楼上漏水纠纷', parties: [{ name: '张三' }, { name: '李四' }], count: 2, urgent: false });
        const second = newEvent('CaseAccepted', { note: null });
        const third = newEvent('NoteAdded', { noteType: 'visit', text: '上门走访' });
        const a = await store.appendToStream(streamId, [first], { expectedRevision: 'no_stream' });
        const b = await store.appendToStream(streamId, [second, third], { expectedRevision: 0 });

        expect(a.nextExpectedRevision).toBe(0);
        expect(b.nextExpectedRevision).toBe(2);
        expect(b.events.map((e) => e.revision)).toEqual([1, 2]);
        expect(b.globalPosition).toBe(b.events[1]!.globalPosition);
        expect(b.position).toEqual(b.events[1]!.position);

        const events = await expectWhole(store, streamId, 3);
        expect(events).toEqual([...a.events, ...b.events]);
        expect(events.map((e) => e.id)).toEqual([first.id, second.id, third.id]);
        expect(events[0]).toMatchObject({ streamId, type: 'CaseFiled', schemaVersion: 1, data: first.data, metadata: first.metadata, prevHash: null });
        expect(events[1]!.prevHash).toBe(events[0]!.hash);
        expect(events[2]!.prevHash).toBe(events[1]!.hash);
        expect(events[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
        expectIncreasing(events);
        expect(events[2]!.globalPosition).toBeGreaterThan(events[0]!.globalPosition);
        expect(await store.streamHead(streamId)).toEqual({ revision: 2, hash: events[2]!.hash });
      });

      it('reads from a revision, at most maxCount, and an empty list for a missing stream', async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, Array.from({ length: 6 }, (_, n) => newEvent('NoteAdded', { n })), { expectedRevision: 'no_stream' });
        expect((await store.readStream(streamId, { fromRevision: 4 })).map((e) => e.data.n)).toEqual([4, 5]);
        expect((await store.readStream(streamId, { fromRevision: 1, maxCount: 2 })).map((e) => e.revision)).toEqual([1, 2]);
        expect(await store.readStream(streamId, { fromRevision: 6 })).toEqual([]);
        expect(await store.readStream(newStreamId())).toEqual([]);
        expect(await store.streamHead(newStreamId())).toBeNull();
      });

      it('normalises event ids to lower case, so re-sending them in upper case is still the same event', async () => {
        const streamId = newStreamId();
        const event = newEvent();
        const upper = { ...event, id: event.id.toUpperCase() };
        const first = await store.appendToStream(streamId, [upper], { expectedRevision: 'no_stream' });
        expect(first.events[0]!.id).toBe(event.id);
        const again = await store.appendToStream(streamId, [event], { expectedRevision: 'no_stream' });
        expect(again).toEqual(first);
        await expectWhole(store, streamId, 1);
      });

      it('refuses malformed appends before writing anything', async () => {
        const streamId = newStreamId();
        await expect(store.appendToStream(streamId, [], { expectedRevision: 'any' })).rejects.toThrow(RangeError);
        await expect(store.appendToStream(streamId, [{ ...newEvent(), id: 'not-a-uuid' }], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
        const twice = newEvent();
        await expect(store.appendToStream(streamId, [twice, twice], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
        await expect(store.appendToStream(streamId, [newEvent()], { expectedRevision: -1 })).rejects.toThrow(TypeError);
        await expect(store.appendToStream('', [newEvent()], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
        expect(await store.streamHead(streamId)).toBeNull();
      });
    });

    describe('expected revision', () => {
      async function streamAt(revision: number): Promise<string> {
        const streamId = newStreamId();
        await store.appendToStream(streamId, Array.from({ length: revision + 1 }, () => newEvent()), { expectedRevision: 'no_stream' });
        return streamId;
      }

      it('no_stream: creates a stream; on an existing one, conflicts with its revision', async () => {
        const streamId = newStreamId();
        expect((await store.appendToStream(streamId, [newEvent()], { expectedRevision: 'no_stream' })).nextExpectedRevision).toBe(0);
        const error = await conflict(store.appendToStream(streamId, [newEvent()], { expectedRevision: 'no_stream' }));
        expect(error).toMatchObject({ streamId, expected: 'no_stream', actual: 0, code: 'revision_conflict' });
        await expectWhole(store, streamId, 1);
      });

      it('stream_exists: appends to an existing stream; on a missing one, conflicts with actual null', async () => {
        const streamId = await streamAt(1);
        expect((await store.appendToStream(streamId, [newEvent()], { expectedRevision: 'stream_exists' })).nextExpectedRevision).toBe(2);
        const missing = newStreamId();
        const error = await conflict(store.appendToStream(missing, [newEvent()], { expectedRevision: 'stream_exists' }));
        expect(error).toMatchObject({ streamId: missing, expected: 'stream_exists', actual: null });
        expect(await store.streamHead(missing)).toBeNull();
      });

      it('any: creates a missing stream and appends to an existing one', async () => {
        const streamId = newStreamId();
        expect((await store.appendToStream(streamId, [newEvent(), newEvent()], { expectedRevision: 'any' })).nextExpectedRevision).toBe(1);
        expect((await store.appendToStream(streamId, [newEvent()], { expectedRevision: 'any' })).nextExpectedRevision).toBe(2);
        await expectWhole(store, streamId, 3);
      });

      it('an exact revision: appends when it matches; otherwise conflicts with the current revision', async () => {
        const streamId = await streamAt(2);
        for (const stale of [0, 1, 3, 10]) {
          const error = await conflict(store.appendToStream(streamId, [newEvent()], { expectedRevision: stale }));
          expect(error).toMatchObject({ expected: stale, actual: 2 });
        }
        const result = await store.appendToStream(streamId, [newEvent(), newEvent()], { expectedRevision: 2 });
        expect(result.nextExpectedRevision).toBe(4);
        const missing = newStreamId();
        expect(await conflict(store.appendToStream(missing, [newEvent()], { expectedRevision: 0 }))).toMatchObject({ actual: null });
        await expectWhole(store, streamId, 5);
      });
    });

    describe('concurrent appenders', () => {
      const WRITERS = 20;

      it(
        `${WRITERS} writers at the same expected revision: exactly one wins each round, the others see the winner's revision`,
        async () => {
          const streamId = newStreamId();
          const winners: string[] = [];
          for (let round = 0; round <= 10; round++) {
            const expected: ExpectedRevision = round === 0 ? 'no_stream' : round - 1;
            const attempts = Array.from({ length: WRITERS }, () => newEvent('NoteAdded', { round }));
            const settled = await Promise.allSettled(attempts.map((event) => store.appendToStream(streamId, [event], { expectedRevision: expected })));
            const won = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [{ result: s.value, event: attempts[i]! }] : []));
            const lost = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
            expect(won).toHaveLength(1);
            expect(won[0]!.result.nextExpectedRevision).toBe(round);
            for (const error of lost) {
              expect(error).toBeInstanceOf(WrongExpectedRevisionError);
              expect((error as WrongExpectedRevisionError).actual).toBe(round);
            }
            winners.push(won[0]!.event.id);
          }
          const events = await expectWhole(store, streamId, 11);
          expect(events.map((e) => e.id)).toEqual(winners);
        },
        LONG,
      );

      it(
        `${WRITERS} writers retrying on conflict each land all their events: no gaps, no duplicates, nothing lost`,
        async () => {
          const streamId = newStreamId();
          await store.appendToStream(streamId, [newEvent('CaseFiled')], { expectedRevision: 'no_stream' });
          const PER_WRITER = 5;
          const written: string[][] = await Promise.all(
            Array.from({ length: WRITERS }, async (_, writer) => {
              const mine: string[] = [];
              for (let n = 0; n < PER_WRITER; n++) {
                const event = newEvent('NoteAdded', { writer, n });
                for (;;) {
                  const head = await store.streamHead(streamId);
                  try {
                    await store.appendToStream(streamId, [event], { expectedRevision: head!.revision });
                    break;
                  } catch (error) {
                    if (!(error instanceof WrongExpectedRevisionError)) throw error;
                  }
                }
                mine.push(event.id);
              }
              return mine;
            }),
          );
          const events = await expectWhole(store, streamId, 1 + WRITERS * PER_WRITER);
          const stored = events.slice(1).map((e) => e.id);
          expect(new Set(stored)).toEqual(new Set(written.flat()));
          // Each writer's events keep that writer's order.
          for (const mine of written) expect(stored.filter((id) => mine.includes(id))).toEqual(mine);
        },
        LONG,
      );

      it(
        `${WRITERS} writers with 'any' on a stream that does not exist yet all succeed, one after another`,
        async () => {
          const streamId = newStreamId();
          const results = await Promise.all(
            Array.from({ length: WRITERS }, (_, writer) => store.appendToStream(streamId, [newEvent('NoteAdded', { writer })], { expectedRevision: 'any' })),
          );
          expect(results.map((r) => r.nextExpectedRevision).sort((x, y) => x - y)).toEqual(Array.from({ length: WRITERS }, (_, i) => i));
          await expectWhole(store, streamId, WRITERS);
        },
        LONG,
      );
    });

    describe('idempotent appends', () => {
      it('re-appending the same ids (with the original expected revision, or any) returns the original result and writes nothing', async () => {
        const streamId = newStreamId();
        const filed = newEvent('CaseFiled');
        const created = await store.appendToStream(streamId, [filed], { expectedRevision: 'no_stream' });
        expect(await store.appendToStream(streamId, [filed], { expectedRevision: 'no_stream' })).toEqual(created);
        const batch = [newEvent(), newEvent(), newEvent()];
        const original = await store.appendToStream(streamId, batch, { expectedRevision: 0 });
        const checkpoint = await endOfLog(store);

        for (const expectedRevision of [0, 'any'] as const) {
          expect(await store.appendToStream(streamId, batch, { expectedRevision })).toEqual(original);
        }
        // A retry of only the first part of the batch is also a repeat.
        const firstTwo = await store.appendToStream(streamId, batch.slice(0, 2), { expectedRevision: 0 });
        expect(firstTwo.events).toEqual(original.events.slice(0, 2));
        expect(firstTwo.nextExpectedRevision).toBe(2);

        await expectWhole(store, streamId, 4);
        expect(await store.readAll({ after: checkpoint, maxCount: 100 })).toEqual([]);
      });

      it('a repeat racing its original: both succeed with the same result, one copy stored', async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, [newEvent('CaseFiled')], { expectedRevision: 'no_stream' });
        const batch = [newEvent(), newEvent()];
        const results = await Promise.all(Array.from({ length: 8 }, () => store.appendToStream(streamId, batch, { expectedRevision: 0 })));
        for (const result of results) expect(result).toEqual(results[0]);
        await expectWhole(store, streamId, 3);
      });

      it('partly overlapping, reordered or foreign ids are refused, and nothing is written', async () => {
        // How the refusal is reported is the adapter's business (EventIdConflictError, or a
        // revision conflict where the server's own idempotency check decides); that nothing is
        // written is the contract.
        const streamId = newStreamId();
        const [a, b, c] = [newEvent(), newEvent(), newEvent()];
        await store.appendToStream(streamId, [a, b, c], { expectedRevision: 'no_stream' });
        const otherStream = newStreamId();

        const attempts: [string, NewEvent[], ExpectedRevision][] = [
          [streamId, [c, newEvent()], 2],
          [streamId, [c, newEvent()], 'any'],
          [streamId, [newEvent(), a], 2],
          [streamId, [b, a], 'any'],
          [streamId, [a, c], 'any'],
          [otherStream, [a], 'no_stream'],
          [otherStream, [a, b, c], 'any'],
        ];
        const acrossStreams = fixture.idsUniqueAcrossStreams ?? true;
        if (!acrossStreams) console.warn(`[test] ${name}: ids are unique per stream only, so ids reused in another stream are not tried`);
        for (const [target, events, expectedRevision] of attempts.filter(([target]) => acrossStreams || target === streamId)) {
          const error = await failure(store.appendToStream(target, events, { expectedRevision }));
          expect(error instanceof EventIdConflictError || error instanceof WrongExpectedRevisionError).toBe(true);
        }
        await expectWhole(store, streamId, 3);
        expect(await store.streamHead(otherStream)).toBeNull();
      });
    });

    describe('text', () => {
      it('keeps Chinese text and emoji byte for byte, in data, metadata and stream ids, and the hash verifies', async () => {
        const title = '调解成功 🎉 民意';
        const rare = '𠀋'; // outside the Basic Multilingual Plane: a surrogate pair in JavaScript, 4 bytes in UTF-8
        expect(rare).toHaveLength(2);
        expect(Buffer.from(rare)).toHaveLength(4);
        const data = {
          title,
          rare,
          mixed: 'ÀÉ — “引号” \\ "quoted" \t tab \u2028 line separator',
          nested: { 当事人: ['张三', '李四'], 表情: '👨‍👩‍👧', 满意度: '基本满意' },
        };
        const streamId = newStreamId('case-民意-🎉');
        const event = { ...newEvent('CaseFiled', data), metadata: metadata({ actorId: '信息员.王五', unitId: '东关街道' }) };
        const appended = await store.appendToStream(streamId, [event], { expectedRevision: 'no_stream' });
        const [read] = await store.readStream(streamId);

        expect(read!.streamId).toBe(streamId);
        expect(Buffer.from(read!.data.title as string).equals(Buffer.from(title))).toBe(true);
        expect(Buffer.from(read!.data.rare as string).equals(Buffer.from(rare))).toBe(true);
        expect(Buffer.from(canonicalJson(read!.data)).equals(Buffer.from(canonicalJson(data)))).toBe(true);
        expect(Buffer.from(canonicalJson(read!.metadata)).equals(Buffer.from(canonicalJson(event.metadata)))).toBe(true);
        expect(read!.hash).toBe(appended.events[0]!.hash);
        expect(verifyStream([read!], await store.streamHead(streamId))).toMatchObject({ ok: true });

        const checkpointBefore = appended.position;
        const more = await store.appendToStream(streamId, [newEvent('NoteAdded', { text: rare.repeat(3) })], { expectedRevision: 0 });
        const [viaLog] = await store.readAll({ after: checkpointBefore, maxCount: 1 });
        expect(viaLog).toEqual(more.events[0]);
        await expectWhole(store, streamId, 2);
      });
    });

    describe('the global log', () => {
      it('reads in batches from a checkpoint, in position order, each event once, resuming where it stopped', async () => {
        const checkpoint = await endOfLog(store);
        const streams = [newStreamId(), newStreamId(), newStreamId()];
        const appended: RecordedEvent[] = [];
        for (let i = 0; i < 10; i++) {
          const streamId = streams[i % 3]!;
          const result = await store.appendToStream(streamId, [newEvent('NoteAdded', { i }), newEvent('NoteAdded', { i, second: true })], {
            expectedRevision: 'any',
          });
          appended.push(...result.events);
        }

        const read: RecordedEvent[] = [];
        const batchSizes: number[] = [];
        let after = checkpoint;
        for (;;) {
          const batch = await store.readAll({ after, maxCount: 3 });
          if (batch.length === 0) break;
          batchSizes.push(batch.length);
          read.push(...batch);
          after = batch.at(-1)!.position;
        }
        expect(batchSizes).toEqual([3, 3, 3, 3, 3, 3, 2]);
        expect(read).toEqual(appended);
        expectIncreasing(read);

        const resumed = await store.readAll({ after: read[9]!.position, maxCount: 100 });
        expect(resumed).toEqual(appended.slice(10));
        expect(await store.readAll({ after: read.at(-1)!.position, maxCount: 100 })).toEqual([]);
      });

      it('gives the position of a global position, and null for one it does not know', async () => {
        const result = await store.appendToStream(newStreamId(), [newEvent()], { expectedRevision: 'no_stream' });
        expect(await store.positionOf(result.globalPosition)).toEqual(result.position);
        expect(await store.positionOf(result.globalPosition + 1_000_000)).toBeNull();
      });

      it('counts the events of the whole log', async () => {
        const before = await store.countEvents();
        await store.appendToStream(newStreamId(), [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
        expect(await store.countEvents()).toBe(before + 2);
        expect(await fixture.otherStore.countEvents()).toBe(before + 2);
      });
    });

    describe('subscriptions', () => {
      it(
        'catch up from a checkpoint in batches, then follow new appends live, one batch at a time',
        async () => {
          const checkpoint = await endOfLog(store);
          const streamId = newStreamId();
          const before = await store.appendToStream(streamId, Array.from({ length: 7 }, (_, n) => newEvent('NoteAdded', { n })), {
            expectedRevision: 'no_stream',
          });
          const collector = new Collector();
          const subscription = store.subscribeToAll(collector.handler, { after: checkpoint, batchSize: 3 });
          try {
            await collector.until(7);
            expect(collector.batches.slice(0, 3)).toEqual([3, 3, 1]);
            expect(collector.events).toEqual(before.events);

            const live = await store.appendToStream(streamId, [newEvent('NoteAdded', { live: 1 })], { expectedRevision: 6 });
            await collector.until(8);
            const more = await store.appendToStream(streamId, [newEvent('NoteAdded', { live: 2 }), newEvent('NoteAdded', { live: 3 })], {
              expectedRevision: 7,
            });
            await collector.until(10);
            expect(collector.events).toEqual([...before.events, ...live.events, ...more.events]);
            expect(collector.maxInFlight).toBe(1);
          } finally {
            await subscription.stop();
          }
          await expect(subscription.done).resolves.toBeUndefined();
        },
        LONG,
      );

      it(
        "see another store instance's appends promptly (not only at a slow poll)",
        async () => {
          const checkpoint = await endOfLog(store);
          const collector = new Collector();
          const subscription = store.subscribeToAll(collector.handler, { after: checkpoint });
          try {
            const streamId = newStreamId();
            const first = await fixture.otherStore.appendToStream(streamId, [newEvent()], { expectedRevision: 'no_stream' });
            await collector.until(1, 10_000);
            const second = await fixture.otherStore.appendToStream(streamId, [newEvent()], { expectedRevision: 0 });
            await collector.until(2, 10_000);
            expect(collector.events).toEqual([...first.events, ...second.events]);
          } finally {
            await subscription.stop();
          }
        },
        LONG,
      );

      it('start from the beginning of the log when given no checkpoint', async () => {
        const first = (await store.readAll({ maxCount: 1 }))[0]!;
        const collector = new Collector();
        const subscription = store.subscribeToAll(collector.handler, { batchSize: 1 });
        try {
          await collector.until(1);
          expect(collector.events[0]).toEqual(first);
        } finally {
          await subscription.stop();
        }
      });

      it('reject done when the handler fails, and deliver nothing more', async () => {
        const checkpoint = await endOfLog(store);
        await store.appendToStream(newStreamId(), [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
        let calls = 0;
        const subscription = store.subscribeToAll(
          async () => {
            calls++;
            throw new Error('projection failed');
          },
          { after: checkpoint, batchSize: 1 },
        );
        await expect(subscription.done).rejects.toThrow('projection failed');
        await subscription.stop();
        expect(calls).toBe(1);
      });

      it('stop after the batch in hand: the handler finishes, nothing follows', async () => {
        const checkpoint = await endOfLog(store);
        await store.appendToStream(newStreamId(), [newEvent(), newEvent(), newEvent()], { expectedRevision: 'no_stream' });
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let entered!: () => void;
        const inHandler = new Promise<void>((resolve) => (entered = resolve));
        const seen: number[] = [];
        let finished = false;
        const subscription = store.subscribeToAll(
          async (batch) => {
            seen.push(batch.length);
            entered();
            await gate;
            finished = true;
          },
          { after: checkpoint, batchSize: 1 },
        );
        await inHandler;
        const stopped = subscription.stop();
        release();
        await stopped;
        expect(finished).toBe(true);
        expect(seen).toEqual([1]);
        await expect(subscription.done).resolves.toBeUndefined();
      });
    });
  });
}
