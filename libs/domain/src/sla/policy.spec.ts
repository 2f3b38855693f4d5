import { describe, expect, it } from '@jest/globals';
import { InvalidError } from '../errors.js';
import { CASE_KINDS } from '../case/vocabulary.js';
import { CHINA_CALENDAR } from './china-calendar.js';
import { DEFAULT_SLA_POLICY, calendarOf, clockDuration, parseSlaPolicy } from './policy.js';

/** The error parsing `json` throws. */
function refusalOf(json: unknown): InvalidError {
  try {
    parseSlaPolicy(json);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidError);
    return error as InvalidError;
  }
  throw new Error('expected the policy to be refused');
}

describe('the default SLA policy (DESIGN.md)', () => {
  it('gives one working day to accept, five to annotate and three to call back, whatever the kind', () => {
    for (const kind of CASE_KINDS) {
      expect(clockDuration(DEFAULT_SLA_POLICY, 'accept', kind)).toEqual({ workingDays: 1 });
      expect(clockDuration(DEFAULT_SLA_POLICY, 'annotate', kind)).toEqual({ workingDays: 5 });
      expect(clockDuration(DEFAULT_SLA_POLICY, 'callback', kind)).toEqual({ workingDays: 3 });
    }
  });

  it('gives each kind its resolution time', () => {
    const resolve = Object.fromEntries(CASE_KINDS.map((kind) => [kind, clockDuration(DEFAULT_SLA_POLICY, 'resolve', kind)]));
    expect(resolve).toEqual({
      risk: { workingDays: 1 },
      dispute: { workingDays: 15 },
      grievance: { workingDays: 10 },
      hardship: { workingDays: 10 },
      visit: { workingDays: 7 },
      suggestion: { workingDays: 30 },
    });
    expect(DEFAULT_SLA_POLICY.clocks.resolve.default).toEqual({ workingDays: 10 });
  });

  it('warns at 75 %, escalates a late resolution and notifies on the other clocks', () => {
    expect(DEFAULT_SLA_POLICY.warnAt).toBe(0.75);
    expect(
      Object.fromEntries(Object.entries(DEFAULT_SLA_POLICY.clocks).map(([clock, { onBreach }]) => [clock, onBreach])),
    ).toEqual({ accept: 'notify', resolve: 'escalate', annotate: 'notify', callback: 'notify' });
  });

  it('counts on the shipped calendar in Shanghai', () => {
    expect(DEFAULT_SLA_POLICY.timezone).toBe('Asia/Shanghai');
    expect(DEFAULT_SLA_POLICY.calendar.holidays).toEqual(CHINA_CALENDAR.holidays);
    expect(calendarOf(DEFAULT_SLA_POLICY).isWorkingDay('2026-10-01')).toBe(false);
  });

  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(DEFAULT_SLA_POLICY.clocks.resolve)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SLA_POLICY.calendar.holidays)).toBe(true);
  });
});

describe('parseSlaPolicy', () => {
  it('given an empty file, keeps every default', () => {
    expect(parseSlaPolicy({})).toEqual(DEFAULT_SLA_POLICY);
  });

  it('reads the example file of API.md', () => {
    const policy = parseSlaPolicy({
      timezone: 'Asia/Shanghai',
      calendar: { workdays: [1, 2, 3, 4, 5], holidays: ['2026-10-01'], makeupWorkdays: ['2026-09-27'] },
      warnAt: 0.75,
      clocks: {
        accept: { default: { workingDays: 1 } },
        resolve: { default: { workingDays: 10 }, dispute: { workingDays: 15 }, risk: { workingDays: 1 }, onBreach: 'escalate' },
        annotate: { default: { workingDays: 5 } },
        callback: { default: { workingDays: 3 } },
      },
    });
    expect(policy.calendar).toEqual({ workdays: [1, 2, 3, 4, 5], holidays: ['2026-10-01'], makeupWorkdays: ['2026-09-27'] });
    expect(clockDuration(policy, 'resolve', 'dispute')).toEqual({ workingDays: 15 });
    // A clock in the file replaces the built-in one: kinds it leaves out take its default.
    expect(clockDuration(policy, 'resolve', 'suggestion')).toEqual({ workingDays: 10 });
    expect(policy.clocks.accept.onBreach).toBe('notify');
    expect(calendarOf(policy).isWorkingDay('2026-09-27')).toBe(true);
    expect(calendarOf(policy).isWorkingDay('2026-10-02')).toBe(true); // the shipped calendar is gone
  });

  it('overrides per kind, keeping the clocks the file leaves out', () => {
    const policy = parseSlaPolicy({ clocks: { resolve: { risk: { seconds: 60 }, visit: { workingDays: 3 } } } });
    expect(clockDuration(policy, 'resolve', 'risk')).toEqual({ seconds: 60 });
    expect(clockDuration(policy, 'resolve', 'visit')).toEqual({ workingDays: 3 });
    expect(clockDuration(policy, 'resolve', 'dispute')).toEqual({ workingDays: 10 }); // the built-in default of resolve
    expect(policy.clocks.resolve.onBreach).toBe('escalate');
    expect(policy.clocks.accept).toEqual(DEFAULT_SLA_POLICY.clocks.accept);
    expect(clockDuration(policy, 'accept', 'dispute')).toEqual({ workingDays: 1 });
  });

  it('lets per-kind entries override the default of any clock, and onBreach be chosen', () => {
    const policy = parseSlaPolicy({ clocks: { accept: { default: { seconds: 30 }, risk: { seconds: 5 }, onBreach: 'escalate' } } });
    expect(clockDuration(policy, 'accept', 'risk')).toEqual({ seconds: 5 });
    expect(clockDuration(policy, 'accept', 'grievance')).toEqual({ seconds: 30 });
    expect(policy.clocks.accept.onBreach).toBe('escalate');
  });

  it('replaces the time zone and warning point, keeping the shipped holidays without a calendar', () => {
    const policy = parseSlaPolicy({ timezone: 'Asia/Hong_Kong', warnAt: 0.5 });
    expect(policy).toMatchObject({ timezone: 'Asia/Hong_Kong', warnAt: 0.5, calendar: DEFAULT_SLA_POLICY.calendar });
  });

  it('gives adoptions their default points and the four rates equal weight', () => {
    expect(DEFAULT_SLA_POLICY.adoptionPoints).toEqual({
      adopted: { community: 1, town: 2, county: 4, city: 8, province: 15, national: 30 },
      annotated: { community: 2, town: 4, county: 8, city: 15, province: 30, national: 50 },
    });
    expect(DEFAULT_SLA_POLICY.rankingWeights).toEqual({ responseRate: 0.25, resolutionRate: 0.25, satisfactionRate: 0.25, onTimeRate: 0.25 });
  });

  it('merges a partial points table and partial weights over the defaults', () => {
    const policy = parseSlaPolicy({ adoptionPoints: { annotated: { national: 80 } }, rankingWeights: { satisfactionRate: 0.5, onTimeRate: 0 } });
    expect(policy.adoptionPoints).toEqual({
      adopted: DEFAULT_SLA_POLICY.adoptionPoints.adopted,
      annotated: { ...DEFAULT_SLA_POLICY.adoptionPoints.annotated, national: 80 },
    });
    expect(policy.rankingWeights).toEqual({ responseRate: 0.25, resolutionRate: 0.25, satisfactionRate: 0.5, onTimeRate: 0 });
    expect(Object.isFrozen(policy.adoptionPoints.annotated)).toBe(true);
  });

  it('given a calendar, fills what it leaves out with Monday to Friday and no holidays', () => {
    expect(parseSlaPolicy({ calendar: {} }).calendar).toEqual({ workdays: [1, 2, 3, 4, 5], holidays: [], makeupWorkdays: [] });
    expect(parseSlaPolicy({ calendar: { workdays: [1, 2, 3, 4, 5, 6] } }).calendar.workdays).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it.each([
    ['the file', [], 'policy', 'policy: must be a JSON object'],
    ['an unknown key', { timezones: 'UTC' }, 'timezones', 'timezones: unknown key'],
    ['an unknown time zone', { timezone: 'Mars/Base' }, 'timezone', 'timezone: unknown time zone "Mars/Base"'],
    ['a time zone that is no string', { timezone: 8 }, 'timezone', 'timezone: must be a string'],
    ['warnAt of 1', { warnAt: 1 }, 'warnAt', 'warnAt: must be between 0 and 1 exclusive'],
    ['warnAt of 0', { warnAt: 0 }, 'warnAt', 'warnAt: must be between 0 and 1 exclusive'],
    ['warnAt as text', { warnAt: '0.75' }, 'warnAt', 'warnAt: must be between 0 and 1 exclusive'],
    ['a calendar that is no object', { calendar: [] }, 'calendar', 'calendar: must be a JSON object'],
    ['an unknown calendar key', { calendar: { weekends: [6, 7] } }, 'calendar.weekends', 'calendar.weekends: unknown key'],
    ['a weekday out of range', { calendar: { workdays: [1, 2, 0] } }, 'calendar.workdays[2]', 'calendar.workdays[2]: must be an ISO weekday'],
    ['a weekday twice', { calendar: { workdays: [1, 1] } }, 'calendar.workdays[1]', 'calendar.workdays[1]: weekday 1 is listed twice'],
    ['no weekdays', { calendar: { workdays: [] } }, 'calendar.workdays', 'calendar.workdays: must list at least one weekday'],
    ['holidays that are no list', { calendar: { holidays: '2026-10-01' } }, 'calendar.holidays', 'calendar.holidays: must be an array'],
    ['a holiday that is no date', { calendar: { holidays: ['2026-10-01', '2026-13-01'] } }, 'calendar.holidays[1]', 'calendar.holidays[1]: must be a date YYYY-MM-DD'],
    ['a make-up day that is no date', { calendar: { makeupWorkdays: ['27/09/2026'] } }, 'calendar.makeupWorkdays[0]', 'calendar.makeupWorkdays[0]: must be a date'],
    [
      'a day both off and worked',
      { calendar: { holidays: ['2026-10-01'], makeupWorkdays: ['2026-10-01'] } },
      'calendar.makeupWorkdays[0]',
      'calendar.makeupWorkdays[0]: 2026-10-01 is also listed in calendar.holidays',
    ],
    ['clocks that are no object', { clocks: 3 }, 'clocks', 'clocks: must be a JSON object'],
    ['an unknown clock', { clocks: { foo: {} } }, 'clocks.foo', 'clocks.foo: unknown clock'],
    ['a clock that is no object', { clocks: { accept: 1 } }, 'clocks.accept', 'clocks.accept: must be a JSON object'],
    ['an unknown kind', { clocks: { resolve: { complaint: { workingDays: 3 } } } }, 'clocks.resolve.complaint', 'clocks.resolve.complaint: unknown key'],
    ['a bad onBreach', { clocks: { resolve: { onBreach: 'ignore' } } }, 'clocks.resolve.onBreach', 'clocks.resolve.onBreach: must be "escalate" or "notify"'],
    ['a duration that is no object', { clocks: { annotate: { default: 5 } } }, 'clocks.annotate.default', 'clocks.annotate.default: must be { "workingDays": n } or { "seconds": n }'],
    ['a duration with two units', { clocks: { annotate: { default: { workingDays: 1, seconds: 5 } } } }, 'clocks.annotate.default', 'clocks.annotate.default: must be'],
    ['an empty duration', { clocks: { annotate: { default: {} } } }, 'clocks.annotate.default', 'clocks.annotate.default: must be'],
    ['an unknown unit', { clocks: { callback: { default: { hours: 4 } } } }, 'clocks.callback.default.hours', 'clocks.callback.default.hours: unknown key'],
    ['zero working days', { clocks: { resolve: { dispute: { workingDays: 0 } } } }, 'clocks.resolve.dispute.workingDays', 'clocks.resolve.dispute.workingDays: must be a positive integer'],
    ['fractional working days', { clocks: { resolve: { dispute: { workingDays: 1.5 } } } }, 'clocks.resolve.dispute.workingDays', 'clocks.resolve.dispute.workingDays: must be a positive integer'],
    ['negative seconds', { clocks: { resolve: { risk: { seconds: -5 } } } }, 'clocks.resolve.risk.seconds', 'clocks.resolve.risk.seconds: must be a positive integer'],
    ['seconds as text', { clocks: { resolve: { risk: { seconds: '60' } } } }, 'clocks.resolve.risk.seconds', 'clocks.resolve.risk.seconds: must be a positive integer'],
    ['adoption points that are no object', { adoptionPoints: [] }, 'adoptionPoints', 'adoptionPoints: must be a JSON object'],
    ['an unknown adoption kind', { adoptionPoints: { cited: {} } }, 'adoptionPoints.cited', 'adoptionPoints.cited: unknown key (expected adopted, annotated)'],
    ['an adoption row that is no object', { adoptionPoints: { adopted: 5 } }, 'adoptionPoints.adopted', 'adoptionPoints.adopted: must be a JSON object'],
    ['an unknown adoption level', { adoptionPoints: { adopted: { village: 1 } } }, 'adoptionPoints.adopted.village', 'adoptionPoints.adopted.village: unknown key'],
    ['negative points', { adoptionPoints: { annotated: { city: -1 } } }, 'adoptionPoints.annotated.city', 'adoptionPoints.annotated.city: must be a whole number ≥ 0'],
    ['fractional points', { adoptionPoints: { adopted: { town: 1.5 } } }, 'adoptionPoints.adopted.town', 'adoptionPoints.adopted.town: must be a whole number ≥ 0'],
    ['points as text', { adoptionPoints: { adopted: { national: '30' } } }, 'adoptionPoints.adopted.national', 'adoptionPoints.adopted.national: must be a whole number ≥ 0'],
    ['weights that are no object', { rankingWeights: 1 }, 'rankingWeights', 'rankingWeights: must be a JSON object'],
    ['an unknown rate', { rankingWeights: { speed: 1 } }, 'rankingWeights.speed', 'rankingWeights.speed: unknown key (expected responseRate, resolutionRate, satisfactionRate, onTimeRate)'],
    ['a negative weight', { rankingWeights: { onTimeRate: -0.1 } }, 'rankingWeights.onTimeRate', 'rankingWeights.onTimeRate: must be a number ≥ 0'],
    ['a weight as text', { rankingWeights: { responseRate: '0.5' } }, 'rankingWeights.responseRate', 'rankingWeights.responseRate: must be a number ≥ 0'],
    [
      'weights all 0',
      { rankingWeights: { responseRate: 0, resolutionRate: 0, satisfactionRate: 0, onTimeRate: 0 } },
      'rankingWeights',
      'rankingWeights: the weights must not all be 0',
    ],
  ])('refuses %s, naming the key path', (_what, json, field, message) => {
    const error = refusalOf(json);
    expect({ code: error.code, field: error.field }).toEqual({ code: 'invalid', field });
    expect(error.message.startsWith(message)).toBe(true);
  });
});
