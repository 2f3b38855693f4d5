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

/** The version of the projection that wrote its rows; undefined when it has no checkpoint yet. */
export async function readProjectionVersion(client: PoolClient, projection: string): Promise<number | undefined> {
  const { rows } = await client.query<{ version: number | null }>('SELECT version FROM projection_checkpoints WHERE projection = $1', [projection]);
  return rows[0] ? (rows[0].version ?? 1) : undefined;
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

/**
 * Reads a projection's checkpoint and locks its row until the transaction ends, creating the
 * row when missing. Whoever writes the projection's rows takes this lock first, so a batch and a
 * rebuild's swap never interleave, and a batch sees the checkpoint a swap left behind.
 */
export async function lockCheckpoint(client: PoolClient, projection: string): Promise<StoredCheckpoint> {
  // One round trip: the no-op update of an existing row locks it like SELECT ... FOR UPDATE.
  const { rows } = await client.query<CheckpointRow & { version: number | null }>(
    `INSERT INTO projection_checkpoints (projection) VALUES ($1)
     ON CONFLICT (projection) DO UPDATE SET projection = EXCLUDED.projection
     RETURNING commit_position, prepare_position, version`,
    [projection],
  );
  return { position: positionOf(rows[0]), version: rows[0]?.version ?? 1 };
}

function positionOf(row: CheckpointRow | undefined): LogPosition | null {
  if (!row || row.commit_position === null || row.prepare_position === null) return null;
  return { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) };
}

/**
 * Moves a checkpoint forward outside any transaction, for a batch of this version that wrote no
 * rows: never backwards, so it cannot undo a rebuild's swap that got there first, and never past
 * a start over by another version.
 */
export async function advanceCheckpoint(client: Pool | PoolClient, projection: string, position: LogPosition, globalPosition: number, version: number): Promise<void> {
  await client.query(
    `INSERT INTO projection_checkpoints (projection, commit_position, prepare_position, global_position, version, updated_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (projection) DO UPDATE
       SET commit_position = EXCLUDED.commit_position, prepare_position = EXCLUDED.prepare_position,
           global_position = EXCLUDED.global_position, updated_at = now()
     WHERE COALESCE(projection_checkpoints.version, 1) = EXCLUDED.version
       AND (projection_checkpoints.commit_position IS NULL
            OR (projection_checkpoints.commit_position, projection_checkpoints.prepare_position) < (EXCLUDED.commit_position, EXCLUDED.prepare_position))`,
    [projection, position.commit.toString(), position.prepare.toString(), globalPosition, version],
  );
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
