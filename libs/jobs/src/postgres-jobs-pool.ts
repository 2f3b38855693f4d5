import { EventEmitter } from 'node:events';
import { DEFAULT_SCHEMA, runMigrations, type PgPool, type PgPoolClient, type PgQueryResult, type PgQueryable } from 'bullmq';
import pg from 'pg';
import { asError, backoffDelay } from './error-reporter.js';

/** BullMQ treats an error with exactly this message as a closed connection: it retries quietly instead of reporting. */
export const CONNECTION_CLOSED_MESSAGE = 'Connection is closed.';

export interface PostgresJobsPoolOptions {
  /** The jobs database (never the events database). */
  readonly url: string;
  /** Every worker holds one connection of the pool for LISTEN; the rest serve queries. */
  readonly max: number;
  /** Each failed attempt to reach or prepare the database, and each dropped idle connection. */
  readonly onFailure: (error: Error) => void;
}

/**
 * The one `pg.Pool` that every BullMQ queue and worker of a process shares on the PostgreSQL
 * backend, guarded so that an unreachable database costs a bounded number of attempts.
 *
 * BullMQ 6's PostgreSQL backend accepts a ready-made pool (`connection: pool`); it then neither
 * migrates nor closes it, reads the schema `bullmq`, and checks its LISTEN connection out of it.
 * The guard exists because of how that backend treats a database it cannot reach:
 *
 * - Each queue or worker memoizes its first readiness check. If that check fails (database down
 *   at start, or not migrated yet), every later operation of that instance fails with the same
 *   error for the rest of its life. When the error is not an ECONNREFUSED (a host that does not
 *   resolve, a database that does not exist, a refused login), a worker retries at once, in a
 *   loop of already-rejected promises that never yields to the event loop: 100% CPU, no timer
 *   ever fires, the process cannot even be closed.
 * - Failed queries other than ECONNREFUSED are retried by a worker with no delay at all.
 *
 * So: nothing reaches the database before the migrations have run once (`ready`, retried with
 * capped backoff); a connection is never refused for unavailability (`connect()` waits and
 * retries, so a first readiness check cannot fail that way); and after any failure that says
 * the database is unavailable, every caller waits out a capped exponential backoff before the
 * next attempt. Errors from a reachable database (a lock lost, a constraint) pass straight
 * through.
 */
export class PostgresJobsPool implements PgPool {
  /** Settles once the `bullmq` schema is migrated; rejects only if the pool is closed first. */
  readonly ready: Promise<void>;
  private readonly pool: pg.Pool;
  private readonly events = new EventEmitter();
  private readonly sleepers = new Set<() => void>();
  private prepared = false;
  private failures = 0;
  private retryAt = 0;
  private lastError: Error | undefined;
  private closing = false;
  private ending: Promise<void> | undefined;

  constructor(private readonly options: PostgresJobsPoolOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.max,
      application_name: 'minyi-jobs',
      // BullMQ's SQL names its tables unqualified; a pool it did not build must point them at its schema.
      options: `-c search_path=${DEFAULT_SCHEMA}`,
      // A LISTEN connection that drops silently is only noticed through keepalive.
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 10_000,
    });
    this.events.setMaxListeners(0);
    this.pool.on('error', (error) => {
      // An idle connection dropped (a restarted server, say). The next query reconnects.
      this.options.onFailure(error);
      if (this.events.listenerCount('error') > 0) this.events.emit('error', error);
    });
    this.pool.on('connect', (client) => this.events.emit('connect', client));
    this.ready = this.prepare();
    this.ready.catch(() => undefined);
  }

  /** Migrated, and the last attempt to reach the database succeeded. */
  get healthy(): boolean {
    return this.prepared && this.failures === 0;
  }

  get lastFailure(): Error | undefined {
    return this.lastError;
  }

  async query<R = unknown>(text: string, params?: readonly unknown[]): Promise<PgQueryResult<R>> {
    await this.ready;
    await this.pause();
    try {
      const result = await this.pool.query(text, params as unknown[] | undefined);
      this.succeed();
      return result as PgQueryResult<R>;
    } catch (error) {
      if (isUnavailable(error)) this.fail(asError(error));
      throw error;
    }
  }

  async connect(): Promise<PgPoolClient> {
    await this.ready;
    for (;;) {
      await this.pause();
      try {
        const client = await this.pool.connect();
        this.succeed();
        return client as unknown as PgPoolClient;
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        this.fail(asError(error));
      }
    }
  }

  /**
   * Resolves when the database answers, trying again every 100 ms until `deadline` (a pooled
   * connection may have died with the server since its last use). Bypasses the backoff: a health
   * check must not wait it out; an answer ends it for everyone.
   */
  async ping(deadline: number): Promise<void> {
    await this.ready;
    for (;;) {
      try {
        await this.pool.query('SELECT 1');
        this.succeed();
        return;
      } catch (error) {
        if (!isUnavailable(error) || Date.now() + 100 >= deadline || this.closing) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  on(event: 'error' | 'connect', listener: (value: never) => void): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  removeAllListeners(event?: string): this {
    this.events.removeAllListeners(event);
    return this;
  }

  /**
   * From now on nothing waits for the database: callers waiting out a backoff, or for the first
   * migration, fail at once with a closed-connection error, and so does every new call while
   * the database is failing. While it is healthy, calls go through, so active jobs can finish.
   */
  beginClose(): void {
    this.closing = true;
    for (const wake of [...this.sleepers]) wake();
  }

  /** Closes the pool, once; BullMQ never calls this on a pool it was handed. */
  end(): Promise<void> {
    this.ending ??= (async () => {
      this.beginClose();
      await this.ready.catch(() => undefined);
      await this.pool.end();
    })();
    return this.ending;
  }

  private async prepare(): Promise<void> {
    for (;;) {
      await this.pause();
      if (this.closing) throw closedError();
      let client: pg.PoolClient | undefined;
      try {
        client = await this.pool.connect();
        const session = client;
        // One session, so that BullMQ's advisory lock and its migration transaction share it.
        const queryable: PgQueryable = {
          query: async <R>(text: string, params?: readonly unknown[]) =>
            (await session.query(text, params as unknown[] | undefined)) as unknown as PgQueryResult<R>,
        };
        await runMigrations(queryable, DEFAULT_SCHEMA);
        client.release();
        this.prepared = true;
        this.succeed();
        return;
      } catch (error) {
        client?.release(true);
        // Every failure here is retried, not only unavailability: a schema migrated by a newer
        // BullMQ major, say, is reported each time until someone acts on it.
        this.fail(asError(error));
      }
    }
  }

  /** Waits until the backoff after the last failure has passed. */
  private async pause(): Promise<void> {
    if (this.closing && (this.failures > 0 || !this.prepared)) throw closedError();
    for (let wait = this.retryAt - Date.now(); wait > 0; wait = this.retryAt - Date.now()) {
      await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.closing) return Promise.reject(closedError());
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        reject(closedError());
      };
      const timer = setTimeout(() => {
        this.sleepers.delete(wake);
        resolve();
      }, ms);
      this.sleepers.add(wake);
    });
  }

  private fail(error: Error): void {
    this.lastError = error;
    const now = Date.now();
    // Calls that fail together belong to one attempt: only the first moves the backoff on.
    if (now >= this.retryAt) {
      this.failures += 1;
      this.retryAt = now + backoffDelay(this.failures);
    }
    this.options.onFailure(error);
  }

  private succeed(): void {
    if (this.failures > 0) {
      this.failures = 0;
      this.retryAt = 0;
    }
  }
}

function closedError(): Error {
  return new Error(CONNECTION_CLOSED_MESSAGE);
}

/** SQLSTATE classes that say the database cannot be used now: connection, login, database or schema missing, resources. */
const UNAVAILABLE_CLASSES = new Set(['08', '28', '3D', '3F', '53']);
/** Shutdown and start-up of the server; BullMQ's tables or functions missing (a wiped database). */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '42P01', '42883']);

/**
 * Whether an error from `pg` says the database is unavailable, as opposed to a statement that
 * failed on a working connection. Errors without a SQLSTATE come from the socket or the driver
 * (ECONNREFUSED, ENOTFOUND, a connect timeout, a connection terminated): unavailable.
 */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code !== 'string' || code.startsWith('E') || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return UNAVAILABLE_CLASSES.has(code.slice(0, 2)) || UNAVAILABLE_CODES.has(code);
}
