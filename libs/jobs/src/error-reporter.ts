/** Where the job queues send the errors they cannot throw: a connection that failed, a worker's fetch loop. */
export type ErrorSink = (source: string, error: Error) => void;

/** How many errors one source may report in a second before the rest are only counted. */
export const DEFAULT_ERRORS_PER_SECOND = 10;

interface Window {
  start: number;
  reported: number;
  suppressed: number;
}

/**
 * Hands errors to a sink, at a bounded rate, and never throws.
 *
 * - One error object is reported once, whichever way it arrives: BullMQ forwards the error of
 *   a shared connection to every queue and worker that uses it.
 * - Each source reports at most `perSecond` errors in a second; the surplus is counted and
 *   summarised in one error when the source reports again (or at `flush()`).
 * - A sink that throws is ignored: reporting must not break the loop that reports.
 */
export class ErrorReporter {
  private readonly seen = new WeakSet<Error>();
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly sink: ErrorSink,
    private readonly perSecond = DEFAULT_ERRORS_PER_SECOND,
    private readonly now: () => number = Date.now,
  ) {}

  report(source: string, error: unknown): void {
    const err = asError(error);
    if (this.seen.has(err)) return;
    this.seen.add(err);
    const now = this.now();
    let window = this.windows.get(source);
    if (!window || now - window.start >= 1000) {
      if (window && window.suppressed > 0) this.deliver(source, this.suppressedError(source, window.suppressed));
      window = { start: now, reported: 0, suppressed: 0 };
      this.windows.set(source, window);
    }
    if (window.reported >= this.perSecond) {
      window.suppressed += 1;
      return;
    }
    window.reported += 1;
    this.deliver(source, err);
  }

  /** Reports the errors counted but not yet summarised. */
  flush(): void {
    for (const [source, window] of this.windows) {
      if (window.suppressed > 0) this.deliver(source, this.suppressedError(source, window.suppressed));
    }
    this.windows.clear();
  }

  private suppressedError(source: string, count: number): Error {
    return new Error(`${count} more error(s) from ${source} were not reported (at most ${this.perSecond} a second)`);
  }

  private deliver(source: string, error: Error): void {
    try {
      this.sink(source, error);
    } catch {
      // The sink is the caller's; the queues keep running whatever it does.
    }
  }
}

/** The error itself when it is one (from any realm: a test sandbox has its own `Error`), else an error that says what was thrown. */
export function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return error as Error;
  return new Error(String(error));
}

/** Capped exponential backoff: 250 ms, 500 ms, 1 s, then 2 s for every later attempt. */
export function backoffDelay(attempt: number, baseMs = 250, capMs = 2000): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 20);
  return Math.min(baseMs * 2 ** exponent, capMs);
}
