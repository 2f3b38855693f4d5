import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CASE_LIMITS } from '#domain';
import { newEventId, type NewEvent } from '#event-store';
import { Api, MASKED_PHONE, PHONE, expectError, expectFieldError, type Filed } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

/** A history event as the API shows it (the fields these tests read). */
interface HistoryEvent {
  readonly revision: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

const COORDINATOR = 'hd-dg-1.coordinator';

/**
 * Per-case limits (API.md, "Per-case limits"): a case at its note cap refuses one more note, and
 * its history comes in pages. The case with the most notes is made fast by appending its notes
 * straight to the store, in batches, as the command path would have recorded them.
 */
describe('per-case limits', () => {
  let t: TestApp;
  let api: Api;
  /** Filed and accepted through the API; then 1,999 notes appended to the store. */
  let full: Filed;
  /** Its last revision once the API added the 2,000th note. */
  let lastRevision: number;

  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  /** Notes as a coordinator's commands record them, appended to the case's stream after `revision`. */
  async function appendNotes(caseId: string, revision: number, count: number): Promise<number> {
    const metadata = { actorId: await api.userId(COORDINATOR), actorRole: 'coordinator', unitId: 'hd-dg-1', at: t.now().toISOString(), correlationId: randomUUID(), causationId: null };
    const events: NewEvent[] = Array.from({ length: count }, (_, i) => ({
      id: newEventId(),
      type: 'NoteAdded',
      schemaVersion: 1,
      data: { noteType: 'contact', text: `第${revision + i}次电话联系` },
      metadata,
    }));
    const appended = await t.engine.store.appendToStream(`case-${caseId}`, events, { expectedRevision: revision });
    return appended.nextExpectedRevision;
  }

  beforeAll(async () => {
    full = await api.file({ title: '记录很多的案件' });
    let revision = (await api.must(COORDINATOR, full.id, 'accept', {})).revision;
    // 1,999 notes, in batches of 500 at most.
    for (let left = CASE_LIMITS.notes - 1; left > 0; left -= 500) revision = await appendNotes(full.id, revision, Math.min(500, left));
    lastRevision = revision;
  });

  describe(`notes: at most ${CASE_LIMITS.notes} a case`, () => {
    it('takes the 2,000th note, then refuses the next with 409 limit_reached, writing nothing', async () => {
      const last = await api.must(COORDINATOR, full.id, 'notes', { type: 'visit', text: '第2000条记录' });
      expect(last.revision).toBe(lastRevision + 1);
      lastRevision = last.revision;

      const refused = await api.act(COORDINATOR, full.id, 'notes', { type: 'visit', text: '第2001条记录' });
      expectError(refused, 409, 'limit_reached');
      expect(refused.body.message).toMatch(/already holds 2000 notes, the most a case may hold/);
      const withRevision = await api.act(COORDINATOR, full.id, 'notes', { type: 'note', text: '再试一次', expectedRevision: lastRevision });
      expectError(withRevision, 409, 'limit_reached');

      const detail = await api.detail(COORDINATOR, full.id);
      expect(detail.revision).toBe(lastRevision);
      expect(detail.notes).toHaveLength(CASE_LIMITS.notes);
      expect((await t.engine.store.streamHead(`case-${full.id}`))!.revision).toBe(lastRevision);
    });

    it('still takes every other move of a full case', async () => {
      const moved = await api.must(COORDINATOR, full.id, 'request-annotation', { summary: '请领导批示' });
      expect(moved).toMatchObject({ status: 'awaiting_annotation', revision: lastRevision + 1 });
      lastRevision = moved.revision;
    });

    it('keeps the read model whole: one row per note, the list showing all of them', async () => {
      await t.settle();
      const { rows } = await t.engine.pool.query<{ notes: number; noteCount: number }>(
        'SELECT (SELECT count(*)::int FROM case_notes WHERE case_id = $1) AS notes, (SELECT note_count FROM case_view WHERE id = $1) AS "noteCount"',
        [full.id],
      );
      expect(rows[0]).toEqual({ notes: CASE_LIMITS.notes, noteCount: CASE_LIMITS.notes });
      const { rows: seqs } = await t.engine.pool.query<{ seq: number; text: string }>(
        "SELECT seq, note->>'text' AS text FROM case_notes WHERE case_id = $1 AND seq IN (0, 1998, 1999) ORDER BY seq",
        [full.id],
      );
      expect(seqs).toEqual([
        { seq: 0, text: '第1次电话联系' },
        { seq: 1998, text: '第1999次电话联系' },
        { seq: 1999, text: '第2000条记录' },
      ]);
    });
  });

  describe('history: paged', () => {
    const history = (username: string, query = '') => api.get(username, `/api/v1/cases/${full.id}/history${query}`);

    it('answers the first 500 events by default, with the revision the next page starts at', async () => {
      const response = await history('auditor');
      expect(response.status).toBe(200);
      const events = response.body.events as HistoryEvent[];
      expect(events).toHaveLength(500);
      expect(events.map((event) => event.revision)).toEqual(Array.from({ length: 500 }, (_, i) => i));
      expect(response.body.nextRevision).toBe(500);
      expect(response.body.people.map((person: { username: string }) => person.username).sort()).toEqual(['hd-dg-1.clerk', COORDINATOR]);
    });

    it('walks every event exactly once by following nextRevision, the last page without one', async () => {
      const seen: number[] = [];
      let query = '?limit=333';
      let pages = 0;
      for (;;) {
        const response = await history('auditor', query);
        expect(response.status).toBe(200);
        const events = response.body.events as HistoryEvent[];
        expect(events.length).toBeLessThanOrEqual(333);
        seen.push(...events.map((event) => event.revision));
        pages += 1;
        if (response.body.nextRevision === undefined) break;
        expect(response.body.nextRevision).toBe(events.at(-1)!.revision + 1);
        query = `?limit=333&fromRevision=${response.body.nextRevision}`;
      }
      expect(seen).toEqual(Array.from({ length: lastRevision + 1 }, (_, i) => i));
      expect(pages).toBe(Math.ceil((lastRevision + 1) / 333));
    });

    it('ends a page that reaches the last event without nextRevision, and answers an empty page past the end', async () => {
      const tail = await history('auditor', `?fromRevision=${lastRevision - 1}&limit=2`);
      expect(tail.status).toBe(200);
      expect(tail.body.events.map((event: HistoryEvent) => event.revision)).toEqual([lastRevision - 1, lastRevision]);
      expect(tail.body).not.toHaveProperty('nextRevision');

      const past = await history('auditor', `?fromRevision=${lastRevision + 1}`);
      expect(past.status).toBe(200);
      expect(past.body).toEqual({ events: [], people: [] });
    });

    it('masks the filer’s phone on any page holding the filing, as the whole history did', async () => {
      const firstOf = async (username: string) => ((await history(username, '?fromRevision=0&limit=1')).body.events as HistoryEvent[])[0]!;
      expect((await firstOf('auditor')).data.filer).toMatchObject({ phone: MASKED_PHONE });
      expect((await firstOf(COORDINATOR)).data.filer).toMatchObject({ phone: PHONE });
      const middle = await history('auditor', '?fromRevision=700&limit=3');
      expect(middle.body.events.map((event: HistoryEvent) => event.type)).toEqual(['NoteAdded', 'NoteAdded', 'NoteAdded']);
      // The people a page names are those of its own events.
      expect(middle.body.people.map((person: { username: string }) => person.username)).toEqual([COORDINATOR]);
    });

    it.each([
      ['limit', '?limit=501'],
      ['limit', '?limit=0'],
      ['limit', '?limit=-5'],
      ['limit', '?limit=2.5'],
      ['limit', '?limit=many'],
      ['fromRevision', '?fromRevision=-1'],
      ['fromRevision', '?fromRevision=1.5'],
      ['fromRevision', '?fromRevision=first'],
    ])('refuses a bad %s (%s) with 400 naming it', async (field, query) => {
      expectFieldError(await history('auditor', query), field);
    });

    it('pages a short history too, and keeps the case’s read scope', async () => {
      const short = await api.file({ title: '记录很少的案件' });
      const response = await api.get('auditor', `/api/v1/cases/${short.id}/history?limit=500`);
      expect(response.status).toBe(200);
      expect(response.body.events.map((event: HistoryEvent) => event.type)).toEqual(['CaseFiled']);
      expect(response.body).not.toHaveProperty('nextRevision');
      expectError(await api.get('hx-xh-1.coordinator', `/api/v1/cases/${short.id}/history?limit=1`), 404);
    });
  });
});
