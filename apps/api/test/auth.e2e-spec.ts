import { describe, expect, it } from '@jest/globals';
import { Api, expectError } from './support/api.js';
import { DEMO_PASSWORD, useTestApp, type TestApp } from './support/test-app.js';

const HOUR = 3_600_000;

describe('accounts: login, me, tokens', () => {
  let t: TestApp;
  let api: Api;
  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  const login = (username: string, password: string) => t.http().post('/api/v1/auth/login').send({ username, password });

  it('answers a login with a bearer token, its lifetime and the user', async () => {
    const response = await login('hd-dg-1.clerk', DEMO_PASSWORD);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 8 * 3600,
      user: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), username: 'hd-dg-1.clerk', displayName: '东关社区信息员', roles: ['clerk'], unitId: 'hd-dg-1', enabled: true },
      mustChangePassword: false,
    });
    expect(JSON.stringify(response.body.user)).not.toMatch(/password|hash/i);

    const me = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${response.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ ...response.body.user, mustChangePassword: false });
  });

  it('tells who is logged in, for every demo account', async () => {
    const me = await api.get('hd.leader', '/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: expect.any(String), username: 'hd.leader', displayName: '河东区领导', roles: ['leader'], unitId: 'hd', enabled: true, mustChangePassword: false });
    const admin = await api.get('admin', '/api/v1/me');
    expect(admin.body).toMatchObject({ username: 'admin', roles: ['admin'], unitId: 'sf' });
  });

  it('refuses a wrong password and an unknown user alike with 401', async () => {
    const wrong = await login('hd.coordinator', 'not-the-password');
    expectError(wrong, 401);
    const unknown = await login('no.such.user', DEMO_PASSWORD);
    expectError(unknown, 401);
    expect(unknown.body.message).toBe(wrong.body.message);
    expect(wrong.body.accessToken).toBeUndefined();
  });

  it('answers 400 naming the field when the login body is incomplete', async () => {
    const response = await t.http().post('/api/v1/auth/login').send({ username: 'admin' });
    expectError(response, 400);
    expect(response.body.details).toEqual([expect.objectContaining({ field: 'password' })]);
  });

  it('throttles a username from the failing address after 5 failures with 429 and Retry-After, even for the right password, until the window passes', async () => {
    for (let attempt = 0; attempt < 5; attempt++) expectError(await login('hx-xh-1.clerk', 'wrong-password'), 401);
    const throttled = await login('hx-xh-1.clerk', 'wrong-password');
    expectError(throttled, 429);
    const retryAfter = Number(throttled.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);

    const rightPassword = await login('hx-xh-1.clerk', DEMO_PASSWORD);
    expectError(rightPassword, 429);
    expect(Number(rightPassword.headers['retry-after'])).toBeGreaterThan(0);

    // Other usernames are not affected.
    expect((await login('hx-xh-1.coordinator', DEMO_PASSWORD)).status).toBe(200);

    t.advance(retryAfter * 1000);
    const later = await login('hx-xh-1.clerk', DEMO_PASSWORD);
    expect(later.status).toBe(200);
  });

  it('throttles unknown usernames too, so throttling tells nothing about which accounts exist', async () => {
    for (let attempt = 0; attempt < 5; attempt++) expectError(await login('ghost.user', 'whatever-1'), 401);
    const throttled = await login('ghost.user', 'whatever-1');
    expectError(throttled, 429);
    expect(throttled.headers['retry-after']).toMatch(/^\d+$/);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a header that is not Bearer', 'Basic YWRtaW46ZGVtbzEyMzQ1'],
    ['a malformed token', 'Bearer not-a-token'],
    ['a token with a forged signature', 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
  ])('answers 401 to %s', async (_, header) => {
    for (const path of ['/api/v1/me', '/api/v1/cases', '/api/v1/units']) {
      const request = t.http().get(path);
      const response = await (header ? request.set('Authorization', header) : request);
      expectError(response, 401);
    }
    const command = await t.http().post('/api/v1/cases').send({});
    expectError(command, 401);
  });

  it('answers 401 to a token that is past its 8 hours, and accepts a fresh one', async () => {
    const { body } = await login('hd-dg.coordinator', DEMO_PASSWORD);
    const me = () => t.http().get('/api/v1/me').set('Authorization', `Bearer ${body.accessToken}`);
    t.advance(8 * HOUR - 60_000);
    expect((await me()).status).toBe(200);
    t.advance(2 * 60_000);
    expectError(await me(), 401);

    const fresh = await login('hd-dg.coordinator', DEMO_PASSWORD);
    const again = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${fresh.body.accessToken}`);
    expect(again.status).toBe(200);
  });
});
