import 'reflect-metadata';
import { createLogger, loadConfig, startEngine } from '#platform';

const HELP = `minyi — operator commands

Usage: npm run cli -- <command>

Commands:
  timers:rebuild   re-create the BullMQ timer of every running SLA clock from the event log
                   (after the queue store lost its jobs; safe to repeat: nothing is scheduled twice)
  help             this text

Configuration comes from the same environment as \`npm start\` (DATABASE_URL, REDIS_URL, ...).
`;

async function timersRebuild(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const engine = await startEngine(config, logger, { workers: false });
  try {
    const { cases, timers } = await engine.slaTimers.rescheduleAll();
    const counts = await engine.queues.counts('sla-timers');
    process.stdout.write(`timers rebuilt from the log: ${timers} timers of ${cases} cases scheduled; the queue holds ${counts.delayed} waiting to fire, ${counts.waiting + counts.active} due now\n`);
  } finally {
    await engine.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'timers:rebuild':
      await timersRebuild();
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`minyi: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`minyi: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
