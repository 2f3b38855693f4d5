import { type DynamicModule, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { loadOrCreateJwtSecret } from '#accounts';
import { CaseCommands, CaseReader, CasesModule, IdempotencyStore } from '#cases';
import { MAIN_POOL } from '#database';
import { ORG_TREE, type CaseKind, type OrgTree } from '#domain';
import { EVENT_STORE, type AuditableEventStore } from '#event-store';
import { CLOCK, type Now } from '#runtime';
import { DEFAULT_PUBLIC_KINDS, PublicChannel } from './public-channel.js';
import { PublicLimits } from './public-limits.js';
import { Open311 } from './open311.js';
import { Open311Keys } from './open311-keys.js';

export interface PublicChannelSettings {
  /** The kinds residents may file (PUBLIC_CASE_KINDS); default suggestion, grievance, risk, hardship. */
  readonly kinds?: readonly CaseKind[];
  /** Where the installation's secret comes from (JWT_SECRET, else the generated file in the data dir). */
  readonly secret: { readonly jwtSecret: string | undefined; readonly dataDir: string };
}

/** The resident's channel: the public routes' service and the limits on client addresses. */
@Module({})
export class PublicChannelModule {
  static forRoot(settings: PublicChannelSettings): DynamicModule {
    return {
      module: PublicChannelModule,
      imports: [CasesModule],
      providers: [
        {
          provide: PublicLimits,
          inject: [MAIN_POOL],
          useFactory: async (pool: Pool) => {
            const limits = new PublicLimits(pool);
            await limits.migrate();
            return limits;
          },
        },
        {
          provide: PublicChannel,
          inject: [MAIN_POOL, CaseCommands, CaseReader, EVENT_STORE, IdempotencyStore, PublicLimits, ORG_TREE, CLOCK],
          useFactory: (pool: Pool, commands: CaseCommands, reader: CaseReader, store: AuditableEventStore, idempotency: IdempotencyStore, limits: PublicLimits, org: OrgTree, now: Now) => {
            // Read when first needed: processes that file nothing (the worker, the CLI) never touch it.
            let secret: Promise<string> | undefined;
            const codeSecret = () => (secret ??= loadOrCreateJwtSecret({ env: settings.secret.jwtSecret, dataDir: settings.secret.dataDir }));
            return new PublicChannel({ pool, commands, reader, store, idempotency, limits, org, now, kinds: settings.kinds ?? DEFAULT_PUBLIC_KINDS, codeSecret });
          },
        },
        {
          provide: Open311Keys,
          inject: [MAIN_POOL],
          useFactory: async (pool: Pool) => {
            const keys = new Open311Keys(pool);
            await keys.migrate();
            return keys;
          },
        },
        {
          provide: Open311,
          inject: [MAIN_POOL, PublicChannel, PublicLimits, ORG_TREE, CLOCK],
          useFactory: (pool: Pool, channel: PublicChannel, limits: PublicLimits, org: OrgTree, now: Now) => new Open311({ pool, channel, limits, org, now }),
        },
      ],
      exports: [PublicChannel, PublicLimits, Open311, Open311Keys],
    };
  }
}
