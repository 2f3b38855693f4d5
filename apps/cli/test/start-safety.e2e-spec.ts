import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '#testing';

jest.setTimeout(120_000);

/** The built server, as `npm start` runs it. */
const SERVER_MAIN = fileURLToPath(new URL('../../../dist/apps/api/src/main.js', import.meta.url));

function startServer(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SERVER_MAIN], { env: { ...process.env, LOG_LEVEL: 'silent', PASSWORD_SCRYPT_LOG2N: '14', ...env }, timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** API.md, "Demo safety": demo accounts with the published password never face a public interface. */
describe('starting with demo accounts on a public interface', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase('minyi_start');
    dir = await mkdtemp(join(tmpdir(), 'minyi-start-'));
  });
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a non-loopback HOST while demo accounts have the published password, saying what to do, with exit 2', async () => {
    const run = await startServer({ DATABASE_URL: db.url, JOBS_DATABASE_URL: db.url, MINYI_DATA_DIR: dir, MINYI_DEMO: '1', HOST: '0.0.0.0', PORT: '0', MINYI_WORKERS: '0' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^minyi: configuration HOST: "0\.0\.0\.0" is reachable from other machines, but 12 account\(s\) still have the published demo password \(admin, auditor, .*\)\. Change their passwords/);
    expect(run.stdout).not.toMatch(/minyi is running/);
  });
});
