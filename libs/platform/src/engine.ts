import type { Logger } from 'pino';
import type pg from 'pg';
import { DemoOrgTreeError, LoginService, UserStore, loadOrCreateJwtSecret, loadOrgTree, migrateAccounts, type DemoAccount } from '#accounts';
import { CaseNumbers, CaseQueries, CaseReader, CaseRepository, ExecuteCaseCommandHandler, IdempotencyStore, IdempotentFiling, loadSlaPolicy } from '#cases';
import { createPool, type Databases } from '#database';
import { calendarOf, type OrgTree, type SlaPolicy } from '#domain';
import { migrateEventStore, PostgresEventStore } from '#event-store';
import { JobQueues } from '#jobs';
import {
  EmailChannel,
  InAppBacklog,
  NOTIFICATION_REACTOR,
  InAppNotifications,
  NOTIFY_QUEUES,
  NotificationDelivery,
  NotificationReactor,
  WebhookChannel,
  type NotifyJob,
} from '#notifications';
import { ProjectionRunner } from '#projections';
import { CaseStatistics } from '#reporting';
import { SLA_QUEUE, SlaJobs, SlaTimerReactor, SlaTimerRunner, SlaTimerTable, SlaTimerWorker, type SlaTimerJob } from '#sla';
import { ConfigError, type AppConfig } from './config.js';
import { openConfiguredDatabases } from './databases.js';
import { readModels } from './read-models.js';

/**
 * Everything the engine runs on, built once at start-up outside NestJS: the databases (embedded
 * or configured), the event store, the read models and their runner, accounts and the org tree.
 * The HTTP module only receives these; closing the engine releases them in reverse order.
 */
export interface Engine {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly databases: Databases;
  readonly pool: pg.Pool;
  readonly store: PostgresEventStore;
  readonly org: OrgTree;
  readonly policy: SlaPolicy;
  readonly users: UserStore;
  readonly login: LoginService;
  readonly numbers: CaseNumbers;
  /** Cases as they stand now, folded incrementally. */
  readonly cases: CaseRepository;
  /** The one way to read a case: load, fold once, check the reader's scope. */
  readonly reader: CaseReader;
  readonly queries: CaseQueries;
  /** Statistics and the information officers' appraisal, over their own read model. */
  readonly statistics: CaseStatistics;
  readonly projections: ProjectionRunner;
  /** Filing with an Idempotency-Key. */
  readonly filing: IdempotentFiling;
  readonly notifications: InAppNotifications;
  /** The in-app deliveries still to run: what a notifications read with minPosition waits for. */
  readonly inAppBacklog: InAppBacklog;
  /** BullMQ: SLA timer ticks and escalations, notification deliveries. */
  readonly queues: JobQueues;
  readonly slaTimers: SlaTimerReactor;
  /** The demo accounts when demo data is on (their password is config.demoPassword). */
  readonly demoAccounts: readonly DemoAccount[];
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Run the BullMQ workers in this process (`npm start`), or leave them to `apps/worker`. */
  readonly workers: boolean;
  /** The current time; tests drive it. */
  readonly now?: () => Date;
}

export async function startEngine(config: AppConfig, logger: Logger, options: EngineOptions = { workers: true }): Promise<Engine> {
  const now = options.now ?? (() => new Date());
  // Configuration files first: a bad one stops start-up before anything is started.
  const policy = await loadSlaPolicy(config.slaPolicyFile);
  const org = await loadOrgTree(config.orgFile);
  const databases = await openConfiguredDatabases(config, logger);
  const { embedded } = databases;
  if (embedded?.sharedWith != null) logger.info({ port: embedded.port, dataDir: config.dataDir, ownerPid: embedded.sharedWith }, 'sharing the embedded PostgreSQL another process started');
  else if (embedded) logger.info({ port: embedded.port, dataDir: config.dataDir }, 'embedded PostgreSQL started');

  const pool = createPool(databases.mainUrl, { max: 40, onError: (error) => logger.warn({ err: error }, 'idle database connection failed') });
  const closers: (() => Promise<void>)[] = [() => databases.stop(), () => pool.end()];
  const closeAll = async () => {
    for (const close of [...closers].reverse()) await close().catch((error: unknown) => logger.error({ err: error }, 'error while shutting down'));
  };

  try {
    await migrateEventStore(pool);
    await migrateAccounts(pool);
    const idempotency = new IdempotencyStore(pool);
    await idempotency.migrate();
    const notifications = new InAppNotifications(pool);
    await notifications.migrate();

    const store = new PostgresEventStore({ pool });
    closers.push(() => store.close());
    const users = new UserStore(pool, { isKnownUnit: (unitId) => org.has(unitId) });
    const secret = await loadOrCreateJwtSecret({ env: config.jwtSecret, dataDir: config.dataDir });
    const login = new LoginService({ pool, users, secret });
    const demoAccounts = config.demo ? await users.ensureDemoAccounts(config.demoPassword).catch(explainDemoOrgTree) : [];

    const numbers = new CaseNumbers(pool);
    const cases = new CaseRepository(store, policy);

    const queues = await JobQueues.open({
      redisUrl: config.redisUrl,
      postgresUrl: databases.jobsUrl,
      onError: (source, error) => logger.warn({ err: error, source }, 'job queue error'),
    });
    closers.push(() => queues.close());
    logger.info({ backend: queues.backend }, 'job queues open');
    const { notify } = config;
    const notifyQueues = {
      inApp: queues.queue<NotifyJob>(NOTIFY_QUEUES.inApp),
      ...(notify.webhook ? { webhook: queues.queue<NotifyJob>(NOTIFY_QUEUES.webhook) } : {}),
      ...(notify.email ? { email: queues.queue<NotifyJob>(NOTIFY_QUEUES.email) } : {}),
    };

    const slaTimerTable = new SlaTimerTable(pool);
    const slaJobs = new SlaJobs(queues.queue<SlaTimerJob>(SLA_QUEUE), now);
    const slaTimers = new SlaTimerReactor(store, cases, policy, slaTimerTable, slaJobs);
    const projections = new ProjectionRunner(
      pool,
      store,
      [
        ...readModels(policy),
        slaTimers,
        new NotificationReactor(store, org, policy, notifyQueues, notify.retryBaseMs),
      ],
      { onError: (projection, error) => logger.error({ err: error, projection }, 'projection failed; it will retry') },
    );
    await projections.start();
    closers.push(() => projections.stop());

    if (options.workers) {
      // The same one command path as the API's, for the system's own moves.
      const commands = new ExecuteCaseCommandHandler(store, org, numbers, cases);
      const sla = new SlaTimerWorker((command) => commands.execute(command), cases, now);
      const runner = new SlaTimerRunner(slaTimerTable, slaJobs, sla, now, {
        onError: (error) => logger.warn({ err: error }, 'SLA timer error'),
      });
      queues.worker<SlaTimerJob>(SLA_QUEUE, runner.process, { concurrency: 8 });
      runner.startSweeping();
      // Runs before the queues close: a tick in hand stops after its batch.
      closers.push(() => runner.stop());
      const delivery = new NotificationDelivery(pool, {
        inApp: notifications,
        webhook: notify.webhook ? new WebhookChannel(notify.webhook.url, notify.webhook.secret, { timeoutMs: notify.webhook.timeoutMs }) : undefined,
        email: notify.email ? new EmailChannel(notify.email.smtpUrl, notify.email.from, notify.email) : undefined,
      });
      queues.worker<NotifyJob>(NOTIFY_QUEUES.inApp, (job) => delivery.inApp(job), { concurrency: 4 });
      if (notify.webhook) queues.worker<NotifyJob>(NOTIFY_QUEUES.webhook, (job) => delivery.webhook(job), { concurrency: 4 });
      if (notify.email) queues.worker<NotifyJob>(NOTIFY_QUEUES.email, (job) => delivery.email(job), { concurrency: 2 });
    }

    // The timer rows live beside the log; when the queue store has lost its ticks (a new Redis,
    // say), announce them again from the rows.
    const timers = await queues.counts(SLA_QUEUE);
    if (timers.waiting + timers.delayed + timers.active === 0) {
      slaTimers.announcePending().then(
        (ticks) => ticks > 0 && logger.info({ ticks }, 'the SLA timer queue was empty: announced the pending timers again'),
        (error: unknown) => logger.error({ err: error }, 'announcing the pending SLA timers failed; run timers:rebuild'),
      );
    }

    return {
      config,
      logger,
      databases,
      pool,
      store,
      org,
      policy,
      users,
      login,
      numbers,
      cases,
      reader: new CaseReader(store, cases, org, policy),
      queries: new CaseQueries(pool),
      statistics: new CaseStatistics(pool, org, users, calendarOf(policy)),
      projections,
      filing: new IdempotentFiling(idempotency, store),
      notifications,
      // Its reads are paced by the wall clock, not the engine's (which tests hold still).
      inAppBacklog: new InAppBacklog(notifyQueues.inApp, (position, timeoutMs) => projections.waitFor(position, timeoutMs, [NOTIFICATION_REACTOR])),
      queues,
      slaTimers,
      demoAccounts,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Demo data on a city's own org tree is a configuration mistake: say which setting to change. */
function explainDemoOrgTree(error: unknown): never {
  if (!(error instanceof DemoOrgTreeError)) throw error;
  throw new ConfigError(
    'MINYI_DEMO',
    `the demo accounts work at units this org tree lacks (${error.missingUnitIds.join(', ')}): with your own MINYI_ORG_FILE set MINYI_DEMO=0, and create the first admin with npm run cli -- add-user`,
  );
}
