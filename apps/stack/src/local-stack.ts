import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseName, ensureDatabase, freePort, siblingDatabaseUrl, startEmbeddedPostgres, type RunningPostgres } from '#database';
import { answers, ManagedProcess, onPath, startRedisServer } from './processes.js';

/** The build: this module runs from it, or (under the tests, from source) beside it. */
const DIST = new URL(import.meta.url.includes('/dist/apps/') ? '../../../' : '../../../dist/', import.meta.url);
const API_MAIN = fileURLToPath(new URL('apps/api/src/main.js', DIST));
const WORKER_MAIN = fileURLToPath(new URL('apps/worker/src/main.js', DIST));

export interface LocalStackOptions {
  /** The database of events and read models on a running PostgreSQL (created when missing); unset: an embedded PostgreSQL under `dataDir`. */
  readonly databaseUrl?: string;
  /** A running Redis; unset: `redis-server` started on a free port when it is on the PATH, else BullMQ on PostgreSQL. */
  readonly redisUrl?: string;
  /** How many API processes (default 2). */
  readonly apis?: number;
  /** The embedded database, the started Redis's folder and the attachment files, shared by every process. */
  readonly dataDir: string;
  /**
   * Keep the started Redis's data across a restart (append-only file), as production runs it: a
   * Redis killed and started again then still holds its queued jobs. Default false.
   */
  readonly redisAppendOnly?: boolean;
  /** More environment for the API and worker processes (an SLA policy file, a webhook). */
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  /** Told (besides the log) when a process exits without being stopped or killed through its handle. */
  readonly onUnexpectedExit?: (name: string) => void;
}

export interface StackApi {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly process: ManagedProcess;
}

export interface LocalStack {
  readonly databaseUrl: string;
  readonly jobsDatabaseUrl: string;
  /** The embedded PostgreSQL, when the stack started one. */
  readonly embedded: RunningPostgres | null;
  /** Where BullMQ runs: a Redis URL, or null for its PostgreSQL backend on the jobs database. */
  readonly redisUrl: string | null;
  /** The Redis the stack started, when it started one. */
  readonly redis: ManagedProcess | null;
  readonly apis: readonly StackApi[];
  readonly worker: ManagedProcess;
  /** Stops every process the stack started, the embedded database last. */
  stop(): Promise<void>;
}

/**
 * The production topology as processes on one machine: PostgreSQL (the machine's or an embedded
 * one), Redis when there is one, N API processes on N ports without BullMQ workers, and one worker
 * process, all on the same database, job queues and token secret, with the demo accounts.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const onUnexpectedExit = (name: string, code: number | null, signal: NodeJS.Signals | null) => {
    log(`${name} exited on its own (${code ?? signal})`);
    options.onUnexpectedExit?.(name);
  };
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop().catch((error: unknown) => log(`stopping: ${String(error)}`));
    started.length = 0;
  };
  try {
    let embedded: RunningPostgres | null = null;
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      embedded = await startEmbeddedPostgres({ dataDir });
      started.push(embedded);
      databaseUrl = embedded.url('minyi');
    }
    const jobsDatabaseUrl = siblingDatabaseUrl(databaseUrl, `${databaseName(databaseUrl)}_jobs`);
    // Made here (the embedded server's too), before the processes start side by side.
    for (const url of [databaseUrl, jobsDatabaseUrl]) await ensureDatabase(siblingDatabaseUrl(url, 'postgres'), databaseName(url));

    let redis: ManagedProcess | null = null;
    let redisUrl = options.redisUrl ?? null;
    if (!redisUrl) {
      const server = await onPath('redis-server');
      if (server) {
        // As BullMQ requires: nothing evicted. Nothing kept on disk unless asked: the stack is for trying things.
        const own = await startRedisServer(server, join(dataDir, 'redis'), { appendOnly: options.redisAppendOnly, onUnexpectedExit });
        redis = own.process;
        started.push(redis);
        redisUrl = own.url;
      } else {
        log('no redis-server on the PATH: BullMQ runs on PostgreSQL');
      }
    }

    const env: NodeJS.ProcessEnv = {
      MALLOC_ARENA_MAX: '2',
      MINYI_DEMO_CASES: '0',
      LOG_LEVEL: 'warn',
      ...process.env,
      ...options.env,
      DATABASE_URL: databaseUrl,
      JOBS_DATABASE_URL: jobsDatabaseUrl,
      REDIS_URL: redisUrl ?? '',
      MINYI_DATA_DIR: dataDir,
      MINYI_DEMO: '1',
      HOST: '127.0.0.1',
      // One secret for every replica: a token one issues, the others accept.
      JWT_SECRET: options.env?.JWT_SECRET ?? randomBytes(32).toString('base64url'),
    };
    const startApi = async (n: number): Promise<StackApi> => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const api = await ManagedProcess.start({
        name: `api-${n}`,
        command: process.execPath,
        args: ['--enable-source-maps', API_MAIN],
        env: { ...env, PORT: String(port), MINYI_WORKERS: '0' },
        ready: answers(`${url}/health`),
        onUnexpectedExit,
      });
      started.push(api);
      return { url, process: api };
    };
    // The first one alone: it migrates the schema and makes the demo accounts; the rest find them made.
    const apis = [await startApi(1)];
    for (let n = 2; n <= (options.apis ?? 2); n++) apis.push(await startApi(n));
    const worker = await ManagedProcess.start({ name: 'worker', command: process.execPath, args: ['--enable-source-maps', WORKER_MAIN], env, onUnexpectedExit });
    started.push(worker);
    return { databaseUrl, jobsDatabaseUrl, embedded, redisUrl, redis, apis, worker, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
