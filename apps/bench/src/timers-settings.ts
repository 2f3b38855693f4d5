/** What the timer benchmark's two modes share (timers.ts, timers-e2e.ts): their settings and how they print. */
import { cpus, loadavg } from 'node:os';
import type { JobsBackend } from '#jobs';
import { positiveInt, positiveNumber } from './support.js';

export const TIMERS = positiveInt('BENCH_TIMERS', 100_000);
export const SPREAD_SECONDS = positiveNumber('BENCH_SPREAD_SECONDS', 60);
/** How long to wait after the last due time. */
export const MARGIN_SECONDS = positiveNumber('BENCH_MARGIN_SECONDS', Math.max(120, 5 * SPREAD_SECONDS));
export const BACKENDS = (process.env.BENCH_BACKENDS ?? 'postgres,redis').split(',').map((name) => name.trim()).filter(Boolean);

export const LABEL: Record<JobsBackend, string> = { postgres: 'PostgreSQL', redis: 'Redis' };

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const load = () => `load average ${loadavg().map((value) => value.toFixed(2)).join(' ')} on ${cpus().length} CPUs`;
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
