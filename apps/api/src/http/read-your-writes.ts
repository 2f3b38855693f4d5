import { Type } from 'class-transformer';
import type { FastifyReply } from 'fastify';
import { WholeNumber } from './fields.js';
import type { ProjectionRunner } from '#projections';

/** How long a query waits for the read models to include the position it names (API.md: up to 5 s). */
export const MIN_POSITION_WAIT_MS = 5_000;

/** The query of every list and statistics route: API.md's read-your-writes parameter; each route's query extends it. */
export class MinPositionQuery {
  @WholeNumber(0, Number.MAX_SAFE_INTEGER, { optional: true, description: 'wait (up to 5 s) until the answer includes this global log position, the `position` a command answered' })
  @Type(() => Number)
  minPosition?: number;
}

/**
 * Read-your-writes for a query with `minPosition`: waits until the read models it reads include
 * that position, then says in `X-Minyi-Consistency` whether they did (`caught-up`) or the wait ran
 * out (`stale`). Waiting on only the models the query reads keeps a slow reactor from holding it back.
 */
export async function awaitMinPosition(projections: ProjectionRunner, minPosition: number | undefined, readModels: readonly string[], response: FastifyReply): Promise<void> {
  if (minPosition === undefined) return;
  const caughtUp = await projections.waitFor(minPosition, MIN_POSITION_WAIT_MS, readModels);
  response.header('X-Minyi-Consistency', caughtUp ? 'caught-up' : 'stale');
}
