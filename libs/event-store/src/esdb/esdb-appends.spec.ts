import { describe, expect, it } from '@jest/globals';
import type { AllStreamResolvedEvent } from '@eventstore/db-client';
import { EventIdConflictError, type NewEvent } from '../event-store.port.js';
import { canonicalEventParts, hashFromParts, verifyStream } from '../hashing.js';
import { isSystemEvent, productEventsAfter } from './esdb-event-store.js';
import { toEventData } from './esdb-mapping.js';
import { chainEvents, esdbConnectionString, planAppend, type StoredEventRef } from './esdb-appends.js';

const STREAM = 'case-0190f0c4-1a2b-7c3d-8e4f-5a6b7c8d9e0f';
const id = (n: number) => `0190f0c4-1a2b-7c3d-8e4f-${String(n).padStart(12, '0')}`;

function note(n: number, extra: Record<string, unknown> = {}): NewEvent {
  return {
    id: id(n),
    type: 'NoteAdded',
    schemaVersion: 1,
    data: { text: `第${n}次电话联系当事人`, ...extra },
    metadata: { actorId: 'u-coordinator', actorRole: 'coordinator', unitId: 'hd-dg-1', at: '2026-11-02T09:05:00+08:00', correlationId: `c-${n}`, causationId: null },
  };
}

/** A stream of `length` events as a read of it shows them to the plan. */
function stored(length: number): StoredEventRef[] {
  return chainEvents(STREAM, null, Array.from({ length }, (_, n) => note(n + 1)));
}

describe('planning an EventStoreDB append from a read of the stream', () => {
  it('on a missing stream: no_stream and any create it; stream_exists and a revision conflict with no stream', () => {
    expect(planAppend(STREAM, [], [id(1)], 'no_stream')).toEqual({ kind: 'append', after: null });
    expect(planAppend(STREAM, [], [id(1)], 'any')).toEqual({ kind: 'append', after: null });
    expect(planAppend(STREAM, [], [id(1)], 'stream_exists')).toEqual({ kind: 'wrong_revision', actual: null });
    expect(planAppend(STREAM, [], [id(1)], 0)).toEqual({ kind: 'wrong_revision', actual: null });
  });

  it('on a stream at revision 2: appends after its last event when the expectation holds, else names revision 2', () => {
    const events = stored(3);
    const head = { revision: 2, hash: events[2]!.hash };
    for (const expected of [2, 'any', 'stream_exists'] as const) expect(planAppend(STREAM, events, [id(9)], expected)).toEqual({ kind: 'append', after: head });
    for (const expected of ['no_stream', 0, 1, 3] as const) expect(planAppend(STREAM, events, [id(9)], expected)).toEqual({ kind: 'wrong_revision', actual: 2 });
  });

  it('recognises a repeat (ids stored consecutively, in order, any case) whatever the expected revision', () => {
    const events = stored(4);
    for (const expected of [0, 'any', 'no_stream', 3] as const) {
      expect(planAppend(STREAM, events, [id(2), id(3)], expected)).toEqual({ kind: 'repeat', fromRevision: 1 });
    }
    const upper = events.map((event) => ({ ...event, id: event.id.toUpperCase() }));
    expect(planAppend(STREAM, upper, [id(1)], 'no_stream')).toEqual({ kind: 'repeat', fromRevision: 0 });
  });

  it('refuses ids stored any other way, naming those found', () => {
    const events = stored(3);
    const cases: [string[], string][] = [
      [[id(3), id(9)], '1 of the 2 events are stored'],
      [[id(9), id(1)], '1 of the 2 events are stored'],
      [[id(2), id(1)], 'other revisions or in another order'],
      [[id(1), id(3)], 'other revisions or in another order'],
    ];
    for (const [ids, detail] of cases) {
      let error: unknown;
      try {
        planAppend(STREAM, events, ids, 'any');
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(EventIdConflictError);
      expect((error as EventIdConflictError).eventIds).toEqual(ids.filter((x) => x !== id(9)));
      expect((error as EventIdConflictError).message).toContain(detail);
    }
  });
});

describe('chaining new events onto a stream head', () => {
  it('hashes each event exactly as the PostgreSQL adapter does, linked to the head, so the whole stream verifies', () => {
    const first = chainEvents(STREAM, null, [note(1), note(2)]);
    const head = { revision: 1, hash: first[1]!.hash };
    const more = chainEvents(STREAM, head, [note(3), { ...note(4), id: id(4).toUpperCase() }]);

    expect(more.map((event) => [event.revision, event.prevHash])).toEqual([
      [2, first[1]!.hash],
      [3, more[0]!.hash],
    ]);
    expect(more[1]!.id).toBe(id(4));
    let prevHash: string | null = null;
    for (const event of [...first, ...more]) {
      // PostgreSQL's appender: the canonical parts, with the previous hash put in between.
      const parts = canonicalEventParts({ streamId: STREAM, revision: event.revision, id: event.id, type: event.type, schemaVersion: event.schemaVersion, data: event.data, metadata: event.metadata });
      expect(event.hash).toBe(hashFromParts(parts, prevHash));
      prevHash = event.hash;
    }
    const all = [...first, ...more].map((event) => ({ ...event, streamId: STREAM }));
    expect(verifyStream(all, { revision: 3, hash: more[1]!.hash })).toMatchObject({ ok: true, events: 4 });
  });

  it('keeps and hashes the stored JSON, not the writer objects, so what is read back verifies', () => {
    const at = new Date('2026-11-02T01:00:00Z');
    const [chained] = chainEvents(STREAM, null, [note(1, { visitedAt: at, skipped: undefined })]);
    expect(chained!.data).toEqual({ text: '第1次电话联系当事人', visitedAt: '2026-11-02T01:00:00.000Z' });
    const readBack = JSON.parse(JSON.stringify(chained!.data)) as Record<string, unknown>;
    expect(verifyStream([{ ...chained!, data: readBack, streamId: STREAM }], { revision: 0, hash: chained!.hash })).toMatchObject({ ok: true });
  });
});

describe('EVENTSTORE_URL', () => {
  it('takes kurrentdb:// as esdb://, keeping hosts and settings', () => {
    expect(esdbConnectionString('kurrentdb://admin:changeit@node1:2113,node2:2113?tls=false')).toBe('esdb://admin:changeit@node1:2113,node2:2113?tls=false');
    expect(esdbConnectionString('KurrentDB+discover://cluster.local:2113')).toBe('esdb+discover://cluster.local:2113');
    expect(esdbConnectionString(' esdb://127.0.0.1:2113?tls=false ')).toBe('esdb://127.0.0.1:2113?tls=false');
  });

  it('refuses other schemes, naming the scheme but never the password', () => {
    expect(() => esdbConnectionString('postgres://u:secret@db/x')).toThrow('starts with esdb://, esdb+discover://, kurrentdb://, kurrentdb+discover://, not postgres:');
    expect(() => esdbConnectionString('postgres://u:secret@db/x')).not.toThrow('secret');
    expect(() => esdbConnectionString('node1:2113')).toThrow('not no scheme');
  });
});

/** A page of $all as the client gives it: the product's events and system records at the positions given, and a link left unresolved. */
function page(entries: readonly (number | { readonly system: number } | 'unresolved')[]): AllStreamResolvedEvent[] {
  const product = chainEvents(STREAM, null, entries.filter((entry) => typeof entry === 'number').map((_, n) => note(n + 1)));
  let next = 0;
  return entries.map((entry, index): AllStreamResolvedEvent => {
    if (entry === 'unresolved') return {};
    const at = BigInt(typeof entry === 'number' ? entry : entry.system);
    const position = { commit: at, prepare: at };
    const created = new Date('2026-11-02T01:00:00Z');
    if (typeof entry !== 'number') {
      return { event: { streamId: '$stats-127.0.0.1:2113', id: id(900 + index), isJson: true, revision: 0n, type: '$statsCollected', created, data: {}, metadata: undefined, position } };
    }
    const chained = product[next++]!;
    const data = toEventData(chained, chained);
    return {
      event: { streamId: STREAM, id: chained.id, isJson: true, revision: BigInt(chained.revision), type: chained.type, created, data: data.data, metadata: JSON.parse(JSON.stringify(data.metadata)) as Record<string, unknown>, position },
    };
  });
}

describe('a page of $all', () => {
  it("gives the product's events after the position seen, past system records, and where the next page starts", () => {
    const read = page([10, { system: 20 }, 30, 'unresolved', 40]);
    const all = productEventsAfter(read, null, 100);
    expect(all.events.map((event) => event.globalPosition)).toEqual([10, 30, 40]);
    expect(all.events.map((event) => event.revision)).toEqual([0, 1, 2]);
    expect(all.seen).toEqual({ commit: 40n, prepare: 40n });
    expect(all.fresh).toBe(4);

    // A read from the last position seen includes the record at it: that one is skipped, not repeated.
    const after = productEventsAfter(read, { commit: 10n, prepare: 10n }, 100);
    expect(after.events.map((event) => event.globalPosition)).toEqual([30, 40]);
    expect(after.fresh).toBe(3);
  });

  it('stops once the room is filled, so that the next page starts after the last event taken', () => {
    const taken = productEventsAfter(page([10, { system: 20 }, 30, 40]), null, 2);
    expect(taken.events.map((event) => event.globalPosition)).toEqual([10, 30]);
    expect(taken.seen).toEqual({ commit: 30n, prepare: 30n });
    const nothingNew = productEventsAfter(page([10, 20]), { commit: 20n, prepare: 20n }, 5);
    expect(nothingNew).toEqual({ events: [], seen: { commit: 20n, prepare: 20n }, fresh: 0 });
  });
});

describe('system events', () => {
  it('are the server’s own streams and types, and link events; the product’s are not', () => {
    expect(isSystemEvent({ streamId: '$stats-127.0.0.1:2113', type: '$statsCollected' })).toBe(true);
    expect(isSystemEvent({ streamId: '$ce-case', type: '$>' })).toBe(true);
    expect(isSystemEvent({ streamId: 'case-1', type: '$metadata' })).toBe(true);
    expect(isSystemEvent({ streamId: STREAM, type: 'CaseFiled' })).toBe(false);
  });
});
