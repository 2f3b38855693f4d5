import { fold, foldClocks, initialState, NO_CLOCKS, type CaseClocks, type CaseState, type SlaPolicy } from '#domain';
import type { EventStore, RecordedEvent } from '#event-store';
import { caseStreamId, toCaseEvent } from './case-stream.js';

/** A case as it stands after some revision: its state and its SLA clocks. */
export interface FoldedCase {
  readonly state: CaseState;
  readonly clocks: CaseClocks;
  /** The revision of the last event folded; null when the case does not exist. */
  readonly revision: number | null;
}

/** Folds events onto a case (from nothing when `from` is omitted). */
export function foldCase(events: readonly RecordedEvent[], policy: SlaPolicy, from?: FoldedCase): FoldedCase {
  const domainEvents = events.map(toCaseEvent);
  return {
    state: fold(domainEvents, from?.state ?? initialState),
    clocks: foldClocks(domainEvents, policy, from?.clocks ?? NO_CLOCKS),
    revision: events.at(-1)?.revision ?? from?.revision ?? null,
  };
}

/**
 * A cache of folds: cases as they stand now, folded incrementally. A stream only ever grows (the store refuses
 * updates and deletes), so a fold kept in memory stays true for its revisions: loading a case
 * reads just the events appended since, whichever process appended them, instead of the whole
 * stream every time. The most recently used cases are kept.
 */
export class CaseFoldCache {
  private readonly folds = new Map<string, FoldedCase>();

  constructor(
    private readonly store: EventStore,
    private readonly policy: SlaPolicy,
    private readonly capacity = 5_000,
  ) {}

  /** The case now: its state, its clocks, and the revision of its last event. */
  async current(caseId: string): Promise<FoldedCase> {
    const known = this.folds.get(caseId);
    const newer = await this.store.readStream(caseStreamId(caseId), { fromRevision: known?.revision != null ? known.revision + 1 : 0 });
    if (!known && newer.length === 0) return { state: initialState, clocks: NO_CLOCKS, revision: null };
    const folded = newer.length === 0 ? known! : foldCase(newer, this.policy, known);
    this.remember(caseId, folded);
    return folded;
  }

  /** The fold kept in memory, without a read: it may be behind the store. */
  kept(caseId: string): FoldedCase | undefined {
    return this.folds.get(caseId);
  }

  /** Extends the case by events the caller has just appended. */
  extend(caseId: string, from: FoldedCase, appended: readonly RecordedEvent[]): FoldedCase {
    const folded = foldCase(appended, this.policy, from);
    this.remember(caseId, folded);
    return folded;
  }

  private remember(caseId: string, folded: FoldedCase): void {
    this.folds.delete(caseId);
    this.folds.set(caseId, folded);
    if (this.folds.size > this.capacity) this.folds.delete(this.folds.keys().next().value!);
  }
}
