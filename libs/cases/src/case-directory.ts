import type { Pool } from 'pg';
import { isUuid } from '#domain';
import { caseIdOf, caseStreamId, isCaseStream } from './case-stream.js';

/** What the directory knows of a case. */
export interface CaseEntry {
  readonly id: string;
  readonly number: string;
  /** Every unit the case has been at: who may read it. */
  readonly unitsVisited: readonly string[];
}

/**
 * Looks cases up by number or id in the case read model, for operators' tools and audit reports.
 * Unlike CaseQueries these lookups are not bounded by a reader: callers apply the reader's scope.
 * The read model may trail the log by a moment: a case filed just now may not be found yet.
 */
export class CaseDirectory {
  constructor(private readonly pool: Pool) {}

  /** The case with this number (`MY-2026-000042`, any letter case), or null. */
  async byNumber(number: string): Promise<CaseEntry | null> {
    const rows = await this.#select('number = $1', [number.trim().toUpperCase()]);
    return rows[0] ?? null;
  }

  /** The cases behind these streams that the read model holds, by stream id; streams that are not cases are left out. */
  async byStreamIds(streamIds: readonly string[]): Promise<Map<string, CaseEntry>> {
    const uuids = streamIds.filter(isCaseStream).map(caseIdOf).filter(isUuid);
    if (uuids.length === 0) return new Map();
    const rows = await this.#select('id = ANY($1::uuid[])', [uuids]);
    return new Map(rows.map((entry) => [caseStreamId(entry.id), entry]));
  }

  async #select(condition: string, values: unknown[]): Promise<CaseEntry[]> {
    try {
      const { rows } = await this.pool.query<{ id: string; number: string; units_visited: string[] }>(
        `SELECT id, number, units_visited FROM case_view WHERE ${condition}`,
        values,
      );
      return rows.map((row) => ({ id: row.id, number: row.number, unitsVisited: row.units_visited }));
    } catch (error) {
      // The read model has never been built on this database (no engine has run here): no case is known.
      if ((error as { code?: string }).code === '42P01') return [];
      throw error;
    }
  }
}
