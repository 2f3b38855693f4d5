import type { Pool, PoolClient } from 'pg';
import type { CaseClocks, CaseKind, CaseNote, CaseStatus, ExistingCase } from '#domain';
import { caseSearch } from '#search';

export interface CaseListFilter {
  /** Units whose cases the reader may see: the reader's subtree. A case qualifies if it has been at one of them. */
  readonly readableUnitIds: readonly string[];
  readonly status?: CaseStatus;
  readonly kind?: CaseKind;
  /** The current unit lies in this set (a unit's subtree). */
  readonly currentUnitIds?: readonly string[];
  /**
   * Words of title or description (segmented by jieba), the best matches first; when none match,
   * or `q` is a single Chinese character, a substring of title or description (see caseSearch).
   */
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
  constructor(private readonly pool: Pool | PoolClient) {}

  async list(filter: CaseListFilter): Promise<CaseList> {
    if (!filter.q) return this.page(filter, null);
    const { words, substring } = caseSearch(filter.q);
    if (words !== null) {
      const byWords = await this.page(filter, (bind) => {
        const query = bind(words);
        return { table: 'case_search', where: `search @@ ${query}::tsquery`, rank: `ts_rank(search, ${query}::tsquery)` };
      });
      if (byWords.total > 0 || substring === null) return byWords;
    }
    if (substring === null) return { items: [], total: 0 };
    // The characters (or prefixes) through their index first, so that the substring check reads only those rows.
    const { column, query, patterns } = substring;
    return this.page(filter, (bind) => ({
      table: column === 'search' ? 'case_search' : 'case_view',
      where:
        column === 'search'
          ? `search @@ ${bind(query)}::tsquery AND EXISTS (SELECT FROM case_view v WHERE v.id = case_search.id AND (v.title || E'\\n' || v.description) ILIKE ALL (${bind(patterns)}::text[]))`
          : `search_characters @@ ${bind(query)}::tsquery AND (title || E'\\n' || description) ILIKE ALL (${bind(patterns)}::text[])`,
    }));
  }

  /**
   * A page of the list and its total; with `match`, only the cases it matches, ranked when it says
   * how. A match on `case_search` finds and counts the cases there, then reads the page's rows by id.
   */
  private async page(filter: CaseListFilter, match: TextMatch | null): Promise<CaseList> {
    const where = ['units_visited && $1::text[]'];
    const params: unknown[] = [filter.readableUnitIds];
    const bind = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const add = (clause: (n: string) => string, value: unknown) => where.push(clause(bind(value)));
    if (filter.status) add((p) => `status = ${p}`, filter.status);
    if (filter.kind) add((p) => `kind = ${p}`, filter.kind);
    if (filter.currentUnitIds) add((p) => `unit_id = ANY(${p}::text[])`, filter.currentUnitIds);
    const matched = match?.(bind);
    if (matched) where.push(matched.where);
    if (filter.overdueAt) add((p) => `next_due_at <= ${p}`, filter.overdueAt);
    if (filter.filedBy) add((p) => `filed_by = ${p}`, filter.filedBy);
    const table = matched?.table ?? 'case_view';
    const conditions = where.join(' AND ');
    const order = `ORDER BY ${matched?.rank ? `${matched.rank} DESC, ` : ''}created_at DESC, id DESC LIMIT ${filter.pageSize} OFFSET ${(filter.page - 1) * filter.pageSize}`;
    const [rows, count] = await Promise.all([
      this.pageRows(table, conditions, order, params),
      this.pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM ${table} WHERE ${conditions}`, params),
    ]);
    return {
      items: await this.items(rows),
      total: count.rows[0]?.total ?? 0,
    };
  }

  private async pageRows(table: 'case_view' | 'case_search', conditions: string, order: string, params: unknown[]): Promise<ViewRow[]> {
    if (table === 'case_view') {
      return (await this.pool.query<ViewRow>(`SELECT state, clocks, revision, last_position, note_count FROM case_view WHERE ${conditions} ${order}`, params)).rows;
    }
    const ids = (await this.pool.query<{ id: string }>(`SELECT id FROM case_search WHERE ${conditions} ${order}`, params)).rows.map((row) => row.id);
    const { rows } = await this.pool.query<ViewRow & { id: string }>('SELECT id, state, clocks, revision, last_position, note_count FROM case_view WHERE id = ANY($1::uuid[])', [ids]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Open cases waiting on the reader: at their unit, assigned to them, or (leaders) awaiting their annotation. */
  async inbox(query: InboxQuery): Promise<CaseListItem[]> {
    const { rows } = await this.pool.query<ViewRow>(
      `SELECT v.state, v.clocks, v.revision, v.last_position, v.note_count
         FROM inbox_items i JOIN case_view v ON v.id = i.case_id
        WHERE (i.unit_id = ANY($1::text[]) AND i.status <> 'awaiting_annotation')
           OR i.assignee_id = $2
           OR (i.status = 'awaiting_annotation' AND i.unit_id = ANY($3::text[]))
        ORDER BY (v.next_due_at IS NOT NULL AND v.next_due_at <= $4) DESC, i.waiting_since ASC, i.case_id
        LIMIT 500`,
      [query.unitIds, query.userId, query.annotationUnitIds, query.now],
    );
    return this.items(rows);
  }

  /** The rows as list items, each case's notes (kept in a table of their own) put back into its state. */
  private async items(rows: readonly ViewRow[]): Promise<CaseListItem[]> {
    const noted = rows.filter((row) => row.note_count > 0).map((row) => row.state.id);
    const notes = new Map<string, CaseNote[]>();
    if (noted.length > 0) {
      const { rows: noteRows } = await this.pool.query<{ case_id: string; note: CaseNote }>(
        'SELECT case_id, note FROM case_notes WHERE case_id = ANY($1::uuid[]) ORDER BY case_id, seq',
        [noted],
      );
      for (const { case_id: caseId, note } of noteRows) {
        const list = notes.get(caseId);
        if (list) list.push(note);
        else notes.set(caseId, [note]);
      }
    }
    return rows.map((row) => ({
      state: { ...row.state, notes: notes.get(row.state.id) ?? [] },
      clocks: row.clocks,
      revision: row.revision,
      position: Number(row.last_position),
    }));
  }
}

/** A `case_view` row as the list and the inbox read it. */
interface ViewRow {
  state: ExistingCase;
  clocks: CaseClocks;
  revision: number;
  last_position: string;
  note_count: number;
}

/**
 * A condition on the search columns, given a way to bind parameters: the table it reads (`case_search`
 * has the list's filter columns too), and how it ranks (best first).
 */
type TextMatch = (bind: (value: unknown) => string) => { readonly table: 'case_view' | 'case_search'; readonly where: string; readonly rank?: string };
