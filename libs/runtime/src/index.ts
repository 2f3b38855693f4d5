export { CLOCK, LOGGER } from './tokens.js';
export type { Now } from './tokens.js';
export { Shutdown } from './shutdown.js';
