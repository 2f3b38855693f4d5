import { Controller, Get, Inject, Query, Res, type StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '#accounts';
import { calendarOf, hasRole, ORG_TREE, SLA_POLICY, type OrgTree, type SlaPolicy } from '#domain';
import { caseColumns } from '#exports';
import { CLOCK, type Now } from '#runtime';
import { CurrentUser } from '../auth/auth.guard.js';
import { CASE_READ_MODEL, CaseQueries, exportedFilerView, presentCase } from '#cases';
import { ProjectionRunner } from '#projections';
import type { FastifyReply } from 'fastify';
import { awaitMinPosition } from '../http/read-your-writes.js';
import { ApiSpreadsheet, SpreadsheetQuery, spreadsheetReply } from '../http/spreadsheet.js';
import { InboxDto } from './case.responses.js';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/inbox')
export class InboxController {
  constructor(
    private readonly queries: CaseQueries,
    private readonly projections: ProjectionRunner,
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(CLOCK) private readonly clock: Now,
    @Inject(SLA_POLICY) private readonly policy: SlaPolicy,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'inboxList', summary: 'Open cases waiting on my unit, assigned to me, or (leaders) awaiting my annotation; with format=xlsx|csv, as a spreadsheet' })
  @ApiSpreadsheet(InboxDto)
  async inbox(@CurrentUser() user: Principal, @Query() query: SpreadsheetQuery, @Res({ passthrough: true }) response: FastifyReply): Promise<InboxDto | StreamableFile> {
    const { org, queries, projections } = this;
    await awaitMinPosition(projections, query.minPosition, [CASE_READ_MODEL], response);
    const works = hasRole(user, 'clerk') || hasRole(user, 'coordinator');
    const now = this.clock();
    const items = await queries.inbox({
      userId: user.userId,
      unitIds: works ? [user.unitId] : [],
      annotationUnitIds: hasRole(user, 'leader') ? org.subtreeIds(user.unitId) : [],
      now,
    });
    if (query.format) {
      const rows = items.map((item) => presentCase(item, user, org, exportedFilerView(item.state, user, org)));
      const sheet = { name: '待办案件', columns: caseColumns(org), rows, calendar: calendarOf(this.policy) };
      return spreadsheetReply(response, query.format, '待办案件', sheet, now);
    }
    return { items: items.map((item) => presentCase(item, user, org)), total: items.length };
  }
}
