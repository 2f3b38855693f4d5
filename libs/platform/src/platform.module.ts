import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type pg from 'pg';
import { loadOrgTree } from '#accounts';
import { loadSlaPolicy } from '#cases';
import { createPool, DATABASES, MAIN_POOL, type Databases } from '#database';
import { ORG_TREE, SLA_POLICY } from '#domain';
import { EVENT_STORE, EsdbEventStore, migrateEventStore, PostgresEventStore, type AuditableEventStore } from '#event-store';
import { JOB_QUEUES, JobQueues } from '#jobs';
import { CLOCK, LOGGER, Shutdown, type Now } from '#runtime';
import type { AppConfig } from './config.js';
import { openConfiguredDatabases } from './databases.js';

/** What a process runs on, as its entry point (API, worker, CLI) sets it up. */
export interface PlatformOptions {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly now: Now;
  /** Where every part registers its closing; run when the application closes, or when start-up fails. */
  readonly shutdown: Shutdown;
  /** Connections to the events and read-model database. */
  readonly poolSize: number;
  readonly applicationName?: string;
  /**
   * After each append, tell the other processes on the database (NOTIFY), so their
   * subscriptions wake at once (the engine); a one-off tool that appends nothing need not.
   */
  readonly notifyOtherProcesses: boolean;
  /** Open the job queues: the engine does, the CLI's reading commands do not. */
  readonly jobs: boolean;
}

/** Runs the registered closing steps when Nest closes the application (after the HTTP server has stopped). */
@Injectable()
class CloseOnShutdown implements OnApplicationShutdown {
  constructor(@Inject(Shutdown) private readonly shutdown: Shutdown) {}

  onApplicationShutdown(): Promise<void> {
    return this.shutdown.run();
  }
}

/**
 * What every capability runs on: the time, the log, the configuration files (org tree, SLA
 * policy), the databases (embedded or configured), the pool, the event store and the job queues.
 * Global, by the tokens of #runtime, #domain, #database, #event-store and #jobs.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const { config, logger, shutdown } = options;
    return {
      module: PlatformModule,
      global: true,
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: CLOCK, useValue: options.now },
        { provide: Shutdown, useValue: shutdown },
        CloseOnShutdown,
        { provide: SLA_POLICY, useFactory: () => loadSlaPolicy(config.slaPolicyFile) },
        { provide: ORG_TREE, useFactory: () => loadOrgTree(config.orgFile) },
        {
          provide: DATABASES,
          // The configuration files first: a bad one stops start-up before any database starts.
          inject: [SLA_POLICY, ORG_TREE],
          useFactory: async (): Promise<Databases> => {
            const databases = await openConfiguredDatabases(config, logger);
            shutdown.add('databases', () => databases.stop());
            const { embedded } = databases;
            if (embedded?.sharedWith != null) logger.info({ port: embedded.port, dataDir: config.dataDir, ownerPid: embedded.sharedWith }, 'sharing the embedded PostgreSQL another process started');
            else if (embedded) logger.info({ port: embedded.port, dataDir: config.dataDir }, 'embedded PostgreSQL started');
            return databases;
          },
        },
        {
          provide: MAIN_POOL,
          inject: [DATABASES],
          useFactory: (databases: Databases) => {
            const pool = createPool(databases.mainUrl, {
              max: options.poolSize,
              applicationName: options.applicationName,
              acquireTimeoutMs: config.databaseAcquireTimeoutMs,
              onError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
            });
            shutdown.add('database pool', () => pool.end());
            return pool;
          },
        },
        {
          provide: EVENT_STORE,
          inject: [MAIN_POOL],
          useFactory: async (pool: pg.Pool) => {
            const store = await openEventStore(config, pool, options.notifyOtherProcesses);
            shutdown.add('event store', () => store.close());
            logger.info({ eventStore: store instanceof EsdbEventStore ? 'EventStoreDB' : 'PostgreSQL' }, 'event store open');
            return store;
          },
        },
        ...(options.jobs
          ? [
              {
                provide: JOB_QUEUES,
                // After the event store, so that the queues (and the workers' jobs in hand) close before it.
                inject: [DATABASES, EVENT_STORE],
                useFactory: async (databases: Databases) => {
                  const queues = await JobQueues.open({
                    redisUrl: config.redisUrl,
                    postgresUrl: databases.jobsUrl,
                    onError: (source, error) => logger.warn({ err: error, source }, 'job queue error'),
                  });
                  shutdown.add('job queues', () => queues.close());
                  logger.info({ backend: queues.backend }, 'job queues open');
                  return queues;
                },
              },
            ]
          : []),
      ],
      exports: [LOGGER, CLOCK, Shutdown, SLA_POLICY, ORG_TREE, DATABASES, MAIN_POOL, EVENT_STORE, ...(options.jobs ? [JOB_QUEUES] : [])],
    };
  }
}

/**
 * The events in EventStoreDB / KurrentDB when EVENTSTORE_URL is set (the read models, checkpoints,
 * timers and accounts stay in PostgreSQL, on the pool), else in PostgreSQL beside them.
 */
async function openEventStore(config: AppConfig, pool: pg.Pool, notify: boolean): Promise<AuditableEventStore> {
  if (config.eventStoreUrl !== undefined) {
    const store = new EsdbEventStore({ url: config.eventStoreUrl });
    try {
      await store.assertReachable();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  await migrateEventStore(pool);
  return new PostgresEventStore({ pool, notify });
}
