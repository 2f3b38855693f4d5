import { describe, expect, it } from '@jest/globals';
import type { CaseEvent } from '../case/events.js';
import { caseFiled } from '../testing/fixtures.js';
import { accepted, escalated, resolved, timed } from '../testing/timed-history.js';
import { caseClocks, currentDeadlines, foldClocks, isOverdue, NO_CLOCKS, pendingSlaTimers, runningClocks, withDeadlines, type Clock } from './clocks.js';
import { DEFAULT_SLA_POLICY, parseSlaPolicy } from './policy.js';

// Monday 2 March 2026, Shanghai. The fixture case is a dispute filed at hd-dg.
const MON_0900 = '2026-03-02T09:00:00+08:00';
const MON_1500 = '2026-03-02T15:00:00+08:00';
const filed = caseFiled();

const clocksOf = (...steps: (readonly [string, CaseEvent])[]) => caseClocks(timed(...steps), DEFAULT_SLA_POLICY);
/** The runs of one clock, reduced to what a test reads. */
const runsOf = (clocks: readonly Clock[], clock: Clock['clock']) =>
  clocks.filter((run) => run.clock === clock).map(({ startedAtRevision, dueAt, state, stoppedAt }) => ({ startedAtRevision, dueAt, state, stoppedAt }));

describe('SLA clocks', () => {
  describe('accept', () => {
    it('given a filing, runs one working day at the filing unit, warning at 75 %', () => {
      expect(clocksOf([MON_0900, filed])).toEqual([
        {
          clock: 'accept',
          startedAt: MON_0900,
          startedAtRevision: 0,
          duration: { workingDays: 1 },
          extendedWorkingDays: 0,
          dueAt: '2026-03-03T09:00:00+08:00',
          warnAt: '2026-03-03T03:00:00+08:00',
          state: 'running',
          stoppedAt: null,
          onBreach: 'notify',
        },
      ]);
    });

    it('is met when the case is accepted in time', () => {
      expect(runsOf(clocksOf([MON_0900, filed], [MON_1500, accepted]), 'accept')).toEqual([
        { startedAtRevision: 0, dueAt: '2026-03-03T09:00:00+08:00', state: 'met', stoppedAt: MON_1500 },
      ]);
    });

    it('is breached when the case is accepted late, even if no timer fired', () => {
      const late = '2026-03-03T09:00:00+08:00';
      expect(runsOf(clocksOf([MON_0900, filed], [late, accepted]), 'accept')).toMatchObject([{ state: 'breached', stoppedAt: late }]);
    });

    it.each<[string, CaseEvent]>([
      ['rejected', { type: 'CaseRejected', data: { reason: '不属于受理范围' } }],
      ['withdrawn', { type: 'CaseWithdrawn', data: { reason: '当事人撤回' } }],
      ['merged', { type: 'CaseMerged', data: { intoCaseId: 'other' } }],
    ])('stops when the case is %s', (_how, event) => {
      expect(clocksOf([MON_0900, filed], [MON_1500, event])).toMatchObject([{ clock: 'accept', state: 'stopped', stoppedAt: MON_1500 }]);
    });

    it('restarts at the next unit when the case is escalated: a new run known by its revision', () => {
      const clocks = clocksOf([MON_0900, filed], ['2026-03-02T11:00:00+08:00', escalated('hd-dg', 'hd')]);
      expect(runsOf(clocks, 'accept')).toEqual([
        { startedAtRevision: 0, dueAt: '2026-03-03T09:00:00+08:00', state: 'stopped', stoppedAt: '2026-03-02T11:00:00+08:00' },
        { startedAtRevision: 1, dueAt: '2026-03-03T11:00:00+08:00', state: 'running', stoppedAt: null },
      ]);
    });

    it('restarts at the sibling unit when the case is transferred', () => {
      const transferred: CaseEvent = { type: 'CaseTransferred', data: { fromUnitId: 'hd-dg', toUnitId: 'hd-ll', reason: '属地管辖' } };
      const clocks = clocksOf([MON_0900, filed], [MON_1500, transferred]);
      expect(runsOf(clocks, 'accept').map(({ startedAtRevision, state }) => [startedAtRevision, state])).toEqual([
        [0, 'stopped'],
        [1, 'running'],
      ]);
    });
  });

  describe('resolve', () => {
    it('given an acceptance, runs the kind’s working days: 15 for a dispute, escalating on breach', () => {
      const [, resolve] = clocksOf([MON_0900, filed], [MON_1500, accepted]);
      expect(resolve).toMatchObject({
        clock: 'resolve',
        startedAtRevision: 1,
        duration: { workingDays: 15 },
        dueAt: '2026-03-23T15:00:00+08:00',
        // 11.25 working days: 11 days, then 6 hours.
        warnAt: '2026-03-17T21:00:00+08:00',
        state: 'running',
        onBreach: 'escalate',
      });
    });

    it.each([
      ['risk', '2026-03-03T15:00:00+08:00'],
      ['visit', '2026-03-11T15:00:00+08:00'],
      ['suggestion', '2026-04-14T15:00:00+08:00'], // 30 working days, past Qingming (4 to 6 April)
    ] as const)('runs a %s case’s own length', (kind, dueAt) => {
      const reasonFor = kind === 'visit' ? { visitReason: 'hospital' as const } : {};
      const clocks = clocksOf([MON_0900, caseFiled('hd-dg', { kind, ...reasonFor })], [MON_1500, accepted]);
      expect(runsOf(clocks, 'resolve')).toMatchObject([{ dueAt }]);
    });

    it('is met at the resolution, which starts the callback clock', () => {
      const at = '2026-03-10T10:00:00+08:00';
      const clocks = clocksOf([MON_0900, filed], [MON_1500, accepted], [at, resolved]);
      expect(runsOf(clocks, 'resolve')).toMatchObject([{ state: 'met', stoppedAt: at }]);
      expect(runsOf(clocks, 'callback')).toEqual([{ startedAtRevision: 2, dueAt: '2026-03-13T10:00:00+08:00', state: 'running', stoppedAt: null }]);
    });

    it('stops when the case is escalated, and the parent’s run starts when it accepts', () => {
      const clocks = clocksOf(
        [MON_0900, filed],
        [MON_1500, accepted],
        ['2026-03-04T10:00:00+08:00', escalated('hd-dg', 'hd')],
        ['2026-03-04T16:00:00+08:00', accepted],
      );
      expect(runsOf(clocks, 'resolve')).toEqual([
        { startedAtRevision: 1, dueAt: '2026-03-23T15:00:00+08:00', state: 'stopped', stoppedAt: '2026-03-04T10:00:00+08:00' },
        { startedAtRevision: 3, dueAt: '2026-03-25T16:00:00+08:00', state: 'running', stoppedAt: null },
      ]);
      expect(runsOf(clocks, 'accept').map((run) => run.state)).toEqual(['met', 'met']);
    });

    it('starts a new run for the redo after unsatisfied feedback; the callback was made', () => {
      const clocks = clocksOf(
        [MON_0900, filed],
        [MON_1500, accepted],
        ['2026-03-10T10:00:00+08:00', resolved],
        ['2026-03-11T10:00:00+08:00', { type: 'FeedbackRecorded', data: { satisfaction: 'unsatisfied', comment: '问题未解决' } }],
      );
      expect(runsOf(clocks, 'callback')).toMatchObject([{ state: 'met', stoppedAt: '2026-03-11T10:00:00+08:00' }]);
      expect(runsOf(clocks, 'resolve')).toEqual([
        { startedAtRevision: 1, dueAt: '2026-03-23T15:00:00+08:00', state: 'met', stoppedAt: '2026-03-10T10:00:00+08:00' },
        { startedAtRevision: 3, dueAt: '2026-04-01T10:00:00+08:00', state: 'running', stoppedAt: null },
      ]);
    });

    it('starts a new run when a closed case is reopened', () => {
      const clocks = clocksOf(
        [MON_0900, filed],
        [MON_1500, accepted],
        ['2026-03-10T10:00:00+08:00', resolved],
        ['2026-03-11T10:00:00+08:00', { type: 'CaseClosed', data: { summary: '已回访，结案' } }],
        ['2026-03-20T10:00:00+08:00', { type: 'CaseReopened', data: { reason: '问题复发' } }],
      );
      expect(runsOf(clocks, 'callback')).toMatchObject([{ state: 'met', stoppedAt: '2026-03-11T10:00:00+08:00' }]);
      expect(runsOf(clocks, 'resolve').map(({ startedAtRevision, state }) => [startedAtRevision, state])).toEqual([
        [1, 'met'],
        [4, 'running'],
      ]);
    });
  });

  describe('annotate', () => {
    const requested: CaseEvent = { type: 'AnnotationRequested', data: { summary: '请领导批示' } };
    const annotated = (assignToUnitId: string | null): CaseEvent => ({
      type: 'CaseAnnotated',
      data: { instruction: '请抓紧办理', assignToUnitId, fromUnitId: 'hd-dg' },
    });

    it('runs five working days while a leader’s annotation is awaited, the resolution clock running on', () => {
      const clocks = clocksOf([MON_0900, filed], [MON_1500, accepted], ['2026-03-03T10:00:00+08:00', requested]);
      expect(runsOf(clocks, 'annotate')).toEqual([{ startedAtRevision: 2, dueAt: '2026-03-10T10:00:00+08:00', state: 'running', stoppedAt: null }]);
      expect(runsOf(clocks, 'resolve')).toMatchObject([{ state: 'running' }]);
    });

    it('is met by the annotation; without a hand-down the resolution run goes on', () => {
      const clocks = clocksOf([MON_0900, filed], [MON_1500, accepted], ['2026-03-03T10:00:00+08:00', requested], ['2026-03-05T10:00:00+08:00', annotated(null)]);
      expect(runsOf(clocks, 'annotate')).toMatchObject([{ state: 'met' }]);
      expect(runsOf(clocks, 'resolve')).toMatchObject([{ startedAtRevision: 1, state: 'running' }]);
    });

    it('given a hand-down to another unit, starts a fresh resolution run there, and no accept clock', () => {
      const clocks = clocksOf(
        [MON_0900, filed],
        [MON_1500, accepted],
        ['2026-03-03T10:00:00+08:00', requested],
        ['2026-03-05T10:00:00+08:00', annotated('hd-dg-1')],
      );
      expect(runsOf(clocks, 'resolve')).toEqual([
        { startedAtRevision: 1, dueAt: '2026-03-23T15:00:00+08:00', state: 'stopped', stoppedAt: '2026-03-05T10:00:00+08:00' },
        { startedAtRevision: 3, dueAt: '2026-03-26T10:00:00+08:00', state: 'running', stoppedAt: null },
      ]);
      expect(runsOf(clocks, 'accept')).toHaveLength(1);
    });

    it('stops with everything else when the case is withdrawn', () => {
      const clocks = clocksOf(
        [MON_0900, filed],
        [MON_1500, accepted],
        ['2026-03-03T10:00:00+08:00', requested],
        ['2026-03-04T10:00:00+08:00', { type: 'CaseWithdrawn', data: { reason: '当事人撤回' } }],
      );
      expect(clocks.map(({ clock, state }) => [clock, state])).toEqual([
        ['accept', 'met'],
        ['resolve', 'stopped'],
        ['annotate', 'stopped'],
      ]);
      expect(runningClocks(clocks)).toEqual([]);
    });
  });

  describe('callback', () => {
    it.each<[string, CaseEvent]>([
      ['satisfied feedback', { type: 'FeedbackRecorded', data: { satisfaction: 'satisfied', comment: null } }],
      ['closing the case', { type: 'CaseClosed', data: { summary: '已回访，结案' } }],
    ])('is met by %s', (_how, event) => {
      const clocks = clocksOf([MON_0900, filed], [MON_1500, accepted], ['2026-03-10T10:00:00+08:00', resolved], ['2026-03-12T10:00:00+08:00', event]);
      expect(runsOf(clocks, 'callback')).toMatchObject([{ state: 'met', stoppedAt: '2026-03-12T10:00:00+08:00' }]);
      expect(runningClocks(clocks)).toEqual([]);
    });

    it('is breached by a late callback', () => {
      const clocks = clocksOf(
        [MON_0900, filed],
        [MON_1500, accepted],
        ['2026-03-10T10:00:00+08:00', resolved],
        ['2026-03-16T10:00:00+08:00', { type: 'CaseClosed', data: { summary: '结案' } }],
      );
      expect(runsOf(clocks, 'callback')).toMatchObject([{ dueAt: '2026-03-13T10:00:00+08:00', state: 'breached' }]);
    });
  });

  describe('warnings, breaches and extensions', () => {
    const alert = (clock: Clock['clock'], startedAtRevision: number, dueAt: string) => ({ clock, startedAtRevision, dueAt });
    const acceptAlert = alert('accept', 0, '2026-03-03T09:00:00+08:00');

    it('marks the run a warning names as warned', () => {
      const clocks = clocksOf([MON_0900, filed], ['2026-03-03T03:00:00+08:00', { type: 'SlaWarningRaised', data: acceptAlert }]);
      expect(clocks).toMatchObject([{ state: 'warned', stoppedAt: null }]);
    });

    it('marks it breached, and keeps it breached when the work is done', () => {
      const clocks = clocksOf(
        [MON_0900, filed],
        ['2026-03-03T03:00:00+08:00', { type: 'SlaWarningRaised', data: acceptAlert }],
        ['2026-03-03T09:00:00+08:00', { type: 'SlaBreached', data: acceptAlert }],
      );
      expect(clocks).toMatchObject([{ state: 'breached', stoppedAt: null }]);
      const later = caseClocks(
        [...timed([MON_0900, filed], ['2026-03-03T09:00:00+08:00', { type: 'SlaBreached', data: acceptAlert }]), ...timed(['2026-03-03T11:00:00+08:00', accepted])],
        DEFAULT_SLA_POLICY,
      );
      expect(runsOf(later, 'accept')).toMatchObject([{ state: 'breached', stoppedAt: '2026-03-03T11:00:00+08:00' }]);
    });

    it('leaves runs alone for an alert of another run, or of a run that has ended', () => {
      const clocks = clocksOf(
        [MON_0900, filed],
        ['2026-03-02T10:00:00+08:00', escalated('hd-dg', 'hd')],
        ['2026-03-03T09:00:00+08:00', { type: 'SlaBreached', data: acceptAlert }],
      );
      expect(clocks.map((run) => run.state)).toEqual(['stopped', 'running']);
    });

    it('moves the running clock’s due time by the working days of an extension, and its warning with it', () => {
      const clocks = clocksOf(
        [MON_0900, filed],
        [MON_1500, accepted],
        ['2026-03-10T10:00:00+08:00', { type: 'DeadlineExtended', data: { clock: 'resolve', workingDays: 5, reason: '涉及多个部门' } }],
      );
      expect(runsOf(clocks, 'resolve')).toMatchObject([{ dueAt: '2026-03-30T15:00:00+08:00', state: 'running' }]);
      // 75 % of 20 working days: 15.
      expect(clocks[1]).toMatchObject({ extendedWorkingDays: 5, warnAt: '2026-03-23T15:00:00+08:00' });
    });

    it('adds a second extension to the extended due time, across National Day', () => {
      const acceptedAt = '2026-09-24T10:00:00+08:00';
      const extension = (workingDays: number): CaseEvent => ({ type: 'DeadlineExtended', data: { clock: 'resolve', workingDays, reason: '延期' } });
      const clocks = clocksOf(
        [acceptedAt, filed],
        [acceptedAt, accepted],
        ['2026-10-12T10:00:00+08:00', extension(2)],
        ['2026-10-13T10:00:00+08:00', extension(1)],
      );
      // Due 22 October; then 23 and 26; then 27.
      expect(runsOf(clocks, 'resolve')).toMatchObject([{ dueAt: '2026-10-27T10:00:00+08:00' }]);
    });

    it('leaves a clock that is not running alone', () => {
      const clocks = clocksOf([MON_0900, filed], [MON_1500, { type: 'DeadlineExtended', data: { clock: 'resolve', workingDays: 5, reason: '延期' } }]);
      expect(clocks).toHaveLength(1);
      expect(clocks[0]).toMatchObject({ clock: 'accept', dueAt: '2026-03-03T09:00:00+08:00' });
    });
  });

  describe('seconds, for drills and tests', () => {
    const drill = parseSlaPolicy({ clocks: { accept: { default: { seconds: 60 } } } });

    it('runs in plain time, weekends included, warning at 75 % of it', () => {
      const saturday = '2026-03-07T10:00:00+08:00';
      expect(caseClocks(timed([saturday, filed]), drill)).toMatchObject([
        { dueAt: '2026-03-07T10:01:00+08:00', warnAt: '2026-03-07T10:00:45+08:00', duration: { seconds: 60 } },
      ]);
    });

    it('takes an extension in working days from its due time', () => {
      const friday = '2026-03-06T10:00:00+08:00';
      const clocks = caseClocks(
        timed([friday, filed], [friday, { type: 'DeadlineExtended', data: { clock: 'accept', workingDays: 1, reason: '延期' } }]),
        drill,
      );
      expect(clocks).toMatchObject([{ dueAt: '2026-03-09T10:01:00+08:00' }]);
    });
  });

  describe('reading the clocks', () => {
    const clocks = clocksOf([MON_0900, filed], ['2026-03-02T11:00:00+08:00', escalated('hd-dg', 'hd')], ['2026-03-02T16:00:00+08:00', accepted]);

    it('lists the runs still open', () => {
      expect(runningClocks(clocks).map(({ clock, startedAtRevision }) => [clock, startedAtRevision])).toEqual([['resolve', 2]]);
    });

    it('says whether an open run is past its due time', () => {
      expect(isOverdue(clocks, '2026-03-23T15:59:59+08:00')).toBe(false);
      expect(isOverdue(clocks, '2026-03-23T16:00:00+08:00')).toBe(true);
      expect(isOverdue(clocks, new Date('2026-04-01T00:00:00Z'))).toBe(true);
      // Runs that ended are never overdue.
      expect(isOverdue(clocksOf([MON_0900, filed], [MON_1500, { type: 'CaseRejected', data: { reason: '不属于受理范围' } }]), '2027-01-01T00:00:00Z')).toBe(false);
    });

    it('gives the deadlines of GET /cases/{id}: the latest run of each clock', () => {
      expect(currentDeadlines(clocks)).toEqual([
        { clock: 'accept', dueAt: '2026-03-03T11:00:00+08:00', state: 'met' },
        { clock: 'resolve', dueAt: '2026-03-23T16:00:00+08:00', state: 'running' },
      ]);
    });

    it('lists the timers still to set: a warning and a breach for a running run, only a breach once warned', () => {
      const alert = { clock: 'resolve' as const, startedAtRevision: 2, dueAt: '2026-03-23T16:00:00+08:00' };
      expect(pendingSlaTimers(clocks)).toEqual([
        { command: 'RaiseSlaWarning', fireAt: '2026-03-17T22:00:00+08:00', alert },
        { command: 'RecordSlaBreach', fireAt: '2026-03-23T16:00:00+08:00', alert },
      ]);
      const warned = caseClocks(
        [
          ...timed([MON_0900, filed], ['2026-03-02T11:00:00+08:00', escalated('hd-dg', 'hd')], ['2026-03-02T16:00:00+08:00', accepted]),
          ...timed(['2026-03-17T22:00:00+08:00', { type: 'SlaWarningRaised', data: alert }]),
        ],
        DEFAULT_SLA_POLICY,
      );
      expect(pendingSlaTimers(warned)).toEqual([{ command: 'RecordSlaBreach', fireAt: '2026-03-23T16:00:00+08:00', alert }]);
    });
  });

  describe('the whole road of a case', () => {
    it('escalates a breached resolution: the run stays breached and the parent’s accept clock starts', () => {
      const alert = { clock: 'resolve' as const, startedAtRevision: 1, dueAt: '2026-03-23T15:00:00+08:00' };
      const clocks = clocksOf(
        [MON_0900, filed],
        [MON_1500, accepted],
        ['2026-03-23T15:00:00+08:00', { type: 'SlaBreached', data: alert }],
        ['2026-03-23T15:00:01+08:00', { type: 'CaseEscalated', data: { fromUnitId: 'hd-dg', toUnitId: 'hd', reason: '办理超时，自动上报' } }],
      );
      expect(clocks.map(({ clock, startedAtRevision, state }) => [clock, startedAtRevision, state])).toEqual([
        ['accept', 0, 'met'],
        ['resolve', 1, 'breached'],
        ['accept', 3, 'running'],
      ]);
      expect(clocks[1]!.stoppedAt).toBe('2026-03-23T15:00:01+08:00');
    });

    it('climbs, is handed down by a leader, is redone once and closes, every run accounted for', () => {
      const day = (d: number, hour = 10) => `2026-03-${String(d).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+08:00`;
      const clocks = clocksOf(
        [day(2), caseFiled('hd-dg-1')],
        [day(2, 11), escalated('hd-dg-1', 'hd-dg')],
        [day(3, 12), escalated('hd-dg', 'hd')],
        [day(3, 14), accepted],
        [day(4), { type: 'AnnotationRequested', data: { summary: '建议由属地社区牵头调解' } }],
        [day(9), { type: 'CaseAnnotated', data: { instruction: '请东关社区牵头调解', assignToUnitId: 'hd-dg-1', fromUnitId: 'hd' } }],
        [day(16), resolved],
        [day(17), { type: 'FeedbackRecorded', data: { satisfaction: 'unsatisfied', comment: '未解决' } }],
        [day(24), resolved],
        [day(25), { type: 'FeedbackRecorded', data: { satisfaction: 'satisfied', comment: null } }],
      );
      expect(clocks.map(({ clock, startedAtRevision, state }) => [clock, startedAtRevision, state])).toEqual([
        ['accept', 0, 'stopped'],
        ['accept', 1, 'breached'], // arrived Monday 11:00, due Tuesday 11:00, passed on at 12:00
        ['accept', 2, 'met'],
        ['resolve', 3, 'stopped'],
        ['annotate', 4, 'met'],
        ['resolve', 5, 'met'],
        ['callback', 6, 'met'],
        ['resolve', 7, 'met'],
        ['callback', 8, 'met'],
      ]);
      expect(runningClocks(clocks)).toEqual([]);
    });
  });

  describe('deadlines recorded with the events', () => {
    const extended: CaseEvent = { type: 'DeadlineExtended', data: { clock: 'resolve', workingDays: 5, reason: '涉及多个部门' } };
    const history = timed([MON_0900, filed], [MON_1500, accepted], ['2026-03-04T10:00:00+08:00', { type: 'NoteAdded', data: { noteType: 'visit', text: '走访' } }], ['2026-03-10T10:00:00+08:00', extended]);
    const recorded = withDeadlines(history, DEFAULT_SLA_POLICY, NO_CLOCKS);
    /** A policy nothing like the default: other lengths, other holidays, escalation everywhere. */
    const other = parseSlaPolicy({
      calendar: { workdays: [1, 2, 3, 4, 5, 6], holidays: ['2026-03-03', '2026-03-16'] },
      warnAt: 0.5,
      clocks: { accept: { default: { workingDays: 3 }, onBreach: 'escalate' }, resolve: { default: { workingDays: 2 } } },
    });

    it('record on each event the runs it starts or moves, as the policy makes them now, and nothing on the others', () => {
      const runs = caseClocks(history, DEFAULT_SLA_POLICY);
      const recordedBy = recorded.map(({ meta }) => meta.deadlines?.map(({ clock, startedAtRevision, dueAt }) => ({ clock, startedAtRevision, dueAt })));
      expect(recordedBy).toEqual([
        [{ clock: 'accept', startedAtRevision: 0, dueAt: runs[0]!.dueAt }],
        [{ clock: 'resolve', startedAtRevision: 1, dueAt: '2026-03-23T15:00:00+08:00' }],
        undefined,
        [{ clock: 'resolve', startedAtRevision: 1, dueAt: runs[1]!.dueAt }],
      ]);
      expect(runs[1]!.dueAt).toBe('2026-03-30T15:00:00+08:00');
      expect(recorded[0]!.meta.deadlines![0]).toEqual({
        clock: 'accept',
        startedAtRevision: 0,
        duration: { workingDays: 1 },
        dueAt: '2026-03-03T09:00:00+08:00',
        warnAt: runs[0]!.warnAt,
        onBreach: 'notify',
      });
    });

    it('fold to the same runs under any policy, while events without them follow the policy of the fold', () => {
      expect(caseClocks(recorded, other)).toEqual(caseClocks(history, DEFAULT_SLA_POLICY));
      expect(caseClocks(history, other)).not.toEqual(caseClocks(history, DEFAULT_SLA_POLICY));
      // A run started after the change is timed by the new policy; the recorded ones stay.
      const escalatedLater = withDeadlines(timed(['2026-03-11T09:00:00+08:00', escalated('hd-dg', 'hd')]), other, foldClocks(recorded, other));
      const runs = caseClocks([...recorded, ...escalatedLater], DEFAULT_SLA_POLICY);
      expect(runs.map(({ clock, state, duration, onBreach }) => ({ clock, state, duration, onBreach }))).toEqual([
        { clock: 'accept', state: 'met', duration: { workingDays: 1 }, onBreach: 'notify' },
        { clock: 'resolve', state: 'stopped', duration: { workingDays: 15 }, onBreach: 'escalate' },
        { clock: 'accept', state: 'running', duration: { workingDays: 3 }, onBreach: 'escalate' },
      ]);
    });
  });

  describe('folding', () => {
    it('folds step by step to the same clocks as all at once', () => {
      const history = timed([MON_0900, filed], [MON_1500, accepted], ['2026-03-10T10:00:00+08:00', resolved]);
      const stepwise = foldClocks(history.slice(2), DEFAULT_SLA_POLICY, foldClocks(history.slice(0, 2), DEFAULT_SLA_POLICY));
      expect(stepwise).toEqual(foldClocks(history, DEFAULT_SLA_POLICY));
      expect(stepwise.revision).toBe(2);
    });

    it('refuses a stream that cannot be', () => {
      expect(() => caseClocks(timed([MON_0900, accepted]), DEFAULT_SLA_POLICY)).toThrow('CaseAccepted comes before CaseFiled');
      expect(() => caseClocks(timed([MON_0900, filed], [MON_0900, filed]), DEFAULT_SLA_POLICY)).toThrow('filed twice');
    });

    it('gives the clocks as they stood at a revision', () => {
      const history = timed([MON_0900, filed], [MON_1500, accepted], ['2026-03-10T10:00:00+08:00', resolved]);
      expect(caseClocks(history.slice(0, 2), DEFAULT_SLA_POLICY).map(({ clock, state }) => [clock, state])).toEqual([
        ['accept', 'met'],
        ['resolve', 'running'],
      ]);
    });
  });
});
