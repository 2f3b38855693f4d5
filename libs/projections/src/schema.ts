import type { PoolClient } from 'pg';

/**
 * Makes sure the given columns of a read-model table are `json`, converting them from `jsonb` on
 * a database created before they were. A read model keeps a case's whole folded state and clocks
 * to carry its fold on; they are only ever read back whole, and parsing them into jsonb was most
 * of the cost of writing a row. The table is resolved through `search_path`, as a rebuild needs.
 */
export async function ensureJsonColumns(client: PoolClient, table: string, columns: readonly string[]): Promise<void> {
  const { rows } = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND column_name = ANY($2) AND data_type = 'jsonb'`,
    [table, columns],
  );
  if (rows.length === 0) return;
  const changes = rows.map(({ column_name }) => `ALTER COLUMN "${column_name}" TYPE json USING "${column_name}"::json`);
  await client.query(`ALTER TABLE "${table}" ${changes.join(', ')}`);
}
