import type { Logger } from 'pino';
import type pg from 'pg';
import { LoginService, UserStore, loadOrCreateJwtSecret, loadOrgTree, migrateAccounts, type DemoAccount } from '#accounts';
import { CaseNumbers, CaseQueries, CaseReadModelProjection, CaseRepository, loadSlaPolicy } from '#cases';
import { createPool, openDatabases, type Databases } from '#database';
import type { OrgTree, SlaPolicy } from '#domain';
import { migrateEventStore, PostgresEventStore } from '#event-store';
import { InAppNotifications } from '#notifications';
import { ProjectionRunner } from '#projections';
import type { AppConfig } from './config.js';
import { IdempotencyStore } from '../cases/idempotency.js';

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
  readonly queries: CaseQueries;
  readonly projections: ProjectionRunner;
  readonly idempotency: IdempotencyStore;
  readonly notifications: InAppNotifications;
  /** The demo accounts when demo data is on (their password is config.demoPassword). */
  readonly demoAccounts: readonly DemoAccount[];
  close(): Promise<void>;
}

export async function startEngine(config: AppConfig, logger: Logger): Promise<Engine> {
  // Configuration files first: a bad one stops start-up before anything is started.
  const policy = await loadSlaPolicy(config.slaPolicyFile);
  const org = await loadOrgTree(config.orgFile);
  const databases = await openDatabases({
    databaseUrl: config.databaseUrl,
    jobsDatabaseUrl: config.jobsDatabaseUrl,
    dataDir: config.dataDir,
    onLog: (line) => logger.debug({ component: 'embedded-postgres' }, line),
  });
  if (databases.embedded) logger.info({ port: databases.embedded.port, dataDir: config.dataDir }, 'embedded PostgreSQL started');

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
    const demoAccounts = config.demo ? await users.ensureDemoAccounts(config.demoPassword) : [];

    const projections = new ProjectionRunner(pool, store, [new CaseReadModelProjection(policy)], {
      onError: (projection, error) => logger.error({ err: error, projection }, 'projection failed; it will retry'),
    });
    await projections.start();
    closers.push(() => projections.stop());

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
      numbers: new CaseNumbers(pool),
      cases: new CaseRepository(store, policy),
      queries: new CaseQueries(pool),
      projections,
      idempotency,
      notifications,
      demoAccounts,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
