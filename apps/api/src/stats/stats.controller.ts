import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#accounts';
import { calendarOf, ORG_TREE, SLA_POLICY, type OrgTree, type SlaPolicy } from '#domain';
import { appraisalColumns, FIGURE_COLUMNS, statisticsRows, unitName } from '#exports';
import { ProjectionRunner } from '#projections';
import { CASE_STATS_READ_MODEL, CaseStatistics } from '#reporting';
import { CurrentUser } from '../auth/auth.guard.js';
import { Refuses } from '../openapi/refusals.js';
import { awaitMinPosition } from '../http/read-your-writes.js';
import { ApiSpreadsheet, spreadsheetReply } from '../http/spreadsheet.js';
import { CLOCK, type Now } from '#runtime';
import { AppraisalDto, STATS_REFUSALS, StatisticsDto, StatsQuery } from './stats.dto.js';

/**
 * Statistics of the cases filed in a unit's subtree over a period, and the appraisal of the
 * information officers (社情民意信息员考核) who filed them. For coordinators, leaders, auditors and
 * admins, within their unit's subtree. Both answer a spreadsheet with `?format=xlsx|csv`.
 */
@ApiTags('statistics')
@ApiBearerAuth()
@Refuses(STATS_REFUSALS)
@Controller('api/v1/stats')
export class StatsController {
  constructor(
    private readonly figuresOf: CaseStatistics,
    private readonly projections: ProjectionRunner,
    @Inject(CLOCK) private readonly clock: Now,
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(SLA_POLICY) private readonly policy: SlaPolicy,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'statsFigures', summary: 'Cases filed in a unit’s subtree in [from, to): counts, rates, and a month-by-month series; with format=xlsx|csv, as label/value rows' })
  @ApiSpreadsheet(StatisticsDto)
  async statistics(@CurrentUser() user: Principal, @Query() query: StatsQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { unitId, period } = await this.scope(user, query, response);
    const figures = await this.figuresOf.figures(unitId, period);
    if (!query.format) return figures;
    const sheet = { name: '统计数据', columns: FIGURE_COLUMNS, rows: statisticsRows(figures, this.org), calendar: calendarOf(this.policy) };
    return spreadsheetReply(response, query.format, `统计数据-${unitName(this.org, unitId)}`, sheet, this.clock());
  }

  @Get('clerks')
  @ApiOperation({ operationId: 'statsClerks', summary: 'Appraisal of the information officers (clerks) in a unit’s subtree: what the cases they filed in [from, to) came to; with format=xlsx|csv, one row per clerk' })
  @ApiSpreadsheet(AppraisalDto)
  async clerks(@CurrentUser() user: Principal, @Query() query: StatsQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { unitId, period } = await this.scope(user, query, response);
    const appraisal = await this.figuresOf.appraisal(unitId, period);
    if (!query.format) return appraisal;
    const sheet = { name: '信息员考核', columns: appraisalColumns(this.org), rows: appraisal.clerks, calendar: calendarOf(this.policy) };
    return spreadsheetReply(response, query.format, `信息员考核-${unitName(this.org, unitId)}`, sheet, this.clock());
  }

  /** Checks who asks and what for before waiting on the read model, so that a refusal is immediate. */
  private async scope(user: Principal, query: StatsQuery, response: FastifyReply) {
    const scope = this.figuresOf.scope(user, query, this.clock());
    await awaitMinPosition(this.projections, query.minPosition, [CASE_STATS_READ_MODEL], response);
    return scope;
  }
}
