import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Pool } from 'pg';
import { isCaseStream } from '#cases';
import { MAIN_POOL, ifLockFree } from '#database';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '#event-store';
import { createLogger, loadConfig, startEngine } from '#platform';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { seedInBackground } from './background.js';
import { DEMO_SEEDING_LOCK, seedDemoDataOnFirstStart } from './first-start.js';
import type { DemoSeedingResult } from './seed.js';

// Enough for some bulletins (a unit's issue holds two suggestions or more).
const COUNT = 150;

/** Two API replicas started together on one empty database, both configured to seed the demo year. */
describe('seeding the demo data from two processes at once', () => {
  let db: TestDatabase;
  let dir: string;
  const engines: INestApplicationContext[] = [];
  let results: DemoSeedingResult[];
  let events: RecordedEvent[];
  const logger = createLogger('silent');

  beforeAll(async () => {
    db = await createTestDatabase('minyi_demo_replicas');
    dir = await mkdtemp(join(tmpdir(), 'minyi-demo-replicas-'));
    const config = loadConfig({ DATABASE_URL: db.url, JOBS_DATABASE_URL: db.url, MINYI_DATA_DIR: dir, MINYI_DEMO: '1', MINYI_DEMO_CASES: String(COUNT), LOG_LEVEL: 'silent' });
    // One after the other: both migrate the same database, as replicas do under their migration locks.
    engines.push(await startEngine(config, logger, { workers: false }));
    engines.push(await startEngine(config, logger, { workers: false }));
    const now = new Date();
    results = await Promise.all(engines.map((engine) => seedDemoDataOnFirstStart(engine, { count: COUNT, now, logger })));
    const store = engines[0]!.get<EventStore>(EVENT_STORE);
    events = [];
    for (;;) {
      const batch = await store.readAll({ after: events.at(-1)?.position ?? null, maxCount: 5_000 });
      events.push(...batch);
      if (batch.length < 5_000) break;
    }
  }, 240_000);

  afterAll(async () => {
    for (const engine of engines) await engine.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('seeds once: one process files the cases, the other finds them there', () => {
    const seeders = results.filter((result) => result.skipped === null);
    expect(seeders).toHaveLength(1);
    expect(results.filter((result) => result.skipped === 'cases_exist')).toHaveLength(1);
    expect(seeders[0]!.cases).toBeGreaterThan(0);
    expect(seeders[0]!.bulletins).toBeGreaterThan(0);
  });

  it('leaves one set of cases and bulletins in the log', () => {
    const [seeder] = results.filter((result) => result.skipped === null);
    const filed = events.filter((event) => isCaseStream(event.streamId) && event.type === 'CaseFiled');
    expect(filed).toHaveLength(seeder!.cases);
    expect(events.filter((event) => event.type === 'BulletinPublished')).toHaveLength(seeder!.bulletins);
    expect(events.filter((event) => event.type === 'SuggestionAdopted')).toHaveLength(seeder!.adoptions.length);
  });

  it('gives up waiting for the seeding lock when shut down, looking at nothing', async () => {
    const shutdown = AbortSignal.abort();
    // Another session holds the lock meanwhile: the start being shut down does not wait for it.
    const held = await ifLockFree(engines[0]!.get<Pool>(MAIN_POOL), DEMO_SEEDING_LOCK, () =>
      seedDemoDataOnFirstStart(engines[1]!, { count: COUNT, now: new Date(), logger, signal: shutdown }),
    );
    expect(held).toEqual({ ran: true, value: expect.objectContaining({ skipped: 'stopped', cases: 0, lastPosition: 0 }) });
  });

  it("holds a process's workers back while another seeds, and starts them once it is done", async () => {
    const order: string[] = [];
    const logged: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push((JSON.parse(line) as { msg: string }).msg) });
    let release!: () => void;
    let held!: () => void;
    const seedingElsewhere = new Promise<void>((resolve) => (release = resolve));
    const holding = new Promise<void>((resolve) => (held = resolve));
    const elsewhere = ifLockFree(engines[0]!.get<Pool>(MAIN_POOL), DEMO_SEEDING_LOCK, async () => {
      held();
      await seedingElsewhere;
      order.push('seeded elsewhere');
    });
    await holding;
    const background = seedInBackground(engines[1]!, { count: COUNT, logger, startWorkers: () => order.push('workers started') });
    // It has found the lock held, and waits.
    await eventually(async () => logged.some((msg) => msg.includes('another process is seeding')) || undefined);
    expect(order).toEqual([]);
    release();
    expect(await elsewhere).toEqual({ ran: true, value: undefined });
    await background.done;
    expect(order).toEqual(['seeded elsewhere', 'workers started']);
  });
});
