import type { Pool } from 'pg';
import { OPEN_STATUSES, type CaseKind, type CaseStatus } from '#domain';
import { anyWordQuery } from './search-document.js';
import { distinctiveSearchWords } from './segmenter.js';

/**
 * The SQL condition of an open case, written out in full: the partial index on open cases' search
 * words (`case_search`, made by the case read model) serves only queries that repeat it word for word.
 */
export const OPEN_CASES = `status IN (${OPEN_STATUSES.map((status) => `'${status}'`).join(', ')})`;

/** At most this many similar cases are answered. */
export const SIMILAR_LIMIT = 10;
/** Cases sharing a word with the draft, best ranked first, that are scored: enough to hold the 10 best. */
const CANDIDATES = 50;

export interface SimilarCase {
  readonly id: string;
  readonly number: string;
  readonly kind: CaseKind;
  readonly title: string;
  readonly status: CaseStatus;
  readonly unitId: string;
  readonly createdAt: string;
  /** In [0, 1]: the mean of the title's and of the whole text's word overlap (Jaccard) with the draft. */
  readonly score: number;
}

export interface SimilarCasesQuery {
  readonly title: string;
  readonly description: string;
  /** Only cases that have been at one of these units (the reader's subtree, or a unit's within it). */
  readonly unitIds: readonly string[];
}

/**
 * Open cases like a draft, to catch a duplicate before it is filed. Candidates are the open cases
 * sharing a distinctive word (no stop word, single character or number) with the draft, found
 * through the search index; each is scored by word overlap. pg_trgm's similarity() is not used:
 * under the C locale, which the embedded PostgreSQL runs with, it drops Han characters and
 * scores every pair of Chinese titles 0.
 */
export class SimilarCases {
  constructor(private readonly pool: Pool) {}

  async find(query: SimilarCasesQuery): Promise<SimilarCase[]> {
    const words = anyWordQuery(query.title, query.description);
    if (words === null) return [];
    // The candidates from the narrow search table (index of open cases' words), then their texts.
    const { rows: ranked } = await this.pool.query<{ id: string }>(
      `SELECT id FROM case_search
        WHERE ${OPEN_CASES} AND search @@ $1::tsquery AND units_visited && $2::text[]
        ORDER BY ts_rank(search, $1::tsquery) DESC, created_at DESC
        LIMIT ${CANDIDATES}`,
      [words, query.unitIds],
    );
    if (ranked.length === 0) return [];
    const { rows } = await this.pool.query<CandidateRow>(
      'SELECT id, number, kind, title, description, status, unit_id, created_at FROM case_view WHERE id = ANY($1::uuid[])',
      [ranked.map((row) => row.id)],
    );
    const draftTitle = distinctiveSearchWords(query.title);
    const draftAll = distinctiveSearchWords(`${query.title}\n${query.description}`);
    return rows
      .map((row) => {
        const score = (jaccard(draftTitle, distinctiveSearchWords(row.title)) + jaccard(draftAll, distinctiveSearchWords(`${row.title}\n${row.description}`))) / 2;
        return {
          id: row.id,
          number: row.number,
          kind: row.kind,
          title: row.title,
          status: row.status,
          unitId: row.unit_id,
          createdAt: row.created_at.toISOString(),
          score: Math.round(score * 1000) / 1000,
        };
      })
      .filter((similar) => similar.score > 0)
      .sort((a, b) => b.score - a.score || b.createdAt.localeCompare(a.createdAt))
      .slice(0, SIMILAR_LIMIT);
  }
}

interface CandidateRow {
  id: string;
  number: string;
  kind: CaseKind;
  title: string;
  description: string;
  status: CaseStatus;
  unit_id: string;
  created_at: Date;
}

/** |a ∩ b| / |a ∪ b| of two sets of words; 0 when both are empty. */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  const left = new Set(a);
  const right = new Set(b);
  let shared = 0;
  for (const word of left) if (right.has(word)) shared++;
  const union = left.size + right.size - shared;
  return union === 0 ? 0 : shared / union;
}
