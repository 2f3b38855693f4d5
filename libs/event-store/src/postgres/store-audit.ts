import type pg from 'pg';
import { inTransaction } from '#database';
import {
  AnchorPositionError,
  type AnchorPoint,
  type BrokenStream,
  type StoreVerification,
  type StreamWithHead,
  type VerifyStoreOptions,
} from '../event-store-audit.port.js';
import type { LogPosition, RecordedEvent, StreamHead } from '../event-store.port.js';
import { StreamChainCheck, streamHeadsDigest } from '../hashing.js';
import { EVENT_COLUMNS, eventFromRow, queryEventCount, queryStreamHead, READ_STREAM, type EventRow } from './sql.js';

/**
 * The PostgreSQL adapter's side of the audit port (event-store-audit.port.ts): a stream with its
 * head row, and whole-store verification and anchors.
 *
 * The walk reads the stream heads table and the events table side by side in stream id order,
 * in keyset-paginated batches (a batch of head rows, then that range of the events in batches of
 * their own), so memory stays bounded by the batch sizes however large the store is. It runs in
 * one REPEATABLE READ READ ONLY transaction: every batch sees the same snapshot, so an append that
 * commits during the walk is neither half-seen (events without their head row, or the reverse)
 * nor reported as tampering. A read-only transaction takes no transaction id, so it does not hold
 * back the subscriptions' horizon either (it does hold back VACUUM while it runs).
 *
 * An anchor is a digest of every stream's head at a point of the log, computed from the events
 * themselves (not the head rows): for each stream the hash of its last event at or before that
 * point, then streamHeadsDigest over those. Kept elsewhere, it later proves that nothing at or
 * before the point was changed, even by someone who rewrote a stream and its head row so that
 * the chain verifies again.
 *
 * The point is a position of the log in the order subscriptions read it (transaction id, then
 * global position; see the adapter), not a bare global position: a transaction that drew a lower
 * global position may commit after a higher one, and such a late event must not change an anchor
 * taken before it committed. An anchor is only ever taken at a settled point, one that no open
 * transaction can still land before.
 */

/** One snapshot for every read of an audit, taking no transaction id (so holding back no subscription). */
const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
const DEFAULT_STREAM_BATCH = 1000;
const DEFAULT_EVENT_BATCH = 2000;

/** The events a settled anchor can cover: transactions older than the snapshot's xmin have all finished. */
const SETTLED_HEAD = `
SELECT transaction_id::text AS commit, global_position::text AS position
  FROM events
 WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
 ORDER BY transaction_id DESC, global_position DESC
 LIMIT 1`;

const EVENT_AT = `
SELECT transaction_id::text AS commit, transaction_id < pg_snapshot_xmin(pg_current_snapshot()) AS settled
  FROM events
 WHERE global_position = $1`;

interface HeadRow {
  stream_id: string;
  revision: number;
  hash: string;
}

/** Both reads in one REPEATABLE READ snapshot (read-only: it takes no transaction id). */
export async function readStreamWithHead(pool: pg.Pool, streamId: string): Promise<StreamWithHead> {
  return inTransaction(
    pool,
    async (client) => {
      const { rows } = await client.query<EventRow>({ name: 'minyi_es_read_stream', text: READ_STREAM, values: [streamId, 0, null] });
      return { events: rows.map(eventFromRow), head: await queryStreamHead(client, streamId) };
    },
    SNAPSHOT,
  );
}

/** Walks the whole store (see the top of this file). */
export async function verifyStore(pool: pg.Pool, options: VerifyStoreOptions = {}): Promise<StoreVerification> {
  const streamBatch = positiveInteger(options.streamBatchSize ?? DEFAULT_STREAM_BATCH, 'streamBatchSize');
  const eventBatch = positiveInteger(options.eventBatchSize ?? DEFAULT_EVENT_BATCH, 'eventBatchSize');
  return inTransaction(pool, (client) => walk(client, options, streamBatch, eventBatch), SNAPSHOT);
}

async function walk(client: pg.PoolClient, options: VerifyStoreOptions, streamBatch: number, eventBatch: number): Promise<StoreVerification> {
  const totalEvents = await queryEventCount(client);
  const anchorAt = options.anchor === undefined ? null : await resolveAnchorPoint(client, options.anchor);
  const tally = new Tally(anchorAt);

  let lowerStreamId: string | null = null;
  for (;;) {
    // A batch of head rows fixes a range of stream ids: (previous batch's last, this batch's last],
    // open-ended above after the last batch. Every event falls in exactly one range.
    const headRows: HeadRow[] = (
      await client.query<HeadRow>(
        lowerStreamId === null
          ? { text: 'SELECT stream_id, revision, hash FROM streams ORDER BY stream_id LIMIT $1', values: [streamBatch] }
          : { text: 'SELECT stream_id, revision, hash FROM streams WHERE stream_id > $1 ORDER BY stream_id LIMIT $2', values: [lowerStreamId, streamBatch] },
      )
    ).rows;
    const upperStreamId: string | null = headRows.length === streamBatch ? headRows.at(-1)!.stream_id : null;
    const heads = new Map<string, StreamHead>(headRows.map((row) => [row.stream_id, { revision: row.revision, hash: row.hash }]));

    let cursor: { streamId: string; revision: number } | null = null;
    for (;;) {
      const rows = await eventsInRange(client, { lowerStreamId, upperStreamId, cursor, limit: eventBatch });
      for (const row of rows) {
        const event = eventFromRow(row);
        tally.event(event, heads);
        options.onEvent?.(event);
      }
      if (rows.length > 0) await options.onProgress?.({ events: tally.events, streams: tally.streamsSeen, totalEvents });
      if (rows.length < eventBatch) break;
      const last = rows.at(-1)!;
      cursor = { streamId: last.stream_id, revision: last.revision };
    }
    tally.endRange(heads);

    if (upperStreamId === null) break;
    lowerStreamId = upperStreamId;
  }
  return tally.result();
}

/** What the walk has found so far: each stream's chain checked as its events come by, in stream id order. */
class Tally {
  events = 0;
  #streams = 0;
  readonly #broken: BrokenStream[] = [];
  readonly #anchorHeads: [string, string][] = [];
  /** The stream being read, its chain check, and the hash of its last event within the anchor. */
  #current: { readonly streamId: string; readonly check: StreamChainCheck; anchorHash: string | null } | null = null;
  /** Streams of the current range that had events. */
  readonly #walked = new Set<string>();

  constructor(private readonly anchorAt: ResolvedPoint | null) {}

  get streamsSeen(): number {
    return this.#streams + (this.#current ? 1 : 0);
  }

  event(event: RecordedEvent, heads: ReadonlyMap<string, StreamHead>): void {
    let current = this.#current;
    if (current?.streamId !== event.streamId) {
      this.#closeStream(heads);
      current = this.#current = { streamId: event.streamId, check: new StreamChainCheck(), anchorHash: null };
      this.#walked.add(event.streamId);
    }
    this.events++;
    current.check.add(event);
    if (this.anchorAt && atOrBefore(event.position, this.anchorAt)) current.anchorHash = event.hash;
  }

  /** The range's events are all read: close its last stream, then check the head rows that had no events at all. */
  endRange(heads: ReadonlyMap<string, StreamHead>): void {
    this.#closeStream(heads);
    for (const [streamId, head] of heads) if (!this.#walked.has(streamId)) this.#verdict(streamId, new StreamChainCheck(), head, null);
    this.#walked.clear();
  }

  result(): StoreVerification {
    const broken = [...this.#broken].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
    const anchor = this.anchorAt && {
      position: this.anchorAt.position,
      commit: this.anchorAt.commit.toString(),
      streams: this.#anchorHeads.length,
      digest: streamHeadsDigest(this.#anchorHeads),
    };
    return { ok: broken.length === 0, streams: this.#streams, events: this.events, broken, ...(anchor ? { anchor } : {}) };
  }

  #closeStream(heads: ReadonlyMap<string, StreamHead>): void {
    const current = this.#current;
    if (!current) return;
    this.#current = null;
    this.#verdict(current.streamId, current.check, heads.get(current.streamId) ?? null, current.anchorHash);
  }

  #verdict(streamId: string, check: StreamChainCheck, head: StreamHead | null, anchorHash: string | null): void {
    this.#streams++;
    const verdict = check.finish(head);
    if (!verdict.ok) this.#broken.push({ streamId, revision: verdict.firstBrokenRevision!, problem: verdict.problem! });
    if (anchorHash !== null) this.#anchorHeads.push([streamId, anchorHash]);
  }
}

/** One batch of the events whose stream id lies in (lower, upper], after the cursor, in (stream id, revision) order. */
async function eventsInRange(
  client: pg.PoolClient,
  range: { lowerStreamId: string | null; upperStreamId: string | null; cursor: { streamId: string; revision: number } | null; limit: number },
): Promise<EventRow[]> {
  const values: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  if (range.cursor) where.push(`(stream_id, revision) > (${param(range.cursor.streamId)}, ${param(range.cursor.revision)})`);
  else if (range.lowerStreamId !== null) where.push(`stream_id > ${param(range.lowerStreamId)}`);
  if (range.upperStreamId !== null) where.push(`stream_id <= ${param(range.upperStreamId)}`);
  const text = `
    SELECT ${EVENT_COLUMNS}
      FROM events
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY stream_id, revision
     LIMIT ${param(range.limit)}`;
  return (await client.query<EventRow>({ text, values })).rows;
}

interface ResolvedPoint {
  readonly position: number;
  readonly commit: bigint;
}

async function resolveAnchorPoint(client: pg.PoolClient, point: AnchorPoint): Promise<ResolvedPoint> {
  if (point !== 'head') {
    const position = point.position;
    if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`an anchor position must be a non-negative integer, got ${position}`);
    if (point.commit !== undefined) {
      if (!/^\d{1,20}$/.test(point.commit)) throw new RangeError(`an anchor commit must be a transaction id (digits), got ${point.commit}`);
      return { position, commit: BigInt(point.commit) };
    }
    const { rows } = await client.query<{ commit: string; settled: boolean }>(EVENT_AT, [position]);
    const row = rows[0];
    if (!row || !row.settled) throw new AnchorPositionError(position, row ? 'unsettled' : 'unknown', (await settledHead(client)).position);
    return { position, commit: BigInt(row.commit) };
  }
  return settledHead(client);
}

async function settledHead(client: pg.PoolClient): Promise<ResolvedPoint> {
  const row = (await client.query<{ commit: string; position: string }>(SETTLED_HEAD)).rows[0];
  return row ? { position: Number(row.position), commit: BigInt(row.commit) } : { position: 0, commit: 0n };
}

function atOrBefore(at: LogPosition, point: ResolvedPoint): boolean {
  return at.commit < point.commit || (at.commit === point.commit && at.prepare <= BigInt(point.position));
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
