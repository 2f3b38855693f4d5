import { InvalidError, isLocalDate, toMillis, type WorkingCalendar } from '#domain';

/** A period of filing times, `[from, to)`. */
export interface ReportingPeriod {
  readonly from: Date;
  readonly to: Date;
}

/** The longest period a report may cover, in years. */
export const MAX_REPORT_YEARS = 10;

/** No case predates the system; earlier times are a typing mistake. */
const EARLIEST_YEAR = 1970;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The period a report covers, from the query's `from` and `to` (each an ISO 8601 time with an
 * offset, or a date `YYYY-MM-DD` meaning its start in the calendar's time zone). `to` defaults to
 * `now`; `from` to 1 January of the year `to` falls in (the year that ends at `to` when `to` is a
 * New Year's midnight). Throws InvalidError naming the field for a bad time, an empty or reversed
 * period, or one longer than ten years.
 */
export function resolvePeriod(query: { readonly from?: string; readonly to?: string }, now: Date, calendar: WorkingCalendar): ReportingPeriod {
  const to = query.to === undefined ? now : parseTime('to', query.to, calendar);
  const from = query.from === undefined ? startOfYear(new Date(to.getTime() - 1), calendar) : parseTime('from', query.from, calendar);
  if (from.getTime() >= to.getTime()) {
    throw new InvalidError('from', `from (${calendar.format(from)}) must come before to (${calendar.format(to)})`);
  }
  const earliest = yearsBefore(to, MAX_REPORT_YEARS, calendar);
  if (from.getTime() < earliest.getTime()) {
    throw new InvalidError('from', `a report covers at most ${MAX_REPORT_YEARS} years: from must be ${calendar.format(earliest)} or later for to ${calendar.format(to)}`);
  }
  return { from, to };
}

/** The months (`YYYY-MM`, in the calendar's time zone) that the period touches, oldest first. */
export function monthsOf(period: ReportingPeriod, calendar: WorkingCalendar): string[] {
  const first = calendar.localDateOf(period.from).slice(0, 7);
  const last = calendar.localDateOf(new Date(period.to.getTime() - 1)).slice(0, 7);
  const months: string[] = [];
  let [year, month] = first.split('-').map(Number) as [number, number];
  for (let current = first; current <= last; current = monthKey(year, month)) {
    months.push(current);
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
  return months;
}

function parseTime(field: 'from' | 'to', text: string, calendar: WorkingCalendar): Date {
  const time = DATE_ONLY.test(text) && isLocalDate(text) ? calendar.startOfDay(text) : parseInstant(text);
  if (!time) {
    throw new InvalidError(field, `${field} must be an ISO 8601 time with an offset (2026-01-01T00:00:00+08:00) or a date (2026-01-01); got ${JSON.stringify(text)}`);
  }
  const year = Number(calendar.localDateOf(time).slice(0, 4));
  if (year < EARLIEST_YEAR) throw new InvalidError(field, `${field} must be in ${EARLIEST_YEAR} or later; got ${JSON.stringify(text)}`);
  return time;
}

function parseInstant(text: string): Date | null {
  const match = INSTANT.exec(text);
  if (!match || !isLocalDate(match[1]!)) return null;
  try {
    return new Date(toMillis(text));
  } catch {
    return null;
  }
}

function startOfYear(instant: Date, calendar: WorkingCalendar): Date {
  return calendar.startOfDay(`${calendar.localDateOf(instant).slice(0, 4)}-01-01`);
}

/** The same local wall time `years` earlier (29 February becomes 28 February). */
function yearsBefore(instant: Date, years: number, calendar: WorkingCalendar): Date {
  const localDate = calendar.localDateOf(instant);
  const timeOfDay = instant.getTime() - calendar.startOfDay(localDate).getTime();
  const [year, month, day] = localDate.split('-').map(Number) as [number, number, number];
  const earlier = year - years;
  const lastDay = new Date(Date.UTC(earlier, month, 0)).getUTCDate();
  return new Date(calendar.startOfDay(`${monthKey(earlier, month)}-${pad(Math.min(day, lastDay))}`).getTime() + timeOfDay);
}

function monthKey(year: number, month: number): string {
  return `${String(year).padStart(4, '0')}-${pad(month)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
