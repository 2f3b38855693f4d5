import type { Pool, PoolClient } from 'pg';
import { performance } from 'node:perf_hooks';
import { inTransaction, lockKey } from '#database';
import type { EventStore, LogPosition, RecordedEvent } from '#event-store';
import { lockProjectionCheckpoints, migrateCheckpoints, writeCheckpoint } from './checkpoints.js';
import { laneOf } from './lanes.js';
import type { Projection } from './projection.js';

export interface RebuildProgress {
  readonly projection: string;
  /** 'copy' while replaying the log into the scratch tables, 'swap' during the final catch-up. */
  readonly phase: 'copy' | 'swap';
  /** Events replayed so far. */
  readonly events: number;
  /** Events in the log when the rebuild started (an estimate of the total). */
  readonly total: number;
}

export interface RebuildOptions {
  /** Events read per round, applied per transaction (default 5,000). */
  readonly batchSize?: number;
  /**
   * Connections that apply a round side by side, each the events of its share of the streams,
   * for a projection whose rows follow streams (default 2: one folds while another writes).
   */
  readonly lanes?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  readonly projection: string;
  readonly events: number;
  readonly tables: readonly string[];
  /** The checkpoint the rebuilt tables were swapped in at (null for an empty log). */
  readonly position: LogPosition | null;
  readonly seconds: number;
}

/** A catch-up pass under the swap's locks runs only once the copy is this close to the head. */
const SWAP_WHEN_BEHIND = 2_000;

/**
 * Rebuilds a read model from the whole log without taking it offline: the projection's tables
 * are created in a scratch schema and filled there, while the live tables go on serving reads
 * (and the live runner goes on updating them). At the end, in one transaction, the rebuild locks
 * the projection's checkpoint rows and tables, applies what was appended meanwhile, drops the old
 * tables and moves the new ones in, and writes the checkpoint of every lane the projection runs in
 * (see `laneKey`), the same for all: readers wait for a moment, never see a half-built table, and
 * a live batch that was waiting resumes after the new checkpoint.
 */
export async function rebuildReadModel(pool: Pool, store: EventStore, projection: Projection, options: RebuildOptions = {}): Promise<RebuildResult> {
  const tables = projection.tables ?? [];
  if (tables.length === 0) throw new Error(`projection "${projection.name}" keeps no tables of its own: there is nothing to rebuild`);
  const batchSize = options.batchSize ?? 5_000;
  const scratch = `minyi_rebuild_${projection.name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
  const started = performance.now();

  const client = await pool.connect();
  const laneCount = projection.rowsFollowStreams ? Math.max(1, options.lanes ?? 2) : 1;
  const lanes: PoolClient[] = [client];
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey(`rebuild:${projection.name}`)]);
    if (!rows[0]?.locked) throw new Error(`another rebuild of "${projection.name}" is running`);
    try {
      await migrateCheckpoints(client);
      await client.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`);
      await client.query(`CREATE SCHEMA ${scratch}`);
      await inSchema(client, scratch, () => projection.migrate(client));
      await assertTablesIn(client, scratch, projection.name, tables);
      const deferred = await prepareForBulkLoad(client, scratch, tables);

      const total = await store.countEvents();
      let events = 0;
      const report = (phase: RebuildProgress['phase']) => options.onProgress?.({ projection: projection.name, phase, events, total });

      // Copy: read the next batch while the current one is applied.
      let after: LogPosition | null = null;
      let lastGlobalPosition: number | null = null;
      let next = store.readAll({ after, maxCount: batchSize });
      for (;;) {
        const batch: RecordedEvent[] = await next;
        if (batch.length === 0) break;
        after = batch.at(-1)!.position;
        lastGlobalPosition = batch.at(-1)!.globalPosition;
        next = store.readAll({ after, maxCount: batchSize });
        while (lanes.length < laneCount) lanes.push(await pool.connect());
        const applied = await Promise.allSettled(
          splitByStream(batch, lanes.length).map((share, lane) => {
            const laneClient = lanes[lane]!;
            return share.length > 0 ? inSchema(laneClient, scratch, async () => void (await projection.apply(laneClient, share))) : undefined;
          }),
        );
        const failed = applied.find((outcome) => outcome.status === 'rejected');
        if (failed) throw failed.reason;
        events += batch.length;
        report('copy');
        if (batch.length < SWAP_WHEN_BEHIND) break;
      }
      await next.catch(() => undefined); // settled before the client is used for the swap
      await finishBulkLoad(client, scratch, tables, deferred);

      // Swap, under the checkpoint rows' locks (taken first, in the order live batches take them).
      await inTransaction(client, async () => {
        const lanes = await lockProjectionCheckpoints(client, projection.name);
        const live = await existingTables(client, 'public', tables);
        if (live.length > 0) await client.query(`LOCK TABLE ${live.map(quoteIdent).join(', ')} IN ACCESS EXCLUSIVE MODE`);
        for (;;) {
          const batch = await store.readAll({ after, maxCount: batchSize });
          if (batch.length === 0) break;
          after = batch.at(-1)!.position;
          lastGlobalPosition = batch.at(-1)!.globalPosition;
          await client.query(`SET LOCAL search_path TO ${scratch}, public`);
          await projection.apply(client, batch);
          await client.query('SET LOCAL search_path TO DEFAULT');
          events += batch.length;
          report('swap');
        }
        for (const table of live) await client.query(`DROP TABLE public.${quoteIdent(table)}`);
        for (const table of tables) await client.query(`ALTER TABLE ${scratch}.${quoteIdent(table)} SET SCHEMA public`);
        await client.query(`DROP SCHEMA ${scratch}`);
        for (const lane of lanes) await writeCheckpoint(client, lane.key, after, lastGlobalPosition, projection.version);
      });
      return { projection: projection.name, events, tables, position: after, seconds: (performance.now() - started) / 1000 };
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`).catch(() => undefined);
      await client.query('SELECT pg_advisory_unlock($1)', [lockKey(`rebuild:${projection.name}`)]).catch(() => undefined);
    }
  } finally {
    for (const lane of lanes) lane.release();
  }
}

/** The batch in `count` shares, each stream's events in one share, in log order. */
function splitByStream(batch: readonly RecordedEvent[], count: number): RecordedEvent[][] {
  if (count === 1) return [[...batch]];
  const shares: RecordedEvent[][] = Array.from({ length: count }, () => []);
  for (const event of batch) shares[laneOf(event.streamId, count)]!.push(event);
  return shares;
}

/**
 * Makes the scratch tables cheap to fill: unlogged (no WAL for each row), and without their
 * secondary indexes, which are built once at the end instead of updated row by row. Indexes
 * that enforce uniqueness stay, since the projection's upserts rely on them. Returns the
 * definitions of the indexes it dropped.
 */
async function prepareForBulkLoad(client: PoolClient, schema: string, tables: readonly string[]): Promise<string[]> {
  for (const table of tables) await client.query(`ALTER TABLE ${schema}.${quoteIdent(table)} SET UNLOGGED`);
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT index_class.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
       JOIN pg_class index_class ON index_class.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = index_class.relnamespace
      WHERE n.nspname = $1 AND NOT i.indisunique AND NOT i.indisprimary`,
    [schema],
  );
  for (const index of rows) await client.query(`DROP INDEX ${schema}.${quoteIdent(index.name)}`);
  return rows.map((index) => index.definition);
}

/** Builds the deferred indexes and makes the tables durable again, before they are swapped in. */
async function finishBulkLoad(client: PoolClient, schema: string, tables: readonly string[], indexes: readonly string[]): Promise<void> {
  for (const definition of indexes) await client.query(definition);
  for (const table of tables) await client.query(`ALTER TABLE ${schema}.${quoteIdent(table)} SET LOGGED`);
}

/**
 * Runs `work` in a transaction whose unqualified table names resolve to `schema` first. It
 * commits without waiting for the disk: a crash loses only scratch rows, and the rebuild starts over.
 */
async function inSchema(client: PoolClient, schema: string, work: () => Promise<void>): Promise<void> {
  // One round trip for the three: the rebuild runs thousands of these transactions.
  await inTransaction(client, work, `BEGIN; SET LOCAL search_path TO ${schema}, public; SET LOCAL synchronous_commit TO off`);
}

/** A projection whose SQL names its tables with a schema would fill the live ones: refuse it. */
async function assertTablesIn(client: PoolClient, schema: string, projection: string, tables: readonly string[]): Promise<void> {
  const found = await existingTables(client, schema, tables);
  const missing = tables.filter((table) => !found.includes(table));
  if (missing.length > 0) {
    throw new Error(`projection "${projection}" did not create ${missing.join(', ')} through search_path: its SQL must name its tables unqualified`);
  }
}

async function existingTables(client: PoolClient, schema: string, tables: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename = ANY($2)', [schema, tables]);
  return rows.map((row) => row.tablename);
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
