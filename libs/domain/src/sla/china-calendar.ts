import { DEFAULT_TIMEZONE, type CalendarConfig } from './calendar.js';

/**
 * Mainland China's public holidays and make-up working days (调休), as the State Council's
 * General Office announces them each year (国务院办公厅关于部分节假日安排的通知).
 *
 * Dates beyond the years listed here fall back to a plain Monday-to-Friday week. A deployment
 * replaces this data through the `calendar` of its SLA policy file (`SLA_POLICY_FILE`).
 */

export type HolidayArrangement = {
  readonly name: string;
  /** Days off, local dates `YYYY-MM-DD`, weekends inside the break included. */
  readonly holidays: readonly string[];
  /** Weekend days worked to make up for the break. */
  readonly makeupWorkdays: readonly string[];
};

export type HolidayYear = {
  readonly year: number;
  /**
   * `official`: as announced. `provisional`: the State Council had not published the year's
   * arrangement when this file was written; only the statutory days are listed, with no make-up
   * days, until it does.
   */
  readonly status: 'official' | 'provisional';
  readonly source: string;
  readonly arrangements: readonly HolidayArrangement[];
};

export const CHINA_HOLIDAY_YEARS: readonly HolidayYear[] = [
  {
    year: 2026,
    status: 'official',
    source: '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)',
    arrangements: [
      { name: '元旦 New Year', holidays: dates('2026-01-01', '2026-01-03'), makeupWorkdays: ['2026-01-04'] },
      { name: '春节 Spring Festival', holidays: dates('2026-02-15', '2026-02-23'), makeupWorkdays: ['2026-02-14', '2026-02-28'] },
      { name: '清明节 Qingming', holidays: dates('2026-04-04', '2026-04-06'), makeupWorkdays: [] },
      { name: '劳动节 Labour Day', holidays: dates('2026-05-01', '2026-05-05'), makeupWorkdays: ['2026-05-09'] },
      { name: '端午节 Dragon Boat', holidays: dates('2026-06-19', '2026-06-21'), makeupWorkdays: [] },
      { name: '中秋节 Mid-Autumn', holidays: dates('2026-09-25', '2026-09-27'), makeupWorkdays: [] },
      { name: '国庆节 National Day', holidays: dates('2026-10-01', '2026-10-07'), makeupWorkdays: ['2026-09-20', '2026-10-10'] },
    ],
  },
  {
    year: 2027,
    // Provisional until the State Council publishes the 2027 arrangement; replace via SLA_POLICY_FILE.
    // Fixed-date holidays as by law; lunar ones on their 2027 Gregorian dates. The official notice
    // will add make-up working days and may move days around them.
    status: 'provisional',
    source: 'statutory holidays (全国年节及纪念日放假办法); lunar dates for 2027; no official notice yet',
    arrangements: [
      { name: '元旦 New Year', holidays: ['2027-01-01'], makeupWorkdays: [] },
      // New Year's Eve (除夕) is 2027-02-05; the statutory days are the eve and the first three days.
      { name: '春节 Spring Festival', holidays: dates('2027-02-05', '2027-02-11'), makeupWorkdays: [] },
      { name: '清明节 Qingming', holidays: ['2027-04-05'], makeupWorkdays: [] },
      { name: '劳动节 Labour Day', holidays: dates('2027-05-01', '2027-05-05'), makeupWorkdays: [] },
      { name: '端午节 Dragon Boat', holidays: ['2027-06-09'], makeupWorkdays: [] },
      { name: '中秋节 Mid-Autumn', holidays: ['2027-09-15'], makeupWorkdays: [] },
      { name: '国庆节 National Day', holidays: dates('2027-10-01', '2027-10-07'), makeupWorkdays: [] },
    ],
  },
];

/** The shipped calendar: Asia/Shanghai, Monday to Friday, with the holidays and make-up days above. */
export const CHINA_CALENDAR: CalendarConfig = Object.freeze({
  timezone: DEFAULT_TIMEZONE,
  workdays: Object.freeze([1, 2, 3, 4, 5]),
  holidays: Object.freeze(CHINA_HOLIDAY_YEARS.flatMap((year) => year.arrangements.flatMap((a) => a.holidays))),
  makeupWorkdays: Object.freeze(CHINA_HOLIDAY_YEARS.flatMap((year) => year.arrangements.flatMap((a) => a.makeupWorkdays))),
});

/** Every local date from `first` to `last`, both included. */
function dates(first: string, last: string): string[] {
  const out: string[] = [];
  for (let ms = Date.parse(`${first}T00:00:00Z`); ms <= Date.parse(`${last}T00:00:00Z`); ms += 86_400_000) {
    out.push(new Date(ms).toISOString().slice(0, 10));
  }
  return out;
}
