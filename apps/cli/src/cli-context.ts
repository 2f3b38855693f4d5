import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type pg from 'pg';
import { AccountCommands, AccountsModule, UserStore } from '#accounts';
import { CaseDirectory, CaseReader, CasesModule } from '#cases';
import { MAIN_POOL } from '#database';
import { ORG_TREE, SLA_POLICY, type OrgTree, type SlaPolicy } from '#domain';
import { EVENT_STORE, type PostgresEventStore } from '#event-store';
import { createLogger, loadConfig, PinoNestLogger, PlatformModule, startComposed, type AppConfig } from '#platform';
import type { Shutdown } from '#runtime';
import type { Logger } from 'pino';

/**
 * What the operator and auditor commands work on, opened without the rest of the engine: no
 * projections, reactors or job queues run, so verifying, replaying or exporting changes nothing
 * but what the schema migrations (idempotent) would create on a database never used before, and
 * a rebuild changes only the read models it rebuilds.
 */
export interface CliContext {
  readonly pool: pg.Pool;
  readonly store: PostgresEventStore;
  readonly org: OrgTree;
  readonly policy: SlaPolicy;
  readonly users: UserStore;
  /** Changes to accounts, through their command path (the CLI acts as the engine itself). */
  readonly accounts: AccountCommands;
  /** Case numbers, through the case read model. */
  readonly directory: CaseDirectory;
  /** Cases read whole from their streams. */
  readonly reader: CaseReader;
  close(): Promise<void>;
}

/** The engine's own modules, less what follows the log or runs jobs. */
@Module({})
class CliModule {
  static forRoot(config: AppConfig, logger: Logger, shutdown: Shutdown): DynamicModule {
    return {
      module: CliModule,
      imports: [
        PlatformModule.forRoot({ config, logger, now: () => new Date(), shutdown, poolSize: 4, applicationName: 'minyi-cli', notifyOtherProcesses: false, jobs: false }),
        CqrsModule.forRoot(),
        AccountsModule.forRoot({ passwordHashLog2N: config.passwordHashLog2N }),
        CasesModule,
      ],
    };
  }
}

export async function openCliContext(): Promise<CliContext> {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const app = await startComposed(logger, (shutdown) =>
    NestFactory.createApplicationContext(CliModule.forRoot(config, logger, shutdown), { logger: new PinoNestLogger(logger), abortOnError: false }),
  );
  return {
    pool: app.get(MAIN_POOL),
    store: app.get(EVENT_STORE),
    org: app.get(ORG_TREE),
    policy: app.get(SLA_POLICY),
    users: app.get(UserStore),
    accounts: app.get(AccountCommands),
    directory: app.get(CaseDirectory),
    reader: app.get(CaseReader),
    close: () => app.close(),
  };
}

/** Runs `work` with a CLI context, closed afterwards whatever happens. */
export async function withCliContext<T>(work: (context: CliContext) => Promise<T>): Promise<T> {
  const context = await openCliContext();
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}
