/**
 * What a process has opened, to be closed in reverse order when it stops: each part registers
 * its closing as it is opened, so whatever depends on a part (and was opened after it) closes
 * before it. Also run when start-up fails half-way, so that nothing opened is left behind (an
 * embedded PostgreSQL, above all).
 */
export class Shutdown {
  private readonly steps: { readonly name: string; readonly close: () => Promise<unknown> }[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly onError: (name: string, error: unknown) => void) {}

  /**
   * Registers how to close a part that was just opened. A part that finishes opening after the
   * shutdown began (start-up failed while it was still connecting) is closed at once.
   */
  add(name: string, close: () => Promise<unknown>): void {
    if (this.running) void this.running.then(() => close().catch((error: unknown) => this.onError(name, error)));
    else this.steps.push({ name, close });
  }

  /** Closes every part, newest first, once; a part that fails to close does not stop the others. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { name, close } of this.steps.splice(0).reverse()) {
        await close().catch((error: unknown) => this.onError(name, error));
      }
    })();
    return this.running;
  }
}
