import { Readable } from 'node:stream';
import type { Column, TimeZoneCalendar } from './cells.js';
import { csvChunks } from './csv.js';
import { xlsxStream } from './xlsx.js';

export const SPREADSHEET_FORMATS = ['xlsx', 'csv'] as const;
export type SpreadsheetFormat = (typeof SPREADSHEET_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<SpreadsheetFormat, string>> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** At most this many rows go into one export (see README "Exports"): a larger one is refused, not cut short. */
export const MAX_EXPORT_ROWS = 100_000;

/**
 * One sheet: its name (the xlsx tab), its columns, its rows (read lazily, in order), and the
 * calendar whose time zone its times are shown in.
 */
export interface Sheet<Row> {
  readonly name: string;
  readonly columns: readonly Column<Row>[];
  readonly rows: AsyncIterable<Row> | Iterable<Row>;
  readonly calendar: TimeZoneCalendar;
}

/**
 * A sheet as a byte stream in `format`. Any list becomes a spreadsheet with a column spec and an
 * iterable of its rows, e.g. (the API's reply helper adds the headers):
 *
 *   const columns: Column<UnitRanking>[] = [
 *     { head: '单位', value: (unit) => unit.name },
 *     { head: '得分', value: (unit) => unit.score },
 *     { head: '解决率', value: (unit) => unit.resolutionRate, numberFormat: 'percent' },
 *   ];
 *   spreadsheetStream(format, { name: '单位排名', columns, rows: answer.units, calendar });
 */
export function spreadsheetStream<Row>(format: SpreadsheetFormat, sheet: Sheet<Row>, maxRows = MAX_EXPORT_ROWS): Readable {
  const rows = atMost(sheet.rows, maxRows);
  if (format === 'xlsx') return xlsxStream(sheet.name, sheet.columns, rows, sheet.calendar);
  return Readable.from(csvChunks(sheet.columns, rows, sheet.calendar), { objectMode: false });
}

/**
 * The rows, failing at the one after the first `maxRows`. A route counts its rows and refuses an
 * export over the cap before sending anything; rows added between that count and the read would
 * otherwise be cut off silently, so the stream is broken off instead and the download fails.
 */
async function* atMost<Row>(rows: AsyncIterable<Row> | Iterable<Row>, maxRows: number): AsyncGenerator<Row> {
  let count = 0;
  for await (const row of rows) {
    if (++count > maxRows) throw new Error(`the export grew beyond ${maxRows} rows while it was being written (rows added since it was counted); it was broken off rather than cut short`);
    yield row;
  }
}
