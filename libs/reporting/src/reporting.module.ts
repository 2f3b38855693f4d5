import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { UserStore } from '#accounts';
import { MAIN_POOL } from '#database';
import { calendarOf, ORG_TREE, SLA_POLICY, type OrgTree, type SlaPolicy } from '#domain';
import { CaseStatistics } from './case-statistics.js';

/**
 * Reporting: statistics and the information officers' appraisal (port `CaseStatistics`), over
 * the read model its projection keeps (`CaseStatsProjection`, one of the engine's read models).
 */
@Module({
  providers: [
    {
      provide: CaseStatistics,
      inject: [MAIN_POOL, ORG_TREE, UserStore, SLA_POLICY],
      useFactory: (pool: Pool, org: OrgTree, users: UserStore, policy: SlaPolicy) => new CaseStatistics(pool, org, users, calendarOf(policy)),
    },
  ],
  exports: [CaseStatistics],
})
export class ReportingModule {}
