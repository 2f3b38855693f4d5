/**
 * What a process has opened, to be closed in reverse order when it stops: each part registers
 * its closing as it is opened, so whatever depends on a part (and was opened after it) closes
 * before it. Also run when start-up fails half-way, so that nothing opened is left behind (an
 * embedded PostgreSQL, above all).
 */
export class Shutdown {
  private readonly steps: { readonly name: string; readonly close: () => Promise<unknown> }[] = [];
  /** Parts that finished opening after the shutdown began, being closed. */
  private readonly late = new Set<Promise<void>>();
  private running: Promise<void> | undefined;

  constructor(private readonly onError: (name: string, error: unknown) => void) {}

  /**
   * Registers how to close a part that was just opened. A part that finishes opening after the
   * shutdown began (start-up failed while it was still connecting) is closed at once.
   */
  add(name: string, close: () => Promise<unknown>): void {
    if (!this.running) {
      this.steps.push({ name, close });
      return;
    }
    // At once, beside the steps still closing: those may be waiting for this very part (a pool
    // ends only once the projections that hold its connections have stopped).
    const closing = this.close(name, close);
    this.late.add(closing);
    void closing.finally(() => this.late.delete(closing));
  }

  /**
   * Closes every part, newest first, once; a part that fails to close does not stop the others.
   * Resolves when they are closed, and those that finished opening meanwhile too.
   */
  async run(): Promise<void> {
    this.running ??= (async () => {
      for (const { name, close } of this.steps.splice(0).reverse()) await this.close(name, close);
    })();
    await this.running;
    while (this.late.size > 0) await Promise.all(this.late);
  }

  private close(name: string, close: () => Promise<unknown>): Promise<void> {
    return close().then(
      () => undefined,
      (error: unknown) => this.onError(name, error),
    );
  }
}
