import type { Pool, PoolClient } from 'pg';
import { runMigrations, type Migration, type MigrationTarget } from '#database';
import type { LogPosition } from '#event-store';

const CHECKPOINT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'checkpoints',
    up: `
      CREATE TABLE IF NOT EXISTS projection_checkpoints (
        projection      text PRIMARY KEY,
        commit_position bigint,
        prepare_position bigint,
        global_position bigint,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`,
  },
  {
    version: 2,
    name: 'projection versions',
    // Null for a projection last run before versions were kept: it counts as version 1.
    up: 'ALTER TABLE projection_checkpoints ADD COLUMN version integer',
  },
];

/**
 * Where each projection stands in the global log, written in the same transaction as its rows,
 * and the version of the projection's code that wrote them.
 */
export async function migrateCheckpoints(target: MigrationTarget): Promise<void> {
  await runMigrations(target, 'projections', CHECKPOINT_MIGRATIONS);
}

type CheckpointRow = { commit_position: string | null; prepare_position: string | null };

export async function readCheckpoint(client: Pool | PoolClient, projection: string): Promise<LogPosition | null> {
  const { rows } = await client.query<CheckpointRow>('SELECT commit_position, prepare_position FROM projection_checkpoints WHERE projection = $1', [projection]);
  return positionOf(rows[0]);
}

/** The checkpoints of several projections in one round trip; a projection without one is missing from the map. */
export async function readCheckpoints(client: Pool | PoolClient, projections: readonly string[]): Promise<Map<string, LogPosition>> {
  const { rows } = await client.query<CheckpointRow & { projection: string }>(
    'SELECT projection, commit_position, prepare_position FROM projection_checkpoints WHERE projection = ANY($1::text[])',
    [projections],
  );
  const positions = new Map<string, LogPosition>();
  for (const row of rows) {
    const position = positionOf(row);
    if (position) positions.set(row.projection, position);
  }
  return positions;
}

/** A projection's checkpoint, and the version of the projection that wrote its rows. */
export interface StoredCheckpoint {
  readonly position: LogPosition | null;
  readonly version: number;
}

/** A checkpoint row of one of a projection's lanes (see `laneKey`). */
export interface LaneCheckpoint extends StoredCheckpoint {
  readonly key: string;
  readonly globalPosition: number | null;
}

/** Selects the checkpoint rows of the projection `$1`: its single lane's, or each of its lanes' (see `laneKey`). */
const PROJECTION_ROWS = `projection = $1 OR left(projection, length($1) + 1) = $1 || '['`;

/** The checkpoints of every lane of the projection `name` as stored, whatever lane count wrote them. */
export async function readLaneCheckpoints(client: Pool | PoolClient, name: string): Promise<LaneCheckpoint[]> {
  const { rows } = await client.query<LaneRow>(
    `SELECT projection, commit_position, prepare_position, global_position, version FROM projection_checkpoints WHERE ${PROJECTION_ROWS} ORDER BY projection`,
    [name],
  );
  return rows.map(laneCheckpointOf);
}

/**
 * Locks the checkpoint rows of every lane of the projection `name` until the transaction ends (in
 * key order, as every writer of several takes them), creating the single lane's row when there is
 * none. Whoever writes the projection's rows takes these locks first, so a batch and a rebuild's
 * swap never interleave, and a batch sees the checkpoint a swap left behind.
 */
export async function lockProjectionCheckpoints(client: PoolClient, name: string): Promise<LaneCheckpoint[]> {
  await client.query(
    `INSERT INTO projection_checkpoints (projection) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM projection_checkpoints WHERE ${PROJECTION_ROWS}) ON CONFLICT DO NOTHING`,
    [name],
  );
  const { rows } = await client.query<LaneRow>(
    `SELECT projection, commit_position, prepare_position, global_position, version FROM projection_checkpoints WHERE ${PROJECTION_ROWS} ORDER BY projection FOR UPDATE`,
    [name],
  );
  return rows.map(laneCheckpointOf);
}

/**
 * Reads one lane's checkpoint and locks its row until the transaction ends; undefined when the row
 * is gone, which means the projection now runs in another number of lanes.
 */
export async function lockLaneCheckpoint(client: PoolClient, key: string): Promise<StoredCheckpoint | undefined> {
  const { rows } = await client.query<CheckpointRow & { version: number | null }>(
    'SELECT commit_position, prepare_position, version FROM projection_checkpoints WHERE projection = $1 FOR UPDATE',
    [key],
  );
  return rows[0] && { position: positionOf(rows[0]), version: rows[0].version ?? 1 };
}

/** Removes checkpoint rows: those of lanes that no longer run. */
export async function deleteCheckpoints(client: PoolClient, keys: readonly string[]): Promise<void> {
  await client.query('DELETE FROM projection_checkpoints WHERE projection = ANY($1::text[])', [keys]);
}

type LaneRow = CheckpointRow & { projection: string; global_position: string | null; version: number | null };

function laneCheckpointOf(row: LaneRow): LaneCheckpoint {
  return { key: row.projection, position: positionOf(row), globalPosition: row.global_position === null ? null : Number(row.global_position), version: row.version ?? 1 };
}

function positionOf(row: CheckpointRow | undefined): LogPosition | null {
  if (!row || row.commit_position === null || row.prepare_position === null) return null;
  return { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) };
}

/**
 * Moves a lane's checkpoint forward outside any transaction, for a batch of this version that
 * wrote no rows: never backwards, so it cannot undo a rebuild's swap that got there first, never
 * past a start over by another version, never for a lane whose row is gone (the projection
 * runs in another number of lanes now), and never from a checkpoint that is behind `readFrom`,
 * where the lane's reader stands (a reset under it). Answers whether it moved.
 */
export async function advanceCheckpoint(
  client: Pool | PoolClient,
  key: string,
  position: LogPosition,
  globalPosition: number,
  version: number,
  readFrom: LogPosition | null = null,
): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE projection_checkpoints
        SET commit_position = $2, prepare_position = $3, global_position = $4, updated_at = now()
      WHERE projection = $1 AND COALESCE(version, 1) = $5
        AND (commit_position IS NULL OR (commit_position, prepare_position) < ($2::bigint, $3::bigint))
        AND ($6::bigint IS NULL OR (commit_position, prepare_position) >= ($6::bigint, $7::bigint))`,
    [key, position.commit.toString(), position.prepare.toString(), globalPosition, version, readFrom?.commit.toString() ?? null, readFrom?.prepare.toString() ?? null],
  );
  return rowCount === 1;
}

/** Writes the checkpoint, and the projection's version when given (a rebuild writes its rows anew). */
export async function writeCheckpoint(client: PoolClient, projection: string, position: LogPosition | null, globalPosition: number | null, version?: number): Promise<void> {
  await client.query(
    `INSERT INTO projection_checkpoints (projection, commit_position, prepare_position, global_position, version, updated_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (projection) DO UPDATE
       SET commit_position = EXCLUDED.commit_position, prepare_position = EXCLUDED.prepare_position,
           global_position = EXCLUDED.global_position, version = COALESCE(EXCLUDED.version, projection_checkpoints.version), updated_at = now()`,
    [projection, position?.commit.toString() ?? null, position?.prepare.toString() ?? null, globalPosition, version ?? null],
  );
}
