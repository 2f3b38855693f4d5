/**
 * `npm run stack:local`: the production topology as processes on this machine (see
 * startLocalStack), printing where each part is; Ctrl-C stops them all.
 *
 * Env: STACK_DATABASE_URL (a database on a running PostgreSQL; else an embedded one), REDIS_URL
 * (else `redis-server` started on a free port when there is one, else BullMQ on PostgreSQL),
 * STACK_APIS (2), STACK_DATA_DIR (./data-stack), and what the API and worker take (README,
 * Configuration), passed on to them.
 */
import { databaseName } from '#database';
import { startLocalStack } from './local-stack.js';

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 16) throw new Error(`${name} must be a whole number from 1 to 16, not ${raw}`);
  return value;
}

/** A database URL with its password hidden, for printing. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function main(): Promise<void> {
  const dataDir = process.env.STACK_DATA_DIR || 'data-stack';
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const stack = await startLocalStack({
    databaseUrl: process.env.STACK_DATABASE_URL || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
    apis: positiveInt('STACK_APIS', 2),
    dataDir,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  print('minyi local stack (the production topology, as processes on this machine)');
  const { embedded } = stack;
  print(
    embedded
      ? `  PostgreSQL  embedded, port ${embedded.port} (127.0.0.1), data in ${dataDir}: databases ${databaseName(stack.databaseUrl)} and ${databaseName(stack.jobsDatabaseUrl)}`
      : `  PostgreSQL  ${withoutPassword(stack.databaseUrl)}; jobs in ${withoutPassword(stack.jobsDatabaseUrl)}`,
  );
  print(`  job queues  ${stack.redisUrl ? `Redis ${stack.redisUrl}${stack.redis ? ` (started here, pid ${stack.redis.pid})` : ''}` : 'BullMQ on PostgreSQL (no redis-server found)'}`);
  stack.apis.forEach((api, i) => print(`  API ${i + 1}       ${api.url} (console ${api.url}/, OpenAPI ${api.url}/api/docs; pid ${api.process.pid})`));
  print(`  worker      pid ${stack.worker.pid}`);
  print('Demo accounts as API.md lists them. Ctrl-C stops everything.');

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    print('stopping…');
    void stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
