import { ValidateIf } from 'class-validator';
import {
  CASE_KINDS,
  CASE_STATUSES,
  CHANNELS,
  NOTE_TYPES,
  RESOLUTION_OUTCOMES,
  SATISFACTION_LEVELS,
  SLA_CLOCKS,
  TEXT_LIMITS,
  URGENCIES,
  VISIT_REASONS,
  type CaseKind,
  type CaseStatus,
  type Channel,
  type NoteType,
  type ResolutionOutcome,
  type Satisfaction,
  type SlaClock,
  type Urgency,
  type VisitReason,
} from '#domain';
import { Type } from 'class-transformer';
import { PagedQuery } from '../http/read-your-writes.js';
import { Coordinate, Flag, Instant, Nested, OneOf, Phone, RevisionDto, Text, WholeNumber } from '../http/fields.js';
import { SpreadsheetFormatField } from '../http/spreadsheet.js';
import type { SpreadsheetFormat } from '#exports';

export class FilerDto {
  /** Optional only for an anonymous filer. */
  @ValidateIf((filer: FilerDto) => !filer.anonymous || filer.name !== undefined)
  @Text(TEXT_LIMITS.personName, { description: 'the filer’s name (may be left out when anonymous)', example: '张三' })
  name?: string;

  @Phone({ optional: true, description: 'shown masked to most readers', example: '13812345678' })
  phone?: string;

  @Flag({ optional: true, description: 'the filer asked not to be named (default false)' })
  anonymous?: boolean;
}

export class PartyDto {
  @Text(TEXT_LIMITS.personName, { example: '李四' })
  name!: string;

  @Text(TEXT_LIMITS.partyRole, { description: 'the party’s side or relation', example: '楼上住户' })
  role!: string;
}

export class LocationDto {
  @Text(TEXT_LIMITS.address, { example: '东关街道幸福小区3号楼' })
  address!: string;

  @Coordinate(-90, 90, { optional: true })
  lat?: number;

  @Coordinate(-180, 180, { optional: true })
  lng?: number;
}

export class FileCaseDto {
  @OneOf(CASE_KINDS)
  kind!: CaseKind;

  @Text(TEXT_LIMITS.title, { example: '小区停车位纠纷' })
  title!: string;

  @Text(TEXT_LIMITS.description, { example: '业主与物业因停车位分配发生争执，请求社区调解。' })
  description!: string;

  @OneOf(CHANNELS)
  channel!: Channel;

  @Text(64, { description: 'the unit where the case is filed (in the filer’s scope)', example: 'hd-dg-1' })
  unitId!: string;

  @OneOf(URGENCIES, { optional: true, description: 'default normal' })
  urgency?: Urgency;

  @Nested(() => FilerDto)
  filer!: FilerDto;

  @Nested(() => PartyDto, { optional: true, each: true, maxItems: 50, description: 'the parties of a dispute' })
  parties?: PartyDto[];

  @OneOf(VISIT_REASONS, { optional: true, description: 'required for kind visit (六必访)' })
  visitReason?: VisitReason;

  @Instant({ optional: true, description: 'when it happened' })
  occurredAt?: string;

  @Nested(() => LocationDto, { optional: true })
  location?: LocationDto;
}

export class AcceptDto extends RevisionDto {
  @Text(TEXT_LIMITS.comment, { optional: true })
  note?: string;
}

export class ReasonDto extends RevisionDto {
  @Text(TEXT_LIMITS.reason)
  reason!: string;
}

export class SummaryDto extends RevisionDto {
  @Text(TEXT_LIMITS.summary)
  summary!: string;
}

export class AssignDto extends RevisionDto {
  @Text(64, { description: 'a coordinator in scope' })
  assigneeId!: string;
}

export class NoteDto extends RevisionDto {
  @OneOf(NOTE_TYPES)
  type!: NoteType;

  @Text(TEXT_LIMITS.noteText)
  text!: string;
}

export class TransferDto extends RevisionDto {
  @Text(64, { description: 'a unit at the same level under the same parent' })
  toUnitId!: string;

  @Text(TEXT_LIMITS.reason)
  reason!: string;
}

export class AnnotateDto extends RevisionDto {
  @Text(TEXT_LIMITS.instruction, { description: 'the leader’s instruction (批示)' })
  instruction!: string;

  @Text(64, { optional: true, description: 'hand the case to this unit, under supervision' })
  assignToUnitId?: string;
}

export class ResolveDto extends RevisionDto {
  @OneOf(RESOLUTION_OUTCOMES)
  outcome!: ResolutionOutcome;

  @Text(TEXT_LIMITS.summary)
  summary!: string;
}

export class FeedbackDto extends RevisionDto {
  @OneOf(SATISFACTION_LEVELS)
  satisfaction!: Satisfaction;

  @Text(TEXT_LIMITS.comment, { optional: true })
  comment?: string;
}

export class MergeDto extends RevisionDto {
  @Text(64, { description: 'an open case to merge into' })
  intoCaseId!: string;
}

export class ExtendDeadlineDto extends RevisionDto {
  @OneOf(SLA_CLOCKS)
  clock!: SlaClock;

  @WholeNumber(1, 365)
  workingDays!: number;

  @Text(TEXT_LIMITS.reason)
  reason!: string;
}

export class ListCasesQuery extends PagedQuery {
  @OneOf(CASE_STATUSES, { optional: true })
  status?: CaseStatus;

  @OneOf(CASE_KINDS, { optional: true })
  kind?: CaseKind;

  @Text(64, { optional: true, description: 'that unit’s subtree' })
  unitId?: string;

  @OneOf(['true', 'false'], { optional: true, description: 'only cases past a deadline' })
  overdue?: 'true' | 'false';

  @Text(100, { optional: true, description: 'substring of title or description' })
  q?: string;

  @OneOf(['me'], { optional: true, description: 'only the cases I filed (an addition to API.md)' })
  filedBy?: 'me';

  @SpreadsheetFormatField()
  format?: SpreadsheetFormat;
}

export class StateAtQuery {
  @WholeNumber(0, 2_000_000_000, { optional: true })
  @Type(() => Number)
  revision?: number;

  @Instant({ optional: true })
  at?: string;
}
