import { EventEmitter, once } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import { inTransaction, lockKey, withMigrationLock } from '#database';
import { comparePositions, type EventStore, type LogPosition, type RecordedEvent, type Subscription } from '#event-store';
import {
  advanceCheckpoint,
  deleteCheckpoints,
  lockLaneCheckpoint,
  lockProjectionCheckpoints,
  migrateCheckpoints,
  readCheckpoint,
  readCheckpoints,
  readLaneCheckpoints,
  writeCheckpoint,
  type LaneCheckpoint,
} from './checkpoints.js';
import { laneKeys, laneOf, MAX_PROJECTION_LANES } from './lanes.js';
import type { AfterCommit, Projection } from './projection.js';
import { quoteIdent, rebuildReadModel, type RebuildOptions } from './rebuild.js';

export interface ProjectionRunnerOptions {
  /** How often an instance looks again for lanes to take, or to hand over (ms, default 5000). */
  readonly standbyRetryMs?: number;
  readonly batchSize?: number;
  /** `name` is the lane's checkpoint key: the projection's name, with the lane when it runs in several. */
  readonly onError?: (name: string, error: unknown) => void;
  /**
   * How many lanes each projection that may (`Projection.runsInLanes`) runs in: PROJECTION_LANES,
   * 1 to MAX_PROJECTION_LANES, default 1. Every process of an installation must use the same.
   */
  readonly lanes?: number;
}

/** One lane of a projection: the streams whose `laneOf` is `index` of `count`, its own checkpoint and lock. */
interface Lane {
  readonly projection: Projection;
  /** Its checkpoint key and advisory lock seed (see `laneKey`). */
  readonly key: string;
  readonly index: number;
  readonly count: number;
}

/**
 * Runs projections on checkpointed catch-up subscriptions. A projection runs in one lane, or in
 * `lanes` when it may (see `Projection.runsInLanes`), each lane taking its share of the streams.
 * Each lane is active on one instance at a time: the one holding its PostgreSQL advisory lock.
 * The instances share each projection's lanes out: every running instance holds a shared lock
 * that counts it, and takes at most its share of a projection's lanes (their number over the
 * instances', rounded up), handing over any beyond it; every `standbyRetryMs` it looks again, so
 * a lane whose process died, or that another handed over, is taken.
 */
export class ProjectionRunner {
  private readonly progress = new EventEmitter();
  private readonly lanes: readonly Lane[];
  /** The active lanes of this instance, by key. */
  private readonly active = new Map<string, ActiveLane>();
  /** Lanes being let go after a failure: `stop` waits for them too. */
  private readonly lettingGo = new Set<Promise<void>>();
  private balanceTimer: NodeJS.Timeout | undefined;
  /** The look in progress: one at a time, and `stop` waits for it before letting go of the lanes. */
  private balancing: Promise<void> = Promise.resolve();
  /** The connection holding this instance's share of the runners' lock, which counts it among them. */
  private presence: { client: PoolClient; onError: (error: Error) => void } | undefined;
  private stopping = false;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    readonly projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.progress.setMaxListeners(0);
    const lanes = options.lanes ?? 1;
    if (!Number.isInteger(lanes) || lanes < 1 || lanes > MAX_PROJECTION_LANES) {
      throw new RangeError(`projections run in 1 to ${MAX_PROJECTION_LANES} lanes, not ${lanes}`);
    }
    this.lanes = projections.flatMap((projection) => {
      const count = projection.runsInLanes ? lanes : 1;
      return laneKeys(projection.name, count).map((key, index) => ({ projection, key, index, count }));
    });
  }

  /**
   * Creates the checkpoint table and every projection's tables, under the migration lock of the
   * library `projections`. A projection whose stored version is not its code's starts over first
   * (see `Projection.version`); one stored in another number of lanes changes to this one's (see
   * `changeLanes`); then it catches up from the log like any other.
   */
  async migrate(): Promise<void> {
    await withMigrationLock(this.pool, 'projections', async (client) => {
      await migrateCheckpoints(client);
      for (const projection of this.projections) {
        const keys = this.keysOf(projection.name);
        const stored = await readLaneCheckpoints(client, projection.name);
        if (stored.length === 0 || stored.some((lane) => lane.version !== projection.version)) await startOver(client, projection, keys, stored.length > 0);
        else if (!sameKeys(stored, keys)) await changeLanes(client, projection, stored, keys);
        else await projection.migrate(client);
      }
    });
  }

  async start(): Promise<void> {
    this.stopping = false;
    await this.migrate();
    await this.join();
    await this.balance();
  }

  /**
   * Counts this instance among the runners that share the lanes (`start` does it too). Instances
   * started together that join before any starts take their shares from the first.
   */
  async join(): Promise<void> {
    if (this.presence) return;
    const client = await this.pool.connect();
    const onError = (error: Error) => {
      // Uncounted, it would take more than its share: it joins again at the next look.
      this.options.onError?.(RUNNERS_LOCK, error);
      if (this.presence?.client !== client) return; // already handed back by stop
      this.presence = undefined;
      client.release(true);
    };
    client.on('error', onError);
    try {
      await client.query('SELECT pg_advisory_lock_shared($1)', [lockKey(RUNNERS_LOCK)]);
    } catch (error) {
      client.release(true);
      throw error;
    }
    this.presence = { client, onError };
    // Stopped meanwhile: stop has already let go of whatever it found.
    if (this.stopping) await this.leave();
  }

  /** Stops counting this instance among the runners. */
  private async leave(): Promise<void> {
    const presence = this.presence;
    this.presence = undefined;
    if (!presence) return;
    let broken = false;
    await presence.client.query('SELECT pg_advisory_unlock_shared($1)', [lockKey(RUNNERS_LOCK)]).catch(() => (broken = true));
    // A session that may still hold its share is closed, not pooled: it would count a runner that is gone.
    if (!broken) presence.client.removeListener('error', presence.onError);
    presence.client.release(broken);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.balanceTimer);
    this.balanceTimer = undefined;
    await this.balancing;
    await Promise.all([...this.active.keys()].map((key) => this.deactivate(key)));
    await Promise.all(this.lettingGo);
    await this.leave();
  }

  /**
   * Replays the whole log into a projection. A read model is rebuilt beside its live tables and
   * swapped in with every lane's checkpoint (see `rebuildReadModel`), so reads and this runner
   * carry on meanwhile; a reactor, which keeps no rows, has its lanes stopped, its checkpoints
   * reset, and its lanes started again.
   */
  async rebuild(name: string, options?: RebuildOptions): Promise<void> {
    const projection = this.projection(name);
    if (projection.tables?.length) {
      await rebuildReadModel(this.pool, this.store, projection, options);
      this.progress.emit('batch', projection.name);
      return;
    }
    const lanes = this.lanes.filter((lane) => lane.projection === projection);
    // In the balancing's turn: a look between letting the lanes go and the reset would take a
    // lane again from its old checkpoint.
    const reset = this.balancing.then(async () => {
      await Promise.all(lanes.map((lane) => this.deactivate(lane.key)));
      await inTransaction(this.pool, async (client) => {
        await lockProjectionCheckpoints(client, name);
        await projection.reset(client);
        for (const lane of lanes) await writeCheckpoint(client, lane.key, null, null);
      });
    });
    this.balancing = reset.catch(() => undefined);
    await reset;
    if (!this.stopping) await this.balance();
  }

  /** The position up to which every lane of the projection has applied the log, as stored. */
  async checkpoint(name: string): Promise<LogPosition | null> {
    const keys = this.keysOf(name);
    if (keys.length === 1) return readCheckpoint(this.pool, keys[0]!);
    const checkpoints = await readCheckpoints(this.pool, keys);
    return oldest(keys.map((key) => checkpoints.get(key) ?? null));
  }

  /**
   * Waits until every lane of the named projections (default: all) has applied the event at
   * `globalPosition` (read-your-writes). Answers false when the time runs out first.
   */
  async waitFor(globalPosition: number, timeoutMs: number, names: readonly string[] = this.projections.map((p) => p.name)): Promise<boolean> {
    const awaited = names.flatMap((name) => this.keysOf(name));
    // Positions start at 1: position 0, before any event, is included in every read model.
    if (globalPosition === 0) return true;
    const target = await this.store.positionOf(globalPosition);
    if (!target) return false;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.allReached(awaited, target)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      // Wake on local progress, or poll for a lane that runs on another instance; either way the
      // listener goes, or waits that poll would pile up on an instance that holds no lane.
      const woken = new AbortController();
      await Promise.race([once(this.progress, 'batch', { signal: woken.signal }).catch(() => undefined), delay(Math.min(left, 100))]);
      woken.abort();
    }
  }

  private async allReached(keys: readonly string[], target: LogPosition): Promise<boolean> {
    // One round trip per poll: reads after a command wait here on every lane they name.
    const checkpoints = await readCheckpoints(this.pool, keys);
    return keys.every((key) => {
      const at = checkpoints.get(key);
      return at !== undefined && comparePositions(at, target) >= 0;
    });
  }

  private projection(name: string): Projection {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`unknown projection "${name}"; known: ${this.projections.map((p) => p.name).join(', ')}`);
    return projection;
  }

  /** The checkpoint keys of the projection's lanes here. */
  private keysOf(name: string): string[] {
    const projection = this.projection(name);
    return this.lanes.filter((lane) => lane.projection === projection).map((lane) => lane.key);
  }

  /**
   * Takes free lanes up to this instance's share of each projection's, and hands over those
   * beyond it; then looks again after `standbyRetryMs`.
   */
  private balance(): Promise<void> {
    this.balancing = this.balancing.then(() => this.balanceOnce());
    return this.balancing;
  }

  private async balanceOnce(): Promise<void> {
    clearTimeout(this.balanceTimer);
    if (this.stopping) return;
    try {
      await this.join();
      const runners = await this.countRunners();
      for (const projection of this.projections) {
        const lanes = this.lanes.filter((lane) => lane.projection === projection);
        const share = Math.ceil(lanes.length / runners);
        const held = lanes.filter((lane) => this.active.has(lane.key));
        for (const lane of held.slice(share)) await this.deactivate(lane.key);
        let holding = Math.min(held.length, share);
        // From a lane of its own choosing, so that instances starting together try different ones first.
        const from = Math.floor(Math.random() * lanes.length);
        for (let i = 0; i < lanes.length && holding < share && !this.stopping; i++) {
          if (await this.tryActivate(lanes[(from + i) % lanes.length]!)) holding++;
        }
      }
    } catch (error) {
      this.options.onError?.(RUNNERS_LOCK, error);
    }
    if (this.stopping) return;
    this.balanceTimer = setTimeout(() => void this.balance(), this.options.standbyRetryMs ?? 5_000);
    this.balanceTimer.unref();
  }

  /** How many runners hold the shared lock that counts them, this one included. */
  private async countRunners(): Promise<number> {
    // pg_locks shows a bigint advisory key as its high and low 32 bits.
    const key = BigInt.asUintN(64, BigInt(lockKey(RUNNERS_LOCK)));
    const { rows } = await this.pool.query<{ runners: number }>(
      `SELECT count(*)::int AS runners FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid::text = $1 AND objid::text = $2
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [(key >> 32n).toString(), (key & 0xffffffffn).toString()],
    );
    return Math.max(1, rows[0]?.runners ?? 1);
  }

  /** Becomes the active instance of the lane if no other is; answers whether it is now. */
  private async tryActivate(lane: Lane): Promise<boolean> {
    if (this.stopping) return false;
    if (this.active.has(lane.key)) return true;
    const lockClient = await this.pool.connect();
    let locked: boolean;
    try {
      const { rows } = await lockClient.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey(lane.key)]);
      locked = rows[0]?.locked === true;
      if (locked && this.stopping) {
        await lockClient.query('SELECT pg_advisory_unlock($1)', [lockKey(lane.key)]);
        locked = false;
      }
    } catch (error) {
      // A session that failed here may hold the lock: it is closed, not pooled.
      lockClient.release(error as Error);
      throw error;
    }
    if (!locked) {
      lockClient.release();
      return false;
    }
    // Where this lane's subscription stands: it moves on with every checkpoint the lane writes.
    const reading: { at: LogPosition | null } = { at: null };
    let subscription: Subscription;
    try {
      reading.at = await readCheckpoint(this.pool, lane.key);
      subscription = this.store.subscribeToAll((events) => this.applyBatch(lane, events, reading), {
        after: reading.at,
        batchSize: this.options.batchSize,
      });
    } catch (error) {
      await unlockAndRelease(lockClient, lane.key, false);
      throw error;
    }
    const giveUp = (error: Error, connectionLost: boolean) => {
      this.options.onError?.(lane.key, error);
      // Give up the lead; the next look tries again: the failed batch was rolled back with its checkpoint.
      if (this.active.get(lane.key)?.lockClient !== lockClient) return;
      const lettingGo = this.deactivate(lane.key, connectionLost).finally(() => this.lettingGo.delete(lettingGo));
      this.lettingGo.add(lettingGo);
    };
    subscription.done.catch((error: unknown) => giveUp(error instanceof Error ? error : new Error(String(error)), false));
    // A lock connection that dies takes the lock with it, and another instance may take the lane.
    const onLost = (error: Error) => giveUp(error, true);
    lockClient.on('error', onLost);
    this.active.set(lane.key, { subscription, lockClient, onLost });
    return true;
  }

  private async deactivate(key: string, connectionLost = false): Promise<void> {
    const entry = this.active.get(key);
    if (!entry) return;
    this.active.delete(key);
    await entry.subscription.stop().catch(() => undefined);
    await unlockAndRelease(entry.lockClient, key, connectionLost, entry.onLost);
  }

  /**
   * Applies the lane's share of a batch and moves the lane's checkpoint past the whole batch: the
   * other lanes' events are theirs to apply, and every lane's checkpoint says how far it has read.
   */
  private async applyBatch(lane: Lane, events: readonly RecordedEvent[], reading: { at: LogPosition | null }): Promise<void> {
    const { projection } = lane;
    const last = events.at(-1);
    if (!last) return;
    const mine = lane.count === 1 ? events : events.filter((event) => laneOf(event.streamId, lane.count) === lane.index);
    if (!mine.some((event) => projection.handles?.(event) ?? true)) {
      const moved = await advanceCheckpoint(this.pool, lane.key, last.position, last.globalPosition, projection.version, reading.at);
      if (moved) reading.at = last.position;
      else {
        const stored = await readCheckpoint(this.pool, lane.key);
        if (movedBack(stored, reading.at)) throw new CheckpointMovedBackError(lane);
      }
      this.progress.emit('batch', projection.name);
      return;
    }
    const afterCommit = await inTransaction(this.pool, async (client): Promise<AfterCommit | void> => {
      // The stored checkpoint, not this subscription's, says what the tables hold: a rebuild may
      // have swapped in tables that are already past some of these events.
      const stored = await lockLaneCheckpoint(client, lane.key);
      if (!stored) throw new ProjectionLanesChangedError(lane);
      // Another version started the projection over: its rows are not this code's to write.
      if (stored.version !== projection.version) throw new ProjectionVersionChangedError(projection, stored.version);
      const from = stored.position;
      // Reset under it (a reactor's rebuild, from another instance too): the events before this
      // batch are to be applied again, so the lane reads again from the stored checkpoint.
      if (movedBack(from, reading.at)) throw new CheckpointMovedBackError(lane);
      if (from && comparePositions(last.position, from) <= 0) return;
      const fresh = from ? mine.filter((event) => comparePositions(event.position, from) > 0) : mine;
      const afterCommit = fresh.length > 0 ? await projection.apply(client, fresh) : undefined;
      await writeCheckpoint(client, lane.key, last.position, last.globalPosition);
      return afterCommit;
    });
    reading.at = last.position;
    this.progress.emit('batch', projection.name);
    await afterCommit?.().catch((error: unknown) => this.options.onError?.(lane.key, error));
  }
}

/** The projection's stored version is another than this code's: this instance stands by. */
export class ProjectionVersionChangedError extends Error {
  constructor(projection: Projection, stored: number) {
    super(`projection "${projection.name}" is at version ${stored} in the database, this code writes version ${projection.version}: it stands by`);
  }
}

/**
 * A lane's stored checkpoint is behind where its subscription reads (a reset): the lane is given
 * up and taken again from the stored checkpoint, so nothing before it is skipped.
 */
export class CheckpointMovedBackError extends Error {
  constructor(lane: Lane) {
    super(`the checkpoint of "${lane.key}" moved back under its subscription (a rebuild or reset): the lane reads again from there`);
  }
}

/** The stored checkpoint is behind the position a lane's subscription has read to. */
function movedBack(stored: LogPosition | null, reading: LogPosition | null): boolean {
  return reading !== null && (stored === null || comparePositions(stored, reading) < 0);
}

interface ActiveLane {
  readonly subscription: Subscription;
  readonly lockClient: PoolClient;
  readonly onLost: (error: Error) => void;
}

/**
 * Lets go of a lane's lock. A session that may still hold it (lost, or whose unlock failed) is
 * closed rather than handed back to the pool, and keeps its listener, so that a last error while
 * it closes ends nothing.
 */
async function unlockAndRelease(client: PoolClient, key: string, connectionLost: boolean, onError?: (error: Error) => void): Promise<void> {
  let broken = connectionLost;
  if (!broken) await client.query('SELECT pg_advisory_unlock($1)', [lockKey(key)]).catch(() => (broken = true));
  if (!broken && onError) client.removeListener('error', onError);
  client.release(broken);
}

/** The shared advisory lock every running instance holds, which counts them. */
const RUNNERS_LOCK = 'projection-runners';

/** A lane's checkpoint row is gone: the projection runs in another number of lanes now, and this instance stands by. */
export class ProjectionLanesChangedError extends Error {
  constructor(lane: Lane) {
    super(
      `projection "${lane.projection.name}" no longer runs in ${lane.count} lane${lane.count === 1 ? '' : 's'} in the database (PROJECTION_LANES changed): lane "${lane.key}" stands by`,
    );
  }
}

/** A lane of the number a projection is to leave is still held by a running process. */
export class ProjectionLanesInUseError extends Error {
  constructor(projection: Projection, held: string, lanes: number) {
    super(
      `projection "${projection.name}" cannot change to ${lanes} lane${lanes === 1 ? '' : 's'} while another process runs its lane "${held}": ` +
        'stop every process started with the former PROJECTION_LANES first (all processes must use the same)',
    );
  }
}

/**
 * Drops a read model's tables and makes them anew, or resets a reactor, and moves the checkpoint
 * of each of `keys` (its lanes) back to the start of the log, as the code's version; other lanes'
 * rows go. A projection without a checkpoint has applied nothing: any tables it left are dropped
 * too, and a reactor has nothing to reset.
 */
async function startOver(client: PoolClient, projection: Projection, keys: readonly string[], hadCheckpoint: boolean): Promise<void> {
  const tables = projection.tables ?? [];
  await inTransaction(client, async () => {
    // The checkpoint rows' locks first, as batches take them: one in flight elsewhere finishes before.
    const stored = await lockProjectionCheckpoints(client, projection.name);
    if (tables.length > 0) {
      await client.query(`DROP TABLE IF EXISTS ${tables.map(quoteIdent).join(', ')}`);
      // A read model's tables are plain DDL: made in the same transaction, readers never miss them.
      await projection.migrate(client);
    } else if (hadCheckpoint) {
      await projection.reset(client);
    }
    await deleteCheckpoints(client, stored.map((lane) => lane.key).filter((key) => !keys.includes(key)));
    for (const key of keys) await writeCheckpoint(client, key, null, null, projection.version);
  });
  // A reactor's migrate may run steps of its own, each its own transaction.
  if (tables.length === 0) await projection.migrate(client);
}

/**
 * Moves a projection stored in another number of lanes to `keys`. The old lanes stand at
 * different places in the log, and no new lane's share matches an old one's, so: a read model
 * starts over (its rows cannot say which events they hold), and a reactor's new lanes all resume
 * from the oldest of the old checkpoints, applying again what the others had passed, which a
 * reactor in lanes does without doing anything twice (see `Projection.runsInLanes`). It holds
 * every old lane's advisory lock meanwhile: a process still running one would carry on where its
 * subscription stands, so while one does, start-up stops instead.
 */
async function changeLanes(client: PoolClient, projection: Projection, stored: readonly LaneCheckpoint[], keys: readonly string[]): Promise<void> {
  const held: string[] = [];
  try {
    for (const { key } of stored) {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey(key)]);
      if (!rows[0]?.locked) throw new ProjectionLanesInUseError(projection, key, keys.length);
      held.push(key);
    }
    if (projection.tables?.length) {
      await startOver(client, projection, keys, true);
      return;
    }
    await inTransaction(client, async () => {
      const old = await lockProjectionCheckpoints(client, projection.name);
      const from = old.reduce<LaneCheckpoint | null>((oldestSoFar, lane) => (!oldestSoFar || isBefore(lane.position, oldestSoFar.position) ? lane : oldestSoFar), null);
      await deleteCheckpoints(client, old.map((lane) => lane.key));
      for (const key of keys) await writeCheckpoint(client, key, from?.position ?? null, from?.globalPosition ?? null, projection.version);
    });
    await projection.migrate(client);
  } finally {
    for (const key of held) await client.query('SELECT pg_advisory_unlock($1)', [lockKey(key)]);
  }
}

/** Whether the stored lanes are exactly `keys`. */
function sameKeys(stored: readonly LaneCheckpoint[], keys: readonly string[]): boolean {
  return stored.length === keys.length && stored.every((lane) => keys.includes(lane.key));
}

/** Whether checkpoint `a` lies before `b` (null: before the first event). */
function isBefore(a: LogPosition | null, b: LogPosition | null): boolean {
  if (a === null) return b !== null;
  return b !== null && comparePositions(a, b) < 0;
}

/** The earliest of some checkpoints: how far all of them have come. */
function oldest(positions: readonly (LogPosition | null)[]): LogPosition | null {
  return positions.reduce<LogPosition | null | undefined>((earliest, position) => (earliest === undefined || isBefore(position, earliest) ? position : earliest), undefined) ?? null;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
