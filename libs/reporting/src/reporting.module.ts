import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { UserStore } from '#accounts';
import { MAIN_POOL } from '#database';
import { EVENT_STORE, type EventStore } from '#event-store';
import { calendarOf, ORG_TREE, SLA_POLICY, type OrgTree, type SlaPolicy } from '#domain';
import { CaseStatistics } from './case-statistics.js';
import { UnitRankings } from './unit-ranking.js';

/**
 * Reporting: statistics, the information officers' appraisal (port `CaseStatistics`) and the
 * rankings of units (`UnitRankings`), over
 * the read model its projection keeps (`CaseStatsProjection`, one of the engine's read models).
 */
@Module({
  providers: [
    {
      provide: CaseStatistics,
      inject: [MAIN_POOL, ORG_TREE, UserStore, SLA_POLICY],
      useFactory: (pool: Pool, org: OrgTree, users: UserStore, policy: SlaPolicy) => new CaseStatistics(pool, org, users, calendarOf(policy), policy.adoptionPoints),
    },
    {
      provide: UnitRankings,
      inject: [MAIN_POOL, ORG_TREE, EVENT_STORE, SLA_POLICY],
      useFactory: (pool: Pool, org: OrgTree, store: EventStore, policy: SlaPolicy) => new UnitRankings(pool, org, store, policy, calendarOf(policy)),
    },
  ],
  exports: [CaseStatistics, UnitRankings],
})
export class ReportingModule {}
