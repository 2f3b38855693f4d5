import type { SlaAlert } from '#domain';
import type { JobQueue } from '#jobs';

/** The BullMQ queue of the SLA timers' jobs: ticks and escalations. */
export const SLA_QUEUE = 'sla-timers';

/** Wakes the timer workers at the start of a second in which timer rows fall due (epoch seconds). */
export type SlaTickJob = { readonly kind: 'SlaTick'; readonly second: number };

/** A breach of a clock whose policy says escalate: the worker issues EscalateOnBreach, which the domain accepts while that run is still open. */
export type EscalationJob = { readonly kind: 'EscalateOnBreach'; readonly caseId: string; readonly alert: SlaAlert; readonly breachEventId: string };

export type SlaTimerJob = SlaTickJob | EscalationJob;

/**
 * Deterministic job ids make adding a job again a no-op while it waits or runs: one tick per
 * second however many timers fall due in it, one escalation per breach.
 */
export function slaJobId(job: SlaTimerJob): string {
  // BullMQ refuses ':' in job ids.
  return job.kind === 'SlaTick' ? `sla-tick.${job.second}` : `escalate.${job.breachEventId}`;
}

export const SLA_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  // Kept a day, so a replay within it finds the id taken; failures kept a week for inspection.
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/**
 * A tick is gone once it has run (or finally failed), so that its second can be announced again
 * when a row falls due in it later (a retry, a rebuild, a row written after its tick ran). A tick
 * that fails (the main database away) is retried with a backoff; the sweep catches the rest.
 */
export const SLA_TICK_OPTIONS = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: true,
} as const;

/** How many jobs go to BullMQ in one `addBulk`. */
const ADD_CHUNK = 1_000;

/**
 * Adds the SLA queue's jobs: ticks for the seconds in which timer rows fall due, delayed to the
 * start of their second on the engine's clock (at once when it has passed), and escalations.
 */
export class SlaJobs {
  constructor(
    readonly queue: JobQueue<SlaTimerJob>,
    private readonly now: () => Date,
  ) {}

  /** Ensures one tick for each of these seconds. */
  async announce(seconds: Iterable<number>): Promise<void> {
    const now = this.now().getTime();
    const unique = [...new Set(seconds)];
    for (let i = 0; i < unique.length; i += ADD_CHUNK) {
      await this.queue.addBulk(
        unique.slice(i, i + ADD_CHUNK).map((second) => {
          const job: SlaTickJob = { kind: 'SlaTick', second };
          return { name: job.kind, data: job, opts: { ...SLA_TICK_OPTIONS, jobId: slaJobId(job), delay: Math.max(0, second * 1000 - now) } };
        }),
      );
    }
  }

  async escalate(jobs: readonly EscalationJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(jobs.map((job) => ({ name: job.kind, data: job, opts: { ...SLA_JOB_OPTIONS, jobId: slaJobId(job) } })));
  }
}
