import type { Pool, PoolClient } from 'pg';

/** Where a transaction runs: a connection of its own from a pool, or one the caller holds already. */
export type TransactionTarget = Pick<Pool, 'connect'> | PoolClient;

/**
 * Runs `work` in a transaction: COMMIT when it returns, ROLLBACK when it throws (the error is
 * rethrown). `begin` opens the transaction; it may carry an isolation level or SET LOCAL
 * statements, to spend one round trip on them.
 *
 * Given a pool, it checks a connection out for the transaction and releases it afterwards. Given
 * a client the caller holds (to keep a session lock across transactions, say), it leaves the
 * release to the caller. Either way, a connection whose ROLLBACK failed is in an unknown state
 * and is destroyed, never handed out again: released with the error, or, when the caller holds
 * it, ended, so that the pool drops it on the caller's release.
 */
export async function inTransaction<T>(target: TransactionTarget, work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const held = isClient(target);
  const client = held ? target : await target.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    if (!held) client.release(broken);
    else if (broken) await client.end().catch(() => undefined);
  }
}

/** Whether the target is a connection the caller holds (and releases), not a pool. */
export function isClient(target: TransactionTarget): target is PoolClient {
  return typeof (target as Partial<PoolClient>).release === 'function';
}
