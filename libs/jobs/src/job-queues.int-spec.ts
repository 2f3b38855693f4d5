import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Job } from 'bullmq';
import { closeAfterEach, createTestDatabase, testServerUrl, type TestDatabase } from '#testing';
import { JobQueues, type JobQueuesOptions } from './job-queues.js';
import { loadIORedis } from './redis-clients.js';

// The same suite on both backends. PostgreSQL always runs (a fresh database per run); Redis runs
// when REDIS_URL is set, and must run when REQUIRE_REDIS=1.
const redisUrl = process.env.REDIS_URL;
const requireRedis = process.env.REQUIRE_REDIS === '1';
if (!redisUrl && !requireRedis) console.warn('[test] REDIS_URL not set: Redis backend tests skipped');

/**
 * The outage test waits for six things in turn, each up to 10 s: Jest's timeout stays above
 * that, so a failure names what it waited for instead of Jest abandoning the test.
 */
const OUTAGE_TIMEOUT_MS = 90_000;

type Connection = Omit<JobQueuesOptions, 'onError'>;

interface Environment {
  readonly connection: Connection;
  /** Connections that cannot work, by what is wrong with each (the keys of `Backend.unreachable`). */
  readonly unreachable: Readonly<Record<string, Connection>>;
  /** The backend's address, for a proxy that can cut the connection. */
  readonly target: net.NetConnectOpts;
  /** The same backend reached through a proxy on `port`. */
  via(port: number): Connection;
  cleanUp(): Promise<void>;
}

interface Backend {
  readonly name: 'postgres' | 'redis';
  readonly skip: boolean;
  /** What can be wrong with a connection, one test each. */
  readonly unreachable: readonly string[];
  setUp(): Promise<Environment>;
}

const backends: readonly Backend[] = [
  {
    name: 'postgres',
    skip: false,
    unreachable: ['a closed port', 'a database that does not exist'],
    async setUp() {
      const db: TestDatabase = await createTestDatabase('minyi_jobs_test');
      const deadPort = await closedPort();
      const missing = new URL(testServerUrl());
      missing.pathname = `/minyi_jobs_missing_${randomBytes(4).toString('hex')}`;
      const url = new URL(db.url);
      return {
        connection: { postgresUrl: db.url },
        unreachable: {
          'a closed port': { postgresUrl: withAddress(db.url, '127.0.0.1', deadPort) },
          'a database that does not exist': { postgresUrl: missing.toString() },
        },
        target: postgresAddress(url),
        via: (port) => ({ postgresUrl: withAddress(db.url, '127.0.0.1', port) }),
        cleanUp: () => db.drop(),
      };
    },
  },
  {
    name: 'redis',
    skip: !redisUrl && !requireRedis,
    unreachable: ['a closed port'],
    async setUp() {
      if (!redisUrl) throw new Error('REQUIRE_REDIS=1 but REDIS_URL is not set: the Redis backend tests cannot run');
      const prefix = `minyi-test-${randomBytes(4).toString('hex')}`;
      const postgresUrl = 'postgres://unused.invalid/unused';
      const deadPort = await closedPort();
      const url = new URL(redisUrl);
      return {
        connection: { redisUrl, postgresUrl, prefix },
        unreachable: { 'a closed port': { redisUrl: withAddress(redisUrl, '127.0.0.1', deadPort), postgresUrl, prefix } },
        target: { host: url.hostname, port: Number(url.port || 6379) },
        via: (port) => ({ redisUrl: withAddress(redisUrl, '127.0.0.1', port), postgresUrl, prefix }),
        cleanUp: () => deleteKeys(redisUrl, prefix),
      };
    },
  },
];

describe.each(backends)('JobQueues on $name', (backend) => {
  const test = backend.skip ? it.skip : it;
  let env: Environment;
  let jobs: JobQueues;
  const errors: { source: string; error: Error }[] = [];
  let sequence = 0;
  const queueName = (what: string) => `${what}-${++sequence}`;
  const closeLater = closeAfterEach();

  beforeAll(async () => {
    env = await backend.setUp();
    jobs = await JobQueues.open({ ...env.connection, onError: (source, error) => errors.push({ source, error }) });
  });
  afterAll(async () => {
    await jobs?.close();
    await env?.cleanUp();
  });

  test('opens on the configured backend and answers a ping', async () => {
    expect(jobs.backend).toBe(backend.name);
    await jobs.ping(5_000);
  });

  test('processes an added job once', async () => {
    const name = queueName('once');
    const runs: string[] = [];
    const completed = deferred<void>();
    const worker = jobs.worker<{ n: number }>(name, async (job) => {
      runs.push(job.id ?? '');
      return job.data.n * 2;
    });
    worker.on('completed', () => completed.resolve());
    const job = await jobs.queue<{ n: number }>(name).add('double', { n: 21 });
    await within(completed.promise, 10_000, 'the job to complete');

    expect(runs).toEqual([job.id]);
    const stored = await jobs.queue(name).getJob(job.id ?? '');
    expect(stored?.returnvalue).toBe(42);
    expect(await jobs.counts(name)).toEqual({ waiting: 0, delayed: 0, active: 0, failed: 0, completed: 1 });
    await worker.close();
  });

  test('runs a delayed job after its delay and not before', async () => {
    const name = queueName('delayed');
    const ran = deferred<number>();
    const worker = jobs.worker(name, async () => {
      ran.resolve(Date.now());
    });
    const before = Date.now();
    const job = await jobs.queue(name).add('timer', {}, { delay: 300 });
    const stateAfterAdd = await job.getState();
    const at = await within(ran.promise, 10_000, 'the delayed job to run');

    expect(stateAfterAdd).toBe('delayed');
    expect(at - job.timestamp).toBeGreaterThanOrEqual(300);
    expect(at - before).toBeLessThan(300 + 1_000);
    console.info(`[test] ${backend.name}: a job delayed 300 ms ran ${at - job.timestamp - 300} ms after its time`);
    await worker.close();
  });

  test('adding a job with the same jobId twice runs it once, delayed or not, and again after it completed', async () => {
    const name = queueName('dedupe');
    const runs = new Map<string, number>();
    const completed = new Set<string>();
    const bothDone = deferred<void>();
    const sentinelDone = deferred<void>();
    const worker = jobs.worker(name, async (job) => {
      runs.set(job.id ?? '', (runs.get(job.id ?? '') ?? 0) + 1);
    });
    worker.on('completed', (job: Job) => {
      completed.add(job.id ?? '');
      if (completed.has('case-1-accept') && completed.has('case-1-resolve')) bothDone.resolve();
      if (job.name === 'sentinel') sentinelDone.resolve();
    });
    const queue = jobs.queue<{ attempt: number }>(name);

    const first = await queue.add('timer', { attempt: 1 }, { jobId: 'case-1-accept' });
    const second = await queue.add('timer', { attempt: 2 }, { jobId: 'case-1-accept' });
    const delayed = await queue.add('timer', { attempt: 1 }, { jobId: 'case-1-resolve', delay: 200 });
    const delayedAgain = await queue.add('timer', { attempt: 2 }, { jobId: 'case-1-resolve', delay: 200 });
    expect(second.id).toBe(first.id);
    expect(delayedAgain.id).toBe(delayed.id);
    await within(bothDone.promise, 10_000, 'both jobs to complete');

    // Replaying the log schedules the same jobs again: they are completed and stay so.
    await queue.add('timer', { attempt: 3 }, { jobId: 'case-1-accept' });
    await queue.add('timer', { attempt: 3 }, { jobId: 'case-1-resolve', delay: 50 });
    expect(await (await queue.getJob('case-1-accept'))?.getState()).toBe('completed');
    expect(await (await queue.getJob('case-1-resolve'))?.getState()).toBe('completed');
    // A job added after the replays runs after anything they might have queued.
    await queue.add('sentinel', { attempt: 0 }, { jobId: 'sentinel' });
    await within(sentinelDone.promise, 10_000, 'the sentinel job to complete');

    expect(Object.fromEntries(runs)).toEqual({ 'case-1-accept': 1, 'case-1-resolve': 1, sentinel: 1 });
    expect((await queue.getJob('case-1-accept'))?.data).toEqual({ attempt: 1 });
    expect(await jobs.counts(name)).toEqual({ waiting: 0, delayed: 0, active: 0, failed: 0, completed: 3 });
    await worker.close();
  });

  test('retries a throwing processor per attempts and backoff, then keeps the job as failed', async () => {
    const name = queueName('failing');
    const attempts: number[] = [];
    const failedForGood = deferred<Job>();
    const worker = jobs.worker(name, async () => {
      attempts.push(Date.now());
      throw new Error(`attempt ${attempts.length} failed`);
    });
    worker.on('failed', (job: Job | undefined) => {
      if (job && job.attemptsMade >= 3) failedForGood.resolve(job);
    });
    const job = await jobs.queue(name).add('flaky', {}, { attempts: 3, backoff: { type: 'fixed', delay: 150 } });
    await within(failedForGood.promise, 10_000, 'the job to fail three times');

    expect(attempts).toHaveLength(3);
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(150);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(150);
    const failed = await jobs.failedJobs(name, 0, 10);
    expect(failed.map((j) => j.id)).toEqual([job.id]);
    expect(failed[0]?.failedReason).toBe('attempt 3 failed');
    expect(failed[0]?.attemptsMade).toBe(3);
    expect(await jobs.counts(name)).toEqual({ waiting: 0, delayed: 0, active: 0, failed: 1, completed: 0 });
    await worker.close();
  });

  test('close() waits for the active job, records its result, and is idempotent', async () => {
    const name = queueName('closing');
    const local = await JobQueues.open({ ...env.connection, onError: (source, error) => errors.push({ source, error }) });
    closeLater(() => local.close());
    const started = deferred<void>();
    let finishedAt = 0;
    local.worker(name, async () => {
      started.resolve();
      await new Promise((resolve) => setTimeout(resolve, 300));
      finishedAt = Date.now();
      return 'done';
    });
    await local.queue(name).add('slow', {});
    await within(started.promise, 10_000, 'the job to start');

    await within(local.close(), 10_000, 'close()');
    const closedAt = Date.now();
    await local.close();

    expect(finishedAt).toBeGreaterThan(0);
    expect(closedAt).toBeGreaterThanOrEqual(finishedAt);
    expect(await jobs.counts(name)).toEqual({ waiting: 0, delayed: 0, active: 0, failed: 0, completed: 1 });
    expect(() => local.queue(name)).toThrow('the job queues are closed');
  });

  test('a worker whose connection is cut reports it and carries on when the backend is back', async () => {
    const name = queueName('outage');
    const proxy = await startProxy(env.target);
    closeLater(() => proxy.close());
    const reported = deferred<void>();
    const outageErrors: string[] = [];
    const local = await JobQueues.open({
      ...env.via(proxy.port),
      onError: (source, error) => {
        outageErrors.push(`${source}: ${error.message}`);
        reported.resolve();
      },
    });
    closeLater(() => local.close());
    try {
      const ran: string[] = [];
      const second = deferred<void>();
      const worker = local.worker(name, async (job) => {
        ran.push(job.id ?? '');
        if (ran.length === 2) second.resolve();
      });
      const first = deferred<void>();
      worker.once('completed', () => first.resolve());
      await within(local.queue(name).add('before', {}, { jobId: 'before-outage' }), 10_000, 'the first job to be added');
      await within(first.promise, 10_000, 'the first job');

      await proxy.cut();
      await within(reported.promise, 10_000, 'the lost connection to be reported');
      await proxy.restore();
      await local.ping(10_000);
      await within(local.queue(name).add('after', {}, { jobId: 'after-outage' }), 10_000, 'the job after the outage to be added');
      await within(second.promise, 10_000, 'the job added after the outage');

      expect(ran).toEqual(['before-outage', 'after-outage']);
      expect(outageErrors.length).toBeLessThan(50);
    } finally {
      await local.close();
      await proxy.close();
    }
  }, OUTAGE_TIMEOUT_MS);

  (backend.skip ? it.skip : it).each(backend.unreachable)(
    'a worker on an unreachable backend (%s) reports at a bounded rate, does not spin, and closes',
    async (what) => {
      const connection = env.unreachable[what]!;
      const reports: string[] = [];
      const dead = await JobQueues.open({ ...connection, onError: (source, error) => reports.push(`${source}: ${error.message}`) });
      closeLater(() => dead.close());
      dead.worker(queueName('unreachable'), async () => undefined, { concurrency: 4 });
      dead.queue(queueName('unreachable'));

      const cpuBefore = process.cpuUsage();
      const heapBefore = process.memoryUsage().heapUsed;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMs = (cpu.user + cpu.system) / 1_000;
      const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

      await expect(dead.ping(300)).rejects.toThrow();
      const closing = Date.now();
      await within(dead.close(), 5_000, 'close() on an unreachable backend');
      const closeMs = Date.now() - closing;
      console.info(`[test] ${backend.name}, ${what}: ${reports.length} errors reported in 3 s, ${cpuMs.toFixed(0)} ms CPU, heap ${heapGrowthMb.toFixed(1)} MB, closed in ${closeMs} ms; first: ${reports[0]}`);

      expect(reports.length).toBeGreaterThan(0);
      expect(reports.length).toBeLessThan(50);
      expect(cpuMs).toBeLessThan(1_500);
      expect(heapGrowthMb).toBeLessThan(50);
      expect(closeMs).toBeLessThan(2_000);
    },
  );
});

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Waits for `promise`, failing with what was awaited when it takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function withAddress(url: string, host: string, port: number): string {
  const changed = new URL(url);
  changed.hostname = host;
  changed.port = String(port);
  return changed.toString();
}

/**
 * Where a PostgreSQL URL connects: its TCP address, or its Unix socket when the host is a
 * directory (the embedded server's URLs are), as libpq names it: `<dir>/.s.PGSQL.<port>`.
 */
function postgresAddress(url: URL): net.NetConnectOpts {
  const host = decodeURIComponent(url.hostname);
  const port = Number(url.port || 5432);
  return host.startsWith('/') ? { path: `${host}/.s.PGSQL.${port}` } : { host, port };
}

/** A port on which nothing listens: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Proxy {
  readonly port: number;
  /** Drops every connection and stops listening: the backend is gone. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy on a local port to the backend, which the test can cut and restore. */
async function startProxy(target: net.NetConnectOpts): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = async () => {
    const listening = net.createServer((client) => {
      const upstream = net.connect(target);
      sockets.add(client);
      sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve));
    port = (listening.address() as net.AddressInfo).port;
    server = listening;
  };
  const cut = async () => {
    const listening = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (listening) await new Promise<void>((resolve) => listening.close(() => resolve()));
  };
  await listen();
  return { port, cut, restore: listen, close: cut };
}

/** Deletes this run's keys, whatever the tests left. */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const Redis = await loadIORedis();
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
}
