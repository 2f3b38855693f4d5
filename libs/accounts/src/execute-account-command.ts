import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { MAIN_POOL, inTransaction } from '#database';
import { ORG_TREE, hasRole, isSystemActor, type Actor, type OrgTree } from '#domain';
import { CLOCK, type Now } from '#runtime';
import { EVENT_STORE, newEventId, WrongExpectedRevisionError, type EventStore, type NewEvent, type RecordedEvent } from '#event-store';
import { ACCOUNT_SCHEMA_VERSION, accountStreamId, endsSessions, evolveAccount, foldAccount, type AccountEvent, type AccountState } from './account/account.js';
import { decideAccount, type AccountCommand } from './account/decide-account.js';
import { CredentialStore, type CredentialChange } from './credentials.js';

/** What an account command answers: the account as the command left it, and where its last event stands. */
export interface AccountCommandResult {
  readonly account: AccountState;
  /** The account stream's revision after the command. */
  readonly revision: number;
  /** The global position of the last event appended; null when the command changed nothing. */
  readonly position: number | null;
}

/** How often a command without an expected revision is decided again when another writer got in first. */
const MAX_ATTEMPTS = 20;

/** Any account command, carried through the one command path below. */
export class ExecuteAccountCommand extends Command<AccountCommandResult> {
  constructor(
    readonly command: AccountCommand,
    readonly correlationId: string,
    /** The password hash the command sets (create, reset, change); never part of an event. */
    readonly credentials: Omit<CredentialChange, 'sessionsValidFrom'> = {},
    readonly expectedRevision?: number,
    readonly causationId: string | null = null,
    /** What the client called its request (X-Request-Id), kept beside the server's correlation id. */
    readonly clientRequestId?: string,
  ) {
    super();
  }
}

/** The role an account event names as its actor's. */
function actingRole(actor: Actor): string {
  if (isSystemActor(actor)) return 'system';
  return hasRole(actor, 'admin') ? 'admin' : actor.roles[0]!;
}

/** An account's stream folded: its state and its events as stored. */
export async function readAccount(store: EventStore, userId: string): Promise<{ state: AccountState; events: RecordedEvent[] }> {
  const events = await store.readStream(accountStreamId(userId));
  return { state: foldAccount(events.map(({ type, data }) => ({ type, data }) as AccountEvent)), events };
}

/**
 * The account command path, shaped like the cases': read the stream, fold it, decide, append
 * with the revision folded. The credentials row changes in a transaction that is held open
 * around the append and commits only once the append has: a refused append leaves the password
 * and the sessions as they were, and commands on one account take turns on the row's lock.
 */
@CommandHandler(ExecuteAccountCommand)
export class ExecuteAccountCommandHandler implements ICommandHandler<ExecuteAccountCommand, AccountCommandResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(MAIN_POOL) private readonly pool: Pool,
    @Inject(CredentialStore) private readonly credentials: CredentialStore,
    @Inject(CLOCK) private readonly clock: Now,
  ) {}

  async execute(request: ExecuteAccountCommand): Promise<AccountCommandResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(request);
      } catch (error) {
        const retry = request.expectedRevision === undefined && request.command.type !== 'CreateUser' && error instanceof WrongExpectedRevisionError;
        if (!retry || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private async attempt(request: ExecuteAccountCommand): Promise<AccountCommandResult> {
    const { command } = request;
    const streamId = accountStreamId(command.userId);
    return inTransaction(this.pool, async (client) => {
      if (command.type !== 'CreateUser') await this.credentials.lock(client, command.userId);
      const { state } = await readAccount(this.store, command.userId);
      if (request.expectedRevision !== undefined && state.exists && request.expectedRevision !== state.revision) {
        throw new WrongExpectedRevisionError(streamId, request.expectedRevision, state.revision);
      }
      const decided = decideAccount(command, state, this.org);
      if (decided.length === 0) return { account: state, revision: state.revision, position: null };

      let after = state;
      let sessionsValidFrom: number | undefined;
      for (const event of decided) {
        after = evolveAccount(after, event, after.revision + 1);
        if (endsSessions(event)) sessionsValidFrom = after.revision;
      }
      const change: CredentialChange = { ...request.credentials, ...(sessionsValidFrom !== undefined ? { sessionsValidFrom } : {}) };
      if (command.type === 'CreateUser') {
        if (change.passwordHash === undefined) throw new TypeError('a new account needs a password hash');
        await this.credentials.insert(client, command.userId, after.username, { ...change, passwordHash: change.passwordHash });
      } else if (Object.keys(change).length > 0) {
        await this.credentials.update(client, command.userId, change);
      }

      const at = this.clock().toISOString();
      const events: NewEvent[] = decided.map((event) => ({
        id: newEventId(),
        type: event.type,
        schemaVersion: ACCOUNT_SCHEMA_VERSION,
        data: event.data as Record<string, unknown>,
        metadata: {
          actorId: command.actor.userId,
          actorRole: actingRole(command.actor),
          unitId: command.actor.unitId,
          at,
          correlationId: request.correlationId,
          causationId: request.causationId,
          ...(request.clientRequestId !== undefined ? { clientRequestId: request.clientRequestId } : {}),
        },
      }));
      const appended = await this.store.appendToStream(streamId, events, { expectedRevision: state.exists ? state.revision : 'no_stream' });
      return { account: after, revision: appended.nextExpectedRevision, position: appended.globalPosition };
    });
  }
}
