/**
 * Abuse benchmark: does the API stay fast for its users while someone floods it, and how long do
 * the reads of a case and an inbox take when cases grow large?
 *
 *   (a) a login flood: BENCH_ABUSE_CONNECTIONS connections send failed logins with random (valid)
 *       usernames for BENCH_ABUSE_FLOOD_SECONDS, while one signed-in coordinator reads
 *       `GET /api/v1/cases` and `GET /health` in turn; the p99 of each during the flood against
 *       the same reads without it (the baseline, measured first in this run, on this server)
 *   (b) one case with BENCH_ABUSE_NOTES notes: its history page and its detail
 *   (c) an inbox of BENCH_ABUSE_INBOX_CASES cases with BENCH_ABUSE_INBOX_NOTES notes each at one
 *       unit: `GET /api/v1/inbox` for a coordinator of that unit
 * (b) and (c) are the median of BENCH_ABUSE_RUNS warm requests, after one cold request.
 *
 * The server runs in a child process, as in bench:http; autocannon runs in this process's main
 * thread and the coordinator's reads in a worker thread, so neither the server nor the timed
 * reads share an event loop with the flood's client. All flood requests come from 127.0.0.1, so
 * once the per-address login limit refuses them (429) the flood measures the refusal path; 401
 * and 429 both count as refused. The coordinator signs in before the flood, for the same reason.
 *
 * The cases of (b) and (c) are appended straight to the event store in the shape the commands
 * write (a filing, then notes), much faster than through the API; the reads wait until every
 * projection (read models and reactors) has caught up with them. The list's cases and the large case are filed at a grid
 * below the coordinator's community, so that the inbox holds exactly the cases of (c).
 *
 * Env: BENCH_DATABASE_URL (else an embedded PostgreSQL), BENCH_ABUSE_FLOOD_SECONDS (20),
 * BENCH_ABUSE_BASELINE_SECONDS (as the flood), BENCH_ABUSE_CONNECTIONS (50), BENCH_ABUSE_NOTES
 * (2000), BENCH_ABUSE_INBOX_CASES (500), BENCH_ABUSE_INBOX_NOTES (100), BENCH_ABUSE_RUNS (9),
 * BENCH_SERVER_NODE_ARGS (extra node flags for the server). The last line is JSON.
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { CURRENT_SCHEMA_VERSION, type CaseEvent } from '#domain';
import { PostgresEventStore, type ExpectedRevision, type NewEvent } from '#event-store';
import { apiJson, log, openScratchDatabase, percentile, positiveInt, positiveNumber, projectionsReach, startApiServer, type ApiServer } from './support.js';

const FLOOD_SECONDS = positiveNumber('BENCH_ABUSE_FLOOD_SECONDS', 20);
const BASELINE_SECONDS = positiveNumber('BENCH_ABUSE_BASELINE_SECONDS', FLOOD_SECONDS);
const CONNECTIONS = positiveInt('BENCH_ABUSE_CONNECTIONS', 50);
const NOTES = positiveInt('BENCH_ABUSE_NOTES', 2000);
const INBOX_CASES = positiveInt('BENCH_ABUSE_INBOX_CASES', 500);
const INBOX_NOTES = positiveInt('BENCH_ABUSE_INBOX_NOTES', 100);
const RUNS = positiveInt('BENCH_ABUSE_RUNS', 9);
const PASSWORD = 'bench-password';
/** The coordinator whose reads are timed, their community, and a grid below it. */
const COORDINATOR = 'hd-dg-1.coordinator';
const COMMUNITY = 'hd-dg-1';
const GRID = 'hd-dg-1-g1';
/** Cases filed through the API before the flood: one full page of the list. */
const LIST_CASES = 20;
/** Events per append when filling the large case. */
const APPEND_BATCH = 500;
const APPEND_WRITERS = 8;
/** The pause after the flood before (b). */
const SETTLE_SECONDS = 5;

const TARGETS = { listP99Ms: 150, healthP99Ms: 50, historyMs: 50, detailMs: 50, inboxMs: 300 } as const;

// ---- The coordinator's reads, in a worker thread ----------------------------------------------

interface ProbeInput {
  readonly base: string;
  readonly token: string;
}

type ProbeMessage = { readonly ready: true } | { readonly list: number[]; readonly health: number[]; readonly failures: Record<string, number> };

interface ProbeResult {
  readonly list: number[];
  readonly health: number[];
  readonly failures: Record<string, number>;
}

/** Reads the list and health in turn, one request at a time, until told to stop; then reports every latency. */
async function probe({ base, token }: ProbeInput): Promise<void> {
  const port = parentPort!;
  let stopping = false;
  port.once('message', () => (stopping = true));
  const list: number[] = [];
  const health: number[] = [];
  const failures: Record<string, number> = {};
  const fail = (key: string) => (failures[key] = (failures[key] ?? 0) + 1);
  const time = async (path: string, headers: Record<string, string>, into: number[]) => {
    const started = performance.now();
    try {
      const response = await fetch(`${base}${path}`, { headers });
      await response.arrayBuffer();
      into.push(performance.now() - started);
      if (!response.ok) fail(`${path} ${response.status}`);
    } catch (error) {
      fail(`${path} ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  port.postMessage({ ready: true } satisfies ProbeMessage);
  while (!stopping) {
    await time('/api/v1/cases', { authorization: `Bearer ${token}` }, list);
    await time('/health', {}, health);
  }
  port.postMessage({ list, health, failures } satisfies ProbeMessage);
}

/** Runs the probe while `load` runs (from when the probe is ready until `load` settles). */
async function probeWhile<T>(input: ProbeInput, load: () => Promise<T>): Promise<{ result: T; probe: ProbeResult }> {
  const worker = new Worker(new URL(import.meta.url), { workerData: input });
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const finished = new Promise<ProbeResult>((resolve, reject) => {
    worker.on('message', (message: ProbeMessage) => ('ready' in message ? ready() : resolve(message)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the probe exited with code ${code} before reporting`)));
  });
  try {
    await Promise.race([started, finished]);
    const result = await load();
    worker.postMessage('stop');
    return { result, probe: await finished };
  } finally {
    await worker.terminate();
  }
}

const sleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

// ---- The login flood ---------------------------------------------------------------------------

function flood(base: string): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url: base,
        connections: CONNECTIONS,
        duration: FLOOD_SECONDS,
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            method: 'POST',
            path: '/api/v1/auth/login',
            // A valid username that no account has: on the full path (counted, and a password hash verified).
            setupRequest: (request) => ({ ...request, body: JSON.stringify({ username: `flood-${randomBytes(6).toString('hex')}`, password: 'not-the-password' }) }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
}

// ---- Cases appended straight to the event store ------------------------------------------------

function filing(caseId: string, serial: number, unitId: string): CaseEvent {
  return {
    type: 'CaseFiled',
    data: {
      caseId,
      // Numbers from the API's sequence start at MY-2026-000001; these cannot meet them.
      number: `MY-2026-9${String(serial).padStart(5, '0')}`,
      kind: 'grievance',
      title: `压测：长期跟进的诉求第${serial}号`,
      description: '居民反映小区停车位紧张，外来车辆占用消防通道，希望社区协调物业解决。',
      channel: 'hotline',
      unitId,
      urgency: 'normal',
      filer: { name: '张三', phone: '13812345678', anonymous: false },
      parties: [],
      visitReason: null,
      occurredAt: null,
      location: { address: '东关街道1号楼' },
    },
  };
}

function note(index: number): CaseEvent {
  const noteType = (['contact', 'visit', 'mediation', 'note'] as const)[index % 4]!;
  return { type: 'NoteAdded', data: { noteType, text: `第${index + 1}次跟进：电话联系当事人，了解调解进展，当事人表示愿意继续协商，约定下周再次走访。` } };
}

function recorded(event: CaseEvent, at: string): NewEvent {
  return {
    id: uuidv7(),
    type: event.type,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    data: event.data as Record<string, unknown>,
    metadata: { actorId: COORDINATOR, actorRole: 'coordinator', unitId: COMMUNITY, at, correlationId: uuidv7(), causationId: null },
  };
}

/** A case filed at `unitId` with `notes` notes, appended `APPEND_BATCH` events at a time; the global position of its last event. */
async function appendCase(store: PostgresEventStore, serial: number, unitId: string, notes: number): Promise<{ caseId: string; position: number }> {
  const caseId = uuidv7();
  const at = new Date().toISOString();
  const events = [recorded(filing(caseId, serial, unitId), at), ...Array.from({ length: notes }, (_, i) => recorded(note(i), at))];
  let expected: ExpectedRevision = 'no_stream';
  let position = 0;
  for (let i = 0; i < events.length; i += APPEND_BATCH) {
    const result = await store.appendToStream(`case-${caseId}`, events.slice(i, i + APPEND_BATCH), { expectedRevision: expected });
    expected = result.nextExpectedRevision;
    position = result.globalPosition;
  }
  return { caseId, position };
}

// ---- Timing reads ------------------------------------------------------------------------------

interface Timed {
  readonly coldMs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly bytes: number;
  /** The parsed body of the cold request. */
  readonly body: unknown;
}

/** One cold GET, then RUNS warm ones, each timed to the last byte of the body. */
async function timeGet(base: string, path: string, token: string): Promise<Timed> {
  const once = async () => {
    const started = performance.now();
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    const ms = performance.now() - started;
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text.slice(0, 500)}`);
    return { ms, text };
  };
  const cold = await once();
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push((await once()).ms);
  return {
    coldMs: cold.ms,
    medianMs: percentile(warm, 0.5),
    minMs: Math.min(...warm),
    maxMs: Math.max(...warm),
    bytes: Buffer.byteLength(cold.text),
    body: JSON.parse(cold.text),
  };
}

// ---- Output --------------------------------------------------------------------------------------

const ms = (value: number) => `${value.toFixed(1)} ms`;
const verdict = (value: number, target: number) => (value < target ? 'met' : 'MISSED');

function timedLine(label: string, timed: Timed, target: number, extra: string): string {
  return (
    `${label.padEnd(36)} ${ms(timed.medianMs).padStart(11)} median  (target < ${target} ms: ${verdict(timed.medianMs, target)}; ` +
    `cold ${ms(timed.coldMs)}, warm ${ms(timed.minMs)}–${ms(timed.maxMs)} over ${RUNS}; ${(timed.bytes / 1e6).toFixed(2)} MB; ${extra})`
  );
}

function probeLine(label: string, baseline: number[], during: number[], target: number): string {
  const before = percentile(baseline, 0.99);
  const flooded = percentile(during, 0.99);
  return (
    `${label.padEnd(36)} ${ms(before).padStart(11)} ${ms(flooded).padStart(14)} ${(flooded / before).toFixed(2).padStart(8)}   < ${target} ms: ${verdict(flooded, target)}` +
    `  (${baseline.length} / ${during.length} reads; p50 ${ms(percentile(baseline, 0.5))} / ${ms(percentile(during, 0.5))})`
  );
}

async function main(): Promise<void> {
  const database = await openScratchDatabase('minyi_bench_abuse');
  const dataDir = await mkdtemp(join(tmpdir(), 'minyi-bench-abuse-'));
  let server: ApiServer | undefined;
  const pool = new pg.Pool({ connectionString: database.url, max: APPEND_WRITERS + 2 });
  pool.on('error', () => undefined);
  const store = new PostgresEventStore({ pool });
  try {
    server = await startApiServer(database.url, dataDir, PASSWORD);
    const { base } = server;
    const { accessToken: token } = await apiJson<{ accessToken: string }>(base, '/api/v1/auth/login', null, { username: COORDINATOR, password: PASSWORD });
    for (let i = 0; i < LIST_CASES; i++) {
      await apiJson(base, '/api/v1/cases', token, {
        kind: 'grievance',
        title: `压测案件 ${i}`,
        description: '用于压测的案件：反映小区路灯损坏。',
        channel: 'hotline',
        unitId: GRID,
        filer: { name: '测试', phone: '13800000000' },
      });
    }
    log(`API: ${base}; ${COORDINATOR} reads a list page of ${LIST_CASES} cases and /health in turn; machine load average ${loadavg()[0]!.toFixed(1)}`);

    // (a) The same reads without the flood, then during it.
    const input = { base, token };
    await probeWhile(input, () => sleep(Math.min(2, BASELINE_SECONDS)));
    const baseline = (await probeWhile(input, () => sleep(BASELINE_SECONDS))).probe;
    const { result: attack, probe: during } = await probeWhile(input, () => flood(base));
    const counts = Object.fromEntries(Object.entries(attack.statusCodeStats ?? {}).map(([status, stats]) => [status, stats?.count ?? 0]));
    const responses = Object.values(counts).reduce((sum, count) => sum + count, 0);
    const refused = (counts['401'] ?? 0) + (counts['429'] ?? 0);
    const loginFloodRps = responses / (attack.duration || FLOOD_SECONDS);
    log(
      `login flood: ${CONNECTIONS} connections, ${responses} answers in ${attack.duration.toFixed(1)} s: ${loginFloodRps.toFixed(0)}/s; ` +
        `refused ${refused} (401: ${counts['401'] ?? 0}, 429: ${counts['429'] ?? 0}), other ${responses - refused} ${JSON.stringify(counts)}; ` +
        `latency p50 ${attack.latency.p50} ms, p99 ${attack.latency.p99} ms; errors ${attack.errors}, timeouts ${attack.timeouts}`,
    );
    for (const [label, failures] of [['baseline', baseline.failures], ['flood', during.failures]] as const) {
      if (Object.keys(failures).length > 0) log(`coordinator's failed reads (${label}): ${JSON.stringify(failures)}`);
    }
    log(`${''.padEnd(36)} ${'baseline p99'.padStart(11)} ${'during flood'.padStart(14)} ${'ratio'.padStart(8)}   target`);
    log(probeLine('GET /api/v1/cases p99', baseline.list, during.list, TARGETS.listP99Ms));
    log(probeLine('GET /health p99', baseline.health, during.health, TARGETS.healthP99Ms));

    // Logins the server had queued when the flood's connections closed are still worked off.
    await sleep(SETTLE_SECONDS);

    // (b) One case with NOTES notes.
    let began = performance.now();
    const big = await appendCase(store, 0, GRID, NOTES);
    const appendedMs = performance.now() - began;
    const caughtUpMs = await projectionsReach(pool, big.position);
    log(`(b) case with ${NOTES} notes appended in ${ms(appendedMs)}; projections caught up ${ms(caughtUpMs)} later`);
    const history = await timeGet(base, `/api/v1/cases/${big.caseId}/history`, token);
    const historyBody = history.body as { events: unknown[]; nextRevision?: number };
    log(timedLine('GET /api/v1/cases/{id}/history', history, TARGETS.historyMs, `${historyBody.events.length} events on the first page${historyBody.nextRevision === undefined ? '' : `, nextRevision ${historyBody.nextRevision}`}`));
    const detail = await timeGet(base, `/api/v1/cases/${big.caseId}`, token);
    log(timedLine('GET /api/v1/cases/{id}', detail, TARGETS.detailMs, `${(detail.body as { notes: unknown[] }).notes.length} notes`));

    // (c) INBOX_CASES cases with INBOX_NOTES notes each, waiting at the coordinator's community.
    began = performance.now();
    let next = 1;
    const positions: number[] = [];
    await Promise.all(
      Array.from({ length: APPEND_WRITERS }, async () => {
        for (let serial = next++; serial <= INBOX_CASES; serial = next++) positions.push((await appendCase(store, serial, COMMUNITY, INBOX_NOTES)).position);
      }),
    );
    const filledMs = performance.now() - began;
    // Concurrent appends may reach the log in another order than their positions: wait for each case.
    began = performance.now();
    for (const position of positions) await projectionsReach(pool, position);
    const inboxCaughtUpMs = performance.now() - began;
    log(`(c) ${INBOX_CASES} cases with ${INBOX_NOTES} notes each appended in ${ms(filledMs)}; projections caught up ${ms(inboxCaughtUpMs)} later`);
    const inbox = await timeGet(base, '/api/v1/inbox', token);
    const inboxBody = inbox.body as { items: { notes: unknown[] }[] };
    const inboxNotes = inboxBody.items.reduce((sum, item) => sum + item.notes.length, 0);
    log(timedLine('GET /api/v1/inbox', inbox, TARGETS.inboxMs, `${inboxBody.items.length} cases, ${inboxNotes} notes`));
    log(`machine load average ${loadavg()[0]!.toFixed(1)} (1 min): figures move with whatever else the machine runs`);

    log(
      JSON.stringify({
        loginFloodRps: Math.round(loginFloodRps),
        listP99MsDuringFlood: round(percentile(during.list, 0.99)),
        healthP99MsDuringFlood: round(percentile(during.health, 0.99)),
        history2000NotesMs: round(history.medianMs),
        detail2000NotesMs: round(detail.medianMs),
        inbox500Ms: round(inbox.medianMs),
      }),
    );
  } finally {
    await store.close();
    await pool.end();
    await server?.stop();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const round = (value: number) => Math.round(value * 10) / 10;

if (isMainThread) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
} else {
  // A failure here ends the worker with an error, which probeWhile passes on.
  void probe(workerData as ProbeInput);
}
