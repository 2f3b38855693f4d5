import { describe, expect, it } from '@jest/globals';
import { ProgressLine, count } from './progress.js';

/** A stream that records what was written, and a clock the test moves. */
function fake(isTTY: boolean) {
  const written: string[] = [];
  let now = 1_000;
  return { stream: { isTTY, write: (text: string) => written.push(text) }, written, now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('ProgressLine', () => {
  it('on a terminal redraws one line in place, at most every redraw interval, and clears it when done', () => {
    const { stream, written, now, advance } = fake(true);
    const line = new ProgressLine(stream, { now, redrawMs: 100 });
    line.update('verifying: 10 of 100 events (10%)');
    line.update('verifying: 20 of 100 events (20%)'); // too soon: skipped
    advance(100);
    line.update('verifying: 30 of 100 events (30%)');
    line.done();
    expect(written).toEqual(['\r\x1b[Kverifying: 10 of 100 events (10%)', '\r\x1b[Kverifying: 30 of 100 events (30%)', '\r\x1b[K']);
  });

  it('elsewhere writes whole lines now and then, none for a quick run, and leaves them', () => {
    const { stream, written, now, advance } = fake(false);
    const line = new ProgressLine(stream, { now, lineEveryMs: 10_000 });
    line.update('verifying: 1 of 9 events');
    advance(9_999);
    line.update('verifying: 2 of 9 events');
    expect(written).toEqual([]);
    advance(1);
    line.update('verifying: 3 of 9 events');
    advance(5_000);
    line.update('verifying: 4 of 9 events');
    advance(5_000);
    line.update('verifying: 5 of 9 events');
    line.done();
    expect(written).toEqual(['verifying: 3 of 9 events\n', 'verifying: 5 of 9 events\n']);
  });

  it('writes counts with thousands separators', () => {
    expect(count(1_234_567)).toBe('1,234,567');
  });
});
