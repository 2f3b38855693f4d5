import type pg from 'pg';
import { UserStore, loadOrgTree, migrateAccounts } from '#accounts';
import { CaseDirectory, loadSlaPolicy } from '#cases';
import { createPool, openDatabases } from '#database';
import type { OrgTree, SlaPolicy } from '#domain';
import { migrateEventStore, PostgresEventStore } from '#event-store';
import { createLogger, loadConfig } from '#platform';

/**
 * What the audit commands read, opened without the rest of the engine: no projections, reactors
 * or job queues run, so verifying, replaying or exporting changes nothing but what the schema
 * migrations (idempotent) would create on a database that has never been used.
 */
export interface AuditContext {
  readonly pool: pg.Pool;
  readonly store: PostgresEventStore;
  readonly org: OrgTree;
  readonly policy: SlaPolicy;
  readonly users: UserStore;
  /** Case numbers, through the case read model. */
  readonly directory: CaseDirectory;
  close(): Promise<void>;
}

export async function openAuditContext(): Promise<AuditContext> {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const policy = await loadSlaPolicy(config.slaPolicyFile);
  const org = await loadOrgTree(config.orgFile);
  const databases = await openDatabases({
    databaseUrl: config.databaseUrl,
    jobsDatabaseUrl: config.jobsDatabaseUrl,
    dataDir: config.dataDir,
    onLog: (line) => logger.debug({ component: 'embedded-postgres' }, line),
  });
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
  return { pool, store, org, policy, users: new UserStore(pool), directory: new CaseDirectory(pool), close };
}

/** Runs `work` with an audit context, closed afterwards whatever happens. */
export async function withAuditContext<T>(work: (context: AuditContext) => Promise<T>): Promise<T> {
  const context = await openAuditContext();
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}
