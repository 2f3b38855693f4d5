import { describe, expect, it } from '@jest/globals';
import { ROLES, SYSTEM_ACTOR, type Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import { actors, by, caseIn, clocksIn, org, user } from '../testing/fixtures.js';
import { thrownBy } from '../testing/scenario.js';
import { validCommand } from '../testing/valid-commands.js';
import { decide } from './decide.js';
import { ACTION_COMMAND_TYPES, CASE_ACTIONS, actingRole, allowedActions, assigneeUnitIds, canRead, eventMetaFor, type CaseAction } from './permissions.js';
import { CASE_STATUSES, initialState, type ExistingCase } from './state.js';

describe('allowedActions', () => {
  it.each<[string, Actor, ExistingCase, CaseAction[]]>([
    ['a clerk, on a filed case at their unit', actors.hdDg1Clerk, caseIn('filed', 'hd-dg-1'), ['notes', 'withdraw']],
    [
      'a coordinator, on a filed case at a town',
      actors.hdDgCoordinator,
      caseIn('filed', 'hd-dg'),
      ['accept', 'reject', 'notes', 'transfer', 'escalate', 'withdraw', 'merge'],
    ],
    [
      'a coordinator, on a case in coordination at a community with no sibling',
      actors.hdDg1Coordinator,
      caseIn('in_coordination', 'hd-dg-1'),
      ['assign', 'notes', 'escalate', 'request-annotation', 'resolve', 'withdraw', 'merge'],
    ],
    [
      'a coordinator, on a filed case at the city',
      actors.cityCoordinator,
      caseIn('filed', 'sf'),
      ['accept', 'reject', 'notes', 'withdraw', 'merge'],
    ],
    ['a coordinator, on a resolved case', actors.hdCoordinator, caseIn('resolved'), ['notes', 'feedback', 'close', 'withdraw']],
    ['a coordinator, on a closed case', actors.hdCoordinator, caseIn('closed'), ['reopen']],
    ['a leader, on a case awaiting annotation', actors.cityLeader, caseIn('awaiting_annotation'), ['annotate', 'extend-deadline']],
    ['a leader, on a case in coordination', actors.hdDgLeader, caseIn('in_coordination'), ['extend-deadline']],
    ['a coordinator, on a case outside their scope', actors.hxXh1Coordinator, caseIn('filed'), []],
    ['a coordinator below the case’s unit', actors.hdDg1Coordinator, caseIn('filed', 'hd-dg'), []],
    ['an auditor', actors.auditor, caseIn('in_coordination'), []],
    ['an admin', actors.admin, caseIn('in_coordination'), []],
    ['the system', SYSTEM_ACTOR, caseIn('in_coordination'), ['escalate']],
  ])('for %s', (_case, actor, current, expected) => {
    expect(allowedActions(current, actor, org)).toEqual(expected);
  });

  it('is empty before the case is filed', () => {
    expect(allowedActions(initialState, actors.cityCoordinator, org)).toEqual([]);
  });

  it.each(['rejected', 'withdrawn', 'merged'] as const)('is empty for a %s case, whoever asks', (status) => {
    expect(allowedActions(caseIn(status), user('everyone', ROLES, 'sf'), org)).toEqual([]);
  });

  describe('agrees with decide for every state, actor and action', () => {
    const everyone: Actor[] = [
      ...ROLES.map((role) => user(`hd-dg.${role}`, role, 'hd-dg')),
      actors.cityLeader,
      actors.hdDg1Coordinator,
      actors.hxXh1Coordinator,
      SYSTEM_ACTOR,
    ];
    const cases = CASE_STATUSES.flatMap((status) => ['hd-dg', 'hd-dg-1', 'sf'].map((unitId) => caseIn(status, unitId)));

    it.each(cases.map((current) => [current.status, current.unitId, current] as const))('%s at %s', (_status, _unitId, current) => {
      for (const actor of everyone) {
        const allowed = allowedActions(current, actor, org);
        for (const action of CASE_ACTIONS) {
          const refusal = refusalOf(() => decide(validCommand(action, actor, current), current, { org, clocks: clocksIn(current.status, current.unitId) }));
          expect({ actor: actor.userId, action, allowed: allowed.includes(action) }).toEqual({
            actor: actor.userId,
            action,
            allowed: refusal === null,
          });
        }
      }
    });
  });
});

describe('ACTION_COMMAND_TYPES', () => {
  it('maps the 15 actions of API.md to their commands', () => {
    expect(CASE_ACTIONS).toEqual([
      'accept',
      'reject',
      'assign',
      'notes',
      'transfer',
      'escalate',
      'request-annotation',
      'annotate',
      'resolve',
      'feedback',
      'close',
      'reopen',
      'withdraw',
      'merge',
      'extend-deadline',
    ]);
    expect(ACTION_COMMAND_TYPES['request-annotation']).toBe('RequestAnnotation');
    expect(ACTION_COMMAND_TYPES.notes).toBe('AddNote');
  });
});

describe('canRead', () => {
  const travelled = { ...caseIn('in_coordination', 'hd-dg-1'), unitId: 'hd', unitsVisited: ['hd-dg-1', 'hd-dg', 'hd'] };

  it.each<[string, Actor, boolean]>([
    ['the clerk where it was filed', actors.hdDg1Clerk, true],
    ['a coordinator of a unit it passed through', actors.hdDgCoordinator, true],
    ['a coordinator of its current unit', actors.hdCoordinator, true],
    ['an auditor at the city', actors.auditor, true],
    ['a coordinator of another branch', actors.hxXh1Coordinator, false],
    ['someone at a grid below every unit it visited', user('grid', 'clerk', 'hd-dg-1-g1'), false],
    ['the system', SYSTEM_ACTOR, true],
  ])('lets %s read it: %s', (_case, actor, expected) => {
    expect(canRead(travelled, actor, org)).toBe(expected);
  });

  it('is false before the case is filed', () => {
    expect(canRead(initialState, actors.auditor, org)).toBe(false);
  });
});

describe('actingRole and eventMetaFor', () => {
  it('records the role the actor acts in, with the command’s time and the actor’s unit', () => {
    const command = validCommand('annotate', actors.cityLeader, caseIn('awaiting_annotation'));
    expect(eventMetaFor(command)).toEqual({ at: command.at, actorId: 'city.leader', actorRole: 'leader', unitId: 'sf' });
    expect(eventMetaFor({ ...by(SYSTEM_ACTOR), type: 'EscalateCase', reason: '超时' })).toMatchObject({
      actorRole: 'system',
      unitId: null,
    });
  });

  it('prefers the coordinator role for someone who is also a clerk', () => {
    expect(actingRole('AddNote', user('both', ['clerk', 'coordinator'], 'hd-dg'))).toBe('coordinator');
    expect(actingRole('AddNote', actors.hdDg1Clerk)).toBe('clerk');
    expect(actingRole('AnnotateCase', actors.hdDg1Clerk)).toBeNull();
  });

  it('refuses a command none of the actor’s roles allows, naming them', () => {
    const auditor = thrownBy(() => eventMetaFor(validCommand('accept', actors.auditor, caseIn('filed'))));
    expect(auditor).toMatchObject({ code: 'forbidden', message: 'role auditor may not accept a case (allowed for: coordinator)' });
    const clerkAuditor = user('two', ['clerk', 'auditor'], 'sf');
    const twoRoles = thrownBy(() => eventMetaFor(validCommand('annotate', clerkAuditor, caseIn('filed'))));
    expect(twoRoles).toMatchObject({ code: 'forbidden', message: 'roles clerk, auditor may not annotate a case (allowed for: leader)' });
  });
});

function refusalOf(run: () => unknown): DomainError | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

describe('assigneeUnitIds', () => {
  it('names the case’s unit and those above it, nearest first, as far as the actor’s scope reaches', () => {
    expect(assigneeUnitIds('hd-dg-1', actors.cityCoordinator, org)).toEqual(['hd-dg-1', 'hd-dg', 'hd', 'sf']);
    expect(assigneeUnitIds('hd-dg-1', actors.hdCoordinator, org)).toEqual(['hd-dg-1', 'hd-dg', 'hd']);
    expect(assigneeUnitIds('hd-dg-1', actors.hdDg1Coordinator, org)).toEqual(['hd-dg-1']);
    expect(assigneeUnitIds('hd-dg-1', actors.hxXh1Coordinator, org)).toEqual([]);
  });

  it('agrees with decide: a coordinator may be assigned exactly when they work at one of these units', () => {
    const coordinators = [actors.cityCoordinator, actors.hdCoordinator, actors.hdDgCoordinator, actors.hdDg1Coordinator, actors.hxXh1Coordinator];
    let checked = 0;
    for (const caseUnit of org.units()) {
      const state = caseIn('in_coordination', caseUnit.id);
      const clocks = clocksIn('in_coordination', caseUnit.id);
      for (const actor of coordinators) {
        if (!allowedActions(state, actor, org).includes('assign')) continue;
        const named = assigneeUnitIds(caseUnit.id, actor, org);
        for (const assigneeUnit of org.units()) {
          const assignee = user(`c-${assigneeUnit.id}`, 'coordinator', assigneeUnit.id);
          const accepted = refusalOf(() => decide({ ...by(actor), type: 'AssignCase', assignee }, state, { org, clocks })) === null;
          expect({ caseUnit: caseUnit.id, actor: actor.userId, assigneeUnit: assigneeUnit.id, accepted }).toEqual({
            caseUnit: caseUnit.id,
            actor: actor.userId,
            assigneeUnit: assigneeUnit.id,
            accepted: named.includes(assigneeUnit.id),
          });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
