export { instant, neutralise, spreadsheetDate, wallClockText } from './cells.js';
export type { CellValue, Column, NumberFormat, TimeZoneCalendar } from './cells.js';
export { csvCell, csvField, UTF8_BOM } from './csv.js';
export { CONTENT_TYPES, MAX_EXPORT_ROWS, SPREADSHEET_FORMATS, spreadsheetStream } from './spreadsheet.js';
export type { Sheet, SpreadsheetFormat } from './spreadsheet.js';
export { caseColumns, unitName } from './sheets/case-sheet.js';
export type { PresentedCase } from './sheets/case-sheet.js';
export { appraisalColumns, FIGURE_COLUMNS, statisticsRows, UNIT_RANKING_COLUMNS, unitRankingRows } from './sheets/figure-sheets.js';
export type { FigureRow, RankedUnitRow } from './sheets/figure-sheets.js';
