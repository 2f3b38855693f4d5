import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { LoginService } from '#accounts';
import { CASE_NUMBERS, CASE_REPOSITORY, EVENT_STORE, ExecuteCaseCommandHandler, ORG_TREE } from '#cases';
import { AuditController } from './audit/audit.controller.js';
import { DossierController } from './audit/dossier.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { CasesController } from './cases/cases.controller.js';
import { CasesService } from './cases/cases.service.js';
import { InboxController } from './cases/inbox.controller.js';
import { ErrorFilter } from './http/error-filter.js';
import { DeadLettersController } from './notifications/dead-letters.controller.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { Metrics } from './ops/metrics.js';
import { OpsController } from './ops/ops.controller.js';
import { OrgController } from './org/org.controller.js';
import { StatsController } from './stats/stats.controller.js';
import type { Engine } from '#platform';
import { CLOCK, ENGINE, type Clock } from './platform/tokens.js';

/** The HTTP API over an engine that was started outside NestJS. */
@Module({})
export class AppModule {
  static register(engine: Engine, clock: Clock = () => new Date()): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot()],
      controllers: [AuthController, OrgController, CasesController, InboxController, NotificationsController, DeadLettersController, OpsController, StatsController, AuditController, DossierController],
      providers: [
        { provide: ENGINE, useValue: engine },
        { provide: CLOCK, useValue: clock },
        { provide: EVENT_STORE, useValue: engine.store },
        { provide: ORG_TREE, useValue: engine.org },
        { provide: CASE_NUMBERS, useValue: engine.numbers },
        { provide: CASE_REPOSITORY, useValue: engine.cases },
        { provide: LoginService, useValue: engine.login },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
        Metrics,
        ExecuteCaseCommandHandler,
        CasesService,
      ],
    };
  }
}
