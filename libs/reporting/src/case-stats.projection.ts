import type { PoolClient } from 'pg';
import type { AdoptionKind, AdoptionLevel, CaseClocks, ExistingCase, SlaPolicy } from '#domain';
import { freshCaseEvents } from '#cases';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#projections';
import { foldFacts, type CaseFacts, type CaseWithFacts } from './case-facts.js';

/** The name of the statistics read model (its checkpoint key). */
export const CASE_STATS_READ_MODEL = 'case-stats';

/** Notes count for nothing in the statistics: they are left out of the fold the facts come from. */
export function countedByStatistics(event: RecordedEvent): boolean {
  return event.type !== 'NoteAdded';
}

/**
 * The statistics read model: one `case_stats` row per case with the facts the figures count
 * (see CaseFacts), plus the case's fold (state and clocks) so that the next event continues it.
 * Each adoption of a case is a `case_stats_adoptions` row, for the appraisal to count by when it
 * was recorded. Notes count for nothing here, so the fold is kept without them (they are what
 * makes a case grow without bound) and a batch of notes alone is not applied at all.
 * Table and index names are unqualified and created only when missing, so that a rebuild can fill
 * the table in another schema (through `search_path`) and swap it in.
 */
export class CaseStatsProjection implements Projection {
  readonly name = CASE_STATS_READ_MODEL;
  /** 2: json state and clocks (1 had jsonb); 3: the latest self-rating of the public channel; 4: adoptions, and an index covering the counts. */
  readonly version = 4;
  readonly tables = ['case_stats', 'case_stats_adoptions'];
  readonly rowsFollowStreams = true;
  /**
   * One lane only, though its rows follow streams: the unit ranking reads the table with its
   * checkpoint as the one log point the counts stand at, and lanes stand at several.
   */
  readonly runsInLanes = false;

  constructor(private readonly policy: SlaPolicy) {}

  handles(event: RecordedEvent): boolean {
    return countedByStatistics(event);
  }

  async migrate(client: PoolClient): Promise<void> {
    await client.query(`
      CREATE TABLE IF NOT EXISTS case_stats (
        case_id             uuid PRIMARY KEY,
        number              text NOT NULL,
        kind                text NOT NULL,
        filed_unit_id       text NOT NULL,
        filed_by            text NOT NULL,
        filed_at            timestamptz NOT NULL,
        accepted            boolean NOT NULL,
        accepted_on_time    boolean NOT NULL,
        accept_breached     boolean NOT NULL,
        resolved            boolean NOT NULL,
        resolved_on_time    boolean NOT NULL,
        outcome             text,
        annotated           boolean NOT NULL,
        latest_satisfaction text,
        feedback_count      integer NOT NULL,
        latest_self_rating  text,
        units_visited       text[] NOT NULL,
        revision            integer NOT NULL,
        state               json NOT NULL,
        clocks              json NOT NULL
      );
      -- With every column the figures count, so that a whole city's figures are read off the index alone.
      CREATE INDEX IF NOT EXISTS case_stats_unit_filed ON case_stats (filed_unit_id, filed_at)
        INCLUDE (kind, accepted, accepted_on_time, accept_breached, resolved, resolved_on_time, annotated, feedback_count, latest_satisfaction, latest_self_rating);
      CREATE INDEX IF NOT EXISTS case_stats_filer_filed ON case_stats (filed_by, filed_at);
      CREATE TABLE IF NOT EXISTS case_stats_adoptions (
        case_id    uuid NOT NULL,
        ordinal    integer NOT NULL,
        kind       text NOT NULL,
        level      text NOT NULL,
        adopted_at timestamptz NOT NULL,
        PRIMARY KEY (case_id, ordinal)
      );
      CREATE INDEX IF NOT EXISTS case_stats_adoptions_at ON case_stats_adoptions (adopted_at);`);
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query('TRUNCATE case_stats, case_stats_adoptions');
  }

  async apply(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    // Notes are left out here as well as by the runner, so that a row is the same however the log was batched.
    const counted = events.filter((event) => this.handles(event));
    const cases = await freshCaseEvents(counted, async (caseIds) => {
      const { rows } = await client.query<StoredRow>(`SELECT ${FACT_COLUMNS}, revision, state, clocks FROM case_stats WHERE case_id = ANY($1::uuid[])`, [caseIds]);
      return rows;
    });

    const changed: StatsRow[] = [];
    const adoptions: AdoptionRow[] = [];
    for (const { stored: row, fresh } of cases) {
      const before = row && { folded: { state: row.state, clocks: row.clocks, revision: row.revision }, facts: factsOf(row) };
      // A row written before adoptions were folded has no list.
      const adoptedBefore = row?.state.adoptions?.length ?? 0;
      const after = foldFacts(fresh, this.policy, before);
      if (!after) continue;
      changed.push(statsRow(after));
      after.folded.state.adoptions.slice(adoptedBefore).forEach(({ kind, level, at }, index) => {
        adoptions.push({ case_id: after.facts.caseId, ordinal: adoptedBefore + index, kind, level, adopted_at: at });
      });
    }
    if (changed.length === 0) return;

    if (adoptions.length > 0) {
      await client.query(
        `INSERT INTO case_stats_adoptions (case_id, ordinal, kind, level, adopted_at)
         SELECT case_id, ordinal, kind, level, adopted_at
           FROM json_to_recordset($1::json) AS r(case_id uuid, ordinal integer, kind text, level text, adopted_at timestamptz)
         ON CONFLICT (case_id, ordinal) DO NOTHING`,
        [JSON.stringify(adoptions)],
      );
    }

    await client.query(
      `INSERT INTO case_stats (${FACT_COLUMNS}, revision, state, clocks)
       SELECT ${FACT_COLUMNS}, revision, state, clocks
         FROM json_to_recordset($1::json) AS r(case_id uuid, number text, kind text, filed_unit_id text, filed_by text,
              filed_at timestamptz, accepted boolean, accepted_on_time boolean, accept_breached boolean, resolved boolean,
              resolved_on_time boolean, outcome text, annotated boolean, latest_satisfaction text, feedback_count integer,
              latest_self_rating text, units_visited text[], revision integer, state json, clocks json)
       ON CONFLICT (case_id) DO UPDATE SET
         accepted = EXCLUDED.accepted, accepted_on_time = EXCLUDED.accepted_on_time, accept_breached = EXCLUDED.accept_breached,
         resolved = EXCLUDED.resolved, resolved_on_time = EXCLUDED.resolved_on_time, outcome = EXCLUDED.outcome,
         annotated = EXCLUDED.annotated, latest_satisfaction = EXCLUDED.latest_satisfaction, feedback_count = EXCLUDED.feedback_count, latest_self_rating = EXCLUDED.latest_self_rating,
         units_visited = EXCLUDED.units_visited, revision = EXCLUDED.revision, state = EXCLUDED.state, clocks = EXCLUDED.clocks
       WHERE case_stats.revision < EXCLUDED.revision`,
      [JSON.stringify(changed)],
    );
  }
}

const FACT_COLUMNS =
  'case_id, number, kind, filed_unit_id, filed_by, filed_at, accepted, accepted_on_time, accept_breached, resolved, ' +
  'resolved_on_time, outcome, annotated, latest_satisfaction, feedback_count, latest_self_rating, units_visited';

/** A `case_stats` row as written (times as ISO text). */
interface StatsRow {
  case_id: string;
  number: string;
  kind: CaseFacts['kind'];
  filed_unit_id: string;
  filed_by: string;
  filed_at: string;
  accepted: boolean;
  accepted_on_time: boolean;
  accept_breached: boolean;
  resolved: boolean;
  resolved_on_time: boolean;
  outcome: CaseFacts['outcome'];
  annotated: boolean;
  latest_satisfaction: CaseFacts['latestSatisfaction'];
  feedback_count: number;
  latest_self_rating: CaseFacts['latestSelfRating'];
  units_visited: readonly string[];
  revision: number;
  state: ExistingCase;
  clocks: CaseClocks;
}

/** A `case_stats_adoptions` row: one adoption of a case, counted in the appraisal of whoever filed it. */
interface AdoptionRow {
  case_id: string;
  /** The adoption's place in the case's list, from 0. */
  ordinal: number;
  kind: AdoptionKind;
  level: AdoptionLevel;
  adopted_at: string;
}

/** A `case_stats` row as read back (pg parses timestamptz into a Date). */
type StoredRow = Omit<StatsRow, 'filed_at'> & { filed_at: Date };

function statsRow({ facts, folded: { state, clocks, revision } }: CaseWithFacts): StatsRow {
  return {
    case_id: facts.caseId,
    number: facts.number,
    kind: facts.kind,
    filed_unit_id: facts.filedUnitId,
    filed_by: facts.filedBy,
    filed_at: facts.filedAt,
    accepted: facts.accepted,
    accepted_on_time: facts.acceptedOnTime,
    accept_breached: facts.acceptBreached,
    resolved: facts.resolved,
    resolved_on_time: facts.resolvedOnTime,
    outcome: facts.outcome,
    annotated: facts.annotated,
    latest_satisfaction: facts.latestSatisfaction,
    feedback_count: facts.feedbackCount,
    latest_self_rating: facts.latestSelfRating,
    units_visited: facts.unitsVisited,
    revision,
    state: state.notes.length > 0 ? { ...state, notes: [] } : state,
    clocks,
  };
}

function factsOf(row: StoredRow): CaseFacts {
  return {
    caseId: row.case_id,
    number: row.number,
    kind: row.kind,
    filedUnitId: row.filed_unit_id,
    filedBy: row.filed_by,
    filedAt: row.state.createdAt,
    accepted: row.accepted,
    acceptedOnTime: row.accepted_on_time,
    acceptBreached: row.accept_breached,
    resolved: row.resolved,
    resolvedOnTime: row.resolved_on_time,
    outcome: row.outcome,
    annotated: row.annotated,
    latestSatisfaction: row.latest_satisfaction,
    feedbackCount: row.feedback_count,
    latestSelfRating: row.latest_self_rating,
    unitsVisited: row.units_visited,
  };
}
