import type { Pool } from 'pg';
import type { CaseClocks, CaseKind, CaseStatus, ExistingCase } from '#domain';

export interface CaseListFilter {
  /** Units whose cases the reader may see: the reader's subtree. A case qualifies if it has been at one of them. */
  readonly readableUnitIds: readonly string[];
  readonly status?: CaseStatus;
  readonly kind?: CaseKind;
  /** The current unit lies in this set (a unit's subtree). */
  readonly currentUnitIds?: readonly string[];
  /** Substring of title or description; Chinese included. */
  readonly q?: string;
  /** Only cases with a running clock due at or before this time. */
  readonly overdueAt?: Date;
  /** Only cases this user filed. */
  readonly filedBy?: string;
  readonly page: number;
  readonly pageSize: number;
}

export interface CaseListItem {
  readonly state: ExistingCase;
  readonly clocks: CaseClocks;
  readonly revision: number;
  readonly position: number;
}

export interface CaseList {
  readonly items: readonly CaseListItem[];
  readonly total: number;
}

export interface InboxQuery {
  readonly userId: string;
  /** Waiting on these units (the reader's own unit). */
  readonly unitIds: readonly string[];
  /** Awaiting annotation anywhere in these units (a leader's subtree). */
  readonly annotationUnitIds: readonly string[];
  /** Overdue cases come first. */
  readonly now: Date;
}

/** Reads of the case read model; every one is bounded by what the reader may see. */
export class CaseQueries {
  constructor(private readonly pool: Pool) {}

  async list(filter: CaseListFilter): Promise<CaseList> {
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
    const conditions = where.join(' AND ');
    const offset = (filter.page - 1) * filter.pageSize;
    const [page, count] = await Promise.all([
      this.pool.query<{ state: ExistingCase; clocks: CaseClocks; revision: number; last_position: string }>(
        `SELECT state, clocks, revision, last_position FROM case_view WHERE ${conditions}
          ORDER BY created_at DESC, id DESC LIMIT ${filter.pageSize} OFFSET ${offset}`,
        params,
      ),
      this.pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM case_view WHERE ${conditions}`, params),
    ]);
    return {
      items: page.rows.map(toItem),
      total: count.rows[0]?.total ?? 0,
    };
  }

  /** Open cases waiting on the reader: at their unit, assigned to them, or (leaders) awaiting their annotation. */
  async inbox(query: InboxQuery): Promise<CaseListItem[]> {
    const { rows } = await this.pool.query<{ state: ExistingCase; clocks: CaseClocks; revision: number; last_position: string }>(
      `SELECT v.state, v.clocks, v.revision, v.last_position
         FROM inbox_items i JOIN case_view v ON v.id = i.case_id
        WHERE (i.unit_id = ANY($1::text[]) AND i.status <> 'awaiting_annotation')
           OR i.assignee_id = $2
           OR (i.status = 'awaiting_annotation' AND i.unit_id = ANY($3::text[]))
        ORDER BY (v.next_due_at IS NOT NULL AND v.next_due_at <= $4) DESC, i.waiting_since ASC, i.case_id
        LIMIT 500`,
      [query.unitIds, query.userId, query.annotationUnitIds, query.now],
    );
    return rows.map(toItem);
  }
}

function toItem(row: { state: ExistingCase; clocks: CaseClocks; revision: number; last_position: string }): CaseListItem {
  return { state: row.state, clocks: row.clocks, revision: row.revision, position: Number(row.last_position) };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
