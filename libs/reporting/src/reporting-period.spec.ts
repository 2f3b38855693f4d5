import { describe, expect, it } from '@jest/globals';
import { InvalidError, WorkingCalendar } from '#domain';
import { monthsOf, resolvePeriod } from './reporting-period.js';

const shanghai = new WorkingCalendar({ timezone: 'Asia/Shanghai' });
const NOW = new Date('2026-11-02T09:00:00+08:00');

const period = (query: { from?: string; to?: string }, now = NOW) => {
  const { from, to } = resolvePeriod(query, now, shanghai);
  return { from: shanghai.format(from), to: shanghai.format(to) };
};

function refusal(query: { from?: string; to?: string }): { field: string; message: string } {
  try {
    resolvePeriod(query, NOW, shanghai);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidError);
    return { field: (error as InvalidError).field, message: (error as InvalidError).message };
  }
  throw new Error(`expected ${JSON.stringify(query)} to be refused`);
}

describe('the period of a report', () => {
  it('runs by default from 1 January of this year in Shanghai until now', () => {
    expect(period({})).toEqual({ from: '2026-01-01T00:00:00+08:00', to: '2026-11-02T09:00:00+08:00' });
    // Still 2026 in UTC, already 2027 in Shanghai.
    expect(period({}, new Date('2026-12-31T17:00:00Z'))).toEqual({ from: '2027-01-01T00:00:00+08:00', to: '2027-01-01T01:00:00+08:00' });
  });

  it('starts by default on 1 January of the year that `to` closes when `to` is a New Year’s midnight', () => {
    expect(period({ to: '2027-01-01T00:00:00+08:00' })).toEqual({ from: '2026-01-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' });
    expect(period({ to: '2026-03-15T12:00:00Z' })).toEqual({ from: '2026-01-01T00:00:00+08:00', to: '2026-03-15T20:00:00+08:00' });
  });

  it('reads times with any offset, and dates as their start in Shanghai', () => {
    expect(period({ from: '2026-10-31T16:00:00Z', to: '2026-12-01' })).toEqual({ from: '2026-11-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' });
    expect(period({ from: '2026-11-01T00:00:00.500+08:00' })).toEqual({ from: '2026-11-01T00:00:00.500+08:00', to: '2026-11-02T09:00:00+08:00' });
  });

  it.each([
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2026-13-01' }, 'to'],
    [{ from: '2026-02-30' }, 'from'],
    [{ from: '2026-02-30T00:00:00+08:00' }, 'from'],
    [{ to: '2026-11-01T00:00:00' }, 'to'],
    [{ to: '2026-11-01T25:00:00+08:00' }, 'to'],
    [{ from: '1969-12-31' }, 'from'],
  ])('refuses %j naming %s', (query, field) => {
    expect(refusal(query)).toMatchObject({ field, message: expect.stringContaining(field) });
  });

  it('refuses an empty or reversed period, naming from', () => {
    expect(refusal({ from: '2026-11-01', to: '2026-11-01' })).toEqual({
      field: 'from',
      message: 'from (2026-11-01T00:00:00+08:00) must come before to (2026-11-01T00:00:00+08:00)',
    });
    expect(refusal({ from: '2026-12-01' }).field).toBe('from'); // to defaults to now, earlier
  });

  it('covers at most ten years', () => {
    expect(period({ from: '2016-11-02T09:00:00+08:00' })).toEqual({ from: '2016-11-02T09:00:00+08:00', to: '2026-11-02T09:00:00+08:00' });
    expect(refusal({ from: '2016-11-02T08:59:59+08:00' })).toEqual({
      field: 'from',
      message: 'a report covers at most 10 years: from must be 2016-11-02T09:00:00+08:00 or later for to 2026-11-02T09:00:00+08:00',
    });
    // From a leap day, ten years back is the last day of February.
    expect(period({ from: '2018-02-28', to: '2028-02-29' }).from).toBe('2018-02-28T00:00:00+08:00');
    expect(refusal({ from: '2018-02-27', to: '2028-02-29' }).field).toBe('from');
  });
});

describe('the months of a period', () => {
  const months = (from: string, to: string) => monthsOf({ from: new Date(from), to: new Date(to) }, shanghai);

  it('lists every month the period touches, in Shanghai, the end excluded', () => {
    expect(months('2026-11-01T00:00:00+08:00', '2027-01-01T00:00:00+08:00')).toEqual(['2026-11', '2026-12']);
    expect(months('2026-11-15T00:00:00+08:00', '2027-01-01T00:00:01+08:00')).toEqual(['2026-11', '2026-12', '2027-01']);
    expect(months('2026-11-02T09:00:00+08:00', '2026-11-02T10:00:00+08:00')).toEqual(['2026-11']);
  });

  it('reads a month boundary in Shanghai, not UTC', () => {
    // 2026-11-30T16:30Z is still November in UTC but 1 December 00:30 in Shanghai.
    expect(months('2026-11-30T16:30:00Z', '2026-12-02T00:00:00Z')).toEqual(['2026-12']);
    expect(months('2026-10-31T16:00:00Z', '2026-11-30T16:00:00Z')).toEqual(['2026-11']);
  });

  it('spans years: ten of them are 120 months', () => {
    const all = months('2016-01-01T00:00:00+08:00', '2026-01-01T00:00:00+08:00');
    expect(all).toHaveLength(120);
    expect([all[0], all[11], all[12], all.at(-1)]).toEqual(['2016-01', '2016-12', '2017-01', '2025-12']);
  });
});
