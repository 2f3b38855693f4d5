import type { Job } from 'bullmq';
import { backoffDelay, type JobProcessor } from '#jobs';
import type { EscalationJob, SlaJobs, SlaTimerJob } from './sla-queue.js';
import { dueSecond, type ClaimedTimer, type SlaTimerTable } from './sla-timer-table.js';

export interface SlaTimerOutcome {
  readonly done: 'recorded' | 'escalated' | 'nothing to do';
  readonly reason?: string;
}

/** What a due timer and an escalation do: `SlaTimerWorker` in the engine. */
export interface SlaTimerHandler {
  fire(timer: ClaimedTimer): Promise<SlaTimerOutcome>;
  escalate(job: EscalationJob, jobId: string | undefined): Promise<SlaTimerOutcome>;
}

export interface SlaTimerRunnerOptions {
  /** Every error that no caller receives: a timer that failed, a sweep that failed. */
  readonly onError: (error: Error) => void;
  /** Rows claimed at once (default 200). */
  readonly batchSize?: number;
  /** Timers of a batch fired at once (default 8). */
  readonly concurrency?: number;
  /** How often the sweep looks for due rows whose tick was lost (default 5 s; 0: only when started). */
  readonly sweepIntervalMs?: number;
}

export interface TickOutcome {
  readonly fired: number;
  readonly failed: number;
}

/** Attempts at one timer before it is parked (kept with its last error, never claimed again). */
export const MAX_TIMER_ATTEMPTS = 8;
/** How long a claimed row is left to the worker that claimed it before another may take it. */
const LEASE_MS = 60_000;
/** The sweep leaves rows due for less than this to their ticks. */
const SWEEP_GRACE_MS = 2_000;
/** Ticks one sweep may announce; the first one that runs takes every due row anyway. */
const SWEEP_MAX_TICKS = 100;
/** While chasing rows due later in its second, a tick checks again at least this often... */
const CHASE_MIN_WAIT_MS = 5;
/** ...and for at most this long past the end of its second, in real time. */
const CHASE_SLACK_MS = 50;

/**
 * The worker side of the SLA timers: runs the SLA queue's jobs and sweeps for lost ticks.
 *
 * A tick for second S claims every row due by now (on the engine's clock), in batches, and fires
 * them; until none is due. Then it stays for the rest of its second, firing each row as it falls
 * due, so that a timer is late by the tick's own lateness, not by up to a second. A row whose
 * firing fails is due again after a backoff (and announced as a tick of its own), and parked
 * after `MAX_TIMER_ATTEMPTS`; the others of its batch go on. Time is the engine's `now`: a tick
 * that runs early against it fires nothing that is not due yet.
 *
 * The sweep (at start, then every few seconds) announces a tick for the seconds of rows that have
 * been due for a while: announcing is a no-op for a tick still waiting, so only seconds whose tick
 * was lost (a flushed Redis, a process that died after writing rows) get one again.
 */
export class SlaTimerRunner {
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly sweepIntervalMs: number;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly table: SlaTimerTable,
    private readonly jobs: SlaJobs,
    private readonly handler: SlaTimerHandler,
    private readonly now: () => Date,
    private readonly options: SlaTimerRunnerOptions,
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.concurrency = options.concurrency ?? 8;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 5_000;
  }

  /** The SLA queue's processor. */
  readonly process: JobProcessor<SlaTimerJob> = async (job: Job<SlaTimerJob>) => {
    const data = job.data;
    switch (data.kind) {
      case 'SlaTick':
        return this.runTick(data.second);
      case 'EscalateOnBreach':
        return this.handler.escalate(data, job.id);
      default:
        // Nothing else is queued; the job fails and stays visible (the timer rows are untouched).
        throw new Error(`unknown SLA job kind ${JSON.stringify((data as { kind?: unknown }).kind)}`);
    }
  };

  /** Fires the rows due now, then those falling due in the rest of `second`. */
  async runTick(second: number): Promise<TickOutcome> {
    try {
      return await this.chase(second);
    } catch (error) {
      // BullMQ retries the tick after a backoff; after its last attempt the sweep announces it again.
      this.report(new Error(`the SLA tick of ${new Date(second * 1000).toISOString()} failed: ${messageOf(error)}`, { cause: error }));
      throw error;
    }
  }

  private async chase(second: number): Promise<TickOutcome> {
    const endOfSecond = new Date((second + 1) * 1000);
    // In real time, bounded: a clock that a test holds still must not keep the tick waiting.
    const chaseUntil = Date.now() + Math.min(Math.max(endOfSecond.getTime() - this.now().getTime(), 0), 1000) + CHASE_SLACK_MS;
    const total = { fired: 0, failed: 0 };
    for (;;) {
      const round = await this.runDue();
      total.fired += round.fired;
      total.failed += round.failed;
      if (this.stopping) break;
      const next = await this.table.nextDueBefore(endOfSecond);
      if (!next) break;
      const wait = Math.max(next.getTime() - this.now().getTime(), CHASE_MIN_WAIT_MS);
      if (Date.now() + wait > chaseUntil) break;
      await sleep(wait);
    }
    return total;
  }

  /** Claims and fires the rows due now, batch after batch, until none is due. */
  async runDue(): Promise<TickOutcome> {
    const total = { fired: 0, failed: 0 };
    while (!this.stopping) {
      const now = this.now().getTime();
      const batch = await this.table.claimDue(new Date(now), this.batchSize, new Date(now + LEASE_MS));
      if (batch.length === 0) break;
      const handled: string[] = [];
      // Cases side by side; a case's own timers one after the other, in the order they fell due
      // (a warning that is late too is recorded before its breach, not refused after it).
      await forEach(byCase(batch), this.concurrency, async (timers) => {
        for (const timer of timers) {
          try {
            await this.handler.fire(timer);
            handled.push(timer.id);
          } catch (error) {
            total.failed += 1;
            await this.failed(timer, error);
          }
        }
      });
      await this.table.delete(handled);
      total.fired += handled.length;
    }
    return total;
  }

  /** Announces a tick for the seconds of rows due for a while whose tick may be lost. Answers how many. */
  async sweep(): Promise<number> {
    const seconds = await this.table.dueSeconds(new Date(this.now().getTime() - SWEEP_GRACE_MS), SWEEP_MAX_TICKS);
    await this.jobs.announce(seconds);
    return seconds.length;
  }

  /** Sweeps now, then every `sweepIntervalMs` until `stop()`. */
  startSweeping(): void {
    this.stopping = false;
    const round = () => {
      this.sweeping = this.sweep().then(
        () => undefined,
        (error: unknown) => this.report(new Error(`the SLA timer sweep failed; next try in ${this.sweepIntervalMs} ms: ${messageOf(error)}`, { cause: error })),
      );
      void this.sweeping.then(() => {
        if (this.stopping || this.sweepIntervalMs <= 0) return;
        this.sweepTimer = setTimeout(round, this.sweepIntervalMs);
        this.sweepTimer.unref();
      });
    };
    round();
  }

  /** Stops sweeping, and lets a running tick finish its batch and stop (close the worker after). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.sweepTimer);
    await this.sweeping;
  }

  private async failed(timer: ClaimedTimer, error: unknown): Promise<void> {
    const message = messageOf(error);
    const giveUp = timer.attempts >= MAX_TIMER_ATTEMPTS;
    const retryAt = giveUp ? null : new Date(this.now().getTime() + retryDelay(timer.attempts));
    const what = `SLA timer ${timer.command} of case ${timer.caseId} (${timer.alert.clock} clock run ${timer.alert.startedAtRevision}, due ${timer.fireAt})`;
    this.report(new Error(`${what} failed on attempt ${timer.attempts}: ${message}; ${retryAt ? `next attempt at ${retryAt.toISOString()}` : 'given up: the row is kept with its error'}`, { cause: error }));
    try {
      await this.table.retryAt(timer.id, retryAt, message);
      if (retryAt) await this.jobs.announce([dueSecond(retryAt)]);
    } catch (recordError) {
      // The lease runs out instead, and the sweep announces the row again.
      this.report(new Error(`could not schedule the next attempt of ${what}: ${messageOf(recordError)}`, { cause: recordError }));
    }
  }

  private report(error: Error): void {
    try {
      this.options.onError(error);
    } catch {
      // The sink is the caller's: the timers go on whatever it does.
    }
  }
}

/** 2 s, 4 s, 8 s, ... doubling after each failed attempt, at most 10 minutes. */
function retryDelay(attempts: number): number {
  return backoffDelay(attempts, 2_000, 600_000);
}

/** The timers grouped by case, each group and the groups in the order given. */
function byCase(timers: readonly ClaimedTimer[]): ClaimedTimer[][] {
  const groups = new Map<string, ClaimedTimer[]>();
  for (const timer of timers) {
    const group = groups.get(timer.caseId);
    if (group) group.push(timer);
    else groups.set(timer.caseId, [timer]);
  }
  return [...groups.values()];
}

/** Runs `work` on every item, at most `concurrency` at a time. */
async function forEach<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
