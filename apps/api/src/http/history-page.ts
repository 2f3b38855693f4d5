import { Type } from 'class-transformer';
import { WholeNumber } from './fields.js';

/**
 * Paged histories (API.md, "Per-case limits"): a stream's events from `fromRevision`, at most
 * `limit` of them, and `nextRevision` when more follow. Every history route takes these query
 * parameters and answers `{ events, nextRevision? }`: a case's, an account's.
 */

/** The most events of one page, and the page when `limit` is not given. */
export const HISTORY_PAGE_MAX = 500;

export class HistoryPageQuery {
  @WholeNumber(0, 2_000_000_000, { optional: true, description: 'the revision the page starts at (default 0); past the last event: an empty page' })
  @Type(() => Number)
  fromRevision?: number;

  @WholeNumber(1, HISTORY_PAGE_MAX, { optional: true, description: `the most events on the page: 1-${HISTORY_PAGE_MAX} (default ${HISTORY_PAGE_MAX})` })
  @Type(() => Number)
  limit?: number;
}

/** What to read for a page, as the event store's readStream takes it: one event more than the page, to learn whether more follow. */
export interface HistoryRange {
  readonly fromRevision: number;
  readonly maxCount: number;
}

export interface HistoryPage<E> {
  readonly events: E[];
  /** The revision the next page starts at; absent on the last page. */
  readonly nextRevision?: number;
}

export function historyRange({ fromRevision, limit }: HistoryPageQuery): HistoryRange {
  return { fromRevision: fromRevision ?? 0, maxCount: (limit ?? HISTORY_PAGE_MAX) + 1 };
}

/** The page of the events read for `range`: all but the extra one, and where the next page starts if it was there. */
export function historyPage<E extends { readonly revision: number }>(read: readonly E[], range: HistoryRange): HistoryPage<E> {
  const limit = range.maxCount - 1;
  if (read.length <= limit) return { events: [...read] };
  return { events: read.slice(0, limit), nextRevision: read[limit]!.revision };
}
