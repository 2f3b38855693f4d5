import type { AdoptionKind, AdoptionLevel, AdoptionPoints, OrgTree, ResolutionOutcome } from '#domain';
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

/** How many adoptions of one kind at one level were recorded on one filer's cases in the period. */
export interface AdoptionCount {
  readonly filedBy: string;
  readonly kind: AdoptionKind;
  readonly level: AdoptionLevel;
  readonly count: number;
}

/** What the adoptions recorded on one filer's cases in the period came to. */
export interface AdoptionTally {
  readonly adoptions: number;
  /** Each adoption's points by the policy's `adoptionPoints[kind][level]`, summed. */
  readonly points: number;
}

/** One information officer's (信息员) row in the appraisal. */
export interface ClerkAppraisal extends FilerCounts, AdoptionTally {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly unitId: string;
}

const NOTHING: FilerCounts = { filed: 0, accepted: 0, annotated: 0, adopted: 0 };
const NO_ADOPTIONS: AdoptionTally = { adoptions: 0, points: 0 };

/** The clerks among `users` whose unit lies in `unitId`'s subtree. */
export function clerksWithin(users: readonly PublicUser[], unitId: string, org: OrgTree): PublicUser[] {
  return users.filter((user) => user.roles.includes('clerk') && org.has(user.unitId) && org.isWithin(user.unitId, unitId));
}

/** The adoptions and points of each filer, keyed by user id, at the points the policy gives. */
export function tallyAdoptions(counts: readonly AdoptionCount[], points: AdoptionPoints): Map<string, AdoptionTally> {
  const tallies = new Map<string, AdoptionTally>();
  for (const { filedBy, kind, level, count } of counts) {
    const { adoptions, points: earned } = tallies.get(filedBy) ?? NO_ADOPTIONS;
    tallies.set(filedBy, { adoptions: adoptions + count, points: earned + count * points[kind][level] });
  }
  return tallies;
}

/**
 * One row per clerk, zeros for a clerk who filed nothing; most cases filed first, then by
 * username. `counts` and `adoptions` are keyed by user id.
 */
export function appraise(clerks: readonly PublicUser[], counts: ReadonlyMap<string, FilerCounts>, adoptions: ReadonlyMap<string, AdoptionTally>): ClerkAppraisal[] {
  return clerks
    .map(({ id, username, displayName, unitId }) => ({ userId: id, username, displayName, unitId, ...(counts.get(id) ?? NOTHING), ...(adoptions.get(id) ?? NO_ADOPTIONS) }))
    .sort((a, b) => b.filed - a.filed || (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
}
