import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { inTransaction } from '#database';
import type { EventStore } from '#event-store';
import { publicAccount } from './account-commands.js';
import type { CredentialStore } from './credentials.js';
import { InvalidCredentialsError, LoginThrottledError, PasswordChangeRequiredError } from './errors.js';
import { readAccount } from './execute-account-command.js';
import { PasswordHasher } from './password.js';
import type { SessionRegistry } from './sessions.js';
import { DEFAULT_TOKEN_TTL_SECONDS, signAccessToken, verifyAccessToken } from './tokens.js';
import type { Principal, PublicUser } from './types.js';
import { PASSWORD_MAX_LENGTH, USERNAME_PATTERN, normalizeUsername } from './users.js';

/**
 * Signing in and checking bearer tokens.
 *
 * Failed logins are counted per username in PostgreSQL (table login_failures), so every API
 * replica sees the same count. Each attempt is booked as a failure before the password is
 * checked, under a per-username advisory lock, and the booking is cleared when the password is
 * right: so even many parallel guesses get no more than `maxFailures` tries per window.
 * Unknown usernames are counted too, so throttling tells nothing about which accounts exist.
 */

export interface LoginThrottleOptions {
  /** Failed logins within the window after which the username is refused (default 5). */
  readonly maxFailures: number;
  /** The window, in seconds (default 15 minutes). */
  readonly windowSeconds: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { maxFailures: 5, windowSeconds: 15 * 60 };

export interface LoginServiceOptions {
  readonly pool: Pool;
  readonly credentials: CredentialStore;
  /** The event store, to read the account's stream: whether it is enabled, its roles and unit now. */
  readonly store: EventStore;
  readonly sessions: SessionRegistry;
  readonly hasher?: PasswordHasher;
  readonly secret: string;
  /** Access token lifetime in seconds (default 8 hours). */
  readonly tokenTtlSeconds?: number;
  readonly throttle?: Partial<LoginThrottleOptions>;
}

export interface LoginResult {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly user: PublicUser & { readonly enabled: boolean };
  /** The password was reset: this token may only change it (POST /api/v1/me/password) or log out. */
  readonly mustChangePassword: boolean;
}

/** A moment: a Date or milliseconds since the epoch. */
export type Instant = Date | number;

/** How many verified tokens `authenticate` remembers: a few per active user. */
const VERIFIED_TOKENS_KEPT = 10_000;

function toMillis(now: Instant): number {
  const ms = now instanceof Date ? now.getTime() : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new RangeError(`not a valid time: ${String(now)}`);
  return ms;
}

export class LoginService {
  private readonly pool: Pool;
  private readonly credentials: CredentialStore;
  private readonly store: EventStore;
  private readonly sessions: SessionRegistry;
  private readonly hasher: PasswordHasher;
  private readonly secret: string;
  private readonly tokenTtlSeconds: number;
  private readonly throttle: LoginThrottleOptions;
  /** Tokens whose signature has been checked, oldest first. */
  private readonly verified = new Map<string, { readonly principal: Principal; readonly expiresAt: number }>();
  /** Verified against when the username is unknown, so that costs as much as a wrong password. */
  private readonly dummyHash: Promise<string>;

  constructor(options: LoginServiceOptions) {
    this.pool = options.pool;
    this.credentials = options.credentials;
    this.store = options.store;
    this.sessions = options.sessions;
    this.hasher = options.hasher ?? new PasswordHasher();
    this.secret = options.secret;
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    this.throttle = { ...DEFAULT_LOGIN_THROTTLE, ...options.throttle };
    const { maxFailures, windowSeconds } = this.throttle;
    if (!Number.isInteger(maxFailures) || maxFailures < 1) throw new RangeError(`maxFailures must be a positive integer, not ${maxFailures}`);
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new RangeError(`windowSeconds must be a positive integer, not ${windowSeconds}`);
    if (!Number.isInteger(this.tokenTtlSeconds) || this.tokenTtlSeconds < 1) {
      throw new RangeError(`tokenTtlSeconds must be a positive integer, not ${this.tokenTtlSeconds}`);
    }
    if (typeof this.secret !== 'string' || this.secret.length === 0) throw new TypeError('the token secret must be a non-empty string');
    this.dummyHash = this.hasher.hash(randomBytes(18).toString('base64'));
    this.dummyHash.catch(() => undefined);
  }

  /**
   * Checks the password and issues an access token. Throws InvalidCredentialsError for an
   * unknown username and for a wrong password alike, and LoginThrottledError while the username
   * has had too many failures lately (even when the password is right).
   */
  async login(username: string, password: string, now: Instant = Date.now(), _clientAddress?: string): Promise<LoginResult> {
    const at = toMillis(now);
    const key = typeof username === 'string' ? normalizeUsername(username) : '';
    if (!USERNAME_PATTERN.test(key)) {
      // No account can have this name: nothing to count, but answer as for any unknown user.
      await this.verifyDummy();
      throw new InvalidCredentialsError();
    }

    await this.bookAttempt(key, at);

    const credentials = typeof password === 'string' && password.length <= PASSWORD_MAX_LENGTH ? await this.credentials.byUsername(key) : null;
    if (!credentials) {
      await this.verifyDummy();
      throw new InvalidCredentialsError();
    }
    if (!(await this.hasher.verify(password, credentials.passwordHash))) throw new InvalidCredentialsError();
    // The account as its stream says now: a disabled one answers as a wrong password does.
    const { state: account } = await readAccount(this.store, credentials.userId);
    if (!account.exists || !account.enabled) throw new InvalidCredentialsError();

    await this.pool.query('DELETE FROM login_failures WHERE username = $1', [key]);
    if (this.hasher.needsRehash(credentials.passwordHash)) {
      await this.credentials.upgradeHash(credentials.userId, credentials.passwordHash, await this.hasher.hash(password));
    }
    const accessToken = signAccessToken(
      {
        userId: account.userId,
        username: account.username,
        roles: account.roles,
        unitId: account.unitId,
        sessionId: randomUUID(),
        sessionRevision: account.revision,
        mustChangePassword: account.mustChangePassword,
      },
      { secret: this.secret, now: () => at, expiresInSeconds: this.tokenTtlSeconds },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: this.tokenTtlSeconds, user: publicAccount(account), mustChangePassword: account.mustChangePassword };
  }

  /**
   * The principal of a valid bearer token whose session has not ended; throws InvalidTokenError or
   * SessionRevokedError otherwise. No database access: the sessions are checked in memory (see
   * SessionRegistry). A token whose signature has been checked is remembered until it expires,
   * so a client's requests after the first skip the HMAC and the JSON parsing.
   */
  authenticate(token: string, now: Instant = Date.now()): Principal {
    const principal = this.verifiedPrincipal(token, toMillis(now));
    this.sessions.check(principal, toMillis(now));
    return principal;
  }

  /**
   * `authenticate`, and then: a token issued after a password reset passes only where
   * `mayChangePasswordOnly` (reading oneself, changing the password, logging out).
   */
  authorize(token: string, now: Instant, mayChangePasswordOnly: boolean): Principal {
    const principal = this.authenticate(token, now);
    if (principal.mustChangePassword && !mayChangePasswordOnly) throw new PasswordChangeRequiredError();
    return principal;
  }

  /** Ends the token's session: refused from now on, on every process within a second. */
  async logout(token: string, now: Instant = Date.now()): Promise<void> {
    const principal = this.authenticate(token, now);
    const expiresAt = this.verified.get(token)?.expiresAt ?? toMillis(now) + this.tokenTtlSeconds * 1000;
    await this.sessions.end(principal, new Date(expiresAt));
  }

  private verifiedPrincipal(token: string, at: number): Principal {
    const known = this.verified.get(token);
    if (known && at < known.expiresAt) return known.principal;
    // Also for an expired token: verifying it again throws the reason.
    const claims = verifyAccessToken(token, { secret: this.secret, now: () => at });
    const principal: Principal = {
      userId: claims.sub,
      username: claims.username,
      roles: claims.roles,
      unitId: claims.unitId,
      sessionId: claims.sid,
      sessionRevision: claims.srv,
      mustChangePassword: claims.mcp,
    };
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, expiresAt: claims.exp * 1000 });
    return principal;
  }

  /** Deletes failure records that have left the window (for a periodic clean-up); returns how many. */
  async pruneLoginFailures(now: Instant = Date.now()): Promise<number> {
    const windowStart = new Date(toMillis(now) - this.throttle.windowSeconds * 1000);
    const result = await this.pool.query('DELETE FROM login_failures WHERE failed_at <= $1', [windowStart]);
    return result.rowCount ?? 0;
  }

  /**
   * Books this attempt as a failure, unless the username already has `maxFailures` failures in
   * the window, in which case it throws LoginThrottledError with the seconds until the oldest
   * of the counted failures leaves the window.
   */
  private async bookAttempt(username: string, at: number): Promise<void> {
    const { maxFailures, windowSeconds } = this.throttle;
    const windowMs = windowSeconds * 1000;
    const windowStart = new Date(at - windowMs);
    // When the window is full: the time its oldest counted failure leaves it (the expired ones are deleted either way).
    const releasedAt = await inTransaction(this.pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended('minyi.login:' || $1, 0))", [username]);
      await client.query('DELETE FROM login_failures WHERE username = $1 AND failed_at <= $2', [username, windowStart]);
      const { rows } = await client.query<{ failed_at: Date }>(
        'SELECT failed_at FROM login_failures WHERE username = $1 AND failed_at > $2 ORDER BY failed_at DESC LIMIT $3',
        [username, windowStart, maxFailures],
      );
      if (rows.length >= maxFailures) return rows[maxFailures - 1]!.failed_at.getTime() + windowMs;
      await client.query('INSERT INTO login_failures (username, failed_at) VALUES ($1, $2)', [username, new Date(at)]);
      return null;
    });
    if (releasedAt !== null) throw new LoginThrottledError(Math.max(1, Math.ceil((releasedAt - at) / 1000)));
  }

  private async verifyDummy(): Promise<void> {
    await this.hasher.verify('not the password', await this.dummyHash);
  }
}
