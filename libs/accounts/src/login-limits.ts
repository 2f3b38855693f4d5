import { isIPv4, isIPv6 } from 'node:net';
import type { Pool } from 'pg';
import { inTransaction, lockKey, runMigrations, type Migration } from '#database';
import { LoginThrottledError } from './errors.js';
import { migrateAccounts } from './users.js';

/**
 * The login limits of API.md, counted in PostgreSQL (table login_attempts) so that every API
 * replica sees the same counts. Failures are counted three ways: per username and client address
 * (the pair), per client address over all usernames, and per username over all addresses. Each
 * attempt is booked as a failure before its password is checked, in one transaction holding
 * advisory locks on the username and the address (taken in a fixed order, so two bookings never
 * wait on each other in a circle): so N parallel guesses get no more tries than the limit. An
 * attempt refused by a limit is not booked, so hammering a limit does not extend it.
 *
 * Rows older than the longest window count for nothing and are pruned: those of the keys a
 * booking touches in its own transaction, and every old row by a sweep that a booking runs when
 * the last sweep of this process is `sweepEverySeconds` old (no logins: no new rows, nothing to
 * sweep).
 */

export interface LoginLimit {
  /** Failures within the window at which further attempts are refused. */
  readonly maxFailures: number;
  /** The window, in seconds. */
  readonly windowSeconds: number;
}

export interface LoginLimitsOptions {
  /** Per username and client address (default 5 in 15 minutes). */
  readonly pair?: LoginLimit;
  /** Per client address, over all usernames (default 20 in 10 minutes). */
  readonly address?: LoginLimit;
  /** Per username, over all addresses (default 50 in an hour). */
  readonly username?: LoginLimit;
  /** How often a booking also sweeps every old row away (default 10 minutes). */
  readonly sweepEverySeconds?: number;
  /** Told when a sweep fails; the login goes on, and the next booking sweeps again. */
  readonly onSweepError?: (error: unknown) => void;
}

export const DEFAULT_LOGIN_LIMITS = {
  pair: { maxFailures: 5, windowSeconds: 15 * 60 },
  address: { maxFailures: 20, windowSeconds: 10 * 60 },
  username: { maxFailures: 50, windowSeconds: 60 * 60 },
} as const satisfies Record<string, LoginLimit>;

const DEFAULT_SWEEP_EVERY_SECONDS = 10 * 60;

/** A booked attempt: what a successful login hands back to clear or withdraw it. */
export interface LoginBooking {
  readonly id: string;
  readonly username: string | null;
  readonly address: string;
}

const LOGIN_LIMITS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'login attempts per username and address',
    up: `
      CREATE TABLE login_attempts (
        id        bigserial PRIMARY KEY,
        username  text NULL,
        address   text NOT NULL,
        failed_at timestamptz NOT NULL
      );
      CREATE INDEX login_attempts_pair ON login_attempts (username, address, failed_at);
      CREATE INDEX login_attempts_address ON login_attempts (address, failed_at);
      CREATE INDEX login_attempts_username ON login_attempts (username, failed_at) WHERE username IS NOT NULL;
      CREATE INDEX login_attempts_failed_at ON login_attempts (failed_at);
      DROP TABLE IF EXISTS login_failures;`,
  },
];

/**
 * Brings the login-limits table up to date. The accounts tables first: their first step made the
 * per-username table this one replaces, which its own step then drops.
 */
export async function migrateLoginLimits(pool: Pool): Promise<void> {
  await migrateAccounts(pool);
  await runMigrations(pool, 'login-limits', LOGIN_LIMITS_MIGRATIONS);
}

/**
 * The key a client address is counted under: IPv4 (also written as IPv4-mapped IPv6) as is, and
 * IPv6 by its /64 network, since one subscriber commonly holds a whole /64 and could otherwise
 * take a fresh address for every few guesses. Anything else (no address) is counted as it is.
 */
export function clientAddressKey(address: string): string {
  const text = typeof address === 'string' ? address.trim().replace(/%.*$/, '').toLowerCase() : '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(text)) return text;
  if (isIPv6(text)) return `${ipv6Groups(text).slice(0, 4).join(':')}::/64`;
  return text.slice(0, 100) || 'unknown';
}

/** The eight groups of a valid IPv6 address, in hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  // An IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) stands for the last two groups.
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, c: string, d: string) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((n) => n.toString(16)).join(':'),
  );
  const [head = '', tail] = text.split('::');
  const parts = (side: string | undefined) => (side ? side.split(':') : []);
  const zeros = tail === undefined ? [] : Array<string>(8 - parts(head).length - parts(tail).length).fill('0');
  return [...parts(head), ...zeros, ...parts(tail)].map((group) => parseInt(group, 16).toString(16));
}

function checkLimit(name: string, limit: LoginLimit): LoginLimit {
  const { maxFailures, windowSeconds } = limit;
  if (!Number.isInteger(maxFailures) || maxFailures < 1) throw new RangeError(`${name}.maxFailures must be a positive integer, not ${maxFailures}`);
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new RangeError(`${name}.windowSeconds must be a positive integer, not ${windowSeconds}`);
  return { maxFailures, windowSeconds };
}

/** The keys under which reached limits are remembered. */
function reachedKeys(username: string | null, address: string) {
  return { pair: `pair:${username}|${address}`, address: `address:${address}`, username: `username:${username}` };
}

/** How many reached limits each process remembers (see LoginLimits.reached). */
const REACHED_LIMITS_KEPT = 100_000;

export class LoginLimits {
  private readonly pair: LoginLimit;
  private readonly address: LoginLimit;
  private readonly username: LoginLimit;
  /** Rows older than this count for no limit. */
  private readonly keepMs: number;
  private readonly sweepEveryMs: number;
  private readonly onSweepError: (error: unknown) => void;
  /** When this process last swept (on the callers' clock), or never. */
  private lastSweepAt: number | undefined;
  /**
   * Limits this process has seen reached, by key: when they were seen and when they free. A
   * reached limit frees only as its failures leave the window (a right password cannot clear a
   * pair that is refused before its password is looked at), so until then an attempt is refused
   * here without a round trip: a flood of refused logins costs the database nothing.
   */
  private readonly reached = new Map<string, { readonly seenAt: number; readonly freedAt: number }>();

  constructor(
    private readonly pool: Pool,
    options: LoginLimitsOptions = {},
  ) {
    this.pair = checkLimit('pair', options.pair ?? DEFAULT_LOGIN_LIMITS.pair);
    this.address = checkLimit('address', options.address ?? DEFAULT_LOGIN_LIMITS.address);
    this.username = checkLimit('username', options.username ?? DEFAULT_LOGIN_LIMITS.username);
    this.keepMs = Math.max(this.pair.windowSeconds, this.address.windowSeconds, this.username.windowSeconds) * 1000;
    const sweepEverySeconds = options.sweepEverySeconds ?? DEFAULT_SWEEP_EVERY_SECONDS;
    if (!(sweepEverySeconds > 0)) throw new RangeError(`sweepEverySeconds must be positive, not ${sweepEverySeconds}`);
    this.sweepEveryMs = sweepEverySeconds * 1000;
    this.onSweepError = options.onSweepError ?? (() => undefined);
  }

  /**
   * Books an attempt as a failure, or throws LoginThrottledError when a limit is reached already
   * (with the seconds until that limit frees; the longest, when several are reached), booking
   * nothing. `username` is the normal form, or null for a name no account can have: that counts
   * for the address only. `at` is milliseconds since the epoch.
   */
  async book(username: string | null, clientAddress: string, at: number): Promise<LoginBooking> {
    const address = clientAddressKey(clientAddress);
    const keys = reachedKeys(username, address);
    const known = this.knownRefusal(username, clientAddress, at);
    if (known !== null) throw new LoginThrottledError(known);
    const oldest = new Date(at - this.keepMs);
    const outcome = await inTransaction(this.pool, async (client) => {
      const locks = [`login.address:${address}`, ...(username === null ? [] : [`login.username:${username}`])].map((name) => BigInt(lockKey(name)));
      for (const key of locks.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) await client.query('SELECT pg_advisory_xact_lock($1)', [key.toString()]);
      await client.query('DELETE FROM login_attempts WHERE (address = $1 OR username = $2) AND failed_at <= $3', [address, username, oldest]);
      // For each limit: the failure whose leaving the window frees it, when the window holds maxFailures of them.
      const { rows } = await client.query<{ pair: Date | null; address: Date | null; username: Date | null }>(
        `SELECT
           (SELECT failed_at FROM login_attempts WHERE username = $1 AND address = $2 AND failed_at > $3 ORDER BY failed_at DESC OFFSET $4 LIMIT 1) AS pair,
           (SELECT failed_at FROM login_attempts WHERE address = $2 AND failed_at > $5 ORDER BY failed_at DESC OFFSET $6 LIMIT 1) AS address,
           (SELECT failed_at FROM login_attempts WHERE username = $1 AND failed_at > $7 ORDER BY failed_at DESC OFFSET $8 LIMIT 1) AS username`,
        [
          username,
          address,
          ...[this.pair, this.address, this.username].flatMap(({ maxFailures, windowSeconds }) => [new Date(at - windowSeconds * 1000), maxFailures - 1]),
        ],
      );
      const found = rows[0]!;
      const freedAt = (
        [
          [found.pair, this.pair, keys.pair],
          [found.address, this.address, keys.address],
          [found.username, this.username, keys.username],
        ] as const
      ).flatMap(([failedAt, limit, key]) => {
        if (!failedAt) return [];
        const freed = failedAt.getTime() + limit.windowSeconds * 1000;
        this.remember(key, at, freed);
        return [freed];
      });
      if (freedAt.length > 0) return { retryAfterSeconds: Math.max(1, Math.ceil((Math.max(...freedAt) - at) / 1000)) };
      const inserted = await client.query<{ id: string }>('INSERT INTO login_attempts (username, address, failed_at) VALUES ($1, $2, $3) RETURNING id', [
        username,
        address,
        new Date(at),
      ]);
      return { booking: { id: inserted.rows[0]!.id, username, address } };
    });
    await this.sweepIfDue(at);
    if (!outcome.booking) throw new LoginThrottledError(outcome.retryAfterSeconds);
    return outcome.booking;
  }

  /**
   * The seconds to wait when this process already knows a limit on this attempt reached (the
   * address's alone, for a null username), else null: the database decides. Cheap enough to ask
   * before a request is even read.
   */
  knownRefusal(username: string | null, clientAddress: string, at: number): number | null {
    const keys = reachedKeys(username, clientAddressKey(clientAddress));
    const freedAt = this.knownFreedAt(username === null ? [keys.address] : [keys.pair, keys.address, keys.username], at);
    return freedAt === null ? null : Math.max(1, Math.ceil((freedAt - at) / 1000));
  }

  /** The latest time one of these limits, known to be reached, frees; null when none is known reached at `at`. */
  private knownFreedAt(keys: readonly string[], at: number): number | null {
    let latest: number | null = null;
    for (const key of keys) {
      const known = this.reached.get(key);
      if (!known) continue;
      // Only forward from when it was seen: a caller's clock that went back (a test's) asks the database again.
      if (at >= known.seenAt && at < known.freedAt) latest = Math.max(latest ?? 0, known.freedAt);
      else if (at >= known.freedAt) this.reached.delete(key);
    }
    return latest;
  }

  private remember(key: string, seenAt: number, freedAt: number): void {
    this.reached.delete(key);
    // Bounded: a flood from many addresses forgets the oldest first, and those ask the database again.
    if (this.reached.size >= REACHED_LIMITS_KEPT) this.reached.delete(this.reached.keys().next().value!);
    this.reached.set(key, { seenAt, freedAt });
  }

  /** After a right password: clears the failures of this username from this address, and only those. */
  async clearPair(booking: LoginBooking): Promise<void> {
    if (booking.username === null) return;
    await this.pool.query('DELETE FROM login_attempts WHERE username = $1 AND address = $2', [booking.username, booking.address]);
  }

  /** After a right password where no failure may be cleared: withdraws only this attempt's booking. */
  async withdraw(booking: LoginBooking): Promise<void> {
    await this.pool.query('DELETE FROM login_attempts WHERE id = $1', [booking.id]);
  }

  /** Deletes the failures older than the longest window; returns how many. */
  async prune(at: number): Promise<number> {
    const result = await this.pool.query('DELETE FROM login_attempts WHERE failed_at <= $1', [new Date(at - this.keepMs)]);
    return result.rowCount ?? 0;
  }

  private async sweepIfDue(at: number): Promise<void> {
    if (this.lastSweepAt !== undefined && at >= this.lastSweepAt && at - this.lastSweepAt < this.sweepEveryMs) return;
    try {
      await this.prune(at);
      this.lastSweepAt = at;
    } catch (error) {
      this.onSweepError(error);
    }
  }
}
