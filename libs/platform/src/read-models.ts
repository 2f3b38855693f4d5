import { AccountViewProjection } from '#accounts';
import { BulletinReadModelProjection } from '#bulletins';
import { CaseReadModelProjection } from '#cases';
import type { SlaPolicy } from '#domain';
import type { Projection } from '#projections';
import { PublicFilingsProjection } from '#public-channel';
import { CaseStatsProjection } from '#reporting';
import { HotspotsProjection } from '#search';

/** The read models: projections with tables of their own, which `rebuild` can replay from the log. */
export function readModels(policy: SlaPolicy): Projection[] {
  return [new CaseReadModelProjection(policy), new CaseStatsProjection(policy), new AccountViewProjection(), new PublicFilingsProjection(), new BulletinReadModelProjection(), new HotspotsProjection(policy)];
}
