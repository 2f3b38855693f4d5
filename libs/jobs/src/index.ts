export { JobQueues } from './job-queues.js';
export type { JobCounts, JobProcessor, JobQueue, JobQueuesOptions, JobWorker, JobsBackend, WorkerSettings } from './job-queues.js';
export { backoffDelay } from './error-reporter.js';
export type { ErrorSink } from './error-reporter.js';
export { JOB_QUEUES } from './tokens.js';
