import type { INestApplicationContext } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { DEMO_ACCOUNTS, UserStore } from '#accounts';
import { CaseCommands, CaseFoldCache } from '#cases';
import { BulletinCommands, BulletinReader } from '#bulletins';
import { MAIN_POOL, ifLockFree, type LockedRun } from '#database';
import { ORG_TREE, SLA_POLICY, type OrgTree, type SlaPolicy } from '#domain';
import { EVENT_STORE, type AuditableEventStore } from '#event-store';
import { DEMO_SEEDING_CORRELATION } from '#notifications';
import { ProjectionRunner } from '#projections';
import { seedDemoData, type DemoSeedingResult } from './seed.js';

/** The seed of the shipped demo year: every installation sees the same cases. */
export const DEMO_SEED = 0x6d696e79;

/** How long seeding waits for the read models and the SLA timers to take in what it wrote. */
const CATCH_UP_MS = 120_000;

/**
 * The session advisory lock held around the check for cases and the seeding after it, so that of
 * several processes starting together on an empty store (API replicas) exactly one seeds.
 */
export const DEMO_SEEDING_LOCK = 'demo-data:seeding';

/** How often a process that finds the seeding lock held tries it again. */
const LOCK_RETRY_MS = 1_000;

export interface FirstStartOptions {
  readonly count: number;
  /** The real current time, which the year is laid out before. */
  readonly now: Date;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly seed?: number;
}

/**
 * Seeds the demo data into a started engine when its store holds no case yet, then waits until
 * the read models and the SLA timer reactor have taken in every seeded event, so that workers
 * started afterwards see each case as it ended, never half-way through its history. All of it
 * under DEMO_SEEDING_LOCK: a process that finds another seeding waits until that one is done
 * (its read models caught up), then finds the cases there and seeds none.
 */
export async function seedDemoDataOnFirstStart(app: INestApplicationContext, options: FirstStartOptions): Promise<DemoSeedingResult> {
  const started = performance.now();
  // Another process seeding: wait until it is done, then find its cases (and seed none).
  const onWait = () => options.logger.info('another process is seeding the demo data: waiting until it is done');
  const seeding = await whenLockFree(app.get<Pool>(MAIN_POOL), DEMO_SEEDING_LOCK, () => seedUnderLock(app, options), { signal: options.signal, onWait });
  if (seeding.ran) return seeding.value;
  return { skipped: 'stopped', cases: 0, filed: [], bulletins: 0, cutShort: 0, adoptions: [], lastPosition: 0, elapsedMs: performance.now() - started };
}

/**
 * Runs `work` under the advisory lock `name` once no other session holds it, telling `onWait`
 * the first time it finds the lock held; gives up when `signal` aborts first.
 */
async function whenLockFree<T>(pool: Pool, name: string, work: () => Promise<T>, { signal, onWait }: { signal?: AbortSignal; onWait: () => void }): Promise<LockedRun<T>> {
  for (let tries = 0; ; tries++) {
    const run = await ifLockFree(pool, name, work);
    if (run.ran || signal?.aborted) return run;
    if (tries === 0) onWait();
    await delay(LOCK_RETRY_MS, undefined, signal ? { signal } : {}).catch(() => undefined);
  }
}

async function seedUnderLock(app: INestApplicationContext, options: FirstStartOptions): Promise<DemoSeedingResult> {
  const commands = app.get(CaseCommands);
  const cases = app.get(CaseFoldCache);
  const users = app.get(UserStore);
  const store = app.get<AuditableEventStore>(EVENT_STORE);
  const org = app.get<OrgTree>(ORG_TREE);
  // The bulletin command path as the API builds it (its module belongs to the HTTP app, not the engine).
  const bulletins = new BulletinCommands(store, new BulletinReader(store, org), cases, org, app.get<SlaPolicy>(SLA_POLICY));
  const result = await seedDemoData(
    {
      execute: (command, correlationId, expectedRevision) => commands.execute(command, { correlationId, ...(expectedRevision === undefined ? {} : { expectedRevision }) }),
      // Only the seeder moves these cases (the workers of a process started with demo cases wait for it): the fold the command path keeps is the case now.
      currentCase: async (caseId) => cases.kept(caseId) ?? (await cases.current(caseId)),
      store,
      findAccount: (username) => users.findByUsername(username),
      org,
      logger: options.logger,
      bulletins: {
        draftAndPublish: async ({ unitId, title, caseIds, editorNote, at }, actor) => {
          const correlationId = DEMO_SEEDING_CORRELATION;
          const draft = await bulletins.draft(unitId, { title, caseIds, editorNote }, { actor, at, correlationId });
          const publishedAt = new Date(Date.parse(at) + 3_600_000).toISOString();
          const published = await bulletins.publish(draft.id, { actor, at: publishedAt, correlationId });
          return { bulletinId: draft.id, publishedAt, position: published.position };
        },
      },
    },
    { count: options.count, seed: options.seed ?? DEMO_SEED, now: options.now, staff: DEMO_ACCOUNTS, signal: options.signal },
  );
  if (result.lastPosition > 0 && !(await app.get(ProjectionRunner).waitFor(result.lastPosition, CATCH_UP_MS))) {
    options.logger.warn('the read models have not caught up with the demo cases after 2 minutes; lists fill in as they do');
  }
  return result;
}
