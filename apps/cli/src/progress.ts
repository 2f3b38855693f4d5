/** Where progress goes: stderr, or a stand-in in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressLineOptions {
  readonly now?: () => number;
  /** On a terminal, redraw at most this often (default 100 ms). */
  readonly redrawMs?: number;
  /** Elsewhere (a log file, a pipe), write a line at most this often (default 10 s). */
  readonly lineEveryMs?: number;
}

/**
 * Progress of a long run on stderr: on a terminal one line redrawn in place, elsewhere a line now
 * and then, so a log shows the run is alive without filling up. `done` clears the line on a
 * terminal; elsewhere the last line written stays.
 */
export class ProgressLine {
  readonly #stream: ProgressStream;
  readonly #now: () => number;
  readonly #interval: number;
  readonly #tty: boolean;
  #last = -Infinity;
  #drawn = false;

  constructor(stream: ProgressStream, options: ProgressLineOptions = {}) {
    this.#stream = stream;
    this.#now = options.now ?? (() => Date.now());
    this.#tty = stream.isTTY === true;
    this.#interval = this.#tty ? (options.redrawMs ?? 100) : (options.lineEveryMs ?? 10_000);
    // Elsewhere the first line waits one interval: a quick run writes nothing.
    if (!this.#tty) this.#last = this.#now();
  }

  update(text: string): void {
    const now = this.#now();
    if (now - this.#last < this.#interval) return;
    this.#last = now;
    if (this.#tty) {
      this.#stream.write(`\r\x1b[K${text}`);
      this.#drawn = true;
    } else {
      this.#stream.write(`${text}\n`);
    }
  }

  done(): void {
    if (this.#tty && this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}

/** `12,345` */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}
