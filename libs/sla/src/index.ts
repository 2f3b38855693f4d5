export { SLA_QUEUE, SlaTimerReactor, SlaTimerWorker, slaJobId } from './sla-timers.js';
export type { SlaTimerJob, SlaTimerOutcome } from './sla-timers.js';
