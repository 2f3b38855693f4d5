import { randomUUID } from 'node:crypto';
import { applyDecorators, Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional } from 'class-validator';
import { ACCOUNT_VIEW, AccountCommands, AccountNotFoundError, DISABLE_REASON_MAX_LENGTH, UserStore, publicAccount, readAccount, type AccountCommandContext, type AccountCommandResult, type Principal } from '#accounts';
import { ORG_TREE, ROLES, isUuid, type OrgTree, type Role } from '#domain';
import { EVENT_STORE, type EventStore } from '#event-store';
import { currentRequest } from '#platform';
import { ProjectionRunner } from '#projections';
import { CurrentUser, Roles } from '../auth/auth.guard.js';
import { OneOf, Text } from '../http/fields.js';
import { HistoryPageQuery, historyPage, historyRange } from '../http/history-page.js';
import { CONSISTENCY_HEADER, MIN_POSITION_WAIT_MS, PagedQuery, awaitMinPosition } from '../http/read-your-writes.js';
import { Refuses } from '../openapi/refusals.js';
import { AccountDto, AccountHistoryDto, AccountPageDto, TemporaryPasswordDto } from './user.responses.js';

/** A non-empty list of roles (that `admin` stands alone is the domain's rule, with its own message). */
function RoleList({ optional = false } = {}): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ enum: ROLES, isArray: true, required: !optional }),
    ...(optional ? [IsOptional()] : []),
    IsArray({ message: 'must be a list of roles' }),
    ArrayMinSize(1, { message: 'must name at least one role' }),
    ArrayMaxSize(ROLES.length),
    IsIn(ROLES as unknown as string[], { each: true, message: `each must be one of: ${ROLES.join(', ')}` }),
  );
}

export class CreateUserDto {
  @RoleList()
  roles!: Role[];

  @Text(64, { example: 'hd-ll-1.clerk' })
  username!: string;

  @Text(100, { example: '柳林村信息员' })
  displayName!: string;

  @Text(1024, { description: 'at least 8 characters' })
  password!: string;

  @Text(64, { example: 'hd-ll-1' })
  unitId!: string;
}

export class UpdateUserDto {
  @Text(100, { optional: true, example: '柳林村信息员' })
  displayName?: string;

  @RoleList({ optional: true })
  roles?: Role[];

  @Text(64, { optional: true, example: 'hd-ll-1' })
  unitId?: string;
}

export class DisableUserDto {
  @Text(DISABLE_REASON_MAX_LENGTH, { example: '调离岗位' })
  reason!: string;
}

export class ListUsersQuery extends PagedQuery {
  @Text(64, { optional: true, description: 'that unit’s subtree (within the admin’s)' })
  unitId?: string;

  @Text(100, { optional: true, description: 'substring of the username or display name' })
  q?: string;

  @OneOf(['true', 'false'], { optional: true, description: 'also list disabled accounts' })
  includeDisabled?: 'true' | 'false';
}

/**
 * The accounts, for admins: each sees and changes only the accounts of their unit's subtree,
 * and moves them only within it (the domain decides; see decide-account.ts). Every change is an
 * event of the account's stream; answers wait until the accounts read model shows it.
 */
@ApiTags('accounts')
@ApiBearerAuth()
@Controller('api/v1/users')
export class UsersController {
  constructor(
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(UserStore) private readonly users: UserStore,
    @Inject(AccountCommands) private readonly commands: AccountCommands,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
  ) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'The accounts of the admin’s subtree, paged' })
  @ApiOkResponse({ type: AccountPageDto, description: 'the page; a unit outside the admin’s subtree lists nothing', headers: CONSISTENCY_HEADER })
  @Refuses({ 403: ['forbidden'], 404: ['not_found'] })
  async list(@CurrentUser() admin: Principal, @Query() query: ListUsersQuery, @Res({ passthrough: true }) response: FastifyReply): Promise<AccountPageDto> {
    await awaitMinPosition(this.projections, query.minPosition, [ACCOUNT_VIEW], response);
    const root = query.unitId ?? admin.unitId;
    if (!this.org.has(root)) throw new NotFoundException({ message: `unknown unit ${root}`, code: 'not_found' });
    // A unit outside the admin's subtree lists nothing rather than saying what is there.
    const unitIds = this.org.isWithin(root, admin.unitId) ? this.subtree(root) : [];
    return this.users.page({
      unitIds,
      q: query.q,
      includeDisabled: query.includeDisabled === 'true',
      page: query.page ?? 1,
      pageSize: query.pageSize ?? 20,
    });
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create an account in the admin’s subtree (`admin` stands alone)' })
  @ApiCreatedResponse({ type: AccountDto, description: 'the account made' })
  @Refuses({ 400: ['invalid_user'], 403: ['forbidden'], 409: ['username_taken'] }, { 409: 'the username is taken' })
  async create(@CurrentUser() admin: Principal, @Body() body: CreateUserDto): Promise<AccountDto> {
    return this.answer(await this.commands.create(admin, body, accountCommandContext()));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change an account’s name, roles or unit (roles and unit end its sessions)' })
  @ApiOkResponse({ type: AccountDto, description: 'the account as changed' })
  @Refuses({ 400: ['invalid_user'], 403: ['forbidden'], 404: ['not_found'], 409: ['illegal_transition', 'revision_conflict'] })
  async update(@CurrentUser() admin: Principal, @Param('id') id: string, @Body() body: UpdateUserDto): Promise<AccountDto> {
    return this.answer(await this.commands.update(admin, userId(id), body, accountCommandContext()));
  }

  @Post(':id/disable')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Disable an account: it cannot log in, and its sessions end' })
  @ApiOkResponse({ type: AccountDto, description: 'the account, disabled' })
  @Refuses({ 400: ['invalid_user'], 403: ['forbidden'], 404: ['not_found'], 409: ['illegal_transition', 'revision_conflict'] })
  async disable(@CurrentUser() admin: Principal, @Param('id') id: string, @Body() body: DisableUserDto): Promise<AccountDto> {
    return this.answer(await this.commands.disable(admin, userId(id), body.reason, accountCommandContext()));
  }

  @Post(':id/enable')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Enable a disabled account' })
  @ApiOkResponse({ type: AccountDto, description: 'the account, enabled' })
  @Refuses({ 403: ['forbidden'], 404: ['not_found'], 409: ['illegal_transition', 'revision_conflict'] })
  async enable(@CurrentUser() admin: Principal, @Param('id') id: string): Promise<AccountDto> {
    return this.answer(await this.commands.enable(admin, userId(id), accountCommandContext()));
  }

  @Post(':id/reset-password')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Set a temporary password (shown once); the next login must choose a new one' })
  @ApiOkResponse({ type: TemporaryPasswordDto, description: 'the temporary password, shown this once' })
  @Refuses({ 403: ['forbidden'], 404: ['not_found'], 409: ['illegal_transition', 'revision_conflict'] })
  async resetPassword(@CurrentUser() admin: Principal, @Param('id') id: string): Promise<TemporaryPasswordDto> {
    const result = await this.commands.resetPassword(admin, userId(id), accountCommandContext());
    await this.answer(result);
    return { temporaryPassword: result.temporaryPassword };
  }

  @Get(':id/history')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Every event of the account’s hash-chained stream, paged' })
  @ApiOkResponse({ type: AccountHistoryDto, description: 'a page of the events, oldest first' })
  @Refuses({ 403: ['forbidden'], 404: ['not_found'] })
  async history(@CurrentUser() reader: Principal, @Param('id') id: string, @Query() query: HistoryPageQuery) {
    // Accounts hold few events: one read of the stream gives both the scope check and the page.
    const { state, events: all } = await readAccount(this.store, userId(id));
    // Outside the reader's subtree an account is as unknown as one that does not exist.
    if (!state.exists || !this.org.has(state.unitId) || !this.org.isWithin(state.unitId, reader.unitId)) throw new AccountNotFoundError(id);
    const range = historyRange(query);
    const { events, nextRevision } = historyPage(all.slice(range.fromRevision, range.fromRevision + range.maxCount), range);
    return {
      events: events.map((event) => ({
        id: event.id,
        revision: event.revision,
        position: event.globalPosition,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: event.data,
        metadata: event.metadata,
        prevHash: event.prevHash,
        hash: event.hash,
      })),
      ...(nextRevision !== undefined ? { nextRevision } : {}),
    };
  }

  /** The account as the command left it, once the accounts read model shows it (read-your-writes). */
  private async answer(result: AccountCommandResult): Promise<AccountDto> {
    if (result.position !== null) await this.projections.waitFor(result.position, MIN_POSITION_WAIT_MS, [ACCOUNT_VIEW]);
    return publicAccount(result.account);
  }

  private subtree(root: string): string[] {
    return this.org.units().filter((unit) => this.org.isWithin(unit.id, root)).map((unit) => unit.id);
  }
}

/** The user id of a path, or 404 (a malformed id names no account). */
function userId(id: string): string {
  if (!isUuid(id)) throw new AccountNotFoundError(id);
  return id.toLowerCase();
}

/** Ties the account's events to this request. */
export function accountCommandContext(): AccountCommandContext {
  const request = currentRequest();
  return { correlationId: request?.requestId ?? randomUUID(), ...(request?.clientRequestId ? { clientRequestId: request.clientRequestId } : {}) };
}
