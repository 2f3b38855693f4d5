import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CURRENT_SCHEMA_VERSION, DomainError, ORG_TREE, SLA_POLICY, decide, eventMetaFor, initialState, isUuid, withDeadlines, type CaseCommand, type CaseEvent, type CaseStatus, type FileCase, type MergeCase, type OrgTree, type SlaPolicy } from '#domain';
import { EVENT_STORE, newEventId, WrongExpectedRevisionError, type EventStore, type NewEvent } from '#event-store';
import { CaseNumbers } from './case-numbers.js';
import { CaseFoldCache, type FoldedCase } from './case-fold-cache.js';
import { caseStreamId } from './case-stream.js';

/** What a successful command answers (API.md): the case's new status, revision and global position. */
export interface CaseCommandResult {
  readonly id: string;
  readonly number: string;
  readonly status: CaseStatus;
  readonly revision: number;
  readonly position: number;
}

/** How often a command without an expected revision is decided again when concurrent writers keep getting in first. */
const MAX_ATTEMPTS_WITHOUT_REVISION = 20;

/**
 * A case command as its sources send it: as the domain names it, except that a merge names only
 * the case to merge into (the command path reads that case itself) and a filing carries no
 * number (the command path draws one once the domain has accepted the filing).
 */
export type CaseCommandRequest = Exclude<CaseCommand, MergeCase | FileCase> | Omit<MergeCase, 'target'> | Omit<FileCase, 'number'>;

/** Any case command, carried through the one command path below. */
export class ExecuteCaseCommand extends Command<CaseCommandResult> {
  constructor(
    readonly command: CaseCommandRequest,
    /** The revision the client last saw; a stale one is a conflict. Omitted: the revision just read. */
    readonly expectedRevision: number | undefined,
    /** Ties the events to the request (or job) that caused them. */
    readonly correlationId: string,
    readonly causationId: string | null = null,
    /** The request id the client sent, kept in the events' metadata (`clientRequestId`). */
    readonly clientRequestId?: string,
  ) {
    super();
  }
}

/**
 * The command path, written once for every case command: load the stream, fold it, decide,
 * append with the revision that was folded. Two writers who read the same revision cannot both
 * append: the store lets exactly one through and the other gets a revision conflict (or, when
 * it named no revision, decides again on the case as the first writer left it).
 */
@CommandHandler(ExecuteCaseCommand)
export class ExecuteCaseCommandHandler implements ICommandHandler<ExecuteCaseCommand, CaseCommandResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(CaseNumbers) private readonly numbers: CaseNumbers,
    @Inject(CaseFoldCache) private readonly cases: CaseFoldCache,
    @Inject(SLA_POLICY) private readonly policy: SlaPolicy,
  ) {}

  async execute(request: ExecuteCaseCommand): Promise<CaseCommandResult> {
    // The kept fold at the revision the caller names is trusted without a read: the append's
    // expected revision still guards it. If it turns out stale, the refusal is no answer yet.
    const kept = request.expectedRevision === undefined ? undefined : this.cases.kept(request.command.caseId);
    if (kept && kept.revision === request.expectedRevision) {
      try {
        return await this.attempt(request, kept);
      } catch (error) {
        if (!(error instanceof DomainError) && !(error instanceof WrongExpectedRevisionError)) throw error;
        // Decide again on the case as it is now, read from the store.
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(request);
      } catch (error) {
        // A caller who named no revision asks for the move on the case as it is now: another
        // writer getting in first is no conflict of theirs, so decide again on the new state.
        const retry = request.expectedRevision === undefined && request.command.type !== 'FileCase' && error instanceof WrongExpectedRevisionError;
        if (!retry || attempt >= MAX_ATTEMPTS_WITHOUT_REVISION) throw error;
      }
    }
  }

  private async attempt({ command: request, expectedRevision, correlationId, causationId, clientRequestId }: ExecuteCaseCommand, known?: FoldedCase): Promise<CaseCommandResult> {
    const command = await this.completed(request);
    const streamId = caseStreamId(command.caseId);
    const current = known ?? (await this.cases.current(command.caseId));
    const { state, revision } = current;
    const context = { org: this.org, clocks: current.clocks.clocks };
    // The client's revision is compared before deciding, so that a client acting on a stale page
    // hears "reload" (revision_conflict) rather than the refusal of a move on a state it never
    // saw; the append's expected revision then guards against a writer getting in meanwhile. A
    // case that does not exist is unknown (decide says so), not a conflict.
    if (expectedRevision !== undefined && revision !== null && expectedRevision !== revision) {
      throw new WrongExpectedRevisionError(streamId, expectedRevision, revision);
    }

    const decided = decide(command, state, context);
    // Numbers are drawn only for filings the domain has accepted (no gaps from refused ones), and stamped on the filing.
    if (command.type === 'FileCase') await this.numberFiling(decided, command.at);

    // Each event carries the SLA deadlines it sets, as the policy in force now makes them.
    const meta = eventMetaFor(command);
    const recorded = withDeadlines(decided.map((event) => ({ event, meta })), this.policy, current.clocks);
    const events: NewEvent[] = recorded.map(({ event, meta }) => ({
      id: newEventId(),
      type: event.type,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      data: event.data as unknown as Record<string, unknown>,
      metadata: { ...meta, correlationId, causationId, ...(clientRequestId ? { clientRequestId } : {}) },
    }));
    const appended = await this.store.appendToStream(streamId, events, {
      expectedRevision: revision === null ? 'no_stream' : revision,
    });

    const now = this.cases.extend(command.caseId, current, appended.events).state;
    if (now.status === 'none') throw new Error(`case ${command.caseId} has no events after an append`);
    return {
      id: command.caseId,
      number: now.number,
      status: now.status,
      revision: appended.nextExpectedRevision,
      position: appended.globalPosition,
    };
  }

  /**
   * The command as the domain takes it: a merge with its target as it stands now (the domain
   * decides whether the actor may see it and whether it is open); a filing with its number still
   * blank (stamped once the domain has accepted it, see numberFiling).
   */
  private async completed(request: CaseCommandRequest): Promise<CaseCommand> {
    if (request.type === 'FileCase') return { ...request, number: '' };
    if (request.type !== 'MergeCase') return request;
    const target = isUuid(request.intoCaseId) ? (await this.cases.current(request.intoCaseId)).state : initialState;
    return { ...request, target };
  }

  private async numberFiling(decided: CaseEvent[], at: string): Promise<void> {
    const number = await this.numbers.next(at);
    decided.forEach((event, index) => {
      if (event.type === 'CaseFiled') decided[index] = { ...event, data: { ...event.data, number } };
    });
  }
}
