import { describe, expect, it, jest } from '@jest/globals';
import { LoginService } from '#accounts';
import { ConfigError, loadConfig } from '#platform';
import { expectError } from './support/api.js';
import { DEMO_PASSWORD, useTestApp, type TestApp } from './support/test-app.js';

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

describe('login limits behind a trusted proxy (TRUST_PROXY=loopback)', () => {
  let t: TestApp;
  useTestApp(
    (app) => {
      t = app;
    },
    { trustProxy: 'loopback' },
  );

  /** A login from `address`, as the proxy on loopback reports it. */
  const login = (username: string, password: string, address: string) =>
    t.http().post('/api/v1/auth/login').set('X-Forwarded-For', address).send({ username, password });
  const board = (authorization: string, address: string) => t.http().get('/admin/queues/api/queues').set('X-Forwarded-For', address).set('Authorization', authorization);

  it("locks a username out for the guessing address only: the user's own login from a clean address still works", async () => {
    const attacker = '203.0.113.10';
    for (let i = 0; i < 5; i++) expectError(await login('hd.leader', `guess-${i}`, attacker), 401);
    const throttled = await login('hd.leader', DEMO_PASSWORD, attacker);
    expectError(throttled, 429);
    expect(throttled.body.code).toBe('login_throttled');
    expect(Number(throttled.headers['retry-after'])).toBe(15 * 60);

    expect((await login('hd.leader', DEMO_PASSWORD, '198.51.100.20')).status).toBe(200);
    // The X-Forwarded-For chain counts its last address the trusted proxy did not add.
    expectError(await login('hd.leader', DEMO_PASSWORD, `198.51.100.20, ${attacker}`), 429);

    t.advance(15 * 60 * 1000);
    expect((await login('hd.leader', DEMO_PASSWORD, attacker)).status).toBe(200);
  });

  it('keeps answering everyone else while a flood of logins with random usernames from many addresses is refused', async () => {
    const token = await t.token('hd-dg-1.coordinator');
    const flood = Array.from({ length: 300 }, (_, i) => login(`flood-${i}-${Math.random().toString(36).slice(2, 8)}`, 'guess', `203.0.113.${100 + (i % 8)}`));
    const reads = Array.from({ length: 30 }, (_, i) =>
      i % 2 === 0 ? t.http().get('/api/v1/cases').set('Authorization', `Bearer ${token}`) : t.http().get('/health'),
    );
    const [floodAnswers, readAnswers] = await Promise.all([Promise.all(flood), Promise.all(reads)]);
    // Eight addresses, 20 failures each booked, the rest refused: no 5xx, no other answer.
    expect(floodAnswers.filter((r) => r.status === 401)).toHaveLength(8 * 20);
    expect(floodAnswers.filter((r) => r.status === 429)).toHaveLength(300 - 8 * 20);
    expect(readAnswers.map((r) => r.status)).toEqual(Array(30).fill(200));
  });

  it('refuses an address after 20 failures over any usernames, whatever it tries next, and no other address', async () => {
    const spraying = '203.0.113.20';
    // Four tries each at five names: no pair reaches its limit, the address does.
    for (const username of ['hd-dg.leader', 'hd-dg.coordinator', 'nobody.here', 'no such name', 'city.leader']) {
      for (let i = 0; i < 4; i++) expectError(await login(username, `guess-${i}`, spraying), 401);
    }
    const throttled = await login('hx-xh-1.clerk', DEMO_PASSWORD, spraying);
    expectError(throttled, 429);
    expect(Number(throttled.headers['retry-after'])).toBe(10 * 60);
    // Known at its limit now, the address is refused before its body is even read (a malformed
    // one would be 400 otherwise), with the same answer.
    const early = await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', spraying).set('Content-Type', 'application/json').send('{not json');
    expect({ status: early.status, body: early.body, retryAfter: early.headers['retry-after'] }).toEqual({ status: 429, body: throttled.body, retryAfter: '600' });
    expect(early.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const withQuery = await t.http().post('/api/v1/auth/login?again=1').set('X-Forwarded-For', spraying).set('Content-Type', 'application/json').send('{not json');
    expect(withQuery.status).toBe(429);
    expect((await login('hx-xh-1.clerk', DEMO_PASSWORD, '198.51.100.21')).status).toBe(200);
    expect((await login('city.leader', DEMO_PASSWORD, '198.51.100.21')).status).toBe(200);
  });

  it('a right password clears the failures of its pair: a user who mistypes now and then is not locked out', async () => {
    const address = '203.0.113.30';
    for (let i = 0; i < 4; i++) expectError(await login('hd.coordinator', `guess-${i}`, address), 401);
    expect((await login('hd.coordinator', DEMO_PASSWORD, address)).status).toBe(200);
    for (let i = 0; i < 4; i++) expectError(await login('hd.coordinator', `guess-${i}`, address), 401);
    expect((await login('hd.coordinator', DEMO_PASSWORD, address)).status).toBe(200);
  });

  describe('the queue board', () => {
    it('counts its Basic logins in the same limits: failures there throttle the API login, and the reverse', async () => {
      const address = '203.0.113.40';
      for (let i = 0; i < 3; i++) expect((await board(basic('admin', `guess-${i}`), address)).status).toBe(401);
      for (let i = 0; i < 2; i++) expectError(await login('admin', `guess-${i}`, address), 401);
      const throttled = await board(basic('admin', DEMO_PASSWORD), address);
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBe(15 * 60);
      expect(throttled.body).toMatchObject({ statusCode: 429, code: 'login_throttled' });
      expectError(await login('admin', DEMO_PASSWORD, address), 429);
      // From another address the admin gets in.
      expect((await board(basic('admin', DEMO_PASSWORD), '198.51.100.40')).status).toBe(200);
    });

    it('never clears a limit: a right password on the board leaves the failures before it', async () => {
      const address = '203.0.113.41';
      for (let i = 0; i < 4; i++) expectError(await login('admin', `guess-${i}`, address), 401);
      expect((await board(basic('admin', DEMO_PASSWORD), address)).status).toBe(200);
      expectError(await login('admin', 'guess-4', address), 401);
      expectError(await login('admin', DEMO_PASSWORD, address), 429);
    });

    it('lets the address limit refuse its logins too', async () => {
      const address = '203.0.113.42';
      for (let i = 0; i < 20; i++) expectError(await login(`ghost.${i}`, 'whatever', address), 401);
      expect((await board(basic('admin', DEMO_PASSWORD), address)).status).toBe(429);
    });

    it('checks a Basic credential once for a burst of requests, not once per request', async () => {
      const service = t.app.get(LoginService);
      const logins = jest.spyOn(service, 'login');
      try {
        const address = '198.51.100.43';
        const burst = await Promise.all(Array.from({ length: 8 }, () => board(basic('admin', DEMO_PASSWORD), address)));
        expect(burst.map((response) => response.status)).toEqual(Array.from({ length: 8 }, () => 200));
        expect((await board(basic('admin', DEMO_PASSWORD), address)).status).toBe(200);
        expect(logins).toHaveBeenCalledTimes(1);
        // A wrong password is not remembered: each try is a login, and counted.
        for (let i = 0; i < 2; i++) expect((await board(basic('admin', 'wrong-password'), address)).status).toBe(401);
        expect(logins).toHaveBeenCalledTimes(3);
      } finally {
        logins.mockRestore();
      }
    });
  });
});

describe('login limits without TRUST_PROXY', () => {
  let t: TestApp;
  useTestApp((app) => {
    t = app;
  });

  it('ignores X-Forwarded-For: a client cannot pick a fresh address for each guess', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', `203.0.113.${100 + i}`).send({ username: 'hd.leader', password: `guess-${i}` });
      expectError(response, 401);
    }
    const throttled = await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', '198.51.100.99').send({ username: 'hd.leader', password: DEMO_PASSWORD });
    expectError(throttled, 429);
    const { rows } = await t.engine.pool.query<{ address: string }>('SELECT DISTINCT address FROM login_attempts');
    expect(rows.map((row) => row.address)).toEqual([expect.stringMatching(/^(127\.0\.0\.1|0:0:0:0::\/64)$/)]);
  });
});

describe('TRUST_PROXY', () => {
  it('takes a comma-separated list of addresses, CIDR ranges and the names loopback, linklocal, uniquelocal', () => {
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.1, 192.168.0.0/16,fd00::/8, ::1 ,loopback' }).trustProxy).toEqual(['10.0.0.1', '192.168.0.0/16', 'fd00::/8', '::1', 'loopback']);
    expect(loadConfig({}).trustProxy).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: ' ' }).trustProxy).toBeUndefined();
  });

  it.each(['true', '*', '10.0.0.1,,10.0.0.2', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/8', 'proxy.example.com', '10.0.0.0/x'])('stops start-up naming the setting for %j', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/^configuration TRUST_PROXY: /);
  });
});
