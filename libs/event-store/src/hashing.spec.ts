import { describe, expect, it } from '@jest/globals';
import { canonicalEventParts, canonicalJson, eventHash, hashFromParts, sha256Hex, streamHeadsDigest, verifyStream, type VerifiableEvent } from './hashing.js';

const metadata = {
  actorId: 'hd-dg.coordinator',
  actorRole: 'coordinator',
  unitId: 'hd-dg',
  at: '2026-03-02T09:00:00+08:00',
  correlationId: '0195a1b2-0000-7000-8000-00000000c0c0',
  causationId: null,
};

function chain(streamId: string, datas: readonly Record<string, unknown>[]): VerifiableEvent[] {
  const events: VerifiableEvent[] = [];
  let prevHash: string | null = null;
  datas.forEach((data, revision) => {
    const fields = {
      streamId,
      revision,
      id: `0195a1b2-0000-7000-8000-${String(revision).padStart(12, '0')}`,
      type: 'NoteAdded',
      schemaVersion: 1,
      data,
      metadata,
      prevHash,
    };
    const hash = eventHash(fields);
    events.push({ ...fields, hash });
    prevHash = hash;
  });
  return events;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('sorts keys by UTF-16 code units, as RFC 8785 does', () => {
    expect(canonicalJson({ 民: 1, a: 2, Z: 3, '\u{1F389}': 4, é: 5 })).toBe('{"Z":3,"a":2,"é":5,"民":1,"🎉":4}');
  });

  it('writes strings and numbers as JSON.stringify does, Chinese and emoji unescaped', () => {
    expect(canonicalJson(['调解成功 🎉 民意', '𠀋', 'a"b\\c\n', 1e21, 0.1, -0, 1.5e-7])).toBe(
      '["调解成功 🎉 民意","𠀋","a\\"b\\\\c\\n",1e+21,0.1,0,1.5e-7]',
    );
  });

  it('drops undefined members and turns undefined array items into null, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
    expect(canonicalJson({ at: new Date('2026-03-02T01:00:00Z') })).toBe('{"at":"2026-03-02T01:00:00.000Z"}');
  });

  it('refuses what JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ n: Number.POSITIVE_INFINITY })).toThrow(TypeError);
    expect(() => canonicalJson({ n: 10n })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('accepts a value shared by two branches (not a cycle)', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('event hashes', () => {
  const fields = {
    streamId: 'case-0195a1b2-0000-7000-8000-000000000001',
    revision: 3,
    id: '0195a1b2-0000-7000-8000-000000000042',
    type: 'NoteAdded',
    schemaVersion: 1,
    data: { noteType: 'mediation', text: '调解成功 🎉 民意 𠀋' },
    metadata,
  };

  it('splits the canonical text around prevHash so the database can fill it in', () => {
    const parts = canonicalEventParts(fields);
    for (const prevHash of [null, 'ab'.repeat(32)]) {
      expect(`${parts.head}${JSON.stringify(prevHash)}${parts.tail}`).toBe(canonicalJson({ ...fields, prevHash }));
      expect(hashFromParts(parts, prevHash)).toBe(eventHash({ ...fields, prevHash }));
    }
    expect(parts.data).toBe(canonicalJson(fields.data));
  });

  it('is sha256 over the canonical form; these values must never change, or stored chains stop verifying', () => {
    // Cross-checked with an independent implementation: Python's
    // json.dumps(fields, sort_keys=True, separators=(',', ':'), ensure_ascii=False), then sha256.
    expect(canonicalJson({ ...fields, prevHash: null })).toBe(
      '{"data":{"noteType":"mediation","text":"调解成功 🎉 民意 𠀋"},"id":"0195a1b2-0000-7000-8000-000000000042",' +
        '"metadata":{"actorId":"hd-dg.coordinator","actorRole":"coordinator","at":"2026-03-02T09:00:00+08:00",' +
        '"causationId":null,"correlationId":"0195a1b2-0000-7000-8000-00000000c0c0","unitId":"hd-dg"},' +
        '"prevHash":null,"revision":3,"schemaVersion":1,"streamId":"case-0195a1b2-0000-7000-8000-000000000001","type":"NoteAdded"}',
    );
    expect(eventHash({ ...fields, prevHash: null })).toBe('6f964ae41a180d591112ff7098590e68b2d10fda51ffcee45f38f32028920d6d');
  });

  it('changes with every field it covers', () => {
    const base = { ...fields, prevHash: null };
    const variants = [
      { streamId: 'case-other' },
      { revision: 4 },
      { id: '0195a1b2-0000-7000-8000-000000000043' },
      { type: 'CaseClosed' },
      { schemaVersion: 2 },
      { data: { ...fields.data, text: '调解成功' } },
      { metadata: { ...metadata, actorId: 'someone.else' } },
      { prevHash: '00'.repeat(32) },
    ];
    const hashes = new Set([eventHash(base), ...variants.map((change) => eventHash({ ...base, ...change }))]);
    expect(hashes.size).toBe(variants.length + 1);
  });
});

describe('verifyStream', () => {
  const streamId = 'case-verify';
  const events = chain(streamId, [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
  const head = { revision: 3, hash: events[3]!.hash };

  it('accepts a whole stream', () => {
    expect(verifyStream(events, head)).toEqual({ ok: true, events: 4, headHash: head.hash });
    expect(verifyStream([], null)).toEqual({ ok: true, events: 0, headHash: null });
  });

  it('finds an edited event', () => {
    const edited = events.map((e) => (e.revision === 2 ? { ...e, data: { n: 22 } } : e));
    expect(verifyStream(edited, head)).toMatchObject({ ok: false, firstBrokenRevision: 2, headHash: events[1]!.hash });
  });

  it('finds an edited event whose hash was recomputed: the next link breaks', () => {
    const forged = { ...events[1]!, data: { n: 11 } };
    const rehashed = { ...forged, hash: eventHash(forged) };
    expect(verifyStream([events[0]!, rehashed, events[2]!, events[3]!], head)).toMatchObject({ ok: false, firstBrokenRevision: 2 });
  });

  it('finds a deleted event', () => {
    expect(verifyStream([events[0]!, events[2]!, events[3]!], head)).toMatchObject({ ok: false, firstBrokenRevision: 1 });
    expect(verifyStream(events.slice(1), head)).toMatchObject({ ok: false, firstBrokenRevision: 0 });
  });

  it('finds a truncated stream through the head row', () => {
    expect(verifyStream(events.slice(0, 3), head)).toMatchObject({ ok: false, firstBrokenRevision: 3 });
    expect(verifyStream([], head)).toMatchObject({ ok: false, firstBrokenRevision: 0 });
  });

  it('finds a head row that does not match, or is missing', () => {
    expect(verifyStream(events, { revision: 3, hash: events[2]!.hash })).toMatchObject({ ok: false, firstBrokenRevision: 3 });
    expect(verifyStream(events, { revision: 2, hash: events[2]!.hash })).toMatchObject({ ok: false, firstBrokenRevision: 3 });
    expect(verifyStream(events, null)).toMatchObject({ ok: false, firstBrokenRevision: 4 });
  });

  it('finds events out of order, duplicated or from another stream', () => {
    expect(verifyStream([events[0]!, events[2]!, events[1]!, events[3]!], head)).toMatchObject({ ok: false, firstBrokenRevision: 1 });
    expect(verifyStream([events[0]!, events[0]!], head)).toMatchObject({ ok: false, firstBrokenRevision: 0 });
    const other = chain('case-other', [{ n: 0 }, { n: 1 }]);
    expect(verifyStream([events[0]!, other[1]!], head)).toMatchObject({ ok: false, firstBrokenRevision: 1 });
  });
});

describe('streamHeadsDigest', () => {
  it('is sha256 of the canonical JSON of { streamId: hash }, whatever order the heads come in', () => {
    const heads: [string, string][] = [
      ['case-b', 'b'.repeat(64)],
      ['case-a', 'a'.repeat(64)],
      ['case-é', 'c'.repeat(64)],
    ];
    const expected = sha256Hex(canonicalJson(Object.fromEntries(heads)));
    expect(streamHeadsDigest(heads)).toBe(expected);
    expect(streamHeadsDigest([...heads].reverse())).toBe(expected);
    expect(streamHeadsDigest([])).toBe(sha256Hex('{}'));
    expect(() => streamHeadsDigest([...heads, ['case-a', 'd'.repeat(64)]])).toThrow(/twice/);
  });
});
