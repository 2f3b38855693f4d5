/**
 * `npm run soak -- --minutes N [--seed S]`: the local stack (2 API processes, a worker, Redis when
 * the machine has redis-server) under a seeded mixed load through the HTTP API, with SLA clocks of
 * seconds and a webhook receiver that fails, while processes are killed on a schedule. Once the
 * load has stopped and the engine has settled, it checks from the event log that nothing
 * acknowledged was lost, nothing was recorded twice, every due timer fired once, every
 * notification reached the receiver, every read model equals a fresh rebuild and the store
 * verifies; the last line printed is the JSON of README's "Soak"; the exit status is 1 when a
 * check fails.
 *
 * Env: SOAK_DATABASE_URL (a PostgreSQL server on which a scratch database is made and dropped;
 * else an embedded PostgreSQL in a temporary folder), SOAK_SETTLE_SECONDS (300: the longest wait
 * for timers, deliveries and projections after the load), SOAK_LOG_LEVEL (error: the processes'
 * log level), PROJECTION_LANES (3: the projections' lanes, shared out among the three engine
 * processes, so that killing one hands its lanes to the others).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { loadSlaPolicy } from '#cases';
import { createPool, databaseName, siblingDatabaseUrl } from '#database';
import { SeededRandom } from '#demo-data';
import { PostgresEventStore } from '#event-store';
import { readModels } from '#platform';
import { startLocalStack, type LocalStack } from './local-stack.js';
import { breachTimers, compareWithRebuild, duplicatedEvents, expectedDeliveries, lostAcknowledged, readWholeLog } from './soak-checks.js';
import { runFaults } from './soak-faults.js';
import { runLoad, SoakClient } from './soak-load.js';
import { WebhookSink } from './soak-webhook-sink.js';

const DEMO_PASSWORD = 'demo12345';
const SINK_AWAY_MS = 60_000;
/** A breach this long after its due time has had its chance: see breachTimers. */
const TIMER_GRACE_MS = 15_000;

/**
 * Seconds-scale clocks (API.md: `{ "seconds": n }` is calendar time, for drills and tests), so
 * that warnings, breaches and escalations on breach keep firing during a run of minutes.
 */
const SOAK_SLA_POLICY = {
  clocks: {
    accept: { default: { seconds: 10 } },
    resolve: { default: { seconds: 20 }, onBreach: 'escalate' },
    annotate: { default: { seconds: 15 } },
    callback: { default: { seconds: 15 } },
  },
};

interface Arguments {
  readonly minutes: number;
  readonly seed: number;
}

function parseArguments(args: readonly string[]): Arguments {
  let minutes: number | undefined;
  let seed = 1;
  for (let i = 0; i < args.length; i++) {
    const name = args[i];
    const value = args[i + 1];
    if (name === '--minutes' || name === '--seed') {
      const number = Number(value);
      if (value === undefined || !Number.isFinite(number) || number <= 0 || (name === '--seed' && !Number.isInteger(number))) {
        throw new Error(`${name} needs a positive ${name === '--seed' ? 'whole ' : ''}number, not ${value ?? 'nothing'}`);
      }
      if (name === '--minutes') minutes = number;
      else seed = number;
      i++;
    } else {
      throw new Error(`unknown argument ${name}; usage: npm run soak -- --minutes N [--seed S]`);
    }
  }
  if (minutes === undefined) throw new Error('usage: npm run soak -- --minutes N [--seed S]');
  return { minutes, seed };
}

function settleSeconds(): number {
  const raw = process.env.SOAK_SETTLE_SECONDS;
  const value = raw ? Number(raw) : 300;
  if (!Number.isInteger(value) || value < 1) throw new Error(`SOAK_SETTLE_SECONDS must be a whole number of seconds, not ${raw}`);
  return value;
}

const log = (line: string) => process.stderr.write(`[soak] ${line}\n`);

async function main(): Promise<number> {
  const { minutes, seed } = parseArguments(process.argv.slice(2));
  const settleMs = settleSeconds() * 1000;
  const cleanups: (() => Promise<void>)[] = [];
  let stopping = false;
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => log(`cleaning up: ${String(error)}`));
    cleanups.length = 0;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping everything the soak started`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const dataDir = await mkdtemp(join(tmpdir(), 'minyi-soak-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const policyFile = join(dataDir, 'sla-policy.json');
    await writeFile(policyFile, JSON.stringify(SOAK_SLA_POLICY));
    const policy = await loadSlaPolicy(policyFile);

    let databaseUrl: string | undefined;
    const server = process.env.SOAK_DATABASE_URL;
    if (server) {
      databaseUrl = siblingDatabaseUrl(server, `minyi_soak_${randomBytes(4).toString('hex')}`);
      cleanups.push(() => dropDatabases(server, databaseUrl!));
    }

    const secret = randomBytes(24).toString('base64url');
    const sinkRandom = new SeededRandom(seed * 7 + 1);
    const sink = new WebhookSink({ secret, failShare: 0.3, random: () => sinkRandom.next() });
    await sink.start();
    cleanups.push(() => sink.goAway());

    // No process may end but those the faults kill: one that exits on its own is a defect.
    let exitedOnTheirOwn = 0;
    log(`starting the local stack (${server ? `scratch database ${databaseName(databaseUrl!)}` : 'embedded PostgreSQL'}, seed ${seed})`);
    const stack = await startLocalStack({
      databaseUrl,
      apis: 2,
      dataDir,
      redisAppendOnly: true,
      log,
      onUnexpectedExit: () => exitedOnTheirOwn++,
      env: {
        LOG_LEVEL: process.env.SOAK_LOG_LEVEL || 'error',
        PROJECTION_LANES: process.env.PROJECTION_LANES || '3',
        PASSWORD_SCRYPT_LOG2N: '14',
        MINYI_DEMO_PASSWORD: DEMO_PASSWORD,
        SLA_POLICY_FILE: policyFile,
        NOTIFY_WEBHOOK_URL: sink.url,
        NOTIFY_WEBHOOK_SECRET: secret,
        NOTIFY_WEBHOOK_TIMEOUT_MS: '3000',
        NOTIFY_RETRY_BASE_MS: '200',
      },
    });
    cleanups.push(() => stack.stop());
    log(`stack up: APIs ${stack.apis.map((api) => api.url).join(', ')}; ${stack.redis ? `Redis ${stack.redisUrl} (killed on the schedule)` : 'BullMQ on PostgreSQL (no redis-server: no Redis faults)'}`);

    const loadMs = minutes * 60_000;
    const loadStartedAt = Date.now();
    const client = new SoakClient(
      stack.apis.map((api) => api.url),
      DEMO_PASSWORD,
    );
    const [load, faults] = await Promise.all([
      runLoad({ client, seed, concurrency: 4, until: loadStartedAt + loadMs, clearOfDueMs: 3_000 }),
      runFaults({ stack, sink, random: new SeededRandom(seed * 7 + 2), loadStartedAt, loadMs, sinkAwayMs: SINK_AWAY_MS, log }),
    ]);
    log(`load over: ${load.stories} stories, ${load.acked.length} commands acknowledged; answers: ${[...load.outcomes].map(([k, n]) => `${k}: ${n}`).join(', ')}`);

    const pool = createPool(stack.databaseUrl, { max: 4, applicationName: 'minyi-soak', onError: () => undefined });
    cleanups.push(() => pool.end());
    const store = new PostgresEventStore({ pool, notify: false });

    const settled = await settle(stack, pool, store, sink, Date.now() + settleMs);
    log(settled ? 'settled: projections at the head, no timer due, every delivery received' : `not settled within ${settleMs / 1000} s: checking as things stand`);
    const checkedAt = Date.now();

    const verify = await client.as('auditor').call('GET', '/api/v1/audit/verify');
    // The read models must stand still while they are compared: stop what writes them.
    for (const managed of [...stack.apis.map((api) => api.process), stack.worker]) await managed.stop();
    const events = await readWholeLog(store);
    const lost = lostAcknowledged(load.acked, events);
    const timers = breachTimers(events, policy, checkedAt, TIMER_GRACE_MS);
    const expected = expectedDeliveries(events);
    const undelivered = [...expected].filter((id) => !sink.accepted.has(id));
    const comparisons = await compareWithRebuild(pool, store, readModels(policy));
    const unequal = comparisons.filter((c) => c.onlyLive > 0 || c.onlyRebuilt > 0);

    for (const command of lost.slice(0, 20)) log(`LOST: ${command.action} of case ${command.caseId} answered revision ${command.revision} at position ${command.position}`);
    for (const run of timers.missedRuns.slice(0, 20)) log(`MISSED TIMER: ${run}`);
    for (const id of undelivered.slice(0, 20)) log(`UNDELIVERED: ${id}`);
    for (const c of unequal) log(`READ MODEL DIFFERS: ${c.projection}.${c.table}: ${c.onlyLive} rows only live, ${c.onlyRebuilt} only rebuilt`);
    if (verify.status !== 200) log(`VERIFY answered ${verify.status}: ${JSON.stringify(verify.body)}`);
    log(`log: ${events.length} events; webhook: ${sink.refused} attempts refused on purpose, ${sink.badSignatures} badly signed`);

    const result = {
      minutes,
      commandsAcked: load.acked.length,
      lostAcked: lost.length,
      duplicateEvents: duplicatedEvents(events),
      timersDue: timers.due,
      timersFiredOnce: timers.firedOnce,
      timersMissed: timers.missed,
      timersDuplicated: timers.duplicated,
      webhookDeliveries: expected.size,
      webhookUndelivered: undelivered.length,
      webhookDuplicates: sink.duplicates,
      readModelsEqualRebuild: unequal.length === 0 && comparisons.length > 0,
      verifyOk: verify.status === 200 && verify.body.ok === true,
      faults: { ...Object.fromEntries(faults), 'exited on its own': exitedOnTheirOwn },
    };
    const passed =
      result.commandsAcked > 0 &&
      result.lostAcked === 0 &&
      result.duplicateEvents === 0 &&
      result.timersDue > 0 &&
      result.timersMissed === 0 &&
      result.timersDuplicated === 0 &&
      result.webhookDeliveries > 0 &&
      result.webhookUndelivered === 0 &&
      sink.badSignatures === 0 &&
      result.readModelsEqualRebuild &&
      result.verifyOk &&
      exitedOnTheirOwn === 0;
    await cleanUp();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return passed ? 0 : 1;
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/**
 * Waits (until `deadline`) for the engine to finish what the load and the faults left it: every
 * process running again, every projection at the head of the log, no breach timer due now or
 * within a minute (escalations on breach start new clocks, so this is asked again each round), and
 * every delivery the log calls for received. True when all held at once.
 */
async function settle(stack: LocalStack, pool: pg.Pool, store: PostgresEventStore, sink: WebhookSink, deadline: number): Promise<boolean> {
  for (;;) {
    for (const managed of [...stack.apis.map((api) => api.process), stack.worker, ...(stack.redis ? [stack.redis] : [])]) {
      if (!managed.running) {
        log(`${managed.spec.name} is not running: starting it again`);
        await managed.restart();
      }
    }
    if (!sink.listening) await sink.start();
    const behind = await pool.query<{ behind: string }>(
      `SELECT count(*) AS behind FROM projection_checkpoints c, (SELECT transaction_id, global_position FROM events ORDER BY global_position DESC LIMIT 1) e
        WHERE c.commit_position IS NULL OR (c.commit_position, c.prepare_position) < (e.transaction_id::text::bigint, e.global_position)`,
    );
    const timers = await pool.query<{ soon: string }>(
      `SELECT count(*) AS soon FROM sla_timers WHERE kind = 'breach' AND next_attempt_at IS NOT NULL AND due_at < now() + interval '60 seconds'`,
    );
    const expected = expectedDeliveries(await readWholeLog(store));
    const waiting = [...expected].filter((id) => !sink.accepted.has(id)).length;
    if (behind.rows[0]!.behind === '0' && timers.rows[0]!.soon === '0' && waiting === 0) return true;
    if (Date.now() > deadline) {
      log(`still waiting: ${behind.rows[0]!.behind} projections behind the head, ${timers.rows[0]!.soon} breach timers due within a minute, ${waiting} deliveries`);
      return false;
    }
    await sleep(1_000);
  }
}

async function dropDatabases(server: string, databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    for (const name of [databaseName(databaseUrl), `${databaseName(databaseUrl)}_jobs`]) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
