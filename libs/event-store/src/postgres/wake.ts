import type pg from 'pg';

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
