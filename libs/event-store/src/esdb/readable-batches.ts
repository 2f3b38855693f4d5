import type { Readable } from 'node:stream';

/**
 * Takes a live object stream (an EventStoreDB subscription) in batches, with back-pressure: what
 * arrives while the consumer works on a batch waits here, and once a whole batch waits the stream
 * is paused (so the client stops reading from the server) until the consumer takes it.
 */
export class ReadableBatches<T> {
  readonly #readable: Readable;
  readonly #batchSize: number;
  readonly #queue: T[] = [];
  #failure: { readonly error: unknown } | null = null;
  #ended = false;
  #wake: (() => void) | null = null;

  constructor(readable: Readable, batchSize: number) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    this.#readable = readable;
    this.#batchSize = batchSize;
    readable.on('data', (item: T) => {
      this.#queue.push(item);
      if (this.#queue.length >= this.#batchSize) readable.pause();
      this.#notify();
    });
    readable.on('error', (error: unknown) => {
      this.#failure ??= { error };
      this.#notify();
    });
    const end = () => {
      this.#ended = true;
      this.#notify();
    };
    readable.on('end', end);
    readable.on('close', end);
  }

  /**
   * The next batch (at most batchSize, as many as wait, at least one); null once the stream has
   * ended and nothing waits, or when the signal aborts. Rejects with the stream's error.
   */
  async next(signal?: AbortSignal): Promise<T[] | null> {
    while (this.#queue.length === 0) {
      if (this.#failure) throw this.#failure.error;
      if (this.#ended || signal?.aborted) return null;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          this.#wake = null;
          resolve();
        };
        this.#wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    const batch = this.#queue.splice(0, this.#batchSize);
    if (this.#queue.length < this.#batchSize && this.#readable.isPaused() && !this.#ended) this.#readable.resume();
    return batch;
  }

  /** How many items wait. */
  get waiting(): number {
    return this.#queue.length;
  }

  #notify(): void {
    this.#wake?.();
  }
}
