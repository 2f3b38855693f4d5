import type pg from 'pg';
import { inTransaction } from '#database';
import { eventHash, type EventStore, type RecordedEvent } from '#event-store';

/**
 * Runs `work` on the tables behind the store's back, as someone with database access could: in
 * one transaction that passes the append-only trigger by, as a superuser can.
 */
export function behindTheStore<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, work, 'BEGIN; SET LOCAL session_replication_role = replica');
}

/**
 * Rewrites a stream as a careful forger would: each event's data as `rewrite` gives it, every hash
 * recomputed and the head row moved along, so that the chain verifies again.
 */
export async function rewriteStreamConsistently(
  pool: pg.Pool,
  store: EventStore,
  streamId: string,
  rewrite: (event: RecordedEvent) => Record<string, unknown>,
): Promise<void> {
  const events = await store.readStream(streamId);
  await behindTheStore(pool, async (client) => {
    let prevHash: string | null = null;
    for (const event of events) {
      const data = rewrite(event);
      const hash = eventHash({ ...event, data, prevHash });
      await client.query('UPDATE events SET data = $3, prev_hash = $4, hash = $5 WHERE stream_id = $1 AND revision = $2', [
        streamId,
        event.revision,
        JSON.stringify(data),
        prevHash,
        hash,
      ]);
      prevHash = hash;
    }
    await client.query('UPDATE streams SET hash = $2 WHERE stream_id = $1', [streamId, prevHash]);
  });
}
