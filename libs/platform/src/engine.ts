import { type DynamicModule, Inject, Injectable, type INestApplicationContext, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { setTimeout as delay } from 'node:timers/promises';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import type pg from 'pg';
import { AccountsModule, CredentialStore, DemoOrgTreeError } from '#accounts';
import { CasesModule } from '#cases';
import { MAIN_POOL } from '#database';
import { SLA_POLICY, type SlaPolicy } from '#domain';
import { EVENT_STORE, type AuditableEventStore } from '#event-store';
import { JOB_QUEUES, type JobQueues } from '#jobs';
import { InAppBacklog, NOTIFICATION_REACTOR, NOTIFY_QUEUE_SET, NotificationReactor, NotificationsModule, NotificationWorkers, type NotifyQueueSet } from '#notifications';
import { ProjectionRunner } from '#projections';
import { PublicChannelModule } from '#public-channel';
import { ReportingModule } from '#reporting';
import { LOGGER, Shutdown, type Now } from '#runtime';
import { SLA_QUEUE, SlaModule, SlaTimerReactor, SlaWorkers } from '#sla';
import { ConfigError, type AppConfig } from './config.js';
import { PinoNestLogger } from './logger.js';
import { PlatformModule } from './platform.module.js';
import { readModels } from './read-models.js';

/** How a process runs the engine. */
export interface EngineOptions {
  /** Run the BullMQ workers in this process (`npm start`), or leave them to `apps/worker`. */
  readonly workers: boolean;
  /** The current time; tests drive it. */
  readonly now?: Now;
}

/** Everything the engine module needs from the process that composes it. */
export interface EngineSettings {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly now: Now;
  readonly shutdown: Shutdown;
  readonly workers: boolean;
}

const RUN_WORKERS = Symbol('RunWorkers');

/**
 * Once the application is up (the command handlers are registered on the CommandBus by then):
 * the workers, when this process runs them, and the SLA ticks again when the queue lost them.
 */
@Injectable()
class EngineStart implements OnApplicationBootstrap {
  constructor(
    @Inject(RUN_WORKERS) private readonly runWorkers: boolean,
    @Inject(JOB_QUEUES) private readonly queues: JobQueues,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly shutdown: Shutdown,
    private readonly slaWorkers: SlaWorkers,
    private readonly notificationWorkers: NotificationWorkers,
    private readonly slaTimers: SlaTimerReactor,
    private readonly credentials: CredentialStore,
  ) {}

  /**
   * Waits (up to 30 s) until the accounts read model shows every account, so that the first
   * requests after a start that made accounts (the demo ones, say) find them listed and notified.
   */
  private async awaitAccountsShown(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while ((await this.credentials.accountsNotYetShown()) > 0) {
      if (Date.now() > deadline) {
        this.logger.warn('the accounts read model has not caught up after 30 s: some accounts may be missing from lists for a while');
        return;
      }
      await delay(50);
    }
  }

  private workersStarted = false;

  /** Starts this process's workers, once. */
  startWorkers(): void {
    if (this.workersStarted) return;
    this.workersStarted = true;
    // The workers close before the projections, the queues and the pool, so that the jobs in
    // hand finish while the command path still works (the SLA runner, registered after them,
    // stops its tick in hand first).
    this.shutdown.add('workers', () => this.queues.closeWorkers());
    this.slaWorkers.start();
    this.notificationWorkers.start();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.awaitAccountsShown();
    if (this.runWorkers) this.startWorkers();
    // The timer rows live beside the log; when the queue store has lost its ticks (a new Redis,
    // say), announce them again from the rows.
    const timers = await this.queues.counts(SLA_QUEUE);
    if (timers.waiting + timers.delayed + timers.active === 0) {
      this.slaTimers.announcePending().then(
        (ticks) => ticks > 0 && this.logger.info({ ticks }, 'the SLA timer queue was empty: announced the pending timers again'),
        (error: unknown) => this.logger.error({ err: error }, 'announcing the pending SLA timers failed; run timers:rebuild'),
      );
    }
  }
}

/**
 * The workers of a process that started the engine without them (`workers: false`) and runs them
 * after all, once it is ready: after seeding the demo cases, say, so that no timer fires on a
 * case half-way through its seeded history.
 */
export function startEngineWorkers(app: INestApplicationContext): void {
  app.get(EngineStart).startWorkers();
}

/**
 * The engine: every capability module over the platform, the projections that keep the read
 * models and drive the reactors, and (where the process runs them) the workers. The API, the
 * worker and the CLI's engine commands all compose this one module.
 */
@Module({})
export class EngineModule {
  static forRoot(settings: EngineSettings): DynamicModule {
    const { config, logger, shutdown } = settings;
    return {
      module: EngineModule,
      imports: [
        PlatformModule.forRoot({ config, logger, now: settings.now, shutdown, poolSize: 40, notifyOtherProcesses: true, jobs: true }),
        CqrsModule.forRoot(),
        AccountsModule.forRoot({
          login: { jwtSecret: config.jwtSecret, dataDir: config.dataDir },
          demo: config.demo ? { password: config.demoPassword } : undefined,
          passwordHashLog2N: config.passwordHashLog2N,
        }),
        CasesModule,
        ReportingModule,
        SlaModule,
        NotificationsModule.forRoot(config.notify),
        PublicChannelModule.forRoot({ kinds: config.publicKinds, secret: { jwtSecret: config.jwtSecret, dataDir: config.dataDir } }),
      ],
      providers: [
        { provide: RUN_WORKERS, useValue: settings.workers },
        {
          provide: ProjectionRunner,
          inject: [MAIN_POOL, EVENT_STORE, SLA_POLICY, SlaTimerReactor, NotificationReactor],
          useFactory: async (pool: pg.Pool, store: AuditableEventStore, policy: SlaPolicy, slaTimers: SlaTimerReactor, notifications: NotificationReactor) => {
            // The read models (which `rebuild` also replays) and the reactors.
            const runner = new ProjectionRunner(pool, store, [...readModels(policy), slaTimers, notifications], {
              lanes: config.projectionLanes,
              onError: (projection, error) => logger.error({ err: error, projection }, 'projection failed; it will retry'),
            });
            await runner.start();
            shutdown.add('projections', () => runner.stop());
            return runner;
          },
        },
        {
          // The in-app deliveries still to run: what a notifications read with minPosition waits for.
          // Its reads are paced by the wall clock, not the engine's (which tests hold still).
          provide: InAppBacklog,
          inject: [NOTIFY_QUEUE_SET, ProjectionRunner],
          useFactory: (queues: NotifyQueueSet, projections: ProjectionRunner) =>
            new InAppBacklog(queues.inApp, (position, timeoutMs) => projections.waitFor(position, timeoutMs, [NOTIFICATION_REACTOR])),
        },
        EngineStart,
      ],
      exports: [CasesModule, ReportingModule, SlaModule, NotificationsModule, PublicChannelModule, ProjectionRunner, InAppBacklog],
    };
  }
}

/**
 * Starts a Nest application (`create`) over a fresh closing registry; if start-up fails half-way,
 * closes what it had opened (an embedded PostgreSQL above all) and explains a configuration
 * mistake in words.
 */
export async function startComposed<App extends INestApplicationContext>(logger: Logger, create: (shutdown: Shutdown) => Promise<App>): Promise<App> {
  const shutdown = new Shutdown((part, error) => logger.error({ err: error, part }, 'error while shutting down'));
  try {
    return await create(shutdown);
  } catch (error) {
    await shutdown.run();
    throw explainDemoOrgTree(error);
  }
}

/** The engine without HTTP: for the worker process, the CLI's engine commands and tests. Close it with `close()`. */
export function startEngine(config: AppConfig, logger: Logger, options: EngineOptions = { workers: true }): Promise<INestApplicationContext> {
  const now = options.now ?? (() => new Date());
  return startComposed(logger, (shutdown) =>
    NestFactory.createApplicationContext(EngineModule.forRoot({ config, logger, now, shutdown, workers: options.workers }), {
      logger: new PinoNestLogger(logger),
      abortOnError: false,
    }),
  );
}

/** Demo data on a city's own org tree is a configuration mistake: say which setting to change. */
function explainDemoOrgTree(error: unknown): unknown {
  if (!(error instanceof DemoOrgTreeError)) return error;
  return new ConfigError(
    'MINYI_DEMO',
    `the demo accounts work at units this org tree lacks (${error.missingUnitIds.join(', ')}): with your own MINYI_ORG_FILE set MINYI_DEMO=0, and create the first admin with npm run cli -- add-user`,
  );
}

