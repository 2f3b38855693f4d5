import { EventEmitter, once } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import { inTransaction, lockKey, withMigrationLock } from '#database';
import { comparePositions, type EventStore, type LogPosition, type RecordedEvent, type Subscription } from '#event-store';
import {
  advanceCheckpoint,
  lockCheckpoint,
  migrateCheckpoints,
  readCheckpoint,
  readCheckpoints,
  readProjectionVersion,
  writeCheckpoint,
} from './checkpoints.js';
import type { Projection } from './projection.js';
import { quoteIdent, rebuildReadModel, type RebuildOptions } from './rebuild.js';

export interface ProjectionRunnerOptions {
  /** How often a standby instance retries to become the active one for a projection (ms). */
  readonly standbyRetryMs?: number;
  readonly batchSize?: number;
  readonly onError?: (projection: string, error: unknown) => void;
}

/**
 * Runs projections on checkpointed catch-up subscriptions. Each projection is active on one
 * instance at a time: the one holding its PostgreSQL advisory lock; others stand by and retry.
 */
export class ProjectionRunner {
  private readonly progress = new EventEmitter();
  private readonly active = new Map<string, { subscription: Subscription; lockClient: PoolClient; lost: (error: Error) => void }>();
  private readonly standbyTimers = new Map<string, NodeJS.Timeout>();
  private stopping = false;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    readonly projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.progress.setMaxListeners(0);
  }

  /**
   * Creates the checkpoint table and every projection's tables, under the migration lock of the
   * library `projections`. A projection whose stored version is not its code's starts over first
   * (see `Projection.version`); then it catches up from the log like any other.
   */
  async migrate(): Promise<void> {
    await withMigrationLock(this.pool, 'projections', async (client) => {
      await migrateCheckpoints(client);
      for (const projection of this.projections) {
        const stored = await readProjectionVersion(client, projection.name);
        if (stored === projection.version) await projection.migrate(client);
        else await startOver(client, projection, stored);
      }
    });
  }

  async start(): Promise<void> {
    this.stopping = false;
    await this.migrate();
    await Promise.all(this.projections.map((projection) => this.tryActivate(projection)));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.standbyTimers.values()) clearTimeout(timer);
    this.standbyTimers.clear();
    await Promise.all([...this.active.keys()].map((name) => this.deactivate(name)));
  }

  /**
   * Replays the whole log into a projection. A read model is rebuilt beside its live tables and
   * swapped in (see `rebuildReadModel`), so reads and this runner carry on meanwhile; a reactor,
   * which keeps no rows, is stopped, its checkpoint reset, and started again.
   */
  async rebuild(name: string, options?: RebuildOptions): Promise<void> {
    const projection = this.projection(name);
    if (projection.tables?.length) {
      await rebuildReadModel(this.pool, this.store, projection, options);
      this.progress.emit('batch', projection.name);
      return;
    }
    await this.deactivate(name);
    await inTransaction(this.pool, async (client) => {
      await projection.reset(client);
      await writeCheckpoint(client, name, null, null);
    });
    if (!this.stopping) await this.tryActivate(projection);
  }

  /** The projection's checkpoint, as stored. */
  checkpoint(name: string): Promise<LogPosition | null> {
    return readCheckpoint(this.pool, this.projection(name).name);
  }

  /**
   * Waits until the named projections (default: all) have applied the event at `globalPosition`
   * (read-your-writes). Answers false when the time runs out first.
   */
  async waitFor(globalPosition: number, timeoutMs: number, names: readonly string[] = this.projections.map((p) => p.name)): Promise<boolean> {
    const awaited = names.map((name) => this.projection(name).name);
    // Positions start at 1: position 0, before any event, is included in every read model.
    if (globalPosition === 0) return true;
    const target = await this.store.positionOf(globalPosition);
    if (!target) return false;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.allReached(awaited, target)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      // Wake on local progress, or poll for a projection that runs on another instance.
      await Promise.race([once(this.progress, 'batch'), delay(Math.min(left, 100))]);
    }
  }

  private async allReached(names: readonly string[], target: LogPosition): Promise<boolean> {
    // One round trip per poll: reads after a command wait here on every projection they name.
    const checkpoints = await readCheckpoints(this.pool, names);
    return names.every((name) => {
      const at = checkpoints.get(name);
      return at !== undefined && comparePositions(at, target) >= 0;
    });
  }

  private projection(name: string): Projection {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`unknown projection "${name}"; known: ${this.projections.map((p) => p.name).join(', ')}`);
    return projection;
  }

  private async tryActivate(projection: Projection): Promise<void> {
    if (this.stopping || this.active.has(projection.name)) return;
    const lockClient = await this.pool.connect();
    // The lead's session can be ended under it (pg_terminate_backend, a server restart), taking
    // the lock with it: then give the lead up and stand by. Unlistened, the client's 'error'
    // would end the process.
    const lost = (error: Error) => {
      if (this.active.get(projection.name)?.lockClient !== lockClient) return;
      this.options.onError?.(projection.name, error);
      void this.deactivate(projection.name, error).then(() => this.scheduleStandbyRetry(projection));
    };
    lockClient.on('error', lost);
    let locked: boolean;
    try {
      const { rows } = await lockClient.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey(projection.name)]);
      locked = rows[0]?.locked === true;
    } catch (error) {
      lockClient.release(error as Error);
      throw error;
    }
    if (!locked) {
      lockClient.removeListener('error', lost);
      lockClient.release();
      this.scheduleStandbyRetry(projection);
      return;
    }
    const after = await readCheckpoint(this.pool, projection.name);
    const subscription = this.store.subscribeToAll((events) => this.applyBatch(projection, events), {
      after,
      batchSize: this.options.batchSize,
    });
    this.active.set(projection.name, { subscription, lockClient, lost });
    subscription.done.catch((error: unknown) => {
      this.options.onError?.(projection.name, error);
      // Give up the lead, then try again: the failed batch was rolled back with its checkpoint.
      void this.deactivate(projection.name).then(() => this.scheduleStandbyRetry(projection));
    });
  }

  private scheduleStandbyRetry(projection: Projection): void {
    if (this.stopping) return;
    clearTimeout(this.standbyTimers.get(projection.name));
    const timer = setTimeout(() => {
      this.standbyTimers.delete(projection.name);
      this.tryActivate(projection).catch((error: unknown) => {
        this.options.onError?.(projection.name, error);
        this.scheduleStandbyRetry(projection);
      });
    }, this.options.standbyRetryMs ?? 5_000);
    timer.unref();
    this.standbyTimers.set(projection.name, timer);
  }

  /** Gives up the lead; `lost` when its session is gone already (the client is then destroyed, not pooled). */
  private async deactivate(name: string, lost?: Error): Promise<void> {
    const entry = this.active.get(name);
    if (!entry) return;
    this.active.delete(name);
    await entry.subscription.stop().catch(() => undefined);
    let broken = lost;
    if (!broken) await entry.lockClient.query('SELECT pg_advisory_unlock($1)', [lockKey(name)]).catch((error: Error) => (broken = error));
    // A session that may still hold the lock is never handed out again; a destroyed one keeps
    // its listener, so that a last error while it closes ends nothing.
    if (!broken) entry.lockClient.removeListener('error', entry.lost);
    entry.lockClient.release(broken);
  }

  private async applyBatch(projection: Projection, events: readonly RecordedEvent[]): Promise<void> {
    const last = events.at(-1);
    if (last && projection.handles && !events.some((event) => projection.handles!(event))) {
      await advanceCheckpoint(this.pool, projection.name, last.position, last.globalPosition, projection.version);
      this.progress.emit('batch', projection.name);
      return;
    }
    await inTransaction(this.pool, async (client) => {
      // The stored checkpoint, not this subscription's, says what the tables hold: a rebuild may
      // have swapped in tables that are already past some of these events.
      const { position: stored, version } = await lockCheckpoint(client, projection.name);
      // Another version started the projection over: its rows are not this code's to write.
      if (version !== projection.version) throw new ProjectionVersionChangedError(projection, version);
      const fresh = stored ? events.filter((event) => comparePositions(event.position, stored) > 0) : events;
      const last = fresh.at(-1);
      if (!last) return;
      await projection.apply(client, fresh);
      await writeCheckpoint(client, projection.name, last.position, last.globalPosition);
    });
    this.progress.emit('batch', projection.name);
    await projection.afterCommit?.().catch((error: unknown) => this.options.onError?.(projection.name, error));
  }
}

/** The projection's stored version is another than this code's: this instance stands by. */
export class ProjectionVersionChangedError extends Error {
  constructor(projection: Projection, stored: number) {
    super(`projection "${projection.name}" is at version ${stored} in the database, this code writes version ${projection.version}: it stands by`);
  }
}

/**
 * Drops a read model's tables and makes them anew, or resets a reactor, and moves its checkpoint
 * back to the start of the log, as the code's version. A projection without a checkpoint has
 * applied nothing: any tables it left are dropped too, and a reactor has nothing to reset.
 */
async function startOver(client: PoolClient, projection: Projection, stored: number | undefined): Promise<void> {
  const tables = projection.tables ?? [];
  await inTransaction(client, async () => {
    // The checkpoint row's lock first, as batches take it: one in flight elsewhere finishes before.
    await lockCheckpoint(client, projection.name);
    if (tables.length > 0) {
      await client.query(`DROP TABLE IF EXISTS ${tables.map(quoteIdent).join(', ')}`);
      // A read model's tables are plain DDL: made in the same transaction, readers never miss them.
      await projection.migrate(client);
    } else if (stored !== undefined) {
      await projection.reset(client);
    }
    await writeCheckpoint(client, projection.name, null, null, projection.version);
  });
  // A reactor's migrate may run steps of its own, each its own transaction.
  if (tables.length === 0) await projection.migrate(client);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
