import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { ReadableBatches } from './readable-batches.js';

function source(): PassThrough {
  return new PassThrough({ objectMode: true });
}

describe('taking a live stream in batches', () => {
  it('hands over what waits, at most a batch at a time, and at least one', async () => {
    const stream = source();
    const batches = new ReadableBatches<number>(stream, 3);
    const first = batches.next();
    stream.write(1);
    expect(await first).toEqual([1]);
    for (const n of [2, 3, 4, 5]) stream.write(n);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(await batches.next()).toEqual([2, 3, 4]);
    expect(await batches.next()).toEqual([5]);
  });

  it('pauses the stream once a whole batch waits, and resumes it when the batch is taken (back-pressure)', async () => {
    const stream = source();
    const batches = new ReadableBatches<number>(stream, 2);
    for (const n of [1, 2, 3, 4, 5]) stream.write(n);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(stream.isPaused()).toBe(true);
    expect(batches.waiting).toBe(2);
    expect(await batches.next()).toEqual([1, 2]);
    expect(stream.isPaused()).toBe(false);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(await batches.next()).toEqual([3, 4]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(await batches.next()).toEqual([5]);
  });

  it('ends with null once the stream ends and nothing waits; rejects with the stream’s error', async () => {
    const ended = source();
    const endedBatches = new ReadableBatches<number>(ended, 10);
    ended.end(1);
    expect(await endedBatches.next()).toEqual([1]);
    expect(await endedBatches.next()).toBeNull();

    const failing = source();
    const failingBatches = new ReadableBatches<number>(failing, 10);
    const next = failingBatches.next();
    failing.destroy(new Error('connection to the server lost'));
    await expect(next).rejects.toThrow('connection to the server lost');
  });

  it('returns null when stopped while waiting', async () => {
    const batches = new ReadableBatches<number>(source(), 10);
    const abort = new AbortController();
    const next = batches.next(abort.signal);
    abort.abort();
    expect(await next).toBeNull();
  });
});
