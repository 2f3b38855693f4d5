import type { Logger } from 'pino';
import type { AccountSummary } from '#accounts';
import { isCaseStream, type CaseCommandRequest, type CaseCommandResult, type FoldedCase } from '#cases';
import { DomainError, SYSTEM_ACTOR, isOpenRun, type Actor, type AdoptionKind, type AdoptionLevel, type Clock, type OrgTree, type UserActor } from '#domain';
import { WrongExpectedRevisionError, type EventStore, type LogPosition } from '#event-store';
import { DEMO_SEEDING_CORRELATION } from '#notifications';
import { planDemoBulletins, type BulletinPorts, type SeededCase } from './bulletins.js';
import { planDemoCases, type ActStep, type DemoCasePlan, type DemoStaff, type LapseStep } from './plan.js';

/** What seeding needs from the engine: the one command path, the folds it keeps, the log, the accounts. */
export interface DemoSeedingPorts {
  /**
   * The case command path (CaseCommands.execute), with the revision the seeder last saw: the
   * path then decides on the fold it keeps, without reading the stream again.
   */
  readonly execute: (command: CaseCommandRequest, correlationId: string, expectedRevision: number | undefined) => Promise<CaseCommandResult>;
  /** The case as it stands now, clocks included (the fold CaseFoldCache keeps, else read). */
  readonly currentCase: (caseId: string) => Promise<FoldedCase>;
  readonly store: Pick<EventStore, 'readAll'>;
  /** The demo accounts, by username (UserStore.findByUsername). */
  readonly findAccount: (username: string) => Promise<AccountSummary | null>;
  readonly org: OrgTree;
  readonly logger: Logger;
  /** The bulletin command path; without it no bulletins are seeded. */
  readonly bulletins?: BulletinPorts;
}

export interface DemoSeedingOptions {
  /** About how many cases; 0 seeds none. */
  readonly count: number;
  readonly seed: number;
  /** The instant the year is laid out before: the real current time at start-up. */
  readonly now: Date;
  /** The demo accounts the cases are worked by. */
  readonly staff: readonly DemoStaff[];
  /** Stops between cases (shutdown during seeding). */
  readonly signal?: AbortSignal;
}

/** A suggestion's adoption as seeded, with the bulletin that carried the suggestion when one did. */
export interface SeededAdoption {
  readonly caseId: string;
  readonly level: AdoptionLevel;
  readonly kind: AdoptionKind;
  readonly at: string;
  readonly bulletinId: string | null;
}

/** An adoption the case plans made, recorded once the bulletins are out (so that it can name the one that carried the suggestion). */
interface PendingAdoption {
  readonly request: Extract<CaseCommandRequest, { type: 'AdoptSuggestion' }>;
  readonly at: number;
}

/** A published bulletin holding a case: its id, and when it came out. */
interface Carrier {
  readonly bulletinId: string;
  readonly publishedAt: number;
}

export interface DemoSeedingResult {
  /** Why nothing was seeded, when nothing was (`stopped`: shut down while another process held the seeding lock). */
  readonly skipped: 'cases_exist' | 'off' | 'no_staff' | 'stopped' | null;
  /** Cases filed. */
  readonly cases: number;
  /** The cases filed, in order: what later steps build on. */
  readonly filed: readonly SeededCase[];
  /** Bulletins published. */
  readonly bulletins: number;
  /** Plans that a refusal cut short (logged): their cases were left where the refusal found them. */
  readonly cutShort: number;
  readonly adoptions: readonly SeededAdoption[];
  /** The global position of the last event written, for waiting on the read models; 0 when none. */
  readonly lastPosition: number;
  readonly elapsedMs: number;
}

/**
 * Demo data on the first start: the demo cases, then the steps that build on them (the monthly
 * bulletins holding the suggestions), only when the cases were seeded now. Each step writes
 * through the same command path as the API, so the read models, the SLA timers and the
 * notifications follow as they would for real work. A further step goes here, after the cases,
 * taking what it needs from their result (`filed`, `adoptions`).
 */
export async function seedDemoData(ports: DemoSeedingPorts, options: DemoSeedingOptions): Promise<DemoSeedingResult> {
  const started = performance.now();
  const { pendingAdoptions, ...cases } = await seedDemoCases(ports, options);
  if (cases.skipped !== null || options.signal?.aborted) return cases;
  const published = ports.bulletins ? await seedBulletins(ports, ports.bulletins, cases.filed, options) : { count: 0, carriers: new Map<string, Carrier>(), lastPosition: 0 };
  const adoptions = await recordAdoptions(ports, pendingAdoptions, published.carriers, options.now.getTime());
  const lastPosition = Math.max(cases.lastPosition, published.lastPosition, ...adoptions.map((adoption) => adoption.position));
  return { ...cases, bulletins: published.count, adoptions: adoptions.map(({ position: _position, ...adoption }) => adoption), lastPosition, elapsedMs: performance.now() - started };
}

/** The year's bulletins, drafted and published at their times; answers which published bulletin first carried each case. */
async function seedBulletins(ports: DemoSeedingPorts, bulletins: BulletinPorts, filed: readonly SeededCase[], options: DemoSeedingOptions) {
  const carriers = new Map<string, Carrier>();
  let count = 0;
  let lastPosition = 0;
  for (const bulletin of planDemoBulletins(filed, options.staff, ports.org, options.now)) {
    const account = await ports.findAccount(bulletin.username);
    if (account === null) continue;
    try {
      const published = await bulletins.draftAndPublish(bulletin, { userId: account.id, roles: account.roles, unitId: account.unitId });
      count++;
      lastPosition = Math.max(lastPosition, published.position);
      for (const caseId of bulletin.caseIds) {
        if (!carriers.has(caseId)) carriers.set(caseId, { bulletinId: published.bulletinId, publishedAt: Date.parse(published.publishedAt) });
      }
    } catch (error) {
      if (!isRefusal(error)) throw error;
      ports.logger.warn({ unitId: bulletin.unitId, err: error }, 'a demo bulletin was refused: %s', error.message);
    }
  }
  return { count, carriers, lastPosition };
}

/**
 * The adoptions the plans made, each naming the bulletin that carried the suggestion when one
 * did: then it comes a few days after that bulletin, if that is still before now.
 */
async function recordAdoptions(ports: DemoSeedingPorts, pending: readonly PendingAdoption[], carriers: ReadonlyMap<string, Carrier>, now: number) {
  const recorded: (SeededAdoption & { position: number })[] = [];
  for (const [index, { request, at: planned }] of pending.entries()) {
    const carrier = carriers.get(request.caseId);
    // Two to six days after the issue came out: deterministic, like everything else seeded.
    const afterIssue = carrier ? Math.max(planned, carrier.publishedAt + (2 + (index % 5)) * 86_400_000) : null;
    const linked = carrier !== undefined && afterIssue !== null && afterIssue < now - MINUTE;
    const at = iso(linked ? afterIssue : planned);
    const bulletinId = linked ? carrier.bulletinId : null;
    try {
      const result = await ports.execute({ ...request, at, ...(bulletinId ? { bulletinId } : {}) }, DEMO_SEEDING_CORRELATION, undefined);
      recorded.push({ caseId: request.caseId, level: request.level, kind: request.kind, at, bulletinId, position: result.position });
    } catch (error) {
      if (!isRefusal(error)) throw error;
      ports.logger.warn({ caseId: request.caseId, err: error }, 'a demo adoption was refused: %s', error.message);
    }
  }
  return recorded;
}

/**
 * Files about a year of demo cases and carries them through their flows, when the store holds no
 * case yet (so a second start adds none; a start cut short keeps what it seeded, and the next
 * start seeds nothing more). The cases are seeded one after another, each whole: a crash leaves
 * at most one case half-way.
 *
 * Times are the plan's, never the clock's: `now` is only the end the year is laid out before.
 * The SLA clocks are honoured as the system would: a move planned after a clock's due time is
 * brought forward, unless the plan wants it late, in which case the warning and the breach are
 * recorded first at their own times by the system actor; a warning whose time has come before a
 * move is recorded at its time. So at the end no open clock of a seeded case is past due.
 */
async function seedDemoCases(ports: DemoSeedingPorts, options: DemoSeedingOptions): Promise<DemoSeedingResult & { pendingAdoptions: readonly PendingAdoption[] }> {
  const started = performance.now();
  const result = (skipped: DemoSeedingResult['skipped']) => ({ skipped, cases: 0, filed: [], bulletins: 0, cutShort: 0, adoptions: [], pendingAdoptions: [], lastPosition: 0, elapsedMs: performance.now() - started });
  if (options.count <= 0) return result('off');
  if (await anyCaseExists(ports.store)) return result('cases_exist');

  const actors = new Map<string, UserActor>();
  for (const { username } of options.staff) {
    const account = await ports.findAccount(username);
    if (account) actors.set(username, { userId: account.id, roles: account.roles, unitId: account.unitId });
  }
  const staff = options.staff.filter((member) => actors.has(member.username));
  const plans = planDemoCases({ seed: options.seed, count: options.count, now: options.now, org: ports.org, staff });
  if (plans.length === 0) return result('no_staff');

  const run = new PlanRunner(ports, actors, options.now.getTime());
  for (const plan of plans) {
    if (options.signal?.aborted) break;
    await run.plan(plan);
  }
  return { skipped: null, cases: run.filed.length, filed: run.filed, bulletins: 0, cutShort: run.cutShort, adoptions: [], pendingAdoptions: run.pendingAdoptions, lastPosition: run.lastPosition, elapsedMs: performance.now() - started };
}

/** Whether any case stream has an event: the log is read from the start until one shows up. */
async function anyCaseExists(store: Pick<EventStore, 'readAll'>): Promise<boolean> {
  const batchSize = 1_000;
  for (let after: LogPosition | null = null; ; ) {
    const batch = await store.readAll({ after, maxCount: batchSize });
    if (batch.some((event) => isCaseStream(event.streamId))) return true;
    if (batch.length < batchSize) return false;
    after = batch.at(-1)!.position;
  }
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** Runs plans through the command path, keeping each case's clocks honest. */
class PlanRunner {
  readonly filed: SeededCase[] = [];
  cutShort = 0;
  lastPosition = 0;
  readonly pendingAdoptions: PendingAdoption[] = [];
  /** Each seeded case's revision after the seeder's last move on it. */
  private readonly revisions = new Map<string, number>();

  constructor(
    private readonly ports: DemoSeedingPorts,
    private readonly actors: ReadonlyMap<string, UserActor>,
    private readonly now: number,
  ) {}

  async plan(plan: DemoCasePlan): Promise<void> {
    let previous = Date.parse(plan.filedAt);
    const caseIds = new Set<string>();
    try {
      for (const [index, step] of plan.steps.entries()) {
        caseIds.add(step.caseId);
        previous = step.kind === 'lapse' ? await this.lapse(step, previous) : await this.act(step, index === 0 ? previous : previous + step.afterMinutes * MINUTE, previous);
      }
    } catch (error) {
      // The plan no longer fits (an SLA policy file with other lengths, say), or someone else
      // moved the case meanwhile: the case stays as it is.
      if (!isRefusal(error)) throw error;
      this.cutShort++;
      this.ports.logger.warn({ caseId: plan.caseId, err: error }, 'a demo case was cut short: %s', error.message);
      for (const caseId of caseIds) this.revisions.delete(caseId);
    }
    // What the SLA timers would have done by now on the cases the plan left open.
    for (const caseId of caseIds) {
      await this.alertsUntil(caseId, this.now, new Set(), true).catch((error: unknown) => {
        if (!isRefusal(error)) throw error;
        this.ports.logger.warn({ caseId, err: error }, 'the SLA moves on a demo case were refused: %s', error.message);
      });
    }
  }

  /** One person's move, at the planned time or earlier where a clock that may not be late would run out first. */
  private async act(step: ActStep, planned: number, previous: number): Promise<number> {
    const actor = this.actor(step.username);
    let at = Math.max(Math.min(planned, this.now - MINUTE), previous + SECOND);
    const late = new Set(step.late ?? []);
    if (step.command.type !== 'FileCase') {
      const { clocks } = (await this.ports.currentCase(step.caseId)).clocks;
      for (const run of clocks) {
        if (!isOpenRun(run) || (late.has(run.clock) && run.onBreach === 'notify')) continue;
        const due = Date.parse(run.dueAt);
        // Some time between the previous move and the due time: on time, if not early.
        if (at >= due) at = Math.floor(previous + (due - previous) * 0.7);
      }
      await this.alertsUntil(step.caseId, at, late, false);
    }
    const { command } = step;
    const request = (
      command.type === 'AssignCase'
        ? { type: 'AssignCase', caseId: step.caseId, actor, at: iso(at), assignee: this.actor(command.assigneeUsername) }
        : { ...command, caseId: step.caseId, actor, at: iso(at) }
    ) as CaseCommandRequest;
    if (request.type === 'AdoptSuggestion') {
      this.pendingAdoptions.push({ request, at });
      return at;
    }
    await this.send(request);
    if (command.type === 'FileCase') this.filed.push({ caseId: step.caseId, kind: command.kind, unitId: command.unitId, filedAt: iso(at) });
    return at;
  }

  /** The clock runs out: warning, breach and escalation, each at its time; else the coordinator escalates in time. */
  private async lapse(step: LapseStep, previous: number): Promise<number> {
    const { clocks } = (await this.ports.currentCase(step.caseId)).clocks;
    const run = clocks.find((candidate) => candidate.clock === step.clock && isOpenRun(candidate));
    if (run && run.onBreach === 'escalate' && Date.parse(run.dueAt) < this.now - MINUTE) {
      return this.alertsUntil(step.caseId, Date.parse(run.dueAt) + MINUTE, new Set([step.clock]), false);
    }
    const reason = '超出办理时限仍未解决，提请上级协调。';
    return this.act({ kind: 'act', caseId: step.caseId, username: step.coordinator, afterMinutes: 0, command: { type: 'EscalateCase', reason } }, previous + 24 * 60 * MINUTE, previous);
  }

  /**
   * The system's SLA moves on the case up to `until`, oldest first, as the timers would make
   * them: warnings of running clocks, and breaches of the clocks that may run out (`late`, or
   * all of them with `everyBreach`), with the escalation that follows a breach when the policy
   * says so. Answers the time of the last move (or `until` when there was none to make).
   */
  private async alertsUntil(caseId: string, until: number, late: ReadonlySet<string>, everyBreach: boolean): Promise<number> {
    let last = until;
    // Each move may start new runs (an escalation starts the accept clock above): look again.
    for (let round = 0; round < 10; round++) {
      const folded = await this.ports.currentCase(caseId);
      if (folded.state.status === 'none') return last;
      const due = nextAlert(folded.clocks.clocks, until, (run) => everyBreach || late.has(run.clock));
      if (!due) return last;
      const { run, type, at } = due;
      const alert = { clock: run.clock, dueAt: run.dueAt, startedAtRevision: run.startedAtRevision };
      await this.send({ type, caseId, actor: SYSTEM_ACTOR, at: iso(at), ...alert });
      last = at;
      if (type === 'RecordSlaBreach' && run.onBreach === 'escalate') {
        // The escalation job runs just after the breach is recorded.
        const escalatedAt = at + 30 * SECOND;
        await this.send({ type: 'EscalateOnBreach', caseId, actor: SYSTEM_ACTOR, at: iso(escalatedAt), ...alert }).catch((error: unknown) => {
          // At the top of the tree there is nowhere to go: the breach stays on record, as with the real job.
          if (!(error instanceof DomainError)) throw error;
        });
        last = escalatedAt;
      }
    }
    return last;
  }

  private async send(command: CaseCommandRequest): Promise<void> {
    const result = await this.ports.execute(command, DEMO_SEEDING_CORRELATION, this.revisions.get(command.caseId));
    this.revisions.set(command.caseId, result.revision);
    this.lastPosition = Math.max(this.lastPosition, result.position);
  }

  private actor(username: string): Actor {
    const actor = this.actors.get(username);
    if (!actor) throw new Error(`demo account ${username} is missing`);
    return actor;
  }
}

/** The earliest SLA move due by `until`: a running clock's warning, or a breach where `mayBreach` allows. */
function nextAlert(clocks: readonly Clock[], until: number, mayBreach: (run: Clock) => boolean): { run: Clock; type: 'RaiseSlaWarning' | 'RecordSlaBreach'; at: number } | null {
  let next: { run: Clock; type: 'RaiseSlaWarning' | 'RecordSlaBreach'; at: number } | null = null;
  for (const run of clocks) {
    if (!isOpenRun(run)) continue;
    const candidates: { type: 'RaiseSlaWarning' | 'RecordSlaBreach'; at: number }[] = [];
    if (run.state === 'running') candidates.push({ type: 'RaiseSlaWarning', at: Date.parse(run.warnAt) });
    else if (run.state === 'warned' && mayBreach(run)) candidates.push({ type: 'RecordSlaBreach', at: Date.parse(run.dueAt) });
    for (const candidate of candidates) {
      if (candidate.at <= until && (next === null || candidate.at < next.at)) next = { run, ...candidate };
    }
  }
  return next;
}

/** A move the command path turned down: the case is not as the plan expected. */
function isRefusal(error: unknown): error is Error {
  return error instanceof DomainError || error instanceof WrongExpectedRevisionError;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
