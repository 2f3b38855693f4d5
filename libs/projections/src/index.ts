export type { Projection } from './projection.js';
export { ProjectionRunner } from './projection-runner.js';
export type { ProjectionRunnerOptions } from './projection-runner.js';
export { migrateCheckpoints, readCheckpoint } from './checkpoints.js';
export { rebuildReadModel } from './rebuild.js';
export type { RebuildOptions, RebuildProgress, RebuildResult } from './rebuild.js';
