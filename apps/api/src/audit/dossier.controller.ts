import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#accounts';
import { AttachmentIntake, verifyCaseFiles } from '#attachments';
import { buildDossier, peopleNamedIn, renderDossierHtml } from '#audit';
import { UserStore } from '#accounts';
import { CaseReader } from '#cases';
import { ORG_TREE, SLA_POLICY, type OrgTree, type SlaPolicy } from '#domain';
import { CurrentUser } from '../auth/auth.guard.js';
import { caseId } from '../cases/cases.controller.js';
import { CLOCK, type Now } from '#runtime';
import { Refuses } from '../openapi/refusals.js';
import { DossierQuery } from './audit.dto.js';
import { DossierDto } from './audit.responses.js';

/** A case's full record, as JSON or as a printable page; read as `GET /cases/{id}` is (404 outside the reader's scope). */
@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/cases')
export class DossierController {
  constructor(
    private readonly reader: CaseReader,
    @Inject(UserStore) private readonly users: UserStore,
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(SLA_POLICY) private readonly policy: SlaPolicy,
    @Inject(CLOCK) private readonly clock: Now,
    private readonly attachments: AttachmentIntake,
  ) {}

  @Get(':id/dossier')
  @ApiOperation({ operationId: 'casesDossier', summary: 'The case’s dossier: the case now, its timeline, notes, annotations, clocks and verification; ?format=html for a printable page' })
  @ApiExtraModels(DossierDto)
  @ApiOkResponse({
    description: 'the dossier as JSON; with format=html, a printable page in Chinese (UTF-8)',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(DossierDto) } },
      'text/html': { schema: { type: 'string', description: 'a whole HTML document, every user text escaped' } },
    },
  })
  @Refuses({ 404: ['not_found'] })
  async dossier(@CurrentUser() user: Principal, @Param('id') id: string, @Query() query: DossierQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { reader, org, policy, users } = this;
    const record = await reader.verifiable(user, caseId(id));
    const people = await peopleNamedIn(record.events, (ids) => users.findByIds(ids));
    const built = buildDossier({
      record,
      policy,
      org,
      people,
      reader: user,
      generatedAt: this.clock(),
      generatedBy: { userId: user.userId, username: user.username, via: 'api' },
    });
    // Verified as GET /cases/{id}/verify verifies: the chain and the attachments' files.
    const dossier = { ...built, verification: await verifyCaseFiles(built.verification, record.events, (sha256) => this.attachments.rehash(sha256)) };
    if (query.format !== 'html') return dossier;
    response.type('text/html; charset=utf-8');
    return renderDossierHtml(dossier, { org, people });
  }
}
