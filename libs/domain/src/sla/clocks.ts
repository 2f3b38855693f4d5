import type { CaseEvent, CaseEventMeta, CaseEventWithMeta, SlaAlert } from '../case/events.js';
import type { CaseKind, SlaClock } from '../case/vocabulary.js';
import { toMillis, type Duration, type Instant } from './calendar.js';
import { calendarOf, clockDuration, type OnBreach, type SlaPolicy } from './policy.js';

/**
 * The SLA clocks of a case, derived from its events and a policy.
 *
 * Each time a clock's trigger occurs a new run of that clock starts; a run is known by its clock
 * and the revision of the event that started it (`startedAtRevision`), which is what SLA alerts
 * and timer jobs carry. The rules:
 *
 * | clock    | a run starts at                                   | it ends at (goal)                | it stops at (no goal)                        |
 * | -------- | ------------------------------------------------- | -------------------------------- | -------------------------------------------- |
 * | accept   | CaseFiled, CaseTransferred, CaseEscalated          | CaseAccepted                     | CaseRejected, CaseTransferred, CaseEscalated, CaseWithdrawn, CaseMerged |
 * | resolve  | CaseAccepted; FeedbackRecorded `unsatisfied` and CaseReopened (redo); CaseAnnotated handing the case to another unit | CaseResolved | CaseTransferred, CaseEscalated, CaseAnnotated handing it to another unit, CaseWithdrawn, CaseMerged |
 * | annotate | AnnotationRequested                                | CaseAnnotated                    | CaseWithdrawn                                |
 * | callback | CaseResolved                                       | FeedbackRecorded, CaseClosed     | CaseWithdrawn                                |
 *
 * - Arriving at a unit (filing, transfer, escalation) starts the accept clock there; an
 *   annotation that hands the case down does not, because the case arrives in coordination and
 *   has nothing to accept: it starts a fresh resolution run at the receiving unit instead.
 * - Leaving a unit by transfer or escalation ends that unit's runs; the next unit's resolution
 *   run starts when it accepts the case. Awaiting a leader's annotation does not pause the
 *   resolution clock.
 * - A redo (unsatisfied feedback, reopening) is new work: a new resolution run of full length.
 * - A run that starts while an earlier run of the same clock is still open stops the earlier one.
 * - `DeadlineExtended { clock, workingDays }` moves the open run of that clock: the working days
 *   are added to its current due time.
 * - `SlaWarningRaised` / `SlaBreached` mark the open run they name (clock + startedAtRevision).
 *   An alert for a run that has ended or never existed changes nothing.
 *
 * - A deadline an event carries (`meta.deadlines`: set when the event was recorded) is taken as
 *   it is instead of being worked out from the policy; see `withDeadlines`.
 *
 * States: `running`; `warned` once a warning is recorded; `breached` once a breach is recorded or
 * when the run ends at or after its due time (late, even if no timer fired); otherwise an ended
 * run is `met` (it reached its goal before its due time) or `stopped` (the case moved on without
 * it). A breached run stays breached when it ends.
 */

export const CLOCK_STATES = ['running', 'warned', 'breached', 'met', 'stopped'] as const;
export type ClockState = (typeof CLOCK_STATES)[number];

/** One run of an SLA clock. Times are ISO 8601; due and warning times in the policy's time zone. */
export type Clock = {
  readonly clock: SlaClock;
  /** When the event that started the run was recorded. */
  readonly startedAt: string;
  /** The revision of that event: with `clock`, what identifies the run. */
  readonly startedAtRevision: number;
  /** The length the policy gave the run when it started. */
  readonly duration: Duration;
  /** Working days added by leaders' extensions. */
  readonly extendedWorkingDays: number;
  readonly dueAt: string;
  /** When the warning is due: the policy's `warnAt` fraction of the run. */
  readonly warnAt: string;
  readonly state: ClockState;
  /** When the run ended; null while it is open (running, warned, or breached and not yet ended). */
  readonly stoppedAt: string | null;
  readonly onBreach: OnBreach;
};

/** A run's deadline as an event records it: the run, and its length and times as the policy in force then set them. */
export type RecordedDeadline = Pick<Clock, 'clock' | 'startedAtRevision' | 'duration' | 'dueAt' | 'warnAt' | 'onBreach'>;

/** What the clocks fold keeps: the case kind (for per-kind lengths), the last revision folded, the runs. */
export type CaseClocks = {
  readonly kind: CaseKind | null;
  /** The revision of the last event folded; -1 before any. */
  readonly revision: number;
  readonly clocks: readonly Clock[];
};

export const NO_CLOCKS: CaseClocks = Object.freeze({ kind: null, revision: -1, clocks: Object.freeze([]) });

/** Applies the next event of the stream (revision `current.revision + 1`) to the clocks. */
export function evolveClocks(current: CaseClocks, event: CaseEvent, meta: CaseEventMeta, policy: SlaPolicy): CaseClocks {
  const revision = current.revision + 1;
  if (event.type === 'CaseFiled') {
    if (current.kind !== null) throw new Error('a case is filed twice in its stream');
    return new Runs({ kind: event.data.kind, revision, clocks: [] }, meta, policy).start('accept').done();
  }
  if (current.kind === null) throw new Error(`${event.type} comes before CaseFiled in a case stream`);

  const runs = new Runs({ kind: current.kind, revision, clocks: current.clocks }, meta, policy);
  switch (event.type) {
    case 'CaseAccepted':
      return runs.end('accept', true).start('resolve').done();
    case 'CaseRejected':
      return runs.end('accept', false).done();
    case 'CaseTransferred':
    case 'CaseEscalated':
      return runs.end('accept', false).end('resolve', false).start('accept').done();
    case 'AnnotationRequested':
      return runs.start('annotate').done();
    case 'CaseAnnotated': {
      const { assignToUnitId, fromUnitId } = event.data;
      const handedDown = assignToUnitId !== null && assignToUnitId !== fromUnitId;
      runs.end('annotate', true);
      return handedDown ? runs.start('resolve').done() : runs.done();
    }
    case 'CaseResolved':
      return runs.end('resolve', true).start('callback').done();
    case 'FeedbackRecorded':
      runs.end('callback', true);
      return event.data.satisfaction === 'unsatisfied' ? runs.start('resolve').done() : runs.done();
    case 'CaseClosed':
      return runs.end('callback', true).done();
    case 'CaseReopened':
      return runs.start('resolve').done();
    case 'CaseWithdrawn':
    case 'CaseMerged':
      return runs.endAll().done();
    case 'DeadlineExtended':
      return runs.extend(event.data.clock, event.data.workingDays).done();
    case 'SlaWarningRaised':
      return runs.mark(event.data, 'warned').done();
    case 'SlaBreached':
      return runs.mark(event.data, 'breached').done();
    case 'CaseAssigned':
    case 'NoteAdded':
    case 'AttachmentAdded':
    case 'SuggestionAdopted':
      return runs.done();
  }
}

/** Folds a case's events onto `from`. `events` continue the stream from `from.revision + 1`: by default the whole stream from revision 0. */
export function foldClocks(events: readonly CaseEventWithMeta[], policy: SlaPolicy, from: CaseClocks = NO_CLOCKS): CaseClocks {
  return events.reduce((clocks, { event, meta }) => evolveClocks(clocks, event, meta, policy), from);
}

/**
 * The events as the command path records them: each carrying the deadlines it sets (the runs it
 * starts, the run it extends), worked out now from `policy`, so that folding them later gives the
 * same deadlines whatever the policy is then. `from` is the case's clocks before the first event.
 */
export function withDeadlines(events: readonly CaseEventWithMeta[], policy: SlaPolicy, from: CaseClocks): CaseEventWithMeta[] {
  let clocks = from;
  return events.map(({ event, meta }) => {
    const next = evolveClocks(clocks, event, meta, policy);
    const before = new Map(clocks.clocks.map((run) => [`${run.clock}@${run.startedAtRevision}`, run]));
    const deadlines: RecordedDeadline[] = next.clocks
      .filter((run) => {
        const was = before.get(`${run.clock}@${run.startedAtRevision}`);
        return was === undefined || was.dueAt !== run.dueAt || was.warnAt !== run.warnAt;
      })
      .map(({ clock, startedAtRevision, duration, dueAt, warnAt, onBreach }) => ({ clock, startedAtRevision, duration, dueAt, warnAt, onBreach }));
    clocks = next;
    return { event, meta: deadlines.length > 0 ? { ...meta, deadlines } : meta };
  });
}

/** Every clock run of a case, oldest first, from its whole stream (revision 0 first). */
export function caseClocks(events: readonly CaseEventWithMeta[], policy: SlaPolicy): Clock[] {
  return [...foldClocks(events, policy).clocks];
}

/** Whether the run has not ended: running, warned, or breached and still waiting for its goal. */
export function isOpenRun(clock: Clock): boolean {
  return clock.stoppedAt === null;
}

/** The runs that have not ended. */
export function runningClocks(clocks: readonly Clock[]): Clock[] {
  return clocks.filter(isOpenRun);
}

/** The open run of a clock, if there is one (there is at most one). */
export function openRun(clocks: readonly Clock[], clock: SlaClock): Clock | null {
  return clocks.find((run) => run.clock === clock && isOpenRun(run)) ?? null;
}

/** Whether an open run is at or past its due time at `now`. */
export function isOverdue(clocks: readonly Clock[], now: Instant): boolean {
  const at = toMillis(now);
  return clocks.some((run) => isOpenRun(run) && at >= toMillis(run.dueAt));
}

/** The `deadlines` of GET /cases/{id}: the latest run of each clock that has run, in the order they started. */
export type Deadline = Pick<Clock, 'clock' | 'dueAt' | 'state'>;

export function currentDeadlines(clocks: readonly Clock[]): Deadline[] {
  const latest = new Map<SlaClock, Clock>();
  for (const run of clocks) latest.set(run.clock, run);
  return [...latest.values()]
    .sort((a, b) => a.startedAtRevision - b.startedAtRevision)
    .map(({ clock, dueAt, state }) => ({ clock, dueAt, state }));
}

/** A timer to set for an open run: the command to issue at `fireAt`, with the alert it carries. */
export type SlaTimer = {
  readonly command: 'RaiseSlaWarning' | 'RecordSlaBreach';
  readonly fireAt: string;
  readonly alert: SlaAlert;
};

/** The warnings and breaches still to come for the open runs. */
export function pendingSlaTimers(clocks: readonly Clock[]): SlaTimer[] {
  return runningClocks(clocks).flatMap((run) => {
    const alert: SlaAlert = { clock: run.clock, dueAt: run.dueAt, startedAtRevision: run.startedAtRevision };
    const timers: SlaTimer[] = [];
    if (run.state === 'running') timers.push({ command: 'RaiseSlaWarning', fireAt: run.warnAt, alert });
    if (run.state === 'running' || run.state === 'warned') timers.push({ command: 'RecordSlaBreach', fireAt: run.dueAt, alert });
    return timers;
  });
}

const DAY_MS = 86_400_000;

/** The runs while one event is applied. */
class Runs {
  readonly #clocks: Clock[];

  constructor(
    private readonly base: CaseClocks & { readonly kind: CaseKind },
    private readonly meta: CaseEventMeta,
    private readonly policy: SlaPolicy,
  ) {
    this.#clocks = [...base.clocks];
  }

  start(clock: SlaClock): this {
    this.end(clock, false);
    const startedAt = this.meta.at;
    const recorded = this.#recorded(clock, this.base.revision);
    const duration = recorded?.duration ?? clockDuration(this.policy, clock, this.base.kind);
    this.#clocks.push({
      clock,
      startedAt,
      startedAtRevision: this.base.revision,
      duration,
      extendedWorkingDays: 0,
      ...(recorded ? { dueAt: recorded.dueAt, warnAt: recorded.warnAt } : this.#deadline(startedAt, duration, 0)),
      state: 'running',
      stoppedAt: null,
      onBreach: recorded?.onBreach ?? this.policy.clocks[clock].onBreach,
    });
    return this;
  }

  /** Ends the open run of the clock: `goal` when the work it timed is done. */
  end(clock: SlaClock, goal: boolean): this {
    this.#update(
      (run) => run.clock === clock && isOpenRun(run),
      (run) => {
        const late = toMillis(this.meta.at) >= toMillis(run.dueAt);
        const state: ClockState = run.state === 'breached' || late ? 'breached' : goal ? 'met' : 'stopped';
        return { ...run, state, stoppedAt: this.meta.at };
      },
    );
    return this;
  }

  endAll(): this {
    for (const run of this.#clocks) if (isOpenRun(run)) this.end(run.clock, false);
    return this;
  }

  extend(clock: SlaClock, workingDays: number): this {
    this.#update(
      (run) => run.clock === clock && isOpenRun(run),
      (run) => {
        const extendedWorkingDays = run.extendedWorkingDays + workingDays;
        const recorded = this.#recorded(clock, run.startedAtRevision);
        const moved = recorded ? { dueAt: recorded.dueAt, warnAt: recorded.warnAt } : this.#deadline(run.startedAt, run.duration, extendedWorkingDays, run.dueAt, workingDays);
        return { ...run, extendedWorkingDays, ...moved };
      },
    );
    return this;
  }

  mark({ clock, startedAtRevision }: SlaAlert, state: 'warned' | 'breached'): this {
    this.#update(
      (run) => run.clock === clock && run.startedAtRevision === startedAtRevision && isOpenRun(run) && run.state !== 'breached',
      (run) => ({ ...run, state }),
    );
    return this;
  }

  done(): CaseClocks {
    return { kind: this.base.kind, revision: this.base.revision, clocks: this.#clocks };
  }

  /** The deadline the event records for this run, if it carries one. */
  #recorded(clock: SlaClock, startedAtRevision: number): RecordedDeadline | undefined {
    return this.meta.deadlines?.find((deadline) => deadline.clock === clock && deadline.startedAtRevision === startedAtRevision);
  }

  #update(matches: (run: Clock) => boolean, change: (run: Clock) => Clock): void {
    const index = this.#clocks.findIndex(matches);
    if (index >= 0) this.#clocks[index] = change(this.#clocks[index]!);
  }

  /**
   * Due and warning times. Working-day runs: due after (length + extensions) working days, warned
   * at the `warnAt` fraction of that working time. Runs in seconds: due after the seconds (plus any
   * extension, added in working days to the due time), warned at the fraction of the calendar time.
   */
  #deadline(startedAt: string, duration: Duration, extendedWorkingDays: number, previousDue?: string, added = 0): { dueAt: string; warnAt: string } {
    const calendar = calendarOf(this.policy);
    const { warnAt: fraction } = this.policy;
    if ('workingDays' in duration) {
      const total = (duration.workingDays + extendedWorkingDays) * DAY_MS;
      return {
        dueAt: calendar.format(calendar.addWorkingTime(startedAt, total)),
        warnAt: calendar.format(calendar.addWorkingTime(startedAt, Math.round(total * fraction))),
      };
    }
    const due = previousDue === undefined ? calendar.addDuration(startedAt, duration) : calendar.addWorkingDays(previousDue, added);
    const start = toMillis(startedAt);
    return {
      dueAt: calendar.format(due),
      warnAt: calendar.format(new Date(start + Math.round((due.getTime() - start) * fraction))),
    };
  }
}
