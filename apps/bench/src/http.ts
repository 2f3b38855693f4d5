/**
 * HTTP benchmark: commands per second through the whole API (token check, validation, load and
 * fold the case, decide, append) from 50 connections, each adding notes to a case of its own
 * with the expected revision it last saw; compared with the raw durable-write rate of the same
 * PostgreSQL, measured in this process.
 *
 * Env: BENCH_DATABASE_URL (else an embedded PostgreSQL), BENCH_CONNECTIONS (50), BENCH_SECONDS (15),
 * BENCH_WARMUP_SECONDS (3), BENCH_WRITERS (32, for the raw baseline), BENCH_SERVER_NODE_ARGS (extra
 * node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). The last line is JSON.
 */
import autocannon from 'autocannon';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { apiJson, log, measureInTurns, openScratchDatabase, positiveInt, positiveNumber, projectionsReach, rawCommitOp, startApiServer, type ApiServer } from './support.js';

const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 50);
const SECONDS = positiveNumber('BENCH_SECONDS', 15);
const WARMUP_SECONDS = positiveNumber('BENCH_WARMUP_SECONDS', 3);
const WRITERS = positiveInt('BENCH_WRITERS', 32);
const PASSWORD = 'bench-password';

async function cpuSeconds(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks of 1/100 s.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** autocannon gives each request a fresh context, alive from its setupRequest to its onResponse. */
interface RequestContext {
  caseIndex?: number;
}

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(options, (error, result) => (error ? reject(error) : resolve(result))));
}

async function main(): Promise<void> {
  const database = await openScratchDatabase('minyi_bench_http');
  const dataDir = await mkdtemp(join(tmpdir(), 'minyi-bench-http-'));
  let server: ApiServer | undefined;
  const catchUpPool = new pg.Pool({ connectionString: database.url, max: 1 });
  catchUpPool.on('error', () => undefined);
  try {
    const started = await startApiServer(database.url, dataDir, PASSWORD);
    server = started;
    const { base } = started;
    const { accessToken: token } = await apiJson<{ accessToken: string }>(base, '/api/v1/auth/login', null, { username: 'hd-dg-1.coordinator', password: PASSWORD });

    // A case is used by one request at a time, so the expected revision each request sends is
    // the one the previous request on that case answered (a few spare cases cover lost answers).
    const cases: { id: string; revision: number }[] = [];
    for (let i = 0; i < CONNECTIONS + 10; i++) {
      const filed = await apiJson<{ id: string; revision: number }>(base, '/api/v1/cases', token, {
        kind: 'grievance',
        title: `压测案件 ${i}`,
        description: '用于压测的案件：反映小区路灯损坏。',
        channel: 'hotline',
        unitId: 'hd-dg-1',
        filer: { name: '测试', phone: '13800000000' },
      });
      cases.push({ id: filed.id, revision: filed.revision });
    }

    let idle: number[] = [];
    let conflicts = 0;
    let lastPosition = 0;
    const load = async (seconds: number) => {
      // Requests cut off by the end of a previous run left their cases at revisions not seen here.
      for (const own of cases) own.revision = (await apiJson<{ revision: number }>(base, `/api/v1/cases/${own.id}`, token)).revision;
      idle = cases.map((_, index) => index);
      return run({
        url: base,
        connections: CONNECTIONS,
        duration: seconds,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        initialContext: {},
        requests: [
          {
            method: 'POST',
            setupRequest: (request, context: RequestContext) => {
              context.caseIndex = idle.shift();
              if (context.caseIndex === undefined) throw new Error('no idle case: more requests in flight than cases');
              const own = cases[context.caseIndex]!;
              return { ...request, path: `/api/v1/cases/${own.id}/notes`, body: JSON.stringify({ expectedRevision: own.revision, type: 'visit', text: '走访记录：已与住户沟通，物业承诺三日内修复。' }) };
            },
            onResponse: (status, body, context: RequestContext) => {
              const own = cases[context.caseIndex!]!;
              if (status === 200) {
                const answer = JSON.parse(body) as { revision: number; position: number };
                own.revision = answer.revision;
                lastPosition = Math.max(lastPosition, answer.position);
              } else if (status === 409) {
                conflicts++;
                own.revision = (JSON.parse(body) as { currentRevision: number }).currentRevision;
              }
              idle.push(context.caseIndex!);
            },
          },
        ],
      });
    };

    log(`API: ${base}; ${CONNECTIONS} connections, each adding notes to its own case`);
    await load(WARMUP_SECONDS);
    conflicts = 0;
    const cpuBefore = await cpuSeconds(server.process.pid);
    const result = await load(SECONDS);
    const cpuAfter = await cpuSeconds(server.process.pid);
    const commandsPerSecond = result['2xx'] / (result.duration || SECONDS);
    const serverCpuMs = cpuBefore === null || cpuAfter === null || result['2xx'] === 0 ? null : ((cpuAfter - cpuBefore) * 1000) / result['2xx'];
    log(`commands ${result['2xx']} in ${result.duration.toFixed(1)} s: ${commandsPerSecond.toFixed(0)}/s; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; non-2xx ${result.non2xx} (${conflicts} conflicts), errors ${result.errors}`);
    if (serverCpuMs !== null) log(`server CPU per command                       ${serverCpuMs.toFixed(2).padStart(8)} ms`);
    // How long after the load every projection's checkpoint passed the last answered position: a
    // rate that left the read models far behind would be paid for later.
    const catchUpMs = await projectionsReach(catchUpPool, lastPosition, 120_000);
    log(`read models caught up after the load        ${catchUpMs.toFixed(0).padStart(8)} ms`);

    // The baseline, on the same server, measured now in this process.
    const pool = new pg.Pool({ connectionString: database.url, max: WRITERS + 2 });
    pool.on('error', () => undefined);
    let raw: number;
    try {
      const rawCommit = await rawCommitOp(pool, JSON.stringify({ noteType: 'visit', text: '走访记录' }));
      [raw] = (await measureInTurns(WRITERS, { warmupSeconds: 2, seconds: Math.min(SECONDS, 10), sliceSeconds: 1 }, [{ label: 'raw BEGIN; INSERT; COMMIT', op: rawCommit }])) as [number];
    } finally {
      await pool.end();
    }
    const ratio = commandsPerSecond / raw;
    log(`ratio commands / raw commits                 ${ratio.toFixed(2).padStart(8)}`);
    log(
      JSON.stringify({
        connections: CONNECTIONS,
        commandsPerSecond: Math.round(commandsPerSecond),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        non2xx: result.non2xx,
        serverCpuMsPerCommand: serverCpuMs === null ? null : Math.round(serverCpuMs * 100) / 100,
        readModelCatchUpMs: Math.round(catchUpMs),
        rawEventsPerSecond: Math.round(raw),
        ratio: Math.round(ratio * 100) / 100,
      }),
    );
  } finally {
    await catchUpPool.end();
    await server?.stop();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
