// Integration and end-to-end tests need a real PostgreSQL: TEST_DATABASE_URL when set (a server
// on which the tests may create and drop databases), else an embedded one for this run.
// Jest loads this file outside its TypeScript transform, so it uses the build (`npm test` builds first).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async function globalSetup() {
  if (process.env.TEST_DATABASE_URL || globalThis.__MINYI_TEST_PG__) return;
  let startEmbeddedPostgres;
  try {
    ({ startEmbeddedPostgres } = await import('../../../dist/libs/database/src/embedded-postgres.js'));
  } catch (error) {
    throw new Error(`no build to start an embedded PostgreSQL from: run \`npm run build\` (or \`npm test\`), or set TEST_DATABASE_URL (${error.message})`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'minyi-test-pg-'));
  const server = await startEmbeddedPostgres({ dataDir });
  globalThis.__MINYI_TEST_PG__ = { server, dataDir };
  process.env.TEST_DATABASE_URL = server.url('postgres');
  process.stderr.write(`\n[test] TEST_DATABASE_URL is not set: started an embedded PostgreSQL on port ${server.port} for this run\n`);
}
