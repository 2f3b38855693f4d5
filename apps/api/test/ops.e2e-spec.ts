import { describe, expect, it } from '@jest/globals';
import { expectError } from './support/api.js';
import { DEMO_PASSWORD, useTestApp, type TestApp } from './support/test-app.js';

describe('operations', () => {
  let t: TestApp;
  useTestApp((app) => {
    t = app;
  });

  it('GET /health answers 200 and only its status to anyone, and each check to an admin', async () => {
    const anonymous = await t.http().get('/health');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ status: 'ok' });
    // A token that is not an admin's, or no token at all that verifies, is anyone.
    for (const authorization of [`Bearer ${await t.token('auditor')}`, 'Bearer not-a-token', 'Basic YWRtaW46eA==']) {
      expect((await t.http().get('/health').set('Authorization', authorization)).body).toEqual({ status: 'ok' });
    }
    const admin = await t.http().get('/health').set('Authorization', `Bearer ${await t.token('admin')}`);
    expect(admin.status).toBe(200);
    expect(admin.body).toEqual({ status: 'ok', checks: { eventStore: 'ok', readModels: 'ok', queues: 'ok' } });
  });

  it('GET /health answers 503 without error text to anyone, and with the failing check’s error to an admin', async () => {
    // The read models' check reads this table: while it is gone, that check fails.
    await t.engine.pool.query('ALTER TABLE projection_checkpoints RENAME TO projection_checkpoints_away');
    try {
      const anonymous = await t.http().get('/health');
      expect(anonymous.status).toBe(503);
      expect(anonymous.body).toEqual({ status: 'unavailable' });
      expect(anonymous.text).not.toContain('projection_checkpoints');
      const admin = await t.http().get('/health').set('Authorization', `Bearer ${await t.token('admin')}`);
      expect(admin.status).toBe(503);
      expect(admin.body).toEqual({ status: 'unavailable', checks: { eventStore: 'ok', readModels: expect.stringContaining('projection_checkpoints'), queues: 'ok' } });
    } finally {
      await t.engine.pool.query('ALTER TABLE projection_checkpoints_away RENAME TO projection_checkpoints');
    }
  });

  it('GET /metrics is Prometheus text with the request duration histogram', async () => {
    await t.http().get('/api/v1/units').expect(401);
    const response = await t.http().get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toContain('# TYPE minyi_http_request_duration_seconds histogram');
    expect(response.text).toMatch(/minyi_http_request_duration_seconds_count\{[^}]*status="401"[^}]*\} [1-9]/);
  });

  it('GET /api/docs-json is an OpenAPI document with the case routes', async () => {
    const response = await t.http().get('/api/docs-json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\./);
    const paths = Object.keys(response.body.paths as Record<string, unknown>);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/me',
        '/api/v1/units',
        '/api/v1/users',
        '/api/v1/cases',
        '/api/v1/cases/{id}',
        '/api/v1/cases/{id}/accept',
        '/api/v1/cases/{id}/extend-deadline',
        '/api/v1/cases/{id}/history',
        '/api/v1/cases/{id}/state',
        '/api/v1/cases/{id}/verify',
        '/api/v1/inbox',
      ]),
    );
    expect(response.body.paths['/api/v1/cases'].post).toBeDefined();
    const docs = await t.http().get('/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toMatch(/swagger/i);
  });

  it('answers an unknown route with 404 in the error body shape (a GET outside the API opens the console instead)', async () => {
    for (const response of [await t.http().get('/api/v1/nothing-here'), await t.http().post('/no/such/route').send({})]) {
      expectError(response, 404);
      expect(response.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
    }
  });

  it('answers a path with a trailing slash as the path without it', async () => {
    expect((await t.http().get('/health/')).body).toMatchObject({ status: 'ok' });
    expect((await t.http().get('/api/v1/me/').set('Authorization', `Bearer ${await t.token('hd-dg-1.clerk')}`)).body).toMatchObject({ username: 'hd-dg-1.clerk' });
  });

  it('answers every response with a request id of its own making, whatever the client sent', async () => {
    const response = await t.http().get('/health').set('X-Request-Id', 'trace-123');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((await t.http().get('/health')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('web headers', () => {
    /** API.md "Web headers": a CSP with no inline scripts and no framing, nosniff, no Referer. */
    const expectWebHeaders = (response: { headers: Record<string, string | undefined> }) => {
      const policy = response.headers['content-security-policy'] ?? '';
      const directives = new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
      expect(directives.get('script-src')).toEqual(["'self'"]);
      expect(directives.get('default-src')).toEqual(["'self'"]);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['x-frame-options']).toBe('DENY');
    };
    /** A script element without a src: what the policy would refuse to run. */
    const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)(?![^>]*type="application\/json")[^>]*>/i;

    it('are sent with Swagger UI, whose scripts are all files, the init script included', async () => {
      const docs = await t.http().get('/api/docs');
      expect(docs.status).toBe(200);
      expectWebHeaders(docs);
      expect(docs.text).not.toMatch(INLINE_SCRIPT);
      const scripts = [...docs.text.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1]!);
      expect(scripts).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-ui-init\.js$/)]));
      for (const script of scripts) {
        const file = await t.http().get(new URL(script, 'http://host/api/docs/').pathname);
        expect(file.status).toBe(200);
        expect(file.headers['content-type']).toMatch(/javascript/);
      }
    });

    it('are sent with the console, whose page has no inline script, and with the API’s JSON', async () => {
      const page = await t.http().get('/');
      if (page.status === 404) {
        console.warn('[test] the console is not built (npm run build): its page is not checked');
      } else {
        expect(page.status).toBe(200);
        expectWebHeaders(page);
        expect(page.text).not.toMatch(INLINE_SCRIPT);
        expectWebHeaders(await t.http().get('/cases/some-deep-link'));
      }
      expectWebHeaders(await t.http().get('/api/v1/me'));
    });

    it('are sent with the queue board’s page', async () => {
      const page = await t.http().get('/admin/queues').set('Authorization', `Bearer ${await t.token('admin')}`);
      expect(page.status).toBe(200);
      expectWebHeaders(page);
      expect(page.text).not.toMatch(INLINE_SCRIPT);
    });
  });

  describe('the queue board at /admin/queues', () => {
    const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

    it('asks for credentials, refuses non-admins, and shows the engine queues to an admin', async () => {
      const anonymous = await t.http().get('/admin/queues/api/queues');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Basic /);

      const clerk = await t.token('hd-dg-1.clerk');
      expect((await t.http().get('/admin/queues/api/queues').set('Authorization', `Bearer ${clerk}`)).status).toBe(403);
      expect((await t.http().get('/admin/queues/api/queues').set('Authorization', basic('admin', 'wrong-password'))).status).toBe(401);

      const board = await t.http().get('/admin/queues/api/queues').set('Authorization', basic('admin', DEMO_PASSWORD));
      expect(board.status).toBe(200);
      expect(board.body.queues.map((queue: { name: string }) => queue.name)).toEqual(
        expect.arrayContaining(['sla-timers', 'notify-in-app', 'notify-webhook', 'notify-email']),
      );
      const page = await t.http().get('/admin/queues').set('Authorization', `Bearer ${await t.token('admin')}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('<html');
    });

    it('is read-only: no add, retry, promote, clean, remove, pause or change runs, whatever the request, and the UI shows none', async () => {
      const admin = `Bearer ${await t.token('admin')}`;
      const queue = t.engine.queues.queue('notify-webhook');
      const job = await queue.add('board-probe', { probe: true }, { delay: 24 * 3_600_000 });
      const counts = () => queue.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed');
      const before = await counts();
      const api = '/admin/queues/api/queues';
      const q = `${api}/notify-webhook`;
      const writes: [method: 'post' | 'put' | 'patch', path: string, body?: object][] = [
        ['post', `${q}/add`, { name: 'injected', data: { evil: true } }],
        ['put', `${q}/retry/failed`],
        ['put', `${q}/retry/completed`],
        ['put', `${q}/promote`],
        ['put', `${q}/clean/completed`],
        ['put', `${q}/clean/delayed`],
        ['put', `${q}/empty`],
        ['put', `${q}/obliterate`],
        ['put', `${q}/pause`],
        ['put', `${api}/pause`],
        ['put', `${q}/concurrency`, { concurrency: 1 }],
        ['put', `${q}/${job.id}/retry`],
        ['put', `${q}/${job.id}/promote`],
        ['put', `${q}/${job.id}/clean`],
        ['patch', `${q}/${job.id}/update-data`, { data: { changed: true } }],
        ['patch', `${q}/${job.id}/delay`, { delay: 0 }],
        ['patch', `${q}/${job.id}/priority`, { priority: 1 }],
        ['put', `${q}/${job.id}/remove-unprocessed-children`],
        ['put', `${q}/job-schedulers/any/remove`],
        ['put', `${q}/job-schedulers/any/run`],
        ['put', `${api}/resume`],
      ];
      for (const [method, path, body] of writes) {
        const response = await t.http()[method](path).set('Authorization', admin).send(body ?? {});
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 405 });
        expect(response.headers.allow).toBe('GET, HEAD');
      }
      expect(await counts()).toEqual(before);
      const stored = await queue.getJob(job.id!);
      expect(stored?.data).toEqual({ probe: true });
      expect(await stored?.isDelayed()).toBe(true);

      // bull-board's own read-only mode is on too: its UI offers no actions.
      const board = await t.http().get(api).set('Authorization', admin);
      expect(board.status).toBe(200);
      for (const shown of board.body.queues as { readOnlyMode: boolean; allowRetries: boolean }[]) expect(shown).toMatchObject({ readOnlyMode: true, allowRetries: false });
      await stored?.remove();
    });
  });
});
