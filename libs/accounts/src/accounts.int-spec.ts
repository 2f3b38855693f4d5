import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ForbiddenError, IllegalTransitionError, SYSTEM_ACTOR, type UserActor } from '#domain';
import { verifyStore } from '#event-store';
import { createTestDatabase, type TestDatabase } from '#testing';
import { accountStreamId } from './account/account.js';
import { DEFAULT_DEMO_PASSWORD } from './account-commands.js';
import { InvalidCredentialsError, InvalidUserInputError, SessionRevokedError, UsernameTakenError, WrongCurrentPasswordError } from './errors.js';
import { LoginService } from './login.js';
import { PasswordHasher, hashPassword, parsePasswordHash } from './password.js';
import { SessionRegistry } from './sessions.js';
import { accountsTestKit, type AccountsTestKit } from './testing.js';
import { DEMO_ACCOUNTS } from './users.js';

const secret = 'accounts-test-secret-0123456789-abcdefghij';
const ctx = { correlationId: 'test' };

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'no error',
    (error: unknown) => error,
  );
}

describe('accounts as event streams', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let kit: AccountsTestKit;
  let sessions: SessionRegistry;
  let login: LoginService;
  let cityAdmin: UserActor;
  let countyAdmin: UserActor;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 12 });
    kit = await accountsTestKit(pool);
    sessions = new SessionRegistry(pool);
    await sessions.start(60_000);
    login = new LoginService({ pool, credentials: kit.credentials, store: kit.store, sessions, hasher: kit.hasher, secret });
    const ids = await kit.createUsers([
      { username: 'city.admin', roles: ['admin'], unitId: 'sf' },
      { username: 'hd.admin', roles: ['admin'], unitId: 'hd' },
    ]);
    cityAdmin = { userId: ids['city.admin']!, roles: ['admin'], unitId: 'sf' };
    countyAdmin = { userId: ids['hd.admin']!, roles: ['admin'], unitId: 'hd' };
  });
  afterAll(async () => {
    sessions?.stop();
    await kit?.close();
    await pool?.end();
    await db?.drop();
  });

  it('writes a new account as UserCreated on its own stream, without any password or hash, and the hash only in the credentials', async () => {
    const { account } = await kit.commands.create(countyAdmin, { username: 'HD-DG-1.Clerk2', displayName: ' 东关信息员 ', password: 'clerk-password', roles: ['clerk'], unitId: 'hd-dg-1' }, ctx);
    expect(account).toMatchObject({ username: 'hd-dg-1.clerk2', displayName: '东关信息员', roles: ['clerk'], unitId: 'hd-dg-1', enabled: true, revision: 0 });
    const [created, ...rest] = await kit.store.readStream(accountStreamId(account.userId));
    expect(rest).toEqual([]);
    expect(created).toMatchObject({ type: 'UserCreated', data: { userId: account.userId, username: 'hd-dg-1.clerk2' }, metadata: { actorId: countyAdmin.userId, actorRole: 'admin', unitId: 'hd' } });
    expect(JSON.stringify({ data: created!.data, metadata: created!.metadata })).not.toMatch(/clerk-password|scrypt/);
    const credentials = await kit.credentials.byUserId(account.userId);
    expect(parsePasswordHash(credentials!.passwordHash)).not.toBeNull();
    await kit.project();
    expect(await kit.users.findById(account.userId)).toEqual({ id: account.userId, username: 'hd-dg-1.clerk2', displayName: '东关信息员', roles: ['clerk'], unitId: 'hd-dg-1', enabled: true });
  });

  it('keeps admins within their subtree: a county admin cannot make a city admin, reach another county, or move an account out', async () => {
    const city = await errorOf(kit.commands.create(countyAdmin, { username: 'sneaky', displayName: '越权', password: 'a-good-password', roles: ['admin'], unitId: 'sf' }, ctx));
    expect(city).toBeInstanceOf(ForbiddenError);
    const other = await errorOf(kit.commands.create(countyAdmin, { username: 'sneaky', displayName: '越权', password: 'a-good-password', roles: ['clerk'], unitId: 'hx-xh-1' }, ctx));
    expect(other).toBeInstanceOf(ForbiddenError);
    const { account } = await kit.commands.create(countyAdmin, { username: 'hd-ll-1.clerk', displayName: '柳林信息员', password: 'a-good-password', roles: ['clerk'], unitId: 'hd-ll-1' }, ctx);
    expect(await errorOf(kit.commands.update(countyAdmin, account.userId, { unitId: 'hx-ty-1' }, ctx))).toBeInstanceOf(ForbiddenError);
    const outside = (await kit.commands.create(cityAdmin, { username: 'hx.clerk', displayName: '河西信息员', password: 'a-good-password', roles: ['clerk'], unitId: 'hx-xh-1' }, ctx)).account;
    expect(await errorOf(kit.commands.disable(countyAdmin, outside.userId, '调离', ctx))).toBeInstanceOf(ForbiddenError);
    // Nothing was written by the refusals.
    expect(await kit.credentials.byUsername('sneaky')).toBeNull();
    expect((await kit.store.readStream(accountStreamId(account.userId))).map((e) => e.type)).toEqual(['UserCreated']);
  });

  it('refuses admin combined with another role, naming the field', async () => {
    const error = await errorOf(kit.commands.create(cityAdmin, { username: 'mixed', displayName: '混合', password: 'a-good-password', roles: ['admin', 'clerk'], unitId: 'sf' }, ctx));
    expect(error).toBeInstanceOf(InvalidUserInputError);
    expect((error as InvalidUserInputError).details).toEqual([{ field: 'roles', message: 'admin cannot be combined with another role' }]);
  });

  it('lets exactly one of several concurrent creates of one username win', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => errorOf(kit.commands.create(cityAdmin, { username: 'race', displayName: '竞争', password: 'a-good-password', roles: ['clerk'], unitId: 'hd-dg-1' }, ctx))),
    );
    expect(outcomes.filter((o) => o === 'no error')).toHaveLength(1);
    expect(outcomes.filter((o) => o instanceof UsernameTakenError)).toHaveLength(4);
  });

  it('disables and enables: a disabled account cannot log in and answers as a wrong password does; its tokens are refused once the registry refreshes', async () => {
    const { account } = await kit.commands.create(cityAdmin, { username: 'to.disable', displayName: '将停用', password: 'right-password', roles: ['coordinator'], unitId: 'hd' }, ctx);
    const { accessToken } = await login.login('to.disable', 'right-password', Date.now(), '198.51.100.1');
    expect(login.authenticate(accessToken).userId).toBe(account.userId);

    await kit.commands.disable(cityAdmin, account.userId, '调离岗位', ctx);
    await sessions.refresh();
    expect(() => login.authenticate(accessToken)).toThrow(SessionRevokedError);
    const refused = await errorOf(login.login('to.disable', 'right-password', Date.now(), '198.51.100.1'));
    expect(refused).toBeInstanceOf(InvalidCredentialsError);
    expect(await errorOf(kit.commands.disable(cityAdmin, account.userId, '再次', ctx))).toBeInstanceOf(IllegalTransitionError);

    await kit.commands.enable(cityAdmin, account.userId, ctx);
    const again = await login.login('to.disable', 'right-password', Date.now(), '198.51.100.1');
    expect(login.authenticate(again.accessToken).userId).toBe(account.userId);
    // The old token stays refused: enabling does not bring back sessions that ended.
    expect(() => login.authenticate(accessToken)).toThrow(SessionRevokedError);
  });

  it('resets a password: the temporary one logs in with mustChangePassword; changing it ends that session and the new password works', async () => {
    const { account } = await kit.commands.create(cityAdmin, { username: 'forgetful', displayName: '健忘', password: 'old-password', roles: ['leader'], unitId: 'hd-dg' }, ctx);
    const before = await login.login('forgetful', 'old-password', Date.now(), '198.51.100.2');
    const { temporaryPassword } = await kit.commands.resetPassword(countyAdmin, account.userId, ctx);
    expect(temporaryPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
    await sessions.refresh();
    expect(() => login.authenticate(before.accessToken)).toThrow(SessionRevokedError);
    expect(await errorOf(login.login('forgetful', 'old-password', Date.now(), '198.51.100.2'))).toBeInstanceOf(InvalidCredentialsError);

    const temporary = await login.login('forgetful', temporaryPassword, Date.now(), '198.51.100.2');
    expect(temporary.mustChangePassword).toBe(true);
    const principal = login.authenticate(temporary.accessToken);
    expect(() => login.authorize(temporary.accessToken, Date.now(), false)).toThrow(expect.objectContaining({ code: 'password_change_required' }));

    const wrong = await errorOf(kit.commands.changePassword(principal, { currentPassword: 'not-it', newPassword: 'brand-new-password' }, ctx));
    expect(wrong).toBeInstanceOf(WrongCurrentPasswordError);
    for (const [newPassword, message] of [
      ['short', 'must be 8-128 characters'],
      ['Forgetful', 'must not be the username'],
      [DEFAULT_DEMO_PASSWORD, 'must not be the demo password'],
      ['x'.repeat(129), 'must be 8-128 characters'],
    ] as const) {
      const error = await errorOf(kit.commands.changePassword(principal, { currentPassword: temporaryPassword, newPassword }, ctx));
      expect((error as InvalidUserInputError).details).toEqual([{ field: 'newPassword', message }]);
    }
    const changed = await errorOf(kit.commands.changePassword(principal, { currentPassword: temporaryPassword, newPassword: 'Forgetfulx' }, ctx));
    expect(changed).toBe('no error');
    await sessions.refresh();
    expect(() => login.authenticate(temporary.accessToken)).toThrow(SessionRevokedError);
    const after = await login.login('forgetful', 'Forgetfulx', Date.now(), '198.51.100.2');
    expect(after.mustChangePassword).toBe(false);
    const types = (await kit.store.readStream(accountStreamId(account.userId))).map((e) => e.type);
    expect(types).toEqual(['UserCreated', 'PasswordReset', 'PasswordChanged']);
  });

  it('refuses a new password equal to the username', async () => {
    const { account } = await kit.commands.create(cityAdmin, { username: 'samename1', displayName: '同名', password: 'first-password', roles: ['clerk'], unitId: 'hd-dg-1' }, ctx);
    const actor = { userId: account.userId, roles: account.roles, unitId: account.unitId };
    const error = await errorOf(kit.commands.changePassword(actor, { currentPassword: 'first-password', newPassword: 'SameName1' }, ctx));
    expect((error as InvalidUserInputError).details).toEqual([{ field: 'newPassword', message: 'must not be the username' }]);
  });

  it('ends sessions when roles or unit change, but not when only the display name does', async () => {
    const { account } = await kit.commands.create(cityAdmin, { username: 'mover', displayName: '调动', password: 'mover-password', roles: ['clerk'], unitId: 'hd-dg-1' }, ctx);
    const token = (await login.login('mover', 'mover-password', Date.now(), '198.51.100.3')).accessToken;
    await kit.commands.update(cityAdmin, account.userId, { displayName: '调动者' }, ctx);
    await sessions.refresh();
    expect(() => login.authenticate(token)).not.toThrow();
    await kit.commands.update(cityAdmin, account.userId, { roles: ['coordinator'] }, ctx);
    await sessions.refresh();
    expect(() => login.authenticate(token)).toThrow(SessionRevokedError);
    const fresh = (await login.login('mover', 'mover-password', Date.now(), '198.51.100.3')).accessToken;
    expect(login.authenticate(fresh).roles).toEqual(['coordinator']);
  });

  it('logs out one session: that token is refused, another of the same account is not, also by a second registry', async () => {
    await kit.commands.create(cityAdmin, { username: 'twodevices', displayName: '两台设备', password: 'device-password', roles: ['auditor'], unitId: 'sf' }, ctx);
    const phone = (await login.login('twodevices', 'device-password', Date.now(), '198.51.100.4')).accessToken;
    const desk = (await login.login('twodevices', 'device-password', Date.now(), '198.51.100.4')).accessToken;
    await login.logout(phone);
    expect(() => login.authenticate(phone)).toThrow(SessionRevokedError);
    expect(() => login.authenticate(desk)).not.toThrow();

    const otherProcess = new SessionRegistry(pool);
    await otherProcess.start(60_000);
    try {
      const replica = new LoginService({ pool, credentials: kit.credentials, store: kit.store, sessions: otherProcess, hasher: kit.hasher, secret });
      expect(() => replica.authenticate(phone)).toThrow(SessionRevokedError);
      expect(() => replica.authenticate(desk)).not.toThrow();
    } finally {
      otherProcess.stop();
    }
  });

  it('refuses an admin disabling, resetting or re-roling their own account', async () => {
    expect(await errorOf(kit.commands.disable(cityAdmin, cityAdmin.userId, '自己', ctx))).toBeInstanceOf(IllegalTransitionError);
    expect(await errorOf(kit.commands.resetPassword(cityAdmin, cityAdmin.userId, ctx))).toBeInstanceOf(IllegalTransitionError);
    expect(await errorOf(kit.commands.update(cityAdmin, cityAdmin.userId, { roles: ['clerk'] }, ctx))).toBeInstanceOf(IllegalTransitionError);
  });

  it('upgrades a hash made at a lower cost on the next successful login, keeping the password', async () => {
    const { account } = await kit.commands.create(cityAdmin, { username: 'oldhash', displayName: '旧哈希', password: 'legacy-password', roles: ['clerk'], unitId: 'hd-dg-1' }, ctx);
    const strong = new PasswordHasher(15);
    const upgrading = new LoginService({ pool, credentials: kit.credentials, store: kit.store, sessions, hasher: strong, secret });
    expect(parsePasswordHash((await kit.credentials.byUserId(account.userId))!.passwordHash)!.N).toBe(2 ** 14);
    await upgrading.login('oldhash', 'legacy-password', Date.now(), '198.51.100.5');
    expect(parsePasswordHash((await kit.credentials.byUserId(account.userId))!.passwordHash)!.N).toBe(2 ** 15);
    await expect(upgrading.login('oldhash', 'legacy-password', Date.now(), '198.51.100.5')).resolves.toMatchObject({ user: { username: 'oldhash' } });
  });

  it('hashes at N = 2^17 by default', async () => {
    expect(new PasswordHasher().N).toBe(2 ** 17);
    expect(parsePasswordHash(await new PasswordHasher().hash('x-password'))!.N).toBe(2 ** 17);
  });

  it('verifies account streams with the rest of the store', async () => {
    const result = await verifyStore(pool);
    expect(result.ok).toBe(true);
    expect(result.streams).toBeGreaterThanOrEqual(10);
  });

  it('creates the demo accounts once, even when seeded concurrently, flagging the published password', async () => {
    const results = await Promise.all([kit.commands.ensureDemoAccounts(DEFAULT_DEMO_PASSWORD, kit.users), kit.commands.ensureDemoAccounts(DEFAULT_DEMO_PASSWORD, kit.users)]);
    for (const accounts of results) expect(accounts.map((a) => a.username)).toEqual(DEMO_ACCOUNTS.map((a) => a.username));
    expect(results[0]!.filter((a) => a.created).length + results[1]!.filter((a) => a.created).length).toBe(DEMO_ACCOUNTS.length);
    expect(await kit.credentials.anyPublishedPassword()).toEqual(DEMO_ACCOUNTS.map((a) => a.username).sort());
    const again = await kit.commands.ensureDemoAccounts(DEFAULT_DEMO_PASSWORD, kit.users);
    expect(again.every((a) => !a.created)).toBe(true);
  });
});

describe('accounts of before the event streams', () => {
  it('moves every row of the old users table into its stream once, keeping id and password, and drops the table', async () => {
    const db = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 8 });
    try {
      await pool.query(`
        CREATE TABLE users (id uuid PRIMARY KEY, username text NOT NULL UNIQUE, display_name text NOT NULL, password_hash text NOT NULL,
          roles text[] NOT NULL, unit_id text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
      const hash = await hashPassword('kept-password', 2 ** 14);
      await pool.query(
        `INSERT INTO users (id, username, display_name, password_hash, roles, unit_id) VALUES
          ('0190c1d2-0000-7000-8000-000000000001', 'old.clerk', '老信息员', $1, '{clerk}', 'hd-dg-1'),
          ('0190c1d2-0000-7000-8000-000000000002', 'old.mixed', '老管理员', $1, '{admin,leader}', 'sf')`,
        [hash],
      );
      const kit = await accountsTestKit(pool);
      try {
        const sessions = new SessionRegistry(pool);
        const login = new LoginService({ pool, credentials: kit.credentials, store: kit.store, sessions, hasher: kit.hasher, secret });
        const result = await login.login('old.clerk', 'kept-password', Date.now(), '198.51.100.9');
        expect(result.user).toMatchObject({ id: '0190c1d2-0000-7000-8000-000000000001', displayName: '老信息员', roles: ['clerk'] });
        const mixed = await kit.store.readStream(accountStreamId('0190c1d2-0000-7000-8000-000000000002'));
        expect(mixed.map((e) => [e.type, e.data.roles, e.metadata.actorId])).toEqual([['UserCreated', ['leader'], SYSTEM_ACTOR.userId]]);
        const { rows } = await pool.query<{ found: boolean }>("SELECT to_regclass('users') IS NOT NULL AS found");
        expect(rows[0]!.found).toBe(false);
        // A second start finds nothing to move.
        const again = await accountsTestKit(pool);
        await again.close();
        for (const id of ['0190c1d2-0000-7000-8000-000000000001', '0190c1d2-0000-7000-8000-000000000002']) {
          expect(await kit.store.readStream(accountStreamId(id))).toHaveLength(1);
        }
      } finally {
        await kit.close();
      }
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
