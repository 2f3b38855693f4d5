import { ApiProperty } from '@nestjs/swagger';
import type { ByKind } from '#reporting';
import { Text } from '../http/fields.js';
import { MinPositionQuery } from '../http/read-your-writes.js';
import { SpreadsheetFormatField } from '../http/spreadsheet.js';
import type { SpreadsheetFormat } from '#exports';

/** Months and dates are read in the SLA policy's time zone, Asia/Shanghai by default. */
const TIME_FORMAT = 'an ISO 8601 time with an offset, or a date YYYY-MM-DD (its start in Asia/Shanghai)';

/** The query of both statistics routes. */
export class StatsQuery extends MinPositionQuery {
  @Text(64, { optional: true, description: 'the unit whose subtree is counted (default: your unit)', example: 'hd' })
  unitId?: string;

  @Text(40, { optional: true, description: `start of the period, included: ${TIME_FORMAT} (default: 1 January of the year of to)`, example: '2026-01-01T00:00:00+08:00' })
  from?: string;

  @Text(40, { optional: true, description: `end of the period, excluded: ${TIME_FORMAT} (default: now)`, example: '2027-01-01T00:00:00+08:00' })
  to?: string;

  @SpreadsheetFormatField()
  format?: SpreadsheetFormat;
}

/** Cases per kind, every kind present. */
export class ByKindDto implements ByKind {
  @ApiProperty() suggestion!: number;
  @ApiProperty() grievance!: number;
  @ApiProperty() dispute!: number;
  @ApiProperty() risk!: number;
  @ApiProperty() hardship!: number;
  @ApiProperty() visit!: number;
}

export class FiledDto {
  @ApiProperty({ description: 'cases filed in the period' }) total!: number;
  @ApiProperty({ type: ByKindDto }) byKind!: ByKindDto;
}

export class MonthDto {
  @ApiProperty({ description: 'YYYY-MM in Asia/Shanghai', example: '2026-11' }) month!: string;
  @ApiProperty({ description: 'cases filed that month' }) filed!: number;
  @ApiProperty({ description: 'of those, cases that reached resolved' }) resolved!: number;
  @ApiProperty({ description: 'of those, cases with an annotation' }) annotated!: number;
  @ApiProperty({ type: ByKindDto }) byKind!: ByKindDto;
}

class ReportScopeDto {
  @ApiProperty({ example: 'hd' }) unitId!: string;
  @ApiProperty({ example: '2026-01-01T00:00:00+08:00' }) from!: string;
  @ApiProperty({ example: '2027-01-01T00:00:00+08:00' }) to!: string;
}

const RATE = { type: Number, nullable: true, minimum: 0, maximum: 1 } as const;

export class StatisticsDto extends ReportScopeDto {
  @ApiProperty({ type: FiledDto }) filed!: FiledDto;
  @ApiProperty({ description: 'cases that reached resolved' }) resolved!: number;
  @ApiProperty({ description: 'disputes that reached resolved' }) disputesResolved!: number;
  @ApiProperty({ description: 'cases with at least one annotation' }) annotated!: number;
  @ApiProperty({ ...RATE, description: 'accepted within the accept clock / accepted or breached the accept clock' }) responseRate!: number | null;
  @ApiProperty({ ...RATE, description: 'reached resolved / accepted' }) resolutionRate!: number | null;
  @ApiProperty({ ...RATE, description: '(satisfied + basically satisfied) / with feedback, by each case’s latest feedback' }) satisfactionRate!: number | null;
  @ApiProperty({ ...RATE, description: 'the same over the ratings filers gave themselves through the public channel (their latest each)' }) selfRatedSatisfactionRate!: number | null;
  @ApiProperty({ ...RATE, description: 'resolved within the resolve clock / resolved' }) onTimeRate!: number | null;
  @ApiProperty({ type: [MonthDto], description: 'every month of the period, zero-filled' }) byMonth!: MonthDto[];
}

export class ClerkAppraisalDto {
  @ApiProperty() userId!: string;
  @ApiProperty() username!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty() unitId!: string;
  @ApiProperty({ description: 'cases this clerk filed in the period' }) filed!: number;
  @ApiProperty({ description: 'of those, accepted' }) accepted!: number;
  @ApiProperty({ description: 'of those, with an annotation' }) annotated!: number;
  @ApiProperty({ description: 'of those, suggestions resolved as adopted or partially adopted' }) adopted!: number;
}

export class AppraisalDto extends ReportScopeDto {
  @ApiProperty({ type: [ClerkAppraisalDto], description: 'one row per clerk in the subtree: most filed first, then by username' })
  clerks!: ClerkAppraisalDto[];
}
