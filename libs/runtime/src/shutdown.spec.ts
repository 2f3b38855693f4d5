import { describe, expect, it } from '@jest/globals';
import { Shutdown } from './shutdown.js';

describe('Shutdown', () => {
  it('closes the parts newest first, once, and carries on past a part that fails to close', async () => {
    const closed: string[] = [];
    const failures: string[] = [];
    const shutdown = new Shutdown((name) => failures.push(name));
    shutdown.add('database', async () => closed.push('database'));
    shutdown.add('pool', async () => {
      throw new Error('already closed');
    });
    shutdown.add('projections', async () => closed.push('projections'));

    await Promise.all([shutdown.run(), shutdown.run()]);
    await shutdown.run();

    expect(closed).toEqual(['projections', 'database']);
    expect(failures).toEqual(['pool']);
  });

  it('closes at once a part that finished opening after the shutdown began, and waits for it', async () => {
    const closed: string[] = [];
    const shutdown = new Shutdown(() => undefined);
    shutdown.add('database', async () => closed.push('database'));
    const running = shutdown.run();
    shutdown.add('job queues', async () => closed.push('job queues'));
    await running;

    expect(closed).toEqual(['database', 'job queues']);
  });

  it('closes a late part beside the steps, since a step may be waiting for it', async () => {
    let projectionsStopped!: () => void;
    const released = new Promise<void>((resolve) => (projectionsStopped = resolve));
    const shutdown = new Shutdown(() => undefined);
    // A pool ends only once the projections holding its connections have stopped.
    shutdown.add('database pool', () => released);
    const running = shutdown.run();
    shutdown.add('projections', async () => projectionsStopped());

    await running;
  });
});
