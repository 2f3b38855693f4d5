/**
 * The end-to-end mode of the timer benchmark (`BENCH_TIMERS_E2E=1 npm run bench:timers`): N real
 * cases whose accept clocks all breach within S seconds, fired by the engine's own worker process
 * through the command path, with notifications on, on each job backend in turn.
 *
 * For each backend:
 * - a scratch database holds the events, read models, timer rows and (on PostgreSQL) the jobs;
 *   Redis is a redis-server of the benchmark's own on a free port, because the engine's queue key
 *   prefix is fixed (`minyi`) and a shared Redis may hold another engine's queues;
 * - the real worker (dist/apps/worker/src/main.js) runs in a child process on that database, with
 *   the demo accounts (so that notifications have recipients): its projections keep the read
 *   models, its SLA reactor writes the timer rows and announces their ticks, its SLA worker fires
 *   them (read the case, decide, append `SlaBreached`), its notifications reactor and in-app
 *   worker deliver what the filings and the breaches notify;
 * - the cases are seeded while it runs, as a busy intake would file them: each case's events are
 *   made by the domain itself (`decide` of a FileCase by the unit's clerk, then of the
 *   RaiseSlaWarning its warning timer would have sent, each with `withDeadlines`, as the command
 *   path records them) and appended to a stream of its own, several streams at once. The filing
 *   is dated one accept clock (an hour, under a benchmark policy whose accept clock is 3600 s)
 *   before the case's due time, drawn uniformly over the window, so the deadline each CaseFiled
 *   records lands in the window; the worker, on the default policy, takes the recorded deadline as
 *   it is. The warning is part of the seeded history because it fell due before seeding; without
 *   it 100,000 warnings would fire at once before the window. The timers are scheduled by the
 *   real reactor from those events, not by the benchmark, so scheduling is the production path too;
 * - the window starts BENCH_LEAD_SECONDS after seeding starts (default N / 200 + 20 s), which must
 *   cover seeding and the worker catching up with it (read models, timer rows, the filings'
 *   notifications); the output says when it had caught up and when the filings' in-app deliveries
 *   were done, and warns if either was after the window opened;
 * - lateness is the store's recorded time of each SlaBreached event (`recorded_at`, when its
 *   append's transaction began, after the case was read and the breach decided) minus the due
 *   time it names; the command's own time (`metadata.at`, taken before the case is read) is shown
 *   beside it. Fired counts the breached cases, duplicates a second SlaBreached for the same clock
 *   run, missed the cases not breached BENCH_MARGIN_SECONDS after the last due time.
 *
 * Env: BENCH_TIMERS (100000 cases), BENCH_SPREAD_SECONDS (60), BENCH_LEAD_SECONDS (N / 200 + 20),
 * BENCH_MARGIN_SECONDS (max(120, 5 × spread)), BENCH_WRITERS (8 streams appended at once while
 * seeding), BENCH_BACKENDS (postgres,redis), BENCH_DATABASE_URL (else an embedded PostgreSQL);
 * REDIS_URL is not used (see above). The last line is JSON.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { caseStreamId } from '#cases';
import { PostgresEventStore } from '#event-store';
import { JobQueues, type JobsBackend } from '#jobs';
import { NOTIFY_QUEUES } from '#notifications';
import { SLA_QUEUE } from '#sla';
import { ManagedProcess, onPath, startRedisServer } from '../../stack/src/processes.js';
import { log, openScratchDatabase, percentile, positiveInt, positiveNumber, projectionsReach } from './support.js';
import { BACKENDS, LABEL, load, MARGIN_SECONDS, seconds, sleep, SPREAD_SECONDS, TIMERS } from './timers-settings.js';
import { warnedCase } from './warned-case.js';

const WRITERS = positiveInt('BENCH_WRITERS', 8);
const LEAD_SECONDS = positiveNumber('BENCH_LEAD_SECONDS', Math.ceil(TIMERS / 200) + 20);
const TARGET_P99_MS = 2_000;

const WORKER_MAIN = fileURLToPath(new URL('../../worker/src/main.js', import.meta.url));

interface EndToEndResult {
  readonly cases: number;
  readonly seedSeconds: number;
  readonly caughtUpSeconds: number;
  readonly leadSeconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly commandP99Ms: number;
  readonly fired: number;
  readonly duplicates: number;
  readonly missed: number;
  readonly dueBeforeCaughtUp: number;
  /** In-app deliveries of the filings still queued when the window opened. */
  readonly inAppBacklogAtWindow: number;
  readonly firingSeconds: number;
  readonly firedPerSecond: number;
  readonly notificationsDrainedSeconds: number | null;
}

/** Appends each case to a stream of its own, WRITERS streams at once; answers the last global position. */
async function seed(store: PostgresEventStore, dueTimes: readonly number[]): Promise<number> {
  let next = 0;
  let lastPosition = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let serial = next++; serial < dueTimes.length; serial = next++) {
        const events = warnedCase(serial, dueTimes[serial]!);
        const appended = await store.appendToStream(caseStreamId(String(events[0]!.data.caseId)), events, { expectedRevision: 'no_stream' });
        lastPosition = Math.max(lastPosition, appended.globalPosition);
      }
    }),
  );
  return lastPosition;
}

/** The engine's worker process on the scratch database, ready once its projections and reactors have checkpoints. */
async function startWorker(databaseUrl: string, redisUrl: string | null, dataDir: string, pool: pg.Pool): Promise<ManagedProcess> {
  return ManagedProcess.start({
    name: 'the worker',
    command: process.execPath,
    args: ['--enable-source-maps', WORKER_MAIN],
    // Its warnings and errors (LOG_LEVEL warn unless set) are part of the result.
    stdout: 'inherit',
    env: {
      MALLOC_ARENA_MAX: '2',
      LOG_LEVEL: 'warn',
      ...process.env,
      DATABASE_URL: databaseUrl,
      JOBS_DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl ?? '',
      MINYI_DATA_DIR: dataDir,
      MINYI_DEMO: '1',
      MINYI_DEMO_CASES: '0',
      MINYI_DEMO_PASSWORD: randomBytes(12).toString('base64url'),
      // The demo accounts' password hashes: cheap, they are never used to log in here.
      PASSWORD_SCRYPT_LOG2N: '14',
      JWT_SECRET: randomBytes(32).toString('base64url'),
    },
    ready: async () => {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM projection_checkpoints WHERE projection IN ('sla-timers', 'notifications')`);
      return rows[0]!.n === '2';
    },
    readyTimeoutMs: 120_000,
  });
}

interface Breach {
  readonly lateMs: number;
  readonly commandLateMs: number;
  readonly recordedAtMs: number;
}

/** Every SlaBreached after `after`, and the second (or later) ones for a clock run. */
async function breaches(pool: pg.Pool, after: number): Promise<{ breaches: Breach[]; cases: number; duplicates: number }> {
  const { rows } = await pool.query<{ stream_id: string; due_at: string; at: string; recorded_at: Date; clock_run: string }>(
    `SELECT stream_id, data->>'dueAt' AS due_at, metadata->>'at' AS at, recorded_at, data->>'clock' || '@' || (data->>'startedAtRevision') AS clock_run
       FROM events WHERE global_position > $1 AND type = 'SlaBreached'`,
    [after],
  );
  const runs = new Set<string>();
  const cases = new Set<string>();
  let duplicates = 0;
  const list = rows.map((row) => {
    const key = `${row.stream_id}/${row.clock_run}`;
    if (runs.has(key)) duplicates++;
    runs.add(key);
    cases.add(row.stream_id);
    const due = Date.parse(row.due_at);
    return { lateMs: row.recorded_at.getTime() - due, commandLateMs: Date.parse(row.at) - due, recordedAtMs: row.recorded_at.getTime() };
  });
  return { breaches: list, cases: cases.size, duplicates };
}

async function breachCount(pool: pg.Pool, after: number): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE global_position > $1 AND type = 'SlaBreached'`, [after]);
  return Number(rows[0]!.n);
}

/** In-app deliveries not yet done. */
async function inAppBacklog(queues: JobQueues): Promise<number> {
  const counts = await queues.counts(NOTIFY_QUEUES.inApp);
  return counts.waiting + counts.delayed + counts.active;
}

async function runBackend(backend: JobsBackend, databaseUrl: string, redisUrl: string | null, dataDir: string): Promise<EndToEndResult> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: WRITERS + 2 });
  const store = new PostgresEventStore({ pool });
  let worker: ManagedProcess | undefined;
  let queues: JobQueues | undefined;
  try {
    worker = await startWorker(databaseUrl, redisUrl, dataDir, pool);
    // Only to read the queues' counts; an error of theirs shows in a count that fails.
    queues = await JobQueues.open({ redisUrl: redisUrl ?? undefined, postgresUrl: databaseUrl, onError: () => undefined });
    log(`the worker process is running (pid ${worker.pid}); ${load()}`);

    // Every breach comes after this: the log's head before the cases were seeded (the demo accounts' events).
    const headBeforeSeeding = Number((await pool.query<{ head: string }>('SELECT coalesce(max(global_position), 0) AS head FROM events')).rows[0]!.head);
    const seedStarted = Date.now();
    const windowStart = seedStarted + LEAD_SECONDS * 1000;
    const windowEnd = windowStart + SPREAD_SECONDS * 1000;
    const dueTimes = Array.from({ length: TIMERS }, () => windowStart + randomInt(SPREAD_SECONDS * 1000));
    const lastSeeded = await seed(store, dueTimes);
    const seedMs = Date.now() - seedStarted;
    log(`seeded ${TIMERS} cases (CaseFiled + SlaWarningRaised each) in ${seconds(seedMs)}: ${(TIMERS / (seedMs / 1000)).toFixed(0)} cases/s, ${WRITERS} streams at once; ${load()}`);

    await projectionsReach(pool, lastSeeded, Math.max(60_000, windowEnd + MARGIN_SECONDS * 1000 - Date.now())).catch(async (error: unknown) => {
      const { rows } = await pool.query<{ projection: string; global_position: string | null }>('SELECT projection, global_position FROM projection_checkpoints ORDER BY projection');
      const where = rows.map((row) => `${row.projection} at ${row.global_position ?? 'none'}`).join(', ');
      throw new Error(`${error instanceof Error ? error.message : String(error)} (checkpoints: ${where}; the last seeded event is at ${lastSeeded})`, { cause: error });
    });
    const caughtUpMs = Date.now() - seedStarted;
    const dueBeforeCaughtUp = dueTimes.filter((due) => due < seedStarted + caughtUpMs).length;
    log(
      `every projection and reactor (timer rows, notifications) had caught up with the seeding ${seconds(caughtUpMs)} after it began; the window opens at +${seconds(windowStart - seedStarted)}` +
        (dueBeforeCaughtUp > 0 ? `: ${dueBeforeCaughtUp} timers were due before that, their lateness includes catching up (raise BENCH_LEAD_SECONDS)` : ''),
    );
    let backlogAtWindow = await inAppBacklog(queues);
    log(`in-app deliveries still to run (the filings' notifications): ${backlogAtWindow}; the SLA queue holds ${(await queues.counts(SLA_QUEUE)).delayed} delayed ticks`);
    // The filings' notifications should be delivered before the window opens, so that the breaches do not queue behind them.
    while (backlogAtWindow > 0 && Date.now() < windowStart) {
      await sleep(250);
      backlogAtWindow = await inAppBacklog(queues);
    }
    log(
      backlogAtWindow === 0
        ? `the filings' in-app deliveries were done ${seconds(Date.now() - seedStarted)} after seeding began`
        : `${backlogAtWindow} of the filings' in-app deliveries were still queued when the window opened: the breaches' firing shares the worker with them (raise BENCH_LEAD_SECONDS)`,
    );

    const deadline = windowEnd + MARGIN_SECONDS * 1000;
    let nextReport = Date.now() + 10_000;
    for (;;) {
      if (!worker.running) throw new Error('the worker process exited while timers were due');
      const fired = await breachCount(pool, headBeforeSeeding);
      if (fired >= TIMERS) break;
      if (Date.now() > deadline) {
        log(`gave up ${MARGIN_SECONDS} s after the last due time`);
        break;
      }
      if (Date.now() >= nextReport) {
        log(`  +${seconds(Date.now() - seedStarted)}: ${fired} / ${TIMERS} breaches recorded; in-app deliveries to run ${await inAppBacklog(queues)}; ${load()}`);
        nextReport += 10_000;
      }
      await sleep(1_000);
    }
    const lastDue = dueTimes.reduce((latest, due) => Math.max(latest, due), 0);
    let drainedMs: number | null = null;
    for (const drainDeadline = Date.now() + 120_000; Date.now() < drainDeadline; await sleep(500)) {
      if ((await inAppBacklog(queues)) === 0) {
        drainedMs = Date.now() - lastDue;
        break;
      }
    }

    const result = await breaches(pool, headBeforeSeeding);
    const late = result.breaches.map((breach) => breach.lateMs);
    const commandLate = result.breaches.map((breach) => breach.commandLateMs);
    const lastRecorded = result.breaches.reduce((latest, breach) => Math.max(latest, breach.recordedAtMs), 0);
    const p50 = percentile(late, 0.5);
    const p99 = percentile(late, 0.99);
    const max = percentile(late, 1);
    const missed = TIMERS - result.cases;
    log(`fired ${result.cases} of ${TIMERS} cases (${missed === 0 ? 'all' : `${missed} MISSED`}); ${result.breaches.length} SlaBreached events, duplicates ${result.duplicates}`);
    log(`lateness (recorded_at - dueAt): p50 ${p50} ms, p99 ${p99} ms, max ${max} ms (min ${percentile(late, 0)} ms)`);
    log(`the commands' own time (metadata.at - dueAt, before the case is read): p50 ${percentile(commandLate, 0.5)} ms, p99 ${percentile(commandLate, 0.99)} ms, max ${percentile(commandLate, 1)} ms`);
    const firingMs = lastRecorded - windowStart;
    const firedPerSecond = Math.round(result.breaches.length / Math.max(firingMs / 1000, SPREAD_SECONDS));
    log(`firing: the last breach was recorded ${seconds(firingMs)} after the window opened (${SPREAD_SECONDS} s window): ${firedPerSecond} breaches/s (${Math.round(TIMERS / SPREAD_SECONDS)}/s fall due)`);
    log(
      drainedMs === null
        ? `notifications: in-app deliveries still queued 120 s after the last breach: ${await inAppBacklog(queues)}`
        : `notifications: every in-app delivery done ${seconds(Math.max(0, drainedMs))} after the last due time`,
    );
    log(`target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS && missed === 0 && result.duplicates === 0 ? 'met' : 'MISSED'}`);
    return {
      cases: TIMERS,
      seedSeconds: Math.round(seedMs / 100) / 10,
      caughtUpSeconds: Math.round(caughtUpMs / 100) / 10,
      leadSeconds: LEAD_SECONDS,
      p50Ms: p50,
      p99Ms: p99,
      maxMs: max,
      commandP99Ms: percentile(commandLate, 0.99),
      fired: result.cases,
      duplicates: result.duplicates,
      missed,
      dueBeforeCaughtUp,
      inAppBacklogAtWindow: backlogAtWindow,
      firingSeconds: Math.round(firingMs / 100) / 10,
      firedPerSecond,
      notificationsDrainedSeconds: drainedMs === null ? null : Math.round(Math.max(0, drainedMs) / 100) / 10,
    };
  } finally {
    await queues?.close();
    await worker?.stop();
    await store.close();
    await pool.end();
  }
}

/** Runs the end-to-end mode on each backend in BENCH_BACKENDS; the last line is JSON. */
export async function timersEndToEnd(): Promise<void> {
  log(`timers end to end: ${TIMERS} cases whose accept clocks breach over ${SPREAD_SECONDS} s, the window opening ${LEAD_SECONDS} s after seeding starts`);
  log('seeding: each case\'s CaseFiled and SlaWarningRaised as the domain decides them, deadlines recorded, appended while the worker runs');
  log('worker: dist/apps/worker/src/main.js (read models, the SLA reactor scheduling the timers, the SLA worker firing them through the command path, notifications in-app)');
  log(`target: p99 lateness < ${TARGET_P99_MS} ms on each backend; machine: ${load()}`);

  const results: Record<JobsBackend, EndToEndResult | null> = { redis: null, postgres: null };
  for (const backend of ['postgres', 'redis'] as const) {
    log('');
    if (!BACKENDS.includes(backend)) {
      log(`== ${LABEL[backend]}: skipped (not in BENCH_BACKENDS)`);
      continue;
    }
    const redisServer = backend === 'redis' ? await onPath('redis-server') : null;
    if (backend === 'redis' && !redisServer) {
      log('== Redis: skipped, no redis-server on the PATH to run a Redis of the benchmark\'s own');
      continue;
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'minyi-bench-timers-e2e-'));
    const database = await openScratchDatabase('minyi_bench_timers_e2e');
    let redis: Awaited<ReturnType<typeof startRedisServer>> | undefined;
    try {
      if (redisServer) redis = await startRedisServer(redisServer, join(dataDir, 'redis'));
      log(`== ${LABEL[backend]}: scratch database ${database.name}${redis ? `, BullMQ on a Redis of its own at ${redis.url}` : ', BullMQ\'s PostgreSQL backend in it'}; ${load()}`);
      results[backend] = await runBackend(backend, database.url, redis?.url ?? null, dataDir);
    } catch (error) {
      process.exitCode = 1;
      log(`${LABEL[backend]}: FAILED, ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } finally {
      await redis?.process.stop();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    }
    log(`after ${LABEL[backend]}: ${load()}`);
  }

  log('');
  log(JSON.stringify({ mode: 'e2e', timers: TIMERS, spreadSeconds: SPREAD_SECONDS, postgres: results.postgres, redis: results.redis }));
}
