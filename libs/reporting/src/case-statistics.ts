import type { Pool } from 'pg';
import type { UserStore } from '#accounts';
import { ForbiddenError, hasRole, NotFoundError, SATISFACTION_LEVELS, type AdoptionPoints, type OrgTree, type Role, type UserActor, type WorkingCalendar } from '#domain';
import { ADOPTED_OUTCOMES, appraise, clerksWithin, tallyAdoptions, type AdoptionCount, type ClerkAppraisal, type FilerCounts } from './appraisal.js';
import { monthsOf, resolvePeriod, type ReportingPeriod } from './reporting-period.js';
import { figuresOf, type CaseCounts, type Figures } from './statistics.js';

/** Who may read statistics and appraisals (within their unit's subtree). */
const REPORT_READER_ROLES: readonly Role[] = ['coordinator', 'leader', 'auditor', 'admin'];

/** The feedback answers that count as satisfied. */
export const SATISFIED = SATISFACTION_LEVELS.filter((level) => level !== 'unsatisfied');

/**
 * The counts of CaseCounts (all but month and kind) over `case_stats` rows, or rows of its
 * columns: the one definition of what each figure counts. `satisfied` is the query parameter
 * holding SATISFIED.
 */
export function caseCountColumns(satisfied: string): string {
  return `count(*)::int AS filed,
          count(*) FILTER (WHERE accepted)::int AS "accepted",
          count(*) FILTER (WHERE accepted_on_time)::int AS "acceptedOnTime",
          count(*) FILTER (WHERE accepted OR accept_breached)::int AS "acceptedOrBreached",
          count(*) FILTER (WHERE resolved)::int AS "resolved",
          count(*) FILTER (WHERE resolved_on_time)::int AS "resolvedOnTime",
          count(*) FILTER (WHERE annotated)::int AS "annotated",
          count(*) FILTER (WHERE feedback_count > 0)::int AS "withFeedback",
          count(*) FILTER (WHERE latest_satisfaction = ANY(${satisfied}::text[]))::int AS "satisfied",
          count(*) FILTER (WHERE latest_self_rating IS NOT NULL)::int AS "selfRated",
          count(*) FILTER (WHERE latest_self_rating = ANY(${satisfied}::text[]))::int AS "selfRatedSatisfied"`;
}

/** A report's heading: the unit whose subtree it covers and its period, times in the reporting time zone. */
export interface ReportScope {
  readonly unitId: string;
  readonly from: string;
  readonly to: string;
}

/**
 * The unit a report covers: `requested`, or the reader's own unit. Throws ForbiddenError for a
 * reader without a reporting role or a unit outside their subtree, NotFoundError for an unknown unit.
 */
export function reportUnit(reader: UserActor, requested: string | undefined, org: OrgTree): string {
  if (!REPORT_READER_ROLES.some((role) => hasRole(reader, role))) {
    throw new ForbiddenError(`statistics are for ${REPORT_READER_ROLES.join(', ')}`);
  }
  const unitId = requested ?? reader.unitId;
  if (!org.has(unitId)) throw new NotFoundError('unit', unitId);
  if (!org.isWithin(unitId, reader.unitId)) throw new ForbiddenError(`unit ${unitId} lies outside your unit's subtree (${reader.unitId})`);
  return unitId;
}

/**
 * Statistics and the information officers' appraisal, over the `case_stats` read model: the
 * cases filed in a unit's subtree within a period, months in the reporting calendar's time zone.
 */
export class CaseStatistics {
  constructor(
    private readonly pool: Pool,
    private readonly org: OrgTree,
    private readonly users: UserStore,
    private readonly calendar: WorkingCalendar,
    /** The policy's table, read at report time: the appraisal follows the policy in force. */
    private readonly adoptionPoints: AdoptionPoints,
  ) {}

  /** The unit and period of a report as a reader asks for it (see reportUnit and resolvePeriod). */
  scope(reader: UserActor, query: { readonly unitId?: string; readonly from?: string; readonly to?: string }, now: Date): { unitId: string; period: ReportingPeriod } {
    const unitId = reportUnit(reader, query.unitId, this.org);
    return { unitId, period: resolvePeriod(query, now, this.calendar) };
  }

  async figures(unitId: string, period: ReportingPeriod): Promise<ReportScope & Figures> {
    const { rows } = await this.pool.query<CaseCounts>(
      `SELECT to_char(filed_at AT TIME ZONE $4, 'YYYY-MM') AS month, kind,
              ${caseCountColumns('$5')}
         FROM case_stats
        WHERE filed_unit_id = ANY($1::text[]) AND filed_at >= $2 AND filed_at < $3
        GROUP BY 1, 2`,
      [this.org.subtreeIds(unitId), period.from, period.to, this.calendar.timezone, SATISFIED],
    );
    return { ...this.heading(unitId, period), ...figuresOf(rows, monthsOf(period, this.calendar)) };
  }

  async appraisal(unitId: string, period: ReportingPeriod): Promise<ReportScope & { clerks: ClerkAppraisal[] }> {
    const clerks = clerksWithin(await this.users.list(), unitId, this.org);
    const { rows } = await this.pool.query<FilerCounts & { filedBy: string }>(
      `SELECT filed_by AS "filedBy",
              count(*)::int AS filed,
              count(*) FILTER (WHERE accepted)::int AS accepted,
              count(*) FILTER (WHERE annotated)::int AS annotated,
              count(*) FILTER (WHERE kind = 'suggestion' AND resolved AND outcome = ANY($5::text[]))::int AS adopted
         FROM case_stats
        WHERE filed_unit_id = ANY($1::text[]) AND filed_at >= $2 AND filed_at < $3 AND filed_by = ANY($4::text[])
        GROUP BY filed_by`,
      [this.org.subtreeIds(unitId), period.from, period.to, clerks.map((clerk) => clerk.id), ADOPTED_OUTCOMES],
    );
    // Adoptions count in the period they were recorded in, whenever their case was filed.
    const { rows: adoptions } = await this.pool.query<AdoptionCount>(
      `SELECT s.filed_by AS "filedBy", a.kind, a.level, count(*)::int AS count
         FROM case_stats_adoptions a JOIN case_stats s ON s.case_id = a.case_id
        WHERE s.filed_unit_id = ANY($1::text[]) AND a.adopted_at >= $2 AND a.adopted_at < $3 AND s.filed_by = ANY($4::text[])
        GROUP BY 1, 2, 3`,
      [this.org.subtreeIds(unitId), period.from, period.to, clerks.map((clerk) => clerk.id)],
    );
    const counts = new Map(rows.map(({ filedBy, ...counts }) => [filedBy, counts]));
    return { ...this.heading(unitId, period), clerks: appraise(clerks, counts, tallyAdoptions(adoptions, this.adoptionPoints)) };
  }

  private heading(unitId: string, period: ReportingPeriod): ReportScope {
    return { unitId, from: this.calendar.format(period.from), to: this.calendar.format(period.to) };
  }
}
