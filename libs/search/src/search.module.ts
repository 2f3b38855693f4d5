import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { MAIN_POOL } from '#database';
import { calendarOf, ORG_TREE, SLA_POLICY, type OrgTree, type SlaPolicy } from '#domain';
import { Hotspots } from './hotspots.js';
import { SimilarCases } from './similar-cases.js';

/**
 * Search beyond the case list's `q`: similar open cases (port `SimilarCases`, over the case read
 * model's search words) and hotspot terms (port `Hotspots`, over the read model its projection
 * `HotspotsProjection` keeps, one of the engine's read models).
 */
@Module({
  providers: [
    { provide: SimilarCases, inject: [MAIN_POOL], useFactory: (pool: Pool) => new SimilarCases(pool) },
    {
      provide: Hotspots,
      inject: [MAIN_POOL, ORG_TREE, SLA_POLICY],
      useFactory: (pool: Pool, org: OrgTree, policy: SlaPolicy) => new Hotspots(pool, org, calendarOf(policy)),
    },
  ],
  exports: [SimilarCases, Hotspots],
})
export class SearchModule {}
