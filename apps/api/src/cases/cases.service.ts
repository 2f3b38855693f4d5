import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Principal } from '#accounts';
import { CaseCommands, CaseReader, caseAsOf, type CaseCommandRequest, type CaseCommandResult } from '#cases';
import { SLA_POLICY, type SlaPolicy } from '#domain';
import { currentRequest } from '#platform';
import { CLOCK, type Now } from '#runtime';

/** Distributes a command over the fields every command carries. */
type CommandFields<C> = C extends CaseCommandRequest ? Omit<C, 'caseId' | 'actor' | 'at'> : never;

/** What the HTTP layer adds to the case ports: the acting user, the time and the correlation of a command; the case at a past point. */
@Injectable()
export class CasesService {
  constructor(
    private readonly commands: CaseCommands,
    private readonly reader: CaseReader,
    @Inject(SLA_POLICY) private readonly policy: SlaPolicy,
    @Inject(CLOCK) private readonly clock: Now,
  ) {}

  /** Runs a command as this user, now, on this case. */
  execute(user: Principal, caseId: string, fields: CommandFields<CaseCommandRequest>, expectedRevision?: number): Promise<CaseCommandResult> {
    const command = { ...fields, caseId, actor: user, at: this.clock().toISOString() } as CaseCommandRequest;
    // The correlation id is the server's own request id, never one a client chose; the client's is kept beside it.
    const request = currentRequest();
    return this.commands.execute(command, { expectedRevision, correlationId: request?.requestId ?? randomUUID(), clientRequestId: request?.clientRequestId });
  }

  /** The case right after event `revision`, or with every event recorded at or before `at`; and the case now. */
  async stateAt(user: Principal, caseId: string, point: { revision?: number; at?: string }) {
    const { events, state: current } = await this.reader.record(user, caseId);
    const then = caseAsOf(events, point.revision !== undefined ? { revision: point.revision } : { at: point.at! }, this.policy);
    if (!then) {
      const message =
        point.revision !== undefined
          ? `case ${caseId} has no revision ${point.revision} (its last is ${events.at(-1)!.revision})`
          : `case ${caseId} was not yet filed at ${point.at}`;
      throw new NotFoundException({ message, code: 'not_found' });
    }
    return { revision: then.revision, at: then.at, state: then.state, clocks: then.clocks, current };
  }
}
