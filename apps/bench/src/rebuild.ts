/**
 * Rebuild benchmark: how fast each read model is rebuilt from the log, as `npm run cli -- rebuild`
 * does it (scratch tables filled beside the live ones, then swapped in), against the rate at which
 * the same process can merely read the log: the baseline no rebuild can beat.
 *
 * The log: BENCH_EVENTS events (1,000,000) of whole case stories, ten events per case, appended
 * in two halves so that each case's events lie far apart in the log, as they do in real life.
 *
 * Env: BENCH_DATABASE_URL (a server where a scratch database may be created; else an embedded
 * PostgreSQL is started), BENCH_EVENTS (1000000), BENCH_WRITERS (16, while generating),
 * BENCH_BATCH (5000, events per rebuild transaction).
 * The last line printed is the JSON summary.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DEFAULT_SLA_POLICY } from '#domain';
import { migrateEventStore, PostgresEventStore, type LogPosition } from '#event-store';
import { readModels } from '#platform';
import { migrateCheckpoints, rebuildReadModel } from '#projections';
import { appendCaseStories, assertEveryCaseClosed } from './case-stories.js';
import { log, openScratchDatabase, positiveInt } from './support.js';

const EVENTS = positiveInt('BENCH_EVENTS', 1_000_000);
const WRITERS = positiveInt('BENCH_WRITERS', 16);
const BATCH = positiveInt('BENCH_BATCH', 5_000);
/** The baseline: read the whole log in the rebuild's batch size, doing nothing with it. */
async function readWholeLog(store: PostgresEventStore): Promise<number> {
  let after: LogPosition | null = null;
  let events = 0;
  for (;;) {
    const batch = await store.readAll({ after, maxCount: BATCH });
    if (batch.length === 0) return events;
    events += batch.length;
    after = batch.at(-1)!.position;
  }
}

async function main(): Promise<void> {
  const database = await openScratchDatabase('minyi_bench_rebuild');
  const pool = new pg.Pool({ connectionString: database.url, max: WRITERS + 4 });
  const store = new PostgresEventStore({ pool, notify: false });
  try {
    await migrateEventStore(pool);
    await migrateCheckpoints(pool);
    const events = await appendCaseStories(store, EVENTS, WRITERS, log);
    await pool.query('VACUUM ANALYZE events');

    let began = performance.now();
    const read = await readWholeLog(store);
    const readEventsPerSecond = Math.round(read / ((performance.now() - began) / 1000));
    log(`baseline: read the whole log at ${readEventsPerSecond.toLocaleString('en-US')} events/s`);

    const rebuilds = [];
    for (const projection of readModels(DEFAULT_SLA_POLICY)) {
      began = performance.now();
      const result = await rebuildReadModel(pool, store, projection, { batchSize: BATCH });
      const seconds = (performance.now() - began) / 1000;
      const eventsPerSecond = Math.round(result.events / seconds);
      log(`${projection.name}: ${result.events.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s, ${eventsPerSecond.toLocaleString('en-US')} events/s`);
      rebuilds.push({ projection: projection.name, seconds: Number(seconds.toFixed(1)), eventsPerSecond, ratio: Number((eventsPerSecond / readEventsPerSecond).toFixed(2)) });
    }
    await assertEveryCaseClosed(pool, EVENTS);

    log(JSON.stringify({ events, batch: BATCH, readEventsPerSecond, rebuilds, slowestEventsPerSecond: Math.min(...rebuilds.map((r) => r.eventsPerSecond)) }));
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
