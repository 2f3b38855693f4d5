import type { Job, Queue } from 'bullmq';
import type { PoolClient } from 'pg';
import { ExecuteCaseCommand, caseIdOf, isCaseStream, type CaseRepository } from '#cases';
import { DomainError, SYSTEM_ACTOR, isOpenRun, pendingSlaTimers, type SlaAlert, type SlaPolicy } from '#domain';
import type { EventStore, LogPosition, RecordedEvent } from '#event-store';
import type { Projection } from '#projections';

/** The BullMQ queue of SLA timers. */
export const SLA_QUEUE = 'sla-timers';

/** A timer: raise the warning or record the breach of one run of a clock, if it is still running then. */
export type SlaTimerJob =
  | { readonly kind: 'RaiseSlaWarning' | 'RecordSlaBreach'; readonly caseId: string; readonly alert: SlaAlert; readonly fireAt: string }
  /** A breached resolution clock whose policy says escalate: send the case up, if the run is still open. */
  | { readonly kind: 'EscalateOnBreach'; readonly caseId: string; readonly alert: SlaAlert; readonly breachEventId: string };

/**
 * The job id makes scheduling idempotent: the case, the clock run (clock and the revision that
 * started it), the timer, and the due time (an extension moves it, which makes a new timer; the
 * old one then finds its due time stale and does nothing).
 */
export function slaJobId(job: SlaTimerJob): string {
  const { caseId, alert } = job;
  // BullMQ refuses ':' in job ids.
  const run = `${caseId}.${alert.clock}.${alert.startedAtRevision}`;
  return job.kind === 'EscalateOnBreach' ? `escalate.${job.breachEventId}` : `${job.kind}.${run}.${Date.parse(alert.dueAt)}`;
}

export const SLA_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  // Kept a day, so a replay within it finds the id taken; failures kept a week for inspection.
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/**
 * Turns the log into delayed BullMQ jobs. For each case an event touched it folds the case's
 * clocks and schedules a warning and a breach timer for every run still running; for every
 * breach of a clock whose policy says escalate, an escalation. Replaying the log from zero
 * schedules nothing twice (deterministic job ids) and nothing that already fired (those runs
 * are no longer running).
 */
export class SlaTimerReactor implements Projection {
  readonly name = 'sla-timers';

  constructor(
    private readonly store: EventStore,
    private readonly cases: CaseRepository,
    private readonly policy: SlaPolicy,
    private readonly queue: Queue<SlaTimerJob>,
    private readonly now: () => Date,
  ) {}

  async migrate(_client: PoolClient): Promise<void> {}

  async reset(_client: PoolClient): Promise<void> {}

  async apply(_client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    const touched = new Set(events.filter((event) => isCaseStream(event.streamId) && movesClocks(event)).map((event) => caseIdOf(event.streamId)));
    const jobs = await this.timersOf(touched);
    for (const event of events) {
      if (event.type !== 'SlaBreached' || !isCaseStream(event.streamId)) continue;
      const alert = event.data as unknown as SlaAlert;
      if (this.policy.clocks[alert.clock].onBreach === 'escalate') {
        jobs.push({ kind: 'EscalateOnBreach', caseId: caseIdOf(event.streamId), alert, breachEventId: event.id });
      }
    }
    await this.schedule(jobs);
  }

  /**
   * Schedules the timers of every case in the log again (`timers:rebuild`, or at start-up when
   * the queue store is empty): it reads the log itself, so it works whichever process leads the
   * reactor, and schedules nothing twice. Answers how many cases and timers it saw.
   */
  async rescheduleAll(batchSize = 1_000): Promise<{ cases: number; timers: number }> {
    const caseIds = new Set<string>();
    for (let after: LogPosition | null = null; ; ) {
      const batch = await this.store.readAll({ after, maxCount: batchSize });
      for (const event of batch) if (isCaseStream(event.streamId)) caseIds.add(caseIdOf(event.streamId));
      if (batch.length < batchSize) break;
      after = batch.at(-1)!.position;
    }
    let timers = 0;
    const ids = [...caseIds];
    for (let i = 0; i < ids.length; i += 100) {
      const jobs = await this.timersOf(ids.slice(i, i + 100));
      await this.schedule(jobs);
      timers += jobs.length;
    }
    return { cases: caseIds.size, timers };
  }

  /** The warning and breach timers still to come for each case's running clocks. */
  private async timersOf(caseIds: Iterable<string>): Promise<SlaTimerJob[]> {
    const jobs: SlaTimerJob[] = [];
    for (const caseId of caseIds) {
      const { clocks } = await this.cases.current(caseId);
      for (const timer of pendingSlaTimers(clocks.clocks)) jobs.push({ kind: timer.command, caseId, alert: timer.alert, fireAt: timer.fireAt });
    }
    return jobs;
  }

  private async schedule(jobs: readonly SlaTimerJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const now = this.now().getTime();
    await this.queue.addBulk(
      jobs.map((job) => ({
        name: job.kind,
        data: job,
        // An escalation goes at once; a timer at its time (at once if that has passed).
        opts: { ...SLA_JOB_OPTIONS, jobId: slaJobId(job), delay: job.kind === 'EscalateOnBreach' ? 0 : Math.max(0, Date.parse(job.fireAt) - now) },
      })),
    );
  }
}

/** Notes and assignments leave every clock as it was: no timer to (re)schedule for them. */
function movesClocks(event: RecordedEvent): boolean {
  return event.type !== 'NoteAdded' && event.type !== 'CaseAssigned';
}

export interface SlaTimerOutcome {
  readonly done: 'recorded' | 'escalated' | 'nothing to do';
  readonly reason?: string;
}

/**
 * Fires a timer: re-reads the case and, only if that run of the clock is still running (the
 * domain checks), appends the warning or breach as the system. A job that fires twice or late
 * finds the run warned, breached or stopped, and does nothing.
 */
export class SlaTimerWorker {
  constructor(
    private readonly execute: (command: ExecuteCaseCommand) => Promise<unknown>,
    private readonly cases: CaseRepository,
    private readonly now: () => Date,
  ) {}

  async process(job: Job<SlaTimerJob>): Promise<SlaTimerOutcome> {
    const timer = job.data;
    const at = this.now().toISOString();
    const correlationId = `sla:${job.id ?? slaJobId(timer)}`;
    try {
      if (timer.kind === 'EscalateOnBreach') {
        // Still the breached run, still open: the case has not moved on since the breach.
        const { clocks } = await this.cases.current(timer.caseId);
        const run = clocks.clocks.find((r) => r.clock === timer.alert.clock && r.startedAtRevision === timer.alert.startedAtRevision);
        if (!run || !isOpenRun(run)) return { done: 'nothing to do', reason: 'the breached clock has stopped since' };
        const reason = `${timer.alert.clock} clock breached (due ${timer.alert.dueAt}): escalated automatically`;
        await this.execute(new ExecuteCaseCommand({ type: 'EscalateCase', caseId: timer.caseId, actor: SYSTEM_ACTOR, at, reason }, undefined, correlationId));
        return { done: 'escalated' };
      }
      const { clock, dueAt, startedAtRevision } = timer.alert;
      await this.execute(
        new ExecuteCaseCommand({ type: timer.kind, caseId: timer.caseId, actor: SYSTEM_ACTOR, at, clock, dueAt, startedAtRevision }, undefined, correlationId),
      );
      return { done: 'recorded' };
    } catch (error) {
      // The domain refusing is the answer for a timer that is stale, late or a duplicate.
      if (error instanceof DomainError) return { done: 'nothing to do', reason: error.message };
      throw error;
    }
  }
}
