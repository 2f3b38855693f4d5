import { type DynamicModule, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { MAIN_POOL } from '#database';
import { ORG_TREE, type OrgTree } from '#domain';
import { EVENT_STORE, type EventStore } from '#event-store';
import { CLOCK, LOGGER, Shutdown, type Now } from '#runtime';
import type { Logger } from 'pino';
import { AccountCommands, CONFIGURED_DEMO_PASSWORD, type DemoAccount } from './account-commands.js';
import { CredentialStore } from './credentials.js';
import { DemoOrgTreeError } from './errors.js';
import { ExecuteAccountCommandHandler } from './execute-account-command.js';
import { loadOrCreateJwtSecret } from './jwt-secret.js';
import { LoginService } from './login.js';
import { PasswordHasher } from './password.js';
import { SessionRegistry } from './sessions.js';
import { DEMO_ACCOUNTS, UserStore, migrateAccounts, migrateLegacyUsers } from './users.js';
import { LoginLimits, migrateLoginLimits } from './login-limits.js';

/** What an installation says about its accounts. */
export interface AccountsSettings {
  /** Logging in (and checking tokens): the process serves users. Left out: accounts are only read and written (the CLI). */
  readonly login?: { readonly jwtSecret: string | undefined; readonly dataDir: string };
  /** Make the demo accounts, with this password for those it creates. */
  readonly demo?: { readonly password: string };
  /** The scrypt cost of new password hashes, as a power of two (default 17). */
  readonly passwordHashLog2N?: number;
}

/** The demo accounts this start made or found (`DemoAccount[]`), for the start-up banner; empty when demo data is off. */
export const DEMO_ACCOUNTS_IN_USE = Symbol('DemoAccountsInUse');

/** Resolves once the accounts' tables are up to date and any accounts of the old `users` table are streams. */
const ACCOUNTS_READY = Symbol('AccountsReady');

/**
 * The accounts capability: changing accounts (`AccountCommands`, through their own command path
 * into the event store), reading them (`UserStore`, over the accounts read model), logging in and
 * checking tokens (`LoginService`, counting failures with `LoginLimits`, ended sessions in
 * `SessionRegistry`), and the demo accounts. Global: every capability that names people reads
 * them from the same place.
 */
@Module({})
export class AccountsModule {
  static forRoot(settings: AccountsSettings): DynamicModule {
    const { login, demo } = settings;
    return {
      module: AccountsModule,
      global: true,
      providers: [
        { provide: CONFIGURED_DEMO_PASSWORD, useValue: demo?.password ?? null },
        { provide: PasswordHasher, useFactory: () => new PasswordHasher(settings.passwordHashLog2N) },
        {
          provide: CredentialStore,
          inject: [MAIN_POOL, ORG_TREE],
          useFactory: async (pool: Pool, org: OrgTree) => {
            // Before anything is written or locked: a start that cannot make the demo accounts stops here.
            if (demo) {
              const missing = [...new Set(DEMO_ACCOUNTS.map((account) => account.unitId))].filter((unitId) => !org.has(unitId));
              if (missing.length > 0) throw new DemoOrgTreeError(missing);
            }
            await migrateAccounts(pool);
            return new CredentialStore(pool);
          },
        },
        { provide: UserStore, inject: [MAIN_POOL], useFactory: (pool: Pool) => new UserStore(pool) },
        ExecuteAccountCommandHandler,
        AccountCommands,
        {
          provide: ACCOUNTS_READY,
          inject: [MAIN_POOL, AccountCommands],
          useFactory: async (pool: Pool, commands: AccountCommands) => {
            await migrateLegacyUsers(pool, (row) => commands.importLegacy(row));
            return true;
          },
        },
        {
          provide: DEMO_ACCOUNTS_IN_USE,
          inject: [AccountCommands, UserStore, ACCOUNTS_READY],
          useFactory: async (commands: AccountCommands, users: UserStore): Promise<readonly DemoAccount[]> =>
            demo ? commands.ensureDemoAccounts(demo.password, users) : [],
        },
        ...(login
          ? [
              {
                provide: SessionRegistry,
                inject: [MAIN_POOL, Shutdown, LOGGER, CLOCK, ACCOUNTS_READY],
                useFactory: async (pool: Pool, shutdown: Shutdown, logger: Logger, clock: Now) => {
                  const sessions = new SessionRegistry(pool, (error) => logger.warn(`could not refresh the ended sessions: ${String(error)}`), clock);
                  await sessions.start();
                  shutdown.add('sessions', async () => sessions.stop());
                  return sessions;
                },
              },
              {
                provide: LoginLimits,
                // After the accounts' own migrations: one library's migration at a time.
                inject: [MAIN_POOL, LOGGER, ACCOUNTS_READY],
                useFactory: async (pool: Pool, logger: Logger) => {
                  await migrateLoginLimits(pool);
                  return new LoginLimits(pool, { onSweepError: (error) => logger.warn({ err: error }, 'pruning old login failures failed') });
                },
              },
              {
                provide: LoginService,
                inject: [MAIN_POOL, CredentialStore, EVENT_STORE, SessionRegistry, PasswordHasher, LoginLimits],
                useFactory: async (pool: Pool, credentials: CredentialStore, store: EventStore, sessions: SessionRegistry, hasher: PasswordHasher, limits: LoginLimits) =>
                  new LoginService({ pool, credentials, store, sessions, hasher, limits, secret: await loadOrCreateJwtSecret({ env: login.jwtSecret, dataDir: login.dataDir }) }),
              },
            ]
          : []),
      ],
      exports: [UserStore, AccountCommands, CredentialStore, PasswordHasher, DEMO_ACCOUNTS_IN_USE, ...(login ? [LoginService, SessionRegistry, LoginLimits] : [])],
    };
  }
}
