import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { seedDemoDataOnFirstStart } from './first-start.js';
import type { DemoSeedingResult } from './seed.js';

export interface BackgroundSeedingOptions {
  readonly count: number;
  readonly logger: Logger;
  /** Starts this process's workers (SLA timers, deliveries), once seeding is done; null where it runs none. */
  readonly startWorkers: (() => void) | null;
  /** Told what was seeded, when something was. */
  readonly onSeeded?: (result: DemoSeedingResult, stopped: boolean) => void;
}

/**
 * The demo data of a first start, seeded while the process already serves (500 cases take tens of
 * seconds), with this process's workers held back until it is done and the SLA timers have taken
 * it in: no timer fires on a case half-way through its seeded history. Every process started with
 * demo cases to seed (API replicas, `apps/worker`) goes through here: one seeds, under the
 * seeding lock, and the others wait for it before their workers start. Later starts find cases and
 * seed none.
 */
export function seedInBackground(app: INestApplicationContext, options: BackgroundSeedingOptions): { readonly done: Promise<void>; stop(): Promise<void> } {
  const stopping = new AbortController();
  const done = seedDemoDataOnFirstStart(app, { count: options.count, now: new Date(), logger: options.logger, signal: stopping.signal })
    .then(
      (result) => {
        if (result.skipped === null) options.onSeeded?.(result, stopping.signal.aborted);
      },
      (error: unknown) => options.logger.error({ err: error }, 'seeding the demo cases failed; the cases seeded so far stay, and later starts seed no more'),
    )
    .finally(() => {
      if (!stopping.signal.aborted) options.startWorkers?.();
    });
  return {
    done,
    stop: async () => {
      stopping.abort();
      await done;
    },
  };
}
