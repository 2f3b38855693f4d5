import { describe, expect, it } from '@jest/globals';
import { ROLES, SYSTEM_ACTOR, type Actor, type Role } from '../actor.js';
import { runningClocks } from '../sla/clocks.js';
import { actors, by, caseFiled, caseIn, clocksIn, historyFor, OTHER_CASE_ID, user } from '../testing/fixtures.js';
import { given } from '../testing/scenario.js';
import { openTarget, validCommand } from '../testing/valid-commands.js';
import type { CaseAction } from './permissions.js';
import { CASE_STATUSES, initialState, type CaseState, type CaseStatus } from './state.js';
import type { FileCase } from './commands.js';
import type { CaseEvent } from './events.js';
import { CASE_LIMITS } from './vocabulary.js';
import { LimitReachedError } from '../errors.js';

/** API.md's table of actions, restated here so that the tests check the rules rather than copy them. */
const OPEN: CaseStatus[] = ['filed', 'in_coordination', 'awaiting_annotation', 'resolved'];
const API_TABLE: Record<CaseAction, { roles: Role[]; from: CaseStatus[]; to: CaseStatus | 'same' }> = {
  accept: { roles: ['coordinator'], from: ['filed'], to: 'in_coordination' },
  reject: { roles: ['coordinator'], from: ['filed'], to: 'rejected' },
  assign: { roles: ['coordinator'], from: ['in_coordination'], to: 'same' },
  notes: { roles: ['coordinator', 'clerk'], from: OPEN, to: 'same' },
  transfer: { roles: ['coordinator'], from: ['filed', 'in_coordination'], to: 'filed' },
  escalate: { roles: ['coordinator'], from: ['filed', 'in_coordination'], to: 'filed' },
  'request-annotation': { roles: ['coordinator'], from: ['in_coordination'], to: 'awaiting_annotation' },
  annotate: { roles: ['leader'], from: ['awaiting_annotation'], to: 'in_coordination' },
  resolve: { roles: ['coordinator'], from: ['in_coordination'], to: 'resolved' },
  feedback: { roles: ['coordinator'], from: ['resolved'], to: 'closed' },
  close: { roles: ['coordinator'], from: ['resolved'], to: 'closed' },
  reopen: { roles: ['coordinator'], from: ['closed'], to: 'in_coordination' },
  withdraw: { roles: ['coordinator', 'clerk'], from: OPEN, to: 'withdrawn' },
  merge: { roles: ['coordinator'], from: ['filed', 'in_coordination'], to: 'merged' },
  'extend-deadline': { roles: ['leader'], from: OPEN, to: 'same' },
};
const ACTIONS = Object.keys(API_TABLE) as CaseAction[];

/** Someone at `unitId` holding the role the action needs. */
const allowedAt = (action: CaseAction, unitId: string): Actor => user(`${unitId}.actor`, API_TABLE[action].roles[0]!, unitId);

describe('decide', () => {
  describe('every action from every state (API.md table)', () => {
    const cells = ACTIONS.flatMap((action) => CASE_STATUSES.map((status) => [action, status] as const));

    it.each(cells)('%s on a %s case', (action, status) => {
      const { from, to } = API_TABLE[action];
      const scenario = given(...historyFor(status)).when(validCommand(action, allowedAt(action, 'hd-dg'), caseIn(status)));
      if (from.includes(status)) {
        expect(scenario.thenState().status).toBe(to === 'same' ? status : to);
      } else {
        scenario.thenThrows('illegal_transition', /^cannot .+ a case that is /);
      }
    });
  });

  describe('every role for every action', () => {
    const cells = ACTIONS.flatMap((action) => ROLES.map((role) => [action, role] as const));

    it.each(cells)('%s by a %s', (action, role) => {
      const { from, roles } = API_TABLE[action];
      const status = from[0]!;
      const scenario = given(...historyFor(status)).when(validCommand(action, user('someone', role, 'hd-dg'), caseIn(status)));
      if (roles.includes(role)) {
        expect(scenario.thenState().status).not.toBe('none');
      } else {
        scenario.thenThrows('forbidden', new RegExp(`^role ${role} may not `));
      }
    });

    it.each(ACTIONS.filter((action) => action !== 'escalate'))('%s by the system actor is forbidden', (action) => {
      const status = API_TABLE[action].from[0]!;
      given(...historyFor(status))
        .when(validCommand(action, SYSTEM_ACTOR, caseIn(status)))
        .thenThrows('forbidden', /^role system may not/);
    });

    it('lets the system escalate, as it does when a resolution clock runs out', () => {
      given(...historyFor('in_coordination'))
        .when({ ...by(SYSTEM_ACTOR), type: 'EscalateCase', reason: '办理超时，自动上报' })
        .then([{ type: 'CaseEscalated', data: { fromUnitId: 'hd-dg', toUnitId: 'hd', reason: '办理超时，自动上报' } }]);
    });

    it('lets an actor act through any of their roles', () => {
      const coordinatorAndLeader = user('both', ['leader', 'coordinator'], 'hd-dg');
      expect(given(...historyFor('filed')).when(validCommand('accept', coordinatorAndLeader, caseIn('filed'))).thenState().status).toBe(
        'in_coordination',
      );
    });
  });

  describe('scope: the case must sit in the subtree of the actor’s unit', () => {
    const inScope = ['hd-dg', 'hd', 'sf'];
    const outOfScope = ['hd-dg-1', 'hd-ll', 'hx-xh-1'];
    const cells = ACTIONS.flatMap((action) => [...inScope, ...outOfScope].map((unitId) => [action, unitId] as const));

    it.each(cells)('%s on a case at hd-dg by someone at %s', (action, unitId) => {
      const status = API_TABLE[action].from[0]!;
      const scenario = given(...historyFor(status)).when(validCommand(action, allowedAt(action, unitId), caseIn(status)));
      if (inScope.includes(unitId)) {
        expect(scenario.thenState().status).not.toBe('none');
      } else {
        scenario.thenThrows('forbidden', /^this case is at 东关街道 \(hd-dg\), outside your scope: .+ and the units below it$/);
      }
    });
  });

  describe('a case that does not exist', () => {
    it.each(ACTIONS)('%s answers not_found', (action) => {
      const error = given()
        .when(validCommand(action, allowedAt(action, 'hd-dg'), caseIn('filed')))
        .thenThrows('not_found');
      expect(error).toMatchObject({ entity: 'case', id: caseIn('filed').id });
    });
  });

  describe('FileCase', () => {
    const filing: FileCase = {
      ...by(actors.hdDg1Clerk),
      type: 'FileCase',
      number: 'MY-2026-000001',
      kind: 'dispute',
      title: '楼上漏水纠纷',
      description: '住户反映楼上装修导致漏水，双方协商未果。',
      channel: 'walk_in',
      unitId: 'hd-dg-1',
      filer: { name: '张三', phone: '13800000000', anonymous: false },
    };

    it('records the filing, with defaults for what the filer left out', () => {
      given()
        .when(filing)
        .then([caseFiled('hd-dg-1', { parties: [] })]);
    });

    it('keeps what the filer gave', () => {
      const parties = [{ name: '李四', role: '楼上住户' }];
      const location = { address: '东关路1号', lat: 34.1, lng: 108.9 };
      given()
        .when({ ...filing, urgency: 'urgent', parties, occurredAt: '2026-03-01T20:00:00+08:00', location })
        .then([caseFiled('hd-dg-1', { urgency: 'urgent', parties, occurredAt: '2026-03-01T20:00:00+08:00', location })]);
    });

    it('files at a unit below the actor’s own', () => {
      given()
        .when({ ...filing, actor: actors.hdDgCoordinator, unitId: 'hd-dg-1-g1' })
        .then([caseFiled('hd-dg-1-g1', { parties: [] })]);
    });

    const nonFilers = [actors.cityLeader, actors.auditor, actors.admin, SYSTEM_ACTOR];
    it.each(nonFilers)('refuses $userId: filing takes a clerk or coordinator', (actor) => {
      given().when({ ...filing, actor }).thenThrows('forbidden', /may not file a case \(allowed for: clerk, coordinator, public\)/);
    });

    it('refuses a unit outside the actor’s scope', () => {
      given()
        .when({ ...filing, unitId: 'hx-xh-1' })
        .thenThrows('forbidden', /^the case would be filed at 湖滨社区 \(hx-xh-1\), outside your scope: 东关社区 \(hd-dg-1\)/);
    });

    it('refuses an unknown unit', () => {
      const error = given().when({ ...filing, unitId: 'nowhere' }).thenThrows('not_found');
      expect(error).toMatchObject({ entity: 'unit', id: 'nowhere' });
    });

    it('refuses to file a case twice', () => {
      given(caseFiled('hd-dg-1')).when(filing).thenThrows('illegal_transition', /has already been filed/);
    });

    it('needs a reason for a visit, and takes none for other kinds', () => {
      given().when({ ...filing, kind: 'visit' }).thenThrows('invalid', /needs the reason for the visit/);
      given().when({ ...filing, visitReason: 'hospital' }).thenThrows('invalid', /a dispute case takes no visit reason/);
      given()
        .when({ ...filing, kind: 'visit', visitReason: 'hospital' })
        .then([caseFiled('hd-dg-1', { kind: 'visit', visitReason: 'hospital', parties: [] })]);
    });

    it.each(['title', 'description'] as const)('refuses a blank %s', (field) => {
      const error = given().when({ ...filing, [field]: '  ' }).thenThrows('invalid', /must not be blank/);
      expect(error).toMatchObject({ field });
    });
  });

  describe('escalate', () => {
    it('sends a community case to its town, where it arrives as filed and unassigned', () => {
      const assigned = { type: 'CaseAssigned', data: { assigneeId: 'hd-dg-1.coordinator', assigneeUnitId: 'hd-dg-1' } } as const;
      const state = given(...historyFor('in_coordination', 'hd-dg-1'), assigned)
        .when({ ...by(actors.hdDg1Coordinator), type: 'EscalateCase', reason: '需街道协调' })
        .thenState();
      expect(state).toMatchObject({ status: 'filed', unitId: 'hd-dg', assigneeId: null, unitsVisited: ['hd-dg-1', 'hd-dg'] });
    });

    it('sends a grid case to its community', () => {
      given(caseFiled('hd-dg-1-g1'))
        .when({ ...by(actors.hdDg1Coordinator), type: 'EscalateCase', reason: '网格无法处理' })
        .then([{ type: 'CaseEscalated', data: { fromUnitId: 'hd-dg-1-g1', toUnitId: 'hd-dg-1', reason: '网格无法处理' } }]);
    });

    it('stops at the city', () => {
      given(caseFiled('sf'))
        .when({ ...by(actors.cityCoordinator), type: 'EscalateCase', reason: '再上报' })
        .thenThrows('illegal_transition', /^a case at the city level cannot be escalated further: 示范市 \(sf\) is the top of the org tree$/);
    });

    it('needs a reason', () => {
      given(caseFiled())
        .when({ ...by(actors.hdDgCoordinator), type: 'EscalateCase', reason: '' })
        .thenThrows('invalid', /reason must not be blank/);
    });
  });

  describe('transfer', () => {
    const transfer = (toUnitId: string) => ({ ...by(actors.hdDgCoordinator), type: 'TransferCase' as const, toUnitId, reason: '属地管辖' });

    it('moves the case to a sibling unit, where it arrives as filed', () => {
      given(...historyFor('in_coordination'))
        .when(transfer('hd-ll'))
        .then([{ type: 'CaseTransferred', data: { fromUnitId: 'hd-dg', toUnitId: 'hd-ll', reason: '属地管辖' } }]);
      expect(given(...historyFor('in_coordination')).when(transfer('hd-ll')).thenState()).toMatchObject({
        status: 'filed',
        unitId: 'hd-ll',
        unitsVisited: ['hd-dg', 'hd-ll'],
      });
    });

    it.each([
      ['a town under another county', 'hx-xh'],
      ['a unit at another level', 'hd-ll-1'],
      ['the parent', 'hd'],
    ])('refuses %s', (_case, toUnitId) => {
      given(caseFiled())
        .when(transfer(toUnitId))
        .thenThrows('illegal_transition', /only to another unit at the same level under the same parent/);
    });

    it('refuses the unit the case is at', () => {
      const error = given(caseFiled()).when(transfer('hd-dg')).thenThrows('invalid', /already at/);
      expect(error).toMatchObject({ field: 'toUnitId' });
    });

    it('refuses an unknown unit', () => {
      given(caseFiled()).when(transfer('nowhere')).thenThrows('not_found');
    });

    it('refuses a unit with no siblings at all', () => {
      given(caseFiled('hd-dg-1'))
        .when({ ...transfer('hd-ll-1'), actor: actors.hdDg1Coordinator })
        .thenThrows('illegal_transition', /no other unit sits at its level under the same parent/);
    });
  });

  describe('annotate', () => {
    const annotate = (assignToUnitId?: string) => ({
      ...by(actors.hdLeader),
      type: 'AnnotateCase' as const,
      instruction: '请东关社区牵头办理，限期回复',
      ...(assignToUnitId === undefined ? {} : { assignToUnitId }),
    });

    it('without a unit, sends the case back to coordination where it is', () => {
      given(...historyFor('awaiting_annotation'))
        .when(annotate())
        .then([{ type: 'CaseAnnotated', data: { instruction: '请东关社区牵头办理，限期回复', assignToUnitId: null, fromUnitId: 'hd-dg' } }]);
      expect(given(...historyFor('awaiting_annotation')).when(annotate()).thenState()).toMatchObject({
        status: 'in_coordination',
        unitId: 'hd-dg',
        supervised: false,
        pendingAnnotation: null,
      });
    });

    it('hands the case down to a unit in the leader’s subtree, under supervision', () => {
      expect(given(...historyFor('awaiting_annotation')).when(annotate('hd-dg-1')).thenState()).toMatchObject({
        status: 'in_coordination',
        unitId: 'hd-dg-1',
        supervised: true,
        unitsVisited: ['hd-dg', 'hd-dg-1'],
      });
    });

    it('refuses to hand the case to a unit outside the leader’s subtree', () => {
      given(...historyFor('awaiting_annotation'))
        .when(annotate('hx-xh-1'))
        .thenThrows('forbidden', /^the annotation would hand the case to 湖滨社区 \(hx-xh-1\), outside your scope: 河东区 \(hd\)/);
    });

    it('refuses an unknown unit', () => {
      given(...historyFor('awaiting_annotation')).when(annotate('nowhere')).thenThrows('not_found');
    });

    it('needs an instruction', () => {
      given(...historyFor('awaiting_annotation'))
        .when({ ...annotate(), instruction: ' ' })
        .thenThrows('invalid', /instruction must not be blank/);
    });
  });

  describe('assign', () => {
    const assignTo = (assignee: ReturnType<typeof user>, actor: Actor = actors.hdDgCoordinator) => ({
      ...by(actor),
      type: 'AssignCase' as const,
      assignee,
    });

    it('assigns a coordinator of the case’s unit', () => {
      given(...historyFor('in_coordination'))
        .when(assignTo(user('wang', 'coordinator', 'hd-dg')))
        .then([{ type: 'CaseAssigned', data: { assigneeId: 'wang', assigneeUnitId: 'hd-dg' } }]);
    });

    it('assigns a coordinator above the case, within the actor’s scope', () => {
      given(...historyFor('in_coordination'))
        .when(assignTo(actors.hdCoordinator, actors.cityCoordinator))
        .then([{ type: 'CaseAssigned', data: { assigneeId: 'hd.coordinator', assigneeUnitId: 'hd' } }]);
    });

    it('refuses someone who is not a coordinator', () => {
      const error = given(...historyFor('in_coordination'))
        .when(assignTo(user('zhao', 'clerk', 'hd-dg')))
        .thenThrows('invalid', /zhao is not a coordinator/);
      expect(error).toMatchObject({ field: 'assigneeId' });
    });

    it('refuses a coordinator outside the actor’s scope', () => {
      given(...historyFor('in_coordination'))
        .when(assignTo(actors.hdCoordinator))
        .thenThrows('forbidden', /^the assignee works at 河东区 \(hd\), outside your scope/);
    });

    it('refuses a coordinator who cannot act on the case', () => {
      const error = given(...historyFor('in_coordination'))
        .when(assignTo(actors.hdDg1Coordinator))
        .thenThrows('invalid', /works at 东关社区 \(hd-dg-1\) and cannot act on a case at 东关街道 \(hd-dg\)/);
      expect(error).toMatchObject({ field: 'assigneeId' });
    });
  });

  describe('notes', () => {
    const note = (noteType: 'contact' | 'visit' | 'mediation' | 'note', actor: Actor) => ({
      ...by(actor),
      type: 'AddNote' as const,
      noteType,
      text: '与当事人面谈',
    });

    it.each(OPEN)('are added to a %s case', (status) => {
      given(...historyFor(status, 'hd-dg-1'))
        .when(note('mediation', actors.hdDg1Coordinator))
        .then([{ type: 'NoteAdded', data: { noteType: 'mediation', text: '与当事人面谈' } }]);
    });

    it('from a clerk, may be contact notes', () => {
      given(caseFiled('hd-dg-1'))
        .when(note('contact', actors.hdDg1Clerk))
        .then([{ type: 'NoteAdded', data: { noteType: 'contact', text: '与当事人面谈' } }]);
    });

    it.each(['visit', 'mediation', 'note'] as const)('from a clerk, may not be %s notes', (noteType) => {
      given(caseFiled('hd-dg-1'))
        .when(note(noteType, actors.hdDg1Clerk))
        .thenThrows('forbidden', new RegExp(`a clerk may add contact notes only, not ${noteType} notes`));
    });

    it('from someone who is both clerk and coordinator, may be of any type', () => {
      given(caseFiled('hd-dg-1'))
        .when(note('visit', user('both', ['clerk', 'coordinator'], 'hd-dg-1')))
        .then([{ type: 'NoteAdded', data: { noteType: 'visit', text: '与当事人面谈' } }]);
    });

    it('need text', () => {
      given(caseFiled('hd-dg-1'))
        .when({ ...note('note', actors.hdDg1Coordinator), text: '' })
        .thenThrows('invalid', /text must not be blank/);
    });

    describe(`are capped at ${CASE_LIMITS.notes} a case`, () => {
      const notesAdded = (count: number): CaseEvent[] => Array.from({ length: count }, () => ({ type: 'NoteAdded', data: { noteType: 'contact', text: '已电话联系' } }));

      it(`takes the ${CASE_LIMITS.notes}th note`, () => {
        given(caseFiled('hd-dg-1'), ...notesAdded(CASE_LIMITS.notes - 1))
          .when(note('visit', actors.hdDg1Coordinator))
          .then([{ type: 'NoteAdded', data: { noteType: 'visit', text: '与当事人面谈' } }]);
      });

      it('refuses one more, saying the cap', () => {
        const error = given(caseFiled('hd-dg-1'), ...notesAdded(CASE_LIMITS.notes))
          .when(note('visit', actors.hdDg1Coordinator))
          .thenThrows('limit_reached', /case MY-2026-000001 already holds 2000 notes, the most a case may hold$/);
        expect(error).toBeInstanceOf(LimitReachedError);
        expect(error).toMatchObject({ limit: 'notes', max: 2000 });
      });

      it('counts a note made on acceptance: accepting with a note is refused at the cap, without one it is not', () => {
        const full = given(caseFiled('hd-dg-1'), ...notesAdded(CASE_LIMITS.notes));
        full.when({ ...by(actors.hdDg1Coordinator), type: 'AcceptCase', note: '已受理' }).thenThrows('limit_reached', /already holds 2000 notes.*accept it without a note/);
        full.when({ ...by(actors.hdDg1Coordinator), type: 'AcceptCase' }).then([{ type: 'CaseAccepted', data: { note: null } }]);
      });
    });
  });

  describe('feedback', () => {
    const feedback = (satisfaction: 'satisfied' | 'basically_satisfied' | 'unsatisfied') => ({
      ...by(actors.hdDgCoordinator),
      type: 'RecordFeedback' as const,
      satisfaction,
      comment: '回访意见',
    });

    it.each(['satisfied', 'basically_satisfied'] as const)('%s closes the case', (satisfaction) => {
      given(...historyFor('resolved'))
        .when(feedback(satisfaction))
        .then([{ type: 'FeedbackRecorded', data: { satisfaction, comment: '回访意见' } }]);
      expect(given(...historyFor('resolved')).when(feedback(satisfaction)).thenState().status).toBe('closed');
    });

    it('unsatisfied sends the case back to coordination at the same unit, to be redone', () => {
      expect(given(...historyFor('resolved')).when(feedback('unsatisfied')).thenState()).toMatchObject({
        status: 'in_coordination',
        unitId: 'hd-dg',
        resolution: null,
        feedback: [{ satisfaction: 'unsatisfied', comment: '回访意见' }],
      });
    });

    it('without a comment records null', () => {
      given(...historyFor('resolved'))
        .when({ ...by(actors.hdDgCoordinator), type: 'RecordFeedback', satisfaction: 'satisfied' })
        .then([{ type: 'FeedbackRecorded', data: { satisfaction: 'satisfied', comment: null } }]);
    });
  });

  describe('merge', () => {
    const merge = (target: CaseState = openTarget('hd-dg'), intoCaseId = OTHER_CASE_ID) => ({
      ...by(actors.hdDgCoordinator),
      type: 'MergeCase' as const,
      intoCaseId,
      target,
    });

    it('merges into an open case the actor can read', () => {
      given(caseFiled()).when(merge()).then([{ type: 'CaseMerged', data: { intoCaseId: OTHER_CASE_ID } }]);
      expect(given(caseFiled()).when(merge(openTarget('hd-dg-1'))).thenState()).toMatchObject({
        status: 'merged',
        mergedIntoCaseId: OTHER_CASE_ID,
      });
    });

    it('refuses to merge a case into itself', () => {
      const error = given(caseFiled()).when(merge(caseIn('filed'), caseIn('filed').id)).thenThrows('invalid', /into itself/);
      expect(error).toMatchObject({ field: 'intoCaseId' });
    });

    it('refuses a target that does not exist', () => {
      given(caseFiled()).when(merge(initialState)).thenThrows('not_found');
    });

    it('refuses a target the actor cannot read, as if it did not exist', () => {
      given(caseFiled()).when(merge(openTarget('hx-xh-1'))).thenThrows('not_found');
    });

    it.each(['closed', 'rejected', 'withdrawn', 'merged'] as const)('refuses a %s target', (status) => {
      const target = { ...caseIn(status), id: OTHER_CASE_ID, number: 'MY-2026-000002' };
      given(caseFiled())
        .when(merge(target))
        .thenThrows('illegal_transition', new RegExp(`MY-2026-000002 is ${status}; a case can be merged only into an open case`));
    });
  });

  describe('extend-deadline', () => {
    const extend = (workingDays: number) => ({
      ...by(actors.hdDgLeader),
      type: 'ExtendDeadline' as const,
      clock: 'resolve' as const,
      workingDays,
      reason: '涉及多个部门',
    });

    it('records the extension', () => {
      given(...historyFor('in_coordination'))
        .when(extend(5))
        .then([{ type: 'DeadlineExtended', data: { clock: 'resolve', workingDays: 5, reason: '涉及多个部门' } }]);
    });

    it.each([0, -2, 1.5, Number.NaN])('refuses %s working days', (workingDays) => {
      const error = given(...historyFor('in_coordination')).when(extend(workingDays)).thenThrows('invalid', /whole number of working days/);
      expect(error).toMatchObject({ field: 'workingDays' });
    });
  });

  describe('SLA warnings and breaches', () => {
    const alert = { clock: 'resolve' as const, dueAt: '2026-03-16T09:00:00+08:00', startedAtRevision: 1 };
    const types = ['RaiseSlaWarning', 'RecordSlaBreach'] as const;
    const cells = types.flatMap((type) => CASE_STATUSES.map((status) => [type, status] as const));
    /** An alert for the run the case has open, so that only its state decides (a case with none gets `alert`). */
    const alertIn = (status: CaseStatus) => {
      const run = runningClocks(clocksIn(status))[0];
      return run ? { clock: run.clock, dueAt: run.dueAt, startedAtRevision: run.startedAtRevision } : alert;
    };

    it.each(cells)('%s on a %s case', (type, status) => {
      const openAlert = alertIn(status);
      const scenario = given(...historyFor(status)).when({ ...by(SYSTEM_ACTOR), type, ...openAlert });
      if (OPEN.includes(status)) {
        scenario.then([{ type: type === 'RaiseSlaWarning' ? 'SlaWarningRaised' : 'SlaBreached', data: openAlert }]);
      } else {
        scenario.thenThrows('illegal_transition');
      }
    });

    it.each(['RaiseSlaWarning', 'RecordSlaBreach'] as const)('%s is the system’s alone', (type) => {
      given(...historyFor('in_coordination'))
        .when({ ...by(actors.cityCoordinator), type, ...alert })
        .thenThrows('forbidden', /allowed for: system/);
    });
  });

  it('leaves a terminal case alone, whoever asks', () => {
    for (const status of ['rejected', 'withdrawn', 'merged'] as const) {
      for (const action of ACTIONS) {
        given(...historyFor(status))
          .when(validCommand(action, allowedAt(action, 'sf'), caseIn(status)))
          .thenThrows('illegal_transition');
      }
    }
  });
});
