import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh, empty database of its own for one test file, on the server of TEST_DATABASE_URL
 * (started by the global setup when unset). Drop it in afterAll.
 */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

export function testServerUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through `npm test`, whose global setup provides a server');
  return url;
}

export async function createTestDatabase(prefix = 'minyi_test'): Promise<TestDatabase> {
  const server = testServerUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} ENCODING 'UTF8' TEMPLATE template0`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      try {
        // pg's Pool.end() resolves before its connections have closed. Dropping at once would cut
        // them off, and a pool without an error listener throws that as an uncaught error into
        // whichever test runs next: so give them a moment to go first.
        for (let attempt = 0; attempt < 100; attempt++) {
          const { rows } = await client.query<{ open: number }>('SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0]!.open === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
