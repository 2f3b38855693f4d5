import { createHash } from 'node:crypto';

/** A stable 64-bit PostgreSQL advisory lock key for a name, the same in every process. */
export function lockKey(name: string): string {
  return BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(`minyi:${name}`).digest('hex').slice(0, 16)}`)).toString();
}
