import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { newEvent, newStreamId } from '../contract/event-store.contract.js';
import { comparePositions, type RecordedEvent } from '../event-store.port.js';
import { canonicalJson, eventHash, sha256Hex } from '../hashing.js';
import { migrateEventStore } from './migrations.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { AnchorPositionError, anchorsMatch, parseStoreAnchor, type EventStoreAudit, type StoreVerification, type VerifyProgress } from '../event-store-audit.port.js';

const LONG = 60_000;

/** A store on a database of its own, and a connection that gets past the append-only trigger as an intruder could. */
async function openStore(prefix: string) {
  const db: TestDatabase = await createTestDatabase(prefix);
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  pool.on('error', () => undefined);
  await migrateEventStore(pool);
  const store = new PostgresEventStore({ pool, notify: false });
  const tamper = new pg.Client({ connectionString: db.url });
  await tamper.connect();
  await tamper.query('SET session_replication_role = replica');

  /** A stream of `length` events, appended one at a time. */
  const stream = async (length: number, prefix = 'case'): Promise<string> => {
    const streamId = newStreamId(prefix);
    await store.appendToStream(streamId, [newEvent('CaseFiled', { title: '停车位纠纷' })], { expectedRevision: 'no_stream' });
    for (let revision = 1; revision < length; revision++) {
      await store.appendToStream(streamId, [newEvent('NoteAdded', { n: revision })], { expectedRevision: revision - 1 });
    }
    return streamId;
  };
  const close = async () => {
    await store.close();
    await tamper.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await db.drop();
  };
  return { db, pool, store, tamper, stream, close };
}

type Opened = Awaited<ReturnType<typeof openStore>>;

/** Every event of the store, in log order. */
async function allEvents(store: PostgresEventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const batch = await store.readAll({ after: events.at(-1)?.position ?? null, maxCount: 500 });
    if (batch.length === 0) return events;
    events.push(...batch);
  }
}

/** The anchor digest computed independently: the canonical JSON of { streamId: hash of its last event up to `last` }. */
function expectedDigest(events: readonly RecordedEvent[], last: RecordedEvent): { streams: number; digest: string } {
  const heads: Record<string, string> = {};
  for (const event of events) if (comparePositions(event.position, last.position) <= 0) heads[event.streamId] = event.hash;
  return { streams: Object.keys(heads).length, digest: sha256Hex(canonicalJson(heads)) };
}

const brokenOf = (result: StoreVerification) => result.broken.map(({ streamId, revision }) => ({ streamId, revision }));

describe('verifyStore: the whole store', () => {
  let s: Opened;
  const streams: string[] = [];

  beforeAll(async () => {
    s = await openStore('minyi_store_audit');
    for (const length of [1, 3, 4, 2, 5, 3, 6]) streams.push(await s.stream(length));
    // A stream whose events went in with one append.
    const batch = newStreamId('import');
    await s.store.appendToStream(batch, [newEvent('CaseFiled'), newEvent(), newEvent()], { expectedRevision: 'no_stream' });
    streams.push(batch);
  }, LONG);

  afterAll(async () => {
    await s?.close();
  }, LONG);

  it('walks every stream and event and finds the store whole, whatever the batch sizes', async () => {
    const expected = { ok: true, streams: 8, events: 27, broken: [] };
    expect(await s.store.verifyAll()).toEqual(expected);
    // Batches smaller than a stream and than the number of streams: keyset pagination across every boundary.
    for (const [streamBatchSize, eventBatchSize] of [
      [1, 1],
      [2, 3],
      [3, 2],
      [8, 27],
      [7, 26],
    ]) {
      expect(await s.store.verifyAll({ streamBatchSize, eventBatchSize })).toEqual(expected);
    }
  });

  it('reports progress after each batch, against the number of events in its snapshot', async () => {
    const progress: VerifyProgress[] = [];
    await s.store.verifyAll({ eventBatchSize: 5, onProgress: (step) => void progress.push(step) });
    expect(progress.map((step) => step.events)).toEqual([5, 10, 15, 20, 25, 27]);
    expect(progress.every((step) => step.totalEvents === 27)).toBe(true);
    expect(progress.at(-1)!.streams).toBe(8);
  });

  it('sees one snapshot: appends that commit during the walk are neither half-seen nor taken for tampering', async () => {
    let appended = false;
    const result = await s.store.verifyAll({
      streamBatchSize: 2,
      eventBatchSize: 2,
      onProgress: async () => {
        if (appended) return;
        appended = true;
        // Grow every stream (those already walked and those still ahead) and start a new one.
        for (const streamId of streams) await s.store.appendToStream(streamId, [newEvent()], { expectedRevision: 'any' });
        await s.stream(2);
      },
    });
    expect(result).toEqual({ ok: true, streams: 8, events: 27, broken: [] });
    expect(await s.store.verifyAll()).toEqual({ ok: true, streams: 9, events: 27 + 8 + 2, broken: [] });
  });

  it('names exactly the tampered streams and their first broken revision', async () => {
    const one = async (sql: string, values: unknown[]) => expect((await s.tamper.query(sql, values)).rowCount).toBeGreaterThan(0);
    const edited = await s.stream(4);
    await one(`UPDATE events SET data = jsonb_set(data, '{n}', '99') WHERE stream_id = $1 AND revision = 2`, [edited]);
    const reattributed = await s.stream(4);
    await one(`UPDATE events SET metadata = jsonb_set(metadata, '{actorId}', '"someone.else"') WHERE stream_id = $1 AND revision = 1`, [reattributed]);
    const gap = await s.stream(5);
    await one('DELETE FROM events WHERE stream_id = $1 AND revision = 3', [gap]);
    const reordered = await s.stream(4);
    // Swap revisions 1 and 2 (through a free number: the unique key is checked row by row).
    await one('UPDATE events SET revision = 100 WHERE stream_id = $1 AND revision = 1', [reordered]);
    await one('UPDATE events SET revision = 1 WHERE stream_id = $1 AND revision = 2', [reordered]);
    await one('UPDATE events SET revision = 2 WHERE stream_id = $1 AND revision = 100', [reordered]);
    const truncated = await s.stream(4);
    await one('DELETE FROM events WHERE stream_id = $1 AND revision = 3', [truncated]);
    const emptied = await s.stream(2);
    await one('DELETE FROM events WHERE stream_id = $1', [emptied]);
    const headless = await s.stream(3);
    await one('DELETE FROM streams WHERE stream_id = $1', [headless]);
    const rehashed = await s.stream(3);
    // An edit whose own hash was recomputed: the next event's link breaks.
    const [, second] = await s.store.readStream(rehashed);
    const forged = { ...second!, data: { n: 'forged' } };
    await one('UPDATE events SET data = $2, hash = $3 WHERE stream_id = $1 AND revision = 1', [rehashed, JSON.stringify(forged.data), eventHash(forged)]);

    const expected = [
      { streamId: edited, revision: 2 },
      { streamId: reattributed, revision: 1 },
      { streamId: gap, revision: 3 },
      { streamId: reordered, revision: 1 },
      { streamId: truncated, revision: 3 },
      { streamId: emptied, revision: 0 },
      { streamId: headless, revision: 3 },
      { streamId: rehashed, revision: 2 },
    ].sort((a, b) => (a.streamId < b.streamId ? -1 : 1));
    for (const sizes of [{}, { streamBatchSize: 2, eventBatchSize: 3 }, { streamBatchSize: 1, eventBatchSize: 1 }]) {
      const result = await s.store.verifyAll(sizes);
      expect(result.ok).toBe(false);
      expect(brokenOf(result)).toEqual(expected);
      expect(result.streams).toBe(9 + 8);
      expect(result.broken.find((b) => b.streamId === emptied)!.problem).toMatch(/no events/);
      expect(result.broken.find((b) => b.streamId === truncated)!.problem).toMatch(/events were removed/);
    }
  });
});

describe('verifyStore: anchors', () => {
  let s: Opened;

  beforeAll(async () => {
    s = await openStore('minyi_store_anchor');
  }, LONG);

  afterAll(async () => {
    await s?.close();
  }, LONG);

  it('of an empty store is the digest of {} at position 0', async () => {
    expect((await s.store.verifyAll({ anchor: 'head' })).anchor).toEqual({ position: 0, commit: '0', streams: 0, digest: sha256Hex('{}') });
  });

  it('digests each stream’s last hash at the point, still matches after later appends, and not after a consistent rewrite', async () => {
    const streams = [await s.stream(3), await s.stream(1), await s.stream(4)];
    const before = await allEvents(s.store);
    const taken = await s.store.verifyAll({ anchor: 'head' });
    expect(taken.ok).toBe(true);
    const anchor = taken.anchor!;
    expect(anchor).toEqual({ position: before.at(-1)!.globalPosition, commit: before.at(-1)!.position.commit.toString(), ...expectedDigest(before, before.at(-1)!) });

    // An anchor at an earlier event covers only what came up to it.
    const middle = before[4]!;
    const earlier = (await s.store.verifyAll({ anchor: { position: middle.globalPosition } })).anchor!;
    expect(earlier).toEqual({ position: middle.globalPosition, commit: middle.position.commit.toString(), ...expectedDigest(before, middle) });

    // Later events, to old streams and new ones, leave it as it was.
    await s.store.appendToStream(streams[0]!, [newEvent(), newEvent()], { expectedRevision: 2 });
    await s.stream(2);
    const again = await s.store.verifyAll({ anchor: { position: anchor.position, commit: anchor.commit } });
    expect(again.ok).toBe(true);
    expect(anchorsMatch(anchor, again.anchor!)).toBe(true);
    expect(again.anchor).toEqual(anchor);
    expect((await s.store.verifyAll({ anchor: 'head' })).anchor!.digest).not.toBe(anchor.digest);

    // Rewrite a whole stream consistently: new data, every hash recomputed, the head row moved along.
    const target = streams[2]!;
    const original = await s.store.readStream(target);
    let prevHash: string | null = null;
    for (const event of original) {
      const data = event.revision === 1 ? { n: '改写' } : event.data;
      const hash = eventHash({ ...event, data, prevHash });
      await s.tamper.query('UPDATE events SET data = $3, prev_hash = $4, hash = $5 WHERE stream_id = $1 AND revision = $2', [
        target,
        event.revision,
        JSON.stringify(data),
        prevHash,
        hash,
      ]);
      prevHash = hash;
    }
    await s.tamper.query('UPDATE streams SET hash = $2 WHERE stream_id = $1', [target, prevHash]);

    const rewritten = await s.store.verifyAll({ anchor: { position: anchor.position, commit: anchor.commit } });
    expect(rewritten.ok).toBe(true); // the chain alone cannot tell
    expect(rewritten.anchor!.streams).toBe(anchor.streams);
    expect(rewritten.anchor!.digest).not.toBe(anchor.digest);
    expect(anchorsMatch(anchor, rewritten.anchor!)).toBe(false);
  });

  it('refuses a position no event has', async () => {
    const head = (await s.store.verifyAll({ anchor: 'head' })).anchor!.position;
    const attempt = s.store.verifyAll({ anchor: { position: head + 1000 } });
    await expect(attempt).rejects.toBeInstanceOf(AnchorPositionError);
    await expect(attempt).rejects.toMatchObject({ reason: 'unknown', headPosition: head });
  });

  it('is taken only at a settled point: an event a still-open older transaction may land before is not covered yet', async () => {
    const holder = new pg.Client({ connectionString: s.db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()'); // takes a transaction id and holds the horizon
      const late = await s.stream(1);
      const [event] = await s.store.readStream(late);
      await expect(s.store.verifyAll({ anchor: { position: event!.globalPosition } })).rejects.toMatchObject({ reason: 'unsettled' });
      const head = (await s.store.verifyAll({ anchor: 'head' })).anchor!;
      expect(head.position).toBeLessThan(event!.globalPosition);
      await holder.query('COMMIT');
      expect((await s.store.verifyAll({ anchor: 'head' })).anchor!.position).toBe(event!.globalPosition);
    } finally {
      await holder.end();
    }
  });

  it('parses a kept anchor field by field', () => {
    const good = { position: 12, commit: '7890', streams: 3, digest: 'a'.repeat(64) };
    expect(parseStoreAnchor({ ...good, note: 'kept in the safe' })).toEqual(good);
    expect(() => parseStoreAnchor([])).toThrow(/JSON object/);
    expect(() => parseStoreAnchor({ ...good, position: -1 })).toThrow(/"position"/);
    expect(() => parseStoreAnchor({ ...good, commit: 7890 })).toThrow(/"commit"/);
    expect(() => parseStoreAnchor({ ...good, streams: 1.5 })).toThrow(/"streams"/);
    expect(() => parseStoreAnchor({ ...good, digest: 'xyz' })).toThrow(/"digest"/);
  });
});

describe('readStreamWithHead', () => {
  let s: Opened;

  beforeAll(async () => {
    s = await openStore('minyi_store_stream_head');
  }, LONG);

  afterAll(async () => {
    await s?.close();
  }, LONG);

  it('gives a stream’s events with its head row, and nothing for a missing stream', async () => {
    const audit: EventStoreAudit = s.store;
    const streamId = await s.stream(3);
    const { events, head } = await audit.readStreamWithHead(streamId);
    expect(events).toEqual(await s.store.readStream(streamId));
    expect(head).toEqual({ revision: 2, hash: events.at(-1)!.hash });
    expect(await audit.readStreamWithHead(newStreamId())).toEqual({ events: [], head: null });
  });
});
