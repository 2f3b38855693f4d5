/**
 * The worker side of the timer benchmark, in a process of its own so that the memory it reports
 * is the worker's alone. The parent (timers.ts) starts it with IPC and drives it by messages:
 *
 *   parent → worker: `start` (backend, databases), later `stop`
 *   worker → parent: `ready` once its BullMQ worker is ready, `progress` every second,
 *                    `result` after `stop` (lateness samples, peak RSS, CPU time), then it exits
 *
 * It runs the engine's SLA worker side: a BullMQ worker on the SLA queue whose processor is
 * `SlaTimerRunner.process` (ticks claim the due rows of `sla_timers` and fire them), and the
 * runner's sweep, with the engine's settings. Only the firing itself differs: instead of the case
 * command (re-reading the case and appending the breach, which would need every timer's case in
 * the event store) the handler records how late the timer fired, `Date.now() - fireAt`.
 * Its RSS (process.memoryUsage().rss) is sampled every 100 ms from `start` to `stop`.
 */
import pg from 'pg';
import { JobQueues, type JobsBackend } from '#jobs';
import { SLA_QUEUE, SlaJobs, SlaTimerRunner, SlaTimerTable, type SlaTimerJob } from '#sla';

export interface StartMessage {
  readonly type: 'start';
  readonly backend: JobsBackend;
  readonly redisUrl?: string;
  /** The jobs database (PostgreSQL backend). */
  readonly postgresUrl: string;
  /** The database that holds `sla_timers`. */
  readonly timersUrl: string;
  readonly prefix: string;
  /** BullMQ worker concurrency: ticks run at once. */
  readonly concurrency: number;
  /** PostgreSQL: the worker's jobs pool size (JobQueues' default when absent). */
  readonly postgresPoolSize?: number;
  /** Timers the parent schedules: the size of the sample buffer. */
  readonly expected: number;
}

export type ToWorker = StartMessage | { readonly type: 'stop' };

export interface WorkerResult {
  readonly type: 'result';
  /** Lateness of every timer fired, in ms, in the order they fired. */
  readonly lateness: Float64Array;
  /** Timers fired on a second or later attempt (a lease that ran out, a retry). */
  readonly reruns: number;
  /** Lateness of every tick's start against the start of its second, in ms. */
  readonly tickLateness: Float64Array;
  readonly peakRssBytes: number;
  /** RSS once the worker was ready, before any timer was scheduled. */
  readonly readyRssBytes: number;
  /** CPU time (user + system) from `ready` to `stop`. */
  readonly cpuSeconds: number;
  /** Wall-clock times of the first and last firing (ms since the epoch; 0 if none). */
  readonly firstFiredAt: number;
  readonly lastFiredAt: number;
  /** Errors the queues and the runner reported (first few kept). */
  readonly errors: number;
  readonly firstErrors: readonly string[];
}

export type FromWorker =
  | { readonly type: 'ready'; readonly rssBytes: number }
  | { readonly type: 'progress'; readonly fired: number; readonly ticks: number; readonly rssBytes: number }
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

/** A growing buffer of samples that allocates nothing per sample until it is full. */
class Samples {
  private values: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(Math.max(capacity, 16));
  }

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  toArray(): Float64Array {
    return this.values.slice(0, this.length);
  }
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
  const onError = (source: string, error: Error) => {
    errors++;
    if (firstErrors.length < 5) firstErrors.push(`${source}: ${error.message}`);
  };
  const queues = await JobQueues.open({
    redisUrl: start.redisUrl,
    postgresUrl: start.postgresUrl,
    prefix: start.prefix,
    postgresPoolSize: start.postgresPoolSize,
    onError,
  });
  const pool = new pg.Pool({ connectionString: start.timersUrl, max: 10 });
  pool.on('error', (error) => onError('timers pool', error));

  const lateness = new Samples(start.expected);
  const tickLateness = new Samples(1024);
  let reruns = 0;
  let firstFiredAt = 0;
  let lastFiredAt = 0;
  const now = () => new Date();
  const jobs = new SlaJobs(queues.queue<SlaTimerJob>(SLA_QUEUE), now);
  const runner = new SlaTimerRunner(
    new SlaTimerTable(pool),
    jobs,
    {
      fire: async (timer) => {
        const at = Date.now();
        lateness.push(at - Date.parse(timer.fireAt));
        if (timer.attempts > 1) reruns++;
        if (firstFiredAt === 0) firstFiredAt = at;
        lastFiredAt = at;
        return { done: 'recorded' };
      },
      escalate: () => Promise.reject(new Error('the timer benchmark schedules no escalation')),
    },
    now,
    { onError: (error) => onError('runner', error) },
  );
  const worker = queues.worker<SlaTimerJob>(
    SLA_QUEUE,
    (job, token, signal) => {
      if (job.data.kind === 'SlaTick') tickLateness.push(Date.now() - job.data.second * 1000);
      return runner.process(job, token, signal);
    },
    // The engine's SLA worker concurrency unless the benchmark says otherwise.
    { concurrency: start.concurrency },
  );
  await worker.waitUntilReady();
  runner.startSweeping();

  const readyRss = sampleRss();
  const cpuAtReady = process.cpuUsage();
  await send({ type: 'ready', rssBytes: readyRss });
  const progress = setInterval(() => {
    send({ type: 'progress', fired: lateness.length, ticks: tickLateness.length, rssBytes: sampleRss() }).catch(() => undefined);
  }, PROGRESS_MS);

  await stopped;
  clearInterval(progress);
  // As the engine closes: the runner stops after the batch in hand, then the worker lets its jobs finish.
  await runner.stop();
  await queues.close();
  await pool.end();
  sampleRss();
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpuAtReady);
  await send({
    type: 'result',
    lateness: lateness.toArray(),
    reruns,
    tickLateness: tickLateness.toArray(),
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
