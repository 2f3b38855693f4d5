import { InvalidError } from '../errors.js';
import { ADOPTION_KINDS, ADOPTION_LEVELS, CASE_KINDS, SLA_CLOCKS, type AdoptionKind, type AdoptionLevel, type CaseKind, type SlaClock } from '../case/vocabulary.js';
import { DEFAULT_WORKDAYS, WorkingCalendar, isIsoWeekday, isKnownTimeZone, isLocalDate, type Duration } from './calendar.js';
import { CHINA_CALENDAR } from './china-calendar.js';

/** What happens when a clock runs out: the case goes up a level, or people are told. */
export const ON_BREACH_ACTIONS = ['escalate', 'notify'] as const;
export type OnBreach = (typeof ON_BREACH_ACTIONS)[number];

/** One clock's lengths: `default`, overridden per case kind. */
export type ClockPolicy = { readonly default: Duration; readonly onBreach: OnBreach } & { readonly [K in CaseKind]?: Duration };

export type SlaCalendar = {
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  readonly workdays: readonly number[];
  readonly holidays: readonly string[];
  readonly makeupWorkdays: readonly string[];
};

/** The points an adoption earns the clerk who filed the case, by kind and level. */
export type AdoptionPoints = { readonly [K in AdoptionKind]: { readonly [L in AdoptionLevel]: number } };

/** The four rates a unit ranking weighs. */
export const RANKED_RATES = ['responseRate', 'resolutionRate', 'satisfactionRate', 'onTimeRate'] as const;
export type RankedRate = (typeof RANKED_RATES)[number];
/** How much each rate counts in a unit's ranking score; weights ≥ 0, not all 0. */
export type RankingWeights = { readonly [R in RankedRate]: number };

/** The SLA policy of API.md ("SLA policy file"), with the appraisal's adoption points and ranking weights. */
export type SlaPolicy = {
  /** IANA time zone in which working days are counted. */
  readonly timezone: string;
  readonly calendar: SlaCalendar;
  /** The fraction of a clock at which the warning fires, 0 < warnAt < 1. */
  readonly warnAt: number;
  readonly clocks: { readonly [C in SlaClock]: ClockPolicy };
  /** Read when the clerks' appraisal is reported, so that it follows the policy in force. */
  readonly adoptionPoints: AdoptionPoints;
  readonly rankingWeights: RankingWeights;
};

/** `escalate` for the resolution clock, `notify` for the others, when the policy does not say. */
export function defaultOnBreach(clock: SlaClock): OnBreach {
  return clock === 'resolve' ? 'escalate' : 'notify';
}

/** DESIGN.md's defaults, on the shipped mainland-China calendar. */
export const DEFAULT_SLA_POLICY: SlaPolicy = deepFreeze({
  timezone: CHINA_CALENDAR.timezone,
  calendar: {
    workdays: [...CHINA_CALENDAR.workdays],
    holidays: [...CHINA_CALENDAR.holidays],
    makeupWorkdays: [...CHINA_CALENDAR.makeupWorkdays],
  },
  warnAt: 0.75,
  clocks: {
    accept: { default: { workingDays: 1 }, onBreach: 'notify' },
    resolve: {
      default: { workingDays: 10 },
      risk: { workingDays: 1 },
      dispute: { workingDays: 15 },
      grievance: { workingDays: 10 },
      hardship: { workingDays: 10 },
      visit: { workingDays: 7 },
      suggestion: { workingDays: 30 },
      onBreach: 'escalate',
    },
    annotate: { default: { workingDays: 5 }, onBreach: 'notify' },
    callback: { default: { workingDays: 3 }, onBreach: 'notify' },
  },
  adoptionPoints: {
    adopted: { community: 1, town: 2, county: 4, city: 8, province: 15, national: 30 },
    annotated: { community: 2, town: 4, county: 8, city: 15, province: 30, national: 50 },
  },
  rankingWeights: { responseRate: 0.25, resolutionRate: 0.25, satisfactionRate: 0.25, onTimeRate: 0.25 },
});

/** How long a clock runs for a case of this kind: the kind's own entry, else the clock's default. */
export function clockDuration(policy: SlaPolicy, clock: SlaClock, kind: CaseKind): Duration {
  const clockPolicy = policy.clocks[clock];
  return clockPolicy[kind] ?? clockPolicy.default;
}

// One calendar per policy object (a cache: building one validates and indexes the dates).
const calendars = new WeakMap<SlaPolicy, WorkingCalendar>();

/** The working calendar a policy counts on. */
export function calendarOf(policy: SlaPolicy): WorkingCalendar {
  let calendar = calendars.get(policy);
  if (!calendar) {
    calendar = new WorkingCalendar({ timezone: policy.timezone, ...policy.calendar });
    calendars.set(policy, calendar);
  }
  return calendar;
}

const TOP_KEYS = ['timezone', 'calendar', 'warnAt', 'clocks', 'adoptionPoints', 'rankingWeights'] as const;
const CALENDAR_KEYS = ['workdays', 'holidays', 'makeupWorkdays'] as const;

/**
 * Reads an SLA policy file (already parsed from JSON), strictly: an unknown key or a bad value
 * throws an InvalidError whose `field` is the key path and whose message starts with it, e.g.
 * `clocks.resolve.dispute.workingDays: must be a positive integer`.
 *
 * The file replaces the defaults key by key; what it leaves out keeps the default:
 * - `timezone` and `warnAt`, when present, replace the default.
 * - `calendar`, when present, replaces the shipped holiday calendar as a whole: its `workdays`
 *   default to Monday to Friday, its `holidays` and `makeupWorkdays` to none. Without
 *   `calendar` the shipped mainland-China calendar stays (counted in the file's `timezone`).
 * - A clock under `clocks` replaces that clock's entry as a whole: its per-kind entries that the
 *   file leaves out take the file's `default` for that clock (not the built-in per-kind values),
 *   a missing `default` is the built-in default of that clock, and a missing `onBreach` is
 *   `escalate` for `resolve` and `notify` for the others. Clocks the file leaves out keep their
 *   built-in entry, per-kind values included.
 * - `adoptionPoints` and `rankingWeights` merge over the defaults entry by entry: a table the
 *   file gives in part keeps the default of every entry it leaves out (see parseRankingWeights).
 */
export function parseSlaPolicy(json: unknown, defaults: SlaPolicy = DEFAULT_SLA_POLICY): SlaPolicy {
  const root = objectAt(json, 'policy');
  rejectUnknownKeys(root, '', TOP_KEYS, `expected ${TOP_KEYS.join(', ')}`);

  let timezone = defaults.timezone;
  if (root.timezone !== undefined) {
    if (typeof root.timezone !== 'string') fail('timezone', 'must be a string, an IANA time zone such as "Asia/Shanghai"');
    if (!isKnownTimeZone(root.timezone)) fail('timezone', `unknown time zone ${JSON.stringify(root.timezone)}`);
    timezone = root.timezone;
  }

  let warnAt = defaults.warnAt;
  if (root.warnAt !== undefined) {
    if (typeof root.warnAt !== 'number' || !(root.warnAt > 0 && root.warnAt < 1)) fail('warnAt', 'must be between 0 and 1 exclusive');
    warnAt = root.warnAt;
  }

  const calendar = root.calendar === undefined ? defaults.calendar : parseCalendar(root.calendar);
  const clocks = root.clocks === undefined ? defaults.clocks : parseClocks(root.clocks, defaults);
  const adoptionPoints = root.adoptionPoints === undefined ? defaults.adoptionPoints : parseAdoptionPoints(root.adoptionPoints, defaults.adoptionPoints);
  const rankingWeights = root.rankingWeights === undefined ? defaults.rankingWeights : parseRankingWeights(root.rankingWeights, 'rankingWeights', defaults.rankingWeights);
  const policy: SlaPolicy = deepFreeze({ timezone, calendar, warnAt, clocks, adoptionPoints, rankingWeights });
  calendarOf(policy); // a last check that the calendar can be built
  return policy;
}

function parseAdoptionPoints(value: unknown, defaults: AdoptionPoints): AdoptionPoints {
  const table = objectAt(value, 'adoptionPoints');
  rejectUnknownKeys(table, 'adoptionPoints.', ADOPTION_KINDS, `expected ${ADOPTION_KINDS.join(', ')}`);
  const parsed = {} as Record<AdoptionKind, Record<AdoptionLevel, number>>;
  for (const kind of ADOPTION_KINDS) {
    const path = `adoptionPoints.${kind}`;
    const row = table[kind] === undefined ? {} : objectAt(table[kind], path);
    rejectUnknownKeys(row, `${path}.`, ADOPTION_LEVELS, `expected ${ADOPTION_LEVELS.join(', ')}`);
    parsed[kind] = { ...defaults[kind] };
    for (const level of ADOPTION_LEVELS) {
      const points = row[level];
      if (points === undefined) continue;
      if (typeof points !== 'number' || !Number.isInteger(points) || points < 0) fail(`${path}.${level}`, 'must be a whole number ≥ 0');
      parsed[kind][level] = points;
    }
  }
  return parsed;
}

/**
 * Ranking weights, from the policy file or a request (`path` names where they came from): each
 * a number ≥ 0, the ones left out keeping `defaults`, and not all 0.
 */
export function parseRankingWeights(value: unknown, path: string, defaults: RankingWeights = DEFAULT_SLA_POLICY.rankingWeights): RankingWeights {
  const weights = objectAt(value, path);
  rejectUnknownKeys(weights, `${path}.`, RANKED_RATES, `expected ${RANKED_RATES.join(', ')}`);
  const parsed = { ...defaults };
  for (const rate of RANKED_RATES) {
    const weight = weights[rate];
    if (weight === undefined) continue;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) fail(`${path}.${rate}`, 'must be a number ≥ 0');
    parsed[rate] = weight;
  }
  if (RANKED_RATES.every((rate) => parsed[rate] === 0)) fail(path, 'the weights must not all be 0');
  return parsed;
}

function parseCalendar(value: unknown): SlaCalendar {
  const calendar = objectAt(value, 'calendar');
  rejectUnknownKeys(calendar, 'calendar.', CALENDAR_KEYS, `expected ${CALENDAR_KEYS.join(', ')}`);

  let workdays: readonly number[] = DEFAULT_WORKDAYS;
  if (calendar.workdays !== undefined) {
    const list = arrayAt(calendar.workdays, 'calendar.workdays');
    list.forEach((day, i) => {
      if (!isIsoWeekday(day)) fail(`calendar.workdays[${i}]`, 'must be an ISO weekday, 1 (Monday) to 7 (Sunday)');
      if (list.indexOf(day) !== i) fail(`calendar.workdays[${i}]`, `weekday ${day} is listed twice`);
    });
    if (list.length === 0) fail('calendar.workdays', 'must list at least one weekday');
    workdays = list as number[];
  }
  const holidays = calendar.holidays === undefined ? [] : datesAt(calendar.holidays, 'calendar.holidays');
  const makeupWorkdays = calendar.makeupWorkdays === undefined ? [] : datesAt(calendar.makeupWorkdays, 'calendar.makeupWorkdays');
  makeupWorkdays.forEach((date, i) => {
    if (holidays.includes(date)) fail(`calendar.makeupWorkdays[${i}]`, `${date} is also listed in calendar.holidays`);
  });
  return { workdays: [...workdays], holidays, makeupWorkdays };
}

function parseClocks(value: unknown, defaults: SlaPolicy): SlaPolicy['clocks'] {
  const clocks = objectAt(value, 'clocks');
  for (const key of Object.keys(clocks)) {
    if (!(SLA_CLOCKS as readonly string[]).includes(key)) fail(`clocks.${key}`, `unknown clock (expected ${SLA_CLOCKS.join(', ')})`);
  }
  const parsed = {} as Record<SlaClock, ClockPolicy>;
  for (const clock of SLA_CLOCKS) {
    parsed[clock] = clocks[clock] === undefined ? defaults.clocks[clock] : parseClock(clocks[clock], clock, defaults);
  }
  return parsed;
}

function parseClock(value: unknown, clock: SlaClock, defaults: SlaPolicy): ClockPolicy {
  const path = `clocks.${clock}`;
  const entry = objectAt(value, path);
  const known = ['default', ...CASE_KINDS, 'onBreach'];
  rejectUnknownKeys(entry, `${path}.`, known, `expected default, onBreach or a case kind: ${CASE_KINDS.join(', ')}`);

  let onBreach = defaultOnBreach(clock);
  if (entry.onBreach !== undefined) {
    if (!(ON_BREACH_ACTIONS as readonly unknown[]).includes(entry.onBreach)) fail(`${path}.onBreach`, 'must be "escalate" or "notify"');
    onBreach = entry.onBreach as OnBreach;
  }
  const parsed: { default: Duration; onBreach: OnBreach } & { [K in CaseKind]?: Duration } = {
    default: entry.default === undefined ? defaults.clocks[clock].default : parseDuration(entry.default, `${path}.default`),
    onBreach,
  };
  for (const kind of CASE_KINDS) {
    if (entry[kind] !== undefined) parsed[kind] = parseDuration(entry[kind], `${path}.${kind}`);
  }
  return parsed;
}

function parseDuration(value: unknown, path: string): Duration {
  const shape = 'must be { "workingDays": n } or { "seconds": n }';
  if (!isPlainObject(value)) fail(path, shape);
  rejectUnknownKeys(value, `${path}.`, ['workingDays', 'seconds'], 'a duration is { "workingDays": n } or { "seconds": n }');
  const keys = Object.keys(value);
  if (keys.length !== 1) fail(path, shape);
  const unit = keys[0] as 'workingDays' | 'seconds';
  const amount = value[unit];
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1) fail(`${path}.${unit}`, 'must be a positive integer');
  return unit === 'workingDays' ? { workingDays: amount } : { seconds: amount };
}

function datesAt(value: unknown, path: string): string[] {
  const list = arrayAt(value, path);
  list.forEach((date, i) => {
    if (typeof date !== 'string' || !isLocalDate(date)) fail(`${path}[${i}]`, `must be a date YYYY-MM-DD (got ${JSON.stringify(date)})`);
  });
  return [...new Set(list as string[])];
}

function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (!isPlainObject(value)) fail(path, 'must be a JSON object');
  return value;
}

function arrayAt(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'must be an array');
  return value;
}

function rejectUnknownKeys(object: Record<string, unknown>, prefix: string, known: readonly string[], hint: string): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) fail(`${prefix}${key}`, `unknown key (${hint})`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, problem: string): never {
  throw new InvalidError(path, `${path}: ${problem}`);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
