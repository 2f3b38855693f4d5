import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { JwtSecretError } from './errors.js';

/**
 * The secret that signs access tokens: JWT_SECRET when set, else one generated on first start
 * and kept in `<dataDir>/jwt-secret` (mode 0600), so tokens survive restarts and every process
 * that shares the data dir signs with the same secret.
 */

export const MIN_JWT_SECRET_LENGTH = 32;
export const JWT_SECRET_FILE = 'jwt-secret';

export interface JwtSecretOptions {
  /** The value of JWT_SECRET; unset or empty means "use or create the file". */
  readonly env?: string | undefined;
  readonly dataDir: string;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

async function readSecretFile(file: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw new JwtSecretError(`cannot read the JWT secret file ${file}: ${(error as Error).message}`);
  }
  const secret = text.trim();
  if (secret.length < MIN_JWT_SECRET_LENGTH) {
    throw new JwtSecretError(
      `the JWT secret file ${file} holds ${secret.length} characters, fewer than ${MIN_JWT_SECRET_LENGTH}: ` +
        'delete it to have a new one generated (signed-in users will have to sign in again), or set JWT_SECRET',
    );
  }
  return secret;
}

/**
 * Publishes `tmp` as `file` unless `file` exists. A hard link never replaces an existing file,
 * so when two processes start together exactly one secret wins and the other reads it. Where
 * hard links are not supported, falls back to rename (which may replace a concurrent writer's
 * file; the caller then reads back what is there).
 */
async function publish(tmp: string, file: string): Promise<'published' | 'exists' | 'renamed'> {
  try {
    await link(tmp, file);
    return 'published';
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return 'exists';
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
  }
  await rename(tmp, file);
  return 'renamed';
}

export async function loadOrCreateJwtSecret(options: JwtSecretOptions): Promise<string> {
  const { env, dataDir } = options;
  if (env !== undefined && env !== '') {
    if (env.length < MIN_JWT_SECRET_LENGTH) {
      throw new JwtSecretError(
        `JWT_SECRET is ${env.length} characters long; it must be at least ${MIN_JWT_SECRET_LENGTH} ` +
          "(for example the output of `node -e \"console.log(require('crypto').randomBytes(48).toString('base64url'))\"`), " +
          'or leave it unset to have one generated in the data dir',
      );
    }
    return env;
  }

  const file = join(dataDir, JWT_SECRET_FILE);
  const existing = await readSecretFile(file);
  if (existing !== null) return existing;

  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new JwtSecretError(`cannot create the data dir ${dataDir} for the JWT secret: ${(error as Error).message}`);
  }
  const secret = randomBytes(48).toString('base64url');
  const tmp = join(dataDir, `.${JWT_SECRET_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${secret}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(tmp, 0o600); // whatever the umask
    const outcome = await publish(tmp, file);
    if (outcome === 'published') return secret;
    // Another process got there first (or we cannot tell): the file on disk is the secret.
    const winner = await readSecretFile(file);
    if (winner === null) throw new JwtSecretError(`the JWT secret file ${file} vanished while it was being created`);
    return winner;
  } catch (error) {
    if (error instanceof JwtSecretError) throw error;
    throw new JwtSecretError(`cannot write the JWT secret file ${file}: ${(error as Error).message}`);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
