import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Inject, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { UserStore, type Principal } from '#accounts';
import { AttachmentIntake, verifyCaseFiles } from '#attachments';
import { CASE_READ_MODEL, CaseExportQuery, CaseQueries, CaseReader, IdempotentFiling, asColleague, exportedFilerView, filedCase, filerView, presentCase, presentCaseWithActions, presentEvent, type CaseAt } from '#cases';
import { ProjectionRunner } from '#projections';
import { NotFoundError, ORG_TREE, SLA_POLICY, allowedActions, assigneeUnitIds, calendarOf, isUuid, type OrgTree, type SlaPolicy } from '#domain';
import { MAX_EXPORT_ROWS, caseColumns } from '#exports';
import { peopleNamedIn } from '#audit';
import { verifyStream } from '#event-store';
import { CurrentUser } from '../auth/auth.guard.js';
import { HistoryPageQuery, historyPage, historyRange } from '../http/history-page.js';
import { awaitMinPosition } from '../http/read-your-writes.js';
import { CLOCK, type Now } from '#runtime';
import {
  AcceptDto,
  AnnotateDto,
  AssignDto,
  ExtendDeadlineDto,
  FeedbackDto,
  FileCaseDto,
  ListCasesQuery,
  MergeDto,
  NoteDto,
  ReasonDto,
  ResolveDto,
  StateAtQuery,
  SummaryDto,
  TransferDto,
} from './case.dto.js';
import { CasesService } from './cases.service.js';
import { idempotencyKeyOf } from '../http/idempotency-key.js';
import { ApiSpreadsheet, refuseOversizedExport, spreadsheetReply } from '../http/spreadsheet.js';

/** A case id from the path: anything that is not a UUID names no case. */
export function caseId(id: string): string {
  if (!isUuid(id)) throw new NotFoundError('case', id);
  return id.toLowerCase();
}

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/cases')
export class CasesController {
  constructor(
    private readonly cases: CasesService,
    private readonly reader: CaseReader,
    private readonly queries: CaseQueries,
    private readonly filing: IdempotentFiling,
    private readonly projections: ProjectionRunner,
    @Inject(UserStore) private readonly users: UserStore,
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(CLOCK) private readonly clock: Now,
    private readonly attachments: AttachmentIntake,
    private readonly exports: CaseExportQuery,
    @Inject(SLA_POLICY) private readonly policy: SlaPolicy,
  ) {}

  @Post()
  @ApiOperation({ summary: 'File a case' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a retry with the same key and body returns the first response' })
  async file(@CurrentUser() user: Principal, @Body() body: FileCaseDto, @Headers('idempotency-key') key: string | undefined, @Res({ passthrough: true }) response: FastifyReply) {
    const fields = {
      type: 'FileCase' as const,
      ...body,
      filer: { name: body.filer.name ?? '', phone: body.filer.phone ?? null, anonymous: body.filer.anonymous ?? false },
    };
    const idempotencyKey = idempotencyKeyOf(key);
    if (idempotencyKey === undefined) return filedCase(await this.cases.execute(user, randomUUID(), fields, undefined));
    const answer = await this.filing.file(user.userId, idempotencyKey, body, (id) => this.cases.execute(user, id, fields, undefined));
    response.status(answer.statusCode);
    return answer.body;
  }

  @Post(':id/accept')
  @HttpCode(200)
  accept(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, note }: AcceptDto) {
    return this.move(user, id, { type: 'AcceptCase', note }, expectedRevision);
  }

  @Post(':id/reject')
  @HttpCode(200)
  reject(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, reason }: ReasonDto) {
    return this.move(user, id, { type: 'RejectCase', reason }, expectedRevision);
  }

  @Post(':id/assign')
  @HttpCode(200)
  async assign(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, assigneeId }: AssignDto) {
    const assignee = isUuid(assigneeId) ? await this.users.findById(assigneeId) : null;
    if (!assignee) throw new NotFoundException({ message: `no user ${assigneeId}`, code: 'not_found', details: [{ field: 'assigneeId', message: 'unknown user' }] });
    return this.move(user, id, { type: 'AssignCase', assignee: { userId: assignee.id, roles: assignee.roles, unitId: assignee.unitId } }, expectedRevision);
  }

  @Post(':id/notes')
  @HttpCode(200)
  note(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, type, text }: NoteDto) {
    return this.move(user, id, { type: 'AddNote', noteType: type, text }, expectedRevision);
  }

  @Post(':id/transfer')
  @HttpCode(200)
  transfer(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, toUnitId, reason }: TransferDto) {
    return this.move(user, id, { type: 'TransferCase', toUnitId, reason }, expectedRevision);
  }

  @Post(':id/escalate')
  @HttpCode(200)
  escalate(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, reason }: ReasonDto) {
    return this.move(user, id, { type: 'EscalateCase', reason }, expectedRevision);
  }

  @Post(':id/request-annotation')
  @HttpCode(200)
  requestAnnotation(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, summary }: SummaryDto) {
    return this.move(user, id, { type: 'RequestAnnotation', summary }, expectedRevision);
  }

  @Post(':id/annotate')
  @HttpCode(200)
  annotate(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, instruction, assignToUnitId }: AnnotateDto) {
    return this.move(user, id, { type: 'AnnotateCase', instruction, assignToUnitId: assignToUnitId ?? undefined }, expectedRevision);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  resolve(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, outcome, summary }: ResolveDto) {
    return this.move(user, id, { type: 'ResolveCase', outcome, summary }, expectedRevision);
  }

  @Post(':id/feedback')
  @HttpCode(200)
  feedback(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, satisfaction, comment }: FeedbackDto) {
    return this.move(user, id, { type: 'RecordFeedback', satisfaction, comment }, expectedRevision);
  }

  @Post(':id/close')
  @HttpCode(200)
  close(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, summary }: SummaryDto) {
    return this.move(user, id, { type: 'CloseCase', summary }, expectedRevision);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  reopen(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, reason }: ReasonDto) {
    return this.move(user, id, { type: 'ReopenCase', reason }, expectedRevision);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  withdraw(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, reason }: ReasonDto) {
    return this.move(user, id, { type: 'WithdrawCase', reason }, expectedRevision);
  }

  @Post(':id/merge')
  @HttpCode(200)
  merge(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, intoCaseId }: MergeDto) {
    return this.move(user, id, { type: 'MergeCase', intoCaseId: intoCaseId.toLowerCase() }, expectedRevision);
  }

  @Post(':id/extend-deadline')
  @HttpCode(200)
  extendDeadline(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, clock, workingDays, reason }: ExtendDeadlineDto) {
    return this.move(user, id, { type: 'ExtendDeadline', clock, workingDays, reason }, expectedRevision);
  }

  private async move(user: Principal, id: string, fields: Parameters<CasesService['execute']>[2], expectedRevision: number | null | undefined) {
    // Validation lets an optional field be null; null means "not given", as leaving it out does.
    const { id: caseIdOut, status, revision, position } = await this.cases.execute(user, caseId(id), fields, expectedRevision ?? undefined);
    return { id: caseIdOut, status, revision, position };
  }

  @Get()
  @ApiOperation({ summary: 'List cases in scope (filters, paging, substring search); with format=xlsx|csv, every matching case as a spreadsheet (pages ignored)' })
  @ApiSpreadsheet()
  async list(@CurrentUser() user: Principal, @Query() query: ListCasesQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { org, queries, projections } = this;
    if (query.unitId !== undefined && !org.has(query.unitId)) throw new NotFoundException({ message: `no unit ${query.unitId}`, code: 'not_found' });
    await awaitMinPosition(projections, query.minPosition, [CASE_READ_MODEL], response);
    const filter = {
      readableUnitIds: org.subtreeIds(user.unitId),
      status: query.status,
      kind: query.kind,
      currentUnitIds: query.unitId ? org.subtreeIds(query.unitId) : undefined,
      q: query.q,
      overdueAt: query.overdue === 'true' ? this.clock() : undefined,
      filedBy: query.filedBy === 'me' ? user.userId : undefined,
    };
    if (query.format) {
      // The cases and their order are fixed first, as the list picks them: none filed meanwhile changes the file.
      const ids = await this.exports.matchingIds(filter, MAX_EXPORT_ROWS + 1);
      refuseOversizedExport(ids.length, ['status', 'kind', 'unitId', 'q', 'overdue']);
      const rows = this.presented(this.exports.cases(ids), user);
      const sheet = { name: '案件列表', columns: caseColumns(org), rows, calendar: calendarOf(this.policy) };
      return spreadsheetReply(response, query.format, '案件列表', sheet, this.clock());
    }
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const { items, total, totalExact } = await queries.list({ ...filter, page, pageSize });
    return { items: items.map((item) => presentCase(item, user, org)), total, totalExact, page, pageSize };
  }

  /** The cases of an export as the JSON list presents them to this reader, an anonymous filer withheld from everyone. */
  private async *presented(items: AsyncIterable<CaseAt>, user: Principal) {
    for await (const item of items) yield presentCase(item, user, this.org, exportedFilerView(item.state, user, this.org));
  }

  @Get(':id')
  @ApiOperation({ summary: 'The case now, with what this user may do (and, an addition to API.md, who its assignee is)' })
  async detail(@CurrentUser() user: Principal, @Param('id') id: string) {
    return this.withAssignee(presentCaseWithActions(await this.reader.current(user, caseId(id)), user, this.org));
  }

  /** The case as presented, with its assignee named (`assignee`, beside API.md's `assigneeId`). */
  private async withAssignee<View extends { readonly assigneeId: string | null }>(view: View) {
    const assignee = view.assigneeId === null ? null : await this.users.findById(view.assigneeId);
    return { ...view, assignee: assignee && asColleague(assignee) };
  }

  @Get(':id/assignees')
  @ApiOperation({ summary: 'The coordinators this user may assign the case to now, nearest unit first; none when they may not assign it (an addition to API.md)' })
  async assignees(@CurrentUser() user: Principal, @Param('id') id: string) {
    const { org } = this;
    const { state } = await this.reader.current(user, caseId(id));
    if (!allowedActions(state, user, org).includes('assign')) return [];
    const coordinators = await this.users.coordinatorsAt(assigneeUnitIds(state.unitId, user, org));
    return coordinators.map(asColleague);
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'A page of the case’s events (from fromRevision, at most limit: 500), with its hash chain, nextRevision when more follow, and (an addition to API.md) the people the page’s events name' })
  async history(@CurrentUser() user: Principal, @Param('id') id: string, @Query() query: HistoryPageQuery) {
    const range = historyRange(query);
    const { state, events } = await this.reader.events(user, caseId(id), range);
    const page = historyPage(events, range);
    const view = filerView(state, user, this.org);
    const people = await peopleNamedIn(page.events, (ids) => this.users.findByIds(ids));
    return { ...page, events: page.events.map((event) => presentEvent(event, view)), people: [...people.values()].map(asColleague) };
  }

  @Get(':id/state')
  @ApiOperation({ summary: 'The case as it stood right after a revision, or at a time (its assignee named as they are now)' })
  async stateAt(@CurrentUser() user: Principal, @Param('id') id: string, @Query() query: StateAtQuery) {
    if ((query.revision === undefined) === (query.at === undefined)) {
      throw new BadRequestException({
        message: 'give exactly one of revision or at',
        details: [{ field: query.revision === undefined ? 'revision' : 'at', message: 'give exactly one of revision or at' }],
      });
    }
    const { revision, at, state, clocks, current } = await this.cases.stateAt(user, caseId(id), query);
    // How the filer shows depends on who may act on the case now, not on where it stood then.
    const { org } = this;
    return { revision, at, state: await this.withAssignee(presentCase({ state, clocks, revision }, user, org, filerView(current, user, org))) };
  }

  @Get(':id/verify')
  @ApiOperation({ summary: 'Check the case’s hash chain and stream head, and re-hash its attachments’ files' })
  async verify(@CurrentUser() user: Principal, @Param('id') id: string) {
    const { events, head } = await this.reader.verifiable(user, caseId(id));
    return verifyCaseFiles(verifyStream(events, head), events, (sha256) => this.attachments.rehash(sha256));
  }
}
