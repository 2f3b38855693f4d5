import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { BulletinAnswer, BulletinDetail, BulletinDetailItem, BulletinListItem, PublishedAnswer } from '#bulletins';
import { BULLETIN_LIMITS, BULLETIN_STATUSES, CASE_KINDS, LANGUAGES, type BulletinStatus, type CaseKind, type Language } from '#domain';
import type { StreamVerification } from '#event-store';
import { CaseAdoptionDto } from '../cases/case.responses.js';
import { OneOf, RevisionDto, Text, WholeNumber } from '../http/fields.js';
import { PagedQuery } from '../http/read-your-writes.js';
import { SpreadsheetFormatField } from '../http/spreadsheet.js';
import type { SpreadsheetFormat } from '#exports';
import { COUNT, SHA256_HEX, TIME } from '../openapi/properties.js';

/** `caseIds`: the cases of the bulletin, in print order; the domain refuses an empty list, duplicates and unreadable cases, naming the field. */
function CaseIds(options: { optional?: boolean } = {}): PropertyDecorator {
  const doc = { type: String, isArray: true, format: 'uuid', minItems: 1, maxItems: BULLETIN_LIMITS.items, description: 'the cases, in print order; each readable by you, each once' };
  return applyDecorators(
    options.optional ? applyDecorators(IsOptional(), ApiPropertyOptional(doc)) : applyDecorators(ApiProperty(doc), IsDefined({ message: 'is required' })),
    IsArray({ message: 'must be a list of case ids' }),
    ArrayMaxSize(BULLETIN_LIMITS.items, { message: `must have at most ${BULLETIN_LIMITS.items} cases` }),
    IsString({ each: true, message: 'must be a list of case ids' }),
    MaxLength(64, { each: true, message: 'must be a list of case ids' }),
  );
}

export class DraftBulletinDto {
  @Text(64, { description: 'your own unit: its coordinators write its bulletins', example: 'hd-dg' })
  unitId!: string;

  @Text(BULLETIN_LIMITS.title, { example: '东关街道社情民意' })
  title!: string;

  @CaseIds()
  caseIds!: string[];

  @Text(BULLETIN_LIMITS.editorNote, { optional: true, description: 'the editor’s note (编者按)' })
  editorNote?: string;
}

/** PATCH: the fields given replace the draft's; `editorNote: null` removes the note. */
export class ReviseBulletinDto extends RevisionDto {
  @Text(BULLETIN_LIMITS.title, { optional: true })
  title?: string;

  @CaseIds({ optional: true })
  caseIds?: string[];

  @ValidateIf((dto: ReviseBulletinDto) => dto.editorNote !== null)
  @Text(BULLETIN_LIMITS.editorNote, { optional: true, description: 'null removes the note' })
  editorNote?: string | null;
}

export const BULLETIN_FORMATS = ['json', 'html'] as const;

export class BulletinQuery {
  @OneOf(BULLETIN_FORMATS, { optional: true, description: 'json (default) or html: a printable A4 page' })
  format?: (typeof BULLETIN_FORMATS)[number];

  @OneOf(LANGUAGES, { optional: true, description: 'zh-CN (default) or en' })
  lang?: Language;
}

export class ListBulletinsQuery extends PagedQuery {
  @Text(64, { optional: true, description: 'that unit’s subtree' })
  unitId?: string;

  @WholeNumber(2000, 9999, { optional: true, description: 'the year of publication' })
  @Type(() => Number)
  year?: number;

  @OneOf(BULLETIN_STATUSES, { optional: true })
  status?: BulletinStatus;

  @SpreadsheetFormatField()
  format?: SpreadsheetFormat;
}

// ---------------------------------------------------------------- answers

const BULLETIN_ID = { format: 'uuid', description: 'the bulletin’s id' } as const;
const UNIT_ID = { description: 'the unit whose bulletin it is (its coordinators write it)', example: 'hd-dg' } as const;
const UNIT_NAME = { example: '东关街道' } as const;
const TITLE = { example: '东关街道社情民意（2026年第3期）' } as const;
const EDITOR_NOTE = { type: String, nullable: true, description: 'the editor’s note (编者按); null when none', example: '本期汇总辖区群众关于停车难问题的意见建议，供领导参阅。' } as const;
const YEAR = { type: 'integer', nullable: true, minimum: 2000, description: 'the year of publication (Asia/Shanghai); null for a draft', example: 2026 } as const;
const SEQUENCE = { type: 'integer', nullable: true, minimum: 1, description: 'its number among the unit’s bulletins of that year, without gaps; null for a draft', example: 3 } as const;
const ISSUE = { type: String, nullable: true, description: 'the issue as printed (`2026年第3期`; with lang=en `No. 3 of 2026`); null for a draft', example: '2026年第3期' } as const;
const REVISION = { ...COUNT, description: 'the bulletin stream’s revision: its events counted from 0', example: 2 } as const;
const POSITION = { ...COUNT, description: 'the global log position of its last event (minPosition for lists)', example: 1042 } as const;
const CREATED_BY = { format: 'uuid', description: 'the coordinator who drafted it' } as const;
const PUBLISHED_BY = { type: String, nullable: true, description: 'the coordinator who published it (`system` when the engine completed a publication cut short); null for a draft' } as const;
const PUBLISHED_AT = { ...TIME, nullable: true, description: 'null for a draft' } as const;

/** What every bulletin command answers. */
class BulletinWrittenDto implements Omit<BulletinAnswer, 'status'> {
  @ApiProperty(BULLETIN_ID) id!: string;
  @ApiProperty(REVISION) revision!: number;
  @ApiProperty(POSITION) position!: number;
}

/** `POST /api/v1/bulletins` (201) and `PATCH /api/v1/bulletins/{id}` (200): the draft as saved. */
@ApiSchema({ name: 'BulletinDraftSaved' })
export class BulletinAnswerDto extends BulletinWrittenDto implements BulletinAnswer {
  @ApiProperty({ enum: ['draft'], description: 'a bulletin is a draft until published' }) status!: 'draft';
}

/** `POST /api/v1/bulletins/{id}/publish`: the number it was published as (the same for every repeat). */
@ApiSchema({ name: 'PublishedBulletin' })
export class PublishedAnswerDto extends BulletinWrittenDto implements PublishedAnswer {
  @ApiProperty({ enum: ['published'] }) status!: 'published';
  @ApiProperty({ description: 'the issue as printed', example: '2026年第3期' }) issue!: string;
  @ApiProperty({ type: 'integer', minimum: 2000, description: 'the year of publication (Asia/Shanghai)', example: 2026 }) year!: number;
  @ApiProperty({ type: 'integer', minimum: 1, example: 3, description: 'numbered per unit and calendar year (Asia/Shanghai), without gaps' }) sequence!: number;
}

/** A case as a bulletin prints it: frozen at publication; a draft's as the case stands now. */
@ApiSchema({ name: 'BulletinItem' })
export class BulletinItemDto implements BulletinDetailItem {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1, description: '1, 2, 3… as printed' }) position!: number;
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty({ description: 'the case’s readable number', example: 'MY-2026-000123' }) number!: string;
  @ApiProperty({ enum: CASE_KINDS }) kind!: CaseKind;
  @ApiProperty({ description: 'the kind in the page’s language', example: '建言献策' }) kindLabel!: string;
  @ApiProperty({ example: '小区停车位紧张的建议' }) title!: string;
  @ApiProperty({
    maxLength: BULLETIN_LIMITS.summary,
    description: `the case’s resolution summary when it had one, else its description, cut to ${BULLETIN_LIMITS.summary} characters`,
    example: '建议利用小区周边空地增设临时停车位，缓解夜间停车难。',
  })
  summary!: string;
  @ApiProperty({ description: 'the unit that held the case', example: 'hd-dg-1' }) unitId!: string;
  @ApiProperty({ description: 'that unit’s name then', example: '东关社区' }) unitName!: string;
  @ApiProperty({ type: [CaseAdoptionDto], description: 'the adoptions (采用 / 批示) recorded on the case with this bulletin’s id, oldest first' }) adoptions!: CaseAdoptionDto[];
}

/** `GET /api/v1/bulletins/{id}`: the bulletin with its items. */
@ApiSchema({ name: 'Bulletin' })
export class BulletinDetailDto implements BulletinDetail {
  @ApiProperty(BULLETIN_ID) id!: string;
  @ApiProperty(UNIT_ID) unitId!: string;
  @ApiProperty(UNIT_NAME) unitName!: string;
  @ApiProperty(TITLE) title!: string;
  @ApiProperty({ enum: BULLETIN_STATUSES }) status!: BulletinStatus;
  @ApiProperty(EDITOR_NOTE) editorNote!: string | null;
  @ApiProperty({ type: String, format: 'uuid', isArray: true, description: 'its cases, in print order' }) caseIds!: string[];
  @ApiProperty(YEAR) year!: number | null;
  @ApiProperty(SEQUENCE) sequence!: number | null;
  @ApiProperty(ISSUE) issue!: string | null;
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty(CREATED_BY) createdBy!: string;
  @ApiProperty({ ...TIME, description: 'when its last event was recorded' }) updatedAt!: string;
  @ApiProperty(PUBLISHED_AT) publishedAt!: string | null;
  @ApiProperty(PUBLISHED_BY) publishedBy!: string | null;
  @ApiProperty(REVISION) revision!: number;
  @ApiProperty({ type: [BulletinItemDto], description: 'frozen at publication; a draft’s show its cases as they stand now' }) items!: BulletinItemDto[];
}

/** A bulletin in a list: flat, as a spreadsheet row holds it. */
@ApiSchema({ name: 'BulletinSummary' })
export class BulletinListItemDto implements BulletinListItem {
  @ApiProperty(BULLETIN_ID) id!: string;
  @ApiProperty(UNIT_ID) unitId!: string;
  @ApiProperty(UNIT_NAME) unitName!: string;
  @ApiProperty(TITLE) title!: string;
  @ApiProperty({ enum: BULLETIN_STATUSES }) status!: BulletinStatus;
  @ApiProperty(YEAR) year!: number | null;
  @ApiProperty(SEQUENCE) sequence!: number | null;
  @ApiProperty({ ...ISSUE, description: 'the issue as printed (`2026年第3期`); null for a draft' }) issue!: string | null;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: BULLETIN_LIMITS.items, description: 'how many cases it holds', example: 5 }) itemCount!: number;
  @ApiProperty(EDITOR_NOTE) editorNote!: string | null;
  @ApiProperty(CREATED_BY) createdBy!: string;
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty({ ...TIME, description: 'when its last event was recorded' }) updatedAt!: string;
  @ApiProperty(PUBLISHED_BY) publishedBy!: string | null;
  @ApiProperty(PUBLISHED_AT) publishedAt!: string | null;
  @ApiProperty(REVISION) revision!: number;
  @ApiProperty(POSITION) position!: number;
}

/** `GET /api/v1/bulletins`: a page of the bulletins the reader may see, newest first. */
@ApiSchema({ name: 'BulletinList' })
export class BulletinListDto {
  @ApiProperty({ type: [BulletinListItemDto] }) items!: BulletinListItemDto[];
  @ApiProperty({ ...COUNT, description: 'how many bulletins match', example: 12 }) total!: number;
  @ApiProperty({ type: 'integer', minimum: 1, example: 1 }) page!: number;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100, example: 20 }) pageSize!: number;
}

/** `GET /api/v1/bulletins/{id}/verify`: the bulletin stream's hash chain and head row checked. */
@ApiSchema({ name: 'StreamVerification' })
export class StreamVerificationDto implements StreamVerification {
  @ApiProperty({ description: 'every event, every link and the head row check out' }) ok!: boolean;
  @ApiProperty({ ...COUNT, description: 'how many events were checked', example: 3 }) events!: number;
  @ApiProperty({ type: String, nullable: true, ...SHA256_HEX, description: 'the recomputed hash of the last event that checked out; null if none did' }) headHash!: string | null;
  @ApiPropertyOptional({ ...COUNT, description: 'when not ok: the first revision missing, altered or not vouched for by the head row' }) firstBrokenRevision?: number;
  @ApiPropertyOptional({ description: 'when not ok: what is wrong, in words', example: 'revision 1 was altered: its hash does not match its contents' }) problem?: string;
}
