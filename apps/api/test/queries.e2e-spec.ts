import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Api, expectError, expectFieldError, type Filed, type Moved } from './support/api.js';
import { behindTheStore } from './support/tamper.js';
import { useTestApp, type TestApp } from './support/test-app.js';

const MINUTE = 60_000;

interface Item {
  id: string;
  status: string;
  unitId: string;
  kind: string;
  title: string;
}

describe('case queries: list, detail, history, state, verify', () => {
  let t: TestApp;
  let api: Api;
  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  const list = async (user: string, query: string) => {
    const response = await api.get(user, `/api/v1/cases?${query}`);
    expect(response.status).toBe(200);
    return response.body as { items: Item[]; total: number; page: number; pageSize: number };
  };
  const ids = (items: Item[]) => items.map((item) => item.id).sort();

  describe('list', () => {
    const MARK = encodeURIComponent('【列表】');
    let parking: Filed;
    let lamp: Filed;
    let noise: Filed;
    let visit: Filed;

    beforeAll(async () => {
      parking = await api.file({ kind: 'dispute', title: '东关停车难【列表】', description: '小区车位不足，夜间乱停。' });
      lamp = await api.file({ kind: 'suggestion', title: '建议增设路灯【列表】', description: '背街小巷照明不足。', unitId: 'hd-dg-1-g1' });
      noise = await api.file({ kind: 'grievance', title: '湖滨噪音扰民【列表】', description: '广场舞音量过大。', unitId: 'hx-xh-1' }, 'hx-xh-1.clerk');
      visit = await api.file({ kind: 'visit', visitReason: 'festival', title: '柳林春节走访【列表】', description: '走访困难老人。', unitId: 'hd-ll-1' }, 'hd.coordinator');
      const accepted = await api.must('hd-dg-1.coordinator', lamp.id, 'accept');
      await api.caughtUp(Math.max(accepted.position, visit.position));
    });

    it('answers { items, total, page, pageSize } with the cases in scope', async () => {
      const all = await list('city.coordinator', `q=${MARK}`);
      expect(all).toMatchObject({ total: 4, page: 1, pageSize: 20 });
      expect(ids(all.items)).toEqual(ids([parking, lamp, noise, visit] as unknown as Item[]));
      expect(all.items.find((item) => item.id === lamp.id)).toMatchObject({ status: 'in_coordination', unitId: 'hd-dg-1-g1', kind: 'suggestion', number: lamp.number });
    });

    it.each([
      ['status=in_coordination', () => [lamp]],
      ['status=filed', () => [parking, noise, visit]],
      ['kind=visit', () => [visit]],
      ['kind=dispute', () => [parking]],
      ['unitId=hd-dg-1', () => [parking, lamp]],
      ['unitId=hd', () => [parking, lamp, visit]],
      ['unitId=hx-xh-1-g1', () => []],
      ['unitId=hd-dg-1&status=filed', () => [parking]],
    ])('filters by %s', async (filter, expected) => {
      const found = await list('auditor', `q=${MARK}&${filter}`);
      expect(ids(found.items)).toEqual(ids(expected() as unknown as Item[]));
      expect(found.total).toBe(expected().length);
    });

    it.each([
      ['停车', 'a Chinese substring of a title', () => [parking]],
      ['车位不足', 'a Chinese substring of a description', () => [parking]],
      ['广场舞', 'another description', () => [noise]],
      ['路灯【列表', 'part of a title with punctuation', () => [lamp]],
      ['不存在的词', 'no match', () => []],
    ])('searches q=%s (%s)', async (q, _, expected) => {
      const found = await list('city.coordinator', `q=${encodeURIComponent(q)}`);
      expect(ids(found.items)).toEqual(ids(expected() as unknown as Item[]));
    });

    it('never shows a user cases outside their subtree', async () => {
      expect(ids((await list('hd-dg-1.clerk', `q=${MARK}`)).items)).toEqual(ids([parking, lamp] as unknown as Item[]));
      expect(ids((await list('hx-xh-1.coordinator', `q=${MARK}`)).items)).toEqual([noise.id]);
      expect(ids((await list('hd.leader', `q=${MARK}`)).items)).toEqual(ids([parking, lamp, visit] as unknown as Item[]));
      const elsewhere = await list('hd-dg-1.clerk', 'unitId=hx-xh-1');
      expect(elsewhere).toMatchObject({ items: [], total: 0 });
    });

    it('lists only the cases the reader filed with filedBy=me (an addition to API.md)', async () => {
      expect(ids((await list('hd-dg-1.clerk', `q=${MARK}&filedBy=me`)).items)).toEqual(ids([parking, lamp] as unknown as Item[]));
      expect(ids((await list('hd.coordinator', `q=${MARK}&filedBy=me`)).items)).toEqual([visit.id]);
      // Accepting a case does not make it the accepter's.
      expect(await list('hd-dg-1.coordinator', `q=${MARK}&filedBy=me`)).toMatchObject({ items: [], total: 0 });
      expectFieldError(await api.get('auditor', '/api/v1/cases?filedBy=hd-dg-1.clerk'), 'filedBy');
    });

    it('answers 404 to a case outside the reader’s subtree, on every read', async () => {
      for (const path of ['', '/history', '/state?revision=0', '/verify']) {
        expectError(await api.get('hx-xh-1.clerk', `/api/v1/cases/${parking.id}${path}`), 404);
        expectError(await api.get('hd-dg-1.coordinator', `/api/v1/cases/${noise.id}${path}`), 404);
        expect((await api.get('hd-dg-1.coordinator', `/api/v1/cases/${parking.id}${path}`)).status).toBe(200);
      }
    });

    it('answers 404 to an unknown case and 400 to bad filters', async () => {
      for (const path of ['', '/history', '/state?revision=0', '/verify']) {
        expectError(await api.get('auditor', `/api/v1/cases/${randomUUID()}${path}`), 404);
        expectError(await api.get('auditor', `/api/v1/cases/not-a-uuid${path}`), 404);
      }
      expectError(await api.get('auditor', '/api/v1/cases?unitId=nowhere'), 404);
      expectFieldError(await api.get('auditor', '/api/v1/cases?status=open'), 'status');
      expectFieldError(await api.get('auditor', '/api/v1/cases?kind=complaint'), 'kind');
      expectFieldError(await api.get('auditor', '/api/v1/cases?page=0'), 'page');
      expectFieldError(await api.get('auditor', '/api/v1/cases?pageSize=101'), 'pageSize');
      expectFieldError(await api.get('auditor', '/api/v1/cases?pageSize=ten'), 'pageSize');
      expectFieldError(await api.get('auditor', '/api/v1/cases?sort=title'), 'sort');
    });

    it('pages newest first, with the total of all pages', async () => {
      const filed: Filed[] = [];
      for (let i = 1; i <= 5; i++) {
        t.advance(1_000);
        filed.push(await api.file({ title: `分页第${i}件【分页】` }));
      }
      await api.caughtUp(filed.at(-1)!.position);
      const newestFirst = filed.map((c) => c.id).reverse();
      const MARK_PAGE = encodeURIComponent('【分页】');
      const pages = await Promise.all([1, 2, 3, 4].map((page) => list('hd-dg-1.coordinator', `q=${MARK_PAGE}&pageSize=2&page=${page}`)));
      expect(pages.map((p) => p.items.map((item) => item.id))).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4), []]);
      for (const [index, page] of pages.entries()) expect(page).toMatchObject({ total: 5, page: index + 1, pageSize: 2 });
    });

    it('waits for minPosition: the list includes a case filed just before, and says so in X-Minyi-Consistency', async () => {
      for (let i = 0; i < 5; i++) {
        const filed = await api.file({ title: `读己之写${i}` });
        const response = await api.get('hd-dg-1.clerk', `/api/v1/cases?minPosition=${filed.position}&q=${encodeURIComponent(`读己之写${i}`)}`);
        expect(response.status).toBe(200);
        expect(response.headers['x-minyi-consistency']).toBe('caught-up');
        expect(response.body.items.map((item: Item) => item.id)).toEqual([filed.id]);
      }
      const moved = await api.must('hd-dg-1.coordinator', (await api.file({ title: '读己之写改' })).id, 'accept');
      const after = await api.get('hd-dg-1.coordinator', `/api/v1/cases?minPosition=${moved.position}&status=in_coordination`);
      expect(after.body.items.map((item: Item) => item.id)).toContain(moved.id);
      expectFieldError(await api.get('auditor', '/api/v1/cases?minPosition=-1'), 'minPosition');
    });
  });

  describe('detail', () => {
    it('shows the case now with every field of API.md and what this user may do', async () => {
      const filed = await api.file({ title: '详情字段' });
      const detail = await api.detail('hd-dg-1.coordinator', filed.id);
      expect(detail).toMatchObject({
        id: filed.id,
        number: filed.number,
        kind: 'dispute',
        title: '详情字段',
        description: expect.any(String),
        status: 'filed',
        unitId: 'hd-dg-1',
        filedUnitId: 'hd-dg-1',
        assigneeId: null,
        assignee: null,
        urgency: 'normal',
        channel: 'walk_in',
        filer: { name: '张三', phone: '13812345678', anonymous: false },
        notes: [],
        annotations: [],
        deadlines: expect.any(Array),
        supervised: false,
        revision: 0,
        createdAt: t.now().toISOString(),
        updatedAt: t.now().toISOString(),
        allowedActions: expect.arrayContaining(['accept']),
      });
    });

    it('names the coordinators a case may be assigned to, nearest unit first, and who its assignee is (additions to API.md)', async () => {
      const accepted = await api.caseIn('in_coordination', 'hd-dg-1');
      const colleague = async (username: string) => {
        const me = (await api.get(username, '/api/v1/me')).body as { id: string; displayName: string; unitId: string };
        return { id: me.id, username, displayName: me.displayName, unitId: me.unitId };
      };
      const assignees = async (user: string) => {
        const response = await api.get(user, `/api/v1/cases/${accepted.id}/assignees`);
        expect(response.status).toBe(200);
        return response.body;
      };
      expect(await assignees('city.coordinator')).toEqual(
        await Promise.all(['hd-dg-1.coordinator', 'hd-dg.coordinator', 'hd.coordinator', 'city.coordinator'].map(colleague)),
      );
      expect(await assignees('hd-dg.coordinator')).toEqual(await Promise.all(['hd-dg-1.coordinator', 'hd-dg.coordinator'].map(colleague)));
      // Every one of them is taken by the assign command; the case then names its assignee.
      for (const username of ['hd.coordinator', 'hd-dg-1.coordinator']) {
        const person = await colleague(username);
        await api.must('city.coordinator', accepted.id, 'assign', { assigneeId: person.id });
        expect(await api.detail('auditor', accepted.id)).toMatchObject({ assigneeId: person.id, assignee: person });
      }
      // Whoever may read the case but not assign it now hears of no one: a clerk, an auditor, anyone once it is closed.
      expect(await assignees('hd-dg-1.clerk')).toEqual([]);
      expect(await assignees('auditor')).toEqual([]);
      await api.must('hd-dg-1.coordinator', accepted.id, 'resolve');
      expect(await assignees('city.coordinator')).toEqual([]);
      expectError(await api.get('hx-xh-1.coordinator', `/api/v1/cases/${accepted.id}/assignees`), 404);
      expectError(await api.get('hd-dg-1.coordinator', `/api/v1/cases/${randomUUID()}/assignees`), 404);
    });

    it('reads its writes: right after each command the detail shows it', async () => {
      const filed = await api.file({ title: '读写一致' });
      let moved: Moved = await api.must('hd-dg-1.coordinator', filed.id, 'accept');
      for (let i = 0; i < 5; i++) {
        t.advance(MINUTE);
        moved = await api.must('hd-dg-1.coordinator', filed.id, 'notes', { type: 'note', text: `记录${i}`, expectedRevision: moved.revision });
        const detail = await api.detail('hd-dg-1.clerk', filed.id);
        expect(detail).toMatchObject({ revision: moved.revision, updatedAt: t.now().toISOString() });
        expect(detail.notes).toHaveLength(i + 2); // the accept note, then one per command
      }
    });
  });

  describe('history, state and verify', () => {
    let caseId: string;
    /** [event type, actor, actor's unit, role] in order, one minute apart. */
    const STEPS: [string, string, string | null, Record<string, unknown>][] = [
      ['CaseFiled', 'hd-dg-1.clerk', null, {}],
      ['CaseAccepted', 'hd-dg-1.coordinator', 'accept', {}],
      ['NoteAdded', 'hd-dg-1.coordinator', 'notes', { type: 'visit', text: '上门走访' }],
      ['CaseEscalated', 'hd-dg-1.coordinator', 'escalate', {}],
      ['CaseAccepted', 'hd-dg.coordinator', 'accept', {}],
      ['AnnotationRequested', 'hd-dg.coordinator', 'request-annotation', {}],
      ['CaseAnnotated', 'hd.leader', 'annotate', {}],
      ['DeadlineExtended', 'hd.leader', 'extend-deadline', {}],
      ['CaseResolved', 'hd-dg.coordinator', 'resolve', {}],
      ['FeedbackRecorded', 'hd-dg.coordinator', 'feedback', { satisfaction: 'unsatisfied' }],
      ['CaseResolved', 'hd-dg.coordinator', 'resolve', {}],
      ['CaseClosed', 'hd-dg.coordinator', 'close', {}],
      ['CaseReopened', 'hd-dg.coordinator', 'reopen', {}],
      ['CaseWithdrawn', 'hd-dg.coordinator', 'withdraw', {}],
    ];
    const times: string[] = [];

    beforeAll(async () => {
      for (const [, user, action, body] of STEPS) {
        t.advance(MINUTE);
        times.push(t.now().toISOString());
        if (action === null) caseId = (await api.file({ title: '审计轨迹' }, user)).id;
        else await api.must(user, caseId, action, Object.keys(body).length > 0 ? body : undefined);
      }
    });

    it('lists every event with its revision, position, type, data, metadata and hash chain', async () => {
      const response = await api.get('auditor', `/api/v1/cases/${caseId}/history`);
      expect(response.status).toBe(200);
      const events = response.body.events as { revision: number; position: number; type: string; data: Record<string, unknown>; metadata: Record<string, unknown>; prevHash: string | null; hash: string }[];
      expect(events.map((e) => e.type)).toEqual(STEPS.map(([type]) => type));
      expect(events.map((e) => e.revision)).toEqual(STEPS.map((_, i) => i));
      for (const [i, event] of events.entries()) {
        const [, user] = STEPS[i]!;
        const me = (await api.get(user, '/api/v1/me')).body;
        const { deadlines: _, ...envelope } = event.metadata;
        expect(envelope).toEqual({
          actorId: me.id,
          actorRole: me.roles[0],
          unitId: me.unitId,
          at: times[i],
          correlationId: expect.any(String),
          causationId: null,
        });
        expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(event.prevHash).toBe(i === 0 ? null : events[i - 1]!.hash);
        if (i > 0) expect(event.position).toBeGreaterThan(events[i - 1]!.position);
      }
      // The people the events name, by name and unit: everyone who acted on the case.
      const named = response.body.people as { id: string; username: string; displayName: string; unitId: string }[];
      const actors = [...new Set(STEPS.map(([, user]) => user))].sort();
      expect(named.map((person) => person.username).sort()).toEqual(actors);
      for (const person of named) {
        const me = (await api.get(person.username, '/api/v1/me')).body;
        expect(person).toEqual({ id: me.id, username: me.username, displayName: me.displayName, unitId: me.unitId });
      }
      // An event that sets a deadline records it as the policy made it then; a note sets none.
      expect(events[0]!.metadata.deadlines).toEqual([
        { clock: 'accept', startedAtRevision: 0, duration: { workingDays: 1 }, dueAt: expect.stringMatching(/\+08:00$/), warnAt: expect.any(String), onBreach: 'notify' },
      ]);
      expect(events[2]!.metadata.deadlines).toBeUndefined();
      expect(events[0]!.data).toMatchObject({ caseId, title: '审计轨迹', unitId: 'hd-dg-1', kind: 'dispute' });
      expect(events[2]!.data).toEqual({ noteType: 'visit', text: '上门走访' });
      expect(events[3]!.data).toMatchObject({ fromUnitId: 'hd-dg-1', toUnitId: 'hd-dg' });
      expect(events[9]!.data).toMatchObject({ satisfaction: 'unsatisfied' });
    });

    it('ties each event to the request that caused it: the server’s request id, and the client’s beside it', async () => {
      const filed = await api.file({ title: '关联标识' });
      const accepted = await api.post('hd-dg-1.coordinator', `/api/v1/cases/${filed.id}/accept`, {}, { 'X-Request-Id': 'req-accept-42' });
      const history = await api.get('auditor', `/api/v1/cases/${filed.id}/history`);
      expect(history.body.events[1].metadata).toMatchObject({ correlationId: accepted.headers['x-request-id'], clientRequestId: 'req-accept-42' });
    });

    it('shows the case as it stood right after revision n', async () => {
      const detail = await api.detail('auditor', caseId);
      const at = async (revision: number) => {
        const response = await api.get('auditor', `/api/v1/cases/${caseId}/state?revision=${revision}`);
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({ revision, at: times[revision] });
        expect(response.body.state).not.toHaveProperty('allowedActions');
        return response.body.state;
      };
      expect(await at(0)).toMatchObject({ status: 'filed', unitId: 'hd-dg-1', revision: 0, notes: [], updatedAt: times[0] });
      expect(await at(2)).toMatchObject({ status: 'in_coordination', unitId: 'hd-dg-1', notes: [{ type: 'note', text: '已受理' }, { type: 'visit', text: '上门走访' }] });
      expect(await at(3)).toMatchObject({ status: 'filed', unitId: 'hd-dg' });
      expect(await at(5)).toMatchObject({ status: 'awaiting_annotation', pendingAnnotation: { summary: '请领导批示' } });
      expect(await at(6)).toMatchObject({ status: 'in_coordination', annotations: [{ instruction: '请抓紧办理' }] });
      expect(await at(9)).toMatchObject({ status: 'in_coordination', resolution: null, feedback: [{ satisfaction: 'unsatisfied' }] });
      expect(await at(11)).toMatchObject({ status: 'closed' });
      const { allowedActions: _, ...now } = detail;
      expect(await at(STEPS.length - 1)).toEqual(now);
    });

    it('shows the case as of a time: every event recorded at or before it', async () => {
      const stateAt = (time: string) => api.get('auditor', `/api/v1/cases/${caseId}/state?at=${encodeURIComponent(time)}`);
      const exactly = await stateAt(times[4]!);
      expect(exactly.body).toMatchObject({ revision: 4, at: times[4], state: { status: 'in_coordination', unitId: 'hd-dg' } });
      const between = await stateAt(new Date(Date.parse(times[4]!) + 30_000).toISOString());
      expect(between.body.revision).toBe(4);
      // The same instant written with an offset.
      const withOffset = new Date(Date.parse(times[3]!) + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
      expect((await stateAt(withOffset)).body).toMatchObject({ revision: 3, state: { status: 'filed', unitId: 'hd-dg' } });
      const later = await stateAt('2030-01-01T00:00:00+08:00');
      expect(later.body.revision).toBe(STEPS.length - 1);
      expect(later.body.state.status).toBe('withdrawn');
    });

    it('answers 404 past the last revision or before filing, and 400 without exactly one of revision and at', async () => {
      expectError(await api.get('auditor', `/api/v1/cases/${caseId}/state?revision=${STEPS.length}`), 404, 'not_found');
      expectError(await api.get('auditor', `/api/v1/cases/${caseId}/state?at=${encodeURIComponent(new Date(Date.parse(times[0]!) - 1).toISOString())}`), 404, 'not_found');
      expectError(await api.get('auditor', `/api/v1/cases/${caseId}/state`), 400);
      expectError(await api.get('auditor', `/api/v1/cases/${caseId}/state?revision=1&at=${encodeURIComponent(times[1]!)}`), 400);
      expectFieldError(await api.get('auditor', `/api/v1/cases/${caseId}/state?revision=one`), 'revision');
      expectFieldError(await api.get('auditor', `/api/v1/cases/${caseId}/state?revision=-1`), 'revision');
      expectFieldError(await api.get('auditor', `/api/v1/cases/${caseId}/state?at=yesterday`), 'at');
      expectFieldError(await api.get('auditor', `/api/v1/cases/${caseId}/state?at=2026-11-02T09:00:00`), 'at');
    });

    it('verifies the hash chain: ok, the number of events and the head hash', async () => {
      const history = await api.get('auditor', `/api/v1/cases/${caseId}/history`);
      const verify = await api.get('auditor', `/api/v1/cases/${caseId}/verify`);
      expect(verify.status).toBe(200);
      expect(verify.body).toEqual({ ok: true, events: STEPS.length, headHash: history.body.events.at(-1).hash, problems: [], files: 0 });
      expect((await api.get('hd-dg-1.clerk', `/api/v1/cases/${caseId}/verify`)).body.ok).toBe(true);
    });
  });

  describe('verify after tampering', () => {
    /** Changes the events table behind the store's back, as someone with database access could. */
    const tamper = async (sql: string, params: unknown[]) => {
      const result = await behindTheStore(t.engine.pool, (client) => client.query(sql, params));
      expect(result.rowCount).toBe(1);
    };
    const verify = async (id: string) => (await api.get('auditor', `/api/v1/cases/${id}/verify`)).body;

    const fourEvents = async () => {
      const filed = await api.file({ title: '防篡改' });
      await api.must('hd-dg-1.coordinator', filed.id, 'accept');
      await api.must('hd-dg-1.coordinator', filed.id, 'notes', { type: 'note', text: '原始记录' });
      await api.must('hd-dg-1.coordinator', filed.id, 'resolve');
      expect(await verify(filed.id)).toMatchObject({ ok: true, events: 4 });
      return filed.id;
    };

    it('refuses a plain UPDATE of the events table', async () => {
      const id = await fourEvents();
      await expect(t.engine.pool.query("UPDATE events SET data = '{}' WHERE stream_id = $1", [`case-${id}`])).rejects.toThrow(/append-only/);
      expect((await verify(id)).ok).toBe(true);
    });

    it('finds the first altered event', async () => {
      const id = await fourEvents();
      const history = (await api.get('auditor', `/api/v1/cases/${id}/history`)).body.events;
      await tamper(`UPDATE events SET data = jsonb_set(data, '{text}', '"篡改后的记录"') WHERE stream_id = $1 AND revision = 2`, [`case-${id}`]);
      const tampered = (await api.get('auditor', `/api/v1/cases/${id}/history`)).body.events;
      expect(tampered[2].data.text).toBe('篡改后的记录');
      expect(await verify(id)).toMatchObject({ ok: false, events: 4, firstBrokenRevision: 2, headHash: history[1].hash });
    });

    it('finds an altered filing', async () => {
      const id = await fourEvents();
      await tamper(`UPDATE events SET data = jsonb_set(data, '{title}', '"改过的标题"') WHERE stream_id = $1 AND revision = 0`, [`case-${id}`]);
      expect(await verify(id)).toMatchObject({ ok: false, firstBrokenRevision: 0 });
    });

    it('finds a removed last event', async () => {
      const id = await fourEvents();
      await tamper('DELETE FROM events WHERE stream_id = $1 AND revision = 3', [`case-${id}`]);
      expect(await verify(id)).toMatchObject({ ok: false, events: 3, firstBrokenRevision: 3 });
    });

    it('finds a changed actor in the metadata', async () => {
      const id = await fourEvents();
      await tamper(`UPDATE events SET metadata = jsonb_set(metadata, '{actorId}', to_jsonb($2::text)) WHERE stream_id = $1 AND revision = 1`, [`case-${id}`, randomUUID()]);
      expect(await verify(id)).toMatchObject({ ok: false, firstBrokenRevision: 1 });
    });
  });
});
