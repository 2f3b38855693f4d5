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

/** A pool whose idle-client errors (a restarted server, say) are reported instead of crashing the process. */
export function createPool(url: string, options: { max?: number; applicationName?: string; onError?: (error: Error) => void } = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 20, application_name: options.applicationName ?? 'minyi' });
  pool.on('error', options.onError ?? ((error) => process.stderr.write(`[database] idle connection error: ${error.message}\n`)));
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
