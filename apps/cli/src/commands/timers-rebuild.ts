import { createLogger, loadConfig, startEngine } from '#platform';
import { UsageError, type CliCommand } from '../command.js';

export const timersRebuild: CliCommand = {
  name: 'timers:rebuild',
  summary: 're-create the BullMQ timer of every running SLA clock from the event log',
  help: `Usage: npm run cli -- timers:rebuild

Re-creates the timer job of every running SLA clock from the event log, after the queue store
lost its jobs. Safe to repeat: a timer already scheduled is not scheduled twice.
`,
  async run(args) {
    if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]}"`);
    const config = loadConfig();
    const engine = await startEngine(config, createLogger(process.env.LOG_LEVEL ?? 'warn'), { workers: false });
    try {
      const { cases, timers } = await engine.slaTimers.rescheduleAll();
      const counts = await engine.queues.counts('sla-timers');
      process.stdout.write(
        `timers rebuilt from the log: ${timers} timers of ${cases} cases scheduled; the queue holds ${counts.delayed} waiting to fire, ${counts.waiting + counts.active} due now\n`,
      );
      return 0;
    } finally {
      await engine.close();
    }
  },
};
