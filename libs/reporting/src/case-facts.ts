import { foldCase, type FoldedCase } from '#cases';
import type { CaseClocks, CaseKind, ClockState, ExistingCase, ResolutionOutcome, Satisfaction, SlaClock, SlaPolicy } from '#domain';
import type { RecordedEvent } from '#event-store';

/**
 * What the statistics count about one case, as it stands after its latest event. Every fact is
 * read off the domain's fold of the case (its state and SLA clocks) or the event itself; none
 * re-decides a workflow or SLA rule.
 */
export interface CaseFacts {
  readonly caseId: string;
  readonly number: string;
  readonly kind: CaseKind;
  readonly filedUnitId: string;
  /** The user who filed it: the actor of its CaseFiled event. */
  readonly filedBy: string;
  readonly filedAt: string;
  /** Accepted at least once, at any unit it arrived at. */
  readonly accepted: boolean;
  /** Accepted, with its accept clock met and no run of that clock breached, at any unit. */
  readonly acceptedOnTime: boolean;
  /** A run of its accept clock was breached: a timer recorded it, or the case was accepted or passed on too late. */
  readonly acceptBreached: boolean;
  /** Reached `resolved` at least once. */
  readonly resolved: boolean;
  /** Resolved, with its resolve clock met and no run of that clock breached (a redo's included). */
  readonly resolvedOnTime: boolean;
  /** The outcome of its latest resolution, kept when a redo sends the case back to coordination. */
  readonly outcome: ResolutionOutcome | null;
  /** At least one leader's annotation. */
  readonly annotated: boolean;
  /** The satisfaction of the latest feedback recorded. */
  readonly latestSatisfaction: Satisfaction | null;
  readonly feedbackCount: number;
  /** The satisfaction of the latest feedback the filer gave themselves through the public channel. */
  readonly latestSelfRating: Satisfaction | null;
  /** Every unit the case has been at, in order of arrival. */
  readonly unitsVisited: readonly string[];
}

/**
 * The facts after one more event of the case: `state` and `clocks` are the fold including
 * `event`, `before` the facts up to the event before (null for the filing).
 */
function nextFacts(before: CaseFacts | null, state: ExistingCase, clocks: CaseClocks, event: RecordedEvent): CaseFacts {
  const ran = (clock: SlaClock, runState: ClockState) => clocks.clocks.some((run) => run.clock === clock && run.state === runState);
  const accepted = (before?.accepted ?? false) || event.type === 'CaseAccepted';
  const resolved = (before?.resolved ?? false) || state.status === 'resolved';
  const acceptBreached = ran('accept', 'breached');
  return {
    caseId: state.id,
    number: state.number,
    kind: state.kind,
    filedUnitId: state.filedUnitId,
    filedBy: before?.filedBy ?? event.metadata.actorId,
    filedAt: state.createdAt,
    accepted,
    acceptedOnTime: accepted && ran('accept', 'met') && !acceptBreached,
    acceptBreached,
    resolved,
    resolvedOnTime: resolved && ran('resolve', 'met') && !ran('resolve', 'breached'),
    outcome: state.resolution?.outcome ?? before?.outcome ?? null,
    annotated: state.annotations.length > 0,
    latestSatisfaction: state.feedback.at(-1)?.satisfaction ?? null,
    feedbackCount: state.feedback.length,
    latestSelfRating: state.feedback.findLast((feedback) => feedback.selfRated)?.satisfaction ?? null,
    unitsVisited: state.unitsVisited,
  };
}

/** A case folded together with its facts. */
export interface CaseWithFacts {
  readonly folded: FoldedCase & { readonly state: ExistingCase; readonly revision: number };
  readonly facts: CaseFacts;
}

/**
 * Folds the next events of a case, one at a time, onto `from` (nothing before the filing), and
 * derives the facts after each: the same answer however the events are batched.
 */
export function foldFacts(events: readonly RecordedEvent[], policy: SlaPolicy, from?: CaseWithFacts): CaseWithFacts | undefined {
  let current = from;
  for (const event of events) {
    const { state, clocks } = foldCase([event], policy, current?.folded);
    if (state.status === 'none') continue;
    current = { folded: { state, clocks, revision: event.revision }, facts: nextFacts(current?.facts ?? null, state, clocks, event) };
  }
  return current;
}
