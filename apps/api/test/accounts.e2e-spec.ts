import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { Api, expectError, expectFieldError } from './support/api.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/** Account governance (API.md, "Accounts: governance, sessions and limits"), tried as an attacker and a careless admin would. */
describe('accounts: governance and sessions', () => {
  let t: TestApp;
  /** A second API process on the same database. */
  let second: TestApp;
  let api: Api;
  let hdAdmin: string;

  const login = (app: TestApp, username: string, password: string) => app.http().post('/api/v1/auth/login').send({ username, password });
  const as = (app: TestApp, token: string) => ({
    get: (path: string) => app.http().get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string, body: object = {}) => app.http().post(path).set('Authorization', `Bearer ${token}`).send(body),
    patch: (path: string, body: object = {}) => app.http().patch(path).set('Authorization', `Bearer ${token}`).send(body),
  });
  const admin = async () => as(t, await t.token('admin'));
  const create = async (body: Record<string, unknown>, by?: ReturnType<typeof as>): Promise<Response> =>
    (by ?? (await admin())).post('/api/v1/users', { displayName: '测试账号', password: 'first-password', roles: ['clerk'], unitId: 'hd-dg-1', ...body });

  /** Retries `check` until it passes or `ms` run out (then fails with its last error). */
  const passesWithin = async (ms: number, check: () => Promise<void>): Promise<void> => {
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        return await check();
      } catch (error) {
        if (Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };

  beforeAll(async () => {
    t = await startTestApp();
    second = await startTestApp({ sameInstallationAs: t });
    api = new Api(t);
    const made = await create({ username: 'hd.admin', roles: ['admin'], unitId: 'hd' });
    expect(made.status).toBe(201);
    hdAdmin = (await login(t, 'hd.admin', 'first-password')).body.accessToken;
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  describe('admin scope', () => {
    it('refuses a county admin creating a city admin, or any account outside the county (403), and writes nothing', async () => {
      const county = as(t, hdAdmin);
      expectError(await create({ username: 'city.admin2', roles: ['admin'], unitId: 'sf' }, county), 403);
      expectError(await create({ username: 'hx.clerk2', unitId: 'hx-xh-1' }, county), 403);
      expect((await (await admin()).get('/api/v1/users?q=city.admin2&includeDisabled=true')).body.total).toBe(0);
      const inside = await create({ username: 'hd-ll-1.clerk2', unitId: 'hd-ll-1' }, county);
      expect(inside.status).toBe(201);
      expectError(await county.patch(`/api/v1/users/${inside.body.id}`, { unitId: 'hx-ty-1' }), 403);
    });

    it('lists only the admin’s subtree, paged, and lets nobody else list or change accounts', async () => {
      const county = await as(t, hdAdmin).get('/api/v1/users?pageSize=100');
      expect(county.status).toBe(200);
      const units = (county.body.items as { unitId: string }[]).map((u) => u.unitId);
      expect(units.length).toBeGreaterThan(0);
      expect(units.every((unit) => unit === 'hd' || unit.startsWith('hd-'))).toBe(true);
      expect((await as(t, hdAdmin).get('/api/v1/users?unitId=hx')).body).toMatchObject({ items: [], total: 0 });
      const page = await (await admin()).get('/api/v1/users?pageSize=2&page=2');
      expect(page.body).toMatchObject({ page: 2, pageSize: 2 });
      expect(page.body.items).toHaveLength(2);
      for (const user of ['hd-dg-1.coordinator', 'auditor', 'city.leader']) {
        expectError(await api.get(user, '/api/v1/users'), 403);
        expectError(await api.post(user, '/api/v1/users/00000000-0000-4000-8000-000000000000/disable', { reason: 'x' }), 403);
      }
    });

    it('refuses admin mixed with another role (400 naming roles)', async () => {
      expectFieldError(await create({ username: 'mixed.admin', roles: ['admin', 'leader'], unitId: 'hd' }), 'roles');
    });

    it('changes name, roles and unit with PATCH, and 404s an unknown account', async () => {
      const made = await create({ username: 'patch.me' });
      const changed = await (await admin()).patch(`/api/v1/users/${made.body.id}`, { displayName: '新名字', roles: ['coordinator'], unitId: 'hd-dg' });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ id: made.body.id, username: 'patch.me', displayName: '新名字', roles: ['coordinator'], unitId: 'hd-dg', enabled: true });
      expectError(await (await admin()).patch('/api/v1/users/00000000-0000-4000-8000-000000000000', { displayName: 'x' }), 404);
      expectFieldError(await (await admin()).patch(`/api/v1/users/${made.body.id}`, { roles: ['root'] }), 'roles');
    });
  });

  describe('hostile input', () => {
    it('refuses unknown fields, over-long and malformed values with 400 naming the field, writing nothing; of two concurrent disables one wins', async () => {
      const made = await create({ username: 'target.one' });
      const adminApi = await admin();
      const history = async () => (await adminApi.get(`/api/v1/users/${made.body.id}/history`)).body.events.length as number;
      const before = await history();
      expectFieldError(await adminApi.patch(`/api/v1/users/${made.body.id}`, { displayName: '新名', password: 'sneaky-password' }), 'password');
      expectFieldError(await adminApi.patch(`/api/v1/users/${made.body.id}`, { roles: 'admin' }), 'roles');
      expectFieldError(await adminApi.patch(`/api/v1/users/${made.body.id}`, { displayName: 'x'.repeat(101) }), 'displayName');
      expectFieldError(await adminApi.post(`/api/v1/users/${made.body.id}/disable`, { reason: 'x'.repeat(501) }), 'reason');
      expectFieldError(await adminApi.post(`/api/v1/users/${made.body.id}/disable`, {}), 'reason');
      expectFieldError(await adminApi.get(`/api/v1/users?pageSize=1000`), 'pageSize');
      expectError(await adminApi.post('/api/v1/users/not-a-uuid/enable'), 404);
      expect(await history()).toBe(before);

      const both = await Promise.all([1, 2].map(() => adminApi.post(`/api/v1/users/${made.body.id}/disable`, { reason: '并发' })));
      expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await history()).toBe(before + 1);
    });
  });

  describe('revocation', () => {
    it('refuses a disabled user’s token with 401 session_revoked within 2 s, on the second API process too, and their login as a wrong password', async () => {
      await create({ username: 'leaving' });
      const token = (await login(t, 'leaving', 'first-password')).body.accessToken as string;
      const id = (await as(t, token).get('/api/v1/me')).body.id as string;
      expect((await as(second, token).get('/api/v1/me')).status).toBe(200);

      const disabled = await (await admin()).post(`/api/v1/users/${id}/disable`, { reason: '调离岗位' });
      expect(disabled.status).toBe(200);
      expect(disabled.body.enabled).toBe(false);
      const started = Date.now();
      await passesWithin(2_000, async () => expectError(await as(t, token).get('/api/v1/inbox'), 401, 'session_revoked'));
      await passesWithin(2_000 - (Date.now() - started), async () => expectError(await as(second, token).get('/api/v1/inbox'), 401, 'session_revoked'));

      const refused = await login(second, 'leaving', 'first-password');
      const wrong = await login(second, 'leaving', 'not-the-password');
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual(wrong.body);
      // Disabled accounts are left out of the list unless asked for.
      expect((await (await admin()).get('/api/v1/users?q=leaving')).body.total).toBe(0);
      expect((await (await admin()).get('/api/v1/users?q=leaving&includeDisabled=true')).body.items[0]).toMatchObject({ username: 'leaving', enabled: false });

      expect((await (await admin()).post(`/api/v1/users/${id}/enable`)).status).toBe(200);
      expect((await login(t, 'leaving', 'first-password')).status).toBe(200);
    });

    it('ends sessions on a role change, on both processes', async () => {
      const made = await create({ username: 'promoted' });
      const token = (await login(second, 'promoted', 'first-password')).body.accessToken as string;
      await (await admin()).patch(`/api/v1/users/${made.body.id}`, { roles: ['coordinator'] });
      await passesWithin(2_000, async () => expectError(await as(second, token).get('/api/v1/me'), 401, 'session_revoked'));
      const fresh = (await login(second, 'promoted', 'first-password')).body.accessToken as string;
      expect((await as(t, fresh).get('/api/v1/me')).body.roles).toEqual(['coordinator']);
    });

    it('logs out: that token is refused (on both processes), another session of the account is not', async () => {
      const one = (await login(t, 'hd-dg.leader', DEMO_PASSWORD)).body.accessToken as string;
      const two = (await login(t, 'hd-dg.leader', DEMO_PASSWORD)).body.accessToken as string;
      expect((await as(t, one).post('/api/v1/auth/logout')).status).toBe(204);
      expectError(await as(t, one).get('/api/v1/me'), 401, 'session_revoked');
      await passesWithin(2_000, async () => expectError(await as(second, one).get('/api/v1/me'), 401, 'session_revoked'));
      expect((await as(second, two).get('/api/v1/me')).status).toBe(200);
    });
  });

  describe('passwords', () => {
    it('resets a password: shown once; the next login must change it, and until then only me, me/password and logout answer', async () => {
      const made = await create({ username: 'forgetful' });
      const old = (await login(t, 'forgetful', 'first-password')).body.accessToken as string;
      const reset = await as(t, hdAdmin).post(`/api/v1/users/${made.body.id}/reset-password`);
      expect(reset.status).toBe(200);
      const { temporaryPassword } = reset.body as { temporaryPassword: string };
      expect(Object.keys(reset.body)).toEqual(['temporaryPassword']);
      await passesWithin(2_000, async () => expectError(await as(t, old).get('/api/v1/me'), 401, 'session_revoked'));

      const first = await login(t, 'forgetful', temporaryPassword);
      expect(first.status).toBe(200);
      expect(first.body.mustChangePassword).toBe(true);
      const limited = as(t, first.body.accessToken as string);
      expect((await limited.get('/api/v1/me')).body).toMatchObject({ username: 'forgetful', mustChangePassword: true });
      expectError(await limited.get('/api/v1/inbox'), 403, 'password_change_required');
      expectError(await limited.post('/api/v1/cases', {}), 403, 'password_change_required');

      expectFieldError(await limited.post('/api/v1/me/password', { currentPassword: 'wrong', newPassword: 'a-new-password' }), 'currentPassword');
      expectFieldError(await limited.post('/api/v1/me/password', { currentPassword: temporaryPassword, newPassword: 'forgetful' }), 'newPassword');
      expectFieldError(await limited.post('/api/v1/me/password', { currentPassword: temporaryPassword, newPassword: DEMO_PASSWORD }), 'newPassword');
      expectFieldError(await limited.post('/api/v1/me/password', { currentPassword: temporaryPassword, newPassword: 'short' }), 'newPassword');
      expect((await limited.post('/api/v1/me/password', { currentPassword: temporaryPassword, newPassword: 'a-new-password' })).status).toBe(204);
      await passesWithin(2_000, async () => expectError(await limited.get('/api/v1/me'), 401, 'session_revoked'));
      const after = await login(t, 'forgetful', 'a-new-password');
      expect(after.body.mustChangePassword).toBe(false);
      expect((await as(t, after.body.accessToken as string).get('/api/v1/inbox')).status).toBe(200);
    });
  });

  describe('history', () => {
    it('records every change as an event of the account’s hash-chained stream, naming the actor and never a password', async () => {
      const made = await create({ username: 'chronicle' });
      const adminApi = await admin();
      await adminApi.patch(`/api/v1/users/${made.body.id}`, { displayName: '编年史' });
      await adminApi.post(`/api/v1/users/${made.body.id}/disable`, { reason: '测试' });
      await adminApi.post(`/api/v1/users/${made.body.id}/enable`);
      await adminApi.post(`/api/v1/users/${made.body.id}/reset-password`);
      const history = await adminApi.get(`/api/v1/users/${made.body.id}/history`);
      expect(history.status).toBe(200);
      const events = history.body.events as { type: string; revision: number; prevHash: string | null; hash: string; metadata: { actorRole: string } }[];
      expect(events.map((e) => e.type)).toEqual(['UserCreated', 'UserUpdated', 'UserDisabled', 'UserEnabled', 'PasswordReset']);
      expect(events.every((e) => e.metadata.actorRole === 'admin')).toBe(true);
      events.slice(1).forEach((event, i) => expect(event.prevHash).toBe(events[i]!.hash));
      expect(JSON.stringify(history.body)).not.toMatch(/first-password|scrypt/);
      expect(history.body.nextRevision).toBeUndefined();

      const paged = await adminApi.get(`/api/v1/users/${made.body.id}/history?limit=2&fromRevision=1`);
      expect(paged.body.events.map((e: { revision: number }) => e.revision)).toEqual([1, 2]);
      expect(paged.body.nextRevision).toBe(3);
      expectFieldError(await adminApi.get(`/api/v1/users/${made.body.id}/history?limit=501`), 'limit');

      // Auditors in scope read it; a county admin reading a city account finds nothing.
      expect((await api.get('auditor', `/api/v1/users/${made.body.id}/history`)).status).toBe(200);
      const cityAccount = (await adminApi.get('/api/v1/users?q=city.leader')).body.items[0].id as string;
      expectError(await as(t, hdAdmin).get(`/api/v1/users/${cityAccount}/history`), 404);
      expectError(await api.get('hd-dg-1.clerk', `/api/v1/users/${made.body.id}/history`), 403);
    });

    it('verifies account streams with the whole store', async () => {
      const verified = await api.get('auditor', '/api/v1/audit/verify');
      expect(verified.status).toBe(200);
      expect(verified.body.ok).toBe(true);
      // No case was filed here: the streams are the accounts, the demo ones and those made above.
      const accounts = await (await admin()).get('/api/v1/users?includeDisabled=true');
      expect(accounts.body.total).toBeGreaterThan(12);
      expect(verified.body.streams).toBe(accounts.body.total);
    });
  });
});
