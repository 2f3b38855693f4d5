export { createTestDatabase, testServerUrl } from './database.js';
export type { TestDatabase } from './database.js';
export { eventually } from './eventually.js';
export { jobBackends } from './job-backends.js';
export { closeAfterEach } from './cleanup.js';
