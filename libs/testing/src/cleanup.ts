import { afterEach } from '@jest/globals';

/**
 * Closes what a test opened, also when the test never reaches its own clean-up: Jest abandons a
 * test that times out and runs the next one, while the abandoned test's pools and workers go on
 * reconnecting, keep the process alive and outlive the test environment.
 *
 * Call it once in a `describe`; register each resource as soon as it is opened. After each test
 * the resources are closed, newest first, and forgotten. Closing twice must be harmless: a test
 * that finishes normally closes its own resources as well.
 */
export function closeAfterEach(): (close: () => Promise<unknown>) => void {
  const open: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    const failures: unknown[] = [];
    for (const close of open.splice(0).reverse()) await close().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} resources failed to close after the test`);
  });
  return (close) => {
    open.push(close);
  };
}
