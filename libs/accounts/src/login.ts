import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { InvalidCredentialsError } from './errors.js';
import { LoginLimits } from './login-limits.js';
import { hashPassword, verifyPassword } from './password.js';
import { DEFAULT_TOKEN_TTL_SECONDS, signAccessToken, verifyAccessToken } from './tokens.js';
import type { Principal, PublicUser } from './types.js';
import { PASSWORD_MAX_LENGTH, USERNAME_PATTERN, normalizeUsername, type UserStore } from './users.js';

/**
 * Signing in and checking bearer tokens.
 *
 * Failed logins are counted by LoginLimits (per username and client address, per address, per
 * username; see login-limits.ts). Each attempt is booked as a failure before the password is
 * checked, and the pair's failures are cleared when the password is right: so even many parallel
 * guesses get no more tries than the limits. Unknown usernames are counted too, so throttling
 * tells nothing about which accounts exist.
 */

export interface LoginServiceOptions {
  readonly pool: Pool;
  readonly users: UserStore;
  readonly secret: string;
  /** Access token lifetime in seconds (default 8 hours). */
  readonly tokenTtlSeconds?: number;
  /** The login limits (default: API.md's, on `pool`). */
  readonly limits?: LoginLimits;
}

export interface LoginOptions {
  /** A right password withdraws only this attempt's booking and clears no failures (Bull Board's login). */
  readonly keepFailures?: boolean;
}

export interface LoginResult {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly user: PublicUser;
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
  private readonly users: UserStore;
  private readonly secret: string;
  private readonly tokenTtlSeconds: number;
  private readonly limits: LoginLimits;
  /** Tokens whose signature has been checked, oldest first. */
  private readonly verified = new Map<string, { readonly principal: Principal; readonly expiresAt: number }>();
  /** Verified against when the username is unknown, so that costs as much as a wrong password. */
  private readonly dummyHash: Promise<string>;

  constructor(options: LoginServiceOptions) {
    this.pool = options.pool;
    this.users = options.users;
    this.secret = options.secret;
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    this.limits = options.limits ?? new LoginLimits(this.pool);
    if (!Number.isInteger(this.tokenTtlSeconds) || this.tokenTtlSeconds < 1) {
      throw new RangeError(`tokenTtlSeconds must be a positive integer, not ${this.tokenTtlSeconds}`);
    }
    if (typeof this.secret !== 'string' || this.secret.length === 0) throw new TypeError('the token secret must be a non-empty string');
    this.dummyHash = hashPassword(randomBytes(18).toString('base64'));
    this.dummyHash.catch(() => undefined);
  }

  /**
   * Checks the password and issues an access token. Throws InvalidCredentialsError for an
   * unknown username and for a wrong password alike, and LoginThrottledError while a login limit
   * is reached for this username, this client address or the pair (even when the password is right).
   */
  async login(username: string, password: string, now: Instant = Date.now(), clientAddress: string, options: LoginOptions = {}): Promise<LoginResult> {
    const at = toMillis(now);
    const key = typeof username === 'string' ? normalizeUsername(username) : '';
    if (!USERNAME_PATTERN.test(key)) {
      // No account can have this name: no password to check, but the address pays a failure.
      await this.limits.book(null, clientAddress, at);
      throw new InvalidCredentialsError();
    }

    const booking = await this.limits.book(key, clientAddress, at);

    const credentials = typeof password === 'string' && password.length <= PASSWORD_MAX_LENGTH ? await this.users.findCredentials(key) : null;
    if (!credentials) {
      await this.verifyDummy();
      throw new InvalidCredentialsError();
    }
    if (!(await verifyPassword(password, credentials.passwordHash))) throw new InvalidCredentialsError();

    await (options.keepFailures ? this.limits.withdraw(booking) : this.limits.clearPair(booking));
    const accessToken = signAccessToken(
      { userId: credentials.user.id, username: credentials.user.username, roles: credentials.user.roles, unitId: credentials.user.unitId },
      { secret: this.secret, now: () => at, expiresInSeconds: this.tokenTtlSeconds },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: this.tokenTtlSeconds, user: credentials.user };
  }

  /**
   * The principal of a valid bearer token; throws InvalidTokenError otherwise. No database access.
   * A token whose signature has been checked is remembered until it expires, so a client's
   * requests after the first skip the HMAC and the JSON parsing.
   */
  authenticate(token: string, now: Instant = Date.now()): Principal {
    const at = toMillis(now);
    const known = this.verified.get(token);
    if (known && at < known.expiresAt) return known.principal;
    // Also for an expired token: verifying it again throws the reason.
    const claims = verifyAccessToken(token, { secret: this.secret, now: () => at });
    const principal: Principal = { userId: claims.sub, username: claims.username, roles: claims.roles, unitId: claims.unitId };
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, expiresAt: claims.exp * 1000 });
    return principal;
  }

  private async verifyDummy(): Promise<void> {
    await verifyPassword('not the password', await this.dummyHash);
  }
}
