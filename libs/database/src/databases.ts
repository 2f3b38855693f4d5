import pg from 'pg';
import { ensureDatabase, startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.js';

export interface DatabaseSettings {
  /** Events and read models; when unset, an embedded PostgreSQL under `dataDir` is started. */
  readonly databaseUrl?: string;
  /** BullMQ's jobs; default: a database beside the main one named `<main>_jobs`. */
  readonly jobsDatabaseUrl?: string;
  readonly dataDir: string;
  readonly onLog?: (line: string) => void;
}

export interface Databases {
  /** Event store and read models. */
  readonly mainUrl: string;
  /** Jobs live apart from events: a long transaction here never holds a subscription back. */
  readonly jobsUrl: string;
  /** The embedded server, when one was started. */
  readonly embedded: RunningPostgres | null;
  /** Stops the embedded server, if any (pools must be closed first). */
  stop(): Promise<void>;
}

/** Resolves where events, read models and jobs live, starting an embedded PostgreSQL when none is configured. */
export async function openDatabases(settings: DatabaseSettings): Promise<Databases> {
  if (settings.databaseUrl) {
    const mainUrl = settings.databaseUrl;
    const jobsUrl = settings.jobsDatabaseUrl ?? siblingDatabaseUrl(mainUrl, `${databaseName(mainUrl)}_jobs`);
    if (!settings.jobsDatabaseUrl) await ensureDatabase(siblingDatabaseUrl(mainUrl, 'postgres'), databaseName(jobsUrl));
    return { mainUrl, jobsUrl, embedded: null, stop: async () => undefined };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: settings.dataDir, onLog: settings.onLog });
  try {
    await embedded.ensureDatabase('minyi');
    await embedded.ensureDatabase('minyi_jobs');
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return { mainUrl: embedded.url('minyi'), jobsUrl: embedded.url('minyi_jobs'), embedded, stop: () => embedded.stop() };
}

/** How long a caller waits for a connection of a pool, by default, before it is told the database is unavailable (API.md: 5 s). */
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 5_000;

/** How long a caller refused for want of a connection is asked to wait before trying again. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The messages with which pg-pool fails a checkout that ran out of `connectionTimeoutMillis`:
 * waiting for a connection of a full pool, and opening a new one. A checkout fails with nothing
 * else but an ended pool or the server's own refusal, so these are told apart exactly.
 */
const ACQUIRE_TIMEOUT_MESSAGES = new Set(['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout']);

/** No connection to the database could be had in time: the request may be tried again shortly (503 with Retry-After). */
export class DatabaseUnavailableError extends Error {
  readonly code = 'unavailable';
  readonly retryAfterSeconds = UNAVAILABLE_RETRY_AFTER_SECONDS;

  constructor(
    readonly waitedMs: number,
    options?: ErrorOptions,
  ) {
    super(`the database is busy: no connection could be had within ${waitedMs / 1000} s; try again in ${UNAVAILABLE_RETRY_AFTER_SECONDS} seconds`, options);
    this.name = 'DatabaseUnavailableError';
  }
}

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/**
 * A pool whose checkouts give up after `connectionTimeoutMillis` with a DatabaseUnavailableError.
 * Every checkout passes here: `connect()` and (through it) `query()`.
 */
class AcquireTimeoutPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (!callback) {
      return new Promise((resolve, reject) => this.connect((error, client) => (error ? reject(error) : resolve(client!))));
    }
    super.connect((error, client, done) => callback(error && this.acquireFailure(error), client, done));
  }

  private acquireFailure(error: Error): Error {
    const waited = this.options.connectionTimeoutMillis;
    return ACQUIRE_TIMEOUT_MESSAGES.has(error.message) && waited ? new DatabaseUnavailableError(waited, { cause: error }) : error;
  }
}

/**
 * A pool whose idle-client errors (a restarted server, say) are reported instead of crashing the
 * process, whose checked-out clients' connection errors reach their queries only, and whose
 * checkouts wait at most `acquireTimeoutMs` (DatabaseUnavailableError).
 */
export function createPool(url: string, options: { max?: number; applicationName?: string; acquireTimeoutMs?: number; onError?: (error: Error) => void } = {}): pg.Pool {
  const pool = new AcquireTimeoutPool({
    connectionString: url,
    max: options.max ?? 20,
    application_name: options.applicationName ?? 'minyi',
    connectionTimeoutMillis: options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
  });
  pool.on('error', options.onError ?? ((error) => process.stderr.write(`[database] idle connection error: ${error.message}\n`)));
  // A checked-out connection can fail between its queries, or fail once more after the error its
  // query got (pool.query listens once): unlistened, that 'error' would end the process. The
  // query in flight gets its error either way, and the pool never hands out a failed connection.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

export function siblingDatabaseUrl(url: string, database: string): string {
  const sibling = new URL(url);
  sibling.pathname = `/${encodeURIComponent(database)}`;
  return sibling.toString();
}
