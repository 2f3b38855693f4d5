import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ExecuteCaseCommand, type CaseCommandRequest, type CaseCommandResult } from './execute-case-command.js';

export interface CommandContext {
  /** The revision the client last saw; a stale one is a conflict. Left out: the case as it is now. */
  readonly expectedRevision?: number;
  /** Ties the events to the request or job that caused them. */
  readonly correlationId: string;
  readonly causationId?: string | null;
  /** The `X-Request-Id` the client sent, when kept (see `clientRequestId` in #platform). */
  readonly clientRequestId?: string;
}

/**
 * The case commands port: every source of commands (HTTP, the SLA timers) sends them here, and
 * they all reach the one handler (ExecuteCaseCommandHandler) through the CommandBus.
 */
@Injectable()
export class CaseCommands {
  constructor(private readonly bus: CommandBus) {}

  execute(command: CaseCommandRequest, { expectedRevision, correlationId, causationId = null, clientRequestId }: CommandContext): Promise<CaseCommandResult> {
    return this.bus.execute(new ExecuteCaseCommand(command, expectedRevision, correlationId, causationId, clientRequestId));
  }

  /** A command as the SLA timers build it, correlation included. */
  send(command: ExecuteCaseCommand): Promise<CaseCommandResult> {
    return this.bus.execute(command);
  }
}
