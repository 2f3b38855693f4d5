/**
 * Timer benchmark: N running SLA clocks whose breach timers fall due over S seconds, on each
 * job backend in turn (BullMQ on PostgreSQL, in a scratch jobs database; BullMQ on Redis).
 *
 * For each backend:
 * - the timers are scheduled the way the SLA reactor schedules them: `SlaTimerJob` payloads
 *   (RecordSlaBreach, a random case id, an alert due at the fire time), `slaJobId` ids, the
 *   reactor's job options and `delay = max(0, fireAt - now)`, through `queue.addBulk` in chunks,
 *   one chunk after the other; the rate is timers per second over the whole scheduling;
 * - the first timer falls due only after scheduling is over (a lead sized from a short pilot
 *   on a throwaway queue), so that lateness measures firing, not scheduling; timers that
 *   were nevertheless added after their due time are counted and shown;
 * - a worker runs in a child process (timers-worker.ts) from before the first timer is scheduled
 *   until all have fired: a JobQueues worker whose processor only records its lateness
 *   (`Date.now() - Date.parse(fireAt)`) instead of running the case command, and which samples
 *   its own RSS every 100 ms;
 * - fired counts processor calls; the distinct jobs are those completed in the store, and any
 *   excess is a timer that fired twice.
 *
 * Env: BENCH_TIMERS (100000), BENCH_SPREAD_SECONDS (60), BENCH_CHUNK (1000 timers per addBulk),
 * BENCH_CONCURRENCY (50, the worker's), BENCH_POSTGRES_POOL (the worker's pool; JobQueues' default
 * of 10 unless set), BENCH_MARGIN_SECONDS (max(120, 5 × spread): how long to
 * wait after the last due time), BENCH_LEAD_SECONDS (from the pilot unless set),
 * BENCH_BACKENDS (postgres,redis), BENCH_DATABASE_URL (else an embedded PostgreSQL), REDIS_URL
 * (redis://127.0.0.1:6379; the backend is skipped if it does not answer). The last line is JSON.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { JobQueues, type JobQueue, type JobsBackend } from '#jobs';
import { SLA_JOB_OPTIONS, SLA_QUEUE, slaJobId, type SlaTimerJob } from '#sla';
import { log, openScratchDatabase, positiveInt, positiveNumber } from './support.js';
import type { FromWorker, StartMessage, ToWorker, WorkerResult } from './timers-worker.js';

const TIMERS = positiveInt('BENCH_TIMERS', 100_000);
const SPREAD_SECONDS = positiveNumber('BENCH_SPREAD_SECONDS', 60);
const CHUNK = positiveInt('BENCH_CHUNK', 1_000);
const CONCURRENCY = positiveInt('BENCH_CONCURRENCY', 50);
/** The worker's PostgreSQL pool; unset, JobQueues' default (10), as the engine runs it. */
const POSTGRES_POOL = process.env.BENCH_POSTGRES_POOL ? positiveInt('BENCH_POSTGRES_POOL', 10) : undefined;
const MARGIN_SECONDS = positiveNumber('BENCH_MARGIN_SECONDS', Math.max(120, 5 * SPREAD_SECONDS));
const LEAD_SECONDS = process.env.BENCH_LEAD_SECONDS ? positiveNumber('BENCH_LEAD_SECONDS', 0) : undefined;
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'postgres,redis').split(',').map((name) => name.trim()).filter(Boolean);

/** p99 lateness each backend should stay under on the 2-core benchmark machine. */
const TARGET_P99_MS: Record<JobsBackend, number> = { redis: 1_000, postgres: 2_000 };
const REFERENCE = 'plain BullMQ on this machine, 20,000 delayed jobs due over 10 s: Redis p99 85 ms, PostgreSQL p99 4.3 s';

const LABEL: Record<JobsBackend, string> = { postgres: 'PostgreSQL', redis: 'Redis' };

interface BackendResult {
  readonly scheduled: number;
  readonly schedulePerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly fired: number;
  readonly duplicates: number;
  readonly peakRssMb: number;
  readonly addedLate: number;
  readonly leadSeconds: number;
  readonly firingSeconds: number;
  readonly workerCpuSeconds: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = () => `load average ${loadavg().map((value) => value.toFixed(2)).join(' ')} on ${cpus().length} CPUs`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A breach timer of a running resolution clock of a case of its own, as the reactor makes it. */
function breachTimer(fireAtMs: number): SlaTimerJob {
  const fireAt = new Date(fireAtMs).toISOString();
  return { kind: 'RecordSlaBreach', caseId: randomUUID(), alert: { clock: 'resolve', dueAt: fireAt, startedAtRevision: 1 + randomInt(20) }, fireAt };
}

/** What SlaTimerReactor.schedule does with a batch of timers. Answers how many were already due. */
async function schedule(queue: JobQueue<SlaTimerJob>, jobs: readonly SlaTimerJob[]): Promise<number> {
  const now = Date.now();
  let due = 0;
  const entries = jobs.map((job) => {
    const delay = Math.max(0, Date.parse((job as { fireAt: string }).fireAt) - now);
    if (delay === 0) due++;
    return { name: job.kind, data: job, opts: { ...SLA_JOB_OPTIONS, jobId: slaJobId(job), delay } };
  });
  await queue.addBulk(entries);
  return due;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** The worker process: started, then driven by messages; every wait fails if it dies first. */
class WorkerProcess {
  fired = 0;
  rssBytes = 0;
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private readonly waiters = new Map<FromWorker['type'], (message: FromWorker) => void>();
  private failure: Error | undefined;

  constructor(start: StartMessage) {
    const entry = fileURLToPath(new URL('./timers-worker.js', import.meta.url));
    this.child = spawn(process.execPath, ['--enable-source-maps', entry], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.on('message', (message: FromWorker) => {
      if (message.type === 'progress') {
        this.fired = message.fired;
        this.rssBytes = message.rssBytes;
      } else if (message.type === 'failed') {
        this.failure = new Error(`the worker process failed: ${message.message}`);
      }
      this.waiters.get(message.type)?.(message);
    });
    this.send(start);
  }

  send(message: ToWorker): void {
    if (this.child.connected) this.child.send(message);
  }

  /** The next message of this type, within `timeoutMs`. */
  async next<K extends FromWorker['type']>(type: K, timeoutMs: number): Promise<Extract<FromWorker, { type: K }>> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        new Promise<Extract<FromWorker, { type: K }>>((resolve) => this.waiters.set(type, resolve as (message: FromWorker) => void)),
        this.exited.then((code) => {
          throw this.failure ?? new Error(`the worker process exited with code ${code} before sending '${type}'`);
        }),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the worker process sent no '${type}' within ${seconds(timeoutMs)}`)), timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
      this.waiters.delete(type);
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async end(): Promise<void> {
    if (this.alive) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
  }
}

/** Answers whether Redis answers PING, and why not. */
async function redisReachable(url: string): Promise<string | undefined> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    client.disconnect();
  }
}

/** Deletes every Redis key under the prefix (what obliterate may have left). */
async function deleteRedisPrefix(url: string, prefix: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
  return deleted;
}

/** Scheduling rate on a throwaway queue, to size the lead: the best of three chunks after a first one. */
async function pilotRate(queues: JobQueues): Promise<number> {
  const pilot = queues.queue<SlaTimerJob>(`${SLA_QUEUE}-pilot`);
  const farAway = Date.now() + 3600_000;
  const chunk = () => Array.from({ length: Math.min(CHUNK, TIMERS) }, () => breachTimer(farAway + randomInt(60_000)));
  await schedule(pilot, chunk());
  let rate = 0;
  for (let round = 0; round < 3; round++) {
    const jobs = chunk();
    const started = performance.now();
    await schedule(pilot, jobs);
    rate = Math.max(rate, jobs.length / ((performance.now() - started) / 1000));
  }
  await pilot.obliterate({ force: true });
  return rate;
}

async function runBackend(backend: JobsBackend, postgresUrl: string, redisUrl: string | undefined, prefix: string): Promise<BackendResult> {
  const errors: string[] = [];
  const queues = await JobQueues.open({
    redisUrl,
    postgresUrl,
    prefix,
    onError: (source, error) => {
      if (errors.length < 5) errors.push(`${source}: ${error.message}`);
    },
  });
  let worker: WorkerProcess | undefined;
  try {
    await queues.ping(60_000);
    const queue = queues.queue<SlaTimerJob>(SLA_QUEUE);

    let leadSeconds = LEAD_SECONDS;
    if (leadSeconds === undefined) {
      const rate = await pilotRate(queues);
      // Twice the time scheduling should take (a worker runs meanwhile), plus two seconds.
      leadSeconds = Math.ceil((2 * TIMERS) / rate) + 2;
      log(`pilot: ${rate.toFixed(0)} timers/s on an empty queue, so the first timer falls due ${leadSeconds} s after scheduling starts`);
    }

    worker = new WorkerProcess({ type: 'start', backend, redisUrl, postgresUrl, prefix, queue: SLA_QUEUE, concurrency: CONCURRENCY, postgresPoolSize: POSTGRES_POOL, expected: TIMERS });
    const ready = await worker.next('ready', 60_000);
    const pool = backend === 'postgres' ? `, PostgreSQL pool ${POSTGRES_POOL ?? 'default (10)'}` : '';
    log(`worker process ready: concurrency ${CONCURRENCY}${pool}, RSS ${mb(ready.rssBytes)} MB`);

    // Due times uniform over [start + lead, start + lead + spread], in random order.
    const scheduleStarted = Date.now();
    const windowStart = scheduleStarted + leadSeconds * 1000;
    const windowEnd = windowStart + SPREAD_SECONDS * 1000;
    let addedLate = 0;
    for (let done = 0; done < TIMERS; done += CHUNK) {
      const jobs = Array.from({ length: Math.min(CHUNK, TIMERS - done) }, () => breachTimer(windowStart + randomInt(SPREAD_SECONDS * 1000)));
      addedLate += await schedule(queue, jobs);
    }
    const scheduleMs = Date.now() - scheduleStarted;
    const schedulePerSecond = TIMERS / (scheduleMs / 1000);
    log(
      `scheduled ${TIMERS} timers in ${seconds(scheduleMs)}: ${schedulePerSecond.toFixed(0)} timers/s (addBulk of ${CHUNK}, one at a time, worker running); ` +
        `${addedLate} added after their due time${addedLate > 0 ? ' (their lateness includes scheduling: raise BENCH_LEAD_SECONDS)' : ''}`,
    );
    log(`timers due from +${seconds(windowStart - scheduleStarted)} to +${seconds(windowEnd - scheduleStarted)}; waiting at most ${MARGIN_SECONDS} s past the last due time`);

    // Until every timer fired and completed, or the bound.
    const deadline = windowEnd + MARGIN_SECONDS * 1000;
    let nextReport = Date.now() + 10_000;
    for (;;) {
      if (!worker.alive) throw new Error('the worker process exited while timers were due');
      if (worker.fired >= TIMERS && (await queues.counts(SLA_QUEUE)).completed >= TIMERS) break;
      if (Date.now() > deadline) {
        log(`gave up ${MARGIN_SECONDS} s after the last due time`);
        break;
      }
      if (Date.now() >= nextReport) {
        // Delayed falling while waiting grows: due timers are promoted, but run too slowly.
        const now = await queues.counts(SLA_QUEUE).then(
          (c) => `delayed ${c.delayed}, waiting ${c.waiting}, active ${c.active}`,
          (error: unknown) => `counts failed: ${String(error)}`,
        );
        log(`  +${seconds(Date.now() - scheduleStarted)}: fired ${worker.fired} / ${TIMERS} (${now}), worker RSS ${mb(worker.rssBytes)} MB`);
        nextReport += 10_000;
      }
      await sleep(200);
    }

    worker.send({ type: 'stop' });
    const result: WorkerResult = await worker.next('result', 60_000);
    const counts = await queues.counts(SLA_QUEUE);
    const lateness = result.lateness.slice().sort();
    const fired = lateness.length;
    const duplicates = Math.max(0, fired - counts.completed);
    const p50 = percentile(lateness, 0.5);
    const p99 = percentile(lateness, 0.99);
    const max = percentile(lateness, 1);
    const mean = lateness.reduce((sum, value) => sum + value, 0) / Math.max(1, fired);
    const firingMs = result.lastFiredAt - windowStart;

    log(
      `fired ${fired} of ${TIMERS} scheduled (${fired === TIMERS ? 'all' : fired < TIMERS ? `${TIMERS - fired} MISSING` : 'MORE than scheduled'}); ` +
        `distinct jobs completed ${counts.completed}, duplicates ${duplicates}, re-runs ${result.reruns}; ` +
        `left: delayed ${counts.delayed}, waiting ${counts.waiting}, active ${counts.active}, failed ${counts.failed}`,
    );
    log(`lateness: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms (min ${percentile(lateness, 0)} ms, mean ${mean.toFixed(0)} ms)`);
    log(`firing: last timer ran ${seconds(firingMs)} after the first was due (${SPREAD_SECONDS} s window), ${(fired / Math.max(firingMs / 1000, SPREAD_SECONDS)).toFixed(0)} timers/s`);
    log(`worker: peak RSS ${mb(result.peakRssBytes)} MB (${mb(result.readyRssBytes)} MB when ready), CPU ${result.cpuSeconds.toFixed(1)} s${result.errors > 0 ? `, ${result.errors} queue errors: ${result.firstErrors.join('; ')}` : ''}`);
    const target = TARGET_P99_MS[backend];
    log(`target p99 < ${target} ms: ${p99 < target && counts.completed >= TIMERS ? 'met' : 'MISSED'}`);
    if (errors.length > 0) log(`scheduler queue errors: ${errors.join('; ')}`);

    return {
      scheduled: TIMERS,
      schedulePerSecond: Math.round(schedulePerSecond),
      p50Ms: p50,
      p99Ms: p99,
      maxMs: max,
      fired,
      duplicates,
      peakRssMb: mb(result.peakRssBytes),
      addedLate,
      leadSeconds,
      firingSeconds: Math.round(firingMs / 100) / 10,
      workerCpuSeconds: Math.round(result.cpuSeconds * 10) / 10,
    };
  } finally {
    await worker?.end();
    if (backend === 'redis') await queues.queue(SLA_QUEUE).obliterate({ force: true }).catch((error: unknown) => log(`obliterate failed: ${String(error)}`));
    await queues.close();
  }
}

async function main(): Promise<void> {
  log(`timers: ${TIMERS} breach timers due over ${SPREAD_SECONDS} s, addBulk chunks of ${CHUNK}, worker concurrency ${CONCURRENCY} (the engine's SLA worker runs 8)`);
  log('worker processor: records lateness only (Date.now() - fireAt); the case command path (read case, append breach) is not run, as it would need every case in the event store');
  log('job options: the SLA reactor\'s own (SLA_JOB_OPTIONS)');
  log(`targets: p99 lateness < ${TARGET_P99_MS.redis} ms on Redis, < ${TARGET_P99_MS.postgres} ms on PostgreSQL (2-core machine)`);
  log(`reference: ${REFERENCE}`);
  log(`machine: ${load()}`);

  const results: Record<JobsBackend, BackendResult | null> = { redis: null, postgres: null };
  for (const backend of ['postgres', 'redis'] as const) {
    log('');
    if (!BACKENDS.includes(backend)) {
      log(`== ${LABEL[backend]}: skipped (not in BENCH_BACKENDS)`);
      continue;
    }
    try {
      if (backend === 'postgres') {
        const database = await openScratchDatabase('minyi_bench_timers');
        try {
          log(`== PostgreSQL: BullMQ's PostgreSQL backend in scratch database ${database.name}; ${load()}`);
          results.postgres = await runBackend('postgres', database.url, undefined, 'minyi');
        } finally {
          await database.close();
        }
      } else {
        const unreachable = await redisReachable(REDIS_URL);
        if (unreachable) {
          log(`== Redis: skipped, ${REDIS_URL} did not answer: ${unreachable}`);
          continue;
        }
        const prefix = `minyi-bench-timers-${randomBytes(4).toString('hex')}`;
        log(`== Redis: ${REDIS_URL}, key prefix ${prefix}; ${load()}`);
        try {
          // JobQueues needs a PostgreSQL URL, but uses it only when no Redis URL is given.
          results.redis = await runBackend('redis', '', REDIS_URL, prefix);
        } finally {
          const left = await deleteRedisPrefix(REDIS_URL, prefix);
          if (left > 0) log(`deleted ${left} leftover keys under ${prefix}:`);
        }
      }
    } catch (error) {
      process.exitCode = 1;
      log(`${LABEL[backend]}: FAILED, ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    log(`after ${LABEL[backend]}: ${load()}`);
  }

  log('');
  log(JSON.stringify({ timers: TIMERS, spreadSeconds: SPREAD_SECONDS, redis: results.redis, postgres: results.postgres }));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
