import {
  Queue,
  Worker,
  createPostgresBackend,
  withBackend,
  type Job,
} from 'bullmq';
import { ErrorReporter, asError, type ErrorSink } from './error-reporter.js';
import { PostgresJobsPool } from './postgres-jobs-pool.js';
import { closeClient, loadIORedis, redisOptions, whenReady, type RedisClient } from './redis-clients.js';

export type JobsBackend = 'redis' | 'postgres';

export interface JobQueuesOptions {
  /** BullMQ on Redis when set (the production choice). */
  readonly redisUrl?: string;
  /** Otherwise BullMQ on PostgreSQL, in this database: the jobs database, never the events database. */
  readonly postgresUrl: string;
  /** Redis key prefix (default `minyi`). PostgreSQL has none: the jobs database is the namespace. */
  readonly prefix?: string;
  /** Every error the queues cannot throw to a caller; at most ten a second from one source. */
  readonly onError: ErrorSink;
  /** PostgreSQL: size of the one shared pool (default 10); each worker keeps one of them for LISTEN. */
  readonly postgresPoolSize?: number;
}

export interface JobCounts {
  /** Waiting to run (including prioritized jobs). */
  readonly waiting: number;
  readonly delayed: number;
  readonly active: number;
  readonly failed: number;
  readonly completed: number;
}

export interface WorkerSettings {
  /** Jobs this worker runs at once (default 1). */
  readonly concurrency?: number;
}

/**
 * A BullMQ queue. Typed as BullMQ's default (Redis) queue whichever backend holds it: the job
 * operations (add, getJob, counts, ...) are the same on both; only `getBackend()` differs.
 */
export type JobQueue<T> = Queue<T>;
/** A BullMQ worker, typed like `JobQueue`. */
export type JobWorker<T> = Worker<T>;
export type JobProcessor<T> = (job: Job<T>, token?: string, signal?: AbortSignal) => Promise<unknown>;

/** How long a worker waits before fetching again after a fetch failed on a lost connection (BullMQ's default: 15 s). */
const RUN_RETRY_DELAY_MS = 2_000;
const DEFAULT_PREFIX = 'minyi';
const DEFAULT_POSTGRES_POOL_SIZE = 10;

interface Connector {
  readonly kind: JobsBackend;
  createQueue<T>(name: string): JobQueue<T>;
  createWorker<T>(name: string, processor: JobProcessor<T>, concurrency: number): JobWorker<T>;
  /** The backend answered its last request: close waits for active jobs only then. */
  healthy(): boolean;
  ping(timeoutMs: number): Promise<void>;
  /** Stop waiting for an unreachable backend. */
  beginClose(): void;
  end(): Promise<void>;
}

/**
 * BullMQ queues and workers of one process, on Redis when it is configured and otherwise on
 * BullMQ's PostgreSQL backend in the jobs database. Connections are shared per role; errors
 * that no caller can receive go to `onError`; an unreachable backend costs a bounded number of
 * attempts (capped backoff) instead of a busy loop.
 *
 * When the connection is lost:
 * - Redis: every connection reconnects after 250 ms, 500 ms, 1 s, then every 2 s, for ever, and
 *   reports each failed attempt. Workers' commands wait for the server and carry on; queue
 *   commands (add, counts) fail at once until it is back.
 * - PostgreSQL: see `PostgresJobsPool`. Every caller waits out the same backoff before its next
 *   attempt; queue commands fail after it, and a worker fetches again 2 s after a failed fetch.
 *   Its LISTEN connection is rebuilt on its next wait. Before the first successful migration,
 *   commands wait (they do not fail), since BullMQ would otherwise keep that failure for ever.
 */
export class JobQueues {
  private readonly queues = new Map<string, JobQueue<unknown>>();
  private readonly workers = new Set<JobWorker<unknown>>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly connector: Connector,
    private readonly reporter: ErrorReporter,
  ) {}

  /**
   * Opens the job queues without waiting for the backend: a process starts while Redis or the
   * jobs database is away and catches up when it comes back (`ping()` tells whether it is there).
   * Rejects only when Redis is configured and the ioredis package is missing.
   */
  static async open(options: JobQueuesOptions): Promise<JobQueues> {
    const reporter = new ErrorReporter(options.onError);
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    const connector = options.redisUrl
      ? await RedisConnector.open(options.redisUrl, prefix, reporter)
      : new PostgresConnector(options.postgresUrl, options.postgresPoolSize ?? DEFAULT_POSTGRES_POOL_SIZE, reporter);
    return new JobQueues(connector, reporter);
  }

  get backend(): JobsBackend {
    return this.connector.kind;
  }

  /** The queue of this name, one instance per name and process. */
  queue<T>(name: string): JobQueue<T> {
    this.assertOpen();
    const existing = this.queues.get(name);
    if (existing) return existing as JobQueue<T>;
    const queue = this.connector.createQueue<T>(name);
    const source = `queue:${name}`;
    queue.on('error', (error: Error) => this.reporter.report(source, error));
    this.queues.set(name, queue as JobQueue<unknown>);
    // A queue whose first readiness check failed stays failed (BullMQ memoizes it): drop it, so
    // that the next call builds a fresh one.
    queue.waitUntilReady().catch((error: unknown) => {
      if (this.closing) return;
      this.reporter.report(source, new Error(`queue ${name} could not get ready and was dropped: ${asError(error).message}`, { cause: error }));
      if (this.queues.get(name) === queue) this.queues.delete(name);
      queue.close().catch((closeError: unknown) => this.reporter.report(source, closeError));
    });
    return queue;
  }

  /** Starts a worker on the queue of this name. */
  worker<T>(name: string, processor: JobProcessor<T>, settings: WorkerSettings = {}): JobWorker<T> {
    this.assertOpen();
    const worker = this.connector.createWorker<T>(name, processor, settings.concurrency ?? 1);
    const source = `worker:${name}`;
    worker.on('error', (error: Error) => this.reporter.report(source, error));
    this.workers.add(worker as JobWorker<unknown>);
    // The same memoized readiness on a worker would leave it failing for ever, in a busy loop
    // for most errors: stop it and say so.
    worker.waitUntilReady().catch((error: unknown) => {
      if (this.closing) return;
      this.reporter.report(source, new Error(`worker for ${name} could not get ready and was stopped: ${asError(error).message}`, { cause: error }));
      this.workers.delete(worker as JobWorker<unknown>);
      worker.close(true).catch((closeError: unknown) => this.reporter.report(source, closeError));
    });
    return worker;
  }

  async counts(name: string): Promise<JobCounts> {
    const counts = await this.queue(name).getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed');
    const count = (type: string) => counts[type] ?? 0;
    return {
      waiting: count('waiting') + count('prioritized'),
      delayed: count('delayed'),
      active: count('active'),
      failed: count('failed'),
      completed: count('completed'),
    };
  }

  /** Failed jobs, newest first, from `start` to `end` inclusive (`-1`: to the last). */
  failedJobs<T>(name: string, start = 0, end = -1): Promise<Job<T>[]> {
    return this.queue<T>(name).getFailed(start, end) as Promise<Job<T>[]>;
  }

  /** Resolves when the backend answers (for health checks); rejects after `timeoutMs`. */
  ping(timeoutMs = 2_000): Promise<void> {
    return this.connector.ping(timeoutMs);
  }

  /**
   * Closes workers first, letting their active jobs finish (unless the backend is unreachable,
   * when no job could record its result anyway), then queues, then connections. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * Stops the workers first, each finishing its job in hand, while the queues (and whatever the
   * jobs need besides) stay open. With the backend away there is nothing to finish: everything
   * closes at once, as `close()` does.
   */
  async closeWorkers(): Promise<void> {
    if (!this.connector.healthy()) return this.close();
    const workers = [...this.workers];
    this.workers.clear();
    await this.settle('close', workers.map((worker) => worker.close()));
  }

  private async shutdown(): Promise<void> {
    const graceful = this.connector.healthy();
    this.connector.beginClose();
    const workers = [...this.workers];
    this.workers.clear();
    await this.settle('close', workers.map((worker) => worker.close(!graceful)));
    const queues = [...this.queues.values()];
    this.queues.clear();
    await this.settle('close', queues.map((queue) => queue.close()));
    await this.settle('close', [this.connector.end()]);
    this.reporter.flush();
  }

  private async settle(source: string, work: Promise<unknown>[]): Promise<void> {
    for (const result of await Promise.allSettled(work)) {
      if (result.status === 'rejected') this.reporter.report(source, result.reason);
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('the job queues are closed');
  }
}

class RedisConnector implements Connector {
  readonly kind = 'redis';
  private workersClient: RedisClient | undefined;

  private constructor(
    private readonly Redis: new (url: string, options: Record<string, unknown>) => RedisClient,
    private readonly url: string,
    private readonly prefix: string,
    private readonly reporter: ErrorReporter,
    private readonly queuesClient: RedisClient,
  ) {}

  static async open(url: string, prefix: string, reporter: ErrorReporter): Promise<RedisConnector> {
    const Redis = await loadIORedis();
    const queuesClient = new Redis(url, redisOptions('queues', prefix));
    queuesClient.on('error', (error) => reporter.report('redis:queues', error));
    return new RedisConnector(Redis, url, prefix, reporter, queuesClient);
  }

  createQueue<T>(name: string): JobQueue<T> {
    return new Queue<T>(name, { connection: this.queuesClient, prefix: this.prefix }) as unknown as JobQueue<T>;
  }

  createWorker<T>(name: string, processor: JobProcessor<T>, concurrency: number): JobWorker<T> {
    return new Worker<T>(name, processor, {
      connection: this.workers(),
      prefix: this.prefix,
      concurrency,
      runRetryDelay: RUN_RETRY_DELAY_MS,
    }) as unknown as JobWorker<T>;
  }

  healthy(): boolean {
    return this.queuesClient.status === 'ready' && (!this.workersClient || this.workersClient.status === 'ready');
  }

  async ping(timeoutMs: number): Promise<void> {
    const started = Date.now();
    await whenReady(this.queuesClient, timeoutMs);
    await withTimeout(this.queuesClient.ping(), Math.max(timeoutMs - (Date.now() - started), 1), () => new Error(`Redis did not answer PING within ${timeoutMs} ms`));
  }

  beginClose(): void {
    // Redis needs nothing here: workers on a dead server are closed without waiting.
  }

  async end(): Promise<void> {
    await Promise.all([this.queuesClient, this.workersClient].filter((client) => client !== undefined).map(closeClient));
  }

  /** All workers share one client for their non-blocking commands; BullMQ duplicates it for each blocking fetch. */
  private workers(): RedisClient {
    if (!this.workersClient) {
      const client = new this.Redis(this.url, redisOptions('workers', this.prefix));
      client.on('error', (error) => this.reporter.report('redis:workers', error));
      this.workersClient = client;
    }
    return this.workersClient;
  }
}

class PostgresConnector implements Connector {
  readonly kind = 'postgres';
  private readonly pool: PostgresJobsPool;
  /** BullMQ's classes bound to its PostgreSQL backend, without changing the process-wide default. */
  private readonly classes = withBackend(createPostgresBackend);
  private workerCount = 0;

  constructor(
    url: string,
    private readonly poolSize: number,
    reporter: ErrorReporter,
  ) {
    this.pool = new PostgresJobsPool({ url, max: poolSize, onFailure: (error) => reporter.report('postgres', error) });
  }

  createQueue<T>(name: string): JobQueue<T> {
    return new this.classes.Queue<T>(name, { connection: this.pool }) as unknown as JobQueue<T>;
  }

  createWorker<T>(name: string, processor: JobProcessor<T>, concurrency: number): JobWorker<T> {
    // Each worker holds one pooled connection for LISTEN for its whole life; keep two for queries.
    if (this.workerCount + 1 > this.poolSize - 2) {
      throw new Error(`the PostgreSQL pool of ${this.poolSize} connections has room for ${this.poolSize - 2} workers: raise postgresPoolSize`);
    }
    const worker = new this.classes.Worker<T>(name, processor, {
      connection: this.pool,
      concurrency,
      runRetryDelay: RUN_RETRY_DELAY_MS,
    }) as unknown as JobWorker<T>;
    this.workerCount += 1;
    worker.once('closed', () => {
      this.workerCount -= 1;
    });
    return worker;
  }

  healthy(): boolean {
    return this.pool.healthy;
  }

  ping(timeoutMs: number): Promise<void> {
    return withTimeout(this.pool.ping(Date.now() + timeoutMs), timeoutMs, () => {
      const last = this.pool.lastFailure;
      return new Error(`the jobs database did not answer within ${timeoutMs} ms${last ? ` (last error: ${last.message})` : ''}`);
    });
  }

  beginClose(): void {
    this.pool.beginClose();
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(asError(error));
      },
    );
  });
}
