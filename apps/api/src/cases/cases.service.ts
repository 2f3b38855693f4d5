import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { Principal } from '#accounts';
import { ExecuteCaseCommand, caseAsOf, loadCase, type CaseAt, type CaseCommandResult } from '#cases';
import { canRead, initialState, type CaseCommand, type ExistingCase } from '#domain';
import { currentRequest, type Engine } from '#platform';
import { CLOCK, ENGINE, type Clock } from '../platform/tokens.js';

/** Distributes a command over the fields every command carries. */
type CommandFields<C> = C extends CaseCommand ? Omit<C, 'caseId' | 'actor' | 'at'> : never;

/** The case capability as the HTTP layer uses it: commands through the one command path, reads within scope. */
@Injectable()
export class CasesService {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ENGINE) private readonly engine: Engine,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Runs a command as this user, now, on this case. */
  execute(user: Principal, caseId: string, fields: CommandFields<CaseCommand>, expectedRevision?: number): Promise<CaseCommandResult> {
    const command = { ...fields, caseId, actor: user, at: this.clock().toISOString() } as CaseCommand;
    const correlationId = currentRequest()?.requestId ?? randomUUID();
    return this.commands.execute(new ExecuteCaseCommand(command, expectedRevision, correlationId));
  }

  /** The case as it stands now, from its stream (so a writer always reads their write); 404 outside the reader's scope. */
  async current(user: Principal, caseId: string): Promise<CaseAt> {
    const { state, clocks, revision } = await this.engine.cases.current(caseId);
    if (state.status === 'none' || !canRead(state, user, this.engine.org)) throw caseNotFound(caseId);
    return { state, clocks, revision: revision! };
  }

  /** The case now with every event of its stream, for history, state-at and verification; 404 outside the reader's scope. */
  async withHistory(user: Principal, caseId: string) {
    const loaded = await loadCase(this.engine.store, caseId);
    if (loaded.state.status === 'none' || !canRead(loaded.state, user, this.engine.org)) throw caseNotFound(caseId);
    return { ...loaded, state: loaded.state as ExistingCase, revision: loaded.revision! };
  }

  /** The target of a merge as the domain checks it: unknown or unreadable targets look the same. */
  async mergeTarget(user: Principal, caseId: string) {
    const { state } = await this.engine.cases.current(caseId);
    return state.status !== 'none' && canRead(state, user, this.engine.org) ? state : initialState;
  }

  /** The case right after event `revision`, or with every event recorded at or before `at`; and the case now. */
  async stateAt(user: Principal, caseId: string, point: { revision?: number; at?: string }) {
    const { events, state: current } = await this.withHistory(user, caseId);
    const then = caseAsOf(events, point.revision !== undefined ? { revision: point.revision } : { at: point.at! }, this.engine.policy);
    if (!then) {
      throw new NotFoundException(
        point.revision !== undefined
          ? `case ${caseId} has no revision ${point.revision} (its last is ${events.at(-1)!.revision})`
          : `case ${caseId} was not yet filed at ${point.at}`,
      );
    }
    return { revision: then.revision, at: then.at, state: then.state, clocks: then.clocks, current };
  }
}

export function caseNotFound(caseId: string): NotFoundException {
  return new NotFoundException({ message: `no case ${caseId}`, code: 'not_found' });
}
