import type { PoolClient } from 'pg';
import { calendarOf, type CaseFiling, type SlaPolicy, type WorkingCalendar } from '#domain';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#projections';
import { topicTerms } from './segmenter.js';

/** The name of the hotspots read model (its checkpoint key). */
export const HOTSPOTS_READ_MODEL = 'hotspots';

/**
 * The hotspots read model: how many cases filed at a unit, of a kind, mention a term, per local
 * day (`hotspot_days`) and per local month (`hotspot_months`, the same counts summed, so that a
 * year is read from twelve rows per term instead of 365). A case counts once per distinct topic
 * term of its title and description (see topicTerms), at the unit it was filed at, on the day it
 * was filed in the reporting calendar's time zone. Title, description, kind and filing unit are
 * fixed at filing, so only `CaseFiled` matters. `hotspot_cases` remembers the cases counted, so
 * that a batch applied twice counts nothing twice.
 */
export class HotspotsProjection implements Projection {
  readonly name = HOTSPOTS_READ_MODEL;
  readonly version = 1;
  readonly tables = ['hotspot_cases', 'hotspot_days', 'hotspot_months'];
  /**
   * One lane only: its counts gather the filings of many cases, which lanes would update side by
   * side, row against row; it applies filings alone, so one lane keeps up.
   */
  readonly runsInLanes = false;
  private readonly calendar: WorkingCalendar;

  constructor(policy: SlaPolicy) {
    this.calendar = calendarOf(policy);
  }

  handles(event: RecordedEvent): boolean {
    return event.type === 'CaseFiled';
  }

  async migrate(client: PoolClient): Promise<void> {
    await client.query(`
      CREATE TABLE IF NOT EXISTS hotspot_cases (
        case_id  uuid PRIMARY KEY
      );
      CREATE TABLE IF NOT EXISTS hotspot_days (
        unit_id  text NOT NULL,
        kind     text NOT NULL,
        day      date NOT NULL,
        term     text NOT NULL,
        count    integer NOT NULL,
        PRIMARY KEY (unit_id, day, kind, term)
      );
      CREATE TABLE IF NOT EXISTS hotspot_months (
        unit_id  text NOT NULL,
        kind     text NOT NULL,
        month    date NOT NULL,
        term     text NOT NULL,
        count    integer NOT NULL,
        PRIMARY KEY (unit_id, month, kind, term)
      );`);
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query('TRUNCATE hotspot_cases, hotspot_days, hotspot_months');
  }

  async apply(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    const filings = events.filter((event) => this.handles(event));
    if (filings.length === 0) return;
    const { rows } = await client.query<{ case_id: string }>(
      'INSERT INTO hotspot_cases (case_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING RETURNING case_id',
      [filings.map((event) => (event.data as { caseId: string }).caseId)],
    );
    const uncounted = new Set(rows.map((row) => row.case_id));

    const days = new Map<string, HotspotRow>();
    for (const event of filings) {
      const data = event.data as { caseId: string } & CaseFiling;
      if (!uncounted.has(data.caseId)) continue;
      const day = this.calendar.localDateOf(event.metadata.at);
      for (const term of topicTerms(`${data.title}\n${data.description}`)) {
        const key = JSON.stringify([data.unitId, day, data.kind, term]);
        const row = days.get(key);
        if (row) row.count++;
        else days.set(key, { unit_id: data.unitId, kind: data.kind, day, term, count: 1 });
      }
    }
    if (days.size === 0) return;
    await client.query(
      `INSERT INTO hotspot_days (unit_id, kind, day, term, count)
       SELECT unit_id, kind, day, term, count FROM json_to_recordset($1::json) AS r(unit_id text, kind text, day date, term text, count integer)
       ON CONFLICT (unit_id, day, kind, term) DO UPDATE SET count = hotspot_days.count + EXCLUDED.count`,
      [JSON.stringify([...days.values()])],
    );
    await client.query(
      `INSERT INTO hotspot_months (unit_id, kind, month, term, count)
       SELECT unit_id, kind, date_trunc('month', day)::date, term, sum(count)
         FROM json_to_recordset($1::json) AS r(unit_id text, kind text, day date, term text, count integer)
        GROUP BY 1, 2, 3, 4
       ON CONFLICT (unit_id, month, kind, term) DO UPDATE SET count = hotspot_months.count + EXCLUDED.count`,
      [JSON.stringify([...days.values()])],
    );
  }
}

interface HotspotRow {
  unit_id: string;
  kind: string;
  day: string;
  term: string;
  count: number;
}
