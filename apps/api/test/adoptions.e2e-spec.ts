import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Api, expectError, expectFieldError, type Moved } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

describe('POST /api/v1/cases/{id}/adoptions', () => {
  let t: TestApp;
  let api: Api;
  /** A suggestion at 东关社区, resolved, and reported in 东关街道's published bulletin. */
  let theCase: Moved;
  let published: string;

  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  const publishedBulletin = async (user: string, unitId: string, caseIds: string[]): Promise<string> => {
    const drafted = await api.post(user, '/api/v1/bulletins', { unitId, title: '社情民意', caseIds });
    expect(drafted.status).toBe(201);
    expect((await api.post(user, `/api/v1/bulletins/${drafted.body.id}/publish`)).status).toBe(200);
    return drafted.body.id as string;
  };
  const adopt = (user: string, body: Record<string, unknown>, id = theCase.id) => api.post(user, `/api/v1/cases/${id}/adoptions`, body);

  beforeAll(async () => {
    theCase = await api.caseIn('resolved', 'hd-dg-1', { kind: 'suggestion', title: '关于增设公交站点的建议' });
    published = await publishedBulletin('hd-dg.coordinator', 'hd-dg', [theCase.id]);
  });

  it('records a coordinator’s adoption through the case command path and answers it', async () => {
    const response = await adopt('hd-dg-1.coordinator', { level: 'community', kind: 'adopted', body: '社区已采纳，增设临时站点', note: '见会议纪要', expectedRevision: theCase.revision });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: theCase.id,
      status: 'resolved',
      revision: theCase.revision + 1,
      position: expect.any(Number),
      adoption: { level: 'community', kind: 'adopted', body: '社区已采纳，增设临时站点', note: '见会议纪要', bulletinId: null, actorId: await api.userId('hd-dg-1.coordinator'), at: t.now().toISOString() },
    });
    const history = (await api.get('auditor', `/api/v1/cases/${theCase.id}/history`)).body.events;
    expect(history.at(-1)).toMatchObject({ type: 'SuggestionAdopted', revision: theCase.revision + 1 });
    expect((await api.get('auditor', `/api/v1/cases/${theCase.id}/adoptions`)).body.items).toEqual([response.body.adoption]);
  });

  it('lets a leader annotate a bulletin item at their own level when they name none, shown on the bulletin', async () => {
    const response = await adopt('hd.leader', { kind: 'annotated', body: '请区交通局研究落实', bulletinId: published.toUpperCase() });
    expect(response.status).toBe(201);
    expect(response.body.adoption).toMatchObject({ level: 'county', kind: 'annotated', bulletinId: published, note: null });
    const item = (await api.get('hd-dg.leader', `/api/v1/bulletins/${published}`)).body.items[0];
    expect(item.adoptions).toEqual([response.body.adoption]);
    const page = (await api.get('hd.leader', `/api/v1/bulletins/${published}?format=html`)).text;
    expect(page).toContain('请区交通局研究落实');
  });

  it('refuses a bulletin that is a draft, does not hold the case, or the actor may not read, naming bulletinId, and writes nothing', async () => {
    const other = await api.caseIn('filed', 'hd-dg-1', { kind: 'suggestion' });
    const draft = await api.post('hd-dg.coordinator', '/api/v1/bulletins', { unitId: 'hd-dg', title: '草稿', caseIds: [theCase.id] });
    const withoutTheCase = await publishedBulletin('hd-dg.coordinator', 'hd-dg', [other.id]);
    const hxCase = await api.file({ unitId: 'hx-xh-1', kind: 'suggestion' }, 'hx-xh-1.clerk');
    const elsewhere = await publishedBulletin('hx-xh-1.coordinator', 'hx-xh-1', [hxCase.id]);
    const before = await api.eventCount();
    for (const bulletinId of [draft.body.id, withoutTheCase, elsewhere, randomUUID(), 'not-a-bulletin']) {
      expectFieldError(await adopt('hd-dg.leader', { kind: 'annotated', body: '批示', bulletinId }), 'bulletinId');
    }
    expect(await api.eventCount()).toBe(before);
  });

  it('refuses bad fields with 400 naming the field, and writes nothing', async () => {
    const before = await api.eventCount();
    expectFieldError(await adopt('hd-dg-1.coordinator', { kind: 'adopted', body: '采纳' }), 'level');
    expectFieldError(await adopt('hd-dg-1.coordinator', { level: 'galaxy', kind: 'adopted', body: '采纳' }), 'level');
    expectFieldError(await adopt('hd-dg-1.coordinator', { level: 'town', body: '采纳' }), 'kind');
    expectFieldError(await adopt('hd-dg-1.coordinator', { level: 'town', kind: 'adopted', body: ' ' }), 'body');
    expectFieldError(await adopt('hd-dg-1.coordinator', { level: 'town', kind: 'adopted', body: '采'.repeat(5001) }), 'body');
    expectFieldError(await adopt('hd-dg-1.coordinator', { level: 'town', kind: 'adopted', body: '采纳', note: '注'.repeat(2001) }), 'note');
    expectFieldError(await adopt('hd-dg-1.coordinator', { level: 'town', kind: 'adopted', body: '采纳', points: 5 }), 'points');
    expect(await api.eventCount()).toBe(before);
  });

  it('is for coordinators and leaders who may read the case: 403 for other roles, 404 out of scope, 409 when stale or not allowed', async () => {
    const before = await api.eventCount();
    const valid = { level: 'town', kind: 'adopted', body: '采纳' };
    expectError(await adopt('hd-dg-1.clerk', valid), 403, 'forbidden');
    expectError(await adopt('auditor', valid), 403, 'forbidden');
    expectError(await adopt('hx-xh-1.coordinator', valid), 404, 'not_found');
    expectError(await adopt('hd-dg-1.coordinator', valid, randomUUID()), 404, 'not_found');
    expectError(await adopt('hd-dg-1.coordinator', valid, 'not-a-case'), 404);
    expectError(await adopt('hd-dg-1.coordinator', { ...valid, expectedRevision: 0 }), 409, 'revision_conflict');
    const rejected = await api.caseIn('rejected', 'hd-dg-1');
    const afterSetup = await api.eventCount();
    expectError(await adopt('hd-dg-1.coordinator', valid, rejected.id), 409, 'illegal_transition');
    expectError(await api.get('hx-xh-1.coordinator', `/api/v1/cases/${theCase.id}/adoptions`), 404, 'not_found');
    expect(afterSetup - before).toBe(2);
    expect(await api.eventCount()).toBe(afterSetup);
  });

  it('guards the points: no level above the actor’s own, annotations by leaders only, no repeat; nothing written when refused', async () => {
    const before = await api.eventCount();
    expectFieldError(await adopt('hd-dg-1.coordinator', { level: 'national', kind: 'adopted', body: '国家级采用' }), 'level');
    expectError(await adopt('hd-dg.coordinator', { level: 'town', kind: 'annotated', body: '街道批示' }), 403, 'forbidden');
    expect(await api.eventCount()).toBe(before);
    expect((await adopt('hd-dg.coordinator', { level: 'town', kind: 'adopted', body: '街道采用' })).status).toBe(201);
    // The same level and kind again (a retry, say) counts no second time.
    expectError(await adopt('hd-dg.coordinator', { level: 'town', kind: 'adopted', body: '街道采用' }), 409, 'illegal_transition');
    expect(await api.eventCount()).toBe(before + 1);
  });

  it('lets the city’s leader, above the units the case passed through, annotate a closed case', async () => {
    await api.must('hd-dg-1.coordinator', theCase.id, 'close');
    const response = await adopt('city.leader', { kind: 'annotated', body: '市里肯定此做法' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'closed', adoption: { level: 'city', kind: 'annotated' } });
  });
});
