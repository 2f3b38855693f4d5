import { describe, expect, it } from '@jest/globals';
import { Api, DEMO_USERS, expectError, expectFieldError } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

describe('units and users', () => {
  let t: TestApp;
  let api: Api;
  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  const newUser = (overrides: Record<string, unknown> = {}) => ({
    username: 'hd-ll-1.clerk',
    displayName: '柳林村信息员',
    password: 'secret-pass-1',
    roles: ['clerk'],
    unitId: 'hd-ll-1',
    ...overrides,
  });

  it('lists the demo org tree to any logged-in user', async () => {
    for (const user of ['hd-dg-1.clerk', 'auditor']) {
      const response = await api.get(user, '/api/v1/units');
      expect(response.status).toBe(200);
      expect(response.body).toHaveLength(14);
      expect(response.body).toEqual(
        expect.arrayContaining([
          { id: 'sf', name: '示范市', level: 'city', parentId: null },
          { id: 'hd', name: '河东区', level: 'county', parentId: 'sf' },
          { id: 'hx', name: '河西区', level: 'county', parentId: 'sf' },
          { id: 'hd-dg', name: '东关街道', level: 'town', parentId: 'hd' },
          { id: 'hd-ll', name: '柳林镇', level: 'town', parentId: 'hd' },
          { id: 'hd-dg-1', name: '东关社区', level: 'community', parentId: 'hd-dg' },
          { id: 'hd-dg-1-g1', name: expect.any(String), level: 'grid', parentId: 'hd-dg-1' },
          { id: 'hd-dg-1-g2', name: expect.any(String), level: 'grid', parentId: 'hd-dg-1' },
          { id: 'hd-ll-1', name: '柳林村', level: 'community', parentId: 'hd-ll' },
          { id: 'hx-xh', name: '西湖街道', level: 'town', parentId: 'hx' },
          { id: 'hx-xh-1', name: '湖滨社区', level: 'community', parentId: 'hx-xh' },
          { id: 'hx-xh-1-g1', name: expect.any(String), level: 'grid', parentId: 'hx-xh-1' },
          { id: 'hx-ty', name: '桃园镇', level: 'town', parentId: 'hx' },
          { id: 'hx-ty-1', name: '桃园村', level: 'community', parentId: 'hx-ty' },
        ]),
      );
    }
  });

  it('lists the users to an admin, without password hashes', async () => {
    const response = await api.get('admin', '/api/v1/users?pageSize=100');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ total: DEMO_USERS.length, page: 1, pageSize: 100 });
    const usernames = (response.body.items as { username: string }[]).map((user) => user.username);
    expect(usernames).toEqual(expect.arrayContaining([...DEMO_USERS]));
    expect(response.body.items).toContainEqual({ id: expect.any(String), username: 'hd-dg-1.coordinator', displayName: '东关社区联络员', roles: ['coordinator'], unitId: 'hd-dg-1', enabled: true });
    expect(JSON.stringify(response.body)).not.toMatch(/password|hash|scrypt/i);
  });

  it.each(DEMO_USERS.filter((user) => user !== 'admin'))('refuses the user routes to %s with 403', async (user) => {
    expectError(await api.get(user, '/api/v1/users'), 403);
    expectError(await api.post(user, '/api/v1/users', newUser({ username: `made-by.${user}` })), 403);
  });

  it('lets an admin create a user, who can then log in and act in their unit', async () => {
    const created = await api.post('admin', '/api/v1/users', newUser());
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), username: 'hd-ll-1.clerk', displayName: '柳林村信息员', roles: ['clerk'], unitId: 'hd-ll-1', enabled: true });

    const login = await t.http().post('/api/v1/auth/login').send({ username: 'hd-ll-1.clerk', password: 'secret-pass-1' });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(created.body.id);
    const listed = await api.get('admin', '/api/v1/users?q=hd-ll-1');
    expect(listed.body.items).toEqual([created.body]);
  });

  it('answers 409 for a username that exists, whatever its case', async () => {
    for (const username of ['hd-dg-1.clerk', 'HD-DG-1.Clerk']) {
      const response = await api.post('admin', '/api/v1/users', newUser({ username }));
      expectError(response, 409);
    }
  });

  it.each([
    ['a missing displayName', { displayName: undefined }, 'displayName'],
    ['an unknown role', { roles: ['superuser'] }, 'roles'],
    ['no roles', { roles: [] }, 'roles'],
    ['an unknown unit', { unitId: 'nowhere' }, 'unitId'],
    ['a short password', { password: 'short' }, 'password'],
    ['a bad username', { username: '-bad name!' }, 'username'],
    ['an unknown field', { isAdmin: true }, 'isAdmin'],
  ])('answers 400 naming the field for %s', async (_, overrides, field) => {
    const before = (await api.get('admin', '/api/v1/users')).body.length;
    const response = await api.post('admin', '/api/v1/users', { ...newUser({ username: 'someone.new' }), ...overrides });
    expectFieldError(response, field);
    expect((await api.get('admin', '/api/v1/users')).body.length).toBe(before);
  });
});
