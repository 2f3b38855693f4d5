import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ACTION_BODIES, Api, expectError, expectFieldError, type CaseStatus } from './support/api.js';
import { useTestApp } from './support/test-app.js';

const COORDINATOR = 'hd-dg-1.coordinator';
const LEADER = 'hd-dg.leader';

describe('case actions: moves, rules and conflicts', () => {
  let api: Api;
  useTestApp((app) => {
    api = new Api(app);
  });

  /** Every action of API.md's table from a state it allows: who does it, with what, and the state it leads to. */
  const HAPPY: { action: string; from: CaseStatus; by: string; to: CaseStatus; event: string; unit?: string; body?: () => Promise<Record<string, unknown>> }[] = [
    { action: 'accept', from: 'filed', by: COORDINATOR, to: 'in_coordination', event: 'CaseAccepted' },
    { action: 'reject', from: 'filed', by: COORDINATOR, to: 'rejected', event: 'CaseRejected' },
    { action: 'assign', from: 'in_coordination', by: 'hd-dg.coordinator', to: 'in_coordination', event: 'CaseAssigned', body: async () => ({ assigneeId: await api.userId(COORDINATOR) }) },
    { action: 'notes', from: 'in_coordination', by: COORDINATOR, to: 'in_coordination', event: 'NoteAdded', body: async () => ({ type: 'mediation', text: '组织双方调解' }) },
    { action: 'transfer', from: 'filed', by: COORDINATOR, to: 'filed', event: 'CaseTransferred', unit: 'hd-dg-1-g1', body: async () => ({ toUnitId: 'hd-dg-1-g2', reason: '属第二网格' }) },
    { action: 'transfer', from: 'in_coordination', by: COORDINATOR, to: 'filed', event: 'CaseTransferred', unit: 'hd-dg-1-g1', body: async () => ({ toUnitId: 'hd-dg-1-g2', reason: '属第二网格' }) },
    { action: 'escalate', from: 'filed', by: COORDINATOR, to: 'filed', event: 'CaseEscalated' },
    { action: 'escalate', from: 'in_coordination', by: COORDINATOR, to: 'filed', event: 'CaseEscalated' },
    { action: 'request-annotation', from: 'in_coordination', by: COORDINATOR, to: 'awaiting_annotation', event: 'AnnotationRequested' },
    { action: 'annotate', from: 'awaiting_annotation', by: LEADER, to: 'in_coordination', event: 'CaseAnnotated' },
    { action: 'resolve', from: 'in_coordination', by: COORDINATOR, to: 'resolved', event: 'CaseResolved' },
    { action: 'feedback', from: 'resolved', by: COORDINATOR, to: 'closed', event: 'FeedbackRecorded' },
    { action: 'feedback', from: 'resolved', by: COORDINATOR, to: 'closed', event: 'FeedbackRecorded', body: async () => ({ satisfaction: 'basically_satisfied' }) },
    { action: 'feedback', from: 'resolved', by: COORDINATOR, to: 'in_coordination', event: 'FeedbackRecorded', body: async () => ({ satisfaction: 'unsatisfied', comment: '问题仍未解决' }) },
    { action: 'close', from: 'resolved', by: COORDINATOR, to: 'closed', event: 'CaseClosed' },
    { action: 'reopen', from: 'closed', by: COORDINATOR, to: 'in_coordination', event: 'CaseReopened' },
    { action: 'withdraw', from: 'filed', by: 'hd-dg-1.clerk', to: 'withdrawn', event: 'CaseWithdrawn' },
    { action: 'withdraw', from: 'in_coordination', by: COORDINATOR, to: 'withdrawn', event: 'CaseWithdrawn' },
    { action: 'withdraw', from: 'awaiting_annotation', by: COORDINATOR, to: 'withdrawn', event: 'CaseWithdrawn' },
    { action: 'withdraw', from: 'resolved', by: COORDINATOR, to: 'withdrawn', event: 'CaseWithdrawn' },
    { action: 'merge', from: 'filed', by: COORDINATOR, to: 'merged', event: 'CaseMerged', body: async () => ({ intoCaseId: (await api.file()).id }) },
    { action: 'merge', from: 'in_coordination', by: COORDINATOR, to: 'merged', event: 'CaseMerged', body: async () => ({ intoCaseId: (await api.caseIn('in_coordination')).id }) },
    { action: 'extend-deadline', from: 'in_coordination', by: LEADER, to: 'in_coordination', event: 'DeadlineExtended' },
    { action: 'extend-deadline', from: 'awaiting_annotation', by: 'city.leader', to: 'awaiting_annotation', event: 'DeadlineExtended' },
  ];

  it.each(HAPPY.map((row) => [row.action, row.from, row.to, row] as const))('%s: %s → %s, answered with { id, status, revision, position }', async (action, from, to, row) => {
    const before = await api.caseIn(from, row.unit);
    const body = row.body ? { ...(await row.body()), expectedRevision: before.revision } : { ...ACTION_BODIES[action], expectedRevision: before.revision };
    const response = await api.act(row.by, before.id, action, body);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: before.id, status: to, revision: before.revision + 1, position: expect.any(Number) });
    expect(response.body.position).toBeGreaterThan(before.position);

    // Read-your-writes: the detail shows the move at once, and the history ends with its event.
    expect(await api.detail(row.by, before.id)).toMatchObject({ status: to, revision: before.revision + 1 });
    const history = await api.get('auditor', `/api/v1/cases/${before.id}/history`);
    expect(history.body.events.at(-1)).toMatchObject({ type: row.event, revision: before.revision + 1, position: response.body.position });
  });

  /** For each action, states it may not start from. */
  const ILLEGAL: { action: string; from: CaseStatus; by: string; message: RegExp }[] = [
    { action: 'accept', from: 'in_coordination', by: COORDINATOR, message: /cannot accept a case that is in coordination/ },
    { action: 'accept', from: 'rejected', by: COORDINATOR, message: /cannot accept a case that is rejected/ },
    { action: 'reject', from: 'in_coordination', by: COORDINATOR, message: /cannot reject/ },
    { action: 'notes', from: 'closed', by: COORDINATOR, message: /cannot add a note to a case that is closed/ },
    { action: 'notes', from: 'withdrawn', by: COORDINATOR, message: /withdrawn/ },
    { action: 'escalate', from: 'resolved', by: COORDINATOR, message: /cannot escalate a case that is resolved/ },
    { action: 'request-annotation', from: 'filed', by: COORDINATOR, message: /only one that is in coordination/ },
    { action: 'annotate', from: 'in_coordination', by: LEADER, message: /cannot annotate a case that is in coordination/ },
    { action: 'resolve', from: 'filed', by: COORDINATOR, message: /cannot resolve a case that is filed/ },
    { action: 'resolve', from: 'awaiting_annotation', by: COORDINATOR, message: /awaiting annotation/ },
    { action: 'feedback', from: 'in_coordination', by: COORDINATOR, message: /cannot record feedback/ },
    { action: 'close', from: 'in_coordination', by: COORDINATOR, message: /cannot close a case that is in coordination/ },
    { action: 'reopen', from: 'resolved', by: COORDINATOR, message: /cannot reopen a case that is resolved; only one that is closed/ },
    { action: 'reopen', from: 'rejected', by: COORDINATOR, message: /cannot reopen/ },
    { action: 'withdraw', from: 'closed', by: COORDINATOR, message: /cannot withdraw a case that is closed/ },
    { action: 'withdraw', from: 'merged', by: COORDINATOR, message: /merged/ },
    { action: 'merge', from: 'resolved', by: COORDINATOR, message: /cannot merge/ },
    { action: 'extend-deadline', from: 'closed', by: LEADER, message: /cannot extend a deadline of a case that is closed/ },
    { action: 'assign', from: 'filed', by: COORDINATOR, message: /cannot assign a case that is filed/ },
  ];

  it.each(ILLEGAL.map((row) => [row.action, row.from, row] as const))('%s from %s: 409 illegal_transition saying why, nothing written', async (action, _from, row) => {
    const before = await api.caseIn(row.from);
    const body =
      action === 'merge' ? { intoCaseId: (await api.file()).id } : action === 'assign' ? { assigneeId: await api.userId(COORDINATOR) } : ACTION_BODIES[action];
    const response = await api.act(row.by, before.id, action, body);
    expectError(response, 409, 'illegal_transition');
    expect(response.body.message).toMatch(row.message);
    expect((await api.detail('auditor', before.id)).revision).toBe(before.revision);
  });

  describe('expectedRevision', () => {
    it('answers 409 revision_conflict with currentRevision when it is stale, and writes nothing', async () => {
      const filed = await api.file();
      await api.must(COORDINATOR, filed.id, 'accept', { expectedRevision: 0 });
      await api.must(COORDINATOR, filed.id, 'notes', { type: 'contact', text: '第一次联系', expectedRevision: 1 });

      for (const stale of [0, 1, 7]) {
        const response = await api.act(COORDINATOR, filed.id, 'notes', { type: 'contact', text: '过期的', expectedRevision: stale });
        expectError(response, 409, 'revision_conflict');
        expect(response.body.currentRevision).toBe(2);
      }
      const detail = await api.detail(COORDINATOR, filed.id);
      expect(detail.revision).toBe(2);
      expect(detail.notes).toEqual([expect.objectContaining({ type: 'contact', text: '第一次联系' })]);
      expect(await api.act(COORDINATOR, filed.id, 'notes', { type: 'contact', text: '最新的', expectedRevision: 2 })).toHaveProperty('status', 200);
    });

    it('lets exactly one of 10 concurrent commands with the same expectedRevision through; the rest get revision_conflict', async () => {
      const accepted = await api.caseIn('in_coordination');
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => api.act(COORDINATOR, accepted.id, 'notes', { type: 'note', text: `并发记录 ${i}`, expectedRevision: accepted.revision })),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([200, ...Array(9).fill(409)]);
      for (const conflict of responses.filter((r) => r.status === 409)) {
        expect(conflict.body).toMatchObject({ code: 'revision_conflict', currentRevision: accepted.revision + 1 });
      }
      const history = await api.get(COORDINATOR, `/api/v1/cases/${accepted.id}/history`);
      expect(history.body.events).toHaveLength(accepted.revision + 2);
    });

    it('applies every one of 10 concurrent commands that name no expectedRevision', async () => {
      const accepted = await api.caseIn('in_coordination');
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => api.act(COORDINATOR, accepted.id, 'notes', { type: 'note', text: `无版本并发记录 ${i}` })),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(new Set(responses.map((r) => r.body.revision)).size).toBe(10);
      const detail = await api.detail(COORDINATOR, accepted.id);
      expect(detail.revision).toBe(accepted.revision + 10);
    });

    it('treats a null expectedRevision as not given', async () => {
      const filed = await api.file();
      await api.must(COORDINATOR, filed.id, 'notes', { type: 'note', text: '先写一条' });
      const response = await api.act(COORDINATOR, filed.id, 'accept', { expectedRevision: null });
      expect(response.status).toBe(200);
      expect(response.body.revision).toBe(2);
    });

    it('answers 404, not a conflict, for an unknown case named with an expectedRevision', async () => {
      expectError(await api.act(COORDINATOR, randomUUID(), 'accept', { expectedRevision: 0 }), 404);
    });

    it('answers 400 to an expectedRevision that is not a whole number', async () => {
      const filed = await api.file();
      for (const expectedRevision of [-1, 1.5, 'one']) {
        expectFieldError(await api.act(COORDINATOR, filed.id, 'accept', { expectedRevision }), 'expectedRevision');
      }
    });
  });

  it.each(['accept', 'reject', 'notes', 'escalate', 'resolve', 'withdraw', 'annotate', 'extend-deadline'])('answers 404 for an unknown case on %s', async (action) => {
    const events = await api.eventCount();
    const by = action === 'annotate' || action === 'extend-deadline' ? LEADER : COORDINATOR;
    const response = await api.act(by, randomUUID(), action);
    expectError(response, 404);
    expect(await api.eventCount()).toBe(events);
    expectError(await api.act(by, 'not-a-uuid', action), 404);
  });

  it.each([
    ['reject', {}, 'reason'],
    ['reject', { reason: '   ' }, 'reason'],
    ['notes', { type: 'gossip', text: '闲谈' }, 'type'],
    ['notes', { type: 'note' }, 'text'],
    ['escalate', { reason: '需上级协调', urgent: true }, 'urgent'],
    ['resolve', { outcome: 'done', summary: '已解决' }, 'outcome'],
    ['transfer', { reason: '转办' }, 'toUnitId'],
    ['assign', {}, 'assigneeId'],
    ['merge', {}, 'intoCaseId'],
  ])('answers 400 naming the field when %s gets %j, and writes nothing', async (action, body, field) => {
    const filed = await api.caseIn(action === 'resolve' || action === 'assign' ? 'in_coordination' : 'filed');
    const events = await api.eventCount();
    expectFieldError(await api.act(COORDINATOR, filed.id, action, body), field);
    expect(await api.eventCount()).toBe(events);
  });

  describe('escalation', () => {
    it('walks the case up the tree, arriving as filed at each parent, and stops at the city with 409', async () => {
      const filed = await api.caseIn('in_coordination');
      const path: [string, string][] = [
        [COORDINATOR, 'hd-dg'],
        ['hd-dg.coordinator', 'hd'],
        ['hd.coordinator', 'sf'],
      ];
      for (const [by, parent] of path) {
        const moved = await api.must(by, filed.id, 'escalate');
        expect(moved.status).toBe('filed');
        expect(await api.detail(by, filed.id)).toMatchObject({ unitId: parent, filedUnitId: 'hd-dg-1', status: 'filed' });
      }
      const history = await api.get('auditor', `/api/v1/cases/${filed.id}/history`);
      expect((history.body.events as { type: string; data: Record<string, unknown> }[]).filter((e) => e.type === 'CaseEscalated').map((e) => [e.data.fromUnitId, e.data.toUnitId])).toEqual([
        ['hd-dg-1', 'hd-dg'],
        ['hd-dg', 'hd'],
        ['hd', 'sf'],
      ]);

      const top = await api.act('city.coordinator', filed.id, 'escalate');
      expectError(top, 409, 'illegal_transition');
      expect(top.body.message).toMatch(/cannot be escalated further/);
      expect((await api.detail('city.coordinator', filed.id)).unitId).toBe('sf');
    });

    it('takes the case out of the lower coordinator’s hands once it has moved up', async () => {
      const filed = await api.file();
      await api.must(COORDINATOR, filed.id, 'escalate');
      expectError(await api.act(COORDINATOR, filed.id, 'accept'), 403, 'forbidden');
      expect((await api.must('hd-dg.coordinator', filed.id, 'accept')).status).toBe('in_coordination');
    });
  });

  describe('transfer', () => {
    it('moves the case to a sibling unit, where it arrives as filed', async () => {
      const accepted = await api.caseIn('in_coordination', 'hd-dg-1-g1');
      await api.must(COORDINATOR, accepted.id, 'transfer', { toUnitId: 'hd-dg-1-g2', reason: '属第二网格' });
      expect(await api.detail(COORDINATOR, accepted.id)).toMatchObject({ unitId: 'hd-dg-1-g2', status: 'filed', filedUnitId: 'hd-dg-1-g1' });
    });

    it.each([
      ['a unit of another parent', 'hd-dg-1-g1', 'hx-xh-1-g1', 'city.coordinator'],
      ['the parent', 'hd-dg-1-g1', 'hd-dg-1', COORDINATOR],
      ['a unit at another level', 'hd-dg-1', 'hd-ll', 'hd.coordinator'],
      ['a cousin at the same level', 'hd-dg-1', 'hd-ll-1', 'hd.coordinator'],
    ])('answers 409 illegal_transition for %s', async (_, from, to, by) => {
      const filed = await api.file({ unitId: from });
      const response = await api.act(by, filed.id, 'transfer', { toUnitId: to, reason: '转办' });
      expectError(response, 409, 'illegal_transition');
      expect(response.body.message).toMatch(/same level|cannot be transferred/);
      expect((await api.detail(by, filed.id)).unitId).toBe(from);
    });

    it('answers 404 for an unknown unit and 400 for the unit the case is at', async () => {
      const filed = await api.file({ unitId: 'hd-dg-1-g1' });
      expectError(await api.act(COORDINATOR, filed.id, 'transfer', { toUnitId: 'hd-dg-1-g9', reason: '转办' }), 404);
      expectFieldError(await api.act(COORDINATOR, filed.id, 'transfer', { toUnitId: 'hd-dg-1-g1', reason: '转办' }), 'toUnitId');
    });
  });

  describe('annotation', () => {
    it('hands the case down to a named unit under supervision', async () => {
      const waiting = await api.caseIn('awaiting_annotation');
      expect(await api.detail(LEADER, waiting.id)).toMatchObject({ pendingAnnotation: { summary: '请领导批示' } });
      await api.must('hd.leader', waiting.id, 'annotate', { instruction: '请柳林村协助办理', assignToUnitId: 'hd-ll-1' });
      const detail = await api.detail('hd.leader', waiting.id);
      expect(detail).toMatchObject({
        status: 'in_coordination',
        unitId: 'hd-ll-1',
        supervised: true,
        pendingAnnotation: null,
        annotations: [{ instruction: '请柳林村协助办理', assignToUnitId: 'hd-ll-1', actorId: await api.userId('hd.leader') }],
      });
      // The community it left may still read it, but no longer act on it.
      expect((await api.detail(COORDINATOR, waiting.id)).allowedActions).toEqual([]);
      expectError(await api.act(COORDINATOR, waiting.id, 'resolve'), 403);
    });

    it('returns the case to coordination where it is when no unit is named', async () => {
      const waiting = await api.caseIn('awaiting_annotation');
      await api.must(LEADER, waiting.id, 'annotate', { instruction: '同意，抓紧办理' });
      expect(await api.detail(LEADER, waiting.id)).toMatchObject({ status: 'in_coordination', unitId: 'hd-dg-1', supervised: false, annotations: [{ instruction: '同意，抓紧办理', assignToUnitId: null }] });
    });

    it('treats a null assignToUnitId as no unit named', async () => {
      const waiting = await api.caseIn('awaiting_annotation');
      await api.must(LEADER, waiting.id, 'annotate', { instruction: '同意', assignToUnitId: null });
      expect(await api.detail(LEADER, waiting.id)).toMatchObject({ status: 'in_coordination', unitId: 'hd-dg-1', supervised: false });
    });

    it('refuses to hand the case to a unit outside the leader’s scope (403) or to an unknown unit (404)', async () => {
      const waiting = await api.caseIn('awaiting_annotation');
      expectError(await api.act(LEADER, waiting.id, 'annotate', { instruction: '交湖滨社区', assignToUnitId: 'hx-xh-1' }), 403, 'forbidden');
      expectError(await api.act(LEADER, waiting.id, 'annotate', { instruction: '交未知单位', assignToUnitId: 'nowhere' }), 404);
      expect((await api.detail(LEADER, waiting.id)).status).toBe('awaiting_annotation');
    });
  });

  describe('feedback, close and reopen', () => {
    it('sends an unsatisfied case back for redo, then closes it once the filer is satisfied', async () => {
      const resolved = await api.caseIn('resolved');
      expect((await api.detail(COORDINATOR, resolved.id)).resolution).toMatchObject({ outcome: 'mediated' });
      await api.must(COORDINATOR, resolved.id, 'feedback', { satisfaction: 'unsatisfied', comment: '问题仍在' });
      const redo = await api.detail(COORDINATOR, resolved.id);
      expect(redo).toMatchObject({ status: 'in_coordination', resolution: null, feedback: [{ satisfaction: 'unsatisfied', comment: '问题仍在' }] });

      await api.must(COORDINATOR, resolved.id, 'resolve', { outcome: 'resolved', summary: '再次处理完毕' });
      await api.must(COORDINATOR, resolved.id, 'feedback', { satisfaction: 'satisfied' });
      const closed = await api.detail(COORDINATOR, resolved.id);
      expect(closed).toMatchObject({ status: 'closed', resolution: { outcome: 'resolved' } });
      expect(closed.feedback).toHaveLength(2);
    });

    it('reopens a closed case into coordination, and it can be resolved again', async () => {
      const closed = await api.caseIn('closed');
      await api.must(COORDINATOR, closed.id, 'reopen', { reason: '当事人再次反映' });
      expect(await api.detail(COORDINATOR, closed.id)).toMatchObject({ status: 'in_coordination', resolution: null });
      expect((await api.must(COORDINATOR, closed.id, 'resolve')).status).toBe('resolved');
    });
  });

  describe('withdraw', () => {
    it('is final: nothing more may happen to a withdrawn case', async () => {
      const withdrawn = await api.caseIn('withdrawn');
      for (const action of ['accept', 'notes', 'reopen', 'escalate']) expectError(await api.act(COORDINATOR, withdrawn.id, action), 409, 'illegal_transition');
      expect((await api.detail(COORDINATOR, withdrawn.id)).allowedActions).toEqual([]);
    });
  });

  describe('merge', () => {
    it('merges a case into an open case, recording where it went', async () => {
      const target = await api.caseIn('in_coordination');
      const source = await api.file();
      await api.must(COORDINATOR, source.id, 'merge', { intoCaseId: target.id });
      expect(await api.detail(COORDINATOR, source.id)).toMatchObject({ status: 'merged', mergedIntoCaseId: target.id });
      expect((await api.detail(COORDINATOR, target.id)).status).toBe('in_coordination');
    });

    it.each(['closed', 'rejected', 'withdrawn', 'merged'] as const)('answers 409 when the target is %s', async (status) => {
      const target = await api.caseIn(status);
      const source = await api.file();
      const response = await api.act(COORDINATOR, source.id, 'merge', { intoCaseId: target.id });
      expectError(response, 409, 'illegal_transition');
      expect(response.body.message).toMatch(/only into an open case/);
      expect((await api.detail(COORDINATOR, source.id)).status).toBe('filed');
    });

    it('refuses to merge a case into itself (400), an unknown case or one the user cannot read (404)', async () => {
      const source = await api.file();
      expectFieldError(await api.act(COORDINATOR, source.id, 'merge', { intoCaseId: source.id }), 'intoCaseId');
      expectFieldError(await api.act(COORDINATOR, source.id, 'merge', { intoCaseId: source.id.toUpperCase() }), 'intoCaseId');
      expectError(await api.act(COORDINATOR, source.id, 'merge', { intoCaseId: randomUUID() }), 404);
      expectError(await api.act(COORDINATOR, source.id, 'merge', { intoCaseId: 'not-a-case' }), 404);
      const elsewhere = await api.file({ unitId: 'hx-xh-1' }, 'hx-xh-1.clerk');
      expectError(await api.act(COORDINATOR, source.id, 'merge', { intoCaseId: elsewhere.id }), 404);
      expect((await api.detail(COORDINATOR, source.id)).revision).toBe(0);
    });
  });

  describe('assign', () => {
    it('assigns a coordinator in scope who can act on the case', async () => {
      const accepted = await api.caseIn('in_coordination');
      const assignee = await api.userId(COORDINATOR);
      await api.must('hd.coordinator', accepted.id, 'assign', { assigneeId: assignee });
      expect((await api.detail(COORDINATOR, accepted.id)).assigneeId).toBe(assignee);
    });

    it('refuses a non-coordinator (400), a coordinator outside scope (403) and an unknown user (404)', async () => {
      const accepted = await api.caseIn('in_coordination');
      expectFieldError(await api.act(COORDINATOR, accepted.id, 'assign', { assigneeId: await api.userId('hd-dg-1.clerk') }), 'assigneeId');
      expectError(await api.act(COORDINATOR, accepted.id, 'assign', { assigneeId: await api.userId('hx-xh-1.coordinator') }), 403, 'forbidden');
      expectError(await api.act(COORDINATOR, accepted.id, 'assign', { assigneeId: await api.userId('hd-dg.coordinator') }), 403, 'forbidden');
      expectError(await api.act(COORDINATOR, accepted.id, 'assign', { assigneeId: randomUUID() }), 404);
      expect((await api.detail(COORDINATOR, accepted.id)).assigneeId).toBeNull();
    });
  });

  describe('notes', () => {
    it('lets a clerk add contact notes only; coordinators add every type', async () => {
      const accepted = await api.caseIn('in_coordination');
      await api.must('hd-dg-1.clerk', accepted.id, 'notes', { type: 'contact', text: '电话回访当事人' });
      expectError(await api.act('hd-dg-1.clerk', accepted.id, 'notes', { type: 'mediation', text: '调解' }), 403, 'forbidden');
      for (const type of ['visit', 'mediation', 'note']) await api.must(COORDINATOR, accepted.id, 'notes', { type, text: `${type} 记录` });
      const notes = (await api.detail(COORDINATOR, accepted.id)).notes as { type: string; text: string; actorId: string }[];
      expect(notes.map((n) => n.type)).toEqual(['note', 'contact', 'visit', 'mediation', 'note']);
      expect(notes[1]).toMatchObject({ text: '电话回访当事人', actorId: await api.userId('hd-dg-1.clerk') });
    });
  });

  describe('extend-deadline', () => {
    it('is a leader’s: it records the extension and leaves the status alone', async () => {
      const accepted = await api.caseIn('in_coordination');
      await api.must(LEADER, accepted.id, 'extend-deadline', { clock: 'resolve', workingDays: 5, reason: '案情复杂', expectedRevision: accepted.revision });
      expect(await api.detail(LEADER, accepted.id)).toMatchObject({ status: 'in_coordination', extensions: [{ clock: 'resolve', workingDays: 5, reason: '案情复杂' }] });
      for (const user of [COORDINATOR, 'hd-dg-1.clerk', 'auditor', 'admin']) expectError(await api.act(user, accepted.id, 'extend-deadline'), 403, 'forbidden');
    });

    it.each([
      [{ clock: 'lunch', workingDays: 5, reason: '理由' }, 'clock'],
      [{ clock: 'resolve', workingDays: 0, reason: '理由' }, 'workingDays'],
      [{ clock: 'resolve', workingDays: 2.5, reason: '理由' }, 'workingDays'],
      [{ clock: 'resolve', workingDays: 5 }, 'reason'],
    ])('answers 400 to %j naming %s', async (body, field) => {
      const accepted = await api.caseIn('in_coordination');
      expectFieldError(await api.act(LEADER, accepted.id, 'extend-deadline', body), field);
    });
  });
});
