/**
 * What every process gives the capabilities it composes, by these injection tokens: the current
 * time and the log. (The infrastructure's own tokens live beside what they name: the event
 * store's in #event-store, the databases' in #database, the job queues' in #jobs, the org tree's
 * and the SLA policy's in #domain.)
 */

/** The current time. Tests drive it; everything that reads the time reads it here. */
export const CLOCK = Symbol('Clock');
export type Now = () => Date;

/** The process's pino logger. */
export const LOGGER = Symbol('Logger');
