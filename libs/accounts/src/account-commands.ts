import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SYSTEM_ACTOR, type Actor, type Role } from '#domain';
import { EVENT_STORE, type EventStore } from '#event-store';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, normalizeUsername } from './account-rules.js';
import type { AccountState } from './account/account.js';
import { CredentialStore } from './credentials.js';
import { InvalidUserInputError, UsernameTakenError, WrongCurrentPasswordError, type FieldProblem } from './errors.js';
import { ExecuteAccountCommand, ExecuteAccountCommandHandler, readAccount, type AccountCommandResult } from './execute-account-command.js';
import { PasswordHasher } from './password.js';
import { isRole, type PublicUser } from './types.js';
import { DEMO_ACCOUNTS, type LegacyUserRow, type UserStore } from './users.js';

/** Ties an account command to the request (or tool run) that caused it. */
export interface AccountCommandContext {
  readonly correlationId: string;
  readonly clientRequestId?: string;
}

export interface NewAccount {
  readonly username: string;
  readonly displayName: string;
  readonly password: string;
  readonly roles: readonly Role[];
  readonly unitId: string;
}

/** A demo account, saying whether this start made it. */
export interface DemoAccount extends PublicUser {
  readonly enabled: boolean;
  readonly created: boolean;
}

export interface AccountChanges {
  readonly displayName?: string;
  readonly roles?: readonly Role[];
  readonly unitId?: string;
}

/** The demo password this installation gives its demo accounts (MINYI_DEMO_PASSWORD), or null without demo data. */
export const CONFIGURED_DEMO_PASSWORD = Symbol('ConfiguredDemoPassword');

/** The published password of the demo accounts (API.md, "Demo data"). */
export const DEFAULT_DEMO_PASSWORD = 'demo12345';

/** The rules a password chosen by its holder follows (API.md: 8-128 characters, not the username, not the demo password). */
export const CHOSEN_PASSWORD_MAX_LENGTH = 128;

/** An account as the API shows it. */
export function publicAccount(state: AccountState): PublicUser & { readonly enabled: boolean } {
  return { id: state.userId, username: state.username, displayName: state.displayName, roles: state.roles, unitId: state.unitId, enabled: state.enabled };
}

function passwordLengthProblems(field: string, password: unknown, max: number): FieldProblem[] {
  return typeof password === 'string' && password.length >= PASSWORD_MIN_LENGTH && password.length <= max
    ? []
    : [{ field, message: `must be ${PASSWORD_MIN_LENGTH}-${max} characters` }];
}

/** A temporary password: 16 characters of base64url (96 random bits), to copy and hand over. */
function temporaryPassword(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * The accounts commands port: every change to an account (the API's, the CLI's, the demo
 * seeding's) goes through the one command path, ExecuteAccountCommandHandler. Passwords are hashed
 * here and handed to the path beside the command, never inside an event.
 */
@Injectable()
export class AccountCommands {
  constructor(
    @Inject(CredentialStore) private readonly credentials: CredentialStore,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(ExecuteAccountCommandHandler) private readonly handler: ExecuteAccountCommandHandler,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONFIGURED_DEMO_PASSWORD) private readonly demoPassword: string | null,
  ) {}

  async create(actor: Actor, input: NewAccount, context: AccountCommandContext, userId: string = randomUUID()): Promise<AccountCommandResult> {
    const problems = passwordLengthProblems('password', input?.password, PASSWORD_MAX_LENGTH);
    if (problems.length > 0) throw new InvalidUserInputError(problems);
    const passwordHash = await this.hasher.hash(input.password);
    return this.run(
      { type: 'CreateUser', actor, userId: userId.toLowerCase(), username: input.username, displayName: input.displayName, roles: input.roles, unitId: input.unitId },
      context,
      { passwordHash, publishedPassword: input.password === DEFAULT_DEMO_PASSWORD },
    );
  }

  update(actor: Actor, userId: string, changes: AccountChanges, context: AccountCommandContext): Promise<AccountCommandResult> {
    return this.run({ type: 'UpdateUser', actor, userId, ...changes }, context);
  }

  disable(actor: Actor, userId: string, reason: string, context: AccountCommandContext): Promise<AccountCommandResult> {
    return this.run({ type: 'DisableUser', actor, userId, reason: typeof reason === 'string' ? reason : '' }, context);
  }

  enable(actor: Actor, userId: string, context: AccountCommandContext): Promise<AccountCommandResult> {
    return this.run({ type: 'EnableUser', actor, userId }, context);
  }

  /** Sets a temporary password, shown once to the admin; the next login must choose a new one. */
  async resetPassword(actor: Actor, userId: string, context: AccountCommandContext): Promise<AccountCommandResult & { temporaryPassword: string }> {
    const password = temporaryPassword();
    const result = await this.run({ type: 'ResetPassword', actor, userId }, context, { passwordHash: await this.hasher.hash(password) });
    return { ...result, temporaryPassword: password };
  }

  /**
   * The holder changes their own password, proving the current one. The new one must differ from
   * the username and from the demo password (the published one and this installation's).
   */
  async changePassword(
    actor: Actor & { readonly userId: string },
    passwords: { readonly currentPassword: string; readonly newPassword: string },
    context: AccountCommandContext,
  ): Promise<AccountCommandResult> {
    const { currentPassword, newPassword } = passwords ?? ({} as typeof passwords);
    const problems = passwordLengthProblems('newPassword', newPassword, CHOSEN_PASSWORD_MAX_LENGTH);
    const stored = await this.credentials.byUserId(actor.userId);
    if (problems.length === 0 && stored && normalizeUsername(newPassword) === stored.username) {
      problems.push({ field: 'newPassword', message: 'must not be the username' });
    }
    if (problems.length === 0 && (newPassword === DEFAULT_DEMO_PASSWORD || newPassword === this.demoPassword)) {
      problems.push({ field: 'newPassword', message: 'must not be the demo password' });
    }
    if (typeof currentPassword !== 'string' || currentPassword === '') problems.push({ field: 'currentPassword', message: 'must not be empty' });
    if (problems.length > 0) throw new InvalidUserInputError(problems);
    if (!stored || currentPassword.length > PASSWORD_MAX_LENGTH || !(await this.hasher.verify(currentPassword, stored.passwordHash))) {
      throw new WrongCurrentPasswordError();
    }
    if (currentPassword === newPassword) throw new InvalidUserInputError([{ field: 'newPassword', message: 'must differ from the current password' }]);
    return this.run({ type: 'ChangePassword', actor, userId: actor.userId }, context, { passwordHash: await this.hasher.hash(newPassword) });
  }

  /** Creates an account as the engine itself (the CLI, run by an operator of the installation). */
  createAsSystem(input: NewAccount, context: AccountCommandContext, userId?: string): Promise<AccountCommandResult> {
    return this.create(SYSTEM_ACTOR, input, context, userId);
  }

  /**
   * Writes an account of the old `users` table as its stream's UserCreated, keeping its id and
   * password hash. `admin` held beside other roles (no longer allowed) is dropped, keeping the
   * narrower roles. A row whose stream exists already (a run cut short) gets only its credentials.
   */
  async importLegacy(row: LegacyUserRow): Promise<void> {
    const roles = row.roles.filter(isRole);
    const kept = roles.includes('admin') && roles.length > 1 ? roles.filter((role) => role !== 'admin') : roles;
    const command = { type: 'CreateUser', actor: SYSTEM_ACTOR, userId: row.id, username: row.username, displayName: row.display_name, roles: kept, unitId: row.unit_id } as const;
    const { state } = await readAccount(this.store, row.id);
    if (state.exists) {
      await this.credentials.insertMissing(row.id, state.username, row.password_hash);
      return;
    }
    await this.handler.execute(new ExecuteAccountCommand(command, `migration:users:${row.id}`, { passwordHash: row.password_hash }));
  }

  /**
   * Creates the demo accounts that are missing, all with this password (one hash for all: the
   * password is published anyway); leaves existing ones as they are. Safe on every start and
   * from several processes at once. Returns every demo account, saying which were created now.
   */
  async ensureDemoAccounts(password: string, users: UserStore): Promise<DemoAccount[]> {
    const problems = passwordLengthProblems('MINYI_DEMO_PASSWORD', password, PASSWORD_MAX_LENGTH);
    if (problems.length > 0) throw new InvalidUserInputError(problems);
    let passwordHash: string | undefined;
    const accounts: DemoAccount[] = [];
    for (const demo of DEMO_ACCOUNTS) {
      const existing = await this.credentials.byUsername(demo.username);
      if (existing) {
        const { state } = await readAccount(this.store, existing.userId);
        accounts.push({ ...publicAccount(state), created: false });
        continue;
      }
      passwordHash ??= await this.hasher.hash(password);
      try {
        const { account } = await this.handler.execute(
          new ExecuteAccountCommand({ type: 'CreateUser', actor: SYSTEM_ACTOR, userId: randomUUID(), ...demo }, 'demo-accounts', {
            passwordHash,
            publishedPassword: password === DEFAULT_DEMO_PASSWORD,
          }),
        );
        accounts.push({ ...publicAccount(account), created: true });
      } catch (error) {
        // Another process made it meanwhile.
        if (!(error instanceof UsernameTakenError)) throw error;
        const found = (await users.findByUsername(demo.username)) ?? (await this.demoAccountFromStream(demo.username));
        accounts.push({ ...found, created: false });
      }
    }
    return accounts;
  }

  private async demoAccountFromStream(username: string): Promise<ReturnType<typeof publicAccount>> {
    const credentials = await this.credentials.byUsername(username);
    if (!credentials) throw new Error(`demo account ${username} vanished while it was being made`);
    return publicAccount((await readAccount(this.store, credentials.userId)).state);
  }

  private run(command: ExecuteAccountCommand['command'], context: AccountCommandContext, credentials: ExecuteAccountCommand['credentials'] = {}): Promise<AccountCommandResult> {
    // The handler is called directly, not through the CommandBus, so that start-up (the demo
    // accounts, the move of old accounts into streams) can use it before the bus is wired.
    return this.handler.execute(new ExecuteAccountCommand(command, context.correlationId, credentials, undefined, null, context.clientRequestId));
  }
}
