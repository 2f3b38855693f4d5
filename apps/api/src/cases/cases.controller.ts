import { applyDecorators, BadRequestException, Body, Controller, Get, Headers, HttpCode, Inject, NotFoundException, Param, Post, Query, Res, type StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { CaseDetailDto, CaseFiledDto, CaseHistoryDto, CaseListDto, CaseMovedDto, CaseStateAtDto, CaseVerificationDto, ColleagueDto } from './case.responses.js';
import { Refuses, type Refusals } from '../openapi/refusals.js';
import { idempotencyKeyOf } from '../http/idempotency-key.js';
import { ApiSpreadsheet, refuseOversizedExport, spreadsheetReply } from '../http/spreadsheet.js';

/**
 * What every command on a case may be refused with: a role or scope that may not make the move
 * (403), an unknown case (404), a stale `expectedRevision` or a state or org tree that forbids the
 * move (409). Blank texts are refused by validation (400 without a code) before the domain sees them.
 */
const COMMAND_REFUSALS = { 403: ['forbidden'], 404: ['not_found'], 409: ['revision_conflict', 'illegal_transition'] } as const satisfies Refusals;
/** …and for a command whose reference the domain may find wrong (the unit it is at, a non-coordinator, the case itself): 400 `invalid`. */
const CHECKED_COMMAND_REFUSALS = { ...COMMAND_REFUSALS, 400: ['invalid'] } as const satisfies Refusals;
/** …and for a command that adds a note, when the case holds the most it may: 409 `limit_reached`. */
const NOTE_COMMAND_REFUSALS = { ...COMMAND_REFUSALS, 409: [...COMMAND_REFUSALS[409], 'limit_reached'] } as const satisfies Refusals;

/** OpenAPI of a command on a case: its summary, the command answer and what it may be refused with. */
function CaseCommand(summary: string, refusals: Refusals = COMMAND_REFUSALS): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary }),
    ApiOkResponse({ type: CaseMovedDto, description: 'the case’s status, revision and log position after the command' }),
    Refuses(refusals),
  );
}

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
  @ApiCreatedResponse({ type: CaseFiledDto, description: 'the case is filed; with an Idempotency-Key used before with the same body, the first filing’s answer' })
  @Refuses({ 400: ['invalid'], 403: ['forbidden'], 404: ['not_found'], 409: ['idempotency_key_reused'] })
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
  @CaseCommand('Accept a filed case for coordination (filed → in_coordination); an optional note is kept as a note', NOTE_COMMAND_REFUSALS)
  accept(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, note }: AcceptDto) {
    return this.move(user, id, { type: 'AcceptCase', note }, expectedRevision);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @CaseCommand('Reject a filed case (filed → rejected)')
  reject(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, reason }: ReasonDto) {
    return this.move(user, id, { type: 'RejectCase', reason }, expectedRevision);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @CaseCommand('Assign the case to a coordinator in scope (in_coordination); 404 for an unknown user', CHECKED_COMMAND_REFUSALS)
  async assign(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, assigneeId }: AssignDto) {
    const assignee = isUuid(assigneeId) ? await this.users.findById(assigneeId) : null;
    if (!assignee) throw new NotFoundException({ message: `no user ${assigneeId}`, code: 'not_found', details: [{ field: 'assigneeId', message: 'unknown user' }] });
    return this.move(user, id, { type: 'AssignCase', assignee: { userId: assignee.id, roles: assignee.roles, unitId: assignee.unitId } }, expectedRevision);
  }

  @Post(':id/notes')
  @HttpCode(200)
  @CaseCommand('Add a contact, visit, mediation or other note (any open state); clerks add contact notes only', NOTE_COMMAND_REFUSALS)
  addNote(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, type, text }: NoteDto) {
    return this.move(user, id, { type: 'AddNote', noteType: type, text }, expectedRevision);
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @CaseCommand('Transfer the case to a sibling unit (filed, in_coordination → filed at that unit)', CHECKED_COMMAND_REFUSALS)
  transfer(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, toUnitId, reason }: TransferDto) {
    return this.move(user, id, { type: 'TransferCase', toUnitId, reason }, expectedRevision);
  }

  @Post(':id/escalate')
  @HttpCode(200)
  @CaseCommand('Escalate the case to the parent unit (filed, in_coordination → filed there; 409 at the city)')
  escalate(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, reason }: ReasonDto) {
    return this.move(user, id, { type: 'EscalateCase', reason }, expectedRevision);
  }

  @Post(':id/request-annotation')
  @HttpCode(200)
  @CaseCommand('Ask a leader to annotate the case (in_coordination → awaiting_annotation)')
  requestAnnotation(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, summary }: SummaryDto) {
    return this.move(user, id, { type: 'RequestAnnotation', summary }, expectedRevision);
  }

  @Post(':id/annotate')
  @HttpCode(200)
  @CaseCommand('Annotate the case (批示), optionally handing it to a unit under supervision (awaiting_annotation → in_coordination)')
  annotate(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, instruction, assignToUnitId }: AnnotateDto) {
    return this.move(user, id, { type: 'AnnotateCase', instruction, assignToUnitId: assignToUnitId ?? undefined }, expectedRevision);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @CaseCommand('Record the case’s resolution (in_coordination → resolved)')
  resolve(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, outcome, summary }: ResolveDto) {
    return this.move(user, id, { type: 'ResolveCase', outcome, summary }, expectedRevision);
  }

  @Post(':id/feedback')
  @HttpCode(200)
  @CaseCommand('Record the filer’s satisfaction (resolved → closed, or back to in_coordination when unsatisfied)')
  feedback(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, satisfaction, comment }: FeedbackDto) {
    return this.move(user, id, { type: 'RecordFeedback', satisfaction, comment }, expectedRevision);
  }

  @Post(':id/close')
  @HttpCode(200)
  @CaseCommand('Close a resolved case (resolved → closed)')
  close(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, summary }: SummaryDto) {
    return this.move(user, id, { type: 'CloseCase', summary }, expectedRevision);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @CaseCommand('Reopen a closed case (closed → in_coordination)')
  reopen(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, reason }: ReasonDto) {
    return this.move(user, id, { type: 'ReopenCase', reason }, expectedRevision);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @CaseCommand('Withdraw the case at the filer’s request (any open state → withdrawn)')
  withdraw(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, reason }: ReasonDto) {
    return this.move(user, id, { type: 'WithdrawCase', reason }, expectedRevision);
  }

  @Post(':id/merge')
  @HttpCode(200)
  @CaseCommand('Merge the case into another open case (filed, in_coordination → merged)', CHECKED_COMMAND_REFUSALS)
  merge(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, intoCaseId }: MergeDto) {
    return this.move(user, id, { type: 'MergeCase', intoCaseId: intoCaseId.toLowerCase() }, expectedRevision);
  }

  @Post(':id/extend-deadline')
  @HttpCode(200)
  @CaseCommand('Extend a running SLA deadline by working days (leaders; open states)')
  extendDeadline(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, clock, workingDays, reason }: ExtendDeadlineDto) {
    return this.move(user, id, { type: 'ExtendDeadline', clock, workingDays, reason }, expectedRevision);
  }

  private async move(user: Principal, id: string, fields: Parameters<CasesService['execute']>[2], expectedRevision: number | null | undefined): Promise<CaseMovedDto> {
    // Validation lets an optional field be null; null means "not given", as leaving it out does.
    const { id: caseIdOut, status, revision, position } = await this.cases.execute(user, caseId(id), fields, expectedRevision ?? undefined);
    return { id: caseIdOut, status, revision, position };
  }

  @Get()
  @ApiOperation({ summary: 'List cases in scope (filters, paging, substring search); with format=xlsx|csv, every matching case as a spreadsheet (pages ignored)' })
  @ApiSpreadsheet(CaseListDto)
  @Refuses({ 400: ['export_too_large'], 404: ['not_found'] })
  async list(@CurrentUser() user: Principal, @Query() query: ListCasesQuery, @Res({ passthrough: true }) response: FastifyReply): Promise<CaseListDto | StreamableFile> {
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
  @ApiOkResponse({ type: CaseDetailDto, description: 'the case now, its assignee, and the actions this user may take' })
  @Refuses({ 404: ['not_found'] })
  async detail(@CurrentUser() user: Principal, @Param('id') id: string): Promise<CaseDetailDto> {
    return this.withAssignee(presentCaseWithActions(await this.reader.current(user, caseId(id)), user, this.org));
  }

  /** The case as presented, with its assignee named (`assignee`, beside API.md's `assigneeId`). */
  private async withAssignee<View extends { readonly assigneeId: string | null }>(view: View) {
    const assignee = view.assigneeId === null ? null : await this.users.findById(view.assigneeId);
    return { ...view, assignee: assignee && asColleague(assignee) };
  }

  @Get(':id/assignees')
  @ApiOperation({ summary: 'The coordinators this user may assign the case to now, nearest unit first; none when they may not assign it (an addition to API.md)' })
  @ApiOkResponse({ type: [ColleagueDto], description: 'the coordinators, nearest unit first' })
  @Refuses({ 404: ['not_found'] })
  async assignees(@CurrentUser() user: Principal, @Param('id') id: string): Promise<ColleagueDto[]> {
    const { org } = this;
    const { state } = await this.reader.current(user, caseId(id));
    if (!allowedActions(state, user, org).includes('assign')) return [];
    const coordinators = await this.users.coordinatorsAt(assigneeUnitIds(state.unitId, user, org));
    return coordinators.map(asColleague);
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'A page of the case’s events (from fromRevision, at most limit: 500), with its hash chain, nextRevision when more follow, and (an addition to API.md) the people the page’s events name' })
  @ApiOkResponse({ type: CaseHistoryDto, description: 'a page of the case’s events, oldest first' })
  @Refuses({ 404: ['not_found'] })
  async history(@CurrentUser() user: Principal, @Param('id') id: string, @Query() query: HistoryPageQuery): Promise<CaseHistoryDto> {
    const range = historyRange(query);
    const { state, events } = await this.reader.events(user, caseId(id), range);
    const page = historyPage(events, range);
    const view = filerView(state, user, this.org);
    const people = await peopleNamedIn(page.events, (ids) => this.users.findByIds(ids));
    return { ...page, events: page.events.map((event) => presentEvent(event, view)), people: [...people.values()].map(asColleague) };
  }

  @Get(':id/state')
  @ApiOperation({ summary: 'The case as it stood right after a revision, or at a time (its assignee named as they are now)' })
  @ApiOkResponse({ type: CaseStateAtDto, description: 'the case as it stood then' })
  @Refuses({ 404: ['not_found'] })
  async stateAt(@CurrentUser() user: Principal, @Param('id') id: string, @Query() query: StateAtQuery): Promise<CaseStateAtDto> {
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
  @ApiOkResponse({ type: CaseVerificationDto, description: 'whether the case’s record and files are whole' })
  @Refuses({ 404: ['not_found'] })
  async verify(@CurrentUser() user: Principal, @Param('id') id: string): Promise<CaseVerificationDto> {
    const { events, head } = await this.reader.verifiable(user, caseId(id));
    return verifyCaseFiles(verifyStream(events, head), events, (sha256) => this.attachments.rehash(sha256));
  }
}
