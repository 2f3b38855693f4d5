/**
 * Waits for something the system brings about on its own (a timer firing, a worker delivering),
 * checking every 50 ms and failing after `ms`. For what a test can drive (time, projections),
 * drive it instead.
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
