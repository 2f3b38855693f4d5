import type { Pool } from 'pg';
import type { CaseKind, OrgTree, WorkingCalendar } from '#domain';

export interface Hotspot {
  readonly term: string;
  readonly kind: CaseKind;
  /** The unit the cases were filed at: a grid, a community, or a unit higher up where they were filed there. */
  readonly unitId: string;
  /** Cases filed in the period that mention the term. */
  readonly count: number;
  /** The same in the period of as many days just before. */
  readonly previousCount: number;
}

/** Local days `[from, to)`, `YYYY-MM-DD` in the reporting calendar's time zone. */
export interface DayRange {
  readonly from: string;
  readonly to: string;
}

/**
 * The most frequent topic terms of the cases filed in a unit's subtree, by filing unit and kind,
 * from the hotspots read model. Counts are kept per local day, so a period is counted in whole
 * days: its start is taken back to the start of its day, its end forward to the end of its day
 * (a default end of now thus counts all of today's cases so far).
 */
export class Hotspots {
  constructor(
    private readonly pool: Pool,
    private readonly org: OrgTree,
    private readonly calendar: WorkingCalendar,
  ) {}

  async top(unitId: string, period: { readonly from: Date; readonly to: Date }, limit: number): Promise<Hotspot[]> {
    const current = this.days(period);
    const previous = precedingDays(current);
    const parts = [splitIntoMonths(previous), splitIntoMonths(current)];
    const { rows } = await this.pool.query<Hotspot>(
      `SELECT term, kind, unit_id AS "unitId",
              sum(count) FILTER (WHERE current)::int AS count,
              COALESCE(sum(count) FILTER (WHERE NOT current), 0)::int AS "previousCount"
         FROM (SELECT unit_id, kind, term, count, day >= $3::date AS current
                 FROM hotspot_days WHERE unit_id = ANY($1::text[]) AND day = ANY($2::date[])
               UNION ALL
               SELECT unit_id, kind, term, count, month >= $3::date AS current
                 FROM hotspot_months WHERE unit_id = ANY($1::text[]) AND month = ANY($4::date[])) AS counts
        GROUP BY term, kind, unit_id
       HAVING sum(count) FILTER (WHERE current) > 0
        ORDER BY count DESC, term, unit_id, kind
        LIMIT $5`,
      [this.org.subtreeIds(unitId), parts.flatMap((part) => part.days), current.from, parts.flatMap((part) => part.months), limit],
    );
    return rows;
  }

  /** The local days a period touches: from the day of its start to the end of the day of its end. */
  days(period: { readonly from: Date; readonly to: Date }): DayRange {
    const { calendar } = this;
    const lastDay = calendar.localDateOf(period.to);
    const to = calendar.startOfDay(lastDay).getTime() === period.to.getTime() ? lastDay : addDays(lastDay, 1);
    return { from: calendar.localDateOf(period.from), to };
  }
}

/** The range of as many days just before. */
export function precedingDays(range: DayRange): DayRange {
  const length = daysBetween(range.from, range.to);
  return { from: addDays(range.from, -length), to: range.from };
}

/** A range as the whole months inside it (their first days) and the days left over at either end. */
export function splitIntoMonths(range: DayRange): { days: string[]; months: string[] } {
  const days: string[] = [];
  const months: string[] = [];
  let day = range.from;
  while (day < range.to) {
    const nextMonth = firstOfNextMonth(day);
    if (day.endsWith('-01') && nextMonth <= range.to) {
      months.push(day);
      day = nextMonth;
    } else {
      days.push(day);
      day = addDays(day, 1);
    }
  }
  return { days, months };
}

const DAY_MS = 86_400_000;

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

function firstOfNextMonth(day: string): string {
  const [year, month] = day.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10);
}
