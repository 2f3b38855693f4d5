import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AttachmentsModule } from '#attachments';
import { BulletinsModule } from '#bulletins';
import { SearchModule } from '#search';
import { EngineModule, type EngineSettings } from '#platform';
import { AuditController } from './audit/audit.controller.js';
import { DossierController } from './audit/dossier.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { BulletinsController } from './bulletins/bulletins.controller.js';
import { AdoptionsController } from './cases/adoptions.controller.js';
import { AttachmentsController } from './cases/attachments.controller.js';
import { CasesController } from './cases/cases.controller.js';
import { CasesService } from './cases/cases.service.js';
import { InboxController } from './cases/inbox.controller.js';
import { SimilarCasesController } from './cases/similar.controller.js';
import { ErrorFilter } from './http/error-filter.js';
import { DeadLettersController } from './notifications/dead-letters.controller.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { Metrics } from './ops/metrics.js';
import { OpsController } from './ops/ops.controller.js';
import { OrgController } from './org/org.controller.js';
import { UsersController } from './users/users.controller.js';
import { StatsController } from './stats/stats.controller.js';
import { UnitsController } from './stats/units.controller.js';
import { HotspotsController } from './stats/hotspots.controller.js';
import { PublicController } from './public/public.controller.js';
import { Open311Controller } from './open311/open311.controller.js';
import { Open311KeysController } from './open311/open311-keys.controller.js';

/** The HTTP API: the engine's modules, and the controllers that speak API.md over their ports. */
@Module({})
export class AppModule {
  static forRoot(engine: EngineSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [EngineModule.forRoot(engine), AttachmentsModule.forRoot(engine.config.attachments), BulletinsModule, SearchModule],
      controllers: [
        AuthController,
        OrgController,
        UsersController,
        CasesController,
        AttachmentsController,
        AdoptionsController,
        InboxController,
        NotificationsController,
        DeadLettersController,
        OpsController,
        StatsController,
        UnitsController,
        AuditController,
        DossierController,
        PublicController,
        Open311Controller,
        Open311KeysController,
        BulletinsController,
        SimilarCasesController,
        HotspotsController,
      ],
      providers: [{ provide: APP_GUARD, useClass: AuthGuard }, { provide: APP_FILTER, useClass: ErrorFilter }, Metrics, CasesService],
    };
  }
}
