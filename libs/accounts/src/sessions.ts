import type { Pool } from 'pg';
import { SessionRevokedError } from './errors.js';
import type { Principal } from './types.js';

/** How often each process looks for ended sessions (API.md: refused within 2 s on every process). */
export const SESSION_POLL_MS = 500;
/**
 * How far back each poll looks again: a change whose transaction began before the last poll but
 * committed after it carries an earlier time, and must not be missed.
 */
const POLL_OVERLAP_MS = 30_000;
/** Every how many polls the expired ended sessions are deleted (about every ten minutes). */
const PRUNE_EVERY_POLLS = 1_200;

/**
 * Which tokens are still good, as every API process sees it: each account's
 * `sessions_valid_from` (the revision of its last session-ending event) and the sessions ended by
 * logging out. Kept in memory and refreshed from PostgreSQL every SESSION_POLL_MS, so checking a
 * request costs no query, and a session ended on one process is refused on all within about a
 * second.
 */
export class SessionRegistry {
  private readonly validFrom = new Map<string, number>();
  private readonly ended = new Map<string, number>();
  private polledAt: Date | null = null;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private polls = 0;

  constructor(
    private readonly pool: Pool,
    private readonly onError: (error: unknown) => void = () => undefined,
    /** The engine's clock: tokens expire by it, so ended sessions are forgotten by it too. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Loads everything once, then keeps polling until stop(). */
  async start(pollMs = SESSION_POLL_MS): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch(this.onError);
    }, pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Throws SessionRevokedError when the token's session has ended. */
  check(principal: Principal, nowMs: number): void {
    const endedUntil = this.ended.get(principal.sessionId);
    if (endedUntil !== undefined && endedUntil > nowMs) throw new SessionRevokedError('logged out');
    const validFrom = this.validFrom.get(principal.userId);
    if (validFrom !== undefined && principal.sessionRevision < validFrom) throw new SessionRevokedError('the account changed since this token was issued');
  }

  /** Ends one session (logging out): refused here at once, and on the other processes at their next poll. */
  async end(principal: Principal, expiresAt: Date): Promise<void> {
    await this.pool.query('INSERT INTO ended_sessions (session_id, user_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      principal.sessionId,
      principal.userId,
      expiresAt,
    ]);
    this.ended.set(principal.sessionId, expiresAt.getTime());
  }

  /** Reads what changed since the last poll (one poll at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.poll().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async poll(): Promise<void> {
    const since = this.polledAt === null ? null : new Date(this.polledAt.getTime() - POLL_OVERLAP_MS);
    const { rows: now } = await this.pool.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    const [accounts, sessions] = await Promise.all([
      this.pool.query<{ user_id: string; sessions_valid_from: number }>(
        'SELECT user_id, sessions_valid_from FROM account_credentials WHERE $1::timestamptz IS NULL OR changed_at > $1',
        [since],
      ),
      this.pool.query<{ session_id: string; expires_at: Date }>(
        'SELECT session_id, expires_at FROM ended_sessions WHERE expires_at > $2 AND ($1::timestamptz IS NULL OR ended_at > $1)',
        [since, this.now()],
      ),
    ]);
    for (const row of accounts.rows) this.validFrom.set(row.user_id, Math.max(this.validFrom.get(row.user_id) ?? -1, row.sessions_valid_from));
    for (const row of sessions.rows) this.ended.set(row.session_id, row.expires_at.getTime());
    // Ended sessions whose tokens have expired need remembering no longer.
    const nowMs = this.now().getTime();
    for (const [sessionId, expiresAt] of this.ended) if (expiresAt <= nowMs) this.ended.delete(sessionId);
    this.polledAt = now[0]!.now;
    if (++this.polls % PRUNE_EVERY_POLLS === 0) await this.prune();
  }

  /** Deletes ended sessions whose tokens have expired (a periodic clean-up); returns how many. */
  async prune(): Promise<number> {
    const result = await this.pool.query('DELETE FROM ended_sessions WHERE expires_at <= $1', [this.now()]);
    return result.rowCount ?? 0;
  }
}
