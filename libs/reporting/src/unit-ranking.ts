import type { Pool } from 'pg';
import { caseStreamId } from '#cases';
import { inTransaction } from '#database';
import { InvalidError, parseRankingWeights, type OrgTree, type RankingWeights, type SlaPolicy, type UserActor, type WorkingCalendar } from '#domain';
import { comparePositions, type EventStore, type LogPosition } from '#event-store';
import { readCheckpoint } from '#projections';
import { foldFacts, type CaseFacts } from './case-facts.js';
import { caseCountColumns, reportUnit, SATISFIED } from './case-statistics.js';
import { CASE_STATS_READ_MODEL, countedByStatistics } from './case-stats.projection.js';
import { rankUnits, type RankedUnit } from './ranking.js';
import { resolvePeriod, type ReportingPeriod } from './reporting-period.js';
import { figuresOf, type CaseCounts } from './statistics.js';

/** The ranking of a unit's children, and the log point its figures were computed at. */
export interface UnitRanking {
  readonly parentId: string;
  readonly from: string;
  readonly to: string;
  /** The global position of the last event the figures include (0 before the first). */
  readonly position: number;
  /** The hash of the event at `position` (null before the first): whoever kept it can check that log point later. */
  readonly anchor: string | null;
  /** The weights the scores were computed with. */
  readonly weights: RankingWeights;
  readonly units: readonly RankedUnit[];
}

/** What a reader asks a ranking for, as the query gives it. */
export interface RankingRequest {
  readonly parentId?: string;
  readonly from?: string;
  readonly to?: string;
  /** `rate:weight` pairs separated by commas; the rates left out keep the policy's weights. */
  readonly weights?: string;
}

/** The point before the first event: position 0, included in every read model. */
const ORIGIN: LogPosition = { commit: 0n, prepare: 0n };

/** Cases read from the log at once when recomputing at a past position. */
const STREAMS_AT_ONCE = 16;

/**
 * The most cases a ranking at a position folds again from their events (README "Unit rankings"):
 * a parent and period with more are refused, naming `position`, rather than read for minutes.
 */
export const MAX_RECOMPUTED_CASES = 50_000;

/**
 * Rankings of the units under a parent (API.md 社情民意): each child's figures over its subtree,
 * by the definitions of `/stats`, weighed by the policy's `rankingWeights`. At the statistics'
 * current log point they are counted off the `case_stats` read model; at an earlier point each
 * case that could count is folded again from its events up to that point, and counted by
 * `countFacts`, what `caseCountColumns` counts, so that the two answers agree at the same point.
 */
export class UnitRankings {
  constructor(
    private readonly pool: Pool,
    private readonly org: OrgTree,
    private readonly store: EventStore,
    private readonly policy: SlaPolicy,
    private readonly calendar: WorkingCalendar,
    private readonly maxRecomputedCases = MAX_RECOMPUTED_CASES,
  ) {}

  /** The parent, period and weights of a ranking as a reader asks for it; the parent must lie in their subtree, as for `/stats`. */
  scope(reader: UserActor, request: RankingRequest, now: Date): { parentId: string; period: ReportingPeriod; weights: RankingWeights } {
    const parentId = reportUnit(reader, request.parentId, this.org);
    const period = resolvePeriod(request, now, this.calendar);
    const weights = request.weights === undefined ? this.policy.rankingWeights : parseRankingWeights(weightsOf(request.weights), 'weights', this.policy.rankingWeights);
    return { parentId, period, weights };
  }

  /**
   * The ranking now, or as of the event at global position `at` (events after it ignored).
   * Throws InvalidError naming `position` for a position no event has, one the statistics have
   * not reached yet, or one that would fold more than the cap of cases again.
   */
  async ranking(parentId: string, period: ReportingPeriod, weights: RankingWeights, at?: number): Promise<UnitRanking> {
    const children = this.org.units().filter((unit) => unit.parentId === parentId);
    // Each unit below the parent, mapped to the child whose subtree holds it.
    const childOf = new Map(children.flatMap((child) => this.org.subtreeIds(child.id).map((unitId) => [unitId, child.id] as const)));
    const unitIds = [...childOf.keys()];
    const { point, rows } = at === undefined ? await this.countsNow(unitIds, period) : await this.countsAt(await this.pointOf(at), unitIds, period);

    const units = rankUnits(
      children.map((child) => {
        const figures = figuresOf(
          rows.filter((row) => childOf.get(row.unitId) === child.id),
          [],
        );
        const { responseRate, resolutionRate, satisfactionRate, onTimeRate } = figures;
        return { unitId: child.id, name: child.name, filed: figures.filed.total, responseRate, resolutionRate, satisfactionRate, onTimeRate };
      }),
      weights,
    );
    return {
      parentId,
      from: this.calendar.format(period.from),
      to: this.calendar.format(period.to),
      position: Number(point.prepare),
      anchor: point === ORIGIN ? null : await this.hashAt(point),
      weights,
      units,
    };
  }

  /**
   * The full log position of the event at a global position (0: before the first event). Throws
   * InvalidError naming `position` for a position no event has: cheap, so asked before any wait.
   */
  async pointOf(at: number): Promise<LogPosition> {
    if (at === 0) return ORIGIN;
    const point = await this.store.positionOf(at);
    if (!point) throw new InvalidError('position', `no event has global position ${at}`);
    return point;
  }

  /** The hash of the event at a log point the statistics have passed. */
  private async hashAt(point: LogPosition): Promise<string> {
    // Nothing lies between (commit, prepare − 1) and (commit, prepare): the next event is the one at the point.
    const [event] = await this.store.readAll({ after: { commit: point.commit, prepare: point.prepare - 1n }, maxCount: 1 });
    if (!event || comparePositions(event.position, point) !== 0) throw new Error(`the event at global position ${point.prepare} could not be read`);
    return event.hash;
  }

  /** The counts per unit and kind off `case_stats`, and the log point they include: one snapshot for both. */
  private countsNow(unitIds: readonly string[], period: ReportingPeriod): Promise<{ point: LogPosition; rows: UnitCaseCounts[] }> {
    return inTransaction(
      this.pool,
      async (client) => {
        // Compiling the aggregate costs more than it saves at this size (some 150 ms on a million rows).
        await client.query('SET LOCAL jit = off');
        const reached = await readCheckpoint(client, CASE_STATS_READ_MODEL);
        const { rows } = await client.query<UnitCaseCounts>(
          `SELECT filed_unit_id AS "unitId", '' AS month, kind, ${caseCountColumns('$4')}
             FROM case_stats
            WHERE filed_unit_id = ANY($1::text[]) AND filed_at >= $2 AND filed_at < $3
            GROUP BY filed_unit_id, kind`,
          [unitIds, period.from, period.to, SATISFIED],
        );
        return { point: reached ?? ORIGIN, rows };
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  /**
   * The counts per unit and kind as they stood at `point`: each case filed in `unitIds` within the
   * period is folded again from its events up to it (a case filed after it has none and drops
   * out) and counted as it is folded. Only the candidates are read in a transaction; the folding
   * holds no connection between reads.
   */
  private async countsAt(point: LogPosition, unitIds: readonly string[], period: ReportingPeriod): Promise<{ point: LogPosition; rows: UnitCaseCounts[] }> {
    const caseIds = await this.candidatesAt(point, unitIds, period);
    const counts = new CaseCounter(new Set(unitIds), period);
    for (let start = 0; start < caseIds.length; start += STREAMS_AT_ONCE) {
      const folded = await Promise.all(
        caseIds.slice(start, start + STREAMS_AT_ONCE).map(async (caseId) => {
          const events = (await this.store.readStream(caseStreamId(caseId))).filter((event) => countedByStatistics(event) && comparePositions(event.position, point) <= 0);
          return foldFacts(events, this.policy)?.facts;
        }),
      );
      for (const facts of folded) if (facts) counts.add(facts);
    }
    return { point, rows: counts.rows() };
  }

  /**
   * The cases that may count at `point`: those `case_stats` holds as filed in `unitIds` within the
   * period, once the statistics have reached `point` (it holds every case filed by then). Throws
   * InvalidError naming `position` when they have not, or when there are more than the cap.
   */
  private async candidatesAt(point: LogPosition, unitIds: readonly string[], period: ReportingPeriod): Promise<string[]> {
    return inTransaction(
      this.pool,
      async (client) => {
        const reached = await readCheckpoint(client, CASE_STATS_READ_MODEL);
        if (comparePositions(point, reached ?? ORIGIN) > 0) {
          throw new InvalidError('position', `position ${point.prepare} lies beyond the log point the statistics have reached (${reached?.prepare ?? 0}); ask again shortly`);
        }
        const { rows } = await client.query<{ caseId: string }>(
          'SELECT case_id AS "caseId" FROM case_stats WHERE filed_unit_id = ANY($1::text[]) AND filed_at >= $2 AND filed_at < $3 LIMIT $4',
          [unitIds, period.from, period.to, this.maxRecomputedCases + 1],
        );
        if (rows.length > this.maxRecomputedCases) {
          throw new InvalidError(
            'position',
            `a ranking at a position is computed again from the events of at most ${this.maxRecomputedCases} cases, and this parent and period hold more; leave out position, or narrow the period or the parent`,
          );
        }
        return rows.map((row) => row.caseId);
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }
}

/** The counts of one unit and kind (`month` empty: a ranking counts the whole period). */
type UnitCaseCounts = CaseCounts & { readonly unitId: string };

/**
 * The counts per unit and kind of cases' facts, as `caseCountColumns` counts `case_stats` rows
 * (same filter, same definitions), kept as running sums so that no case's facts stay in memory.
 */
class CaseCounter {
  private readonly byUnitAndKind = new Map<string, { -readonly [Count in keyof UnitCaseCounts]: UnitCaseCounts[Count] }>();

  constructor(
    private readonly unitIds: ReadonlySet<string>,
    private readonly period: ReportingPeriod,
  ) {}

  add(facts: CaseFacts): void {
    const filedAt = new Date(facts.filedAt).getTime();
    if (!this.unitIds.has(facts.filedUnitId) || filedAt < this.period.from.getTime() || filedAt >= this.period.to.getTime()) return;
    const key = `${facts.filedUnitId}\n${facts.kind}`;
    let row = this.byUnitAndKind.get(key);
    if (!row) {
      row = { unitId: facts.filedUnitId, month: '', kind: facts.kind, filed: 0, accepted: 0, acceptedOnTime: 0, acceptedOrBreached: 0, resolved: 0, resolvedOnTime: 0, annotated: 0, withFeedback: 0, satisfied: 0, selfRated: 0, selfRatedSatisfied: 0 };
      this.byUnitAndKind.set(key, row);
    }
    const satisfied = (level: string | null) => level !== null && (SATISFIED as readonly string[]).includes(level);
    row.filed += 1;
    row.accepted += Number(facts.accepted);
    row.acceptedOnTime += Number(facts.acceptedOnTime);
    row.acceptedOrBreached += Number(facts.accepted || facts.acceptBreached);
    row.resolved += Number(facts.resolved);
    row.resolvedOnTime += Number(facts.resolvedOnTime);
    row.annotated += Number(facts.annotated);
    row.withFeedback += Number(facts.feedbackCount > 0);
    row.satisfied += Number(satisfied(facts.latestSatisfaction));
    row.selfRated += Number(facts.latestSelfRating !== null);
    row.selfRatedSatisfied += Number(satisfied(facts.latestSelfRating));
  }

  rows(): UnitCaseCounts[] {
    return [...this.byUnitAndKind.values()];
  }
}

/**
 * `?weights=responseRate:0.4,onTimeRate:0.1` as an object for parseRankingWeights, which checks
 * the rates and values; a weight that is no plain decimal stays text so that it is refused there.
 */
function weightsOf(text: string): Record<string, unknown> {
  const weights: Record<string, unknown> = {};
  for (const pair of text.split(',')) {
    const match = /^([A-Za-z]+):(.*)$/.exec(pair.trim());
    if (!match) throw new InvalidError('weights', `weights: expected rate:weight pairs separated by commas, e.g. responseRate:0.4,resolutionRate:0.2 (got ${JSON.stringify(pair)})`);
    const [, rate, value] = match as unknown as [string, string, string];
    if (Object.hasOwn(weights, rate)) throw new InvalidError(`weights.${rate}`, `weights.${rate}: given twice`);
    weights[rate] = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  }
  return weights;
}
