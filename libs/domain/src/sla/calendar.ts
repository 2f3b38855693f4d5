import { InvalidError } from '../errors.js';

/**
 * Working-day arithmetic in a time zone, for the SLA clocks.
 *
 * The rule (applied to every clock, to extensions, and to the warning point):
 *
 *   A clock of n working days is due once n whole working days of time have elapsed since it
 *   started. Only time on working days counts; weekends and public holidays do not, and make-up
 *   working days (调休) do. Days are local calendar days in the calendar's time zone, 00:00 to
 *   24:00; there are no office hours.
 *
 * What follows from it:
 * - Started on a working day at local time T: due at T on the n-th working day after that day
 *   (filed Friday 16:00, 1 working day: due Monday 16:00).
 * - Started on a weekend or holiday: counting begins at 00:00 of the next working day, so the
 *   clock is due at the end (24:00) of the n-th working day counted from that one (filed
 *   Saturday, 1 working day: due at the end of Monday, shown as Tuesday 00:00).
 * - Time that runs out exactly at the end of a working day is due at that day's 24:00 (the next
 *   calendar day's 00:00), never later at the start of the following working day.
 * - A fraction of a clock (the warning at 75 %) is the same fraction of its working time.
 * - `{ seconds: n }` is plain calendar time, t + n s, weekends included: for drills and tests.
 */

/** An instant: a Date, or ISO 8601 text with a UTC offset or `Z`. */
export type Instant = Date | string;

/** How long a clock runs: working days on the calendar, or plain seconds (drills and tests). */
export type Duration = { readonly workingDays: number } | { readonly seconds: number };

/** What a calendar is made of; every date is a local date `YYYY-MM-DD`. */
export type CalendarConfig = {
  /** An IANA time zone. */
  readonly timezone: string;
  /** ISO weekdays that are working days: 1 = Monday … 7 = Sunday. */
  readonly workdays: readonly number[];
  /** Days off that would otherwise be working days (public holidays). */
  readonly holidays: readonly string[];
  /** Days that are working days although their weekday is not (调休, make-up working days). */
  readonly makeupWorkdays: readonly string[];
};

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';
export const DEFAULT_WORKDAYS: readonly number[] = Object.freeze([1, 2, 3, 4, 5]);

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** About eleven years of hours: the cache of UTC offsets starts over beyond that. */
const MAX_CACHED_OFFSETS = 100_000;
/** No real calendar goes this long without a working day; past it the configuration is broken. */
const MAX_DAYS_WITHOUT_WORK = 3660;

export class WorkingCalendar {
  /** The canonical name of the time zone. */
  readonly timezone: string;
  readonly workdays: readonly number[];
  readonly holidays: readonly string[];
  readonly makeupWorkdays: readonly string[];
  readonly #formatter: Intl.DateTimeFormat;
  readonly #workdays: ReadonlySet<number>;
  readonly #holidays: ReadonlySet<number>;
  readonly #makeupWorkdays: ReadonlySet<number>;
  /** UTC offsets by the hour they hold for: asking Intl is the slow part of every clock computation. */
  readonly #offsets = new Map<number, number>();

  /** Missing parts default to Asia/Shanghai, Monday to Friday, no holidays. Throws InvalidError on a bad part. */
  constructor(config: Partial<CalendarConfig> = {}) {
    const timezone = config.timezone ?? DEFAULT_TIMEZONE;
    const formatter = formatterFor(timezone);
    if (formatter === null) throw new InvalidError('timezone', `timezone: unknown time zone ${JSON.stringify(timezone)}`);
    this.#formatter = formatter;
    this.timezone = formatter.resolvedOptions().timeZone;

    this.workdays = Object.freeze([...(config.workdays ?? DEFAULT_WORKDAYS)]);
    this.workdays.forEach((weekday, i) => {
      if (!isIsoWeekday(weekday)) throw new InvalidError(`workdays[${i}]`, `workdays[${i}]: must be an ISO weekday, 1 (Monday) to 7 (Sunday)`);
    });
    if (this.workdays.length === 0) throw new InvalidError('workdays', 'workdays: must list at least one weekday');
    this.holidays = Object.freeze([...(config.holidays ?? [])]);
    this.makeupWorkdays = Object.freeze([...(config.makeupWorkdays ?? [])]);
    this.#workdays = new Set(this.workdays);
    this.#holidays = new Set(this.holidays.map((date, i) => dayNumberOrThrow(date, `holidays[${i}]`)));
    this.#makeupWorkdays = new Set(this.makeupWorkdays.map((date, i) => dayNumberOrThrow(date, `makeupWorkdays[${i}]`)));
    this.makeupWorkdays.forEach((date, i) => {
      if (this.#holidays.has(dayNumber(date)!)) {
        throw new InvalidError(`makeupWorkdays[${i}]`, `makeupWorkdays[${i}]: ${date} is also listed as a holiday`);
      }
    });
  }

  /** Whether a local date `YYYY-MM-DD` is a working day: a make-up day, or a workday weekday that is no holiday. */
  isWorkingDay(localDate: string): boolean {
    return this.#isWorking(dayNumberOrThrow(localDate, 'localDate'));
  }

  /** The first working day after a local date. */
  nextWorkingDay(localDate: string): string {
    return dateOfDayNumber(this.#nextWorking(dayNumberOrThrow(localDate, 'localDate')));
  }

  /** The local date `YYYY-MM-DD` of an instant in this calendar's time zone. */
  localDateOf(instant: Instant): string {
    return dateOfDayNumber(this.#local(toMillis(instant)).day);
  }

  /** The instant a local date `YYYY-MM-DD` begins (its 00:00) in this calendar's time zone. */
  startOfDay(localDate: string): Date {
    return new Date(this.#instant(dayNumberOrThrow(localDate, 'localDate'), 0));
  }

  /** When a clock of `n` working days started at `start` is due (see the rule at the top of this file). */
  addWorkingDays(start: Instant, n: number): Date {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`a number of working days is a whole number, at least 0 (got ${n})`);
    return this.addWorkingTime(start, n * DAY_MS);
  }

  /** The instant when `ms` milliseconds of working time have elapsed since `start`. */
  addWorkingTime(start: Instant, ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`working time must be finite and not negative (got ${ms})`);
    let { day, time } = this.#local(toMillis(start));
    if (!this.#isWorking(day)) {
      day = this.#nextWorking(day);
      time = 0;
    }
    let remaining = Math.round(ms);
    while (remaining > DAY_MS - time) {
      remaining -= DAY_MS - time;
      day = this.#nextWorking(day);
      time = 0;
    }
    return new Date(this.#instant(day, time + remaining));
  }

  /** `start` plus a duration: working days on this calendar, or plain seconds. */
  addDuration(start: Instant, duration: Duration): Date {
    return 'seconds' in duration ? new Date(toMillis(start) + duration.seconds * 1000) : this.addWorkingDays(start, duration.workingDays);
  }

  /** ISO 8601 in this calendar's local time with its offset, e.g. `2026-03-03T09:00:00+08:00` (milliseconds only when not zero). */
  format(instant: Instant): string {
    const ms = toMillis(instant);
    const wall = ms + this.#offset(ms);
    const offsetMinutes = (wall - ms) / 60_000;
    if (!Number.isInteger(offsetMinutes)) return new Date(ms).toISOString();
    const local = new Date(wall).toISOString().slice(0, -1).replace(/\.000$/, '');
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    return `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }

  #isWorking(day: number): boolean {
    if (this.#makeupWorkdays.has(day)) return true;
    return !this.#holidays.has(day) && this.#workdays.has(isoWeekdayOf(day));
  }

  #nextWorking(day: number): number {
    for (let next = day + 1; next <= day + MAX_DAYS_WITHOUT_WORK; next++) {
      if (this.#isWorking(next)) return next;
    }
    throw new RangeError(`the calendar has no working day within ${MAX_DAYS_WITHOUT_WORK} days after ${dateOfDayNumber(day)}`);
  }

  /** The local day (days since 1970-01-01) and the time into it, in milliseconds. */
  #local(ms: number): { day: number; time: number } {
    const wall = ms + this.#offset(ms);
    const day = Math.floor(wall / DAY_MS);
    return { day, time: wall - day * DAY_MS };
  }

  /** The instant of a local wall time; `time` may be 24:00, the next day's 00:00. */
  #instant(day: number, time: number): number {
    const wall = day * DAY_MS + time;
    const guess = wall - this.#offset(wall);
    return wall - this.#offset(guess);
  }

  #offset(ms: number): number {
    const hour = Math.floor(ms / HOUR_MS);
    const cached = this.#offsets.get(hour);
    if (cached !== undefined) return cached;
    const start = hour * HOUR_MS;
    const offset = wallClock(start, this.#formatter) - start;
    // An hour in which the offset changes (a daylight-saving switch) is never cached.
    if (wallClock(start + HOUR_MS - 1, this.#formatter) - (start + HOUR_MS - 1) !== offset) return wallClock(ms, this.#formatter) - ms;
    if (this.#offsets.size >= MAX_CACHED_OFFSETS) this.#offsets.clear();
    this.#offsets.set(hour, offset);
    return offset;
  }
}

/** Milliseconds since the epoch; text must carry an offset, so that no host time zone is ever read. */
export function toMillis(instant: Instant): number {
  if (instant instanceof Date) {
    const ms = instant.getTime();
    if (Number.isNaN(ms)) throw new RangeError('not an instant: an invalid Date');
    return ms;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(instant)) {
    throw new RangeError(`not an instant: ${JSON.stringify(instant)} (ISO 8601 with an offset expected)`);
  }
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${JSON.stringify(instant)}`);
  return ms;
}

/** `2026-11-02 09:05:00`: the wall-clock time of an instant in the time zone, to the second. */
export function localDateTime(ms: number, timezone: string): string {
  const formatter = formatterFor(timezone);
  if (!formatter) throw new RangeError(`unknown time zone: ${timezone}`);
  return new Date(wallClock(ms, formatter)).toISOString().slice(0, 19).replace('T', ' ');
}

/** Whether the runtime knows the IANA time zone (names are matched case-insensitively). */
export function isKnownTimeZone(timezone: string): boolean {
  return formatterFor(timezone) !== null;
}

/** Whether text is a real local date `YYYY-MM-DD`. */
export function isLocalDate(text: string): boolean {
  return dayNumber(text) !== null;
}

export function isIsoWeekday(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 7;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a local date `YYYY-MM-DD`. */
export function isoWeekday(localDate: string): number {
  return isoWeekdayOf(dayNumberOrThrow(localDate, 'localDate'));
}

// Formatters are costly to build; one per time zone is kept (a cache, not state anyone sees).
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timezone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timezone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      formatter = null;
    }
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** The local wall-clock time of an instant, as milliseconds since 1970-01-01T00:00 local. */
function wallClock(ms: number, formatter: Intl.DateTimeFormat): number {
  const parts: Record<string, number> = {};
  for (const { type, value } of formatter.formatToParts(ms)) {
    if (type !== 'literal') parts[type] = Number(value);
  }
  const { year, month, day, hour, minute, second } = parts as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
  const subsecond = ((ms % 1000) + 1000) % 1000;
  return Date.UTC(year, month - 1, day, hour === 24 ? 0 : hour, minute, second) + subsecond;
}

function dayNumber(localDate: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDate);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return ms / DAY_MS;
}

function dayNumberOrThrow(localDate: string, field: string): number {
  const day = typeof localDate === 'string' ? dayNumber(localDate) : null;
  if (day === null) throw new InvalidError(field, `${field}: must be a date YYYY-MM-DD (got ${JSON.stringify(localDate)})`);
  return day;
}

function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 1970-01-01 (day 0) was a Thursday, ISO weekday 4. */
function isoWeekdayOf(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
