import type { PoolClient } from 'pg';
import { ExecuteCaseCommand, caseIdOf, isCaseStream, type CaseFoldCache } from '#cases';
import { DomainError, SYSTEM_ACTOR, pendingSlaTimers, type CaseCommand, type SlaAlert, type SlaPolicy } from '#domain';
import type { EventStore, LogPosition, RecordedEvent } from '#event-store';
import type { AfterCommit, Projection } from '#projections';
import type { EscalationJob, SlaJobs } from './sla-queue.js';
import type { SlaTimerHandler, SlaTimerOutcome } from './sla-timer-runner.js';
import { SlaTimerTable, type CaseTimer } from './sla-timer-table.js';

/**
 * Turns the log into timer rows (`sla_timers`) and the ticks that wake the workers. For each
 * case an event touched it folds the case's clocks and makes the case's rows its pending
 * warning and breach timers, in the projection's transaction: rows for runs that stopped or whose
 * due time moved go, new ones come, so scheduling is exactly-once with the checkpoint. Once that
 * transaction has committed it announces one tick per second in which those timers fall due
 * (a tick announced inside it could run before the rows are visible, and miss them). For every breach of a clock whose
 * policy says escalate it adds an escalation job. Replaying the log from zero writes nothing
 * twice (unique key, deterministic job ids) and nothing that already fired (those runs are no
 * longer running).
 *
 * It keeps no read model (no `tables`): its rows are work to do, not a view to rebuild.
 */
export class SlaTimerReactor implements Projection {
  readonly name = 'sla-timers';
  readonly version = 1;
  /** A case's timers follow from its own events; replaying them writes nothing twice. */
  readonly runsInLanes = true;

  constructor(
    private readonly store: EventStore,
    private readonly cases: CaseFoldCache,
    private readonly policy: SlaPolicy,
    private readonly table: SlaTimerTable,
    private readonly jobs: SlaJobs,
  ) {}

  async migrate(client: PoolClient): Promise<void> {
    await SlaTimerTable.migrate(client);
  }

  /** Nothing to empty: replaying the log makes every touched case's rows right again. */
  async reset(_client: PoolClient): Promise<void> {}

  handles(event: RecordedEvent): boolean {
    return isCaseStream(event.streamId) && movesClocks(event);
  }

  async apply(client: PoolClient, events: readonly RecordedEvent[]): Promise<AfterCommit> {
    const touched = new Set(events.filter((event) => this.handles(event)).map((event) => caseIdOf(event.streamId)));
    const unannounced = await this.table.replace(client, touched, await this.timersOf(touched));
    const escalations: EscalationJob[] = [];
    for (const event of events) {
      if (event.type !== 'SlaBreached' || !isCaseStream(event.streamId)) continue;
      const alert = event.data as unknown as SlaAlert;
      if (this.policy.clocks[alert.clock].onBreach === 'escalate') {
        escalations.push({ kind: 'EscalateOnBreach', caseId: caseIdOf(event.streamId), alert, breachEventId: event.id });
      }
    }
    // Inside the transaction: if the queue cannot take them, the batch is applied again later.
    await this.jobs.escalate(escalations);
    // The ticks of the rows this batch wrote, once they are visible.
    return () => this.announce(unannounced);
  }

  private async announce(seconds: number[]): Promise<void> {
    try {
      await this.jobs.announce(seconds);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`the ticks of the SLA timers just written could not be added (the sweep adds them once the timers are due): ${message}`, { cause: error });
    }
  }

  /**
   * Writes the timers of every case in the log again and announces a tick for every second a
   * row falls due in (`timers:rebuild`, when the rows themselves were lost): it reads the log
   * itself, so it works whichever process leads the reactor, and writes nothing twice. Answers
   * how many cases and pending timers it saw, and how many ticks it announced.
   */
  async rescheduleAll(batchSize = 1_000): Promise<{ cases: number; timers: number; ticks: number }> {
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
      const pending = await this.timersOf(ids.slice(i, i + 100));
      await this.table.upsert(pending);
      timers += pending.length;
    }
    return { cases: caseIds.size, timers, ticks: await this.announcePending() };
  }

  /**
   * Announces a tick for every second a row falls due in (ids are deterministic, so ticks still
   * queued are not added twice); answers how many. The rows are written with the reactor's
   * checkpoint, so they outlive a lost queue store: this is all start-up needs to bring the
   * timers back, without reading the log.
   */
  async announcePending(): Promise<number> {
    let ticks = 0;
    for await (const seconds of this.table.pendingSeconds()) {
      await this.jobs.announce(seconds);
      ticks += seconds.length;
    }
    return ticks;
  }

  /** The warning and breach timers still to come for each case's running clocks. */
  private async timersOf(caseIds: Iterable<string>): Promise<CaseTimer[]> {
    const timers: CaseTimer[] = [];
    for (const caseId of caseIds) {
      const { clocks } = await this.cases.current(caseId);
      for (const timer of pendingSlaTimers(clocks.clocks)) timers.push({ ...timer, caseId });
    }
    return timers;
  }
}

/** Notes and assignments leave every clock as it was: no timer to (re)schedule for them. */
function movesClocks(event: RecordedEvent): boolean {
  return event.type !== 'NoteAdded' && event.type !== 'CaseAssigned';
}

/** What names a timer in logs and correlation ids: case, clock run, kind and due time. */
export function slaTimerKey(timer: CaseTimer): string {
  const { caseId, alert } = timer;
  return `${timer.command}.${caseId}.${alert.clock}.${alert.startedAtRevision}.${Date.parse(timer.fireAt)}`;
}

/**
 * Fires timers and escalation jobs as the system's commands through the one command path, which
 * reads the case, lets the domain check the clock run the command names, and appends with the
 * revision it checked: the warning or breach only while that run is still running, the
 * escalation (EscalateOnBreach) only while the breached run is still open and the case can go up
 * a level. A timer or job that fires twice or late finds the run warned, breached, stopped or
 * escalated already, and does nothing.
 */
export class SlaTimerWorker implements SlaTimerHandler {
  constructor(
    private readonly execute: (command: ExecuteCaseCommand) => Promise<unknown>,
    private readonly now: () => Date,
  ) {}

  fire(timer: CaseTimer): Promise<SlaTimerOutcome> {
    return this.refusedIsDone(async () => {
      const command = this.onAlert(timer.command, timer.caseId, timer.alert);
      await this.execute(new ExecuteCaseCommand(command, undefined, `sla:${slaTimerKey(timer)}`));
      return { done: 'recorded' };
    });
  }

  escalate(job: EscalationJob, jobId: string | undefined): Promise<SlaTimerOutcome> {
    return this.refusedIsDone(async () => {
      const command = this.onAlert('EscalateOnBreach', job.caseId, job.alert);
      await this.execute(new ExecuteCaseCommand(command, undefined, `sla:${jobId ?? `escalate.${job.breachEventId}`}`));
      return { done: 'escalated' };
    });
  }

  /** The system's command about one clock run, now. */
  private onAlert(type: CaseTimer['command'] | EscalationJob['kind'], caseId: string, { clock, dueAt, startedAtRevision }: SlaAlert): CaseCommand {
    return { type, caseId, actor: SYSTEM_ACTOR, at: this.now().toISOString(), clock, dueAt, startedAtRevision };
  }

  private async refusedIsDone(work: () => Promise<SlaTimerOutcome>): Promise<SlaTimerOutcome> {
    try {
      return await work();
    } catch (error) {
      // The domain refusing is the answer for a timer that is stale, late or a duplicate.
      if (error instanceof DomainError) return { done: 'nothing to do', reason: error.message };
      throw error;
    }
  }
}
