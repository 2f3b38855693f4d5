/**
 * One process of the projection lanes benchmark (projections.ts): runs the case read model in
 * the given number of lanes, taking its share of them, as an engine process does.
 *
 * Arguments: the database URL, the number of lanes, and the batch size (events per read).
 * It joins the runners, says `ready` on stdout, starts on a `go` line on stdin, and stops its
 * lanes and exits on SIGTERM.
 */
import { createInterface } from 'node:readline';
import pg from 'pg';
import { CaseReadModelProjection } from '#cases';
import { DEFAULT_SLA_POLICY } from '#domain';
import { PostgresEventStore } from '#event-store';
import { ProjectionRunner } from '#projections';

async function main(): Promise<void> {
  const [url, lanes, batchSize] = process.argv.slice(2);
  if (!url || !lanes || !batchSize) throw new Error('usage: projections-lane.js <database url> <lanes> <batch size>');
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const store = new PostgresEventStore({ pool, pollIntervalMs: 100 });
  const runner = new ProjectionRunner(pool, store, [new CaseReadModelProjection(DEFAULT_SLA_POLICY)], {
    lanes: Number(lanes),
    batchSize: Number(batchSize),
    standbyRetryMs: 200,
    onError: (lane, error) => process.stderr.write(`lane ${lane}: ${error instanceof Error ? error.message : String(error)}\n`),
  });
  // Counted among the runners before any starts: each takes its share from the first.
  await runner.join();
  process.once('SIGTERM', () => {
    void runner
      .stop()
      .then(() => store.close())
      .then(() => pool.end())
      .finally(() => process.exit(0));
  });
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line.trim() === 'go') runner.start().catch((error: unknown) => fail(error));
  });
  process.stdout.write('ready\n');
}

function fail(error: unknown): void {
  console.error(error);
  process.exit(1);
}

main().catch(fail);
