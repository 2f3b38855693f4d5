/** The injection token of the process's BullMQ queues and workers (`JobQueues`). */
export const JOB_QUEUES = Symbol('JobQueues');
