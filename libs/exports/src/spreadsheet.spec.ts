import { describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { buffer } from 'node:stream/consumers';
import { WorkingCalendar } from '#domain';
import type { Column } from './cells.js';

const SHANGHAI = new WorkingCalendar({ timezone: 'Asia/Shanghai' });
const UTC = new WorkingCalendar({ timezone: 'UTC' });
import { spreadsheetStream } from './spreadsheet.js';

interface Row {
  readonly title: string;
  readonly rate: number | null;
  readonly at: string;
}

const columns: Column<Row>[] = [
  { head: '标题', value: (row) => row.title },
  { head: '办结率', value: (row) => row.rate, numberFormat: 'percent' },
  { head: '登记时间', value: (row) => new Date(row.at) },
];

async function* slowly(rows: readonly Row[]): AsyncGenerator<Row> {
  for (const row of rows) {
    await Promise.resolve();
    yield row;
  }
}

describe('spreadsheetStream xlsx', () => {
  it('writes typed cells: neutralised text, numbers with their format, times as dates in the zone', async () => {
    const rows: Row[] = [
      { title: '=HYPERLINK("http://evil","点我")', rate: 0.5, at: '2026-11-02T01:00:00Z' },
      { title: '东关停车难', rate: null, at: '2026-11-03T16:30:00Z' },
    ];
    const bytes = await buffer(spreadsheetStream('xlsx', { name: '案件', columns, rows: slowly(rows), calendar: SHANGHAI }));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('案件')!;
    expect(sheet.getRow(1).values).toEqual([undefined, '标题', '办结率', '登记时间']);
    expect(sheet.getCell('A2').value).toBe('\'=HYPERLINK("http://evil","点我")');
    expect(sheet.getCell('B2').value).toBe(0.5);
    expect(sheet.getCell('B2').numFmt).toBe('0.0%');
    expect(sheet.getCell('C2').value).toEqual(new Date('2026-11-02T09:00:00Z'));
    expect(sheet.getCell('C2').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(sheet.getCell('B3').value).toBeNull();
    expect(sheet.getCell('C3').value).toEqual(new Date('2026-11-04T00:30:00Z'));
    expect(sheet.rowCount).toBe(3);
  });

  it('cuts the stream off when reading the rows fails, rather than ending it as if whole', async () => {
    async function* failing(): AsyncGenerator<Row> {
      yield { title: 'a', rate: 1, at: '2026-11-02T01:00:00Z' };
      throw new Error('database went away');
    }
    await expect(buffer(spreadsheetStream('xlsx', { name: 's', columns, rows: failing(), calendar: UTC }))).rejects.toThrow('database went away');
  });
});

describe('spreadsheetStream holds at most its cap of rows', () => {
  const rows = (count: number): Row[] => Array.from({ length: count }, (_, i) => ({ title: `第${i}行`, rate: 1, at: '2026-11-02T01:00:00Z' }));

  it.each(['xlsx', 'csv'] as const)('%s: breaks the stream off at the row beyond the cap, rather than ending a file cut short', async (format) => {
    await expect(buffer(spreadsheetStream(format, { name: 's', columns, rows: slowly(rows(4)), calendar: UTC }, 3))).rejects.toThrow('beyond 3 rows');
    await expect(buffer(spreadsheetStream(format, { name: 's', columns, rows: rows(4), calendar: UTC }, 3))).rejects.toThrow('beyond 3 rows');
  });

  it('writes every row up to the cap', async () => {
    const text = (await buffer(spreadsheetStream('csv', { name: 's', columns, rows: slowly(rows(3)), calendar: UTC }, 3))).toString('utf8');
    expect(text.trim().split('\r\n')).toHaveLength(4);
  });
});

describe('spreadsheetStream csv', () => {
  it('is UTF-8 with a BOM', async () => {
    const bytes = await buffer(spreadsheetStream('csv', { name: 's', columns, rows: [{ title: '停车', rate: 1, at: '2026-11-02T01:00:00Z' }], calendar: SHANGHAI }));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toBe('\uFEFF标题,办结率,登记时间\r\n停车,1,2026-11-02 09:00:00\r\n');
  });
});

describe('spreadsheetStream reads rows only as fast as the response takes them', () => {
  const TOTAL = 50_000;
  async function* counted(pulled: { count: number }): AsyncGenerator<Row> {
    for (let i = 0; i < TOTAL; i++) {
      pulled.count++;
      yield { title: `第${i}行：东关停车难，车位不足，夜间乱停。`.repeat(3), rate: i / TOTAL, at: '2026-11-02T01:00:00Z' };
    }
  }

  it.each(['xlsx', 'csv'] as const)('%s: a reader who does not read holds the rows back', async (format) => {
    const pulled = { count: 0 };
    const stream = spreadsheetStream(format, { name: 's', columns, rows: counted(pulled), calendar: SHANGHAI });
    stream.once('readable', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const held = pulled.count;
    expect(held).toBeLessThan(TOTAL / 5);
    const bytes = await buffer(stream);
    expect(pulled.count).toBe(TOTAL);
    expect(bytes.length).toBeGreaterThan(0);
    // 50,000 rows written out: seconds on a busy machine.
  }, 30_000);
});
