import { fold, initialState, type CaseState } from '#domain';
import type { EventStore } from '#event-store';
import { caseStreamId, toCaseEvent } from './case-stream.js';

interface Folded {
  readonly state: CaseState;
  readonly revision: number;
}

/**
 * Cases as they stand now, folded incrementally. A stream only ever grows (the store refuses
 * updates and deletes), so a fold kept in memory stays true for its revisions: loading a case
 * reads just the events appended since, whichever process appended them, instead of the whole
 * stream every time. The most recently used cases are kept.
 */
export class CaseRepository {
  private readonly folds = new Map<string, Folded>();

  constructor(
    private readonly store: EventStore,
    private readonly capacity = 5_000,
  ) {}

  /** The case now, and the revision of its last event (null when it does not exist). */
  async current(caseId: string): Promise<{ state: CaseState; revision: number | null }> {
    const known = this.folds.get(caseId);
    const newer = await this.store.readStream(caseStreamId(caseId), { fromRevision: known ? known.revision + 1 : 0 });
    if (!known && newer.length === 0) return { state: initialState, revision: null };
    const state = fold(newer.map(toCaseEvent), known?.state ?? initialState);
    const revision = newer.at(-1)?.revision ?? known!.revision;
    this.remember(caseId, state, revision);
    return { state, revision };
  }

  /** Keeps a fold the caller has just made (after its own append). */
  remember(caseId: string, state: CaseState, revision: number): void {
    this.folds.delete(caseId);
    this.folds.set(caseId, { state, revision });
    if (this.folds.size > this.capacity) this.folds.delete(this.folds.keys().next().value!);
  }
}
