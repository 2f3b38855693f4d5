import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '#accounts';
import { hasRole, ORG_TREE, type OrgTree } from '#domain';
import { CLOCK, type Now } from '#runtime';
import { CurrentUser } from '../auth/auth.guard.js';
import { CASE_READ_MODEL, CaseQueries, presentCase } from '#cases';
import { ProjectionRunner } from '#projections';
import type { FastifyReply } from 'fastify';
import { awaitMinPosition, MinPositionQuery } from '../http/read-your-writes.js';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/inbox')
export class InboxController {
  constructor(
    private readonly queries: CaseQueries,
    private readonly projections: ProjectionRunner,
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(CLOCK) private readonly clock: Now,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Open cases waiting on my unit, assigned to me, or (leaders) awaiting my annotation' })
  async inbox(@CurrentUser() user: Principal, @Query() query: MinPositionQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { org, queries, projections } = this;
    await awaitMinPosition(projections, query.minPosition, [CASE_READ_MODEL], response);
    const works = hasRole(user, 'clerk') || hasRole(user, 'coordinator');
    const items = await queries.inbox({
      userId: user.userId,
      unitIds: works ? [user.unitId] : [],
      annotationUnitIds: hasRole(user, 'leader') ? org.subtreeIds(user.unitId) : [],
      now: this.clock(),
    });
    return { items: items.map((item) => presentCase(item, user, org)), total: items.length };
  }
}
