import { describe, expect, it } from '@jest/globals';
import { WrongExpectedVersionError, type AllStreamRecordedEvent, type JSONEventData } from '@eventstore/db-client';
import { eventHash, verifyStream } from '../hashing.js';
import { WrongExpectedRevisionError, type NewEvent, type RecordedEvent } from '../event-store.port.js';
import { fromPosition, fromRecordedEvent, fromStreamEvent, globalPositionOf, headOf, toEventData, toExpectedRevision, toPortError, toPosition } from './esdb-mapping.js';

const STREAM = 'case-0190f0c4-1a2b-7c3d-8e4f-5a6b7c8d9e0f';

const filed: NewEvent = {
  id: '0190f0c4-1a2b-7c3d-8e4f-000000000001',
  type: 'CaseFiled',
  schemaVersion: 2,
  data: { caseId: '0190f0c4-1a2b-7c3d-8e4f-5a6b7c8d9e0f', title: '小区停车位纠纷', parties: [], occurredAt: null },
  metadata: { actorId: 'u-clerk', actorRole: 'clerk', unitId: 'hd-dg-1', at: '2026-11-02T09:00:00+08:00', correlationId: 'c-1', causationId: null },
};
const accepted: NewEvent = {
  id: '0190f0c4-1a2b-7c3d-8e4f-000000000002',
  type: 'CaseAccepted',
  schemaVersion: 1,
  data: {},
  metadata: { actorId: 'u-coordinator', actorRole: 'coordinator', unitId: 'hd-dg-1', at: '2026-11-02T09:05:00+08:00', correlationId: 'c-2', causationId: 'c-1' },
};

/** The events of a stream as the adapter would append them: each hashed over the port's fields, chained. */
function appended(events: readonly NewEvent[]): JSONEventData[] {
  let prevHash: string | null = null;
  return events.map((event, revision) => {
    const hash = eventHash({ streamId: STREAM, revision, id: event.id, type: event.type, schemaVersion: event.schemaVersion, data: event.data, metadata: event.metadata, prevHash });
    const data = toEventData(event, { prevHash, hash });
    prevHash = hash;
    return data;
  });
}

/** An event as the server records it, at a log position; its data and metadata through JSON, as they travel. */
function recorded(data: JSONEventData, revision: number, prepare: bigint): AllStreamRecordedEvent {
  return {
    streamId: STREAM,
    id: data.id,
    isJson: true,
    revision: BigInt(revision),
    type: data.type,
    created: new Date('2026-11-02T01:00:00Z'),
    data: JSON.parse(JSON.stringify(data.data)) as Record<string, unknown>,
    metadata: JSON.parse(JSON.stringify(data.metadata)) as Record<string, unknown>,
    position: { commit: prepare, prepare },
  };
}

describe('the EventStoreDB mapping', () => {
  it('carries the envelope and the hash chain in the metadata, so that the events read back verify', () => {
    const written = appended([filed, accepted]);
    expect(written[0]).toMatchObject({ id: filed.id, contentType: 'application/json', type: 'CaseFiled', data: filed.data });
    expect(written[0]!.metadata).toEqual({ envelope: filed.metadata, schemaVersion: 2, prevHash: null, hash: expect.stringMatching(/^[0-9a-f]{64}$/), $correlationId: 'c-1' });
    expect(written[1]!.metadata).toMatchObject({ prevHash: (written[0]!.metadata as { hash: string }).hash, $correlationId: 'c-2', $causationId: 'c-1' });

    const read: RecordedEvent[] = written.map((data, revision) => fromRecordedEvent(recorded(data, revision, 4096n + BigInt(revision) * 512n)));
    expect(read[0]).toEqual({
      ...filed,
      streamId: STREAM,
      revision: 0,
      globalPosition: 4096,
      position: { commit: 4096n, prepare: 4096n },
      prevHash: null,
      hash: (written[0]!.metadata as { hash: string }).hash,
    });
    expect(read[1]).toMatchObject({ ...accepted, revision: 1, globalPosition: 4608 });
    expect(verifyStream(read, headOf(read[1]!))).toMatchObject({ ok: true, events: 2 });
    // An event altered on the server no longer verifies.
    const altered = { ...read[0]!, data: { ...read[0]!.data, title: '小区停车纠纷' } };
    expect(verifyStream([altered, read[1]!], headOf(read[1]!))).toMatchObject({ ok: false, firstBrokenRevision: 0 });
  });

  it('refuses an event the engine did not write, naming what is missing', () => {
    const [data] = appended([filed]);
    const foreign = { ...recorded(data!, 0, 1n), metadata: { $correlationId: 'x' } };
    expect(() => fromRecordedEvent(foreign)).toThrow(`${STREAM}@0: metadata.envelope is missing or malformed`);
    const unchained = { ...recorded(data!, 0, 1n), metadata: { ...(data!.metadata as object), hash: 'not a hash' } };
    expect(() => fromRecordedEvent(unchained)).toThrow('metadata.hash is missing or malformed');
    const binary = { ...recorded(data!, 0, 1n), isJson: false } as unknown as AllStreamRecordedEvent;
    expect(() => fromRecordedEvent(binary)).toThrow(`${STREAM}@0: not a JSON event`);
  });

  it('takes the $all position a stream read gives, and refuses an event read without one (as older servers send it)', () => {
    const [data] = appended([filed]);
    const event = recorded(data!, 0, 4096n);
    expect(fromStreamEvent(event)).toEqual(fromRecordedEvent(event));
    const noPosition = (2n ** 64n) - 1n; // the server's -1 as an unsigned number
    for (const position of [undefined, { commit: noPosition, prepare: noPosition }]) {
      expect(() => fromStreamEvent({ ...event, position })).toThrow(`${STREAM}@0: the server sent no $all position with the stream's event`);
    }
  });

  it('gives event ids in lower case, as they were hashed, however the client spells them', () => {
    const [data] = appended([filed]);
    const read = fromRecordedEvent({ ...recorded(data!, 0, 1n), id: filed.id.toUpperCase() });
    expect(read.id).toBe(filed.id);
    expect(verifyStream([read], headOf(read))).toMatchObject({ ok: true });
  });

  it('translates expected revisions, and refuses one that is no revision', () => {
    expect(toExpectedRevision('any')).toBe('any');
    expect(toExpectedRevision('no_stream')).toBe('no_stream');
    expect(toExpectedRevision('stream_exists')).toBe('stream_exists');
    expect(toExpectedRevision(0)).toBe(0n);
    expect(toExpectedRevision(41)).toBe(41n);
    expect(() => toExpectedRevision(-1)).toThrow(RangeError);
    expect(() => toExpectedRevision(1.5)).toThrow(RangeError);
  });

  it('keeps $all positions whole, and shows clients the prepare position while a JSON number holds it', () => {
    const position = { commit: 9_007_199_254_740_993n, prepare: 9_007_199_254_740_992n };
    expect(fromPosition(toPosition(position))).toEqual(position);
    expect(globalPositionOf({ commit: 700n, prepare: 699n })).toBe(699);
    expect(globalPositionOf({ commit: 0n, prepare: BigInt(Number.MAX_SAFE_INTEGER) })).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => globalPositionOf(position)).toThrow(RangeError);
  });

  it('turns a wrong expected version into the port’s revision conflict, with the stream’s revision or none', () => {
    const conflict = toPortError(new WrongExpectedVersionError(undefined, { streamName: STREAM, expected: 3n, current: 5n }), 3);
    expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
    expect(conflict).toMatchObject({ streamId: STREAM, expected: 3, actual: 5, code: 'revision_conflict' });
    const missing = toPortError(new WrongExpectedVersionError(undefined, { streamName: STREAM, expected: 'stream_exists', current: 'no_stream' }), 'stream_exists');
    expect(missing).toMatchObject({ streamId: STREAM, expected: 'stream_exists', actual: null });
    const other = new Error('unavailable');
    expect(toPortError(other, 'any')).toBe(other);
  });
});
