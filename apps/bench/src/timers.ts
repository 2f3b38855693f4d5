/**
 * Timer benchmark, in two modes. With BENCH_TIMERS_E2E=1, end to end (timers-e2e.ts): N real
 * cases in the store whose accept clocks breach over S seconds, scheduled by the engine's SLA
 * reactor and fired by its worker process through the command path (read the case, decide,
 * append SlaBreached), notifications on; lateness is each SlaBreached's recorded time minus its
 * due time. Without it, the tick mechanism alone, as follows.
 *
 * Tick mechanism: N running SLA clocks whose breach timers fall due over S seconds, on each
 * job backend in turn (BullMQ on PostgreSQL, in a scratch database; BullMQ on Redis). The timer
 * rows live in PostgreSQL either way (a scratch database, as the main database would hold them).
 *
 * For each backend:
 * - the timers are scheduled the way the SLA reactor schedules them, through the same code:
 *   `SlaTimerTable.replace` writes the rows of a chunk of cases in one transaction (as the reactor
 *   does in the projection's), then `SlaJobs.announce` ensures one delayed tick job per second
 *   the chunk's timers fall due in (as the reactor does once that transaction has committed).
 *   Each timer is a RecordSlaBreach of a case of its own; the rate is timers per second over
 *   the whole scheduling, chunk after chunk;
 * - the first timer falls due only after scheduling is over (a lead sized from a short pilot),
 *   so that lateness measures firing, not scheduling; timers that were nevertheless written after
 *   their due time are counted and shown;
 * - a worker runs in a child process (timers-worker.ts) from before the first timer is scheduled
 *   until all have fired: the engine's SLA worker side (a BullMQ worker on the SLA queue running
 *   `SlaTimerRunner`, and its sweep) whose handler only records lateness
 *   (`Date.now() - fireAt`) instead of running the case command, and which samples its own RSS
 *   every 100 ms;
 * - fired counts the handler's calls; every fired row is deleted, so rows left are timers that
 *   never fired, and fired beyond the timers written are timers that fired twice.
 *
 * Env: BENCH_TIMERS (100000), BENCH_SPREAD_SECONDS (60), BENCH_CHUNK (1000 timers per
 * transaction), BENCH_CONCURRENCY (8, the engine's SLA worker concurrency: ticks at once),
 * BENCH_POSTGRES_POOL (the worker's jobs pool; JobQueues' default of 10 unless set),
 * BENCH_MARGIN_SECONDS (max(120, 5 × spread): how long to wait after the last due time),
 * BENCH_LEAD_SECONDS (from the pilot unless set), BENCH_BACKENDS (postgres,redis),
 * BENCH_DATABASE_URL (else an embedded PostgreSQL), REDIS_URL (redis://127.0.0.1:6379; the
 * backend is skipped if it does not answer). The last line is JSON.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { inTransaction } from '#database';
import { JobQueues, type JobsBackend } from '#jobs';
import { SLA_QUEUE, SlaJobs, SlaTimerTable, type CaseTimer, type SlaTimerJob } from '#sla';
import { log, openScratchDatabase, positiveInt, positiveNumber } from './support.js';
import { timersEndToEnd } from './timers-e2e.js';
import { BACKENDS, LABEL, load, MARGIN_SECONDS, seconds, sleep, SPREAD_SECONDS, TIMERS } from './timers-settings.js';
import type { FromWorker, StartMessage, ToWorker, WorkerResult } from './timers-worker.js';

const CHUNK = positiveInt('BENCH_CHUNK', 1_000);
const CONCURRENCY = positiveInt('BENCH_CONCURRENCY', 8);
/** The worker's PostgreSQL pool; unset, JobQueues' default (10), as the engine runs it. */
const POSTGRES_POOL = process.env.BENCH_POSTGRES_POOL ? positiveInt('BENCH_POSTGRES_POOL', 10) : undefined;
const LEAD_SECONDS = process.env.BENCH_LEAD_SECONDS ? positiveNumber('BENCH_LEAD_SECONDS', 0) : undefined;
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** p99 lateness each backend should stay under on the 2-core benchmark machine. */
const TARGET_P99_MS: Record<JobsBackend, number> = { redis: 1_000, postgres: 2_000 };
const REFERENCE =
  'one delayed BullMQ job per timer, as the SLA timers were scheduled before, 100,000 due over 60 s on this machine: PostgreSQL p99 235 s; plain BullMQ, 20,000 delayed jobs due over 10 s: Redis p99 85 ms, PostgreSQL p99 4.3 s';

interface BackendResult {
  readonly scheduled: number;
  readonly schedulePerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly fired: number;
  readonly duplicates: number;
  readonly ticks: number;
  readonly tickP99Ms: number;
  readonly peakRssMb: number;
  readonly addedLate: number;
  readonly leadSeconds: number;
  readonly firingSeconds: number;
  readonly workerCpuSeconds: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** A breach timer of a running resolution clock of a case of its own, as the reactor makes it. */
function breachTimer(fireAtMs: number): CaseTimer {
  const fireAt = new Date(fireAtMs).toISOString();
  return { command: 'RecordSlaBreach', caseId: randomUUID(), alert: { clock: 'resolve', dueAt: fireAt, startedAtRevision: 1 + randomInt(20) }, fireAt };
}

/** Where the benchmark schedules: the timer rows' database and the SLA queue. */
interface Scheduler {
  readonly pool: pg.Pool;
  readonly table: SlaTimerTable;
  readonly jobs: SlaJobs;
}

/**
 * What the SLA reactor does with a batch of timers: the rows of their cases in one transaction,
 * then, once it has committed, a tick for each second they fall due in. Answers how many were
 * already due when written.
 */
async function schedule({ pool, table, jobs }: Scheduler, timers: readonly CaseTimer[]): Promise<number> {
  const seconds = await inTransaction(pool, (client) => table.replace(client, timers.map((timer) => timer.caseId), timers));
  await jobs.announce(seconds);
  const now = Date.now();
  return timers.filter((timer) => Date.parse(timer.fireAt) <= now).length;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** The worker process: started, then driven by messages; every wait fails if it dies first. */
class WorkerProcess {
  fired = 0;
  ticks = 0;
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
        this.ticks = message.ticks;
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

/** Scheduling rate on a throwaway queue and rows, to size the lead: the best of three chunks after a first one. */
async function pilotRate(queues: JobQueues, pool: pg.Pool): Promise<number> {
  const pilot = queues.queue<SlaTimerJob>(`${SLA_QUEUE}-pilot`);
  const scheduler = { pool, table: new SlaTimerTable(pool), jobs: new SlaJobs(pilot, () => new Date()) };
  const farAway = Date.now() + 3600_000;
  const chunk = () => Array.from({ length: Math.min(CHUNK, TIMERS) }, () => breachTimer(farAway + randomInt(60_000)));
  await schedule(scheduler, chunk());
  let rate = 0;
  for (let round = 0; round < 3; round++) {
    const timers = chunk();
    const started = performance.now();
    await schedule(scheduler, timers);
    rate = Math.max(rate, timers.length / ((performance.now() - started) / 1000));
  }
  await pilot.obliterate({ force: true });
  await pool.query('DELETE FROM sla_timers');
  return rate;
}

async function rowsLeft(pool: pg.Pool): Promise<number> {
  return Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM sla_timers')).rows[0]!.n);
}

async function runBackend(backend: JobsBackend, timersUrl: string, postgresUrl: string, redisUrl: string | undefined, prefix: string): Promise<BackendResult> {
  const errors: string[] = [];
  const queues = await JobQueues.open({
    redisUrl,
    postgresUrl,
    prefix,
    onError: (source, error) => {
      if (errors.length < 5) errors.push(`${source}: ${error.message}`);
    },
  });
  const pool = new pg.Pool({ connectionString: timersUrl, max: 4 });
  pool.on('error', (error) => errors.length < 5 && errors.push(`timers pool: ${error.message}`));
  let worker: WorkerProcess | undefined;
  try {
    await queues.ping(60_000);
    await SlaTimerTable.migrate(pool);
    const queue = queues.queue<SlaTimerJob>(SLA_QUEUE);
    const scheduler: Scheduler = { pool, table: new SlaTimerTable(pool), jobs: new SlaJobs(queue, () => new Date()) };

    let leadSeconds = LEAD_SECONDS;
    if (leadSeconds === undefined) {
      const rate = await pilotRate(queues, pool);
      // Twice the time scheduling should take (a worker runs meanwhile), plus two seconds.
      leadSeconds = Math.ceil((2 * TIMERS) / rate) + 2;
      log(`pilot: ${rate.toFixed(0)} timers/s on an empty queue, so the first timer falls due ${leadSeconds} s after scheduling starts`);
    }

    worker = new WorkerProcess({ type: 'start', backend, redisUrl, postgresUrl, timersUrl, prefix, concurrency: CONCURRENCY, postgresPoolSize: POSTGRES_POOL, expected: TIMERS });
    const ready = await worker.next('ready', 60_000);
    const jobsPool = backend === 'postgres' ? `, PostgreSQL jobs pool ${POSTGRES_POOL ?? 'default (10)'}` : '';
    log(`worker process ready: concurrency ${CONCURRENCY}${jobsPool}, RSS ${mb(ready.rssBytes)} MB`);

    // Due times uniform over [start + lead, start + lead + spread], in random order.
    const scheduleStarted = Date.now();
    const windowStart = scheduleStarted + leadSeconds * 1000;
    const windowEnd = windowStart + SPREAD_SECONDS * 1000;
    let addedLate = 0;
    for (let done = 0; done < TIMERS; done += CHUNK) {
      const timers = Array.from({ length: Math.min(CHUNK, TIMERS - done) }, () => breachTimer(windowStart + randomInt(SPREAD_SECONDS * 1000)));
      addedLate += await schedule(scheduler, timers);
    }
    const scheduleMs = Date.now() - scheduleStarted;
    const schedulePerSecond = TIMERS / (scheduleMs / 1000);
    log(
      `scheduled ${TIMERS} timers in ${seconds(scheduleMs)}: ${schedulePerSecond.toFixed(0)} timers/s (rows of ${CHUNK} cases a transaction, then their ticks, one chunk at a time, worker running); ` +
        `${addedLate} added after their due time${addedLate > 0 ? ' (their lateness includes scheduling: raise BENCH_LEAD_SECONDS)' : ''}`,
    );
    const afterScheduling = await queues.counts(SLA_QUEUE);
    log(`the queue holds ${afterScheduling.delayed} delayed ticks for ${TIMERS} timers (one per second with a timer due)`);
    log(`timers due from +${seconds(windowStart - scheduleStarted)} to +${seconds(windowEnd - scheduleStarted)}; waiting at most ${MARGIN_SECONDS} s past the last due time`);

    // Until every timer fired and completed, or the bound.
    const deadline = windowEnd + MARGIN_SECONDS * 1000;
    let nextReport = Date.now() + 10_000;
    for (;;) {
      if (!worker.alive) throw new Error('the worker process exited while timers were due');
      if (worker.fired >= TIMERS && (await rowsLeft(pool)) === 0) break;
      if (Date.now() > deadline) {
        log(`gave up ${MARGIN_SECONDS} s after the last due time`);
        break;
      }
      if (Date.now() >= nextReport) {
        const now = await Promise.all([queues.counts(SLA_QUEUE), rowsLeft(pool)]).then(
          ([c, rows]) => `rows ${rows}; ticks delayed ${c.delayed}, waiting ${c.waiting}, active ${c.active}`,
          (error: unknown) => `counts failed: ${String(error)}`,
        );
        log(`  +${seconds(Date.now() - scheduleStarted)}: fired ${worker.fired} / ${TIMERS}, ${worker.ticks} ticks run (${now}), worker RSS ${mb(worker.rssBytes)} MB`);
        nextReport += 10_000;
      }
      await sleep(200);
    }

    worker.send({ type: 'stop' });
    const result: WorkerResult = await worker.next('result', 60_000);
    const counts = await queues.counts(SLA_QUEUE);
    const left = await rowsLeft(pool);
    const lateness = result.lateness.slice().sort();
    const tickLateness = result.tickLateness.slice().sort();
    const fired = lateness.length;
    const duplicates = Math.max(0, fired - (TIMERS - left));
    const p50 = percentile(lateness, 0.5);
    const p99 = percentile(lateness, 0.99);
    const max = percentile(lateness, 1);
    const mean = lateness.reduce((sum, value) => sum + value, 0) / Math.max(1, fired);
    const firingMs = result.lastFiredAt - windowStart;

    log(
      `fired ${fired} of ${TIMERS} scheduled (${fired === TIMERS ? 'all' : fired < TIMERS ? `${TIMERS - fired} MISSING` : 'MORE than scheduled'}); ` +
        `rows left ${left}, duplicates ${duplicates}, re-runs ${result.reruns}; ` +
        `ticks left: delayed ${counts.delayed}, waiting ${counts.waiting}, active ${counts.active}, failed ${counts.failed}`,
    );
    log(`lateness: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms (min ${percentile(lateness, 0)} ms, mean ${mean.toFixed(0)} ms)`);
    log(`firing: last timer ran ${seconds(firingMs)} after the first was due (${SPREAD_SECONDS} s window), ${(fired / Math.max(firingMs / 1000, SPREAD_SECONDS)).toFixed(0)} timers/s`);
    log(
      `ticks: ${tickLateness.length} run (sweeps and retries included); start after their second began: p50 ${percentile(tickLateness, 0.5)} ms, p99 ${percentile(tickLateness, 0.99)} ms, max ${percentile(tickLateness, 1)} ms`,
    );
    log(`worker: peak RSS ${mb(result.peakRssBytes)} MB (${mb(result.readyRssBytes)} MB when ready), CPU ${result.cpuSeconds.toFixed(1)} s${result.errors > 0 ? `, ${result.errors} queue errors: ${result.firstErrors.join('; ')}` : ''}`);
    const target = TARGET_P99_MS[backend];
    log(`target p99 < ${target} ms: ${p99 < target && fired >= TIMERS && left === 0 ? 'met' : 'MISSED'}`);
    if (errors.length > 0) log(`scheduler queue errors: ${errors.join('; ')}`);

    return {
      scheduled: TIMERS,
      schedulePerSecond: Math.round(schedulePerSecond),
      p50Ms: p50,
      p99Ms: p99,
      maxMs: max,
      fired,
      duplicates,
      ticks: tickLateness.length,
      tickP99Ms: percentile(tickLateness, 0.99),
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
    await pool.end();
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_TIMERS_E2E === '1') return timersEndToEnd();
  log(`timers: ${TIMERS} breach timers due over ${SPREAD_SECONDS} s, written ${CHUNK} cases a transaction, worker concurrency ${CONCURRENCY} ticks (the engine's SLA worker runs 8)`);
  log('scheduling: rows in sla_timers and one delayed tick per due second, through the SLA reactor\'s own code (SlaTimerTable.replace, SlaJobs.announce)');
  log('worker: the engine\'s SlaTimerRunner and sweep; its handler records lateness only (Date.now() - fireAt): the case command path (read case, append breach) is not run, as it would need every case in the event store');
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
          log(`== PostgreSQL: BullMQ's PostgreSQL backend and the timer rows in scratch database ${database.name} (schemas bullmq and public); ${load()}`);
          results.postgres = await runBackend('postgres', database.url, database.url, undefined, 'minyi');
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
        const database = await openScratchDatabase('minyi_bench_timers');
        log(`== Redis: ${REDIS_URL}, key prefix ${prefix}; the timer rows in scratch database ${database.name}; ${load()}`);
        try {
          // JobQueues needs a PostgreSQL URL, but uses it only when no Redis URL is given.
          results.redis = await runBackend('redis', database.url, '', REDIS_URL, prefix);
        } finally {
          const left = await deleteRedisPrefix(REDIS_URL, prefix);
          if (left > 0) log(`deleted ${left} leftover keys under ${prefix}:`);
          await database.close();
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
