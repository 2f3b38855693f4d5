import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { MAIN_POOL } from '#database';
import { ORG_TREE, SLA_POLICY, type OrgTree, type SlaPolicy } from '#domain';
import { EVENT_STORE, type AuditableEventStore } from '#event-store';
import { CaseCommands } from './case-commands.js';
import { CaseDirectory } from './case-directory.js';
import { CaseFoldCache } from './case-fold-cache.js';
import { CaseNumbers } from './case-numbers.js';
import { CaseQueries } from './case-queries.js';
import { CaseExportQuery } from './case-export-query.js';
import { CaseReader } from './case-reader.js';
import { ExecuteCaseCommandHandler } from './execute-case-command.js';
import { IdempotencyStore, IdempotentFiling } from './idempotency.js';

/**
 * The case capability. Its ports: `CaseCommands` (every move, through the one command path),
 * `CaseReader` (one case, within the reader's scope), `CaseQueries` (lists and the inbox, over
 * the case read model), `IdempotentFiling` and `CaseDirectory` (numbers to ids); and for the
 * engine's own parts, the fold cache. Its command handler joins the CommandBus of the
 * application's `CqrsModule.forRoot()`, which whoever composes this module imports.
 */
@Module({
  providers: [
    { provide: CaseNumbers, inject: [MAIN_POOL], useFactory: (pool: Pool) => new CaseNumbers(pool) },
    { provide: CaseFoldCache, inject: [EVENT_STORE, SLA_POLICY], useFactory: (store: AuditableEventStore, policy: SlaPolicy) => new CaseFoldCache(store, policy) },
    {
      provide: CaseReader,
      inject: [EVENT_STORE, CaseFoldCache, ORG_TREE, SLA_POLICY],
      useFactory: (store: AuditableEventStore, folds: CaseFoldCache, org: OrgTree, policy: SlaPolicy) => new CaseReader(store, folds, org, policy),
    },
    { provide: CaseQueries, inject: [MAIN_POOL], useFactory: (pool: Pool) => new CaseQueries(pool) },
    { provide: CaseExportQuery, inject: [CaseQueries], useFactory: (queries: CaseQueries) => new CaseExportQuery(queries) },
    { provide: CaseDirectory, inject: [MAIN_POOL], useFactory: (pool: Pool) => new CaseDirectory(pool) },
    {
      provide: IdempotencyStore,
      inject: [MAIN_POOL],
      useFactory: async (pool: Pool) => {
        const keys = new IdempotencyStore(pool);
        await keys.migrate();
        return keys;
      },
    },
    { provide: IdempotentFiling, inject: [IdempotencyStore, EVENT_STORE], useFactory: (keys: IdempotencyStore, store: AuditableEventStore) => new IdempotentFiling(keys, store) },
    ExecuteCaseCommandHandler,
    CaseCommands,
  ],
  exports: [CaseCommands, CaseReader, CaseQueries, CaseExportQuery, CaseDirectory, IdempotentFiling, IdempotencyStore, CaseFoldCache],
})
export class CasesModule {}
