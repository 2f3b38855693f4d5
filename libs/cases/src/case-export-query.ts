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

  /**
   * The matching cases, newest first, at most `limit`. The next batch is read while the consumer
   * takes the rows of this one, so the database and the writer work at the same time; no batch
   * is read beyond the one after the rows the consumer has asked for.
   */
  async *cases(filter: CaseExportFilter, limit: number): AsyncGenerator<CaseListItem> {
    const { conditions, params } = listConditions(filter);
    let left = limit;
    let size = Math.min(this.batchSize, left);
    let next: Promise<ExportRow[]> | null = this.batch(conditions, params, null, size);
    while (next) {
      const rows: ExportRow[] = await next;
      left -= rows.length;
      next = null;
      if (rows.length === size && left > 0) {
        const last = rows[rows.length - 1]!;
        size = Math.min(this.batchSize, left);
        // The text form of created_at keeps the microseconds that a JavaScript Date would drop.
        next = this.batch(conditions, params, { createdAt: last.cursor_at, id: last.state.id }, size);
        // Read ahead: a consumer that stops early leaves it unawaited, which must not be an unhandled rejection.
        next.catch(() => undefined);
      }
      for (const row of rows) {
        yield { state: { ...row.state, notes: [] }, clocks: row.clocks, revision: row.revision, position: Number(row.last_position) };
      }
    }
  }

  private async batch(conditions: string, params: readonly unknown[], after: { createdAt: string; id: string } | null, size: number): Promise<ExportRow[]> {
    const cursor = params.length;
    const keyset = after ? `AND (created_at, id) < ($${cursor + 1}::timestamptz, $${cursor + 2}::uuid)` : '';
    const { rows } = await this.pool.query<ExportRow>(
      `SELECT state, clocks, revision, last_position, created_at::text AS cursor_at FROM case_view
        WHERE ${conditions} ${keyset} ORDER BY created_at DESC, id DESC LIMIT ${size}`,
      after ? [...params, after.createdAt, after.id] : [...params],
    );
    return rows;
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
