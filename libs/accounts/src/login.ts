import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { EventStore } from '#event-store';
import { publicAccount } from './account-commands.js';
import type { CredentialStore } from './credentials.js';
import { InvalidCredentialsError, PasswordChangeRequiredError } from './errors.js';
import { LoginLimits } from './login-limits.js';
import { readAccount } from './execute-account-command.js';
import { PasswordHasher } from './password.js';
import type { SessionRegistry } from './sessions.js';
import { DEFAULT_TOKEN_TTL_SECONDS, signAccessToken, verifyAccessToken } from './tokens.js';
import type { Principal, PublicUser } from './types.js';
import { PASSWORD_MAX_LENGTH, USERNAME_PATTERN, normalizeUsername } from './users.js';

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
  readonly credentials: CredentialStore;
  /** The event store, to read the account's stream: whether it is enabled, its roles and unit now. */
  readonly store: EventStore;
  readonly sessions: SessionRegistry;
  readonly hasher?: PasswordHasher;
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
  private readonly limits: LoginLimits;
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
    this.limits = options.limits ?? new LoginLimits(this.pool);
    if (!Number.isInteger(this.tokenTtlSeconds) || this.tokenTtlSeconds < 1) {
      throw new RangeError(`tokenTtlSeconds must be a positive integer, not ${this.tokenTtlSeconds}`);
    }
    if (typeof this.secret !== 'string' || this.secret.length === 0) throw new TypeError('the token secret must be a non-empty string');
    this.dummyHash = this.hasher.hash(randomBytes(18).toString('base64'));
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

    const credentials = typeof password === 'string' && password.length <= PASSWORD_MAX_LENGTH ? await this.credentials.byUsername(key) : null;
    if (!credentials) {
      await this.verifyDummy();
      throw new InvalidCredentialsError();
    }
    if (!(await this.hasher.verify(password, credentials.passwordHash))) throw new InvalidCredentialsError();
    // The account as its stream says now: a disabled one answers as a wrong password does.
    const { state: account } = await readAccount(this.store, credentials.userId);
    if (!account.exists || !account.enabled) throw new InvalidCredentialsError();

    await (options.keepFailures ? this.limits.withdraw(booking) : this.limits.clearPair(booking));
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

  private async verifyDummy(): Promise<void> {
    await this.hasher.verify('not the password', await this.dummyHash);
  }
}
