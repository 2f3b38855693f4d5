import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#accounts';
import { buildDossier, peopleNamedIn, renderDossierHtml } from '#audit';
import { caseStreamId, foldCase } from '#cases';
import { canRead } from '#domain';
import type { EventStoreAudit } from '#event-store';
import type { Engine } from '#platform';
import { CurrentUser } from '../auth/auth.guard.js';
import { caseId } from '../cases/cases.controller.js';
import { caseNotFound } from '../cases/cases.service.js';
import { CLOCK, ENGINE, type Clock } from '../platform/tokens.js';
import { DossierQuery } from './audit.dto.js';

/** A case's full record, as JSON or as a printable page; read as `GET /cases/{id}` is (404 outside the reader's scope). */
@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/cases')
export class DossierController {
  private readonly audit: EventStoreAudit;

  constructor(
    @Inject(ENGINE) private readonly engine: Engine,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.audit = engine.store;
  }

  @Get(':id/dossier')
  @ApiOperation({ summary: 'The case’s dossier: the case now, its timeline, notes, annotations, clocks and verification; ?format=html for a printable page' })
  @ApiProduces('application/json', 'text/html')
  async dossier(@CurrentUser() user: Principal, @Param('id') id: string, @Query() query: DossierQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { org, policy, users } = this.engine;
    // Events and head row from one snapshot, so an append landing meanwhile is not taken for tampering.
    const { events, head } = await this.audit.readStreamWithHead(caseStreamId(caseId(id)));
    const { state } = foldCase(events, policy);
    if (state.status === 'none' || !canRead(state, user, org)) throw caseNotFound(id);
    const people = await peopleNamedIn(events, (ids) => users.findByIds(ids));
    const dossier = buildDossier({
      events,
      head,
      policy,
      org,
      people,
      reader: user,
      generatedAt: this.clock(),
      generatedBy: { userId: user.userId, username: user.username, via: 'api' },
    })!;
    if (query.format !== 'html') return dossier;
    response.type('text/html; charset=utf-8');
    return renderDossierHtml(dossier, { org, people });
  }
}
