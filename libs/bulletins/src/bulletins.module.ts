import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { CaseFoldCache, CasesModule } from '#cases';
import { MAIN_POOL } from '#database';
import { ORG_TREE, SLA_POLICY, type OrgTree, type SlaPolicy } from '#domain';
import { EVENT_STORE, type AuditableEventStore } from '#event-store';
import { BulletinCommands } from './bulletin-commands.js';
import { BulletinQueries } from './bulletin-queries.js';
import { BulletinReader } from './bulletin-reader.js';
import { PendingPublicationsAtStart } from './pending-publications.js';

/**
 * The bulletin capability: `BulletinCommands` (draft, revise, publish), `BulletinReader` (one
 * bulletin from its stream, within the reader's scope) and `BulletinQueries` (lists, over the
 * bulletin read model, which `readModels` in #platform keeps); at start, the publications a crash
 * cut short are completed.
 */
@Module({
  imports: [CasesModule],
  providers: [
    { provide: BulletinReader, inject: [EVENT_STORE, ORG_TREE], useFactory: (store: AuditableEventStore, org: OrgTree) => new BulletinReader(store, org) },
    {
      provide: BulletinCommands,
      inject: [EVENT_STORE, BulletinReader, CaseFoldCache, ORG_TREE, SLA_POLICY],
      useFactory: (store: AuditableEventStore, reader: BulletinReader, cases: CaseFoldCache, org: OrgTree, policy: SlaPolicy) => new BulletinCommands(store, reader, cases, org, policy),
    },
    { provide: BulletinQueries, inject: [MAIN_POOL], useFactory: (pool: Pool) => new BulletinQueries(pool) },
    PendingPublicationsAtStart,
  ],
  exports: [BulletinCommands, BulletinReader, BulletinQueries],
})
export class BulletinsModule {}
