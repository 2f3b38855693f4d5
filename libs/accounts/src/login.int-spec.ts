import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { InvalidCredentialsError, InvalidTokenError, LoginThrottledError } from './errors.js';
import { LoginService, type LoginServiceOptions } from './login.js';
import { PasswordHasher, parsePasswordHash, SCRYPT_DEFAULTS } from './password.js';
import { SessionRegistry } from './sessions.js';
import { accountsTestKit, type AccountsTestKit } from './testing.js';
import { signAccessToken, verifyAccessToken } from './tokens.js';
import { LoginLimits, migrateLoginLimits } from './login-limits.js';

// Count the password checks a login makes, with the real implementation behind the count.
const hasher = new PasswordHasher(14);
const verifySpy = jest.spyOn(hasher, 'verify');

const secret = 'login-test-secret-0123456789-abcdefghij';
const T0 = Date.parse('2026-03-02T09:00:00+08:00');
const sec = (s: number) => T0 + s * 1000;
/** The client address of the logins, unless a test says otherwise. */
const ADDRESS = '198.51.100.7';

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'no error',
    (error: unknown) => error,
  );
}

describe('LoginService', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let otherPool: pg.Pool;
  let kit: AccountsTestKit;
  let sessions: SessionRegistry;
  let service: LoginService;
  let alice: { id: string };
  /** A login service on `on`, sharing the test's accounts. */
  const loginService = (options: Partial<LoginServiceOptions> = {}, on: pg.Pool = pool) =>
    new LoginService({ pool: on, credentials: kit.credentials, store: kit.store, sessions, hasher, secret, ...options });

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 12 });
    otherPool = new pg.Pool({ connectionString: db.url, max: 4 });
    await migrateLoginLimits(pool);
    kit = await accountsTestKit(pool);
    sessions = new SessionRegistry(pool);
    await sessions.start();
    service = loginService();
    const ids = await kit.createUsers([
      { username: 'alice', displayName: '爱丽丝', password: 'alice-password', roles: ['coordinator', 'leader'], unitId: 'hd-dg' },
      { username: 'bob', displayName: '鲍勃', password: 'bob-password', roles: ['clerk'], unitId: 'hd-dg-1' },
    ]);
    alice = { id: ids.alice! };
  });
  beforeEach(async () => {
    await pool.query('DELETE FROM login_attempts');
    verifySpy.mockClear();
    // A fresh instance: its login limits remember the limits seen reached, which the DELETE above does not undo.
    service = loginService();
  });
  afterAll(async () => {
    sessions?.stop();
    await kit?.close();
    await pool?.end();
    await otherPool?.end();
    await db?.drop();
  });

  it('signs in with the right password: a bearer token for 8 hours and the public user', async () => {
    const result = await service.login('alice', 'alice-password', sec(0), ADDRESS);
    expect(result).toMatchObject({ tokenType: 'Bearer', expiresIn: 28800 });
    expect(result.user).toEqual({ id: alice.id, username: 'alice', displayName: '爱丽丝', roles: ['coordinator', 'leader'], unitId: 'hd-dg', enabled: true });
    expect(result.mustChangePassword).toBe(false);
    const claims = verifyAccessToken(result.accessToken, { secret, now: () => sec(1) });
    expect(claims).toMatchObject({ sub: alice.id, username: 'alice', roles: ['coordinator', 'leader'], unitId: 'hd-dg' });
    expect(claims.iat).toBe(sec(0) / 1000);
    expect(claims.exp).toBe(sec(0) / 1000 + 28800);
  });

  it('accepts the username in another case and takes the time as a Date too', async () => {
    const result = await service.login(' Alice', 'alice-password', new Date(sec(0)), ADDRESS);
    expect(result.user.username).toBe('alice');
  });

  it('uses the configured token lifetime', async () => {
    const short = loginService({ tokenTtlSeconds: 600 });
    const result = await short.login('alice', 'alice-password', sec(0), ADDRESS);
    expect(result.expiresIn).toBe(600);
    expect(verifyAccessToken(result.accessToken, { secret, now: () => sec(0) }).exp).toBe(sec(600) / 1000);
  });

  it('refuses a wrong password and an unknown user with the same error, checking a password hash either way (not for a name no account can have)', async () => {
    const wrong = await errorOf(service.login('alice', 'not-her-password', sec(0), ADDRESS));
    expect(wrong).toBeInstanceOf(InvalidCredentialsError);
    expect(verifySpy).toHaveBeenCalledTimes(1);

    verifySpy.mockClear();
    const unknown = await errorOf(service.login('nobody', 'alice-password', sec(0), ADDRESS));
    expect(unknown).toBeInstanceOf(InvalidCredentialsError);
    expect((unknown as Error).message).toBe((wrong as Error).message);
    expect((unknown as InvalidCredentialsError).code).toBe('invalid_credentials');
    // An unknown user costs one scrypt verification at the installation's cost, like a known one.
    expect(verifySpy).toHaveBeenCalledTimes(1);
    const dummy = parsePasswordHash(verifySpy.mock.calls[0]![1]);
    expect(dummy).toMatchObject({ N: hasher.N, r: SCRYPT_DEFAULTS.r, p: SCRYPT_DEFAULTS.p });
    expect(dummy!.key).toHaveLength(SCRYPT_DEFAULTS.keyLength);

    verifySpy.mockClear();
    const impossible = await errorOf(service.login('no such name!', 'x', sec(0), ADDRESS));
    expect(impossible).toBeInstanceOf(InvalidCredentialsError);
    expect((impossible as Error).message).toBe((wrong as Error).message);
    // The username rules are public: such a name costs no password hashing (but a failure for the address).
    expect(verifySpy).not.toHaveBeenCalled();
  });

  it('counts a name no account can have as a failure for the address, without hashing, until the address limit refuses it', async () => {
    const strict = loginService({ limits: new LoginLimits(pool, { address: { maxFailures: 3, windowSeconds: 60 } }) });
    for (let i = 0; i < 3; i++) await expect(strict.login(`bad name ${i}`, 'x', sec(i), ADDRESS)).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(verifySpy).not.toHaveBeenCalled();
    const { rows } = await pool.query('SELECT username, address FROM login_attempts');
    expect(rows).toEqual(Array.from({ length: 3 }, () => ({ username: null, address: ADDRESS })));
    // The address is spent: also a real user's login from it waits, with no password checked.
    expect(((await errorOf(strict.login('alice', 'alice-password', sec(10), ADDRESS))) as LoginThrottledError).retryAfterSeconds).toBe(50);
    expect(verifySpy).not.toHaveBeenCalled();
    await expect(strict.login('alice', 'alice-password', sec(10), '198.51.100.8')).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('refuses further attempts after 5 failures within 15 minutes, even with the right password, then lets the user in once the window passes', async () => {
    for (let i = 0; i < 5; i++) {
      await expect(service.login('alice', `guess-${i}`, sec(i * 60), ADDRESS)).rejects.toBeInstanceOf(InvalidCredentialsError);
    }
    verifySpy.mockClear();
    const throttled = await errorOf(service.login('alice', 'alice-password', sec(300), ADDRESS));
    expect(throttled).toBeInstanceOf(LoginThrottledError);
    // The first failure (at 0 s) leaves the 15-minute window at 900 s.
    expect((throttled as LoginThrottledError).retryAfterSeconds).toBe(600);
    expect((throttled as LoginThrottledError).code).toBe('login_throttled');
    expect(verifySpy).not.toHaveBeenCalled(); // refused before the password is looked at

    await expect(service.login('alice', 'alice-password', sec(899), ADDRESS)).rejects.toBeInstanceOf(LoginThrottledError);
    // Refused attempts do not extend the lock.
    const result = await service.login('alice', 'alice-password', sec(900), ADDRESS);
    expect(result.user.username).toBe('alice');
  });

  it('clears the failure count on a successful login', async () => {
    for (let i = 0; i < 4; i++) await expect(service.login('alice', 'wrong', sec(i), ADDRESS)).rejects.toBeInstanceOf(InvalidCredentialsError);
    await service.login('alice', 'alice-password', sec(10), ADDRESS);
    for (let i = 0; i < 4; i++) await expect(service.login('alice', 'wrong', sec(20 + i), ADDRESS)).rejects.toBeInstanceOf(InvalidCredentialsError);
    // Eight failures in the window, but only four since the success.
    await expect(service.login('alice', 'alice-password', sec(30), ADDRESS)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('reports the retry time of a sliding window', async () => {
    for (const s of [0, 100, 200, 300, 400]) await expect(service.login('alice', 'wrong', sec(s), ADDRESS)).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(((await errorOf(service.login('alice', 'wrong', sec(500), ADDRESS))) as LoginThrottledError).retryAfterSeconds).toBe(400);
    // At 900 s the first failure leaves the window: one more try, and it fails.
    await expect(service.login('alice', 'wrong', sec(900), ADDRESS)).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(((await errorOf(service.login('alice', 'wrong', sec(901), ADDRESS))) as LoginThrottledError).retryAfterSeconds).toBe(99);
  });

  it('counts per username and address: another user, and the same user from another address, are not affected', async () => {
    for (let i = 0; i < 5; i++) await expect(service.login('alice', 'wrong', sec(i), ADDRESS)).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(service.login('alice', 'alice-password', sec(10), ADDRESS)).rejects.toBeInstanceOf(LoginThrottledError);
    await expect(service.login('bob', 'bob-password', sec(10), ADDRESS)).resolves.toMatchObject({ user: { username: 'bob' } });
    await expect(service.login('alice', 'alice-password', sec(10), '192.0.2.1')).resolves.toMatchObject({ user: { username: 'alice' } });
  });

  it('with keepFailures (the queue board), a right password withdraws only its own booking and clears no failure', async () => {
    for (let i = 0; i < 3; i++) await expect(service.login('alice', 'wrong', sec(i), ADDRESS)).rejects.toBeInstanceOf(InvalidCredentialsError);
    for (let i = 0; i < 5; i++) await service.login('alice', 'alice-password', sec(10 + i), ADDRESS, { keepFailures: true });
    expect((await pool.query('SELECT count(*)::int AS n FROM login_attempts')).rows[0].n).toBe(3);
    // Two more failures reach the pair's limit, which the board's logins did not reset.
    for (let i = 0; i < 2; i++) await expect(service.login('alice', 'wrong', sec(20 + i), ADDRESS)).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(service.login('alice', 'alice-password', sec(30), ADDRESS, { keepFailures: true })).rejects.toBeInstanceOf(LoginThrottledError);
  });

  it('throttles unknown usernames the same way, so throttling does not reveal which accounts exist', async () => {
    for (let i = 0; i < 5; i++) await expect(service.login('ghost', 'wrong', sec(i), ADDRESS)).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(service.login('ghost', 'wrong', sec(10), ADDRESS)).rejects.toBeInstanceOf(LoginThrottledError);
  });

  it('shares the count between service instances on other connections (API replicas)', async () => {
    const replica = loginService({}, otherPool);
    for (let i = 0; i < 5; i++) {
      const instance = i % 2 === 0 ? service : replica;
      await expect(instance.login('alice', 'wrong', sec(i), ADDRESS)).rejects.toBeInstanceOf(InvalidCredentialsError);
    }
    await expect(replica.login('alice', 'alice-password', sec(10), ADDRESS)).rejects.toBeInstanceOf(LoginThrottledError);
    await expect(service.login('alice', 'alice-password', sec(10), ADDRESS)).rejects.toBeInstanceOf(LoginThrottledError);
  });

  it('gives parallel guesses no more tries than the limit', async () => {
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => errorOf(service.login('bob', `guess-${i}`, sec(1), ADDRESS))));
    expect(outcomes.filter((e) => e instanceof InvalidCredentialsError)).toHaveLength(5);
    expect(outcomes.filter((e) => e instanceof LoginThrottledError)).toHaveLength(5);
  });

  it('honours a configured limit and window', async () => {
    const strict = loginService({ limits: new LoginLimits(pool, { pair: { maxFailures: 2, windowSeconds: 60 } }) });
    for (let i = 0; i < 2; i++) await expect(strict.login('bob', 'wrong', sec(i), ADDRESS)).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(((await errorOf(strict.login('bob', 'bob-password', sec(2), ADDRESS))) as LoginThrottledError).retryAfterSeconds).toBe(58);
    await expect(strict.login('bob', 'bob-password', sec(60), ADDRESS)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('prunes failures older than the longest window as logins come', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(service.login(`ghost${i}`, 'wrong', sec(i * 1800), `192.0.2.${i}`)).rejects.toBeInstanceOf(InvalidCredentialsError);
    }
    // At 3600 s the failure at 0 s has left the hour (the longest window); the next login's sweep took it.
    const { rows } = await pool.query<{ username: string }>('SELECT username FROM login_attempts ORDER BY failed_at');
    expect(rows.map((r) => r.username)).toEqual(['ghost1', 'ghost2']);
  });

  describe('authenticate', () => {
    it('turns a valid token into the principal', async () => {
      const { accessToken } = await service.login('alice', 'alice-password', sec(0), ADDRESS);
      expect(service.authenticate(accessToken, sec(60))).toEqual({
        userId: alice.id,
        username: 'alice',
        roles: ['coordinator', 'leader'],
        unitId: 'hd-dg',
        sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        sessionRevision: 0,
        mustChangePassword: false,
      });
    });

    it('refuses an expired token', async () => {
      const { accessToken } = await service.login('alice', 'alice-password', sec(0), ADDRESS);
      expect(() => service.authenticate(accessToken, sec(8 * 3600 - 1))).not.toThrow();
      const error = (() => {
        try {
          service.authenticate(accessToken, sec(8 * 3600));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(InvalidTokenError);
      expect((error as InvalidTokenError).reason).toBe('expired');
    });

    it('refuses a tampered token, one signed with another secret, and garbage', async () => {
      const { accessToken } = await service.login('bob', 'bob-password', sec(0), ADDRESS);
      const [header, payload, signature] = accessToken.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
      const elevated = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url');
      expect(() => service.authenticate(`${header}.${elevated}.${signature}`, sec(1))).toThrow(InvalidTokenError);
      const foreign = signAccessToken({ userId: alice.id, username: 'alice', roles: ['admin'], unitId: 'sf', sessionId: alice.id, sessionRevision: 0, mustChangePassword: false }, { secret: `${secret}-other`, now: () => sec(0) });
      expect(() => service.authenticate(foreign, sec(1))).toThrow(InvalidTokenError);
      expect(() => service.authenticate('Bearer nonsense', sec(1))).toThrow(InvalidTokenError);
    });
  });
});
