import { beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { BulletinReadModelProjection, PendingPublicationsAtStart } from '#bulletins';
import { rebuildReadModel } from '#projections';
import { Api, expectError, expectFieldError, type Filed } from './support/api.js';
import { behindTheStore } from './support/tamper.js';
import { useTestApp, type TestApp } from './support/test-app.js';

const TITLE = '<script>alert("简报")</script> 东关街道社情民意';

describe('社情民意 bulletins', () => {
  let t: TestApp;
  let api: Api;
  /** Cases at 东关社区 (hd-dg-1): readable by the town's coordinator (hd-dg) and the community's own. */
  let cases: Filed[];
  /** A case at 西河社区 (hx-xh-1), outside 东关街道's subtree. */
  let elsewhere: Filed;

  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  beforeAll(async () => {
    cases = [];
    for (const [index, kind] of (['suggestion', 'dispute', 'risk'] as const).entries()) {
      cases.push(await api.file({ kind, title: `社情民意事项${index + 1} <b>&</b>`, description: `群众反映的问题${index + 1}` }));
    }
    elsewhere = await api.file({ unitId: 'hx-xh-1' }, 'hx-xh-1.clerk');
  });

  const patch = async (user: string, id: string, body: unknown): Promise<Response> =>
    t
      .http()
      .patch(`/api/v1/bulletins/${id}`)
      .set('Authorization', `Bearer ${await t.token(user)}`)
      .send(body as object);
  const draft = (body: Record<string, unknown> = {}, user = 'hd-dg.coordinator') =>
    api.post(user, '/api/v1/bulletins', { unitId: 'hd-dg', title: TITLE, caseIds: cases.map((c) => c.id), ...body });
  const drafted = async (body: Record<string, unknown> = {}, user = 'hd-dg.coordinator'): Promise<string> => {
    const response = await draft(body, user);
    expect({ status: response.status, body: response.body }).toEqual({ status: 201, body: { id: expect.any(String), status: 'draft', revision: 0, position: expect.any(Number) } });
    return response.body.id as string;
  };
  const publish = (id: string, user = 'hd-dg.coordinator') => api.post(user, `/api/v1/bulletins/${id}/publish`);
  const bulletin = (id: string, user = 'hd-dg.coordinator', query = '') => api.get(user, `/api/v1/bulletins/${id}${query}`);
  const registerEvents = async (unitId: string, year: number) => t.engine.store.readStream(`bulletin-register-${unitId}-${year}`);
  /** As if a process took the next number of the register for the bulletin and died before appending its BulletinPublished. */
  const numberWithoutPublishing = async (bulletinId: string, unitId: string, year: number) => {
    const register = await registerEvents(unitId, year);
    const eventId = randomUUID();
    const sequence = register.length + 1;
    await t.engine.store.appendToStream(
      `bulletin-register-${unitId}-${year}`,
      [{ id: eventId, type: 'BulletinNumbered', schemaVersion: 1, data: { bulletinId, unitId, year, sequence }, metadata: register[0]!.metadata }],
      { expectedRevision: register.length - 1 },
    );
    return { eventId, sequence };
  };

  describe('drafting', () => {
    it('records a draft of the coordinator’s own unit from cases they may read', async () => {
      const id = await drafted({ editorNote: '请各位领导阅示' });
      const detail = (await bulletin(id)).body;
      expect(detail).toMatchObject({ id, unitId: 'hd-dg', unitName: '东关街道', title: TITLE, status: 'draft', editorNote: '请各位领导阅示', issue: null, sequence: null, revision: 0 });
      expect(detail.items.map((item: { caseId: string; position: number; kindLabel: string }) => [item.position, item.caseId, item.kindLabel])).toEqual([
        [1, cases[0]!.id, '建言献策'],
        [2, cases[1]!.id, '矛盾纠纷'],
        [3, cases[2]!.id, '问题隐患'],
      ]);
    });

    it('refuses bad fields with 400 naming the field, and writes nothing', async () => {
      const before = await api.eventCount();
      expectFieldError(await draft({ caseIds: [] }), 'caseIds');
      expectFieldError(await draft({ caseIds: [cases[0]!.id, cases[0]!.id] }), 'caseIds');
      expectFieldError(await draft({ caseIds: [elsewhere.id] }), 'caseIds');
      expectFieldError(await draft({ caseIds: [randomUUID()] }), 'caseIds');
      expectFieldError(await draft({ caseIds: ['not-a-case'] }), 'caseIds');
      expectFieldError(await draft({ caseIds: 'x' }), 'caseIds');
      expectFieldError(await draft({ caseIds: Array.from({ length: 51 }, () => randomUUID()) }), 'caseIds');
      expectFieldError(await draft({ title: ' ' }), 'title');
      expectFieldError(await draft({ title: '题'.repeat(201) }), 'title');
      expectFieldError(await draft({ unitId: 'nowhere' }), 'unitId');
      expectFieldError(await draft({ sequence: 1 }), 'sequence');
      expect(await api.eventCount()).toBe(before);
    });

    it('is for the coordinators of the unit only (403), and writes nothing', async () => {
      const before = await api.eventCount();
      expectError(await draft({}, 'hd-dg.leader'), 403, 'forbidden');
      expectError(await draft({}, 'auditor'), 403, 'forbidden');
      expectError(await draft({}, 'hd.coordinator'), 403, 'forbidden');
      expectError(await draft({}, 'hd-dg-1.coordinator'), 403, 'forbidden');
      expect(await api.eventCount()).toBe(before);
    });
  });

  describe('revising', () => {
    it('replaces the fields given while a draft, and answers the new revision', async () => {
      const id = await drafted({ editorNote: '按语' });
      const revised = await patch('hd-dg.coordinator', id, { title: '第二稿', caseIds: [cases[2]!.id, cases[0]!.id], expectedRevision: 0 });
      expect(revised.body).toEqual({ id, status: 'draft', revision: 1, position: expect.any(Number) });
      expect((await bulletin(id)).body).toMatchObject({ title: '第二稿', caseIds: [cases[2]!.id, cases[0]!.id], editorNote: '按语' });
      expect((await patch('hd-dg.coordinator', id, { editorNote: null })).status).toBe(200);
      expect((await bulletin(id)).body.editorNote).toBeNull();
    });

    it('refuses a stale revision, bad fields, other units and roles, and writes nothing', async () => {
      const id = await drafted();
      const before = await api.eventCount();
      const stale = await patch('hd-dg.coordinator', id, { title: '新', expectedRevision: 5 });
      expectError(stale, 409, 'revision_conflict');
      expect(stale.body.message).toMatch(/^the bulletin has changed: it is at revision 0, not 5/);
      expectFieldError(await patch('hd-dg.coordinator', id, {}), 'body');
      expectFieldError(await patch('hd-dg.coordinator', id, { caseIds: [elsewhere.id] }), 'caseIds');
      expectFieldError(await patch('hd-dg.coordinator', id, { unitId: 'hd' }), 'unitId');
      expectError(await patch('hd-dg.leader', id, { title: '新' }), 403, 'forbidden');
      expectError(await patch('hx-xh-1.coordinator', id, { title: '新' }), 404, 'not_found');
      expectError(await patch('hd-dg-1.coordinator', id, { title: '新' }), 404, 'not_found');
      expectError(await patch('hd-dg.coordinator', randomUUID(), { title: '新' }), 404, 'not_found');
      expect(await api.eventCount()).toBe(before);
    });
  });

  describe('publishing', () => {
    let id: string;
    let published: Response;

    beforeAll(async () => {
      id = await drafted({ editorNote: '请阅' });
      published = await publish(id);
    });

    it('numbers the issue per unit and year and answers it', async () => {
      expect({ status: published.status, body: published.body }).toEqual({
        status: 200,
        body: { id, status: 'published', issue: '2026年第1期', year: 2026, sequence: 1, revision: 1, position: expect.any(Number) },
      });
      const register = await registerEvents('hd-dg', 2026);
      expect(register.map((event) => [event.type, event.data])).toEqual([['BulletinNumbered', { bulletinId: id, unitId: 'hd-dg', year: 2026, sequence: 1 }]]);
    });

    it('freezes the items as the cases stood: later changes to a case do not reach it', async () => {
      await api.must('hd-dg-1.coordinator', cases[0]!.id, 'accept');
      await api.must('hd-dg-1.coordinator', cases[0]!.id, 'resolve', { outcome: 'adopted', summary: '建议已被采纳并实施' });
      const detail = (await bulletin(id)).body;
      expect(detail).toMatchObject({ status: 'published', issue: '2026年第1期', year: 2026, sequence: 1, publishedAt: expect.any(String), publishedBy: await api.userId('hd-dg.coordinator') });
      expect(detail.items[0]).toEqual({
        position: 1,
        caseId: cases[0]!.id,
        number: cases[0]!.number,
        kind: 'suggestion',
        kindLabel: '建言献策',
        title: '社情民意事项1 <b>&</b>',
        summary: '群众反映的问题1',
        unitId: 'hd-dg-1',
        unitName: '东关社区',
        adoptions: [],
      });
      // A draft shows its cases as they are now: the resolution's summary.
      const draftId = await drafted({ caseIds: [cases[0]!.id] });
      expect((await bulletin(draftId)).body.items[0].summary).toBe('建议已被采纳并实施');
    });

    it('is refused on a published bulletin’s revision (409), for other roles (403) and out of scope (404), writing nothing', async () => {
      const before = await api.eventCount();
      expectError(await patch('hd-dg.coordinator', id, { title: '改' }), 409, 'illegal_transition');
      const other = await drafted();
      const beforeOther = await api.eventCount();
      expectError(await publish(other, 'hd-dg.leader'), 403, 'forbidden');
      expectError(await publish(other, 'auditor'), 403, 'forbidden');
      expectError(await publish(other, 'hx-xh-1.coordinator'), 404, 'not_found');
      expectError(await publish(other, 'hd-dg-1.coordinator'), 404, 'not_found');
      expectError(await publish(randomUUID()), 404, 'not_found');
      expectError(await publish('not-a-bulletin'), 404, 'not_found');
      expect(await api.eventCount()).toBe(beforeOther);
      expect(beforeOther).toBe(before + 1);
    });

    it('tells the leaders of the unit and of its parent in the app, once, and no one else', async () => {
      const told = async (user: string) => {
        const response = await api.get(user, `/api/v1/notifications?minPosition=${published.body.position}`);
        expect(response.headers['x-minyi-consistency']).toBe('caught-up');
        return (response.body.items as { type: string; bulletinId?: string }[]).filter((item) => item.bulletinId === id);
      };
      for (const leader of ['hd-dg.leader', 'hd.leader']) {
        expect(await told(leader)).toEqual([
          {
            id: expect.any(String),
            deliveryId: (await t.engine.store.readStream(`bulletin-${id}`))[1]!.id,
            type: 'BulletinPublished',
            caseId: null,
            caseNumber: null,
            bulletinId: id,
            unitId: 'hd-dg',
            text: `东关街道《社情民意》2026年第1期「${TITLE}」已发布，共 3 条，请阅示`,
            texts: {
              'zh-CN': `东关街道《社情民意》2026年第1期「${TITLE}」已发布，共 3 条，请阅示`,
              en: `东关街道 published its public opinion bulletin No. 1 of 2026 "${TITLE}" (3 items); please read it`,
            },
            event: { type: 'BulletinPublished', revision: 1, position: published.body.position, at: expect.any(String) },
            createdAt: expect.any(String),
            readAt: null,
          },
        ]);
      }
      for (const other of ['hd-dg.coordinator', 'city.leader', 'hd-dg-1.coordinator', 'hx-xh-1.coordinator']) expect(await told(other)).toEqual([]);
    });

    it('answers the same publication again when a published bulletin is published again, to its writers only', async () => {
      const again = await publish(id);
      expect(again.body).toEqual(published.body);
      const before = await api.eventCount();
      // Readers who may not write it are refused as for a draft, not told its publication.
      expectError(await publish(id, 'hd-dg.leader'), 403, 'forbidden');
      expectError(await publish(id, 'hd.leader'), 403, 'forbidden');
      expectError(await publish(id, 'auditor'), 403, 'forbidden');
      expectError(await publish(id, 'hd.coordinator'), 403, 'forbidden');
      expectError(await publish(id, 'hd-dg-1.coordinator'), 404, 'not_found');
      expect(await api.eventCount()).toBe(before);
    });
  });

  describe('numbering under concurrency', () => {
    it('gives N drafts of one unit published at once the numbers 1..N, each once', async () => {
      const drafts: string[] = [];
      for (let i = 0; i < 6; i++) drafts.push(await drafted({ unitId: 'hd-dg-1', title: `东关社区第${i}稿` }, 'hd-dg-1.coordinator'));
      const answers = await Promise.all(drafts.map((id) => publish(id, 'hd-dg-1.coordinator')));
      expect(answers.map((answer) => answer.status)).toEqual(drafts.map(() => 200));
      expect(answers.map((answer) => answer.body.sequence).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
      const register = await registerEvents('hd-dg-1', 2026);
      expect(register.map((event) => event.data.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(new Set(register.map((event) => event.data.bulletinId))).toEqual(new Set(drafts));
      for (const answer of answers) expect(answer.body.issue).toBe(`2026年第${answer.body.sequence}期`);
    });

    it('gives one draft published twice at once one number, and both answers agree', async () => {
      const id = await drafted({ unitId: 'hd-dg-1' }, 'hd-dg-1.coordinator');
      const [first, second] = await Promise.all([publish(id, 'hd-dg-1.coordinator'), publish(id, 'hd-dg-1.coordinator')]);
      expect(first!.status).toBe(200);
      expect(second!.body).toEqual(first!.body);
      expect(first!.body.sequence).toBe(7);
      const register = await registerEvents('hd-dg-1', 2026);
      expect(register.filter((event) => event.data.bulletinId === id)).toHaveLength(1);
      const stream = await t.engine.store.readStream(`bulletin-${id}`);
      expect(stream.map((event) => event.type)).toEqual(['BulletinDrafted', 'BulletinPublished']);
    });

    it('completes a publication cut short after its number was taken, with that number', async () => {
      const id = await drafted({ unitId: 'hd-dg-1' }, 'hd-dg-1.coordinator');
      const { sequence } = await numberWithoutPublishing(id, 'hd-dg-1', 2026);
      // Its contents are settled with the number: no revision, which would print other cases under it.
      const before = await api.eventCount();
      expectError(await patch('hd-dg-1.coordinator', id, { title: '改' }), 409, 'illegal_transition');
      expect(await api.eventCount()).toBe(before);
      const answer = await publish(id, 'hd-dg-1.coordinator');
      expect(answer.body).toMatchObject({ sequence });
      expect(await registerEvents('hd-dg-1', 2026)).toHaveLength(sequence);
    });

    it('completes at start a publication cut short, with its number, and a publisher’s retry after that changes nothing', async () => {
      const id = await drafted({ unitId: 'hd-dg-1' }, 'hd-dg-1.coordinator');
      const { eventId: numberedBy, sequence } = await numberWithoutPublishing(id, 'hd-dg-1', 2026);
      const atStart = t.app.get(PendingPublicationsAtStart);
      await atStart.onApplicationBootstrap();
      const stream = await t.engine.store.readStream(`bulletin-${id}`);
      expect(stream.map((event) => event.type)).toEqual(['BulletinDrafted', 'BulletinPublished']);
      expect(stream[1]!.data).toMatchObject({ year: 2026, sequence, numberedBy });
      expect(stream[1]!.data.items).toHaveLength(3);
      expect(stream[1]!.metadata).toMatchObject({ actorId: 'system', actorRole: 'system' });
      // Nothing left to complete; the publisher's retry is answered that publication.
      const count = await api.eventCount();
      await atStart.onApplicationBootstrap();
      expect(await api.eventCount()).toBe(count);
      const retry = await publish(id, 'hd-dg-1.coordinator');
      expect(retry.body).toMatchObject({ id, status: 'published', year: 2026, sequence, revision: 1, position: stream[1]!.globalPosition });
      expect(await api.eventCount()).toBe(count);
      expect(await registerEvents('hd-dg-1', 2026)).toHaveLength(sequence);
    });
  });

  describe('reading', () => {
    let draftId: string;
    let publishedId: string;

    beforeAll(async () => {
      draftId = await drafted({ title: '只给本级和上级看的草稿' });
      publishedId = await drafted({ title: '已发布的简报' });
      expect((await publish(publishedId)).status).toBe(200);
    });

    it('lets the unit, the units above and the auditor read a draft; others get 404', async () => {
      for (const user of ['hd-dg.coordinator', 'hd-dg.leader', 'hd.leader', 'city.leader', 'auditor']) expect((await bulletin(draftId, user)).status).toBe(200);
      for (const user of ['hd-dg-1.coordinator', 'hd-dg-1.clerk', 'hx-xh-1.coordinator']) expectError(await bulletin(draftId, user), 404, 'not_found');
    });

    it('keeps a published bulletin with its unit and the units above too: the units below and other subtrees get 404', async () => {
      for (const user of ['hd-dg.coordinator', 'hd-dg.leader', 'hd.leader', 'city.leader', 'auditor']) expect((await bulletin(publishedId, user)).status).toBe(200);
      for (const user of ['hd-dg-1.coordinator', 'hd-dg-1.clerk', 'hx-xh-1.coordinator']) {
        expectError(await bulletin(publishedId, user), 404, 'not_found');
        expectError(await bulletin(publishedId, user, '?format=html'), 404, 'not_found');
        expectError(await api.get(user, `/api/v1/bulletins/${publishedId}/verify`), 404, 'not_found');
      }
      expectError(await bulletin(randomUUID()), 404, 'not_found');
      expectError(await bulletin('not-a-bulletin'), 404, 'not_found');
    });

    it('exports the list as a spreadsheet holding the rows of the JSON answer, in its scope', async () => {
      const download = (user: string, query: string) => api.download(user, `/api/v1/bulletins?${query}`);
      const sheetOf = async (response: Response): Promise<unknown[][]> => {
        expect(response.status).toBe(200);
        expect(response.headers['content-disposition']).toContain(encodeURIComponent('社情民意简报'));
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.load(response.body as ArrayBuffer);
        const sheet = workbook.worksheets[0]!;
        const rows: unknown[][] = [];
        sheet.eachRow((row) => rows.push(Array.from({ length: sheet.columnCount }, (_, i) => row.getCell(i + 1).value ?? null)));
        return rows;
      };
      const shanghai = (iso: string | null) => (iso ? new Date(Date.parse(iso) + 8 * 3_600_000) : null);
      type Listed = { issue: string | null; title: string; unitName: string; status: string; itemCount: number; editorNote: string | null; createdAt: string; publishedAt: string | null };
      for (const user of ['hd-dg.coordinator', 'hd.leader']) {
        const answer = (await api.get(user, '/api/v1/bulletins?unitId=hd-dg&pageSize=100')).body as { items: Listed[]; total: number };
        const rows = await sheetOf(await download(user, 'unitId=hd-dg&format=xlsx'));
        expect(rows[0]).toEqual(['期号', '标题', '编发单位', '状态', '条目数', '编者按', '创建时间', '发布时间']);
        expect(rows.slice(1)).toEqual(
          answer.items.map((item) => [
            item.issue,
            item.title,
            item.unitName,
            item.status === 'draft' ? '草稿' : '已发布',
            item.itemCount,
            item.editorNote,
            shanghai(item.createdAt),
            shanghai(item.publishedAt),
          ]),
        );
        expect(rows.length - 1).toBe(answer.total);
      }
      // The community's clerk sees none of the town's bulletins in the file either, only the community's own.
      const below = await sheetOf(await download('hd-dg-1.clerk', 'unitId=hd-dg&format=xlsx'));
      expect(below.length).toBeGreaterThan(1);
      expect(below.slice(1).every((row) => row[2] === '东关社区')).toBe(true);
      expectFieldError(await api.get('hd-dg.coordinator', '/api/v1/bulletins?format=pdf'), 'format');
    });

    it('lists what the reader may read, filtered and paged like cases, with read-your-writes', async () => {
      const town = await api.get('hd-dg.coordinator', `/api/v1/bulletins?unitId=hd-dg&pageSize=100&minPosition=${(await publish(publishedId)).body.position}`);
      expect(town.status).toBe(200);
      expect(town.headers['x-minyi-consistency']).toBe('caught-up');
      const ids = town.body.items.map((item: { id: string }) => item.id);
      expect(ids).toEqual(expect.arrayContaining([draftId, publishedId]));
      expect(town.body).toMatchObject({ page: 1, pageSize: 100, total: ids.length });
      expect(town.body.items.find((item: { id: string }) => item.id === publishedId)).toEqual({
        id: publishedId,
        unitId: 'hd-dg',
        unitName: '东关街道',
        title: '已发布的简报',
        status: 'published',
        year: 2026,
        sequence: expect.any(Number),
        issue: expect.stringMatching(/^2026年第\d+期$/),
        itemCount: 3,
        editorNote: null,
        createdBy: await api.userId('hd-dg.coordinator'),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        publishedBy: await api.userId('hd-dg.coordinator'),
        publishedAt: expect.any(String),
        revision: 1,
        position: expect.any(Number),
      });
      // unitId is the unit's subtree, as for cases: the community's bulletins are listed with the town's.
      const published = (await api.get('hd-dg.coordinator', '/api/v1/bulletins?unitId=hd-dg&status=published&year=2026&pageSize=100')).body;
      expect(new Set(published.items.map((item: { status: string; unitId: string }) => `${item.status} ${item.unitId}`))).toEqual(new Set(['published hd-dg', 'published hd-dg-1']));
      const community = (await api.get('hd-dg.coordinator', '/api/v1/bulletins?unitId=hd-dg-1&pageSize=100')).body;
      expect(community.items.every((item: { unitId: string }) => item.unitId === 'hd-dg-1')).toBe(true);
      expect((await api.get('hd-dg.coordinator', '/api/v1/bulletins?year=2025')).body).toEqual({ items: [], total: 0, page: 1, pageSize: 20 });
      // Below: their own unit's only, none of the town's; another subtree: none.
      const below = (await api.get('hd-dg-1.clerk', '/api/v1/bulletins?unitId=hd-dg&pageSize=100')).body;
      expect(below.total).toBeGreaterThan(0);
      expect(below.items.every((item: { unitId: string }) => item.unitId === 'hd-dg-1')).toBe(true);
      expect((await api.get('hx-xh-1.coordinator', '/api/v1/bulletins?unitId=hd-dg')).body.total).toBe(0);
      expect((await api.get('hd-dg.coordinator', '/api/v1/bulletins?pageSize=1')).body.items).toHaveLength(1);
    });

    it('is rebuilt from the bulletin streams like every read model', async () => {
      await t.settle();
      const listAll = async () => (await api.get('auditor', '/api/v1/bulletins?pageSize=100')).body;
      const before = await listAll();
      expect(before.total).toBeGreaterThan(5);
      await t.engine.pool.query("UPDATE bulletin_view SET title = '损坏', status = 'draft', item_count = 0");
      const rebuilt = await rebuildReadModel(t.engine.pool, t.engine.store, new BulletinReadModelProjection());
      expect(rebuilt.tables).toEqual(['bulletin_view']);
      expect(await listAll()).toEqual(before);
      expect(before.items.find((item: { id: string }) => item.id === publishedId)).toMatchObject({ status: 'published', itemCount: 3 });
      // The frozen items live in the row's folded bulletin; no table of their own (version 2 dropped it).
      const { rows } = await t.engine.pool.query<{ items: number; table: string | null }>(
        "SELECT json_array_length(state->'publication'->'items') AS items, to_regclass('bulletin_items')::text AS table FROM bulletin_view WHERE id = $1",
        [publishedId],
      );
      expect(rows[0]).toEqual({ items: 3, table: null });
    });

    it('names the wrong query field with 400, and an unknown unit with 404', async () => {
      expectFieldError(await api.get('hd-dg.coordinator', '/api/v1/bulletins?status=lost'), 'status');
      expectFieldError(await api.get('hd-dg.coordinator', '/api/v1/bulletins?year=abc'), 'year');
      expectFieldError(await api.get('hd-dg.coordinator', '/api/v1/bulletins?pageSize=1000'), 'pageSize');
      expectError(await api.get('hd-dg.coordinator', '/api/v1/bulletins?unitId=nowhere'), 404, 'not_found');
      expectFieldError(await bulletin(publishedId, 'hd-dg.coordinator', '?format=pdf'), 'format');
      expectFieldError(await bulletin(publishedId, 'hd-dg.coordinator', '?lang=fr'), 'lang');
    });

    it('as HTML is a printable A4 page with the web headers, every text escaped', async () => {
      const response = await bulletin(publishedId, 'hd.leader', '?format=html');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      const page = response.text;
      const { issue, sequence } = (await bulletin(publishedId)).body;
      expect(page).toMatch(/^<!DOCTYPE html>\n<html lang="zh-CN">/);
      expect(page).toMatch(/@page \{ size: A4;/);
      expect(page).toContain('《社情民意》');
      expect(page).toContain(`2026年 第${sequence}期`);
      expect(page).toContain(issue);
      expect(page).toContain('编发单位：东关街道');
      expect(page).toContain('发布日期：2026-11-02');
      expect(page).toContain('1. 建言献策｜社情民意事项1 &lt;b&gt;&amp;&lt;/b&gt;');
      expect(page).toContain('2. 矛盾纠纷｜');
      expect(page).toContain('东关社区');
      expect(page).not.toMatch(/<script|<b>/i);
      expect(page).not.toMatch(/<link|<img|src=|url\(/i);

      const withNote = await drafted({ editorNote: '<img src=x onerror=alert(1)> 请阅' });
      const draftPage = (await bulletin(withNote, 'hd-dg.coordinator', '?format=html')).text;
      expect(draftPage).toContain('&lt;img src=x onerror=alert(1)&gt; 请阅');
      expect(draftPage).toContain('&lt;script&gt;alert(&quot;简报&quot;)&lt;/script&gt;');
      expect(draftPage).toContain('草稿');

      const english = (await bulletin(publishedId, 'hd.leader', '?format=html&lang=en')).text;
      expect(english).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
      expect(english).toContain(`No. ${sequence} of 2026`);
      expect(english).toContain('Issued by');
      expect((await bulletin(publishedId, 'hd.leader', '?lang=en')).body.issue).toBe(`No. ${sequence} of 2026`);
    });

    it('is out of scope as HTML too', async () => {
      expectError(await bulletin(publishedId, 'hx-xh-1.coordinator', '?format=html'), 404, 'not_found');
    });
  });

  it('is in the OpenAPI document, with typed answers', async () => {
    const docs = (await t.http().get('/api/docs-json')).body;
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining(['/api/v1/bulletins', '/api/v1/bulletins/{id}', '/api/v1/bulletins/{id}/publish', '/api/v1/bulletins/{id}/verify', '/api/v1/cases/{id}/adoptions']),
    );
    expect(docs.paths['/api/v1/bulletins/{id}/publish'].post.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/PublishedBulletin');
    expect(docs.components.schemas.Bulletin.properties.items.items.$ref).toBe('#/components/schemas/BulletinItem');
    // A bulletin's notification names no case: the notification list says so.
    expect(docs.paths['/api/v1/notifications'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/NotificationList');
    const notification = docs.components.schemas.Notification;
    expect(notification.properties.caseId).toMatchObject({ nullable: true });
    expect(notification.properties.caseNumber).toMatchObject({ nullable: true });
    expect(notification.properties.bulletinId).toMatchObject({ format: 'uuid' });
    expect(notification.properties.type.enum).toContain('BulletinPublished');
    expect(notification.required).not.toContain('bulletinId');
    expect(docs.paths['/api/v1/bulletins/{id}'].get.summary).toContain('units above');
  });

  describe('a new year', () => {
    it('starts numbering at 1 in the calendar year of Asia/Shanghai', async () => {
      const id = await drafted();
      // 2026-12-31T16:30Z is already 2027 in Shanghai.
      t.advance(new Date('2026-12-31T16:30:00Z').getTime() - t.now().getTime());
      const answer = await publish(id);
      expect(answer.body).toMatchObject({ year: 2027, sequence: 1, issue: '2027年第1期' });
    });

    it('gives a publication cut short and retried more than a year later the number it took, not a second one', async () => {
      const id = await drafted();
      const { sequence } = await numberWithoutPublishing(id, 'hd-dg', 2027);
      // Two calendar years on: 2029 in Shanghai.
      t.advance(new Date('2029-03-01T02:00:00Z').getTime() - t.now().getTime());
      const answer = await publish(id);
      expect(answer.body).toMatchObject({ year: 2027, sequence, issue: `2027年第${sequence}期` });
      for (const year of [2028, 2029]) expect(await registerEvents('hd-dg', year)).toEqual([]);
    });
  });

  describe('verification', () => {
    it('checks a bulletin’s chain like a case’s, and a tampered bulletin event breaks it and the whole store', async () => {
      const id = await drafted();
      expect((await publish(id)).status).toBe(200);
      const verified = await api.get('auditor', `/api/v1/bulletins/${id}/verify`);
      const stream = await t.engine.store.readStream(`bulletin-${id}`);
      expect(verified.body).toEqual({ ok: true, events: 2, headHash: stream.at(-1)!.hash });
      expectError(await api.get('hx-xh-1.coordinator', `/api/v1/bulletins/${id}/verify`), 404, 'not_found');
      expect((await api.get('auditor', '/api/v1/audit/verify')).body.ok).toBe(true);

      await behindTheStore(t.engine.pool, (client) =>
        client.query(`UPDATE events SET data = jsonb_set(data, '{items,0,summary}', '"篡改"') WHERE stream_id = $1 AND revision = 1`, [`bulletin-${id}`]),
      );
      expect((await api.get('auditor', `/api/v1/bulletins/${id}/verify`)).body).toMatchObject({ ok: false, firstBrokenRevision: 1 });
      const whole = await api.get('auditor', '/api/v1/audit/verify');
      expect(whole.body.ok).toBe(false);
      expect(whole.body.broken).toEqual([expect.objectContaining({ streamId: `bulletin-${id}`, revision: 1 })]);
    });
  });
});
