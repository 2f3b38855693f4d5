import type pg from 'pg';
import { DEMO_ORG_UNITS, OrgTree, SYSTEM_ACTOR, type Role } from '#domain';
import { PostgresEventStore, migrateEventStore } from '#event-store';
import { inTransaction } from '#database';
import { accountStreamId } from './account/account.js';
import { AccountCommands } from './account-commands.js';
import { AccountViewProjection } from './account-view.projection.js';
import { CredentialStore } from './credentials.js';
import { migrateLoginLimits } from './login-limits.js';
import { ExecuteAccountCommandHandler } from './execute-account-command.js';
import { PasswordHasher } from './password.js';
import { UserStore, migrateAccounts, migrateLegacyUsers } from './users.js';

/**
 * The accounts capability wired by hand on a test database, without Nest: the command path,
 * the credentials, the read model (brought up to date on demand by `project`), at the lowest
 * scrypt cost so tests stay quick.
 */
export interface AccountsTestKit {
  readonly store: PostgresEventStore;
  readonly credentials: CredentialStore;
  readonly commands: AccountCommands;
  readonly users: UserStore;
  readonly hasher: PasswordHasher;
  readonly org: OrgTree;
  /** Applies every account event not yet in the `accounts` read model. */
  project(): Promise<void>;
  /** Creates accounts as the engine, and projects them; returns their ids by username. */
  createUsers(accounts: readonly { username: string; roles: readonly Role[]; unitId: string; password?: string; displayName?: string }[]): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function accountsTestKit(pool: pg.Pool, options: { now?: () => Date; demoPassword?: string | null } = {}): Promise<AccountsTestKit> {
  await migrateEventStore(pool);
  await migrateAccounts(pool);
  await migrateLoginLimits(pool);
  const store = new PostgresEventStore({ pool, pollIntervalMs: 100 });
  const org = new OrgTree(DEMO_ORG_UNITS);
  const credentials = new CredentialStore(pool);
  const hasher = new PasswordHasher(14);
  const handler = new ExecuteAccountCommandHandler(store, org, pool, credentials, options.now ?? (() => new Date()));
  const commands = new AccountCommands(credentials, hasher, handler, store, options.demoPassword ?? null);
  const users = new UserStore(pool);
  const view = new AccountViewProjection();
  const client = await pool.connect();
  try {
    await view.migrate(client);
  } finally {
    client.release();
  }
  await migrateLegacyUsers(pool, (row) => commands.importLegacy(row));

  // Stream by stream (every account has credentials), not through the global log: the log holds
  // back events while any transaction on the server is open, and other tests keep some open.
  const project = async () => {
    const { rows } = await pool.query<{ user_id: string }>('SELECT user_id FROM account_credentials');
    const events = (await Promise.all(rows.map((row) => store.readStream(accountStreamId(row.user_id))))).flat();
    const connection = await pool.connect();
    try {
      await inTransaction(connection, (client) => view.apply(client, events));
    } finally {
      connection.release();
    }
  };
  return {
    store,
    credentials,
    commands,
    users,
    hasher,
    org,
    project,
    async createUsers(accounts) {
      const ids: Record<string, string> = {};
      for (const account of accounts) {
        const { account: made } = await commands.create(
          SYSTEM_ACTOR,
          { username: account.username, displayName: account.displayName ?? `${account.username} 显示名`, password: account.password ?? 'a-good-password', roles: account.roles, unitId: account.unitId },
          { correlationId: `test:${account.username}` },
        );
        ids[account.username] = made.userId;
      }
      await project();
      return ids;
    },
    close: () => store.close(),
  };
}
