import { beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expectError } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

const CONSOLE_DIR = new URL('../../../dist/console', import.meta.url).pathname;

describe('the web console at /', () => {
  let t: TestApp;
  let script: string;
  useTestApp((app) => {
    t = app;
  });
  beforeAll(() => {
    if (!existsSync(join(CONSOLE_DIR, 'index.html')))
      throw new Error(`the console is not built (${CONSOLE_DIR}): run \`npm run build\` first`);
    script = readdirSync(join(CONSOLE_DIR, 'assets')).find((name) => /^index-.+\.js$/.test(name))!;
  });

  it('answers / with the console’s page, revalidated on every load', async () => {
    const response = await t.http().get('/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.text).toContain('<div id="root"></div>');
    expect(response.text).toContain(`/assets/${script}`);
  });

  it('serves the hashed files under /assets for a year, as immutable', async () => {
    const response = await t.http().get(`/assets/${script}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expectError(await t.http().get('/assets/index-gone.js'), 404);
  });

  it('opens the console at any other path, so deep links work', async () => {
    for (const path of ['/cases/0f9c1a52-3f1e-4c55-9a61-3c1d2b4f8a10', '/inbox', '/stats?unitId=hd']) {
      const response = await t.http().get(path);
      expect({ path, status: response.status, type: response.headers['content-type'] }).toEqual({
        path,
        status: 200,
        type: expect.stringMatching(/^text\/html/),
      });
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.text).toContain('<div id="root"></div>');
    }
  });

  it('leaves the server’s own paths alone: unknown API routes are still the JSON 404', async () => {
    for (const path of ['/api/v1/nothing-here', '/api', '/api/v2/cases', '/admin/nothing']) {
      const response = await t.http().get(path);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
    }
    expect((await t.http().get('/api/v1/cases')).status).toBe(401);
    expect((await t.http().get('/health')).body).toMatchObject({ status: 'ok' });
    expect((await t.http().get('/metrics')).text).toContain('# TYPE');
    expect((await t.http().get('/api/docs-json')).body.openapi).toMatch(/^3\./);
    expect((await t.http().get('/admin/queues')).status).toBe(401);
  });
});
