/** Injection tokens for what the HTTP layer receives from the engine. */
export const ENGINE = Symbol('Engine');
/** The current time; tests replace it to drive time. */
export const CLOCK = Symbol('Clock');
export type Clock = () => Date;
