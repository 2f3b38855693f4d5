/**
 * Projection lanes benchmark: how fast the case read model catches up with a log of whole case
 * stories when it runs in 1, 2 and 4 lanes (PROJECTION_LANES), each lane in a process of its own
 * (projections-lane.ts), as the engine's processes share the lanes out. Each run starts from an
 * empty read model: the change of the lane count starts it over. The figure is events of the log
 * per second, from the moment every process is told to start until every lane's checkpoint has
 * passed the last event, and its ratio to one lane's.
 *
 * Env: BENCH_DATABASE_URL (a server where a scratch database may be created; else an embedded
 * PostgreSQL is started), BENCH_EVENTS (200000), BENCH_WRITERS (16, while generating),
 * BENCH_BATCH (500, events a lane reads at a time).
 * The last line printed is the JSON summary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CaseReadModelProjection } from '#cases';
import { DEFAULT_SLA_POLICY } from '#domain';
import { migrateEventStore, PostgresEventStore } from '#event-store';
import { ProjectionRunner } from '#projections';
import { appendCaseStories, assertEveryCaseClosed } from './case-stories.js';
import { log, openScratchDatabase, positiveInt } from './support.js';

const EVENTS = positiveInt('BENCH_EVENTS', 200_000);
const WRITERS = positiveInt('BENCH_WRITERS', 16);
const BATCH = positiveInt('BENCH_BATCH', 500);
const LANE_COUNTS = [1, 2, 4] as const;
const CATCH_UP_TIMEOUT_MS = 30 * 60_000;

/** A process running the case read model's lanes, started and ready (joined, not yet started). */
async function startLaneProcess(url: string, lanes: number): Promise<ChildProcess> {
  const entry = fileURLToPath(new URL('./projections-lane.js', import.meta.url));
  const child = spawn(process.execPath, ['--enable-source-maps', entry, url, String(lanes), String(BATCH)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`a lane process exited with code ${code} before it was ready`)));
  });
  await ready;
  return child;
}

async function stopLaneProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** Waits until every checkpoint of the case read model has passed `head`; answers the milliseconds since `started`. */
async function caughtUp(pool: pg.Pool, head: number, started: number): Promise<number> {
  for (;;) {
    const { rows } = await pool.query<{ done: boolean }>(
      "SELECT count(*) > 0 AND bool_and(global_position >= $1) AS done FROM projection_checkpoints WHERE projection = 'cases' OR projection LIKE 'cases[%'",
      [head],
    );
    if (rows[0]!.done) return performance.now() - started;
    if (performance.now() - started > CATCH_UP_TIMEOUT_MS) throw new Error(`the case read model did not catch up within ${CATCH_UP_TIMEOUT_MS / 60_000} minutes`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function run(url: string, pool: pg.Pool, store: PostgresEventStore, lanes: number, head: number, events: number) {
  // A change of the lane count starts the read model over: empty tables, every lane at the start.
  await new ProjectionRunner(pool, store, [new CaseReadModelProjection(DEFAULT_SLA_POLICY)], { lanes }).migrate();
  const children = await Promise.all(Array.from({ length: lanes }, () => startLaneProcess(url, lanes)));
  try {
    const started = performance.now();
    for (const child of children) child.stdin!.write('go\n');
    const seconds = (await caughtUp(pool, head, started)) / 1000;
    await assertEveryCaseClosed(pool, EVENTS);
    return { lanes, seconds: Number(seconds.toFixed(1)), eventsPerSecond: Math.round(events / seconds) };
  } finally {
    await Promise.all(children.map(stopLaneProcess));
  }
}

async function main(): Promise<void> {
  const database = await openScratchDatabase('minyi_bench_projections');
  const pool = new pg.Pool({ connectionString: database.url, max: WRITERS + 4 });
  const store = new PostgresEventStore({ pool, notify: false });
  try {
    await migrateEventStore(pool);
    const events = await appendCaseStories(store, EVENTS, WRITERS, log);
    await pool.query('VACUUM ANALYZE events');
    const { rows } = await pool.query<{ head: string }>('SELECT max(global_position) AS head FROM events');
    const head = Number(rows[0]!.head);
    const loadBefore = loadavg()[0]!;

    const runs: { lanes: number; seconds: number; eventsPerSecond: number; ratio: number }[] = [];
    for (const lanes of LANE_COUNTS) {
      const result = await run(database.url, pool, store, lanes, head, events);
      const ratio = runs.length === 0 ? 1 : Number((result.eventsPerSecond / runs[0]!.eventsPerSecond).toFixed(2));
      runs.push({ ...result, ratio });
      log(`${lanes} lane${lanes === 1 ? '' : 's'} in ${lanes} process${lanes === 1 ? '' : 'es'}: ${events.toLocaleString('en-US')} events in ${result.seconds} s, ${result.eventsPerSecond.toLocaleString('en-US')} events/s (${ratio}× one lane)`);
    }
    const loadAverage = { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0]!.toFixed(2)) };
    log(`load average (1 min) ${loadAverage.before} before the runs, ${loadAverage.after} after, on ${cpus().length} cores`);
    log(JSON.stringify({ events, batch: BATCH, runs, loadAverage }));
  } finally {
    await store.close();
    await pool.end();
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
