import { describe, expect, it } from '@jest/globals';
import { WorkingCalendar } from '#domain';
import type { Column } from './cells.js';

const SHANGHAI = new WorkingCalendar({ timezone: 'Asia/Shanghai' });
const UTC = new WorkingCalendar({ timezone: 'UTC' });
import { csvCell, csvChunks, csvField, UTF8_BOM } from './csv.js';

describe('csvField (RFC 4180)', () => {
  it.each([
    ['plain', 'plain'],
    ['东关停车难', '东关停车难'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['', ''],
  ])('writes %j as %j', (text, field) => {
    expect(csvField(text)).toBe(field);
  });
});

describe('csvCell', () => {
  it('neutralises formula text, then quotes it as needed', () => {
    expect(csvCell('=HYPERLINK("http://x","y")', UTC)).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1', UTC)).toBe("'+1");
    expect(csvCell('-1', UTC)).toBe("'-1");
    expect(csvCell('@x', UTC)).toBe("'@x");
  });

  it('writes numbers as numbers, nothing as an empty field, and instants in the zone', () => {
    expect(csvCell(-3, UTC)).toBe('-3');
    expect(csvCell(0.875, UTC)).toBe('0.875');
    expect(csvCell(null, UTC)).toBe('');
    expect(csvCell(undefined, UTC)).toBe('');
    expect(csvCell(new Date('2026-11-02T01:00:00Z'), SHANGHAI)).toBe('2026-11-02 09:00:00');
  });
});

describe('csvChunks', () => {
  const columns: Column<{ title: string; count: number }>[] = [
    { head: '标题', value: (row) => row.title },
    { head: '数量', value: (row) => row.count },
  ];

  it('starts with the BOM and the heads, and ends every record with CRLF', async () => {
    let text = '';
    for await (const chunk of csvChunks(columns, [{ title: '停车,难', count: 2 }, { title: '=1+1', count: -1 }], UTC)) text += chunk;
    expect(text).toBe(`${UTF8_BOM}标题,数量\r\n"停车,难",2\r\n'=1+1,-1\r\n`);
  });

  it('writes only the heads for no rows', async () => {
    let text = '';
    for await (const chunk of csvChunks(columns, [], UTC)) text += chunk;
    expect(text).toBe(`${UTF8_BOM}标题,数量\r\n`);
  });
});
