import type { Pool } from 'pg';
import { createHash } from 'node:crypto';

/** A stable 64-bit PostgreSQL advisory lock key for a name, the same in every process. */
export function lockKey(name: string): string {
  return BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(`minyi:${name}`).digest('hex').slice(0, 16)}`)).toString();
}

/** What `ifLockFree` did: ran the work (and what it gave), or found the lock held elsewhere. */
export type LockedRun<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

/**
 * Runs `work` holding the session advisory lock `name`, if no session (of this process or any
 * other on the database) holds it: the lock is tried without waiting, on a connection checked out
 * for the whole run and given back unlocked after it. A connection that may still hold the lock
 * (its unlock failed) is destroyed, never handed out again; a connection lost during the run
 * loses the lock with it.
 */
export async function ifLockFree<T>(pool: Pick<Pool, 'connect'>, name: string, work: () => Promise<T>): Promise<LockedRun<T>> {
  const client = await pool.connect();
  const key = lockKey(name);
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]);
    if (!rows[0]?.locked) return { ran: false };
    try {
      return { ran: true, value: await work() };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]).catch((error: Error) => (broken = error));
    }
  } finally {
    client.release(broken);
  }
}
