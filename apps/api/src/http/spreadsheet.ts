import { applyDecorators, BadRequestException, StreamableFile } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';
import { create as contentDisposition } from 'content-disposition';
import type { FastifyReply } from 'fastify';
import { CONTENT_TYPES, MAX_EXPORT_ROWS, SPREADSHEET_FORMATS, spreadsheetStream, type Sheet, type SpreadsheetFormat } from '#exports';
import { OneOf } from './fields.js';
import { CONSISTENCY_HEADER, MinPositionQuery } from './read-your-writes.js';

/**
 * Spreadsheet answers (API.md "Exports"): a route that answers JSON answers the same rows as an
 * xlsx or CSV file when asked with `?format=`. To add it to a route:
 *
 *   1. its query DTO gets `@SpreadsheetFormatField() format?: SpreadsheetFormat;`
 *   2. the handler gets `@ApiSpreadsheet()` (OpenAPI) and `@Res({ passthrough: true }) reply`;
 *   3. after the same scope checks and reads as for JSON, it returns
 *      `query.format ? spreadsheetReply(reply, query.format, '文件名', { name, columns, rows, calendar }, now) : json`,
 *      the rows being what the JSON presents and the columns a `Column<Row>[]` (see `#exports`).
 */

/** The `format` query field: absent for JSON; anything but xlsx or csv is a 400 naming `format`. */
export function SpreadsheetFormatField(): PropertyDecorator {
  return OneOf(SPREADSHEET_FORMATS, { optional: true, description: 'answer a spreadsheet of the same rows instead of JSON (API.md "Exports")' });
}

/** The query of a route that takes only `minPosition` and `format`. */
export class SpreadsheetQuery extends MinPositionQuery {
  @SpreadsheetFormatField()
  format?: SpreadsheetFormat;
}

/**
 * OpenAPI: the operation answers JSON (of `jsonType`, when given), or a spreadsheet with
 * `?format=` (as a download: Content-Disposition names the file).
 */
export function ApiSpreadsheet(jsonType?: new () => object): MethodDecorator {
  return applyDecorators(
    ...(jsonType ? [ApiExtraModels(jsonType)] : []),
    ApiOkResponse({
      description: 'JSON; with format=xlsx or format=csv, a spreadsheet download of the same rows (Chinese column heads)',
      headers: {
        ...CONSISTENCY_HEADER,
        'Content-Disposition': {
          description: 'with format=xlsx|csv: `attachment` with the file’s Chinese name (RFC 5987 `filename*`), e.g. 统计数据-东关街道-2026-11-02.xlsx',
          schema: { type: 'string' },
        },
      },
      content: {
        'application/json': { schema: jsonType ? { $ref: getSchemaPath(jsonType) } : { type: 'object' } },
        [CONTENT_TYPES.xlsx]: { schema: { type: 'string', format: 'binary', description: 'an Excel workbook of one sheet' } },
        [CONTENT_TYPES.csv]: { schema: { type: 'string', description: 'UTF-8 with a byte order mark, RFC 4180' } },
      },
    }),
  );
}

/**
 * The reply of an export: the headers (a download with a Chinese file name, RFC 5987, never
 * cached or sniffed) and the sheet streamed as it is written.
 */
export function spreadsheetReply<Row>(reply: FastifyReply, format: SpreadsheetFormat, fileStem: string, sheet: Sheet<Row>, today: Date): StreamableFile {
  const fileName = `${fileStem}-${sheet.calendar.format(today).slice(0, 10)}.${format}`;
  reply
    .header('Content-Type', CONTENT_TYPES[format])
    .header('Content-Disposition', contentDisposition(fileName, { type: 'attachment' }))
    .header('Cache-Control', 'no-store')
    .header('X-Content-Type-Options', 'nosniff');
  return new StreamableFile(spreadsheetStream(format, sheet));
}

/**
 * Refuses, before anything is sent, an export of more rows than MAX_EXPORT_ROWS: a file cut short
 * would look whole. The message names the route's own filters (`narrowWith`) to narrow it with.
 */
export function refuseOversizedExport(rows: number, narrowWith: readonly string[]): void {
  if (rows <= MAX_EXPORT_ROWS) return;
  const filters = narrowWith.length > 1 ? `${narrowWith.slice(0, -1).join(', ')} or ${narrowWith.at(-1)}` : narrowWith.join('');
  const message = `an export holds at most ${MAX_EXPORT_ROWS} rows and this one would hold ${rows}; narrow it with ${filters}`;
  throw new BadRequestException({ message, code: 'export_too_large', details: [{ field: 'format', message }] });
}
