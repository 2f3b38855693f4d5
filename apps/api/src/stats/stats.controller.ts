import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#accounts';
import { ProjectionRunner } from '#projections';
import { CASE_STATS_READ_MODEL, CaseStatistics } from '#reporting';
import { CurrentUser } from '../auth/auth.guard.js';
import { awaitMinPosition } from '../http/read-your-writes.js';
import { CLOCK, type Now } from '#runtime';
import { AppraisalDto, StatisticsDto, StatsQuery } from './stats.dto.js';

/**
 * Statistics of the cases filed in a unit's subtree over a period, and the appraisal of the
 * information officers (社情民意信息员考核) who filed them. For coordinators, leaders, auditors and
 * admins, within their unit's subtree.
 */
@ApiTags('statistics')
@ApiBearerAuth()
@Controller('api/v1/stats')
export class StatsController {
  constructor(
    private readonly figuresOf: CaseStatistics,
    private readonly projections: ProjectionRunner,
    @Inject(CLOCK) private readonly clock: Now,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Cases filed in a unit’s subtree in [from, to): counts, rates, and a month-by-month series' })
  @ApiOkResponse({ type: StatisticsDto })
  async statistics(@CurrentUser() user: Principal, @Query() query: StatsQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { unitId, period } = await this.scope(user, query, response);
    return this.figuresOf.figures(unitId, period);
  }

  @Get('clerks')
  @ApiOperation({ summary: 'Appraisal of the information officers (clerks) in a unit’s subtree: what the cases they filed in [from, to) came to' })
  @ApiOkResponse({ type: AppraisalDto })
  async clerks(@CurrentUser() user: Principal, @Query() query: StatsQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { unitId, period } = await this.scope(user, query, response);
    return this.figuresOf.appraisal(unitId, period);
  }

  /** Checks who asks and what for before waiting on the read model, so that a refusal is immediate. */
  private async scope(user: Principal, query: StatsQuery, response: FastifyReply) {
    const scope = this.figuresOf.scope(user, query, this.clock());
    await awaitMinPosition(this.projections, query.minPosition, [CASE_STATS_READ_MODEL], response);
    return scope;
  }
}
