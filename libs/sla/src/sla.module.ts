import { Inject, Injectable, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import { CaseCommands, CaseFoldCache, CasesModule } from '#cases';
import { MAIN_POOL } from '#database';
import { SLA_POLICY, type SlaPolicy } from '#domain';
import { EVENT_STORE, type EventStore } from '#event-store';
import { JOB_QUEUES, type JobQueues } from '#jobs';
import { CLOCK, LOGGER, Shutdown, type Now } from '#runtime';
import { SLA_QUEUE, SlaJobs, type SlaTimerJob } from './sla-queue.js';
import { SlaTimerRunner } from './sla-timer-runner.js';
import { SlaTimerTable } from './sla-timer-table.js';
import { SlaTimerReactor, SlaTimerWorker } from './sla-timers.js';

/** The SLA timers' BullMQ worker, for a process that runs workers. */
@Injectable()
export class SlaWorkers {
  constructor(
    private readonly commands: CaseCommands,
    private readonly table: SlaTimerTable,
    private readonly jobs: SlaJobs,
    @Inject(JOB_QUEUES) private readonly queues: JobQueues,
    @Inject(CLOCK) private readonly now: Now,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly shutdown: Shutdown,
  ) {}

  start(): void {
    // Through the one command path, as HTTP's commands go.
    const timers = new SlaTimerWorker((command) => this.commands.send(command), this.now);
    const runner = new SlaTimerRunner(this.table, this.jobs, timers, this.now, {
      onError: (error) => this.logger.warn({ err: error }, 'SLA timer error'),
    });
    this.queues.worker<SlaTimerJob>(SLA_QUEUE, runner.process, { concurrency: 8 });
    runner.startSweeping();
    // Runs before the queues close: a tick in hand stops after its batch.
    this.shutdown.add('SLA timer runner', () => runner.stop());
  }
}

/**
 * SLA timers: the reactor that keeps a row per pending warning and breach and announces their
 * ticks (`SlaTimerReactor`, a projection), and the workers that fire them (`SlaWorkers`).
 */
@Module({
  imports: [CasesModule],
  providers: [
    { provide: SlaTimerTable, inject: [MAIN_POOL], useFactory: (pool: Pool) => new SlaTimerTable(pool) },
    { provide: SlaJobs, inject: [JOB_QUEUES, CLOCK], useFactory: (queues: JobQueues, now: Now) => new SlaJobs(queues.queue<SlaTimerJob>(SLA_QUEUE), now) },
    {
      provide: SlaTimerReactor,
      inject: [EVENT_STORE, CaseFoldCache, SLA_POLICY, SlaTimerTable, SlaJobs],
      useFactory: (store: EventStore, folds: CaseFoldCache, policy: SlaPolicy, table: SlaTimerTable, jobs: SlaJobs) => new SlaTimerReactor(store, folds, policy, table, jobs),
    },
    SlaWorkers,
  ],
  exports: [SlaTimerReactor, SlaWorkers],
})
export class SlaModule {}
