import { describe, expect, it } from '@jest/globals';
import { InvalidError } from '../errors.js';
import { WorkingCalendar, isoWeekday, localDateTime, toMillis } from './calendar.js';
import { CHINA_CALENDAR, CHINA_HOLIDAY_YEARS } from './china-calendar.js';

const china = new WorkingCalendar(CHINA_CALENDAR);
/** When a clock of `n` working days started at `start` is due, in Shanghai time. */
const due = (start: string, n: number, calendar = china) => calendar.format(calendar.addWorkingDays(start, n));
const HOUR = 3_600_000;

describe('WorkingCalendar', () => {
  describe('working days', () => {
    it('counts Monday to Friday and not the weekend by default', () => {
      const plain = new WorkingCalendar();
      expect(plain.timezone).toBe('Asia/Shanghai');
      // 2026-03-02 is a Monday.
      expect(['02', '03', '04', '05', '06', '07', '08'].map((d) => plain.isWorkingDay(`2026-03-${d}`))).toEqual([
        true,
        true,
        true,
        true,
        true,
        false,
        false,
      ]);
    });

    it('takes holidays off and counts make-up weekend days (调休)', () => {
      expect(china.isWorkingDay('2026-10-01')).toBe(false); // National Day, a Thursday
      expect(china.isWorkingDay('2026-02-16')).toBe(false); // Spring Festival, a Monday
      expect(china.isWorkingDay('2026-02-14')).toBe(true); // a Saturday worked before Spring Festival
      expect(china.isWorkingDay('2026-09-20')).toBe(true); // a Sunday worked before National Day
      expect(china.isWorkingDay('2026-09-19')).toBe(false); // the Saturday before it is not
    });

    it('finds the next working day across a holiday', () => {
      expect(china.nextWorkingDay('2026-09-30')).toBe('2026-10-08');
      expect(china.nextWorkingDay('2026-10-09')).toBe('2026-10-10');
    });

    it('supports other working weeks, such as six days', () => {
      const sixDays = new WorkingCalendar({ workdays: [1, 2, 3, 4, 5, 6] });
      expect(sixDays.isWorkingDay('2026-03-07')).toBe(true);
      expect(due('2026-03-07T10:00:00+08:00', 1, sixDays)).toBe('2026-03-09T10:00:00+08:00');
    });
  });

  describe('a clock of working days', () => {
    it('given a start on a working day, is due at the same time on the next working day', () => {
      expect(due('2026-03-02T09:00:00+08:00', 1)).toBe('2026-03-03T09:00:00+08:00');
    });

    it('skips the weekend: Friday 16:00 plus one working day is Monday 16:00', () => {
      expect(due('2026-03-06T16:00:00+08:00', 1)).toBe('2026-03-09T16:00:00+08:00');
      expect(due('2026-03-06T16:00:00+08:00', 5)).toBe('2026-03-13T16:00:00+08:00');
    });

    it('given a start on a weekend, counts from the next working day and is due at the end of the n-th', () => {
      // Saturday: Monday is the first working day, so the clock runs out at Monday 24:00.
      expect(due('2026-03-07T10:00:00+08:00', 1)).toBe('2026-03-10T00:00:00+08:00');
      expect(due('2026-03-08T23:59:00+08:00', 2)).toBe('2026-03-11T00:00:00+08:00');
    });

    it('given a start at 00:00 of a working day, is due at the end of that day for one working day', () => {
      expect(due('2026-03-06T00:00:00+08:00', 1)).toBe('2026-03-07T00:00:00+08:00');
    });

    it('skips a public holiday: Qingming, Saturday 4 to Monday 6 April 2026', () => {
      expect(due('2026-04-03T09:00:00+08:00', 1)).toBe('2026-04-07T09:00:00+08:00');
    });

    it('given a start on a public holiday, counts from the next working day', () => {
      // Monday 6 April is Qingming; Tuesday is the first working day.
      expect(due('2026-04-06T10:00:00+08:00', 1)).toBe('2026-04-08T00:00:00+08:00');
      expect(due('2026-04-06T10:00:00+08:00', 3)).toBe('2026-04-10T00:00:00+08:00');
    });

    it('counts a make-up working Saturday', () => {
      // Friday 9 October 2026, and Saturday 10 October is worked.
      expect(due('2026-10-09T09:00:00+08:00', 1)).toBe('2026-10-10T09:00:00+08:00');
      expect(due('2026-10-10T09:00:00+08:00', 1)).toBe('2026-10-12T09:00:00+08:00');
    });

    it('spans Spring Festival 2026 (15 to 23 February, Saturday 14 and 28 February worked)', () => {
      // Friday 13 Feb: Saturday 14 is day 1, the break follows, Tuesday 24 is day 2.
      expect(due('2026-02-13T10:00:00+08:00', 1)).toBe('2026-02-14T10:00:00+08:00');
      expect(due('2026-02-13T10:00:00+08:00', 2)).toBe('2026-02-24T10:00:00+08:00');
      // 10 working days from Thursday 12 Feb: 13, 14, 24, 25, 26, 27, 28 (Sat, worked), 2, 3, 4 March.
      expect(due('2026-02-12T10:00:00+08:00', 10)).toBe('2026-03-04T10:00:00+08:00');
    });

    it('spans National Day 2026 (1 to 7 October; Sunday 20 September and Saturday 10 October worked)', () => {
      expect(due('2026-09-30T09:00:00+08:00', 1)).toBe('2026-10-08T09:00:00+08:00');
      // A dispute's 15 working days from Thursday 24 September, past Mid-Autumn (25 to 27 September) too:
      // 28, 29, 30 Sep; 8, 9, 10 (Sat), 12, 13, 14, 15, 16, 19, 20, 21, 22 Oct.
      expect(due('2026-09-24T10:00:00+08:00', 15)).toBe('2026-10-22T10:00:00+08:00');
      // Friday 18 September: Sunday 20 is worked.
      expect(due('2026-09-18T15:00:00+08:00', 1)).toBe('2026-09-20T15:00:00+08:00');
    });

    it('counts fractions of a clock in working time', () => {
      // 75 % of one working day from Friday 16:00: 8 h on Friday, then 10 h on Monday.
      expect(china.format(china.addWorkingTime('2026-03-06T16:00:00+08:00', 18 * HOUR))).toBe('2026-03-09T10:00:00+08:00');
    });

    it('adds up: extending a due time by m days is the same as a clock of n + m days', () => {
      const start = '2026-09-29T11:30:00+08:00';
      expect(due(due(start, 3), 4)).toBe(due(start, 7));
      const weekend = '2026-03-07T10:00:00+08:00';
      expect(due(due(weekend, 1), 1)).toBe(due(weekend, 2));
    });

    it('keeps milliseconds and takes Dates', () => {
      expect(due('2026-03-02T01:00:00.250Z', 1)).toBe('2026-03-03T09:00:00.250+08:00');
      expect(china.addWorkingDays(new Date('2026-03-02T01:00:00Z'), 1).toISOString()).toBe('2026-03-03T01:00:00.000Z');
    });

    it('refuses a negative or fractional number of days', () => {
      expect(() => china.addWorkingDays('2026-03-02T09:00:00+08:00', -1)).toThrow(RangeError);
      expect(() => china.addWorkingDays('2026-03-02T09:00:00+08:00', 1.5)).toThrow(RangeError);
    });
  });

  describe('time zones', () => {
    it('reads the local date in the calendar’s zone: late Friday UTC is already Saturday in Shanghai', () => {
      const lateFridayUtc = '2026-03-06T17:00:00Z'; // Saturday 01:00 in Shanghai
      expect(china.localDateOf(lateFridayUtc)).toBe('2026-03-07');
      expect(due(lateFridayUtc, 1)).toBe('2026-03-10T00:00:00+08:00');
      // One hour earlier it is still Friday 24:00 minus one hour in Shanghai.
      expect(due('2026-03-06T15:00:00Z', 1)).toBe('2026-03-09T23:00:00+08:00');
    });

    it('tells when a local date begins in the calendar’s zone', () => {
      expect(china.startOfDay('2026-03-07').toISOString()).toBe('2026-03-06T16:00:00.000Z');
      const berlin = new WorkingCalendar({ timezone: 'Europe/Berlin' });
      expect(berlin.startOfDay('2026-03-29').toISOString()).toBe('2026-03-28T23:00:00.000Z');
      expect(berlin.startOfDay('2026-03-30').toISOString()).toBe('2026-03-29T22:00:00.000Z');
      expect(() => china.startOfDay('2026-02-30')).toThrow('must be a date YYYY-MM-DD');
    });

    it('gives the same answer for the same instant written with any offset', () => {
      expect(due('2026-03-06T08:00:00Z', 1)).toBe(due('2026-03-06T16:00:00+08:00', 1));
      expect(due('2026-03-06T03:00:00-05:00', 1)).toBe(due('2026-03-06T16:00:00+08:00', 1));
    });

    it('counts days in zones with daylight saving time by the wall clock', () => {
      const berlin = new WorkingCalendar({ timezone: 'Europe/Berlin' });
      // Summer time begins on Sunday 29 March 2026.
      expect(due('2026-03-27T09:00:00+01:00', 1, berlin)).toBe('2026-03-30T09:00:00+02:00');
    });

    it('refuses an unknown zone, naming it', () => {
      expect(() => new WorkingCalendar({ timezone: 'Mars/Base' })).toThrow('timezone: unknown time zone "Mars/Base"');
    });

    it('refuses instants without an offset, which would depend on the host’s zone', () => {
      expect(() => toMillis('2026-03-02T09:00:00')).toThrow(RangeError);
      expect(() => toMillis('2026-03-02')).toThrow(RangeError);
      expect(() => toMillis('soon')).toThrow(RangeError);
    });
  });

  describe('durations', () => {
    it('adds seconds as plain calendar time, weekends included', () => {
      expect(china.format(china.addDuration('2026-03-07T10:00:00+08:00', { seconds: 3600 }))).toBe('2026-03-07T11:00:00+08:00');
      expect(china.format(china.addDuration('2026-10-01T10:00:00+08:00', { seconds: 30 }))).toBe('2026-10-01T10:00:30+08:00');
    });

    it('adds working days on the calendar', () => {
      expect(china.format(china.addDuration('2026-03-06T16:00:00+08:00', { workingDays: 1 }))).toBe('2026-03-09T16:00:00+08:00');
    });
  });

  describe('configuration', () => {
    it('refuses a bad weekday, date, or a date both worked and off, naming it', () => {
      const refusal = (run: () => unknown) => {
        try {
          run();
        } catch (error) {
          return error;
        }
        return null;
      };
      expect(refusal(() => new WorkingCalendar({ workdays: [1, 8] }))).toMatchObject({ field: 'workdays[1]' });
      expect(refusal(() => new WorkingCalendar({ workdays: [] }))).toMatchObject({ field: 'workdays' });
      expect(refusal(() => new WorkingCalendar({ holidays: ['2026-02-30'] }))).toMatchObject({ field: 'holidays[0]' });
      expect(refusal(() => new WorkingCalendar({ holidays: ['2026-10-01'], makeupWorkdays: ['2026-10-01'] }))).toBeInstanceOf(InvalidError);
      expect(() => china.isWorkingDay('1 Oct')).toThrow(InvalidError);
    });
  });
});

describe('the shipped mainland-China calendar', () => {
  it('holds the State Council’s 2026 arrangement: 33 days off, 6 make-up working days', () => {
    const year2026 = CHINA_HOLIDAY_YEARS.find((year) => year.year === 2026)!;
    expect(year2026.status).toBe('official');
    expect(year2026.arrangements.flatMap((a) => a.holidays)).toHaveLength(3 + 9 + 3 + 5 + 3 + 3 + 7);
    expect(year2026.arrangements.flatMap((a) => a.makeupWorkdays)).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
  });

  it('lists only weekend days as make-up working days', () => {
    for (const date of CHINA_CALENDAR.makeupWorkdays) expect([date, isoWeekday(date) >= 6]).toEqual([date, true]);
  });

  it('never lists a day both off and worked, nor twice', () => {
    const { holidays, makeupWorkdays } = CHINA_CALENDAR;
    expect(new Set(holidays).size).toBe(holidays.length);
    expect(holidays.filter((date) => makeupWorkdays.includes(date))).toEqual([]);
  });

  it('marks 2027 as provisional, with the fixed-date holidays and the lunar ones on their 2027 dates', () => {
    const year2027 = CHINA_HOLIDAY_YEARS.find((year) => year.year === 2027)!;
    expect(year2027.status).toBe('provisional');
    for (const date of ['2027-01-01', '2027-02-05', '2027-02-08', '2027-04-05', '2027-05-03', '2027-06-09', '2027-09-15', '2027-10-07']) {
      expect([date, china.isWorkingDay(date)]).toEqual([date, false]);
    }
    expect(china.isWorkingDay('2027-10-08')).toBe(true);
  });

  it('falls back to Monday to Friday after the years it knows', () => {
    expect(china.isWorkingDay('2028-10-02')).toBe(true); // a Monday
    expect(china.isWorkingDay('2028-10-01')).toBe(false); // a Sunday
  });
});

describe('localDateTime', () => {
  it('gives the wall-clock time of an instant in the time zone, to the second', () => {
    expect(localDateTime(Date.parse('2026-11-02T01:05:07.999Z'), 'Asia/Shanghai')).toBe('2026-11-02 09:05:07');
    expect(localDateTime(Date.parse('2026-11-01T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-11-02 00:00:00');
    expect(localDateTime(Date.parse('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe('2026-07-01 14:00:00');
  });

  it('refuses a time zone the runtime does not know', () => {
    expect(() => localDateTime(0, 'Mars/Olympus')).toThrow(RangeError);
  });
});
