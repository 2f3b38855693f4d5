import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#accounts';
import { calendarOf, ORG_TREE, SLA_POLICY, type OrgTree, type SlaPolicy } from '#domain';
import { UNIT_RANKING_COLUMNS, unitName, unitRankingRows } from '#exports';
import { ProjectionRunner } from '#projections';
import { CASE_STATS_READ_MODEL, UnitRankings } from '#reporting';
import { CLOCK, type Now } from '#runtime';
import { CurrentUser } from '../auth/auth.guard.js';
import { awaitMinPosition, MIN_POSITION_WAIT_MS } from '../http/read-your-writes.js';
import { ApiSpreadsheet, spreadsheetReply } from '../http/spreadsheet.js';
import { UnitRankingDto, UnitsQuery } from './stats.dto.js';

/**
 * Rankings of the units under a parent, reproducible at a log position. For coordinators,
 * leaders, auditors and admins, the parent within their unit's subtree (as /stats).
 */
@ApiTags('statistics')
@ApiBearerAuth()
@Controller('api/v1/stats/units')
export class UnitsController {
  constructor(
    private readonly rankings: UnitRankings,
    private readonly projections: ProjectionRunner,
    @Inject(CLOCK) private readonly clock: Now,
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(SLA_POLICY) private readonly policy: SlaPolicy,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The parent unit’s children ranked by their weighted rates over cases filed in [from, to), with the log position and anchor they were computed at; with format=xlsx|csv, one row per child' })
  @ApiSpreadsheet(UnitRankingDto)
  async units(@CurrentUser() user: Principal, @Query() query: UnitsQuery, @Res({ passthrough: true }) response: FastifyReply) {
    // Checked before any wait, so that a refusal is immediate.
    const { parentId, period, weights } = this.rankings.scope(user, query, this.clock());
    await awaitMinPosition(this.projections, query.minPosition, [CASE_STATS_READ_MODEL], response);
    // A position just answered by a command may be a moment ahead of the statistics: give them the time minPosition would.
    if (query.position !== undefined) await this.projections.waitFor(query.position, MIN_POSITION_WAIT_MS, [CASE_STATS_READ_MODEL]);
    const ranking = await this.rankings.ranking(parentId, period, weights, query.position);
    if (!query.format) return ranking;
    const sheet = { name: '单位排名', columns: UNIT_RANKING_COLUMNS, rows: unitRankingRows(ranking), calendar: calendarOf(this.policy) };
    return spreadsheetReply(response, query.format, `单位排名-${unitName(this.org, parentId)}`, sheet, this.clock());
  }
}
