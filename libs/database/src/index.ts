export { startEmbeddedPostgres, ensureDatabase } from './embedded-postgres.js';
export type { EmbeddedPostgresOptions, RunningPostgres } from './embedded-postgres.js';
