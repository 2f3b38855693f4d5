import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { BULLETIN_LIMITS, BULLETIN_STATUSES, CASE_KINDS, LANGUAGES, type BulletinStatus, type Language } from '#domain';
import { OneOf, RevisionDto, Text, WholeNumber } from '../http/fields.js';
import { PagedQuery } from '../http/read-your-writes.js';
import { SpreadsheetFormatField } from '../http/spreadsheet.js';
import type { SpreadsheetFormat } from '#exports';

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

export class BulletinAnswerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: BULLETIN_STATUSES }) status!: BulletinStatus;
  @ApiProperty({ description: 'the bulletin stream’s revision' }) revision!: number;
  @ApiProperty({ description: 'the global log position (minPosition for lists)' }) position!: number;
}

export class PublishedAnswerDto extends BulletinAnswerDto {
  @ApiProperty({ example: '2026年第3期' }) issue!: string;
  @ApiProperty({ example: 2026 }) year!: number;
  @ApiProperty({ example: 3, description: 'numbered per unit and calendar year (Asia/Shanghai), without gaps' }) sequence!: number;
}

export class ItemAdoptionDto {
  @ApiProperty({ enum: ['community', 'town', 'county', 'city', 'province', 'national'] }) level!: string;
  @ApiProperty({ enum: ['adopted', 'annotated'] }) kind!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ format: 'uuid' }) bulletinId!: string;
  @ApiProperty() actorId!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class BulletinItemDto {
  @ApiProperty({ description: '1, 2, 3… as printed' }) position!: number;
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty({ example: 'MY-2026-000042' }) number!: string;
  @ApiProperty({ enum: CASE_KINDS }) kind!: string;
  @ApiProperty({ example: '建言献策' }) kindLabel!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'the case’s resolution summary when it had one at publication, else its description, cut to 300 characters' }) summary!: string;
  @ApiProperty() unitId!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty({ type: [ItemAdoptionDto], description: 'adoptions recorded on the case with this bulletin’s id' }) adoptions!: ItemAdoptionDto[];
}

export class BulletinDetailDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() unitId!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: BULLETIN_STATUSES }) status!: BulletinStatus;
  @ApiProperty({ nullable: true, type: String }) editorNote!: string | null;
  @ApiProperty({ type: [String] }) caseIds!: string[];
  @ApiProperty({ nullable: true, type: Number }) year!: number | null;
  @ApiProperty({ nullable: true, type: Number }) sequence!: number | null;
  @ApiProperty({ nullable: true, type: String, example: '2026年第3期' }) issue!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) publishedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) publishedBy!: string | null;
  @ApiProperty() revision!: number;
  @ApiProperty({ type: [BulletinItemDto], description: 'frozen at publication; a draft’s show its cases as they stand now' }) items!: BulletinItemDto[];
}

export class BulletinListItemDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() unitId!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: BULLETIN_STATUSES }) status!: BulletinStatus;
  @ApiProperty({ nullable: true, type: Number }) year!: number | null;
  @ApiProperty({ nullable: true, type: Number }) sequence!: number | null;
  @ApiProperty({ nullable: true, type: String }) issue!: string | null;
  @ApiProperty() itemCount!: number;
  @ApiProperty({ nullable: true, type: String }) editorNote!: string | null;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ nullable: true, type: String }) publishedBy!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) publishedAt!: string | null;
  @ApiProperty() revision!: number;
  @ApiProperty() position!: number;
}

export class BulletinListDto {
  @ApiProperty({ type: [BulletinListItemDto] }) items!: BulletinListItemDto[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class StreamVerificationDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'how many events were checked' }) events!: number;
  @ApiProperty({ nullable: true, type: String }) headHash!: string | null;
  @ApiPropertyOptional() firstBrokenRevision?: number;
}
