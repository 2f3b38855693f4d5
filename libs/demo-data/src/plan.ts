import type { AdoptionKind, AdoptionLevel, CaseKind, Channel, OrgTree, OrgUnit, ResolutionOutcome, Role, Satisfaction, SlaClock } from '#domain';
import type { CaseCommandRequest } from '#cases';
import { SeededRandom } from './random.js';
import { CLOSE_WITHOUT_FEEDBACK, ESTATES, FEEDBACK_COMMENTS, GIVEN_NAME_PARTS, REJECTION_REASONS, STORIES, SURNAMES, WITHDRAWAL_REASONS, type Story } from './stories.js';

/** A staff account the demo cases are worked by (the demo accounts). */
export interface DemoStaff {
  readonly username: string;
  readonly roles: readonly Role[];
  readonly unitId: string;
}

/** A command's own fields: the case, the actor and the time are the seeder's to fill in. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type StepCommand =
  | Without<Exclude<CaseCommandRequest, { type: 'AssignCase' }>, 'caseId' | 'actor' | 'at'>
  /** The assignee by username: the seeder looks the account up, as the API does by id. */
  | { readonly type: 'AssignCase'; readonly assigneeUsername: string };

/** A person's move on a case, some minutes after the plan's previous step. */
export interface ActStep {
  readonly kind: 'act';
  readonly caseId: string;
  /** The demo account that makes the move. */
  readonly username: string;
  readonly afterMinutes: number;
  readonly command: StepCommand;
  /**
   * The clocks this move may come after the due time of (realistic lateness): the system's
   * warning and breach are recorded first, at their own times. Any other clock that would run
   * out before the move brings the move forward instead.
   */
  readonly late?: readonly SlaClock[];
}

/**
 * Nobody acts in time: the resolution clock runs out, and the system warns, records the breach
 * and escalates the case. Where the policy does not escalate on that breach (or the clock would
 * run out only after now), the unit's coordinator escalates it in time instead.
 */
export interface LapseStep {
  readonly kind: 'lapse';
  readonly caseId: string;
  readonly clock: 'resolve';
  readonly coordinator: string;
}

export type PlannedStep = ActStep | LapseStep;

/** One case's year (with the duplicate merged into it, if any), in the order the seeder runs it. */
export interface DemoCasePlan {
  readonly caseId: string;
  readonly kind: CaseKind;
  readonly title: string;
  readonly filedAt: string;
  /** Left open at the end: filed recently, still being worked on. */
  readonly running: boolean;
  /** How many cases the plan files (2 when a duplicate is merged into the case). */
  readonly cases: number;
  readonly steps: readonly PlannedStep[];
}

export interface DemoPlanOptions {
  readonly seed: number;
  /** About how many cases to file. */
  readonly count: number;
  /** The instant the year is laid out before. */
  readonly now: Date;
  readonly org: OrgTree;
  readonly staff: readonly DemoStaff[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The demo tree's working day is Beijing time (UTC+8, no summer time). */
const LOCAL_OFFSET = 8 * HOUR;

const KIND_WEIGHTS: Readonly<Record<CaseKind, number>> = { suggestion: 18, grievance: 22, dispute: 18, risk: 10, hardship: 14, visit: 18 };

const CHANNEL_WEIGHTS: Readonly<Record<Channel, number>> = { hotline: 30, walk_in: 28, mailbox: 12, web: 15, visit: 10, other: 5 };

type Flow = 'standard' | 'noFeedback' | 'redo' | 'stillUnsatisfied' | 'escalated' | 'annotated' | 'lapsed' | 'lateAccept' | 'lateCallback' | 'rejected' | 'withdrawn' | 'merged' | 'reopened';

const FLOW_WEIGHTS: Readonly<Record<Flow, number>> = {
  standard: 52,
  noFeedback: 6,
  redo: 5,
  stillUnsatisfied: 2,
  escalated: 6,
  annotated: 7,
  lapsed: 3,
  lateAccept: 5,
  lateCallback: 3,
  rejected: 4,
  withdrawn: 3,
  merged: 3,
  reopened: 1,
};

const ADOPTION_LEVEL_WEIGHTS: Readonly<Record<AdoptionLevel, number>> = { community: 34, town: 26, county: 18, city: 12, province: 7, national: 3 };

/**
 * About a year of demo cases, laid out before `now`, from a fixed seed: the same seed, count,
 * `now` and staff give the same plans. Pure: no clock, no I/O.
 */
export function planDemoCases(options: DemoPlanOptions): DemoCasePlan[] {
  const roster = new Roster(options.org, options.staff);
  const units = roster.filingUnits();
  if (units.length === 0) return [];
  const now = options.now.getTime();
  const runningCount = options.count >= 10 ? Math.round(options.count * 0.06) : 0;
  // The year's layout draws from its own sequence, so that what the cases say and how they go
  // is the same whenever the year ends.
  const filings = spreadOverTheYear(new SeededRandom(options.seed ^ 0x5eed7153), now, options.count - runningCount);

  const plans: DemoCasePlan[] = [];
  let filed = 0;
  // Each case draws from its own sequence: how one case goes (which may depend on now) never
  // changes what the next one says.
  const caseRandom = (index: number) => new SeededRandom((options.seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  for (const [index, filedAt] of filings.entries()) {
    if (filed >= options.count - runningCount) break;
    const random = caseRandom(index);
    const plan = new PlanBuilder(random, roster, random.pick(units), filedAt, now).historical();
    plans.push(plan);
    filed += plan.cases;
  }
  for (let i = 0; i < runningCount; i++) {
    const random = caseRandom(1_000_000 + i);
    plans.push(new PlanBuilder(random, roster, random.pick(units), 0, now).running());
  }
  return plans.sort((a, b) => Date.parse(a.filedAt) - Date.parse(b.filedAt));
}

/** Filing instants over the past year up to a week ago, in office hours, oldest first; a little busier in spring and autumn. */
function spreadOverTheYear(random: SeededRandom, now: number, count: number): number[] {
  const times: number[] = [];
  while (times.length < count) {
    const daysAgo = random.between(8, 365);
    const month = new Date(now - daysAgo * DAY).getUTCMonth();
    if ((month === 0 || month === 1 || month === 6 || month === 7) && random.chance(0.25)) continue;
    times.push(inOfficeHours(random, now - daysAgo * DAY));
  }
  return times.sort((a, b) => a - b);
}

/** The instant moved to 08:30–18:00 Beijing time of its day. */
function inOfficeHours(random: SeededRandom, instant: number): number {
  const localMidnight = Math.floor((instant + LOCAL_OFFSET) / DAY) * DAY - LOCAL_OFFSET;
  return localMidnight + 8.5 * HOUR + Math.floor(random.between(0, 9.5 * HOUR) / MINUTE) * MINUTE;
}

/** Who works where: the nearest account of each role at or above a unit. */
class Roster {
  constructor(
    readonly org: OrgTree,
    private readonly staff: readonly DemoStaff[],
  ) {}

  /** Communities and grids someone can file and coordinate at. */
  filingUnits(): OrgUnit[] {
    return this.org.units().filter((unit) => (unit.level === 'community' || unit.level === 'grid') && this.nearest('coordinator', unit.id) !== null);
  }

  nearest(role: Role, unitId: string): string | null {
    for (const unit of [this.org.get(unitId), ...this.org.ancestors(unitId)]) {
      const account = this.staff.find((candidate) => candidate.unitId === unit.id && candidate.roles.includes(role));
      if (account) return account.username;
    }
    return null;
  }

  coordinator(unitId: string): string {
    const username = this.nearest('coordinator', unitId);
    if (username === null) throw new Error(`no demo coordinator at or above ${unitId}`);
    return username;
  }

  /** The clerk of the unit's community if there is one, else its coordinator. */
  clerkOrCoordinator(unitId: string): string {
    return this.nearest('clerk', unitId) ?? this.coordinator(unitId);
  }

  leader(unitId: string): string | null {
    return this.nearest('leader', unitId);
  }

  /** The unit at `level` on the way up from `unitId` (or the nearest above it when the tree skips it). */
  unitAtOrAbove(unitId: string, level: OrgUnit['level']): OrgUnit {
    const chain = [this.org.get(unitId), ...this.org.ancestors(unitId)];
    return chain.find((unit) => unit.level === level) ?? chain.at(-1)!;
  }
}

/** Builds one plan: the filing, then the moves of its flow. */
class PlanBuilder {
  private readonly steps: PlannedStep[] = [];
  private readonly caseId: string;
  private readonly kind: CaseKind;
  private readonly story: Story;
  private readonly filedUnit: OrgUnit;
  /** Where the case is now, as the plan moves it. */
  private unitId: string;
  private cases = 1;
  private title = '';

  constructor(
    private readonly random: SeededRandom,
    private readonly roster: Roster,
    unit: OrgUnit,
    private filedAt: number,
    private readonly now: number,
  ) {
    this.caseId = random.uuid();
    this.kind = random.weighted(KIND_WEIGHTS);
    this.story = random.pick(STORIES[this.kind]);
    this.filedUnit = unit;
    this.unitId = unit.id;
  }

  /** A case filed over the past year and carried to an end by one of the flows. */
  historical(): DemoCasePlan {
    const drawn = this.random.weighted(FLOW_WEIGHTS);
    // A clock left to run out needs weeks of history behind it.
    const flow = drawn === 'lapsed' && this.filedAt > this.now - 60 * DAY ? 'standard' : drawn;
    this.file();
    if (flow === 'rejected') {
      this.act(this.coordinator(), this.minutes(30, 600), { type: 'RejectCase', reason: this.random.pick(REJECTION_REASONS) });
      return this.done(false);
    }
    if (flow === 'merged') this.fileDuplicateAndMerge();
    this.accept(flow === 'lateAccept');
    if (this.random.chance(0.3)) this.act(this.coordinator(), this.minutes(5, 90), { type: 'AssignCase', assigneeUsername: this.coordinator() });
    this.note(0);
    if (flow === 'withdrawn') {
      this.act(this.roster.clerkOrCoordinator(this.unitId), this.minutes(120, 2880), { type: 'WithdrawCase', reason: this.random.pick(WITHDRAWAL_REASONS) });
      return this.done(false);
    }
    if (flow === 'escalated' || (flow === 'annotated' && this.random.chance(0.4))) this.escalate();
    if (flow === 'lapsed') this.lapse();
    if (flow === 'annotated') this.annotation();
    this.note(1);
    this.resolve();
    if (flow === 'redo' || flow === 'stillUnsatisfied') {
      this.feedback('unsatisfied');
      this.note(2);
      this.resolve();
    }
    if (flow === 'noFeedback') {
      this.act(this.coordinator(), this.minutes(1440, 4000), { type: 'CloseCase', summary: this.random.pick(CLOSE_WITHOUT_FEEDBACK) });
    } else if (flow === 'stillUnsatisfied') {
      // Dealt with twice and explained; the filer's rating stays as it was.
      this.act(this.coordinator(), this.minutes(1440, 4000), { type: 'CloseCase', summary: '经再次处理并当面解释说明，反映人仍不满意，已按程序办结并做好记录。' });
    } else {
      this.feedback(this.random.chance(0.78) ? 'satisfied' : 'basically_satisfied', flow === 'lateCallback');
    }
    if (flow === 'reopened') {
      this.act(this.coordinator(), this.minutes(1440, 7200), { type: 'ReopenCase', reason: '反映人来电称问题再次出现，重新处理。' });
      this.note(2);
      this.resolve();
      this.feedback('satisfied');
    }
    this.adoptions();
    this.fitBefore(this.now - 30 * MINUTE);
    return this.done(false);
  }

  /**
   * A case filed in the past days and still being worked on. Each open clock started recently
   * enough that it is not yet due: a working day is never shorter than a calendar day, so a
   * clock of n working days that started less than n calendar days ago is still running.
   */
  running(): DemoCasePlan {
    const stage = this.random.weighted({ filed: 2, accepted: 4, annotation: this.kind === 'risk' ? 0 : 1, resolved: 2 });
    // The youngest clock of each stage: accept 1 day, risk's resolve 1 day, annotate 5 days, callback 3 days, others' resolve at least 7.
    const ageHours = stage === 'filed' || this.kind === 'risk' ? this.random.between(1, 18) : stage === 'resolved' ? this.random.between(20, 60) : this.random.between(20, 90);
    this.filedAt = this.now - Math.round(ageHours * HOUR);
    this.file();
    if (stage !== 'filed') {
      this.accept(false);
      this.note(0);
      if (stage === 'annotation') {
        this.act(this.coordinator(), this.minutes(60, 600), { type: 'RequestAnnotation', summary: `${this.title}，涉及多个部门，需请领导协调。` });
      }
      if (stage === 'resolved') this.resolve();
    }
    this.fitBefore(this.now - 10 * MINUTE);
    return this.done(true);
  }

  private file(): void {
    const { story, kind } = this;
    const estate = ESTATES[(this.roster.filingUnits().indexOf(this.filedUnit) * 3 + this.random.int(0, 2)) % ESTATES.length]!;
    const place = (text: string) =>
      text.replaceAll('{estate}', estate).replaceAll('{building}', `${this.random.int(1, 24)}号楼`).replaceAll('{unit}', this.filedUnit.name);
    this.title = place(story.title);
    const anonymous = kind !== 'visit' && kind !== 'hardship' && this.random.chance(0.1);
    const channel: Channel = kind === 'visit' ? 'visit' : this.random.weighted(CHANNEL_WEIGHTS);
    const parties = story.parties ? story.parties.map((role) => ({ name: this.personName(), role })) : undefined;
    this.act(this.roster.clerkOrCoordinator(this.unitId), 0, {
      type: 'FileCase',
      kind,
      title: this.title,
      description: place(story.description),
      channel,
      unitId: this.unitId,
      urgency: kind === 'risk' && this.random.chance(0.5) ? 'urgent' : 'normal',
      filer: anonymous ? { name: '', phone: null, anonymous: true } : { name: this.personName(), phone: this.phone(), anonymous: false },
      ...(parties ? { parties } : {}),
      ...(story.visitReason ? { visitReason: story.visitReason } : {}),
      location: { address: `${this.filedUnit.name}${estate}` },
    });
  }

  /** The same matter reported again by someone else, merged into this case while it is open. */
  private fileDuplicateAndMerge(): void {
    const duplicateId = this.random.uuid();
    this.cases = 2;
    this.act(this.roster.clerkOrCoordinator(this.unitId), this.minutes(60, 600), {
      type: 'FileCase',
      kind: this.kind,
      title: `${this.title}（重复反映）`,
      description: `又有居民反映：${this.title}，情况与此前反映一致。`,
      channel: 'hotline',
      unitId: this.unitId,
      filer: { name: this.personName(), phone: this.phone(), anonymous: false },
      ...(this.story.visitReason ? { visitReason: this.story.visitReason } : {}),
    }, duplicateId);
    this.act(this.coordinator(), this.minutes(10, 120), { type: 'MergeCase', intoCaseId: this.caseId }, duplicateId);
  }

  private accept(late: boolean): void {
    const gap = late ? this.minutes(1500, 2400) : this.minutes(15, 480);
    this.act(this.coordinator(), gap, { type: 'AcceptCase' }, this.caseId, late ? ['accept'] : undefined);
  }

  private note(round: number): void {
    const texts = this.story.notes;
    const noteType = this.kind === 'dispute' ? (round === 0 ? 'contact' : 'mediation') : this.kind === 'visit' || this.kind === 'hardship' ? 'visit' : round === 0 ? 'contact' : 'note';
    const text = round < texts.length ? texts[round]! : `已再次联系反映人，通报处理进展。`;
    // A clerk records contact with the filer; the other notes are the coordinator's.
    const username = noteType === 'contact' && this.random.chance(0.5) ? this.roster.clerkOrCoordinator(this.unitId) : this.coordinator();
    this.act(username, this.minutes(60, 2400), { type: 'AddNote', noteType, text });
  }

  /** The case goes one level up: the unit above accepts it and works on it from there. */
  private escalate(): void {
    const parent = this.roster.org.parentOf(this.unitId);
    if (!parent) return;
    this.act(this.coordinator(), this.minutes(120, 1440), { type: 'EscalateCase', reason: '涉及多个部门职责，社区层面难以协调解决，提请上级协调。' });
    this.unitId = parent.id;
    this.accept(false);
  }

  /** The resolution clock runs out: the system escalates the case, and the unit above takes it up. */
  private lapse(): void {
    const parent = this.roster.org.parentOf(this.unitId);
    if (!parent) return;
    this.steps.push({ kind: 'lapse', caseId: this.caseId, clock: 'resolve', coordinator: this.coordinator() });
    this.unitId = parent.id;
    this.accept(false);
  }

  /** A coordinator asks a leader to settle it; the leader instructs, sometimes handing it back down under supervision. */
  private annotation(): void {
    const leader = this.roster.leader(this.unitId);
    if (!leader) return;
    this.act(this.coordinator(), this.minutes(60, 1440), { type: 'RequestAnnotation', summary: `${this.title}，需协调相关部门共同处理，请领导批示。` });
    const handDown = this.unitId !== this.filedUnit.id && this.random.chance(0.6);
    this.act(
      leader,
      this.minutes(120, 4000),
      {
        type: 'AnnotateCase',
        instruction: handDown ? '请属地社区牵头，相关部门配合，限期解决并反馈。' : '请相关部门高度重视，抓紧协调解决，做好群众解释工作。',
        ...(handDown ? { assignToUnitId: this.filedUnit.id } : {}),
      },
      this.caseId,
      this.random.chance(0.2) ? ['annotate'] : undefined,
    );
    if (handDown) this.unitId = this.filedUnit.id;
  }

  private resolve(): void {
    this.act(this.coordinator(), this.minutes(240, 5000), { type: 'ResolveCase', outcome: this.outcome(), summary: this.story.resolution });
  }

  private outcome(): ResolutionOutcome {
    switch (this.kind) {
      case 'suggestion':
        return this.random.weighted({ adopted: 45, partially_adopted: 30, not_adopted: 25 });
      case 'dispute':
        return this.random.weighted({ mediated: 80, resolved: 12, unresolvable: 8 });
      default:
        return this.random.chance(0.95) ? 'resolved' : 'unresolvable';
    }
  }

  private feedback(satisfaction: Satisfaction, late = false): void {
    const gap = late ? this.minutes(4400, 5600) : this.minutes(60, 2400);
    this.act(this.coordinator(), gap, { type: 'RecordFeedback', satisfaction, comment: this.random.pick(FEEDBACK_COMMENTS[satisfaction]) }, this.caseId, late ? ['callback'] : undefined);
  }

  /** A share of the adopted suggestions are taken up at some level; a few at a second, higher one. */
  private adoptions(): void {
    if (this.kind !== 'suggestion' || !this.story.adoption || !this.random.chance(0.55)) return;
    const first = this.random.weighted(ADOPTION_LEVEL_WEIGHTS);
    this.adopt(first);
    const higher = (['county', 'city', 'province'] as const).filter((level) => ADOPTION_LEVEL_ORDER.indexOf(level) > ADOPTION_LEVEL_ORDER.indexOf(first));
    if (higher.length > 0 && this.random.chance(0.2)) this.adopt(this.random.pick(higher));
  }

  private adopt(level: AdoptionLevel): void {
    // A leader's written instruction on the opinion (批示) is theirs to record; an adoption, whoever works there.
    const unit = this.roster.unitAtOrAbove(this.filedUnit.id, level === 'province' || level === 'national' ? 'city' : level === 'community' ? 'community' : level);
    const leader = this.roster.leader(unit.id);
    const kind: AdoptionKind = leader !== null && level !== 'community' && this.random.chance(0.35) ? 'annotated' : 'adopted';
    const username = kind === 'annotated' ? leader! : level === 'community' ? this.roster.coordinator(this.filedUnit.id) : (leader ?? this.roster.coordinator(unit.id));
    this.act(username, this.minutes(1440, 20_000), {
      type: 'AdoptSuggestion',
      level,
      kind,
      body: this.story.adoption!,
      ...(this.random.chance(0.5) ? { note: `${ADOPTION_LEVEL_NAMES[level]}${kind === 'annotated' ? '领导批示' : '采纳'}。` } : {}),
    });
  }

  /** Squeezes the plan's gaps (never the filing) so that its last step comes before `latest`. */
  private fitBefore(latest: number): void {
    const total = this.steps.reduce((sum, step) => sum + (step.kind === 'act' ? step.afterMinutes : LAPSE_ALLOWANCE_MINUTES[this.kind]), 0);
    const room = (latest - this.filedAt) / MINUTE;
    if (total <= room) return;
    const factor = Math.max(room, 0) / total;
    for (const [index, step] of this.steps.entries()) {
      if (step.kind === 'act') this.steps[index] = { ...step, afterMinutes: Math.max(1, Math.floor(step.afterMinutes * factor)) };
    }
  }

  private done(running: boolean): DemoCasePlan {
    return { caseId: this.caseId, kind: this.kind, title: this.title, filedAt: new Date(this.filedAt).toISOString(), running, cases: this.cases, steps: this.steps };
  }

  private act(username: string, afterMinutes: number, command: StepCommand, caseId = this.caseId, late?: readonly SlaClock[]): void {
    this.steps.push({ kind: 'act', caseId, username, afterMinutes, command, ...(late ? { late } : {}) });
  }

  private coordinator(): string {
    return this.roster.coordinator(this.unitId);
  }

  private minutes(min: number, max: number): number {
    return this.random.int(min, max);
  }

  private personName(): string {
    const given = this.random.pick(GIVEN_NAME_PARTS) + (this.random.chance(0.7) ? this.random.pick(GIVEN_NAME_PARTS) : '');
    return this.random.pick(SURNAMES) + given;
  }

  private phone(): string {
    return `138${String(this.random.int(0, 99_999_999)).padStart(8, '0')}`;
  }
}

const ADOPTION_LEVEL_ORDER: readonly AdoptionLevel[] = ['community', 'town', 'county', 'city', 'province', 'national'];

const ADOPTION_LEVEL_NAMES: Readonly<Record<AdoptionLevel, string>> = { community: '社区', town: '街道', county: '区', city: '市', province: '省', national: '国家有关部委' };

/** About how long a lapsed resolution clock takes, for fitting a plan before now (minutes). */
const LAPSE_ALLOWANCE_MINUTES: Readonly<Record<CaseKind, number>> = { suggestion: 60_000, grievance: 20_000, dispute: 30_000, risk: 3_000, hardship: 20_000, visit: 14_000 };
