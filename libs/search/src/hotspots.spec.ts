import { describe, expect, it } from '@jest/globals';
import { WorkingCalendar } from '#domain';
import { Hotspots, precedingDays, splitIntoMonths } from './hotspots.js';

describe('hotspot periods', () => {
  const days = (from: string, to: string) => new Hotspots(null as never, null as never, new WorkingCalendar()).days({ from: new Date(from), to: new Date(to) });

  it('counts whole local days: the start back to its midnight, the end on to the next one', () => {
    expect(days('2026-11-02T00:00:00+08:00', '2026-11-04T00:00:00+08:00')).toEqual({ from: '2026-11-02', to: '2026-11-04' });
    expect(days('2026-11-02T12:00:00+08:00', '2026-11-03T15:30:00+08:00')).toEqual({ from: '2026-11-02', to: '2026-11-04' });
    // 23:30 UTC on 1 November is 07:30 on 2 November in Shanghai.
    expect(days('2026-11-01T23:30:00Z', '2026-11-02T16:00:00Z')).toEqual({ from: '2026-11-02', to: '2026-11-03' });
  });

  it('compares with as many days just before', () => {
    expect(precedingDays({ from: '2026-03-01', to: '2026-03-03' })).toEqual({ from: '2026-02-27', to: '2026-03-01' });
    expect(precedingDays({ from: '2026-01-01', to: '2027-01-01' })).toEqual({ from: '2025-01-01', to: '2026-01-01' });
  });

  it('reads whole months from the monthly counts and only the days at the ends from the daily ones', () => {
    expect(splitIntoMonths({ from: '2026-01-30', to: '2026-04-02' })).toEqual({ days: ['2026-01-30', '2026-01-31', '2026-04-01'], months: ['2026-02-01', '2026-03-01'] });
    expect(splitIntoMonths({ from: '2026-01-01', to: '2027-01-01' }).days).toEqual([]);
    expect(splitIntoMonths({ from: '2026-12-01', to: '2026-12-31' })).toEqual({ days: expect.any(Array), months: [] });
  });
});
