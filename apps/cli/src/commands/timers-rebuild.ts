import { JOB_QUEUES, type JobQueues } from '#jobs';
import { createLogger, loadConfig, startEngine } from '#platform';
import { SLA_QUEUE, SlaTimerReactor } from '#sla';
import { UsageError, type CliCommand } from '../command.js';

export const timersRebuild: CliCommand = {
  name: 'timers:rebuild',
  summary: 're-create the SLA timer rows of every running clock from the event log, and their BullMQ ticks',
  help: `Usage: npm run cli -- timers:rebuild

Writes the warning and breach timer rows (table sla_timers) of every running SLA clock again from
the event log, then adds the BullMQ tick of every second in which a row falls due: after the
queue store lost its jobs (a flushed Redis), or to repair the rows. Safe to repeat: a row or a
tick that exists is not written twice, and a timer that fires again does nothing.
`,
  async run(args) {
    if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]}"`);
    const config = loadConfig();
    const engine = await startEngine(config, createLogger(process.env.LOG_LEVEL ?? 'warn'), { workers: false });
    try {
      const { cases, timers, ticks } = await engine.get(SlaTimerReactor).rescheduleAll();
      const counts = await engine.get<JobQueues>(JOB_QUEUES).counts(SLA_QUEUE);
      process.stdout.write(
        `timers rebuilt from the log: ${timers} pending timers of ${cases} cases written, ${ticks} ticks announced; ` +
          `the queue holds ${counts.delayed} ticks waiting for their second, ${counts.waiting + counts.active} jobs due now\n`,
      );
      return 0;
    } finally {
      await engine.close();
    }
  },
};
