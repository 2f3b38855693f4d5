import { describe, expect, it } from '@jest/globals';
import { WorkingCalendar } from '#domain';
import { neutralise, spreadsheetDate, wallClockText } from './cells.js';

describe('neutralise', () => {
  it.each(['=HYPERLINK("http://x","点我")', '+8613812345678', '-1+2', '@SUM(A1)', '\tTAB', '\rCR'])('prefixes %j with a quote', (text) => {
    expect(neutralise(text)).toBe(`'${text}`);
  });

  it.each(['东关停车难', '138****5678', 'a=b', ' =1', '', "'quoted"])('leaves %j as it is', (text) => {
    expect(neutralise(text)).toBe(text);
  });
});

describe('times in a time zone', () => {
  const instant = new Date('2026-11-02T17:30:05Z');
  const shanghai = new WorkingCalendar({ timezone: 'Asia/Shanghai' });

  it('writes the wall-clock time in the zone', () => {
    expect(wallClockText(instant, shanghai)).toBe('2026-11-03 01:30:05');
    expect(wallClockText(instant, new WorkingCalendar({ timezone: 'UTC' }))).toBe('2026-11-02 17:30:05');
    expect(wallClockText(new Date('2026-11-02T17:30:05.250Z'), shanghai)).toBe('2026-11-03 01:30:05');
  });

  it('gives xlsx a Date whose UTC fields are the wall-clock time, as spreadsheet times have no zone', () => {
    expect(spreadsheetDate(instant, shanghai).toISOString()).toBe('2026-11-03T01:30:05.000Z');
  });
});
