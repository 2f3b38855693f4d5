import type pg from 'pg';
import { UserStore, loadOrgTree, migrateAccounts } from '#accounts';
import { CaseDirectory, CaseReader, CaseRepository, loadSlaPolicy } from '#cases';
import { createPool } from '#database';
import type { OrgTree, SlaPolicy } from '#domain';
import { migrateEventStore, PostgresEventStore } from '#event-store';
import { createLogger, loadConfig, openConfiguredDatabases } from '#platform';

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
  /** Case numbers, through the case read model. */
  readonly directory: CaseDirectory;
  /** Cases read whole from their streams. */
  readonly reader: CaseReader;
  close(): Promise<void>;
}

export async function openCliContext(): Promise<CliContext> {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const policy = await loadSlaPolicy(config.slaPolicyFile);
  const org = await loadOrgTree(config.orgFile);
  const databases = await openConfiguredDatabases(config, logger);
  const pool = createPool(databases.mainUrl, { max: 4, applicationName: 'minyi-cli', onError: (error) => logger.warn({ err: error }, 'idle database connection failed') });
  const store = new PostgresEventStore({ pool, notify: false });
  const close = async () => {
    await store.close();
    await pool.end();
    await databases.stop();
  };
  try {
    await migrateEventStore(pool);
    await migrateAccounts(pool);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    pool,
    store,
    org,
    policy,
    users: new UserStore(pool, { isKnownUnit: (unitId) => org.has(unitId) }),
    directory: new CaseDirectory(pool),
    reader: new CaseReader(store, new CaseRepository(store, policy), org, policy),
    close,
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
