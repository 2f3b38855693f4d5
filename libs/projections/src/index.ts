export type { AfterCommit, Projection } from './projection.js';
export { ProjectionRunner } from './projection-runner.js';
export type { ProjectionRunnerOptions } from './projection-runner.js';
export { migrateCheckpoints, readCheckpoint } from './checkpoints.js';
export { laneOf, MAX_PROJECTION_LANES } from './lanes.js';
export { rebuildReadModel } from './rebuild.js';
export type { RebuildOptions, RebuildProgress, RebuildResult } from './rebuild.js';
