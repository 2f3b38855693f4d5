import type { Pool } from 'pg';
import { inTransaction } from './transaction.js';

/**
 * Runs a capability's schema statements in one transaction under an advisory lock named after
 * it. CREATE ... IF NOT EXISTS is not safe against itself running concurrently, and several
 * processes may start at once.
 */
export async function migrateUnderLock(pool: Pool, name: string, statements: readonly string[]): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`minyi.${name}.migrate`]);
    for (const statement of statements) await client.query(statement);
  });
}
