import { CASE_KINDS, type CaseKind } from '#domain';

/** How many cases of one kind, filed in one month, have each fact that a figure counts. */
export interface CaseCounts {
  /** `YYYY-MM` of the filing, in the reporting time zone. */
  readonly month: string;
  readonly kind: CaseKind;
  readonly filed: number;
  readonly accepted: number;
  readonly acceptedOnTime: number;
  /** Accepted, or with a breached accept clock: what the response rate is out of. */
  readonly acceptedOrBreached: number;
  readonly resolved: number;
  readonly resolvedOnTime: number;
  readonly annotated: number;
  /** With at least one feedback recorded. */
  readonly withFeedback: number;
  /** Whose latest feedback is satisfied or basically satisfied. */
  readonly satisfied: number;
  /** Rated by the filer themselves through the public channel. */
  readonly selfRated: number;
  /** Whose latest self-rating is satisfied or basically satisfied. */
  readonly selfRatedSatisfied: number;
}

export type ByKind = Record<CaseKind, number>;

export interface MonthFigures {
  readonly month: string;
  readonly filed: number;
  readonly resolved: number;
  readonly annotated: number;
  readonly byKind: ByKind;
}

/** The figures of API.md § Statistics, plus a month-by-month series. Rates are in [0, 1], null when out of nothing. */
export interface Figures {
  readonly filed: { readonly total: number; readonly byKind: ByKind };
  readonly resolved: number;
  readonly disputesResolved: number;
  readonly annotated: number;
  /** Accepted within the accept clock / accepted or breached the accept clock. */
  readonly responseRate: number | null;
  /** Reached resolved / accepted. */
  readonly resolutionRate: number | null;
  /** (Satisfied + basically satisfied) / with feedback, by each case's latest feedback. */
  readonly satisfactionRate: number | null;
  /** The same over the filers' own ratings through the public channel only (their latest each). */
  readonly selfRatedSatisfactionRate: number | null;
  /** Resolved within the resolve clock / resolved. */
  readonly onTimeRate: number | null;
  /** Every month of the period, oldest first, zero when nothing was filed. */
  readonly byMonth: readonly MonthFigures[];
}

/** Sums the counts of a period into its figures; `months` are the months the period touches. */
export function figuresOf(counts: readonly CaseCounts[], months: readonly string[]): Figures {
  const total = (pick: (row: CaseCounts) => number, rows: readonly CaseCounts[] = counts) => rows.reduce((sum, row) => sum + pick(row), 0);
  return {
    filed: { total: total((row) => row.filed), byKind: byKind(counts) },
    resolved: total((row) => row.resolved),
    disputesResolved: total((row) => (row.kind === 'dispute' ? row.resolved : 0)),
    annotated: total((row) => row.annotated),
    responseRate: rate(total((row) => row.acceptedOnTime), total((row) => row.acceptedOrBreached)),
    resolutionRate: rate(total((row) => row.resolved), total((row) => row.accepted)),
    satisfactionRate: rate(total((row) => row.satisfied), total((row) => row.withFeedback)),
    selfRatedSatisfactionRate: rate(total((row) => row.selfRatedSatisfied), total((row) => row.selfRated)),
    onTimeRate: rate(total((row) => row.resolvedOnTime), total((row) => row.resolved)),
    byMonth: months.map((month) => {
      const rows = counts.filter((row) => row.month === month);
      return {
        month,
        filed: total((row) => row.filed, rows),
        resolved: total((row) => row.resolved, rows),
        annotated: total((row) => row.annotated, rows),
        byKind: byKind(rows),
      };
    }),
  };
}

/** A share in [0, 1]; null when there is nothing to take it of. */
export function rate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Cases filed per kind, every kind present. */
function byKind(rows: readonly CaseCounts[]): ByKind {
  const counts = Object.fromEntries(CASE_KINDS.map((kind) => [kind, 0])) as ByKind;
  for (const row of rows) counts[row.kind] += row.filed;
  return counts;
}
