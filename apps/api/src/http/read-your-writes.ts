import { Type } from 'class-transformer';
import type { FastifyReply } from 'fastify';
import { WholeNumber } from './fields.js';
import type { ProjectionRunner } from '#projections';
import { CASE_READ_MODEL } from '#cases';
import { PUBLIC_FILINGS_READ_MODEL } from '#public-channel';

/** How long a query waits for the read models to include the position it names (API.md: up to 5 s). */
export const MIN_POSITION_WAIT_MS = 5_000;

/** OpenAPI: the header an answer to a query with `minPosition` carries (answerWhenCaughtUp). */
export const CONSISTENCY_HEADER = {
  'X-Minyi-Consistency': {
    description: 'with `minPosition`: `caught-up` when the answer includes that position, `stale` when the 5 s wait ran out',
    schema: { type: 'string' as const, enum: ['caught-up', 'stale'] },
  },
};

/** The query of every list and statistics route: API.md's read-your-writes parameter; each route's query extends it. */
export class MinPositionQuery {
  @WholeNumber(0, Number.MAX_SAFE_INTEGER, { optional: true, description: 'wait (up to 5 s) until the answer includes this global log position, the `position` a command answered' })
  @Type(() => Number)
  minPosition?: number;
}

/**
 * Read-your-writes for a query with `minPosition`: waits (`caughtUp`, given the time it may take)
 * until what the query reads includes that position, then says in `X-Minyi-Consistency` whether it
 * did (`caught-up`) or the wait ran out (`stale`).
 */
export async function answerWhenCaughtUp(minPosition: number | undefined, response: FastifyReply, caughtUp: (position: number, timeoutMs: number) => Promise<boolean>): Promise<void> {
  if (minPosition === undefined) return;
  response.header('X-Minyi-Consistency', (await caughtUp(minPosition, MIN_POSITION_WAIT_MS)) ? 'caught-up' : 'stale');
}

/** The same for a query over read models: waiting on only the ones it reads keeps a slow reactor from holding it back. */
export function awaitMinPosition(projections: ProjectionRunner, minPosition: number | undefined, readModels: readonly string[], response: FastifyReply): Promise<void> {
  return answerWhenCaughtUp(minPosition, response, (position, timeoutMs) => projections.waitFor(position, timeoutMs, readModels));
}

/** A list query: read-your-writes, and a page (API.md: `page=1&pageSize=20`). */
export class PagedQuery extends MinPositionQuery {
  @WholeNumber(1, 100_000, { optional: true })
  @Type(() => Number)
  page?: number;

  @WholeNumber(1, 100, { optional: true })
  @Type(() => Number)
  pageSize?: number;
}

/**
 * A resident's (or an Open311 client's) next step after filing is to follow the case or check
 * the receipt: a filing's answer waits until the read models that find it by number and by
 * receipt include it (up to MIN_POSITION_WAIT_MS, as minPosition waits).
 */
export async function untilFindable(projections: ProjectionRunner, position: number): Promise<void> {
  await projections.waitFor(position, MIN_POSITION_WAIT_MS, [PUBLIC_FILINGS_READ_MODEL, CASE_READ_MODEL]);
}
