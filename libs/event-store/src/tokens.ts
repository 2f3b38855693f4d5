/** The injection token of the process's event store (the PostgreSQL adapter: the EventStore port and its audit reads). */
export const EVENT_STORE = Symbol('EventStore');
