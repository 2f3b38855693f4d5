import type { Pool } from 'pg';
import type { BulletinStatus } from '#domain';

export interface BulletinListFilter {
  /** Units whose bulletins, drafts and published, the reader may see: their subtree. */
  readonly readableUnitIds: readonly string[];
  /** Only bulletins of these units (a unit's subtree). */
  readonly unitIds?: readonly string[];
  readonly year?: number;
  readonly status?: BulletinStatus;
  readonly page: number;
  readonly pageSize: number;
}

/** One row of a bulletin list: flat, so that it turns into a spreadsheet row as it is. */
export interface BulletinListItem {
  readonly id: string;
  readonly unitId: string;
  readonly title: string;
  readonly status: BulletinStatus;
  readonly year: number | null;
  readonly sequence: number | null;
  /** `2026年第3期`, null for a draft. */
  readonly issue: string | null;
  readonly itemCount: number;
  readonly editorNote: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly publishedBy: string | null;
  readonly publishedAt: string | null;
  readonly revision: number;
  readonly position: number;
}

interface Row {
  id: string;
  unit_id: string;
  title: string;
  status: BulletinStatus;
  year: number | null;
  sequence: number | null;
  issue: string | null;
  item_count: number;
  editor_note: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  published_by: string | null;
  published_at: Date | null;
  revision: number;
  last_position: string;
}

/** Reads of the bulletin read model, bounded by what the reader may see. */
export class BulletinQueries {
  constructor(private readonly pool: Pool) {}

  async list(filter: BulletinListFilter): Promise<{ items: BulletinListItem[]; total: number }> {
    const params: unknown[] = [filter.readableUnitIds];
    const where = ['unit_id = ANY($1::text[])'];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (filter.unitIds) add((p) => `unit_id = ANY(${p}::text[])`, filter.unitIds);
    if (filter.year !== undefined) add((p) => `year = ${p}`, filter.year);
    if (filter.status) add((p) => `status = ${p}`, filter.status);
    const conditions = where.join(' AND ');
    const offset = (filter.page - 1) * filter.pageSize;
    const [page, count] = await Promise.all([
      this.pool.query<Row>(
        `SELECT id, unit_id, title, status, year, sequence, issue, item_count, editor_note, created_by, created_at, updated_at,
                published_by, published_at, revision, last_position
           FROM bulletin_view WHERE ${conditions}
          ORDER BY COALESCE(published_at, created_at) DESC, id DESC LIMIT ${filter.pageSize} OFFSET ${offset}`,
        params,
      ),
      this.pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM bulletin_view WHERE ${conditions}`, params),
    ]);
    return { items: page.rows.map(toItem), total: count.rows[0]?.total ?? 0 };
  }
}

function toItem(row: Row): BulletinListItem {
  return {
    id: row.id,
    unitId: row.unit_id,
    title: row.title,
    status: row.status,
    year: row.year,
    sequence: row.sequence,
    issue: row.issue,
    itemCount: row.item_count,
    editorNote: row.editor_note,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    publishedBy: row.published_by,
    publishedAt: row.published_at?.toISOString() ?? null,
    revision: row.revision,
    position: Number(row.last_position),
  };
}
