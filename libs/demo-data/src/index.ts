export { planDemoCases } from './plan.js';
export type { ActStep, DemoCasePlan, DemoPlanOptions, DemoStaff, LapseStep, PlannedStep, StepCommand } from './plan.js';
export { SeededRandom } from './random.js';
export { seedDemoData } from './seed.js';
export type { DemoSeedingOptions, DemoSeedingPorts, DemoSeedingResult, SeededAdoption } from './seed.js';
export { DEMO_SEED, seedDemoDataOnFirstStart } from './first-start.js';
export type { FirstStartOptions } from './first-start.js';
export { planDemoBulletins } from './bulletins.js';
export type { BulletinPorts, PlannedBulletin, SeededCase } from './bulletins.js';
