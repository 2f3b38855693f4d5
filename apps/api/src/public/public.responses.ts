import { ApiProperty, ApiPropertyOptional, ApiSchema, type SchemaObject } from '@nestjs/swagger';
import { CASE_KINDS, CASE_STATUSES, ORG_LEVELS, PUBLIC_FILING_LEVELS, RESOLUTION_OUTCOMES, type CaseEventType, type CaseKind, type CaseStatus, type OrgLevel, type ResolutionOutcome } from '#domain';
import { ACCESS_CODE_PATTERN, PUBLIC_STEP_TYPES, type PublicCaseView, type PublicFilingAnswer, type PublicUnit, type PublicUnitEntry, type ReceiptCheck } from '#public-channel';
import { SHA256_HEX } from '../openapi/properties.js';

/**
 * What the resident's channel answers (API.md, "The resident's channel"). None of it carries a
 * name, a phone, a note or a user id.
 */

const CASE_NUMBER = { description: 'the case number', example: 'MY-2026-000123' } as const;
const RECEIPT_HASH = { description: 'the SHA-256 of the filing’s CaseFiled event, in hex', ...SHA256_HEX, example: '9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8' } as const;

@ApiSchema({ name: 'PublicUnit', description: 'a community or grid a resident may file to' })
export class PublicUnitDto implements PublicUnitEntry {
  @ApiProperty({ description: 'the unit’s id: give it as `unitId` when filing', example: 'hd-dg-1' }) id!: string;
  @ApiProperty({ example: '东关社区' }) name!: string;
  @ApiProperty({ enum: PUBLIC_FILING_LEVELS, example: 'community' }) level!: OrgLevel;
  @ApiProperty({ type: [String], description: 'the names of the units above it, city first, and its own last', example: ['示范市', '河东区', '东关街道', '东关社区'] })
  path!: string[];
}

/** `GET /api/v1/public/kinds`: the kinds the installation opens to residents. */
export const PUBLIC_KINDS_SCHEMA: SchemaObject = {
  type: 'array',
  description: 'the kinds of case residents may file (default: suggestion, grievance, risk, hardship)',
  items: { type: 'string', enum: [...CASE_KINDS] },
  example: ['suggestion', 'grievance', 'risk', 'hardship'],
};

@ApiSchema({ name: 'PublicFilingReceipt', description: 'proof of the filing: check it later with GET /api/v1/public/receipts/{hash}' })
export class PublicFilingReceiptDto {
  @ApiProperty(RECEIPT_HASH) hash!: string;
  @ApiProperty({ type: 'integer', description: 'the filing event’s global log position', example: 1842 }) position!: number;
  @ApiProperty({ format: 'date-time', description: 'when the case was filed', example: '2026-12-04T09:30:00.000Z' }) filedAt!: string;
}

@ApiSchema({ name: 'PublicFiled', description: 'a resident’s filing, recorded' })
export class PublicFiledDto implements PublicFilingAnswer {
  @ApiProperty(CASE_NUMBER) number!: string;
  @ApiProperty({
    description: 'the code the resident follows and rates the case with: shown this once (a retry with the same Idempotency-Key shows it again), kept only as a digest',
    pattern: ACCESS_CODE_PATTERN,
    example: 'K7QM4XPR9TWD',
  })
  accessCode!: string;
  @ApiProperty({ type: PublicFilingReceiptDto }) receipt!: PublicFilingReceiptDto;
}

@ApiSchema({ name: 'PublicCaseUnit', description: 'the unit that holds the case now: its name and level only' })
export class PublicCaseUnitDto implements PublicUnit {
  @ApiProperty({ example: '东关街道' }) name!: string;
  @ApiProperty({ enum: ORG_LEVELS, example: 'town' }) level!: OrgLevel;
}

@ApiSchema({ name: 'PublicTimelineEntry', description: 'a step of the case in the resident’s words: never a name, a note or a reason' })
export class PublicTimelineEntryDto {
  @ApiProperty({ format: 'date-time', example: '2026-12-04T09:30:00.000Z' }) at!: string;
  @ApiProperty({ enum: PUBLIC_STEP_TYPES, description: 'the event the step tells of', example: 'CaseEscalated' }) type!: CaseEventType;
  @ApiProperty({ description: 'the step in the language asked for (zh-CN or en)', example: '上报东关街道（街道乡镇级）协调办理' }) text!: string;
}

@ApiSchema({ name: 'PublicResolution', description: 'the answer the case was resolved with' })
export class PublicResolutionDto {
  @ApiProperty({ enum: RESOLUTION_OUTCOMES, example: 'adopted' }) outcome!: ResolutionOutcome;
  @ApiProperty({ example: '已协调供电部门，本月内安装两盏路灯。' }) summary!: string;
}

@ApiSchema({ name: 'PublicCase', description: 'a case as its filer follows it with the access code' })
export class PublicCaseDto implements PublicCaseView {
  @ApiProperty(CASE_NUMBER) number!: string;
  @ApiProperty({ enum: CASE_KINDS, example: 'suggestion' }) kind!: CaseKind;
  @ApiProperty({ example: '建议在小区东门增设路灯' }) title!: string;
  @ApiProperty({ enum: CASE_STATUSES, example: 'in_coordination' }) status!: CaseStatus;
  @ApiProperty({ type: PublicCaseUnitDto }) unit!: PublicCaseUnitDto;
  @ApiProperty({ format: 'date-time', example: '2026-12-04T09:30:00.000Z' }) filedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'the running resolve deadline, else the running accept deadline; null when no clock runs', example: '2026-12-18T09:00:00+08:00' })
  dueAt!: string | null;
  @ApiProperty({ type: [PublicTimelineEntryDto], description: 'the public steps, oldest first' }) timeline!: PublicTimelineEntryDto[];
  @ApiPropertyOptional({ type: PublicResolutionDto, description: 'once the case has been resolved' }) resolution?: PublicResolutionDto;
  @ApiProperty({ description: 'true while the case is resolved: the filer may rate the answer now' }) feedbackOpen!: boolean;
}

@ApiSchema({ name: 'PublicFeedbackRecorded', description: 'the rating, recorded' })
export class PublicFeedbackRecordedDto {
  @ApiProperty(CASE_NUMBER) number!: string;
  @ApiProperty({ enum: CASE_STATUSES, description: 'closed after a (basically) satisfied rating; in_coordination after an unsatisfied one, to be worked on again', example: 'closed' })
  status!: CaseStatus;
}

@ApiSchema({ name: 'ReceiptCheck', description: 'what a filing receipt proves now' })
export class ReceiptCheckDto implements ReceiptCheck {
  @ApiProperty(CASE_NUMBER) number!: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-04T09:30:00.000Z' }) filedAt!: string;
  @ApiProperty({ type: 'integer', description: 'the filing event’s global log position', example: 1842 }) position!: number;
  @ApiProperty({ description: 'the filing event is still in the log with this hash, and its case’s hash chain verifies' }) intact!: boolean;
}
