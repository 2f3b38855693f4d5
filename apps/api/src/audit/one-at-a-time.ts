import type { Pool } from 'pg';
import { ifLockFree } from '#database';

/** The advisory lock that whole-store verification and anchors share: one walk of the store at a time per installation. */
export const WHOLE_STORE_WALK_LOCK = 'audit:whole-store';

/** How long a caller refused for work already running is asked to wait. */
export const BUSY_RETRY_AFTER_SECONDS = 10;

/** Work that runs one at a time per installation is already running, in this process or another on the same database: 429 with Retry-After. */
export class BusyError extends Error {
  readonly code = 'busy';
  readonly retryAfterSeconds = BUSY_RETRY_AFTER_SECONDS;

  /** `running` says what is already running; `instead` (optional), what the caller may do meanwhile. */
  constructor(running: string, instead = '') {
    super(`${running} on this installation; only one runs at a time: try again in ${BUSY_RETRY_AFTER_SECONDS} seconds${instead ? `, ${instead}` : ''}`);
    this.name = 'BusyError';
  }
}

/**
 * Runs a walk over the whole store (verification, an anchor) if no other is running anywhere on
 * the installation; else refuses at once (BusyError: 429 with Retry-After). Each
 * walk reads every event, so two at once only slow each other and every other reader down.
 */
export function oneWalkAtATime<T>(pool: Pick<Pool, 'connect'>, walk: () => Promise<T>): Promise<T> {
  return oneAtATime(pool, WHOLE_STORE_WALK_LOCK, () => new BusyError('a whole-store verification or anchor is already running'), walk);
}

/**
 * Runs `work` holding the advisory lock `lock` if no session of the installation holds it; else
 * throws `busy()` at once (an error with code `busy`: 429, with Retry-After from its `retryAfterSeconds`).
 */
export async function oneAtATime<T>(pool: Pick<Pool, 'connect'>, lock: string, busy: () => Error, work: () => Promise<T>): Promise<T> {
  const run = await ifLockFree(pool, lock, work);
  if (!run.ran) throw busy();
  return run.value;
}
