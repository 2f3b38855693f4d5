import { beforeAll, describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '#event-store';
import { eventually } from '#testing';
import { Api, DEMO_USERS, expectError, expectFieldError, type Filed } from './support/api.js';
import { behindTheStore, rewriteStreamConsistently } from './support/tamper.js';
import { DEMO_PASSWORD, useTestApp, type TestApp } from './support/test-app.js';

/**
 * The describe blocks run in order and share one store: the whole store first, then anchors,
 * then the store after tampering (which stays tampered).
 */
/** Account streams in the store beside the cases: the demo accounts, and hx.auditor made below. */
const ACCOUNTS = DEMO_USERS.length + 1;

describe('audit: whole-store verification and anchors', () => {
  let t: TestApp;
  let api: Api;
  /** Cases at hd-dg-1 (东关社区) and one at hx-xh-1 (湖滨社区). */
  let hd: Filed[];
  let hx: Filed;

  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  beforeAll(async () => {
    // First, so that the last event of the log is a case's. An auditor below the root: sees broken streams of the cases in 河西区 only.
    const created = await api.post('admin', '/api/v1/users', { username: 'hx.auditor', displayName: '河西区审计员', password: DEMO_PASSWORD, roles: ['auditor'], unitId: 'hx' });
    expect(created.status).toBe(201);
    hd = [];
    for (const title of ['审计一', '审计二', '审计三']) {
      const filed = await api.file({ title });
      await api.must('hd-dg-1.coordinator', filed.id, 'accept');
      await api.must('hd-dg-1.coordinator', filed.id, 'notes', { type: 'note', text: `${title}的记录` });
      hd.push(filed);
    }
    hx = await api.file({ title: '湖滨审计', unitId: 'hx-xh-1' }, 'hx-xh-1.clerk');
    await api.must('hx-xh-1.coordinator', hx.id, 'accept');
  });

  const streamCount = async () => (await t.engine.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM streams')).rows[0]!.n;
  /** The last event of a case, as its history shows it. */
  const lastEventOf = async (caseId: string) => (await api.get('auditor', `/api/v1/cases/${caseId}/history`)).body.events.at(-1) as { position: number; hash: string };

  describe('the whole store', () => {
    it('walks every stream and event: ok, with no broken streams', async () => {
      const response = await api.get('auditor', '/api/v1/audit/verify');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ok: true, streams: await streamCount(), events: await api.eventCount(), files: 0, broken: [], brokenOutsideScope: 0 });
      expect(response.body.streams).toBe(4 + ACCOUNTS);
    });

    it('answers auditors and admins, 403 to every other role and 401 without a token', async () => {
      expect((await api.get('admin', '/api/v1/audit/verify')).status).toBe(200);
      expect((await api.get('hx.auditor', '/api/v1/audit/verify')).status).toBe(200);
      for (const user of DEMO_USERS.filter((name) => name !== 'auditor' && name !== 'admin')) {
        expectError(await api.get(user, '/api/v1/audit/verify'), 403);
        expectError(await api.get(user, '/api/v1/audit/anchor'), 403);
      }
      expectError(await t.http().get('/api/v1/audit/verify'), 401);
      expectError(await t.http().get('/api/v1/audit/anchor'), 401);
    });

    it('is in the OpenAPI document, with the dossier', async () => {
      const paths = Object.keys((await t.http().get('/api/docs-json')).body.paths as Record<string, unknown>);
      expect(paths).toEqual(expect.arrayContaining(['/api/v1/audit/verify', '/api/v1/audit/anchor', '/api/v1/cases/{id}/dossier']));
    });
  });

  describe('anchors', () => {
    it('digest every stream’s head at the settled head of the log, and still match after more events', async () => {
      const response = await api.get('auditor', '/api/v1/audit/anchor');
      expect(response.status).toBe(200);
      const anchor = response.body;
      const last = await lastEventOf(hx.id);
      expect(anchor).toEqual({ position: last.position, commit: expect.stringMatching(/^\d+$/), streams: 4 + ACCOUNTS, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });

      await api.must('hd-dg-1.coordinator', hd[0]!.id, 'notes', { type: 'contact', text: '锚点之后的记录' });
      await api.file({ title: '锚点之后的案件' });
      const later = await api.get('admin', `/api/v1/audit/anchor?position=${anchor.position}`);
      expect(later.status).toBe(200);
      expect(later.body).toEqual(anchor);
      // The head settles past the new events once no transaction that could still land before
      // them is open on the server, another suite's on a shared server included.
      const head = await eventually(async () => {
        const body = (await api.get('auditor', '/api/v1/audit/anchor')).body;
        return body.position > anchor.position ? body : undefined;
      });
      expect(head.streams).toBe(5 + ACCOUNTS);
      expect(head.digest).not.toBe(anchor.digest);
    });

    it('stop matching when a whole stream is rewritten consistently, head row included, though the chain verifies', async () => {
      const anchor = (await api.get('auditor', '/api/v1/audit/anchor')).body;
      const streamId = `case-${hd[1]!.id}`;
      const { rows } = await t.engine.pool.query<{ revision: number }>('SELECT revision FROM events WHERE stream_id = $1 ORDER BY revision', [streamId]);
      const events: RecordedEvent[] = await t.engine.store.readStream(streamId);
      expect(events).toHaveLength(rows.length);
      await rewriteStreamConsistently(t.engine.pool, t.engine.store, streamId, (event) =>
        event.type === 'NoteAdded' ? { ...event.data, text: '改写后的记录' } : event.data,
      );
      expect((await api.get('auditor', '/api/v1/audit/verify')).body).toMatchObject({ ok: true, broken: [] });
      const now = (await api.get('auditor', `/api/v1/audit/anchor?position=${anchor.position}`)).body;
      expect(now).toMatchObject({ position: anchor.position, commit: anchor.commit, streams: anchor.streams });
      expect(now.digest).not.toBe(anchor.digest);
    });

    it('names the position field when it is not a position, and answers 404 for a position no event has', async () => {
      expectFieldError(await api.get('auditor', '/api/v1/audit/anchor?position=abc'), 'position');
      expectFieldError(await api.get('auditor', '/api/v1/audit/anchor?position=0'), 'position');
      expectFieldError(await api.get('auditor', '/api/v1/audit/anchor?position=1.5'), 'position');
      expectFieldError(await api.get('auditor', '/api/v1/audit/anchor?from=1'), 'from');
      const missing = await api.get('auditor', '/api/v1/audit/anchor?position=999999');
      expectError(missing, 404, 'not_found');
      expect(missing.body.details).toEqual([{ field: 'position', message: expect.any(String) }]);
    });
  });

  describe('after tampering with the tables directly', () => {
    beforeAll(async () => {
      // Case numbers come from the case read model: let it catch up first.
      await t.settle();
      // An edited note, a deleted acceptance (a gap), and a deleted last event (the head row still counts it).
      const edits = [
        [`UPDATE events SET data = jsonb_set(data, '{text}', '"篡改"') WHERE stream_id = $1 AND revision = 2`, hd[0]!.id],
        ['DELETE FROM events WHERE stream_id = $1 AND revision = 1', hd[2]!.id],
        ['DELETE FROM events WHERE stream_id = $1 AND revision = 1', hx.id],
      ] as const;
      await behindTheStore(t.engine.pool, async (client) => {
        for (const [sql, caseId] of edits) expect((await client.query(sql, [`case-${caseId}`])).rowCount).toBe(1);
      });
    });

    it('names exactly the tampered streams, their first broken revisions and case numbers', async () => {
      const response = await api.get('auditor', '/api/v1/audit/verify');
      expect(response.status).toBe(200);
      const expected = [
        { caseId: hd[0]!.id, caseNumber: hd[0]!.number, revision: 2 },
        { caseId: hd[2]!.id, caseNumber: hd[2]!.number, revision: 1 },
        { caseId: hx.id, caseNumber: hx.number, revision: 1 },
      ]
        .map((b) => ({ streamId: `case-${b.caseId}`, ...b, problem: expect.any(String) }))
        .sort((a, b) => (a.streamId < b.streamId ? -1 : 1));
      expect(response.body).toEqual({ ok: false, streams: 5 + ACCOUNTS, events: await api.eventCount(), files: 0, broken: expected, brokenOutsideScope: 0 });
      expect(response.body.broken.find((b: { caseId: string }) => b.caseId === hx.id).problem).toMatch(/removed/);
    });

    it('shows an auditor below the root only the broken streams of cases in their subtree, and how many others there are', async () => {
      const response = await api.get('hx.auditor', '/api/v1/audit/verify');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ ok: false, streams: 5 + ACCOUNTS, brokenOutsideScope: 2 });
      expect(response.body.broken).toEqual([{ streamId: `case-${hx.id}`, revision: 1, problem: expect.any(String), caseId: hx.id, caseNumber: hx.number }]);
    });
  });
});
