import { describe, expect, it, jest } from '@jest/globals';
import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import { CaseExportQuery } from '#cases';
import { DEMO_ORG_UNITS, label, labelsFor } from '#domain';
import { Api, expectError, expectFieldError, MASKED_PHONE, PHONE, type Filed } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

const ZH = labelsFor('zh-CN');
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MARK = '【导出】';
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** A case as the JSON list presents it (the fields the export shows). */
interface Item {
  id: string;
  number: string;
  kind: string;
  title: string;
  description: string;
  status: string;
  unitId: string;
  filedUnitId: string;
  urgency: string;
  channel: string;
  filer: { name: string; phone: string | null; anonymous: boolean };
  visitReason: string | null;
  supervised: boolean;
  deadlines: { clock: string; dueAt: string }[];
  resolution: { outcome: string } | null;
  feedback: { satisfaction: string }[];
  createdAt: string;
  updatedAt: string;
}

const unitName = (id: string) => DEMO_ORG_UNITS.find((unit) => unit.id === id)!.name;
/** How a spreadsheet shows a time: its wall clock in Shanghai, as a zoneless date. */
const shanghai = (iso: string | undefined) => (iso ? new Date(Date.parse(iso) + SHANGHAI_OFFSET_MS) : null);
const guarded = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

const HEADS = ['编号', '类型', '标题', '内容', '状态', '当前单位', '登记单位', '紧急程度', '来源', '反映人', '联系电话', '走访事由', '督办', '受理时限', '办理时限', '办结结果', '回访评价', '登记时间', '更新时间'];

/** The row an export must hold for a case as the JSON answer presents it to the same reader. */
function expectedRow(item: Item): unknown[] {
  const due = (clock: string) => shanghai(item.deadlines.find((deadline) => deadline.clock === clock)?.dueAt);
  return [
    item.number,
    ZH.kind[item.kind as keyof typeof ZH.kind],
    guarded(item.title),
    guarded(item.description),
    ZH.status[item.status as keyof typeof ZH.status],
    unitName(item.unitId),
    unitName(item.filedUnitId),
    ZH.urgency[item.urgency as keyof typeof ZH.urgency],
    ZH.channel[item.channel as keyof typeof ZH.channel],
    // An anonymous filer leaves the system as 匿名 with no phone, whoever exports (API.md, "Anonymous filers").
    item.filer.anonymous ? '匿名' : item.filer.name,
    item.filer.anonymous ? null : item.filer.phone,
    item.visitReason ? label(ZH.visitReason, item.visitReason) : null,
    item.supervised ? '是' : '否',
    due('accept'),
    due('resolve'),
    item.resolution ? label(ZH.outcome, item.resolution.outcome) : null,
    item.feedback.length > 0 ? label(ZH.satisfaction, item.feedback.at(-1)!.satisfaction) : null,
    shanghai(item.createdAt),
    shanghai(item.updatedAt),
  ];
}

/** The rows of the first sheet, cells as exceljs reads them (empty cells as null). */
async function sheetRows(response: Response): Promise<{ rows: unknown[][]; workbook: ExcelJS.Workbook }> {
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toBe(XLSX);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(response.body as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => {
    rows.push(Array.from({ length: sheet.columnCount }, (_, i) => row.getCell(i + 1).value ?? null));
  });
  return { rows, workbook };
}

/** RFC 4180 records of a CSV text. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted) {
      field += c;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  return records;
}

describe('exports: ?format=xlsx|csv', () => {
  let t: TestApp;
  let api: Api;
  const filed: Record<string, Filed> = {};

  useTestApp(async (app) => {
    t = app;
    api = new Api(app);
    filed.formula = await api.file({ title: `=HYPERLINK("http://evil.example","点我")${MARK}`, description: '-2+3 看似公式, 含 "引号"\n和换行' });
    filed.plus = await api.file({ title: `+86 加号开头${MARK}`, description: '@SUM(A1) 艾特开头' });
    filed.anonymous = await api.file({ title: `匿名反映噪音${MARK}`, filer: { name: '王五', phone: '13900004213', anonymous: true } });
    filed.grid = await api.file({ kind: 'suggestion', title: `网格建议增设路灯${MARK}`, unitId: 'hd-dg-1-g1' });
    filed.visit = await api.file({ kind: 'visit', visitReason: 'festival', title: `柳林春节走访${MARK}`, unitId: 'hd-ll-1' }, 'hd.coordinator');
    filed.other = await api.file({ kind: 'grievance', title: `湖滨噪音扰民${MARK}`, unitId: 'hx-xh-1' }, 'hx-xh-1.clerk');
    await api.must('hd-dg-1.coordinator', filed.grid.id, 'accept');
    const resolved = await api.must('hd-dg-1.coordinator', filed.grid.id, 'resolve', { outcome: 'adopted', summary: '已采纳' });
    const adopted = await api.post('hd.leader', `/api/v1/cases/${filed.grid.id}/adoptions`, { level: 'county', kind: 'annotated', body: '请区民政局研究落实' });
    expect(adopted.status).toBe(201);
    await api.caughtUp(Math.max(resolved.position, adopted.body.position ?? 0));
    await t.settle();
  });

  const json = async (user: string, path: string) => {
    const response = await api.get(user, path);
    expect(response.status).toBe(200);
    return response.body;
  };
  const download = (user: string, path: string): Promise<Response> => api.download(user, path);
  const listQuery = `q=${encodeURIComponent(MARK)}`;

  describe('the case list', () => {
    it.each(['city.coordinator', 'auditor', 'hd-dg-1.coordinator', 'hd-dg-1.clerk', 'hx-xh-1.clerk'])(
      'holds for %s exactly the rows of the JSON answer, in its order, cell by cell',
      async (user) => {
        const answer = await json(user, `/api/v1/cases?${listQuery}&pageSize=100`);
        const { rows } = await sheetRows(await download(user, `/api/v1/cases?${listQuery}&format=xlsx`));
        expect(rows[0]).toEqual(HEADS);
        expect(rows.slice(1)).toEqual((answer.items as Item[]).map(expectedRow));
        expect(rows.length - 1).toBe(answer.total);
      },
    );

    it('types numbers and times: times are date cells with a date format', async () => {
      const { workbook } = await sheetRows(await download('auditor', `/api/v1/cases?${listQuery}&format=xlsx`));
      const created = workbook.worksheets[0]!.getRow(2).getCell(HEADS.indexOf('登记时间') + 1);
      expect(created.value).toBeInstanceOf(Date);
      expect(created.numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    });

    it('takes every matching case, not one page', async () => {
      const { rows } = await sheetRows(await download('city.coordinator', `/api/v1/cases?${listQuery}&page=2&pageSize=1&format=xlsx`));
      expect(rows.length - 1).toBe(6);
    });

    it('masks as JSON does: a reader who may not act sees masked phones and 匿名 with no phone', async () => {
      const { rows } = await sheetRows(await download('auditor', `/api/v1/cases?${listQuery}&format=xlsx`));
      const byTitle = new Map(rows.slice(1).map((row) => [row[2], row]));
      const phone = HEADS.indexOf('联系电话');
      const name = HEADS.indexOf('反映人');
      expect(byTitle.get(`网格建议增设路灯${MARK}`)![phone]).toBe(MASKED_PHONE);
      expect(byTitle.get(`匿名反映噪音${MARK}`)![name]).toBe('匿名');
      expect(byTitle.get(`匿名反映噪音${MARK}`)![phone]).toBeNull();
      const everything = JSON.stringify(rows);
      expect(everything).not.toContain(PHONE);
      expect(everything).not.toContain('王五');
      expect(everything).not.toContain('13900004213');

      const coordinator = await sheetRows(await download('hd-dg-1.coordinator', `/api/v1/cases?${listQuery}&format=xlsx`));
      const own = new Map(coordinator.rows.slice(1).map((row) => [row[2], row]));
      expect(own.get(`网格建议增设路灯${MARK}`)![phone]).toBe(PHONE);
      // On screen the filing unit's staff see an anonymous filer's name; a file that leaves the system never holds it.
      expect(own.get(`匿名反映噪音${MARK}`)![name]).toBe('匿名');
      expect(own.get(`匿名反映噪音${MARK}`)![phone]).toBeNull();
      expect(JSON.stringify(coordinator.rows)).not.toContain('王五');
    });

    it('keeps to the reader’s scope: no case of the other subtree', async () => {
      const hd = await sheetRows(await download('hd-dg-1.clerk', `/api/v1/cases?${listQuery}&format=xlsx`));
      const titles = hd.rows.slice(1).map((row) => row[2]);
      expect(titles).not.toContain(`湖滨噪音扰民${MARK}`);
      expect(titles).toHaveLength(4);
      const hx = await sheetRows(await download('hx-xh-1.clerk', `/api/v1/cases?${listQuery}&format=xlsx`));
      expect(hx.rows.slice(1).map((row) => row[2])).toEqual([`湖滨噪音扰民${MARK}`]);
      const csv = await download('hx-xh-1.clerk', `/api/v1/cases?${listQuery}&format=csv`);
      expect(csv.body.toString('utf8')).not.toContain('东关');
    });

    it('answers CSV: UTF-8 with a BOM, RFC 4180 quoting, formula cells neutralised, the same cells as JSON', async () => {
      const response = await download('city.coordinator', `/api/v1/cases?${listQuery}&format=csv`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      const bytes = response.body as Buffer;
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8').slice(1);
      expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""点我"")${MARK}"`);
      expect(text).toContain(`"'-2+3 看似公式, 含 ""引号""\n和换行"`);
      const records = parseCsv(text);
      expect(records[0]).toEqual(HEADS);
      const answer = await json('city.coordinator', `/api/v1/cases?${listQuery}&pageSize=100`);
      const asCsv = (value: unknown) => (value === null ? '' : value instanceof Date ? value.toISOString().slice(0, 19).replace('T', ' ') : String(value));
      expect(records.slice(1)).toEqual((answer.items as Item[]).map((item) => expectedRow(item).map(asCsv)));
      const titles = records.slice(1).map((record) => record[2]);
      expect(titles).toEqual(expect.arrayContaining([`'=HYPERLINK("http://evil.example","点我")${MARK}`, `'+86 加号开头${MARK}`]));
      expect(records.slice(1).map((record) => record[3])).toEqual(expect.arrayContaining(["'@SUM(A1) 艾特开头", '\'-2+3 看似公式, 含 "引号"\n和换行']));
    });

    it('sends a download: RFC 5987 Chinese file name, no caching, no sniffing', async () => {
      for (const format of ['xlsx', 'csv']) {
        const response = await download('auditor', `/api/v1/cases?format=${format}`);
        expect(response.headers['content-disposition']).toBe(
          `attachment; filename="????-2026-11-02.${format}"; filename*=UTF-8''${encodeURIComponent('案件列表')}-2026-11-02.${format}`,
        );
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.headers['x-content-type-options']).toBe('nosniff');
      }
    });

    it('reads the list in keyset batches without skipping or repeating a case, even among cases filed at the same instant', async () => {
      const answer = await json('city.coordinator', `/api/v1/cases?pageSize=100`);
      const filter = { readableUnitIds: DEMO_ORG_UNITS.map((unit) => unit.id) };
      const read: string[] = [];
      for await (const item of new CaseExportQuery(t.engine.pool, 2).cases(filter, 100)) read.push(item.state.id);
      expect(read).toEqual((answer.items as Item[]).map((item) => item.id));
      const capped: string[] = [];
      for await (const item of new CaseExportQuery(t.engine.pool, 2).cases(filter, 3)) capped.push(item.state.id);
      expect(capped).toEqual(read.slice(0, 3));
    });

    it('answers JSON as before without format', async () => {
      const response = await api.get('auditor', `/api/v1/cases?${listQuery}&pageSize=2`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['content-disposition']).toBeUndefined();
      expect(response.body).toMatchObject({ total: 6, page: 1, pageSize: 2 });
      expect(response.body.items).toHaveLength(2);
    });
  });

  describe('the inbox', () => {
    it.each(['hd-dg-1.coordinator', 'hx-xh-1.coordinator', 'hd-dg-1.clerk'])('holds for %s the rows of its JSON inbox, cell by cell', async (user) => {
      const answer = await json(user, '/api/v1/inbox');
      expect(answer.items.length).toBeGreaterThan(0);
      const { rows } = await sheetRows(await download(user, '/api/v1/inbox?format=xlsx'));
      expect(rows[0]).toEqual(HEADS);
      expect(rows.slice(1)).toEqual((answer.items as Item[]).map(expectedRow));
    });

    it('keeps to the reader’s scope', async () => {
      const csv = (await download('hx-xh-1.coordinator', '/api/v1/inbox?format=csv')).body.toString('utf8');
      expect(csv).toContain(`湖滨噪音扰民${MARK}`);
      expect(csv).not.toContain('东关');
    });
  });

  describe('statistics', () => {
    const period = 'from=2026-11-01T00:00:00%2B08:00&to=2026-12-01T00:00:00%2B08:00';

    it('writes /stats as label/value rows: totals by kind, rates as percentages, month by month', async () => {
      const figures = await json('hd.coordinator', `/api/v1/stats?unitId=hd&${period}`);
      const { rows, workbook } = await sheetRows(await download('hd.coordinator', `/api/v1/stats?unitId=hd&${period}&format=xlsx`));
      const value = new Map(rows.slice(1).map(([item, cell]) => [item, cell]));
      expect(rows[0]).toEqual(['项目', '数值']);
      expect(value.get('统计单位')).toBe('河东区');
      expect(value.get('统计起始')).toEqual(new Date('2026-11-01T00:00:00Z'));
      expect(value.get('登记数')).toBe(figures.filed.total);
      expect(figures.filed.total).toBe(5);
      expect(value.get('登记数·建言献策')).toBe(figures.filed.byKind.suggestion);
      expect(value.get('登记数·走访')).toBe(1);
      expect(value.get('办结数')).toBe(figures.resolved);
      expect(value.get('解决率')).toBe(figures.resolutionRate);
      expect(value.get('响应率')).toBe(figures.responseRate);
      expect(value.get('满意率')).toBeNull();
      expect(value.get('2026-11 登记数')).toBe(figures.byMonth[0].filed);
      expect(value.get('2026-11 登记数·矛盾纠纷')).toBe(figures.byMonth[0].byKind.dispute);
      const rate = rows.findIndex(([item]) => item === '解决率');
      expect(workbook.worksheets[0]!.getRow(rate + 1).getCell(2).numFmt).toBe('0.0%');
    });

    it('writes /stats/clerks as one row per clerk, as JSON lists them', async () => {
      const appraisal = await json('hd.coordinator', `/api/v1/stats/clerks?unitId=hd&${period}`);
      const { rows } = await sheetRows(await download('hd.coordinator', `/api/v1/stats/clerks?unitId=hd&${period}&format=xlsx`));
      expect(rows[0]).toEqual(['姓名', '用户名', '所属单位', '报送数', '受理数', '批示数', '采纳数', '采用批示数', '积分']);
      expect(rows.slice(1)).toEqual(
        (appraisal.clerks as { displayName: string; username: string; unitId: string; filed: number; accepted: number; annotated: number; adopted: number; adoptions: number; points: number }[]).map((clerk) => [
          clerk.displayName,
          clerk.username,
          unitName(clerk.unitId),
          clerk.filed,
          clerk.accepted,
          clerk.annotated,
          clerk.adopted,
          clerk.adoptions,
          clerk.points,
        ]),
      );
      expect(rows.find((row) => row[1] === 'hd-dg-1.clerk')?.slice(-2)).toEqual([1, 8]);
      const csv = await download('hd.coordinator', `/api/v1/stats/clerks?unitId=hd&${period}&format=csv`);
      expect(csv.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('信息员考核-河东区')}-2026-11-02.csv`);
      expect(parseCsv(csv.body.toString('utf8').slice(1)).slice(1)).toEqual(rows.slice(1).map((row) => row.map(String)));
    });

    it('writes /stats/units as one row per child in rank order, with the log position and anchor of the ranking', async () => {
      const ranking = await json('hd.coordinator', `/api/v1/stats/units?parentId=hd&${period}`);
      const { rows, workbook } = await sheetRows(await download('hd.coordinator', `/api/v1/stats/units?parentId=hd&${period}&format=xlsx`));
      expect(rows[0]).toEqual(['排名', '单位', '登记数', '响应率', '解决率', '满意率', '按时办结率', '得分', '日志位置', '锚点哈希']);
      type Ranked = { rank: number; name: string; filed: number; responseRate: number | null; resolutionRate: number | null; satisfactionRate: number | null; onTimeRate: number | null; score: number };
      expect(rows.slice(1)).toEqual(
        (ranking.units as Ranked[]).map((unit) => [
          unit.rank,
          unit.name,
          unit.filed,
          unit.responseRate,
          unit.resolutionRate,
          unit.satisfactionRate,
          unit.onTimeRate,
          unit.score,
          ranking.position,
          ranking.anchor,
        ]),
      );
      expect(rows.slice(1).map((row) => row[1])).toEqual(expect.arrayContaining(['东关街道', '柳林镇']));
      expect(workbook.worksheets[0]!.getRow(2).getCell(5).numFmt).toBe('0.0%');
    });

    it.each(['/api/v1/stats', '/api/v1/stats/clerks', '/api/v1/stats/units'])('refuses %s out of scope as JSON does, sending no sheet', async (path) => {
      expectError(await api.get('hx-xh-1.coordinator', `${path}?${path.endsWith('units') ? 'parentId' : 'unitId'}=hd&format=xlsx`), 403);
      expectError(await api.get('hd-dg-1.clerk', `${path}?format=csv`), 403);
    });
  });

  it.each(['/api/v1/cases', '/api/v1/inbox', '/api/v1/stats', '/api/v1/stats/clerks', '/api/v1/stats/units'])('answers 400 naming format for %s?format=pdf; a blank format is left out, as every blank parameter', async (path) => {
    expectFieldError(await api.get('city.coordinator', `${path}?format=pdf`), 'format');
    expectFieldError(await api.get('city.coordinator', `${path}?format=XLSX`), 'format');
    const blank = await api.get('city.coordinator', `${path}?format=`);
    expect(blank.status).toBe(200);
    expect(blank.headers['content-type']).toMatch(/^application\/json/);
  });

  it('documents format and the spreadsheet types in OpenAPI', async () => {
    const docs = (await t.http().get('/api/docs-json')).body;
    for (const [path, operation] of [
      ['/api/v1/cases', 'get'],
      ['/api/v1/inbox', 'get'],
      ['/api/v1/stats', 'get'],
      ['/api/v1/stats/clerks', 'get'],
      ['/api/v1/stats/units', 'get'],
    ] as const) {
      const described = docs.paths[path][operation];
      expect(described.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'format', in: 'query', schema: expect.objectContaining({ enum: ['xlsx', 'csv'] }) })]));
      expect(Object.keys(described.responses['200'].content)).toEqual(expect.arrayContaining([XLSX, 'text/csv; charset=utf-8']));
    }
  });

  it('refuses a bulletin list export of more than 100,000 bulletins on its count, before reading any row, naming the bulletin list’s own filters', async () => {
    // Drafts of hx-ty-1, which the city's coordinators (a unit above) read.
    await t.engine.pool.query(`
      INSERT INTO bulletin_view (id, unit_id, title, status, item_count, case_ids, created_by, created_at, updated_at, revision, last_position, state)
      SELECT gen_random_uuid(), 'hx-ty-1', 'cap ' || n, 'draft', 0, '{}', 'hx-ty-1.coordinator', now(), now(), 0, 0, '{}'
        FROM generate_series(1, 100001) n`);
    const query = jest.spyOn(t.engine.pool, 'query');
    try {
      for (const format of ['xlsx', 'csv']) {
        const refused = await api.get('city.coordinator', `/api/v1/bulletins?unitId=hx-ty-1&format=${format}`);
        expectFieldError(refused, 'format');
        expect(refused.body).toMatchObject({ code: 'export_too_large', message: expect.stringContaining('100000') });
        expect(refused.body.message).toContain('narrow it with unitId, year or status');
      }
      const texts = query.mock.calls.map(([text]) => (typeof text === 'string' ? text : JSON.stringify(text)));
      expect(texts.filter((text) => text.includes('FROM bulletin_view') && /LIMIT [1-9]/.test(text))).toEqual([]);
    } finally {
      query.mockRestore();
      await t.engine.pool.query(`DELETE FROM bulletin_view WHERE title LIKE 'cap %'`);
    }
  });

  it('refuses, naming the cap and writing nothing, a list export of more than 100,000 cases (run last: it fills the read model)', async () => {
    // Rows only the count reads: an export of this many is refused before any row is read.
    await t.engine.pool.query(`
      INSERT INTO case_view (id, number, kind, status, unit_id, filed_unit_id, urgency, channel, title, description, supervised,
                             units_visited, revision, last_position, created_at, updated_at, state, clocks)
      SELECT gen_random_uuid(), 'CAP-' || n, 'risk', 'filed', 'hx-ty-1', 'hx-ty-1', 'normal', 'other', 'cap', 'cap', false,
             ARRAY['hx-ty-1'], 0, 0, now(), now(), '{}', '{}'
        FROM generate_series(1, 100001) n`);
    const events = await api.eventCount();
    for (const format of ['xlsx', 'csv']) {
      const refused = await api.get('city.coordinator', `/api/v1/cases?unitId=hx-ty-1&format=${format}`);
      expectFieldError(refused, 'format');
      expect(refused.body).toMatchObject({ code: 'export_too_large', message: expect.stringContaining('100000') });
      expect(refused.body.message).toContain('narrow it with status, kind, unitId, q or overdue');
    }
    expect(await api.eventCount()).toBe(events);
  });
});
