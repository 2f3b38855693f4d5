import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { CHANNEL, NOTIFY } from './sql.js';

/** Under a stream of appends, at most one NOTIFY per this interval (per store instance). */
const NOTIFY_MIN_INTERVAL_MS = 5;

/** The store's options that concern the wake-up signal (see PostgresEventStoreOptions). */
export interface CommitSignalOptions {
  /** The post-commit NOTIFY runs on it, and the LISTEN connection copies its settings. */
  readonly pool: pg.Pool;
  readonly createListenClient?: () => pg.Client;
  readonly notify?: boolean;
  readonly onBackgroundError?: (error: unknown) => void;
}

/**
 * The wake-up signal of one store instance: how readers learn that new events may have committed.
 * A commit in this process wakes them directly and is announced to other processes by a NOTIFY
 * (sent after the commit, coalesced to one in flight and at most one per few milliseconds); a
 * commit in another process reaches them through the LISTEN connection, opened by the first reader.
 */
export class CommitSignal {
  readonly #options: CommitSignalOptions;
  readonly #wake = new WakeSignal();
  readonly #listener: NotificationListener;
  #notifying: Promise<void> | null = null;
  #notifyAgain = false;
  #closed = false;

  constructor(options: CommitSignalOptions) {
    this.#options = options;
    const createClient =
      options.createListenClient ??
      (() => new pg.Client({ ...(options.pool.options as pg.ClientConfig), keepAlive: true, application_name: 'minyi-event-store-listener' }));
    this.#listener = new NotificationListener({
      channel: CHANNEL,
      createClient,
      signal: this.#wake,
      onError: (error) => this.#options.onBackgroundError?.(error),
    });
  }

  /** See WakeSignal: a reader notes the version before it reads, then waits for a newer one. */
  get version(): number {
    return this.#wake.version;
  }

  wait(since: number, timeoutMs: number, abort?: AbortSignal): Promise<void> {
    return this.#wake.wait(since, timeoutMs, abort);
  }

  /** Follow other processes' commits too (opens the LISTEN connection once). */
  listen(): void {
    this.#listener.start();
  }

  /** After a commit: wake this process's readers, and tell other processes (coalesced). */
  announce(): void {
    this.#wake.wake();
    if (this.#options.notify === false || this.#closed) return;
    if (this.#notifying) {
      this.#notifyAgain = true;
      return;
    }
    const send = async (): Promise<void> => {
      for (;;) {
        this.#notifyAgain = false;
        const sentAt = performance.now();
        try {
          await this.#options.pool.query(NOTIFY);
        } catch (error) {
          this.#options.onBackgroundError?.(error);
        }
        if (!this.#notifyAgain || this.#closed) {
          this.#notifying = null;
          return;
        }
        // Appends committed meanwhile: one more NOTIFY covers them all, a few milliseconds on.
        const wait = NOTIFY_MIN_INTERVAL_MS - (performance.now() - sentAt);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    };
    this.#notifying = send();
  }

  /** Sends no NOTIFY from now on, closes the LISTEN connection, and waits for a NOTIFY in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#listener.stop();
    await this.#notifying;
  }
}

/**
 * A counter of "the log may have moved" signals. A reader notes the version before it reads and
 * then waits for a newer one, so a signal that arrives while it is reading is never lost.
 */
export class WakeSignal {
  #version = 0;
  readonly #waiters = new Set<() => void>();

  get version(): number {
    return this.#version;
  }

  wake(): void {
    this.#version++;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter();
  }

  /** Resolves at the first wake after `since` (at once if there was one), or after `timeoutMs`, or on `abort`. */
  wait(since: number, timeoutMs: number, abort?: AbortSignal): Promise<void> {
    if (this.#version !== since || abort?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        abort?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#waiters.add(done);
      abort?.addEventListener('abort', done, { once: true });
    });
  }
}

export interface ListenerOptions {
  readonly channel: string;
  readonly createClient: () => pg.Client;
  readonly signal: WakeSignal;
  readonly onError?: (error: unknown) => void;
  /** First delay before reconnecting; doubles up to maxBackoffMs. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/**
 * A dedicated connection that LISTENs on the store's channel and turns each notification into a
 * wake. If the connection dies it reconnects after a growing delay (bounded, reset only once a
 * connection has stayed up for a while, so a server that drops us at once is never hammered),
 * and wakes the readers on every reconnect, since notifications may have been missed meanwhile.
 */
export class NotificationListener {
  readonly #options: ListenerOptions;
  readonly #abort = new AbortController();
  #client: pg.Client | null = null;
  #loop: Promise<void> | null = null;

  constructor(options: ListenerOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#loop || this.#abort.signal.aborted) return;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
    await this.#loop;
  }

  async #run(): Promise<void> {
    const min = this.#options.minBackoffMs ?? 100;
    const max = this.#options.maxBackoffMs ?? 30_000;
    let delay = min;
    const aborted = this.#abort.signal;
    while (!aborted.aborted) {
      const startedAt = Date.now();
      try {
        await this.#listenUntilLost();
      } catch (error) {
        if (!aborted.aborted) this.#options.onError?.(error);
      }
      if (aborted.aborted) break;
      if (Date.now() - startedAt > max) delay = min;
      await sleep(delay, aborted);
      delay = Math.min(delay * 2, max);
    }
  }

  /** Connects, LISTENs, and settles when the connection is lost (rejects) or closed by stop(). */
  async #listenUntilLost(): Promise<void> {
    const client = this.#options.createClient();
    const lost = new Promise<void>((resolve, reject) => {
      client.on('error', reject);
      client.on('end', () => resolve());
    });
    lost.catch(() => undefined);
    client.on('notification', () => this.#options.signal.wake());
    this.#client = client;
    try {
      await client.connect();
      if (this.#abort.signal.aborted) return;
      await client.query(`LISTEN ${this.#options.channel}`);
      this.#options.signal.wake();
      await lost;
    } finally {
      if (this.#client === client) this.#client = null;
      await client.end().catch(() => undefined);
    }
  }
}

/** Resolves after `ms`, or at once when `abort` fires. */
export function sleep(ms: number, abort: AbortSignal): Promise<void> {
  if (abort.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      abort.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    abort.addEventListener('abort', done, { once: true });
  });
}
