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

/** The list's filter without its page: what an export matches. */
export type CaseFilter = Omit<CaseListFilter, 'page' | 'pageSize'>;

export interface CaseListItem {
  readonly state: ExistingCase;
  readonly clocks: CaseClocks;
  readonly revision: number;
  readonly position: number;
}

/**
 * A word search counts its matches up to this many: a common word matches tens of thousands of
 * cases, and counting every one of them would cost as much again as ranking them.
 */
export const SEARCH_COUNT_LIMIT = 10_000;

export interface CaseList {
  readonly items: readonly CaseListItem[];
  /** How many cases the filter matches; when `totalExact` is false, more than this many (SEARCH_COUNT_LIMIT). */
  readonly total: number;
  readonly totalExact: boolean;
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
    const offset = (filter.page - 1) * filter.pageSize;
    const found = await this.bestMatch(filter, (selection) => this.page(selection, filter.pageSize, offset), (page) => page.total > 0);
    return found ?? { items: [], total: 0, totalExact: true };
  }

  /**
   * The ids of the cases the filter matches, in the list's order (best match first when `q` is
   * given, then newest), at most `limit`: what an export reads, so that it holds what the list
   * shows, in the same order.
   */
  async matchingIds(filter: CaseFilter, limit: number): Promise<string[]> {
    const found = await this.bestMatch(
      filter,
      async ({ table, conditions, order, params }) =>
        (await this.pool.query<{ id: string }>(`SELECT id FROM ${table} WHERE ${conditions} ${order} LIMIT ${limit}`, params)).rows.map((row) => row.id),
      (ids) => ids.length > 0,
    );
    return found ?? [];
  }

  /**
   * Reads the filter's selection with `read`. With `q`: by its words first; when they find nothing
   * (or `q` has none), by substring (see caseSearch); null when `q` can match nothing at all.
   */
  private async bestMatch<T>(filter: CaseFilter, read: (selection: Selection) => Promise<T>, found: (result: T) => boolean): Promise<T | null> {
    if (!filter.q) return read(selectionOf(filter, null));
    const { words, substring } = caseSearch(filter.q);
    if (words !== null) {
      const byWords = await read(
        selectionOf(filter, (bind) => {
          const query = bind(words);
          return { table: 'case_search', where: `search @@ ${query}::tsquery`, rank: `ts_rank(search, ${query}::tsquery)` };
        }),
      );
      if (found(byWords) || substring === null) return byWords;
    }
    if (substring === null) return null;
    // The characters (or prefixes) through their index first, so that the substring check reads only those rows.
    const { column, query, patterns } = substring;
    return read(
      selectionOf(filter, (bind) => ({
        table: column === 'search' ? 'case_search' : 'case_view',
        where:
          column === 'search'
            ? `search @@ ${bind(query)}::tsquery AND EXISTS (SELECT FROM case_view v WHERE v.id = case_search.id AND (v.title || E'\\n' || v.description) ILIKE ALL (${bind(patterns)}::text[]))`
            : `search_characters @@ ${bind(query)}::tsquery AND (title || E'\\n' || description) ILIKE ALL (${bind(patterns)}::text[])`,
      })),
    );
  }

  /**
   * A page of the selection and its total, read side by side. On `case_search` (a word search)
   * the page's ids are found there, then their rows read by id, and the count stops past
   * SEARCH_COUNT_LIMIT.
   */
  private async page({ table, conditions, order, params }: Selection, limit: number, offset: number): Promise<CaseList> {
    const paged = `${order} LIMIT ${limit} OFFSET ${offset}`;
    const counted = table === 'case_view' ? `SELECT FROM case_view WHERE ${conditions}` : `SELECT FROM case_search WHERE ${conditions} LIMIT ${SEARCH_COUNT_LIMIT + 1}`;
    const [rows, count] = await Promise.all([
      table === 'case_view'
        ? this.pool.query<ViewRow>(`SELECT state, clocks, revision, last_position, note_count FROM case_view WHERE ${conditions} ${paged}`, params).then((result) => result.rows)
        : this.pool.query<{ id: string }>(`SELECT id FROM case_search WHERE ${conditions} ${paged}`, params).then((result) => this.rowsById(result.rows.map((row) => row.id))),
      this.pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM (${counted}) AS matched`, params),
    ]);
    const total = count.rows[0]?.total ?? 0;
    const totalExact = table === 'case_view' || total <= SEARCH_COUNT_LIMIT;
    return { items: await this.items(rows), total: totalExact ? total : SEARCH_COUNT_LIMIT, totalExact };
  }

  /** The cases of these ids, in their order, without their notes (no export shows them). */
  async byIds(ids: readonly string[]): Promise<CaseListItem[]> {
    return (await this.rowsById(ids)).map((row) => ({ state: { ...row.state, notes: [] }, clocks: row.clocks, revision: row.revision, position: Number(row.last_position) }));
  }

  private async rowsById(ids: readonly string[]): Promise<ViewRow[]> {
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

/** What a list reads: the table, its conditions with their parameters, and its order (best match first, then newest). */
interface Selection {
  readonly table: 'case_view' | 'case_search';
  readonly conditions: string;
  readonly order: string;
  readonly params: unknown[];
}

/** The filter's conditions, with `match`'s on the search columns when given (`case_search` has the list's filter columns too). */
function selectionOf(filter: CaseFilter, match: TextMatch | null): Selection {
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
  return {
    table: matched?.table ?? 'case_view',
    conditions: where.join(' AND '),
    order: `ORDER BY ${matched?.rank ? `${matched.rank} DESC, ` : ''}created_at DESC, id DESC`,
    params,
  };
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
