export { startEmbeddedPostgres, ensureDatabase, EmbeddedPostgresDataDirError } from './embedded-postgres.js';
export type { EmbeddedPostgresOptions, RunningPostgres } from './embedded-postgres.js';
export { openDatabases, createPool, databaseName, siblingDatabaseUrl } from './databases.js';
export type { DatabaseSettings, Databases } from './databases.js';
export { migrateUnderLock } from './migrate.js';
export { inTransaction } from './transaction.js';
export { DATABASES, MAIN_POOL } from './tokens.js';
