/**
 * What the benchmarks share: their settings, a scratch database on the benchmark server, the loop
 * that measures a rate, and the baseline every figure is compared against: PostgreSQL's durable
 * write limit on the same server, in the same process.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ensureDatabase, freePort, siblingDatabaseUrl, startEmbeddedPostgres } from '#database';
import { answers, ManagedProcess } from '../../stack/src/processes.js';

export function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
}

export function positiveInt(name: string, fallback: number): number {
  const value = positiveNumber(name, fallback);
  if (!Number.isInteger(value)) throw new Error(`${name} must be a whole number, got ${value}`);
  return value;
}

export const log = (line: string) => process.stdout.write(`${line}\n`);

export interface ScratchDatabase {
  /** The scratch database. */
  readonly url: string;
  readonly name: string;
  /** Drops the database and stops the embedded server, if one was started. */
  close(): Promise<void>;
}

/** A fresh database on BENCH_DATABASE_URL's server, or on an embedded PostgreSQL started for the run. */
export async function openScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let stopEmbedded = async () => undefined;
  if (!serverUrl) {
    const dataDir = await mkdtemp(join(tmpdir(), 'minyi-bench-pg-'));
    const embedded = await startEmbeddedPostgres({ dataDir });
    serverUrl = embedded.url('postgres');
    stopEmbedded = async () => {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
    log(`server: embedded PostgreSQL on port ${embedded.port} (BENCH_DATABASE_URL not set)`);
  }
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(serverUrl, name);
  const admin = serverUrl;
  return {
    url: siblingDatabaseUrl(serverUrl, name),
    name,
    async close() {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`).catch(() => undefined);
      await client.end();
      await stopEmbedded();
    },
  };
}

export type Op = (writer: number) => Promise<void>;

export interface Timing {
  readonly warmupSeconds: number;
  /** Measured time per workload. */
  readonly seconds: number;
  /** Length of one turn when workloads take turns. */
  readonly sliceSeconds: number;
}

/** Runs `op` from W concurrent loops for about `seconds`; every operation started is awaited and counted. */
async function runFor(seconds: number, writers: number, op: Op): Promise<{ count: number; seconds: number }> {
  let stopping = false;
  let count = 0;
  const started = performance.now();
  const loops = Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (!stopping) {
        await op(writer);
        count++;
      }
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([loops, new Promise<void>((resolve) => (timer = setTimeout(resolve, seconds * 1000)))]);
  clearTimeout(timer);
  stopping = true;
  await loops;
  return { count, seconds: (performance.now() - started) / 1000 };
}

/**
 * Measures several workloads on equal terms: each warms up, then they take turns in short
 * slices (in alternating order) until each has run for `timing.seconds`. Whatever else the
 * machine does meanwhile falls on all of them alike, so their ratio holds even when absolute
 * rates drift.
 */
export async function measureInTurns(writers: number, timing: Timing, workloads: readonly { label: string; op: Op }[]): Promise<number[]> {
  for (const { op } of workloads) await runFor(timing.warmupSeconds, writers, op);
  const totals = workloads.map(() => ({ count: 0, seconds: 0 }));
  const rounds = Math.max(1, Math.round(timing.seconds / timing.sliceSeconds));
  for (let round = 0; round < rounds; round++) {
    const order = workloads.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const slice = await runFor(timing.seconds / rounds, writers, workloads[i]!.op);
      totals[i]!.count += slice.count;
      totals[i]!.seconds += slice.seconds;
    }
  }
  return workloads.map(({ label }, i) => {
    const { count, seconds } = totals[i]!;
    const rate = count / seconds;
    log(`${label.padEnd(44)} ${rate.toFixed(0).padStart(8)} /s  (${count} in ${seconds.toFixed(1)} s, ${writers} writers, ${rounds} slices)`);
    return rate;
  });
}

/**
 * The durable-write limit, as one operation: BEGIN; INSERT one row; COMMIT. Written out by hand
 * rather than through inTransaction on purpose: the baseline measures PostgreSQL alone, so a
 * change to our own transaction helper must not move the figure every ratio is taken against.
 */
export async function rawCommitOp(pool: pg.Pool, row: string): Promise<Op> {
  await pool.query('CREATE TABLE IF NOT EXISTS raw_inserts (id bigserial PRIMARY KEY, stream_id text NOT NULL, data jsonb NOT NULL)');
  return async (writer) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query({ name: 'bench_raw_insert', text: 'INSERT INTO raw_inserts (stream_id, data) VALUES ($1, $2)', values: [`raw-${writer}`, row] });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
}

export interface ApiServer {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly process: ManagedProcess;
  /** Stops the process and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * The API as `npm start` runs it, in a process of its own (so the load generator does not share
 * its event loop), on the scratch database, with the demo accounts and `password`, and with
 * `MALLOC_ARENA_MAX` 2 unless set (as `npm start` and the Docker image: glibc keeps two malloc
 * arenas instead of one a thread, each holding on to memory it freed).
 * BENCH_SERVER_NODE_ARGS adds node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
 * Its events stay in PostgreSQL even when EVENTSTORE_URL is set: these benchmarks measure
 * against the same PostgreSQL, and projectionsReach reads its events table.
 */
export async function startApiServer(databaseUrl: string, dataDir: string, password: string): Promise<ApiServer> {
  const port = await freePort();
  const main = fileURLToPath(new URL('../../api/src/main.js', import.meta.url));
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const base = `http://127.0.0.1:${port}`;
  const server = await ManagedProcess.start({
    name: 'the server',
    command: process.execPath,
    args: [...nodeArgs, main],
    env: { MALLOC_ARENA_MAX: '2', ...process.env, DATABASE_URL: databaseUrl, JOBS_DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', MINYI_DATA_DIR: dataDir, MINYI_DEMO: '1', MINYI_DEMO_PASSWORD: password, MINYI_DEMO_CASES: '0', LOG_LEVEL: 'warn', EVENTSTORE_URL: undefined },
    ready: answers(`${base}/health`),
  });
  return { base, process: server, stop: () => server.stop() };
}

/** A JSON request to the API (POST when there is a body); anything but 2xx throws. */
export async function apiJson<T>(base: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The value below which a share `p` (0..1) of the samples lie (nearest rank); NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/**
 * Waits until every projection's checkpoint (read models and reactors alike) has passed the
 * event at `globalPosition`, so that what is timed next does not share the server with catching
 * up; returns how long that took.
 */
export async function projectionsReach(pool: pg.Pool, globalPosition: number, timeoutMs = 300_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    // The log is ordered by (transaction, position): the last event appended may not be the last in log order.
    const { rows } = await pool.query<{ behind: string; total: string }>(
      `SELECT count(*) FILTER (WHERE c.commit_position IS NULL OR (c.commit_position, c.prepare_position) < (e.transaction_id::text::bigint, e.global_position)) AS behind,
              count(*) AS total
         FROM projection_checkpoints c, events e
        WHERE e.global_position = $1`,
      [globalPosition],
    );
    if (rows[0]!.total === '0') throw new Error('no projection checkpoints: are the projections running?');
    if (rows[0]!.behind === '0') return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`projections still behind position ${globalPosition} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
