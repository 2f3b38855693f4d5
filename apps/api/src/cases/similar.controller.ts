import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '#accounts';
import { ForbiddenError, NotFoundError, ORG_TREE, type OrgTree } from '#domain';
import { SimilarCases } from '#search';
import { CurrentUser } from '../auth/auth.guard.js';
import { SimilarCasesDto, SimilarCasesQuery } from './similar.dto.js';
import { Refuses } from '../openapi/refusals.js';

/** Open cases like a draft, which the console shows while a clerk types, to catch a duplicate before it is filed. */
@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/cases/similar')
export class SimilarCasesController {
  constructor(
    private readonly similar: SimilarCases,
    @Inject(ORG_TREE) private readonly org: OrgTree,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'casesSimilar', summary: 'Up to 10 open cases in your scope most like a draft (title, description), each with a score in [0, 1]' })
  @ApiOkResponse({ type: SimilarCasesDto, description: 'the open cases most like the draft, most similar first' })
  @Refuses({ 403: ['forbidden'], 404: ['not_found'] })
  async find(@CurrentUser() user: Principal, @Query() query: SimilarCasesQuery): Promise<SimilarCasesDto> {
    const { org } = this;
    const unitId = query.unitId ?? user.unitId;
    if (!org.has(unitId)) throw new NotFoundError('unit', unitId);
    if (!org.isWithin(unitId, user.unitId)) throw new ForbiddenError(`unit ${unitId} lies outside your unit's subtree (${user.unitId})`);
    const items = await this.similar.find({ title: query.title, description: query.description ?? '', unitIds: org.subtreeIds(unitId) });
    return { items };
  }
}
