import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiSchema, ApiTags } from '@nestjs/swagger';
import type { Principal } from '#accounts';
import { BulletinReader } from '#bulletins';
import { CaseReader } from '#cases';
import {
  ADOPTION_KINDS,
  ADOPTION_LEVELS,
  BulletinNotFoundError,
  CASE_STATUSES,
  ForbiddenError,
  InvalidError,
  ORG_TREE,
  TEXT_LIMITS,
  actingRole,
  adoptionLevelOf,
  hasRole,
  type AdoptionKind,
  type AdoptionLevel,
  type CaseAdoption,
  type CaseStatus,
  type OrgTree,
} from '#domain';
import { CurrentUser } from '../auth/auth.guard.js';
import { OneOf, RevisionDto, Text } from '../http/fields.js';
import { Refuses } from '../openapi/refusals.js';
import { CaseAdoptionDto } from './case.responses.js';
import { caseId } from './cases.controller.js';
import { CasesService } from './cases.service.js';

export class AdoptionDto extends RevisionDto {
  @OneOf(ADOPTION_LEVELS, { optional: true, description: 'the level that adopted or annotated it; a leader who leaves it out records their own unit’s level' })
  level?: AdoptionLevel;

  @OneOf(ADOPTION_KINDS, { description: 'adopted (采用) or annotated (批示)' })
  kind!: AdoptionKind;

  @Text(TEXT_LIMITS.adoptionBody, { description: 'what was adopted, or the leader’s instruction', example: '请区民政局研究落实' })
  body!: string;

  @Text(TEXT_LIMITS.adoptionNote, { optional: true })
  note?: string;

  @Text(64, { optional: true, description: 'the published bulletin (简报) the opinion was reported in: one you may read that holds this case' })
  bulletinId?: string;
}

/** `POST /api/v1/cases/{id}/adoptions`: the command's answer, as every case command's, with the adoption recorded. */
@ApiSchema({ name: 'AdoptionRecorded' })
export class AdoptedDto {
  @ApiProperty({ format: 'uuid', description: 'the case’s id' }) id!: string;
  @ApiProperty({ enum: CASE_STATUSES, description: 'the case’s status, which an adoption does not change', example: 'resolved' }) status!: CaseStatus;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'the revision of the SuggestionAdopted event', example: 6 }) revision!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'its global log position (minPosition for lists and statistics)', example: 1042 }) position!: number;
  @ApiProperty({ type: CaseAdoptionDto, description: 'the adoption as the case now records it' }) adoption!: CaseAdoptionDto;
}

/** `GET /api/v1/cases/{id}/adoptions`. */
@ApiSchema({ name: 'AdoptionList' })
export class AdoptionListDto {
  @ApiProperty({ type: [CaseAdoptionDto], description: 'oldest first' }) items!: CaseAdoptionDto[];
}

/**
 * Adoptions of reported opinions (采用 / 批示, API.md "社情民意"): coordinators and leaders who may
 * read the case record where it was adopted or annotated, through the case command path.
 */
@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/cases')
export class AdoptionsController {
  constructor(
    private readonly cases: CasesService,
    private readonly reader: CaseReader,
    private readonly bulletins: BulletinReader,
    @Inject(ORG_TREE) private readonly org: OrgTree,
  ) {}

  @Post(':id/adoptions')
  @ApiOperation({ summary: 'Record that the opinion was adopted or annotated at a level, optionally from a published bulletin holding the case' })
  @ApiCreatedResponse({ type: AdoptedDto, description: 'recorded as the case’s SuggestionAdopted event' })
  @Refuses(
    { 400: ['invalid'], 403: ['forbidden'], 404: ['not_found'], 409: ['revision_conflict', 'illegal_transition', 'limit_reached'] },
    {
      400: 'a level out of the actor’s reach or below the filing’s, a leader’s level left out by others, or a bulletin not published, not readable or not holding the case',
      403: 'not a coordinator or leader, or an annotation (批示) by other than a leader',
      404: 'no case readable by you',
      409: 'that level’s adoption or annotation already recorded (from that bulletin), the case full of adoptions, or a stale expectedRevision',
    },
  )
  async adopt(@CurrentUser() user: Principal, @Param('id') id: string, @Body() { expectedRevision, level, kind, body, note, bulletinId }: AdoptionDto) {
    const theCase = caseId(id);
    // Scope and role before the fields that need a look-up: out of scope is 404, a clerk 403, whatever the body.
    await this.reader.current(user, theCase);
    if (actingRole('AdoptSuggestion', user) === null) throw new ForbiddenError(`only coordinators and leaders record adoptions; roles ${user.roles.join(', ') || 'none'} may not`);
    const adoptionLevel = level ?? this.leaderLevel(user);
    if (bulletinId !== undefined) await this.checkBulletin(user, bulletinId, theCase);
    const fields = { type: 'AdoptSuggestion' as const, level: adoptionLevel, kind, body, note: note ?? undefined, bulletinId: bulletinId?.toLowerCase() };
    const result = await this.cases.execute(user, theCase, fields, expectedRevision ?? undefined);
    const [event] = (await this.reader.events(user, theCase, { fromRevision: result.revision, maxCount: 1 })).events;
    const adoption: CaseAdoption = { ...(event!.data as Omit<CaseAdoption, 'actorId' | 'at'>), actorId: event!.metadata.actorId, at: event!.metadata.at };
    return { id: result.id, status: result.status, revision: result.revision, position: result.position, adoption };
  }

  @Get(':id/adoptions')
  @ApiOperation({ summary: 'The adoptions recorded on the case, oldest first' })
  @ApiOkResponse({ type: AdoptionListDto, description: 'the adoptions (采用 / 批示) of the case' })
  @Refuses({ 404: ['not_found'] })
  async list(@CurrentUser() user: Principal, @Param('id') id: string) {
    const { state } = await this.reader.current(user, caseId(id));
    // A case folded before adoptions existed has no list yet.
    return { items: state.adoptions ?? [] };
  }

  /** A leader who names no level records their own unit's; anyone else must name it. */
  private leaderLevel(user: Principal): AdoptionLevel {
    if (!hasRole(user, 'leader')) throw new InvalidError('level', `is required: one of ${ADOPTION_LEVELS.join(', ')}`);
    return adoptionLevelOf(this.org.get(user.unitId).level);
  }

  /** The bulletin must be published, readable by the actor, and hold the case; else 400 naming `bulletinId`. */
  private async checkBulletin(user: Principal, bulletinId: string, theCase: string): Promise<void> {
    const record = await this.bulletins.current(user, bulletinId).catch((error: unknown) => {
      if (error instanceof BulletinNotFoundError) throw new InvalidError('bulletinId', `no bulletin ${bulletinId} that you may read`);
      throw error;
    });
    const { bulletin } = record;
    if (bulletin.status !== 'published') throw new InvalidError('bulletinId', `bulletin ${bulletinId} is not published yet`);
    if (!bulletin.caseIds.includes(theCase)) throw new InvalidError('bulletinId', `bulletin ${bulletinId} does not hold case ${theCase}`);
  }
}
