import type { Pool, PoolClient } from 'pg';
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
 * Rankings of the units under a parent (API.md 社情民意): each child's figures over its subtree,
 * by the definitions of `/stats`, weighed by the policy's `rankingWeights`. At the statistics'
 * current log point they are counted off the `case_stats` read model; at an earlier point each
 * case that could count is folded again from its events up to that point, and counted by the
 * very same query, so that the two answers agree at the same point.
 */
export class UnitRankings {
  constructor(
    private readonly pool: Pool,
    private readonly org: OrgTree,
    private readonly store: EventStore,
    private readonly policy: SlaPolicy,
    private readonly calendar: WorkingCalendar,
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
   * Throws InvalidError naming `position` for a position no event has, or one the statistics
   * have not reached yet.
   */
  async ranking(parentId: string, period: ReportingPeriod, weights: RankingWeights, at?: number): Promise<UnitRanking> {
    const children = this.org.units().filter((unit) => unit.parentId === parentId);
    // Each unit below the parent, mapped to the child whose subtree holds it.
    const childOf = new Map(children.flatMap((child) => this.org.subtreeIds(child.id).map((unitId) => [unitId, child.id] as const)));
    const unitIds = [...childOf.keys()];
    const target = at === undefined ? null : await this.pointOf(at);

    // One snapshot for the checkpoint and the rows, so that the position names what was counted.
    const { point, rows } = await inTransaction(
      this.pool,
      async (client) => {
        // Compiling the aggregate costs more than it saves at this size (some 150 ms on a million rows).
        await client.query('SET LOCAL jit = off');
        const reached = await readCheckpoint(client, CASE_STATS_READ_MODEL);
        if (target && comparePositions(target, reached ?? ORIGIN) > 0) {
          throw new InvalidError('position', `position ${at} lies beyond the log point the statistics have reached (${reached?.prepare ?? 0}); ask again shortly`);
        }
        const facts = target ? await this.factsAt(client, target, unitIds, period) : null;
        return { point: target ?? reached ?? ORIGIN, rows: await this.counts(client, unitIds, period, facts) };
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );

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

  /** The full log position of the event at a global position (0: before the first event). */
  private async pointOf(at: number): Promise<LogPosition> {
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

  /**
   * The facts of the cases filed in `unitIds` within the period, as they stood at `point`: each
   * case's events up to it folded again. A case filed after it has none and drops out.
   */
  private async factsAt(client: PoolClient, point: LogPosition, unitIds: readonly string[], period: ReportingPeriod): Promise<CaseFacts[]> {
    const { rows } = await client.query<{ caseId: string }>(
      'SELECT case_id AS "caseId" FROM case_stats WHERE filed_unit_id = ANY($1::text[]) AND filed_at >= $2 AND filed_at < $3',
      [unitIds, period.from, period.to],
    );
    const facts: CaseFacts[] = [];
    for (let start = 0; start < rows.length; start += STREAMS_AT_ONCE) {
      const batch = rows.slice(start, start + STREAMS_AT_ONCE);
      const folded = await Promise.all(
        batch.map(async ({ caseId }) => {
          const events = (await this.store.readStream(caseStreamId(caseId))).filter((event) => countedByStatistics(event) && comparePositions(event.position, point) <= 0);
          return foldFacts(events, this.policy)?.facts;
        }),
      );
      for (const one of folded) if (one) facts.push(one);
    }
    return facts;
  }

  /**
   * The counts per unit and kind, off `case_stats` or, given `facts`, off those facts in its
   * columns: the query is the same either way.
   */
  private async counts(
    client: PoolClient,
    unitIds: readonly string[],
    period: ReportingPeriod,
    facts: readonly CaseFacts[] | null,
  ): Promise<(CaseCounts & { unitId: string })[]> {
    // The facts of a past position stand in for the table under its own name.
    const asOf = facts
      ? `WITH case_stats AS (
           SELECT * FROM json_to_recordset($5::json) AS r(filed_unit_id text, filed_at timestamptz, kind text, accepted boolean,
                  accepted_on_time boolean, accept_breached boolean, resolved boolean, resolved_on_time boolean, annotated boolean,
                  feedback_count integer, latest_satisfaction text, latest_self_rating text))`
      : '';
    const { rows } = await client.query<CaseCounts & { unitId: string }>(
      `${asOf}
       SELECT filed_unit_id AS "unitId", '' AS month, kind, ${caseCountColumns('$4')}
         FROM case_stats
        WHERE filed_unit_id = ANY($1::text[]) AND filed_at >= $2 AND filed_at < $3
        GROUP BY filed_unit_id, kind`,
      [
        unitIds,
        period.from,
        period.to,
        SATISFIED,
        ...(facts ? [JSON.stringify(facts.map(factsRow))] : []),
      ],
    );
    return rows;
  }
}

/** The columns of `case_stats` that the counts read. */
function factsRow(facts: CaseFacts) {
  return {
    filed_unit_id: facts.filedUnitId,
    filed_at: facts.filedAt,
    kind: facts.kind,
    accepted: facts.accepted,
    accepted_on_time: facts.acceptedOnTime,
    accept_breached: facts.acceptBreached,
    resolved: facts.resolved,
    resolved_on_time: facts.resolvedOnTime,
    annotated: facts.annotated,
    feedback_count: facts.feedbackCount,
    latest_satisfaction: facts.latestSatisfaction,
    latest_self_rating: facts.latestSelfRating,
  };
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
