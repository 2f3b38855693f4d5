import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Principal } from '#accounts';
import { BULLETIN_READ_MODEL, BulletinCommands, BulletinQueries, BulletinReader, bulletinDetail, renderBulletinHtml, type BulletinCommandContext } from '#bulletins';
import { CaseFoldCache } from '#cases';
import { InvalidError, ORG_TREE, SLA_POLICY, calendarOf, readableBulletinUnits, type OrgTree, type SlaPolicy } from '#domain';
import { verifyStream } from '#event-store';
import { currentRequest } from '#platform';
import { ProjectionRunner } from '#projections';
import { CLOCK, type Now } from '#runtime';
import { CurrentUser } from '../auth/auth.guard.js';
import { awaitMinPosition } from '../http/read-your-writes.js';
import { Refuses } from '../openapi/refusals.js';
import { ApiSpreadsheet, refuseOversizedExport, spreadsheetReply } from '../http/spreadsheet.js';
import { MAX_EXPORT_ROWS, bulletinColumns, unitName } from '#exports';
import {
  BulletinAnswerDto,
  BulletinDetailDto,
  BulletinListDto,
  BulletinQuery,
  DraftBulletinDto,
  ListBulletinsQuery,
  PublishedAnswerDto,
  ReviseBulletinDto,
  StreamVerificationDto,
} from './bulletin.dto.js';

/** The filters of the bulletin list, which an export over the cap is told to narrow with. */
const BULLETIN_FILTERS = ['unitId', 'year', 'status'];

/** 社情民意 bulletins (API.md, "社情民意"): coordinators draft and publish them; they are reported upward: their unit and the units above read them, never the units below. */
@ApiTags('bulletins')
@ApiBearerAuth()
@Controller('api/v1/bulletins')
export class BulletinsController {
  constructor(
    private readonly commands: BulletinCommands,
    private readonly reader: BulletinReader,
    private readonly queries: BulletinQueries,
    private readonly cases: CaseFoldCache,
    private readonly projections: ProjectionRunner,
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(SLA_POLICY) private readonly policy: SlaPolicy,
    @Inject(CLOCK) private readonly clock: Now,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Draft a bulletin of your unit from cases you may read' })
  @ApiCreatedResponse({ type: BulletinAnswerDto, description: 'the draft, at revision 0' })
  @Refuses(
    { 400: ['invalid'], 403: ['forbidden'] },
    { 400: 'a field the domain refuses: no such unit, no title, no case, a case twice or not readable by you', 403: 'not a coordinator of the unit' },
  )
  draft(@CurrentUser() user: Principal, @Body() { unitId, title, caseIds, editorNote }: DraftBulletinDto) {
    return this.commands.draft(unitId, { title, caseIds, editorNote: editorNote ?? null }, this.context(user));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Revise a draft: the fields given replace its own (editorNote: null removes the note); 409 once published' })
  @ApiOkResponse({ type: BulletinAnswerDto, description: 'the draft as revised' })
  @Refuses({ 400: ['invalid'], 403: ['forbidden'], 404: ['not_found'], 409: ['revision_conflict', 'illegal_transition', 'limit_reached'] })
  revise(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, title, caseIds, editorNote }: ReviseBulletinDto) {
    if (title === undefined && caseIds === undefined && editorNote === undefined) throw new InvalidError('body', 'give at least one of title, caseIds and editorNote');
    return this.commands.revise(id, { title, caseIds, editorNote }, expectedRevision ?? undefined, this.context(user));
  }

  @Post(':id/publish')
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish a draft (coordinators of its unit): numbered per unit and year without gaps, its items frozen, the leaders of the unit and of its parent notified; again: the same answer' })
  @ApiOkResponse({ type: PublishedAnswerDto, description: 'its number, the same for a repeat' })
  @Refuses({ 400: ['invalid'], 403: ['forbidden'], 404: ['not_found'], 409: ['revision_conflict'] }, { 400: 'one of its cases is no longer readable by the publisher (`caseIds`)' })
  publish(@CurrentUser() user: Principal, @Param('id') id: string) {
    return this.commands.publish(id, this.context(user));
  }

  @Get()
  @ApiOperation({ summary: 'Bulletins you may read (those of your unit and the units below it, never of the units above), newest first (unitId means that unit’s subtree); with format=xlsx|csv, all of them as a spreadsheet' })
  @ApiSpreadsheet(BulletinListDto)
  @Refuses({ 400: ['export_too_large'], 404: ['not_found'] }, { 400: 'a wrong field, or an export of more than the most rows', 404: 'no such unit' })
  async list(@CurrentUser() user: Principal, @Query() query: ListBulletinsQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { org } = this;
    if (query.unitId !== undefined && !org.has(query.unitId)) throw new NotFoundException({ message: `no unit ${query.unitId}`, code: 'not_found' });
    await awaitMinPosition(this.projections, query.minPosition, [BULLETIN_READ_MODEL], response);
    const filter = {
      readableUnitIds: readableBulletinUnits(user, org),
      unitIds: query.unitId === undefined ? undefined : org.subtreeIds(query.unitId),
      year: query.year,
      status: query.status,
    };
    // An export over the cap is refused on the count alone (a page of none), before any row is read.
    if (query.format) refuseOversizedExport((await this.queries.list({ ...filter, page: 1, pageSize: 0 })).total, BULLETIN_FILTERS);
    // An export takes every bulletin the filters match, not one page.
    const page = query.format ? 1 : (query.page ?? 1);
    const pageSize = query.format ? MAX_EXPORT_ROWS + 1 : (query.pageSize ?? 20);
    const { items, total } = await this.queries.list({ ...filter, page, pageSize });
    if (query.format) {
      refuseOversizedExport(total, BULLETIN_FILTERS);
      const sheet = { name: '社情民意简报', columns: bulletinColumns(org), rows: items, calendar: calendarOf(this.policy) };
      return spreadsheetReply(response, query.format, '社情民意简报', sheet, this.clock());
    }
    return { items: items.map((item) => ({ ...item, unitName: unitName(org, item.unitId)! })), total, page, pageSize };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A bulletin with its items and the adoptions recorded on them, for staff of its unit and the units above (else 404); ?format=html for a printable A4 page, ?lang=en in English' })
  @ApiExtraModels(BulletinDetailDto)
  @ApiOkResponse({
    description: 'the bulletin as JSON; with format=html, a printable A4 page (UTF-8)',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(BulletinDetailDto) } },
      'text/html': { schema: { type: 'string', description: 'a whole HTML document, every user text escaped' } },
    },
  })
  @Refuses({ 404: ['not_found'] })
  async detail(@CurrentUser() user: Principal, @Param('id') id: string, @Query() query: BulletinQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const language = query.lang ?? 'zh-CN';
    const detail = await bulletinDetail(await this.reader.current(user, id), this.cases, this.org, language);
    if (query.format !== 'html') return detail;
    response.type('text/html; charset=utf-8');
    return renderBulletinHtml(detail, { language, timeZone: this.policy.timezone });
  }

  @Get(':id/verify')
  @ApiOperation({ summary: 'Check the bulletin’s hash chain and stream head (its readers: staff of its unit and the units above)' })
  @ApiOkResponse({ type: StreamVerificationDto, description: 'ok, or where the record stops being whole' })
  @Refuses({ 404: ['not_found'] })
  async verify(@CurrentUser() user: Principal, @Param('id') id: string) {
    const { events, head } = await this.reader.verifiable(user, id);
    return verifyStream(events, head);
  }

  private context(user: Principal): BulletinCommandContext {
    // The correlation id is the server's own request id, never one a client chose; the client's is kept beside it.
    const request = currentRequest();
    return { actor: user, at: this.clock().toISOString(), correlationId: request?.requestId ?? randomUUID(), clientRequestId: request?.clientRequestId };
  }
}
