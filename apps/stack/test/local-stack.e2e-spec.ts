import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { startLocalStack, type LocalStack } from '../src/local-stack.js';

const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** stack:local on a scratch database of the test server: what the soak runs its load and faults on (it runs the build). */
describe('the local stack', () => {
  let db: TestDatabase;
  let dataDir: string;
  let stack: LocalStack;
  let token: string;

  const call = async (base: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    db = await createTestDatabase('minyi_stack');
    dataDir = await mkdtemp(join(tmpdir(), 'minyi-stack-'));
    // REDIS_URL when the tests have one; else the stack starts redis-server if the machine has it.
    stack = await startLocalStack({ databaseUrl: db.url, redisUrl: process.env.REDIS_URL || undefined, apis: 2, dataDir, env: { PASSWORD_SCRYPT_LOG2N: '14' } });
    const login = await fetch(`${stack.apis[0]!.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'hd-dg-1.clerk', password: 'demo12345' }),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as { accessToken: string }).accessToken;
  }, 180_000);

  afterAll(async () => {
    const pids = [stack?.redis?.pid, ...(stack?.apis.map((api) => api.process.pid) ?? []), stack?.worker.pid];
    await stack?.stop();
    // Every process the stack started is gone.
    expect(pids.filter(alive)).toEqual([]);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(`${new URL(db.url).pathname.slice(1)}_jobs`)} WITH (FORCE)`);
    await admin.end();
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('runs two APIs on one store with one token secret, and a worker beside them', async () => {
    expect(stack.apis.map((api) => api.url)).toHaveLength(2);
    for (const api of stack.apis) expect((await fetch(`${api.url}/health`)).status).toBe(200);
    expect(stack.worker.running).toBe(true);
    expect(stack.jobsDatabaseUrl).toMatch(/_jobs$/);

    const filed = await call(stack.apis[0]!.url, '/api/v1/cases', {
      kind: 'dispute',
      title: '小区停车位纠纷',
      description: '业主与物业因停车位分配发生争执，请求社区调解。',
      channel: 'walk_in',
      unitId: 'hd-dg-1',
      filer: { name: '张三', phone: '13812345678' },
    });
    expect(filed.status).toBe(201);
    // The second API accepts the first one's token and reads the case from the same store.
    const read = await call(stack.apis[1]!.url, `/api/v1/cases/${String(filed.body.id)}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: filed.body.id, title: '小区停车位纠纷' });
  }, 60_000);

  it('starts a killed API again on its port, serving the same store', async () => {
    const api = stack.apis[1]!;
    const before = api.process.pid;
    await api.process.kill('SIGKILL');
    expect(api.process.running).toBe(false);
    expect((await fetch(`${api.url}/health`).catch(() => null))?.status).toBeUndefined();
    await api.process.restart();
    expect(api.process.pid).not.toBe(before);
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    expect((await call(api.url, '/api/v1/cases?pageSize=5')).body).toMatchObject({ total: 1 });
  }, 120_000);
});
