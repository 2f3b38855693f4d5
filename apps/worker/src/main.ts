import 'reflect-metadata';
import { seedInBackground } from '#demo-data';
import { JOB_QUEUES, type JobQueues } from '#jobs';
import { createLogger, isConfigurationError, loadConfig, startEngine, startEngineWorkers } from '#platform';

/**
 * `npm run start:worker`: the BullMQ workers (SLA timers, notification deliveries) and the
 * reactors, without HTTP, for production set-ups that run the API with MINYI_WORKERS=0.
 * Several workers may run: BullMQ shares the jobs out, and each projection or reactor is active
 * on one process at a time.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel).child({ process: 'worker' });
  // With demo cases to seed (the API's MINYI_DEMO and MINYI_DEMO_CASES), the workers wait for the seeding, wherever it runs.
  const engine = await startEngine(config, logger, { workers: config.demoCases === 0 });
  const seeding =
    config.demoCases > 0
      ? seedInBackground(engine, {
          count: config.demoCases,
          logger,
          startWorkers: () => startEngineWorkers(engine),
          onSeeded: ({ cases, bulletins, cutShort }) => logger.info({ cases, bulletins, cutShort }, 'demo data seeded'),
        })
      : null;
  logger.info({ backend: engine.get<JobQueues>(JOB_QUEUES).backend }, seeding ? 'workers start once the demo data is seeded' : 'workers running');
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing the jobs in hand');
    await seeding?.stop();
    await engine.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (isConfigurationError(error)) {
    process.stderr.write(`minyi worker: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`minyi worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
