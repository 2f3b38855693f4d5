import { describe, expect, it } from '@jest/globals';
import { AT, caseFiled, caseIn, historyFor, testMeta, withMeta } from '../testing/fixtures.js';
import { CASE_EVENT_TYPES, type CaseEvent, type CaseEventMeta } from './events.js';
import { evolve, fold } from './evolve.js';
import { initialState, type ExistingCase } from './state.js';

const later: CaseEventMeta = { at: '2026-03-03T10:00:00+08:00', actorId: 'hd-dg.leader', actorRole: 'leader', unitId: 'hd-dg' };
const apply = (current: ExistingCase, event: CaseEvent, meta = later) => evolve(current, event, meta) as ExistingCase;

describe('evolve', () => {
  it('knows the 19 event types of API.md', () => {
    expect(CASE_EVENT_TYPES).toEqual([
      'CaseFiled',
      'CaseAccepted',
      'CaseRejected',
      'CaseAssigned',
      'NoteAdded',
      'CaseTransferred',
      'CaseEscalated',
      'AnnotationRequested',
      'CaseAnnotated',
      'CaseResolved',
      'FeedbackRecorded',
      'CaseReopened',
      'CaseClosed',
      'CaseWithdrawn',
      'CaseMerged',
      'DeadlineExtended',
      'SlaWarningRaised',
      'SlaBreached',
      'AttachmentAdded',
      'SuggestionAdopted',
    ]);
  });

  it('starts with no case', () => {
    expect(initialState).toEqual({ status: 'none' });
    expect(fold([])).toBe(initialState);
  });

  it('turns a filing into a filed case at the filing unit', () => {
    const filed = caseFiled('hd-dg-1');
    const { caseId, ...filing } = filed.data;
    expect(fold(withMeta([filed]))).toEqual({
      ...filing,
      id: caseId,
      status: 'filed',
      filedUnitId: 'hd-dg-1',
      assigneeId: null,
      notes: [],
      annotations: [],
      pendingAnnotation: null,
      supervised: false,
      resolution: null,
      feedback: [],
      mergedIntoCaseId: null,
      unitsVisited: ['hd-dg-1'],
      extensions: [],
      attachments: [],
      adoptions: [],
      publicAccess: null,
      createdAt: AT,
      updatedAt: AT,
    });
  });

  it('dates every change with the event’s time, keeping the filing time', () => {
    const after = apply(caseIn('filed'), { type: 'SlaWarningRaised', data: { clock: 'accept', dueAt: AT, startedAtRevision: 0 } });
    expect(after).toEqual({ ...caseIn('filed'), updatedAt: later.at });
    expect(after.createdAt).toBe(AT);
  });

  it('never changes the state it is given', () => {
    const before = caseIn('in_coordination');
    const snapshot = structuredClone(before);
    apply(before, { type: 'NoteAdded', data: { noteType: 'visit', text: '入户走访' } });
    apply(before, { type: 'CaseEscalated', data: { fromUnitId: 'hd-dg', toUnitId: 'hd', reason: '上报' } });
    expect(before).toEqual(snapshot);
  });

  it('records notes with who wrote them and when, including an acceptance note', () => {
    const accepted = apply(caseIn('filed'), { type: 'CaseAccepted', data: { note: '已受理，安排调解' } });
    const noted = apply(accepted, { type: 'NoteAdded', data: { noteType: 'mediation', text: '组织双方调解' } });
    expect(noted.notes).toEqual([
      { type: 'note', text: '已受理，安排调解', actorId: later.actorId, at: later.at },
      { type: 'mediation', text: '组织双方调解', actorId: later.actorId, at: later.at },
    ]);
    expect(apply(caseIn('filed'), { type: 'CaseAccepted', data: { note: null } }).notes).toEqual([]);
  });

  it('remembers every unit the case has been at, once each', () => {
    const moves: CaseEvent[] = [
      { type: 'CaseTransferred', data: { fromUnitId: 'hd-dg', toUnitId: 'hd-ll', reason: '属地' } },
      { type: 'CaseTransferred', data: { fromUnitId: 'hd-ll', toUnitId: 'hd-dg', reason: '退回' } },
      { type: 'CaseEscalated', data: { fromUnitId: 'hd-dg', toUnitId: 'hd', reason: '上报' } },
    ];
    const state = fold(withMeta(moves), caseIn('filed')) as ExistingCase;
    expect(state).toMatchObject({ unitId: 'hd', filedUnitId: 'hd-dg', unitsVisited: ['hd-dg', 'hd-ll', 'hd'] });
  });

  it('keeps the assignee when an annotation leaves the case where it is, and clears it when the case moves', () => {
    const assigned = fold(
      withMeta([
        ...historyFor('in_coordination'),
        { type: 'CaseAssigned', data: { assigneeId: 'wang', assigneeUnitId: 'hd-dg' } },
        { type: 'AnnotationRequested', data: { summary: '请批示' } },
      ]),
    ) as ExistingCase;
    expect(assigned.pendingAnnotation).toEqual({ summary: '请批示', requestedBy: testMeta.actorId, at: AT });
    const stay = apply(assigned, { type: 'CaseAnnotated', data: { instruction: '抓紧办', assignToUnitId: null, fromUnitId: 'hd-dg' } });
    const handDown = apply(assigned, {
      type: 'CaseAnnotated',
      data: { instruction: '社区办', assignToUnitId: 'hd-dg-1', fromUnitId: 'hd-dg' },
    });
    expect(stay).toMatchObject({ assigneeId: 'wang', supervised: false, pendingAnnotation: null });
    expect(stay.annotations).toEqual([{ instruction: '抓紧办', assignToUnitId: null, actorId: later.actorId, at: later.at }]);
    expect(handDown).toMatchObject({ assigneeId: null, supervised: true, unitId: 'hd-dg-1' });
  });

  it('clears the resolution when the case goes back to coordination', () => {
    const resolved = caseIn('resolved');
    expect(resolved.resolution).toEqual({ outcome: 'mediated', summary: '双方达成调解协议', at: AT });
    const closed = apply(resolved, { type: 'CaseClosed', data: { summary: '结案' } });
    expect(apply(closed, { type: 'CaseReopened', data: { reason: '问题复发' } })).toMatchObject({
      status: 'in_coordination',
      resolution: null,
    });
  });

  it('drops a pending annotation request when the case is withdrawn', () => {
    expect(apply(caseIn('awaiting_annotation'), { type: 'CaseWithdrawn', data: { reason: '撤回' } })).toMatchObject({
      status: 'withdrawn',
      pendingAnnotation: null,
    });
  });

  it('records deadline extensions', () => {
    const extended = apply(caseIn('in_coordination'), {
      type: 'DeadlineExtended',
      data: { clock: 'resolve', workingDays: 5, reason: '涉及多个部门' },
    });
    expect(extended.extensions).toEqual([{ clock: 'resolve', workingDays: 5, reason: '涉及多个部门', at: later.at }]);
  });

  it('refuses a stream that cannot be: an event before the filing, or a second filing', () => {
    expect(() => evolve(initialState, { type: 'CaseAccepted', data: { note: null } }, testMeta)).toThrow(
      'CaseAccepted comes before CaseFiled',
    );
    expect(() => evolve(caseIn('filed'), caseFiled(), testMeta)).toThrow('is filed twice');
  });
});
