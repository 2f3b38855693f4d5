import type { Logger } from 'pino';
import { openDatabases, type Databases } from '#database';
import type { AppConfig } from './config.js';

/** The databases the configuration names, or an embedded PostgreSQL under its data dir. */
export function openConfiguredDatabases(config: AppConfig, logger: Logger): Promise<Databases> {
  return openDatabases({
    databaseUrl: config.databaseUrl,
    jobsDatabaseUrl: config.jobsDatabaseUrl,
    dataDir: config.dataDir,
    onLog: (line) => logger.debug({ component: 'embedded-postgres' }, line),
  });
}
