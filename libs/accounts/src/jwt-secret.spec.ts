import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtSecretError } from './errors.js';
import { loadOrCreateJwtSecret } from './jwt-secret.js';

describe('loadOrCreateJwtSecret', () => {
  const dirs: string[] = [];
  const newDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'minyi-jwt-secret-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('generates a secret once, keeps it in <dataDir>/jwt-secret with mode 0600, and reuses it', async () => {
    const dataDir = join(await newDir(), 'nested', 'data');
    const first = await loadOrCreateJwtSecret({ dataDir });
    expect(first).toMatch(/^[A-Za-z0-9_-]{64}$/); // 48 random bytes, base64url
    const file = join(dataDir, 'jwt-secret');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first);

    const second = await loadOrCreateJwtSecret({ dataDir });
    expect(second).toBe(first);
    expect(await readdir(dataDir)).toEqual(['jwt-secret']); // no temp files left behind
  });

  it('generates different secrets in different data dirs', async () => {
    const [a, b] = await Promise.all([newDir(), newDir()]);
    expect(await loadOrCreateJwtSecret({ dataDir: a })).not.toBe(await loadOrCreateJwtSecret({ dataDir: b }));
  });

  it('settles on one secret when several start at once', async () => {
    const dataDir = await newDir();
    const secrets = await Promise.all(Array.from({ length: 12 }, () => loadOrCreateJwtSecret({ dataDir })));
    expect(new Set(secrets).size).toBe(1);
    expect((await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim()).toBe(secrets[0]);
    expect(await readdir(dataDir)).toEqual(['jwt-secret']);
  });

  it('reads a secret already in the file', async () => {
    const dataDir = await newDir();
    const existing = 'x'.repeat(40);
    await writeFile(join(dataDir, 'jwt-secret'), `${existing}\n`, { mode: 0o600 });
    expect(await loadOrCreateJwtSecret({ dataDir })).toBe(existing);
  });

  it('refuses a secret file that is too short, naming the file', async () => {
    const dataDir = await newDir();
    await writeFile(join(dataDir, 'jwt-secret'), 'short\n');
    const error = await loadOrCreateJwtSecret({ dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JwtSecretError);
    expect((error as Error).message).toContain(join(dataDir, 'jwt-secret'));
  });

  it('uses JWT_SECRET when set, without touching the data dir', async () => {
    const dataDir = await newDir();
    const env = 'an-operator-chosen-secret-of-enough-length';
    expect(await loadOrCreateJwtSecret({ env, dataDir })).toBe(env);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('rejects a JWT_SECRET shorter than 32 characters with a clear message', async () => {
    const dataDir = await newDir();
    const error = await loadOrCreateJwtSecret({ env: 'too-short-secret', dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JwtSecretError);
    expect((error as Error).message).toMatch(/JWT_SECRET is 16 characters long; it must be at least 32/);
    expect(await readdir(dataDir)).toEqual([]);
    await expect(loadOrCreateJwtSecret({ env: 'y'.repeat(31), dataDir })).rejects.toThrow(JwtSecretError);
    await expect(loadOrCreateJwtSecret({ env: 'y'.repeat(32), dataDir })).resolves.toBe('y'.repeat(32));
  });

  it('treats an empty JWT_SECRET as unset', async () => {
    const dataDir = await newDir();
    const secret = await loadOrCreateJwtSecret({ env: '', dataDir });
    expect((await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim()).toBe(secret);
  });
});
