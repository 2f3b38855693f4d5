import type { CaseFilter, CaseListItem, CaseQueries } from './case-queries.js';

/** Cases read per query: large enough to keep round trips few, small enough to keep memory flat. */
const DEFAULT_BATCH_SIZE = 1000;

/**
 * Every case of a list filter, for exports. The list's own query (CaseQueries.matchingIds) picks
 * the cases and their order once, so the file holds what the list shows, ranked as it ranks them
 * for `q`, and no case filed meanwhile slips in or pushes one out; the rows are then read in
 * batches by id, so that a long export holds neither a connection nor a transaction open while
 * the client reads. Notes are not read: no export column shows them.
 */
export class CaseExportQuery {
  constructor(
    private readonly queries: CaseQueries,
    private readonly batchSize = DEFAULT_BATCH_SIZE,
  ) {}

  /** The ids of the cases the filter matches now, in the list's order, at most `limit`. */
  matchingIds(filter: CaseFilter, limit: number): Promise<string[]> {
    return this.queries.matchingIds(filter, limit);
  }

  /**
   * The cases of these ids, in their order. The next batch is read while the consumer takes the
   * rows of this one, so the database and the writer work at the same time; no batch is read
   * beyond the one after the rows the consumer has asked for. A case gone from the read model
   * meanwhile (none is ever deleted) would be left out.
   */
  async *cases(ids: readonly string[]): AsyncGenerator<CaseListItem> {
    const batchOf = (start: number) => this.queries.byIds(ids.slice(start, start + this.batchSize));
    let next: Promise<CaseListItem[]> | null = ids.length > 0 ? batchOf(0) : null;
    for (let start = 0; next; start += this.batchSize) {
      const items: CaseListItem[] = await next;
      next = start + this.batchSize < ids.length ? batchOf(start + this.batchSize) : null;
      // Read ahead: a consumer that stops early leaves it unawaited, which must not be an unhandled rejection.
      next?.catch(() => undefined);
      yield* items;
    }
  }
}
