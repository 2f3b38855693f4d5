import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#accounts';
import { ProjectionRunner } from '#projections';
import { CaseStatistics } from '#reporting';
import { CLOCK, type Now } from '#runtime';
import { HOTSPOTS_READ_MODEL, Hotspots } from '#search';
import { CurrentUser } from '../auth/auth.guard.js';
import { Refuses } from '../openapi/refusals.js';
import { CONSISTENCY_HEADER, awaitMinPosition } from '../http/read-your-writes.js';
import { HotspotsDto, HotspotsQuery } from './hotspots.dto.js';
import { STATS_REFUSALS } from './stats.dto.js';

const DEFAULT_LIMIT = 20;

/**
 * The terms that recur in the cases filed in a unit's subtree over a period (热点), by the grid or
 * community they were filed at and kind, against the period just before. Same readers, unit and
 * period rules as the statistics.
 */
@ApiTags('statistics')
@ApiBearerAuth()
@Refuses(STATS_REFUSALS)
@Controller('api/v1/stats/hotspots')
export class HotspotsController {
  constructor(
    private readonly statistics: CaseStatistics,
    private readonly hotspots: Hotspots,
    private readonly projections: ProjectionRunner,
    @Inject(CLOCK) private readonly clock: Now,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'statsHotspots', summary: 'The most frequent terms of the cases filed in a unit’s subtree in [from, to), by filing unit and kind, with the count in the period before' })
  @ApiOkResponse({ type: HotspotsDto, description: 'the terms, most cases first', headers: CONSISTENCY_HEADER })
  async top(@CurrentUser() user: Principal, @Query() query: HotspotsQuery, @Res({ passthrough: true }) response: FastifyReply): Promise<HotspotsDto> {
    // Who asks and what for first, so that a refusal does not wait on the read model.
    const { unitId, period } = this.statistics.scope(user, query, this.clock());
    await awaitMinPosition(this.projections, query.minPosition, [HOTSPOTS_READ_MODEL], response);
    return { items: await this.hotspots.top(unitId, period, query.limit ?? DEFAULT_LIMIT) };
  }
}
