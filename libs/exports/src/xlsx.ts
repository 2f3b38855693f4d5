import { PassThrough, type Readable, type Writable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { neutralise, numberFormatOf, spreadsheetDate, type CellValue, type Column, type TimeZoneCalendar } from './cells.js';

const NUMBER_FORMATS = { percent: '0.0%', time: 'yyyy-mm-dd hh:mm:ss' } as const;
/** Rows between checks whether the reader of the response keeps up. */
const ROWS_PER_CHECK = 200;
const MAX_WIDTH = 60;

/** A cell as the xlsx writer takes it, and its number format (none for text and plain numbers). */
function xlsxCell<Row>(column: Column<Row>, row: Row, calendar: TimeZoneCalendar): { value: string | number | Date | null; numFmt?: string } {
  const value: CellValue = column.value(row);
  if (value === null || value === undefined) return { value: null };
  if (value instanceof Date) return { value: spreadsheetDate(value, calendar), numFmt: NUMBER_FORMATS.time };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { value: null };
    return numberFormatOf(column, row) === 'percent' ? { value, numFmt: NUMBER_FORMATS.percent } : { value };
  }
  return { value: neutralise(value) };
}

/**
 * Resolves once `stream` wants more (or is gone: a reader that left wants nothing more). The
 * writer's zip moves data on later turns of the event loop, so one such turn comes first: rows
 * that arrive without I/O in between would otherwise pile up before the stream could say it is full.
 */
async function whenWritable(stream: Writable): Promise<void> {
  await setImmediate();
  if (!stream.writableNeedDrain || stream.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done).off('close', done);
      resolve();
    };
    stream.on('drain', done).on('close', done);
  });
}

/**
 * An xlsx workbook of one sheet, streamed: each row is committed (written out and dropped) as it
 * is added, and the next rows are read only when the response has taken the earlier ones, so
 * memory stays flat however many rows there are. A failure while writing destroys the stream,
 * which cuts the response off rather than ending it as if it were whole.
 */
export function xlsxStream<Row>(sheetName: string, columns: readonly Column<Row>[], rows: AsyncIterable<Row> | Iterable<Row>, calendar: TimeZoneCalendar): Readable {
  const out = new PassThrough();
  const write = async () => {
    // Loaded on the first xlsx export (some 27 MB): a process that never exports never pays for it.
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = columns.map((column) => ({ width: column.width ?? Math.min(MAX_WIDTH, Math.max(10, column.head.length * 2 + 4)) }));
    const head = sheet.addRow(columns.map((column) => neutralise(column.head)));
    head.font = { bold: true };
    head.commit();
    let written = 0;
    for await (const row of rows) {
      if (out.destroyed) return;
      const cells = columns.map((column) => xlsxCell(column, row, calendar));
      const added = sheet.addRow(cells.map((cell) => cell.value));
      cells.forEach((cell, i) => {
        if (cell.numFmt) added.getCell(i + 1).numFmt = cell.numFmt;
      });
      added.commit();
      if (++written % ROWS_PER_CHECK === 0) await whenWritable(out);
    }
    sheet.commit();
    await workbook.commit();
  };
  write().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}
