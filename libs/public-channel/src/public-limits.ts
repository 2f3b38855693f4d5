import type { Pool } from 'pg';
import { inTransaction, runMigrations, type Migration } from '#database';
import { clientAddressKey } from '#accounts';

/**
 * What a client address may do on the public routes in a sliding window (API.md, "The resident's
 * channel"): file 5 cases an hour, and guess 10 wrong access codes an hour. Kept in PostgreSQL so
 * that every API process counts the same.
 */
export const PUBLIC_LIMITS = {
  filing: { max: 5, windowSeconds: 3600 },
  wrongCode: { max: 10, windowSeconds: 3600 },
  // Counted per Open311 api_key, not per address: one client app files for many residents.
  open311Filing: { max: 1000, windowSeconds: 3600 },
} as const;
export type PublicLimitName = keyof typeof PUBLIC_LIMITS;

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'public route limits',
    up: `
      CREATE TABLE IF NOT EXISTS public_limit_hits (
        id      bigserial PRIMARY KEY,
        limit_name text NOT NULL,
        address text NOT NULL,
        at      timestamptz NOT NULL
      );
      CREATE INDEX IF NOT EXISTS public_limit_hits_window_idx ON public_limit_hits (limit_name, address, at);
    `,
  },
];

/** A limit reached: 429 with Retry-After. */
export class RateLimitedError extends Error {
  readonly code = 'rate_limited';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

/** A hit counted against a limit, to take back when the act it stood for did not count after all. */
export interface LimitBooking {
  readonly id: string;
}

const REFUSALS: Record<PublicLimitName, string> = {
  filing: 'too many filings from this address; try again later',
  wrongCode: 'too many wrong case numbers or access codes from this address; try again later',
  open311Filing: 'too many filings with this api_key; try again later',
};

/** How often a process deletes the hits that have left every window. */
const PRUNE_EVERY_MS = 10 * 60 * 1000;

export class PublicLimits {
  private lastPrunedAt: number | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly limits: typeof PUBLIC_LIMITS = PUBLIC_LIMITS,
  ) {}

  async migrate(): Promise<void> {
    await runMigrations(this.pool, 'public-limits', MIGRATIONS);
  }

  /**
   * Counts one hit, or refuses (RateLimitedError) when the address has used up the limit.
   * Concurrent requests from one address take turns on a transaction lock, so a burst cannot all
   * pass the count before any is recorded.
   */
  async book(name: PublicLimitName, clientAddress: string, now: Date): Promise<LimitBooking> {
    const address = clientAddressKey(clientAddress);
    const { max, windowSeconds } = this.limits[name];
    await this.pruneIfDue(now);
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`public-limit:${name}:${address}`]);
      const since = new Date(now.getTime() - windowSeconds * 1000);
      const { rows } = await client.query<{ hits: number; oldest: Date | null }>(
        'SELECT count(*)::int AS hits, min(at) AS oldest FROM public_limit_hits WHERE limit_name = $1 AND address = $2 AND at > $3',
        [name, address, since],
      );
      const { hits, oldest } = rows[0]!;
      if (hits >= max) {
        const freeAt = (oldest ?? now).getTime() + windowSeconds * 1000;
        throw new RateLimitedError(REFUSALS[name], Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)));
      }
      const inserted = await client.query<{ id: string }>('INSERT INTO public_limit_hits (limit_name, address, at) VALUES ($1, $2, $3) RETURNING id', [name, address, now]);
      return { id: inserted.rows[0]!.id };
    });
  }

  /** Takes a hit back: the filing was refused, or the code was right after all. */
  async withdraw(booking: LimitBooking): Promise<void> {
    await this.pool.query('DELETE FROM public_limit_hits WHERE id = $1', [booking.id]);
  }

  /** Now and then, as hits come in: the table holds about an hour of them, never more. */
  private async pruneIfDue(now: Date): Promise<void> {
    const at = now.getTime();
    if (this.lastPrunedAt !== undefined && at >= this.lastPrunedAt && at - this.lastPrunedAt < PRUNE_EVERY_MS) return;
    this.lastPrunedAt = at;
    await this.prune(now);
  }

  /** Forgets hits older than every window. */
  async prune(now: Date): Promise<number> {
    const longest = Math.max(...Object.values(this.limits).map((limit) => limit.windowSeconds));
    const { rowCount } = await this.pool.query('DELETE FROM public_limit_hits WHERE at < $1', [new Date(now.getTime() - longest * 1000)]);
    return rowCount ?? 0;
  }
}
