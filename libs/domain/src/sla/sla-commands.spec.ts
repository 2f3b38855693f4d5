import { describe, expect, it } from '@jest/globals';
import { SYSTEM_ACTOR, type Actor } from '../actor.js';
import type { CaseCommand } from '../case/commands.js';
import type { CaseEvent, SlaAlert } from '../case/events.js';
import { ACTION_COMMAND_TYPES, allowedActions, CASE_ACTIONS } from '../case/permissions.js';
import { fold } from '../case/evolve.js';
import { actors, CASE_ID, caseFiled, org } from '../testing/fixtures.js';
import { given, givenTimed } from '../testing/scenario.js';
import { accepted, escalated, resolved, timed } from '../testing/timed-history.js';
import { caseClocks } from './clocks.js';
import { DEFAULT_SLA_POLICY } from './policy.js';

// A dispute filed on Monday 2 March 2026 09:00 and accepted at 15:00: its resolution run
// (revision 1) is due on 23 March at 15:00 and warns on 17 March at 21:00.
const FILED_AT = '2026-03-02T09:00:00+08:00';
const ACCEPTED_AT = '2026-03-02T15:00:00+08:00';
const RESOLVE_DUE = '2026-03-23T15:00:00+08:00';
const resolveAlert: SlaAlert = { clock: 'resolve', startedAtRevision: 1, dueAt: RESOLVE_DUE };
const inCoordination = (...more: (readonly [string, CaseEvent])[]) => timed([FILED_AT, caseFiled()], [ACCEPTED_AT, accepted], ...more);

function command(type: 'RaiseSlaWarning' | 'RecordSlaBreach' | 'EscalateOnBreach', at: string, alert: SlaAlert = resolveAlert, actor: Actor = SYSTEM_ACTOR): CaseCommand {
  return { type, caseId: CASE_ID, actor, at, ...alert };
}

function extend(at: string, clock: SlaAlert['clock'] = 'resolve', workingDays = 5): CaseCommand {
  return { type: 'ExtendDeadline', caseId: CASE_ID, actor: actors.hdDgLeader, at, clock, workingDays, reason: '涉及多个部门' };
}

describe('the SLA commands, checked against the clocks', () => {
  describe('RaiseSlaWarning', () => {
    it('given a running run, when the system warns, then the warning is recorded', () => {
      givenTimed(inCoordination())
        .when(command('RaiseSlaWarning', '2026-03-17T21:00:00+08:00'))
        .then([{ type: 'SlaWarningRaised', data: resolveAlert }]);
    });

    it('refuses a second warning for the same run', () => {
      givenTimed(inCoordination(['2026-03-17T21:00:00+08:00', { type: 'SlaWarningRaised', data: resolveAlert }]))
        .when(command('RaiseSlaWarning', '2026-03-17T21:00:05+08:00'))
        .thenThrows('illegal_transition', /resolve clock started at revision 1 has already been warned/);
    });

    it('refuses a warning once the run is breached', () => {
      givenTimed(inCoordination([RESOLVE_DUE, { type: 'SlaBreached', data: resolveAlert }]))
        .when(command('RaiseSlaWarning', RESOLVE_DUE))
        .thenThrows('illegal_transition', /has already been breached/);
    });

    it('refuses a warning for a run that has ended', () => {
      givenTimed(inCoordination(['2026-03-10T10:00:00+08:00', resolved]))
        .when(command('RaiseSlaWarning', '2026-03-17T21:00:00+08:00'))
        .thenThrows('illegal_transition', /is no longer running: it ended at 2026-03-10T10:00:00\+08:00 \(met\)/);
    });

    it('refuses a warning for a run that never was', () => {
      givenTimed(inCoordination())
        .when(command('RaiseSlaWarning', '2026-03-17T21:00:00+08:00', { ...resolveAlert, startedAtRevision: 7 }))
        .thenThrows('illegal_transition', /no resolve clock started at revision 7/);
    });

    it('refuses a timer set before an extension moved the deadline', () => {
      const extended: CaseEvent = { type: 'DeadlineExtended', data: { clock: 'resolve', workingDays: 5, reason: '涉及多个部门' } };
      givenTimed(inCoordination(['2026-03-10T10:00:00+08:00', extended]))
        .when(command('RaiseSlaWarning', '2026-03-17T21:00:00+08:00'))
        .thenThrows('illegal_transition', /is now due at 2026-03-30T15:00:00\+08:00, not at 2026-03-23T15:00:00\+08:00/);
    });

    it('matches the due time as an instant, whatever the offset it is written with', () => {
      const inUtc = { ...resolveAlert, dueAt: '2026-03-23T07:00:00Z' };
      givenTimed(inCoordination())
        .when(command('RaiseSlaWarning', '2026-03-17T21:00:00+08:00', inUtc))
        .then([{ type: 'SlaWarningRaised', data: inUtc }]);
    });

    it('is the system’s alone', () => {
      givenTimed(inCoordination())
        .when(command('RaiseSlaWarning', '2026-03-17T21:00:00+08:00', resolveAlert, actors.hdDgCoordinator))
        .thenThrows('forbidden', /allowed for: system/);
    });
  });

  describe('RecordSlaBreach', () => {
    it('given a running run, when the system records the breach, then it is recorded', () => {
      givenTimed(inCoordination()).when(command('RecordSlaBreach', RESOLVE_DUE)).then([{ type: 'SlaBreached', data: resolveAlert }]);
    });

    it('given a warned run, records the breach', () => {
      givenTimed(inCoordination(['2026-03-17T21:00:00+08:00', { type: 'SlaWarningRaised', data: resolveAlert }]))
        .when(command('RecordSlaBreach', RESOLVE_DUE))
        .then([{ type: 'SlaBreached', data: resolveAlert }]);
    });

    it('refuses a second breach of the same run', () => {
      givenTimed(inCoordination([RESOLVE_DUE, { type: 'SlaBreached', data: resolveAlert }]))
        .when(command('RecordSlaBreach', '2026-03-23T15:00:01+08:00'))
        .thenThrows('illegal_transition', /has already been breached/);
    });

    it('refuses a breach of a run that stopped when the case was escalated', () => {
      givenTimed(inCoordination(['2026-03-10T10:00:00+08:00', escalated('hd-dg', 'hd')]))
        .when(command('RecordSlaBreach', RESOLVE_DUE))
        .thenThrows('illegal_transition', /is no longer running: .*\(stopped\)/);
    });

    it('names the run of the unit it belongs to: an accept run restarted by escalation', () => {
      const history = timed([FILED_AT, caseFiled()], ['2026-03-02T10:00:00+08:00', escalated('hd-dg', 'hd')]);
      const firstRun: SlaAlert = { clock: 'accept', startedAtRevision: 0, dueAt: '2026-03-03T09:00:00+08:00' };
      const secondRun: SlaAlert = { clock: 'accept', startedAtRevision: 1, dueAt: '2026-03-03T10:00:00+08:00' };
      givenTimed(history).when(command('RecordSlaBreach', '2026-03-03T09:00:00+08:00', firstRun)).thenThrows('illegal_transition');
      givenTimed(history).when(command('RecordSlaBreach', '2026-03-03T10:00:00+08:00', secondRun)).then([{ type: 'SlaBreached', data: secondRun }]);
    });

    it('refuses a breach on a closed case, by its state', () => {
      givenTimed(inCoordination(['2026-03-10T10:00:00+08:00', resolved], ['2026-03-11T10:00:00+08:00', { type: 'CaseClosed', data: { summary: '结案' } }]))
        .when(command('RecordSlaBreach', '2026-03-13T10:00:00+08:00', { clock: 'callback', startedAtRevision: 2, dueAt: '2026-03-13T10:00:00+08:00' }))
        .thenThrows('illegal_transition', /cannot record an SLA breach on a case that is closed/);
    });

    it('is the system’s alone', () => {
      givenTimed(inCoordination()).when(command('RecordSlaBreach', RESOLVE_DUE, resolveAlert, actors.hdDgLeader)).thenThrows('forbidden');
    });
  });

  describe('EscalateOnBreach', () => {
    const breached: readonly [string, CaseEvent] = [RESOLVE_DUE, { type: 'SlaBreached', data: resolveAlert }];
    const escalateAt = '2026-03-23T15:00:05+08:00';
    const automatically = 'resolve clock breached (due 2026-03-23T15:00:00+08:00): escalated automatically';

    it('given a breached run still open, when the system escalates on it, then the case goes to the parent unit', () => {
      givenTimed(inCoordination(breached))
        .when(command('EscalateOnBreach', escalateAt))
        .then([{ type: 'CaseEscalated', data: { fromUnitId: 'hd-dg', toUnitId: 'hd', reason: automatically } }]);
    });

    it('names the due time in the reason as the alert carries it', () => {
      const inUtc = { ...resolveAlert, dueAt: '2026-03-23T07:00:00Z' };
      givenTimed(inCoordination(breached))
        .when(command('EscalateOnBreach', escalateAt, inUtc))
        .then([
          { type: 'CaseEscalated', data: { fromUnitId: 'hd-dg', toUnitId: 'hd', reason: 'resolve clock breached (due 2026-03-23T07:00:00Z): escalated automatically' } },
        ]);
    });

    it('refuses a run whose breach has not been recorded', () => {
      givenTimed(inCoordination())
        .when(command('EscalateOnBreach', escalateAt))
        .thenThrows('illegal_transition', /resolve clock started at revision 1 has not been breached/);
    });

    it('refuses a run met late since: the case was resolved, then sent back to coordination', () => {
      const unsatisfied: CaseEvent = { type: 'FeedbackRecorded', data: { satisfaction: 'unsatisfied', comment: null } };
      givenTimed(inCoordination(breached, ['2026-03-24T10:00:00+08:00', resolved], ['2026-03-25T10:00:00+08:00', unsatisfied]))
        .when(command('EscalateOnBreach', '2026-03-25T11:00:00+08:00'))
        .thenThrows('illegal_transition', /is no longer running: it ended at 2026-03-24T10:00:00\+08:00 \(breached\)/);
    });

    it('refuses a run extended since: the breach it names is no longer the deadline', () => {
      const extended: CaseEvent = { type: 'DeadlineExtended', data: { clock: 'resolve', workingDays: 5, reason: '涉及多个部门' } };
      givenTimed(inCoordination(breached, ['2026-03-23T15:00:01+08:00', extended]))
        .when(command('EscalateOnBreach', escalateAt))
        .thenThrows('illegal_transition', /is now due at 2026-03-30T15:00:00\+08:00, not at 2026-03-23T15:00:00\+08:00/);
    });

    it('refuses a case escalated since, by hand or by an earlier firing of the same job', () => {
      givenTimed(inCoordination(breached, ['2026-03-23T15:00:02+08:00', escalated('hd-dg', 'hd')]))
        .when(command('EscalateOnBreach', escalateAt))
        .thenThrows('illegal_transition', /resolve clock started at revision 1 is no longer running/);
    });

    it('refuses a case transferred since', () => {
      const transferred: CaseEvent = { type: 'CaseTransferred', data: { fromUnitId: 'hd-dg', toUnitId: 'hd-ll', reason: '属地管辖' } };
      givenTimed(inCoordination(breached, ['2026-03-23T15:00:02+08:00', transferred]))
        .when(command('EscalateOnBreach', escalateAt))
        .thenThrows('illegal_transition', /resolve clock started at revision 1 is no longer running/);
    });

    it('refuses a case resolved since, by its state', () => {
      givenTimed(inCoordination(breached, ['2026-03-23T15:00:02+08:00', resolved]))
        .when(command('EscalateOnBreach', escalateAt))
        .thenThrows('illegal_transition', /^cannot automatically escalate a case that is resolved; only one that is filed or in coordination$/);
    });

    it('stops at the city', () => {
      givenTimed(timed([FILED_AT, caseFiled('sf')], [ACCEPTED_AT, accepted], breached))
        .when(command('EscalateOnBreach', escalateAt))
        .thenThrows('illegal_transition', /cannot be escalated further: 示范市 \(sf\) is the top of the org tree/);
    });

    it.each([actors.hdDgCoordinator, actors.cityCoordinator, actors.hdDgLeader])('is the system’s alone, not $userId’s', (actor) => {
      givenTimed(inCoordination(breached))
        .when(command('EscalateOnBreach', escalateAt, resolveAlert, actor))
        .thenThrows('forbidden', /may not automatically escalate a case \(allowed for: system\)/);
    });

    it('is no action of the API, so never offered', () => {
      expect(CASE_ACTIONS.map((action) => ACTION_COMMAND_TYPES[action])).not.toContain('EscalateOnBreach');
    });
  });

  describe('ExtendDeadline', () => {
    it('given a running clock, when a leader extends it, then the extension is recorded', () => {
      givenTimed(inCoordination())
        .when(extend('2026-03-20T10:00:00+08:00'))
        .then([{ type: 'DeadlineExtended', data: { clock: 'resolve', workingDays: 5, reason: '涉及多个部门' } }]);
    });

    it('refuses a clock that is not running', () => {
      givenTimed(inCoordination())
        .when(extend('2026-03-03T10:00:00+08:00', 'annotate'))
        .thenThrows('illegal_transition', /no annotate clock is running on this case/);
    });

    it('refuses a deadline that has run out, breach recorded or not', () => {
      givenTimed(inCoordination([RESOLVE_DUE, { type: 'SlaBreached', data: resolveAlert }]))
        .when(extend('2026-03-23T16:00:00+08:00'))
        .thenThrows('illegal_transition', /the resolve deadline ran out at 2026-03-23T15:00:00\+08:00/);
      givenTimed(inCoordination()).when(extend(RESOLVE_DUE)).thenThrows('illegal_transition', /extended only before it runs out/);
    });

    it('checks the clocks after role and scope', () => {
      givenTimed(inCoordination())
        .when({ ...extend('2026-03-03T10:00:00+08:00', 'annotate'), actor: actors.hdDgCoordinator })
        .thenThrows('forbidden');
    });

    it('is offered to a leader only while some clock can be extended', () => {
      const running = inCoordination();
      expect(allowedActions(fold(running), actors.hdDgLeader, org, caseClocks(running, DEFAULT_SLA_POLICY))).toEqual(['extend-deadline']);
      const breached = inCoordination([RESOLVE_DUE, { type: 'SlaBreached', data: resolveAlert }]);
      expect(allowedActions(fold(breached), actors.hdDgLeader, org, caseClocks(breached, DEFAULT_SLA_POLICY))).toEqual([]);
      expect(allowedActions(fold(breached), actors.hdDgLeader, org)).toEqual(['extend-deadline']);
    });
  });

  it('checks the clocks always: a run the case’s events did not start is refused', () => {
    given(caseFiled(), accepted)
      .when(command('RecordSlaBreach', RESOLVE_DUE, { ...resolveAlert, startedAtRevision: 9 }))
      .thenThrows('illegal_transition', /no resolve clock started at revision 9/);
  });
});
