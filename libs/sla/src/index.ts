export { SLA_JOB_OPTIONS, SLA_QUEUE, SlaTimerReactor, SlaTimerWorker, slaJobId } from './sla-timers.js';
export type { SlaTimerJob, SlaTimerOutcome } from './sla-timers.js';
