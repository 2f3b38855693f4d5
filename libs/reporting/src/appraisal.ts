import type { OrgTree, ResolutionOutcome } from '#domain';
import type { PublicUser } from '#accounts';

/** The outcomes that count a suggestion as adopted in an information officer's appraisal. */
export const ADOPTED_OUTCOMES: readonly ResolutionOutcome[] = ['adopted', 'partially_adopted'];

/** What one filer's cases of the period came to. */
export interface FilerCounts {
  readonly filed: number;
  readonly accepted: number;
  readonly annotated: number;
  /** Suggestions resolved with an outcome in ADOPTED_OUTCOMES. */
  readonly adopted: number;
}

/** One information officer's (信息员) row in the appraisal. */
export interface ClerkAppraisal extends FilerCounts {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly unitId: string;
}

const NOTHING: FilerCounts = { filed: 0, accepted: 0, annotated: 0, adopted: 0 };

/** The clerks among `users` whose unit lies in `unitId`'s subtree. */
export function clerksWithin(users: readonly PublicUser[], unitId: string, org: OrgTree): PublicUser[] {
  return users.filter((user) => user.roles.includes('clerk') && org.has(user.unitId) && org.isWithin(user.unitId, unitId));
}

/**
 * One row per clerk, zeros for a clerk who filed nothing; most cases filed first, then by
 * username. `counts` is keyed by user id.
 */
export function appraise(clerks: readonly PublicUser[], counts: ReadonlyMap<string, FilerCounts>): ClerkAppraisal[] {
  return clerks
    .map(({ id, username, displayName, unitId }) => ({ userId: id, username, displayName, unitId, ...(counts.get(id) ?? NOTHING) }))
    .sort((a, b) => b.filed - a.filed || (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
}
