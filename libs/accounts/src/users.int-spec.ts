import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DEMO_ORG_UNITS, OrgTree } from '#domain';
import { createTestDatabase, type TestDatabase } from '#testing';
import { InvalidUserInputError, UserIdTakenError, UsernameTakenError } from './errors.js';
import { verifyPassword } from './password.js';
import { DEMO_ACCOUNTS, UserStore, migrateAccounts } from './users.js';

describe('UserStore', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let users: UserStore;
  const tree = new OrgTree(DEMO_ORG_UNITS);
  const newUser = (username: string, extra: Partial<Parameters<UserStore['create']>[0]> = {}) => ({
    username,
    displayName: '测试用户',
    password: 'a-good-password',
    roles: ['clerk' as const],
    unitId: 'hd-dg-1',
    ...extra,
  });
  const storedHash = async (username: string) =>
    (await pool.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE username = $1', [username])).rows[0]?.password_hash;
  const count = async (username: string) => Number((await pool.query('SELECT count(*) AS n FROM users WHERE username = $1', [username])).rows[0].n);

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 12 });
    await migrateAccounts(pool);
    users = new UserStore(pool, { isKnownUnit: (id) => tree.has(id) });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('migrates idempotently, also when run concurrently', async () => {
    await migrateAccounts(pool);
    await Promise.all([migrateAccounts(pool), migrateAccounts(pool), migrateAccounts(pool)]);
    const { rows } = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    // Beside the accounts tables, only the migration runner's record of what ran.
    expect(rows.map((r) => r.table_name)).toEqual(['login_failures', 'schema_migrations', 'users']);
    const { rows: applied } = await pool.query("SELECT version FROM schema_migrations WHERE library = 'accounts'");
    expect(applied).toEqual([{ version: 1 }]);
  });

  it('creates a user, returning the public shape and storing only a scrypt hash', async () => {
    const id = '0190c1d2-0000-7000-8000-00000000abcd';
    const user = await users.create(newUser('zhang.san', { displayName: '  张三 ', roles: ['clerk', 'coordinator'] }), id);
    expect(user).toEqual({ id, username: 'zhang.san', displayName: '张三', roles: ['clerk', 'coordinator'], unitId: 'hd-dg-1' });
    const hash = await storedHash('zhang.san');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('a-good-password', hash!)).toBe(true);
    expect(await users.findById(id)).toEqual(user);
    expect(await users.findByUsername('zhang.san')).toEqual(user);
    expect(await users.findByUsername('ZHANG.SAN ')).toEqual(user);
    expect(await users.findByUsername('li.si')).toBeNull();
    expect(await users.findById('0190c1d2-0000-7000-8000-00000000ffff')).toBeNull();
    expect(await users.findById('not-a-uuid')).toBeNull();
  });

  it('generates an id when none is given', async () => {
    const user = await users.create(newUser('wang.wu'));
    expect(user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a taken username (also in another case) with UsernameTakenError', async () => {
    await users.create(newUser('dup.user'));
    await expect(users.create(newUser('dup.user'))).rejects.toBeInstanceOf(UsernameTakenError);
    const error = await users.create(newUser('Dup.User')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsernameTakenError);
    expect((error as UsernameTakenError).code).toBe('username_taken');
    expect(await count('dup.user')).toBe(1);
  });

  it('refuses a taken id with UserIdTakenError', async () => {
    const id = '0190c1d2-0000-7000-8000-00000000beef';
    await users.create(newUser('first.owner'), id);
    await expect(users.create(newUser('second.owner'), id)).rejects.toBeInstanceOf(UserIdTakenError);
    expect(await users.findByUsername('second.owner')).toBeNull();
  });

  it('lets exactly one of several concurrent creates of one username win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => users.create(newUser('race.user', { displayName: `用户${i}` }))),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(5);
    for (const r of lost) expect(r.reason).toBeInstanceOf(UsernameTakenError);
    expect(await count('race.user')).toBe(1);
  });

  it('refuses invalid input field by field, writing nothing', async () => {
    const error = await users
      .create({ username: 'x', displayName: ' ', password: 'short', roles: ['clerk', 'boss' as never], unitId: 'nowhere' }, 'bad-id')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidUserInputError);
    expect((error as InvalidUserInputError).details.map((d) => d.field)).toEqual(['id', 'username', 'displayName', 'password', 'roles', 'unitId']);
    expect((error as InvalidUserInputError).code).toBe('invalid_user');
    await expect(users.create(newUser('no.roles', { roles: [] }))).rejects.toBeInstanceOf(InvalidUserInputError);
    await expect(users.create(newUser('twice.role', { roles: ['clerk', 'clerk'] }))).rejects.toBeInstanceOf(InvalidUserInputError);
    await expect(users.create(newUser('bad name!'))).rejects.toBeInstanceOf(InvalidUserInputError);
    expect(await count('no.roles')).toBe(0);
    expect(await count('twice.role')).toBe(0);
  });

  it('lists users without their hashes', async () => {
    const list = await users.list();
    expect(list.map((u) => u.username)).toEqual(expect.arrayContaining(['zhang.san', 'wang.wu', 'dup.user', 'race.user']));
    for (const user of list) expect(Object.keys(user).sort()).toEqual(['displayName', 'id', 'roles', 'unitId', 'username']);
  });

  describe('demo accounts', () => {
    let demoPool: pg.Pool;
    let demoDb: TestDatabase;
    beforeAll(async () => {
      demoDb = await createTestDatabase();
      demoPool = new pg.Pool({ connectionString: demoDb.url, max: 8 });
      await migrateAccounts(demoPool);
    });
    afterAll(async () => {
      await demoPool?.end();
      await demoDb?.drop();
    });

    it('creates the twelve accounts of the API contract once, idempotently, even when seeded concurrently', async () => {
      const store = new UserStore(demoPool, { isKnownUnit: (id) => tree.has(id) });
      const [a, b] = await Promise.all([store.ensureDemoAccounts('demo12345'), store.ensureDemoAccounts('demo12345')]);
      // Between the two concurrent runs every account was created exactly once.
      for (let i = 0; i < a.length; i++) expect(Number(a[i]!.created) + Number(b[i]!.created)).toBe(1);
      expect(a.map(({ created: _, ...user }) => user)).toEqual(b.map(({ created: _, ...user }) => user));

      const again = await store.ensureDemoAccounts('demo12345');
      expect(again.every((account) => !account.created)).toBe(true);
      expect(again.map((x) => x.id)).toEqual(a.map((x) => x.id));
      expect(Number((await demoPool.query('SELECT count(*) AS n FROM users')).rows[0].n)).toBe(12);

      const byName = Object.fromEntries(again.map((x) => [x.username, x]));
      const expected: [string, string, string][] = [
        ['admin', 'admin', 'sf'],
        ['auditor', 'auditor', 'sf'],
        ['city.leader', 'leader', 'sf'],
        ['city.coordinator', 'coordinator', 'sf'],
        ['hd.leader', 'leader', 'hd'],
        ['hd.coordinator', 'coordinator', 'hd'],
        ['hd-dg.leader', 'leader', 'hd-dg'],
        ['hd-dg.coordinator', 'coordinator', 'hd-dg'],
        ['hd-dg-1.clerk', 'clerk', 'hd-dg-1'],
        ['hd-dg-1.coordinator', 'coordinator', 'hd-dg-1'],
        ['hx-xh-1.clerk', 'clerk', 'hx-xh-1'],
        ['hx-xh-1.coordinator', 'coordinator', 'hx-xh-1'],
      ];
      expect(Object.keys(byName).sort()).toEqual(expected.map(([u]) => u).sort());
      for (const [username, role, unitId] of expected) {
        expect(byName[username]).toMatchObject({ roles: [role], unitId });
      }
      expect(byName['city.leader']!.displayName).toBe('示范市领导');
      expect(byName['hd-dg-1.clerk']!.displayName).toContain('东关社区');

      const { rows } = await demoPool.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE username = 'hx-xh-1.clerk'");
      expect(await verifyPassword('demo12345', rows[0]!.password_hash)).toBe(true);
    });

    it('leaves an existing demo account as it is', async () => {
      const store = new UserStore(demoPool);
      await demoPool.query("UPDATE users SET display_name = '改过的名字' WHERE username = 'auditor'");
      const accounts = await store.ensureDemoAccounts('another-password');
      expect(accounts.find((x) => x.username === 'auditor')!.displayName).toBe('改过的名字');
      const { rows } = await demoPool.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE username = 'auditor'");
      expect(await verifyPassword('demo12345', rows[0]!.password_hash)).toBe(true);
    });

    it('recreates a demo account that was deleted', async () => {
      const store = new UserStore(demoPool);
      await demoPool.query("DELETE FROM users WHERE username = 'hd.leader'");
      const accounts = await store.ensureDemoAccounts('demo12345');
      expect(accounts.filter((x) => x.created).map((x) => x.username)).toEqual(['hd.leader']);
    });

    it('refuses to seed demo accounts into an org tree without the demo units', async () => {
      const store = new UserStore(demoPool, { isKnownUnit: (id) => id === 'sf' });
      await expect(store.ensureDemoAccounts('demo12345')).rejects.toThrow(/hd, hd-dg, hd-dg-1, hx-xh-1/);
    });

    it('puts every demo account at a unit of the demo tree', () => {
      for (const account of DEMO_ACCOUNTS) expect(tree.has(account.unitId)).toBe(true);
    });
  });
});
