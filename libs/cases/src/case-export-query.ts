import type { Pool } from 'pg';
import type { CaseClocks, ExistingCase } from '#domain';
import type { CaseListFilter, CaseListItem } from './case-queries.js';

/** The list's filter without its page: an export takes every matching case. */
export type CaseExportFilter = Omit<CaseListFilter, 'page' | 'pageSize'>;

/** Cases read per query: large enough to keep round trips few, small enough to keep memory flat. */
const DEFAULT_BATCH_SIZE = 1000;

/**
 * Every case of a list filter, for exports: read in batches by keyset (created_at, id), newest
 * first as the list orders them, so that a long export neither holds a connection nor a
 * transaction open while the client reads, nor skips or repeats a case when new ones are filed
 * meanwhile (they sort before the cursor). Notes are not read: no export column shows them.
 *
 * The conditions are the list's (CaseQueries.list) and must stay so.
 */
export class CaseExportQuery {
  constructor(
    private readonly pool: Pool,
    private readonly batchSize = DEFAULT_BATCH_SIZE,
  ) {}

  /** How many cases the filter matches now. */
  async count(filter: CaseExportFilter): Promise<number> {
    const { conditions, params } = listConditions(filter);
    const { rows } = await this.pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM case_view WHERE ${conditions}`, params);
    return rows[0]?.total ?? 0;
  }

  /** The matching cases, newest first, at most `limit`; batches are read as the consumer asks for rows. */
  async *cases(filter: CaseExportFilter, limit: number): AsyncGenerator<CaseListItem> {
    const { conditions, params } = listConditions(filter);
    const cursor = params.length;
    let after: { createdAt: string; id: string } | null = null;
    let left = limit;
    while (left > 0) {
      const size = Math.min(this.batchSize, left);
      const keyset: string = after ? `AND (created_at, id) < ($${cursor + 1}::timestamptz, $${cursor + 2}::uuid)` : '';
      const { rows } = await this.pool.query<ExportRow>(
        `SELECT state, clocks, revision, last_position, created_at::text AS cursor_at FROM case_view
          WHERE ${conditions} ${keyset} ORDER BY created_at DESC, id DESC LIMIT ${size}`,
        after ? [...params, after.createdAt, after.id] : params,
      );
      for (const row of rows) {
        yield { state: { ...row.state, notes: [] }, clocks: row.clocks, revision: row.revision, position: Number(row.last_position) };
      }
      if (rows.length < size) return;
      const last: ExportRow = rows[rows.length - 1]!;
      // The text form keeps the microseconds that a JavaScript Date would drop.
      after = { createdAt: last.cursor_at, id: last.state.id };
      left -= rows.length;
    }
  }
}

interface ExportRow {
  state: ExistingCase;
  clocks: CaseClocks;
  revision: number;
  last_position: string;
  cursor_at: string;
}

/** The WHERE clause of a list filter over case_view, with its parameters. */
function listConditions(filter: CaseExportFilter): { conditions: string; params: unknown[] } {
  const where = ['units_visited && $1::text[]'];
  const params: unknown[] = [filter.readableUnitIds];
  const add = (clause: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.status) add((p) => `status = ${p}`, filter.status);
  if (filter.kind) add((p) => `kind = ${p}`, filter.kind);
  if (filter.currentUnitIds) add((p) => `unit_id = ANY(${p}::text[])`, filter.currentUnitIds);
  if (filter.q) add((p) => `(title ILIKE ${p} OR description ILIKE ${p})`, `%${escapeLike(filter.q)}%`);
  if (filter.overdueAt) add((p) => `next_due_at <= ${p}`, filter.overdueAt);
  if (filter.filedBy) add((p) => `filed_by = ${p}`, filter.filedBy);
  return { conditions: where.join(' AND '), params };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
