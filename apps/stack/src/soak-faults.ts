import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { databaseName, siblingDatabaseUrl } from '#database';
import type { SeededRandom } from '#demo-data';
import type { LocalStack } from './local-stack.js';
import type { ManagedProcess } from './processes.js';
import type { WebhookSink } from './soak-webhook-sink.js';

/** The faults the soak makes, in the JSON's `faults` (how many of each happened). */
export type FaultKind = 'kill -9 api' | 'kill -9 worker' | 'kill -9 redis' | 'pg_terminate_backend' | 'webhook sink away 60 s';

/** When each fault comes (ms after the load starts): evenly over the load, each kind in turn, the sink's outage once, early. */
export function faultSchedule(loadMs: number, kinds: readonly FaultKind[], random: SeededRandom): { atMs: number; kind: FaultKind }[] {
  const first = Math.min(10_000, loadMs / 6);
  const rounds = Math.max(1, Math.floor((loadMs - first - 10_000) / (kinds.length * 15_000)));
  const slots = kinds.length * rounds;
  const step = (loadMs - first - 10_000) / slots;
  const schedule: { atMs: number; kind: FaultKind }[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = [...kinds];
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    order.forEach((kind, i) => schedule.push({ atMs: Math.round(first + step * (round * kinds.length + i)), kind }));
  }
  // Early, so that the deliveries it holds back have retried before the load ends.
  schedule.push({ atMs: Math.round(first / 2), kind: 'webhook sink away 60 s' });
  return schedule.sort((a, b) => a.atMs - b.atMs);
}

export interface FaultsOptions {
  readonly stack: LocalStack;
  readonly sink: WebhookSink;
  readonly random: SeededRandom;
  readonly loadStartedAt: number;
  readonly loadMs: number;
  readonly sinkAwayMs: number;
  readonly log: (line: string) => void;
}

/** Makes the faults on their schedule; resolves once the last has been made and healed (the sink back, every process running). */
export async function runFaults(options: FaultsOptions): Promise<Map<FaultKind, number>> {
  const { stack, sink, random, log } = options;
  const kinds: FaultKind[] = ['kill -9 api', 'kill -9 worker', 'pg_terminate_backend', ...(stack.redis ? ['kill -9 redis' as const] : [])];
  const made = new Map<FaultKind, number>();
  const healing: Promise<void>[] = [];
  let nextApi = 0;

  const killAndRestart = async (process: ManagedProcess, name: string) => {
    await process.kill('SIGKILL');
    await sleep(random.int(500, 3_000));
    await process.restart();
    log(`  ${name} restarted (pid ${process.pid})`);
  };

  for (const { atMs, kind } of faultSchedule(options.loadMs, kinds, random)) {
    const wait = options.loadStartedAt + atMs - Date.now();
    if (wait > 0) await sleep(wait);
    const seconds = ((Date.now() - options.loadStartedAt) / 1000).toFixed(0);
    switch (kind) {
      case 'kill -9 api': {
        const api = stack.apis[nextApi++ % stack.apis.length]!;
        log(`fault at ${seconds} s: kill -9 ${api.process.spec.name} (pid ${api.process.pid})`);
        await killAndRestart(api.process, api.process.spec.name);
        break;
      }
      case 'kill -9 worker':
        log(`fault at ${seconds} s: kill -9 worker (pid ${stack.worker.pid})`);
        await killAndRestart(stack.worker, 'worker');
        break;
      case 'kill -9 redis':
        log(`fault at ${seconds} s: kill -9 redis (pid ${stack.redis!.pid})`);
        await killAndRestart(stack.redis!, 'redis');
        break;
      case 'pg_terminate_backend': {
        const ended = await terminateBackends(stack);
        log(`fault at ${seconds} s: pg_terminate_backend of the application's ${ended} connections`);
        break;
      }
      case 'webhook sink away 60 s':
        log(`fault at ${seconds} s: the webhook sink goes away for ${options.sinkAwayMs / 1000} s`);
        await sink.goAway();
        healing.push(
          sleep(options.sinkAwayMs).then(async () => {
            await sink.start();
            log('  the webhook sink is back');
          }),
        );
        break;
    }
    made.set(kind, (made.get(kind) ?? 0) + 1);
  }
  await Promise.all(healing);
  return made;
}

/** Ends every connection to the stack's databases but this one: the API's, the worker's, BullMQ's on PostgreSQL. */
async function terminateBackends(stack: LocalStack): Promise<number> {
  const client = new pg.Client({ connectionString: siblingDatabaseUrl(stack.databaseUrl, 'postgres') });
  await client.connect();
  try {
    const { rows } = await client.query<{ ended: string }>(
      'SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS ended FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()',
      [[databaseName(stack.databaseUrl), databaseName(stack.jobsDatabaseUrl)]],
    );
    return Number(rows[0]!.ended);
  } finally {
    await client.end();
  }
}
