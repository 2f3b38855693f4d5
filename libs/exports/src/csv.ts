import { neutralise, wallClockText, type CellValue, type Column, type TimeZoneCalendar } from './cells.js';

/** Excel reads a CSV file as UTF-8 only when it starts with a byte order mark. */
export const UTF8_BOM = '\uFEFF';
/** RFC 4180 ends records with CRLF. */
const RECORD_END = '\r\n';
/** Chunks of about this many characters go to the response at once. */
const CHUNK_CHARS = 64 * 1024;

/** A field as RFC 4180 writes it: quoted (quotes doubled) when it holds a quote, comma, CR or LF. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A cell's text in CSV: text neutralised against formulas, instants as wall-clock time, numbers as they are. */
export function csvCell(value: CellValue, calendar: TimeZoneCalendar): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return wallClockText(value, calendar);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return csvField(neutralise(value));
}

export function csvRecord(cells: readonly string[]): string {
  return cells.join(',') + RECORD_END;
}

/**
 * The CSV text of a sheet in chunks: the BOM and the heads first, then the rows as they come. A
 * consumer that stops reading stops the rows being read.
 */
export async function* csvChunks<Row>(columns: readonly Column<Row>[], rows: AsyncIterable<Row> | Iterable<Row>, calendar: TimeZoneCalendar): AsyncGenerator<string> {
  let chunk = UTF8_BOM + csvRecord(columns.map((column) => csvField(neutralise(column.head))));
  for await (const row of rows) {
    chunk += csvRecord(columns.map((column) => csvCell(column.value(row), calendar)));
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}
