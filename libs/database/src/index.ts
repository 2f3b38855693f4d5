export { startEmbeddedPostgres, ensureDatabase, EmbeddedPostgresDataDirError } from './embedded-postgres.js';
export type { EmbeddedPostgresOptions, RunningPostgres } from './embedded-postgres.js';
export { openDatabases, createPool, databaseName, siblingDatabaseUrl } from './databases.js';
export type { DatabaseSettings, Databases } from './databases.js';
export { lockKey } from './locks.js';
export { runMigrations, withMigrationLock } from './migrations.js';
export type { Migration, MigrationTarget } from './migrations.js';
export { inTransaction } from './transaction.js';
export { DATABASES, MAIN_POOL } from './tokens.js';
