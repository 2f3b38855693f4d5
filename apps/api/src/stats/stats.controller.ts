import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#accounts';
import type { Engine } from '#platform';
import { CASE_STATS_READ_MODEL } from '#reporting';
import { CurrentUser } from '../auth/auth.guard.js';
import { awaitMinPosition } from '../http/read-your-writes.js';
import { CLOCK, ENGINE, type Clock } from '../platform/tokens.js';
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
    @Inject(ENGINE) private readonly engine: Engine,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Cases filed in a unit’s subtree in [from, to): counts, rates, and a month-by-month series' })
  @ApiOkResponse({ type: StatisticsDto })
  async statistics(@CurrentUser() user: Principal, @Query() query: StatsQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { unitId, period } = await this.scope(user, query, response);
    return this.engine.statistics.figures(unitId, period);
  }

  @Get('clerks')
  @ApiOperation({ summary: 'Appraisal of the information officers (clerks) in a unit’s subtree: what the cases they filed in [from, to) came to' })
  @ApiOkResponse({ type: AppraisalDto })
  async clerks(@CurrentUser() user: Principal, @Query() query: StatsQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { unitId, period } = await this.scope(user, query, response);
    return this.engine.statistics.appraisal(unitId, period);
  }

  /** Checks who asks and what for before waiting on the read model, so that a refusal is immediate. */
  private async scope(user: Principal, query: StatsQuery, response: FastifyReply) {
    const scope = this.engine.statistics.scope(user, query, this.clock());
    await awaitMinPosition(this.engine.projections, query.minPosition, [CASE_STATS_READ_MODEL], response);
    return scope;
  }
}
