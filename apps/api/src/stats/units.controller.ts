import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Pool } from 'pg';
import type { Principal } from '#accounts';
import { calendarOf, ORG_TREE, SLA_POLICY, type OrgTree, type RankingWeights, type SlaPolicy } from '#domain';
import { UNIT_RANKING_COLUMNS, unitName, unitRankingRows } from '#exports';
import { ProjectionRunner } from '#projections';
import { CASE_STATS_READ_MODEL, UnitRankings, type ReportingPeriod } from '#reporting';
import { MAIN_POOL } from '#database';
import { CLOCK, type Now } from '#runtime';
import { BusyError, oneAtATime } from '../audit/one-at-a-time.js';
import { CurrentUser } from '../auth/auth.guard.js';
import { Refuses } from '../openapi/refusals.js';
import { awaitMinPosition, MIN_POSITION_WAIT_MS } from '../http/read-your-writes.js';
import { ApiSpreadsheet, spreadsheetReply } from '../http/spreadsheet.js';
import { STATS_REFUSALS, UnitRankingDto, UnitsQuery } from './stats.dto.js';

/** The advisory lock of rankings computed again at a position: one at a time per installation. */
export const RANKING_RECOMPUTE_LOCK = 'stats:ranking-at-position';

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
    @Inject(MAIN_POOL) private readonly pool: Pool,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'statsUnitRanking', summary: 'The parent unit’s children ranked by their weighted rates over cases filed in [from, to), with the log position and anchor they were computed at; with format=xlsx|csv, one row per child' })
  @ApiSpreadsheet(UnitRankingDto)
  @Refuses(
    { ...STATS_REFUSALS, 429: ['busy'] },
    {
      400: 'a wrong field, weights that cannot be read, or a position no event has, not reached yet or too costly to recompute at',
      429: 'another ranking at a position is being computed: wait for `Retry-After` seconds',
    },
  )
  async units(@CurrentUser() user: Principal, @Query() query: UnitsQuery, @Res({ passthrough: true }) response: FastifyReply) {
    // Checked before any wait, so that a refusal is immediate.
    const { parentId, period, weights } = this.rankings.scope(user, query, this.clock());
    await awaitMinPosition(this.projections, query.minPosition, [CASE_STATS_READ_MODEL], response);
    const ranking = query.position === undefined ? await this.rankings.ranking(parentId, period, weights) : await this.rankingAt(query.position, parentId, period, weights);
    if (!query.format) return ranking;
    const sheet = { name: '单位排名', columns: UNIT_RANKING_COLUMNS, rows: unitRankingRows(ranking), calendar: calendarOf(this.policy) };
    return spreadsheetReply(response, query.format, `单位排名-${unitName(this.org, parentId)}`, sheet, this.clock());
  }

  /** The ranking computed again at a position: one at a time per installation, as it reads every case's events. */
  private async rankingAt(position: number, parentId: string, period: ReportingPeriod, weights: RankingWeights) {
    // A position no event has is refused at once, not after the wait below.
    await this.rankings.pointOf(position);
    // A position just answered by a command may be a moment ahead of the statistics: give them the time minPosition would.
    await this.projections.waitFor(position, MIN_POSITION_WAIT_MS, [CASE_STATS_READ_MODEL]);
    return oneAtATime(this.pool, RANKING_RECOMPUTE_LOCK, () => new BusyError('a ranking at a position is already being computed', 'or leave out position'), () => this.rankings.ranking(parentId, period, weights, position));
  }
}
