import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Api, MASKED_PHONE, PHONE, expectError, expectFieldError } from './support/api.js';
import { behindTheStore } from './support/tamper.js';
import { useTestApp, type TestApp } from './support/test-app.js';

const MINUTE = 60_000;
const TITLE = '<script>alert("档案")</script> 停车位纠纷';

describe('GET /api/v1/cases/{id}/dossier', () => {
  let t: TestApp;
  let api: Api;
  let caseId: string;
  let number: string;

  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  beforeAll(async () => {
    const filed = await api.file({ title: TITLE, parties: [{ name: '李四', role: '楼上住户' }] });
    caseId = filed.id;
    number = filed.number;
    const steps: [string, string, Record<string, unknown>?][] = [
      ['hd-dg-1.coordinator', 'accept'],
      ['hd-dg.coordinator', 'assign', { assigneeId: await api.userId('hd-dg-1.coordinator') }],
      ['hd-dg-1.coordinator', 'notes', { type: 'mediation', text: '组织双方调解 & 协商' }],
      ['hd-dg-1.coordinator', 'request-annotation'],
      ['hd.leader', 'annotate', { instruction: '请街道督办', assignToUnitId: 'hd-dg-1' }],
      ['hd-dg-1.coordinator', 'resolve'],
    ];
    for (const [user, action, body] of steps) {
      t.advance(MINUTE);
      await api.must(user, caseId, action, body);
    }
  });

  const dossierOf = async (user: string, id = caseId, query = '') => api.get(user, `/api/v1/cases/${id}/dossier${query}`);

  it('is the case as GET /cases/{id} shows it to the reader, with its timeline, notes, annotations, clocks and verification', async () => {
    const response = await dossierOf('auditor');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const dossier = response.body;
    const detail = await api.detail('auditor', caseId);
    expect(dossier.case).toEqual(detail);
    expect(dossier.case.filer.phone).toBe(MASKED_PHONE);
    expect(dossier.case.assignee).toEqual({ id: await api.userId('hd-dg-1.coordinator'), username: 'hd-dg-1.coordinator', displayName: '东关社区联络员', unitId: 'hd-dg-1' });

    const history = (await api.get('auditor', `/api/v1/cases/${caseId}/history`)).body.events;
    expect(dossier.timeline).toHaveLength(history.length);
    expect(dossier.timeline.map((e: { type: string }) => e.type)).toEqual(['CaseFiled', 'CaseAccepted', 'CaseAssigned', 'NoteAdded', 'AnnotationRequested', 'CaseAnnotated', 'CaseResolved']);
    for (const [index, entry] of dossier.timeline.entries()) {
      expect(entry).toMatchObject({
        revision: index,
        position: history[index].position,
        at: history[index].metadata.at,
        data: history[index].data,
        hash: history[index].hash,
        prevHash: history[index].prevHash,
      });
    }
    const me = (await api.get('hd-dg-1.coordinator', '/api/v1/me')).body;
    expect(dossier.timeline[2].description).toBe('指派东关社区的东关社区联络员（hd-dg-1.coordinator）承办');
    expect(dossier.timeline[3]).toMatchObject({
      localTime: expect.stringMatching(/^2026-11-02 09:0\d:00$/),
      actor: { id: me.id, name: `${me.displayName}（hd-dg-1.coordinator）`, role: 'coordinator', roleLabel: '协调员' },
      unit: { id: 'hd-dg-1', name: '东关社区' },
      description: '添加调解记录：组织双方调解 & 协商',
    });
    expect(dossier.timeline[5].description).toBe('领导批示：请街道督办；交东关社区办理（督办）');
    expect(dossier.timeline[0].data.filer.phone).toBe(MASKED_PHONE);

    expect(dossier.notes).toEqual((detail.notes as object[]).map((note) => ({ ...note, actorName: expect.any(String) })));
    expect(dossier.notes.map((n: { text: string }) => n.text)).toEqual(['已受理', '组织双方调解 & 协商']);
    expect(dossier.annotations).toEqual([expect.objectContaining({ instruction: '请街道督办', assignToUnitId: 'hd-dg-1', assignToUnitName: '东关社区' })]);
    expect(dossier.deadlines).toEqual(detail.deadlines);
    expect(dossier.clocks.map((c: { clock: string; state: string }) => [c.clock, c.state])).toEqual(
      expect.arrayContaining([
        ['accept', 'met'],
        ['callback', 'running'],
      ]),
    );
    expect(dossier.verification).toEqual((await api.get('auditor', `/api/v1/cases/${caseId}/verify`)).body);
    expect(dossier.verification).toMatchObject({ ok: true, events: 7, headHash: history.at(-1).hash });
    expect(dossier.timeZone).toBe('Asia/Shanghai');
    expect(dossier.generatedAt).toBe(t.now().toISOString());
    expect(dossier.generatedBy).toEqual({ userId: (await api.get('auditor', '/api/v1/me')).body.id, username: 'auditor', via: 'api' });
  });

  it('masks the phone as GET /cases/{id} does for that reader', async () => {
    const coordinator = (await dossierOf('hd-dg-1.coordinator')).body;
    expect(coordinator.case.filer.phone).toBe(PHONE);
    expect(coordinator.timeline[0].data.filer.phone).toBe(PHONE);
    expect(coordinator.case.allowedActions).toEqual((await api.detail('hd-dg-1.coordinator', caseId)).allowedActions);
    const leader = (await dossierOf('hd.leader')).body;
    expect(leader.case.filer.phone).toBe(MASKED_PHONE);
  });

  it('as HTML is a printable Chinese page with the case number and every user text escaped', async () => {
    const response = await dossierOf('auditor', caseId, '?format=html');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    // The web headers of every HTML page (API.md): no script runs, the page is not framed, nothing sniffed or referred.
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['content-security-policy']).not.toContain("'unsafe-eval'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    const page = response.text;
    expect(page).toMatch(/^<!DOCTYPE html>\n<html lang="zh-CN">/);
    expect(page).toContain('<meta charset="utf-8" />');
    expect(page).toContain(number);
    expect(page).toContain('案件档案');
    expect(page).toContain('&lt;script&gt;alert(&quot;档案&quot;)&lt;/script&gt; 停车位纠纷');
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('组织双方调解 &amp; 协商');
    expect(page).toContain(MASKED_PHONE);
    expect(page).not.toContain(PHONE);
    expect(page).toMatch(/@page \{ size: A4;/);
    expect(page).toContain('@media print');
    expect(page).toContain('完整：全部 7 条记录');
    // Self-contained: nothing to fetch.
    expect(page).not.toMatch(/<link|<img|src=|url\(/i);
  });

  it('answers 404 for an unknown case, an id that is not one, and a case outside the reader’s scope', async () => {
    for (const query of ['', '?format=html']) {
      expectError(await dossierOf('auditor', randomUUID(), query), 404, 'not_found');
      expectError(await dossierOf('auditor', 'not-a-case', query), 404);
      expectError(await dossierOf('hx-xh-1.coordinator', caseId, query), 404, 'not_found');
      expectError(await dossierOf('hx-xh-1.clerk', caseId, query), 404, 'not_found');
    }
  });

  it('names the format field when it is neither json nor html, or an unknown field', async () => {
    expectFieldError(await dossierOf('auditor', caseId, '?format=pdf'), 'format');
    expectFieldError(await dossierOf('auditor', caseId, '?lang=en'), 'lang');
  });

  it('shows a broken chain when the record was tampered with', async () => {
    await behindTheStore(t.engine.pool, (client) =>
      client.query(`UPDATE events SET data = jsonb_set(data, '{text}', '"篡改"') WHERE stream_id = $1 AND revision = 2`, [`case-${caseId}`]),
    );
    const dossier = (await dossierOf('auditor')).body;
    expect(dossier.verification).toMatchObject({ ok: false, firstBrokenRevision: 2 });
    const page = (await dossierOf('auditor', caseId, '?format=html')).text;
    expect(page).toContain('未通过：自第 2 条记录起');
  });
});
