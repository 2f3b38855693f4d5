import { type DynamicModule, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { MAIN_POOL } from '#database';
import { ORG_TREE, type OrgTree } from '#domain';
import { LOGGER } from '#runtime';
import type { Logger } from 'pino';
import { loadOrCreateJwtSecret } from './jwt-secret.js';
import { LoginService } from './login.js';
import { LoginLimits, migrateLoginLimits } from './login-limits.js';
import { UserStore, migrateAccounts, type DemoAccount } from './users.js';

/** What an installation says about its accounts. */
export interface AccountsSettings {
  /** Logging in (and checking tokens): the process serves users. Left out: accounts are only read and written (the CLI). */
  readonly login?: { readonly jwtSecret: string | undefined; readonly dataDir: string };
  /** Make the demo accounts, with this password for those it creates. */
  readonly demo?: { readonly password: string };
}

/** The demo accounts this start made or found (`DemoAccount[]`), for the start-up banner; empty when demo data is off. */
export const DEMO_ACCOUNTS_IN_USE = Symbol('DemoAccountsInUse');

/**
 * The accounts capability: the users (`UserStore`), logging in and checking tokens
 * (`LoginService`, counting failures with `LoginLimits`), and the demo accounts. Global: every
 * capability that names people reads them from the same store.
 */
@Module({})
export class AccountsModule {
  static forRoot(settings: AccountsSettings): DynamicModule {
    const { login, demo } = settings;
    return {
      module: AccountsModule,
      global: true,
      providers: [
        {
          provide: UserStore,
          inject: [MAIN_POOL, ORG_TREE],
          useFactory: async (pool: Pool, org: OrgTree) => {
            await migrateAccounts(pool);
            return new UserStore(pool, { isKnownUnit: (unitId) => org.has(unitId) });
          },
        },
        {
          provide: DEMO_ACCOUNTS_IN_USE,
          inject: [UserStore],
          useFactory: (users: UserStore): Promise<readonly DemoAccount[]> | readonly DemoAccount[] => (demo ? users.ensureDemoAccounts(demo.password) : []),
        },
        ...(login
          ? [
              {
                provide: LoginLimits,
                inject: [MAIN_POOL, LOGGER],
                useFactory: async (pool: Pool, logger: Logger) => {
                  await migrateLoginLimits(pool);
                  return new LoginLimits(pool, { onSweepError: (error) => logger.warn({ err: error }, 'pruning old login failures failed') });
                },
              },
              {
                provide: LoginService,
                inject: [MAIN_POOL, UserStore, LoginLimits],
                useFactory: async (pool: Pool, users: UserStore, limits: LoginLimits) =>
                  new LoginService({ pool, users, limits, secret: await loadOrCreateJwtSecret({ env: login.jwtSecret, dataDir: login.dataDir }) }),
              },
            ]
          : []),
      ],
      exports: [UserStore, DEMO_ACCOUNTS_IN_USE, ...(login ? [LoginService] : [])],
    };
  }
}
