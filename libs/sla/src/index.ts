export { SLA_JOB_OPTIONS, SLA_QUEUE, SLA_TICK_OPTIONS, SlaJobs, slaJobId } from './sla-queue.js';
export type { EscalationJob, SlaTickJob, SlaTimerJob } from './sla-queue.js';
export { SlaTimerTable, dueSecond } from './sla-timer-table.js';
export type { CaseTimer, ClaimedTimer } from './sla-timer-table.js';
export { MAX_TIMER_ATTEMPTS, SlaTimerRunner } from './sla-timer-runner.js';
export type { SlaTimerHandler, SlaTimerOutcome, SlaTimerRunnerOptions, TickOutcome } from './sla-timer-runner.js';
export { SlaTimerReactor, SlaTimerWorker, slaTimerKey } from './sla-timers.js';
export { SlaModule, SlaWorkers } from './sla.module.js';
