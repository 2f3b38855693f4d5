import type { Pool } from 'pg';

/**
 * Runs a capability's schema statements in one transaction under an advisory lock named after
 * it. CREATE ... IF NOT EXISTS is not safe against itself running concurrently, and several
 * processes may start at once.
 */
export async function migrateUnderLock(pool: Pool, name: string, statements: readonly string[]): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`minyi.${name}.migrate`]);
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    // A connection that cannot roll back is not handed out again.
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
