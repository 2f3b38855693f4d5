import { canRead, NotFoundError, type Actor, type CaseState, type ExistingCase, type OrgTree, type SlaPolicy } from '#domain';
import type { EventStore, EventStoreAudit, ReadStreamOptions, RecordedEvent, StreamWithHead } from '#event-store';
import type { CaseAt } from './case-presenter.js';
import { foldCase, type CaseFoldCache } from './case-fold-cache.js';
import { caseStreamId } from './case-stream.js';

/** A case read whole from its stream: every event, folded once. */
export interface CaseRecord extends CaseAt {
  readonly events: readonly RecordedEvent[];
}

/** A case record with its stream's head row, read in the same snapshot, for verification. */
export interface VerifiableCaseRecord extends CaseRecord {
  readonly head: StreamWithHead['head'];
}

/** The stream reads a case reader needs: the store port's, and the audit port's stream with its head row in one snapshot. */
export type CaseStreamSource = Pick<EventStore, 'readStream'> & Pick<EventStoreAudit, 'readStreamWithHead'>;

/**
 * Who reads: a user, who sees only cases that have passed through their subtree, or the
 * operator on the command line (`null`), who holds the database and sees every case.
 */
export type CaseReaderIdentity = Actor | null;

/**
 * The one way to read a case: it loads, folds once, and applies the read scope once. A case
 * that does not exist and a case the reader may not read look the same: not found.
 */
export class CaseReader {
  constructor(
    private readonly streams: CaseStreamSource,
    private readonly folds: CaseFoldCache,
    private readonly org: OrgTree,
    private readonly policy: SlaPolicy,
  ) {}

  /** The case now, from the fold kept in memory and the events since (so a writer reads their write). */
  async current(reader: CaseReaderIdentity, caseId: string): Promise<CaseAt> {
    const { state, clocks, revision } = await this.folds.current(caseId);
    return { state: this.readable(reader, caseId, state), clocks, revision: revision! };
  }

  /**
   * The case now and a range of its events (`fromRevision`, at most `maxCount`): a page of its
   * history, read without the rest of the stream.
   */
  async events(reader: CaseReaderIdentity, caseId: string, range: ReadStreamOptions): Promise<CaseAt & { readonly events: readonly RecordedEvent[] }> {
    const now = await this.current(reader, caseId);
    return { ...now, events: await this.streams.readStream(caseStreamId(caseId), range) };
  }

  /** The case now with every event of its stream: for the case at a past point. */
  async record(reader: CaseReaderIdentity, caseId: string): Promise<CaseRecord> {
    const events = await this.streams.readStream(caseStreamId(caseId));
    return this.folded(reader, caseId, events);
  }

  /** The same with the stream's head row, read in one snapshot so that an append landing meanwhile is not taken for tampering. */
  async verifiable(reader: CaseReaderIdentity, caseId: string): Promise<VerifiableCaseRecord> {
    const { events, head } = await this.streams.readStreamWithHead(caseStreamId(caseId));
    return { ...this.folded(reader, caseId, events), head };
  }

  private folded(reader: CaseReaderIdentity, caseId: string, events: readonly RecordedEvent[]): CaseRecord {
    const { state, clocks, revision } = foldCase(events, this.policy);
    return { state: this.readable(reader, caseId, state), clocks, revision: revision!, events };
  }

  private readable(reader: CaseReaderIdentity, caseId: string, state: CaseState): ExistingCase {
    if (state.status === 'none' || (reader !== null && !canRead(state, reader, this.org))) throw new NotFoundError('case', caseId);
    return state;
  }
}
