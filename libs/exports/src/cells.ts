/**
 * What a spreadsheet cell holds, and how a value becomes safe, typed cell content. Pure: no I/O.
 */

/** A cell's value: text, a number, an instant (shown as wall-clock time in the sheet's time zone), or nothing. */
export type CellValue = string | number | Date | null | undefined;

/** How a number cell shows: a whole number or decimal as it is, or a rate in [0, 1] as a percentage. */
export type NumberFormat = 'number' | 'percent';

/**
 * One column of a sheet: its head, how a row gives its value, and (for numbers) how it shows.
 * `numberFormat` may depend on the row, for label/value sheets whose values differ in kind.
 */
export interface Column<Row> {
  readonly head: string;
  readonly value: (row: Row) => CellValue;
  readonly numberFormat?: NumberFormat | ((row: Row) => NumberFormat);
  /** Width in characters in xlsx (default from the head). */
  readonly width?: number;
}

/**
 * Characters that make a spreadsheet read a cell as a formula (or, tab and carriage return, that
 * some importers strip before doing so): text starting with one is written behind a `'`.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text as a spreadsheet must take it: a leading formula character is neutralised with `'` (OWASP CSV injection). */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The number format a column gives this row's value. */
export function numberFormatOf<Row>(column: Column<Row>, row: Row): NumberFormat {
  const format = column.numberFormat ?? 'number';
  return typeof format === 'function' ? format(row) : format;
}

/** What a sheet's times are read in: the SLA policy's working calendar (#domain) has this. */
export interface TimeZoneCalendar {
  /** ISO 8601 in local time with the zone's offset, e.g. `2026-03-03T09:00:00+08:00`. */
  format(instant: Date): string;
}

/** `2026-11-02T09:00:00`: the wall-clock date and time an instant shows in the calendar's zone. */
function wallClockIso(instant: Date, calendar: TimeZoneCalendar): string {
  return calendar.format(instant).slice(0, 19);
}

/** `2026-11-02 09:00:00`: an instant as text in the calendar's zone, which spreadsheets read as a date and time. */
export function wallClockText(instant: Date, calendar: TimeZoneCalendar): string {
  return wallClockIso(instant, calendar).replace('T', ' ');
}

/**
 * The Date an xlsx writer takes for an instant: spreadsheet times have no zone, and writers
 * encode a Date's UTC fields, so the wall-clock time in the calendar's zone is put in the UTC fields.
 */
export function spreadsheetDate(instant: Date, calendar: TimeZoneCalendar): Date {
  return new Date(`${wallClockIso(instant, calendar)}Z`);
}

/** An instant from ISO 8601 text (as the API's JSON gives times), or nothing for null. */
export function instant(iso: string | null | undefined): Date | null {
  return iso ? new Date(iso) : null;
}
