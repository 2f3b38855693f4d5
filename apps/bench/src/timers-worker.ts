/**
 * The worker side of the timer benchmark, in a process of its own so that the memory it reports
 * is the worker's alone. The parent (timers.ts) starts it with IPC and drives it by messages:
 *
 *   parent → worker: `start` (backend and queue), later `stop`
 *   worker → parent: `ready` once its BullMQ worker is ready, `progress` every second,
 *                    `result` after `stop` (lateness samples, peak RSS, CPU time), then it exits
 *
 * The processor does only what measuring needs: it records how late the timer started, that is
 * `Date.now() - Date.parse(job.data.fireAt)`. It does not run the case command (re-reading the
 * case and appending the breach), which would need every timer's case in the event store.
 * Its RSS (process.memoryUsage().rss) is sampled every 100 ms from `start` to `stop`.
 */
import { JobQueues, type JobsBackend } from '#jobs';
import type { SlaTimerJob } from '#sla';

export interface StartMessage {
  readonly type: 'start';
  readonly backend: JobsBackend;
  readonly redisUrl?: string;
  readonly postgresUrl: string;
  readonly prefix: string;
  readonly queue: string;
  readonly concurrency: number;
  /** PostgreSQL: the worker's pool size (JobQueues' default when absent). */
  readonly postgresPoolSize?: number;
  /** Timers the parent schedules: the size of the sample buffer. */
  readonly expected: number;
}

export type ToWorker = StartMessage | { readonly type: 'stop' };

export interface WorkerResult {
  readonly type: 'result';
  /** Lateness of every processor call, in ms, in the order they started. */
  readonly lateness: Float64Array;
  /** Processor calls whose job had started before (a stalled job run again, or a retry). */
  readonly reruns: number;
  readonly peakRssBytes: number;
  /** RSS once the worker was ready, before any timer was scheduled. */
  readonly readyRssBytes: number;
  /** CPU time (user + system) from `ready` to `stop`. */
  readonly cpuSeconds: number;
  /** Wall-clock times of the first and last processor call (ms since the epoch; 0 if none). */
  readonly firstFiredAt: number;
  readonly lastFiredAt: number;
  /** Errors the queues reported (first few kept). */
  readonly errors: number;
  readonly firstErrors: readonly string[];
}

export type FromWorker =
  | { readonly type: 'ready'; readonly rssBytes: number }
  | { readonly type: 'progress'; readonly fired: number; readonly rssBytes: number }
  | WorkerResult
  | { readonly type: 'failed'; readonly message: string };

const RSS_SAMPLE_MS = 100;
const PROGRESS_MS = 1_000;

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new Error('timers-worker runs only as a child of the timer benchmark (no IPC channel)'));
      return;
    }
    process.send(message, undefined, {}, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

async function run(start: StartMessage, stopped: Promise<void>): Promise<void> {
  let peakRss = process.memoryUsage().rss;
  const sampleRss = () => {
    const rss = process.memoryUsage().rss;
    if (rss > peakRss) peakRss = rss;
    return rss;
  };
  const sampler = setInterval(sampleRss, RSS_SAMPLE_MS);

  let errors = 0;
  const firstErrors: string[] = [];
  const queues = await JobQueues.open({
    redisUrl: start.redisUrl,
    postgresUrl: start.postgresUrl,
    prefix: start.prefix,
    postgresPoolSize: start.postgresPoolSize,
    onError: (source, error) => {
      errors++;
      if (firstErrors.length < 5) firstErrors.push(`${source}: ${error.message}`);
    },
  });

  // Preallocated, so that recording a sample allocates nothing; a duplicate beyond it grows the buffer.
  let lateness = new Float64Array(start.expected);
  let fired = 0;
  let reruns = 0;
  let firstFiredAt = 0;
  let lastFiredAt = 0;
  const worker = queues.worker<SlaTimerJob>(
    start.queue,
    async (job) => {
      const now = Date.now();
      const data = job.data;
      if (!('fireAt' in data)) throw new Error(`unexpected job ${job.id}: ${data.kind}`);
      if (fired === lateness.length) {
        const grown = new Float64Array(lateness.length * 2);
        grown.set(lateness);
        lateness = grown;
      }
      lateness[fired++] = now - Date.parse(data.fireAt);
      if (job.attemptsStarted > 1) reruns++;
      if (firstFiredAt === 0) firstFiredAt = now;
      lastFiredAt = now;
    },
    { concurrency: start.concurrency },
  );
  await worker.waitUntilReady();

  const readyRss = sampleRss();
  const cpuAtReady = process.cpuUsage();
  await send({ type: 'ready', rssBytes: readyRss });
  const progress = setInterval(() => {
    send({ type: 'progress', fired, rssBytes: sampleRss() }).catch(() => undefined);
  }, PROGRESS_MS);

  await stopped;
  clearInterval(progress);
  // Closing lets the active jobs finish; they are counted and sampled like the others.
  await queues.close();
  sampleRss();
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpuAtReady);
  await send({
    type: 'result',
    lateness: lateness.slice(0, fired),
    reruns,
    peakRssBytes: peakRss,
    readyRssBytes: readyRss,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    firstFiredAt,
    lastFiredAt,
    errors,
    firstErrors,
  });
}

function main(): void {
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let started = false;
  process.on('message', (message: ToWorker) => {
    if (message.type === 'stop') {
      stop();
      return;
    }
    if (started) return;
    started = true;
    run(message, stopped).then(
      () => process.disconnect(),
      (error: unknown) => {
        const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
        send({ type: 'failed', message: text }).finally(() => process.exit(1));
      },
    );
  });
  // The parent went away: nothing is left to report to.
  process.on('disconnect', () => process.exit(started ? 0 : 1));
}

main();
