import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import type { ByKind } from '#reporting';
import { Text, WholeNumber } from '../http/fields.js';
import { MinPositionQuery } from '../http/read-your-writes.js';
import { SpreadsheetFormatField } from '../http/spreadsheet.js';
import type { SpreadsheetFormat } from '#exports';

/** Months and dates are read in the SLA policy's time zone, Asia/Shanghai by default. */
const TIME_FORMAT = 'an ISO 8601 time with an offset, or a date YYYY-MM-DD (its start in Asia/Shanghai)';

/** The period every statistics route counts over. */
class PeriodQuery extends MinPositionQuery {
  @Text(40, { optional: true, description: `start of the period, included: ${TIME_FORMAT} (default: 1 January of the year of to)`, example: '2026-01-01T00:00:00+08:00' })
  from?: string;

  @Text(40, { optional: true, description: `end of the period, excluded: ${TIME_FORMAT} (default: now)`, example: '2027-01-01T00:00:00+08:00' })
  to?: string;

  @SpreadsheetFormatField()
  format?: SpreadsheetFormat;
}

/** The query of both statistics routes. */
export class StatsQuery extends PeriodQuery {
  @Text(64, { optional: true, description: 'the unit whose subtree is counted (default: your unit)', example: 'hd' })
  unitId?: string;
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
  @ApiProperty({ description: 'adoptions (采用 / 批示) recorded in the period on cases this clerk filed, whenever those were filed' }) adoptions!: number;
  @ApiProperty({ description: 'those adoptions’ points by the policy file’s adoptionPoints[kind][level]' }) points!: number;
}

export class AppraisalDto extends ReportScopeDto {
  @ApiProperty({ type: [ClerkAppraisalDto], description: 'one row per clerk in the subtree: most filed first, then by username' })
  clerks!: ClerkAppraisalDto[];
}

/** The query of the unit rankings. */
export class UnitsQuery extends PeriodQuery {
  @Text(64, { optional: true, description: 'the unit whose children are ranked, each over its subtree (default: your unit)', example: 'hd' })
  parentId?: string;

  @WholeNumber(0, Number.MAX_SAFE_INTEGER, {
    optional: true,
    description: 'recompute as of this global log position (the `position` of an earlier answer; 0 is before the first event): events after it are ignored',
  })
  @Type(() => Number)
  position?: number;

  @Text(200, {
    optional: true,
    description: 'weights to try instead of the policy’s rankingWeights, as rate:weight pairs; rates left out keep the policy’s weight',
    example: 'responseRate:0.4,resolutionRate:0.2,satisfactionRate:0.2,onTimeRate:0.2',
  })
  weights?: string;
}

export class RankingWeightsDto {
  @ApiProperty({ minimum: 0, example: 0.25 }) responseRate!: number;
  @ApiProperty({ minimum: 0, example: 0.25 }) resolutionRate!: number;
  @ApiProperty({ minimum: 0, example: 0.25 }) satisfactionRate!: number;
  @ApiProperty({ minimum: 0, example: 0.25 }) onTimeRate!: number;
}

export class RankedUnitDto {
  @ApiProperty({ example: 'hd-dg' }) unitId!: string;
  @ApiProperty({ example: '东关街道' }) name!: string;
  @ApiProperty({ description: 'cases filed in the unit’s subtree in the period' }) filed!: number;
  @ApiProperty({ ...RATE, description: 'as /stats, over the unit’s subtree' }) responseRate!: number | null;
  @ApiProperty({ ...RATE, description: 'as /stats' }) resolutionRate!: number | null;
  @ApiProperty({ ...RATE, description: 'as /stats' }) satisfactionRate!: number | null;
  @ApiProperty({ ...RATE, description: 'as /stats' }) onTimeRate!: number | null;
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    description: 'Σ weight × rate / Σ weights, rounded to 9 decimals; a null rate counts as the mean of that rate over the siblings that have one (0 if none has)',
  })
  score!: number;
  @ApiProperty({ description: 'highest score first; equal scores share a rank (1, 1, 3) and are listed by unit id' }) rank!: number;
}

export class UnitRankingDto {
  @ApiProperty({ example: 'hd' }) parentId!: string;
  @ApiProperty({ example: '2026-01-01T00:00:00+08:00' }) from!: string;
  @ApiProperty({ example: '2027-01-01T00:00:00+08:00' }) to!: string;
  @ApiProperty({ description: 'the global position of the last event the figures include (0 before the first); pass it as ?position= to compute them again' })
  position!: number;
  @ApiProperty({ type: String, nullable: true, description: 'the hash of the event at `position`: compare it with that event’s hash later to check the log point' })
  anchor!: string | null;
  @ApiProperty({ type: RankingWeightsDto, description: 'the weights the scores were computed with' }) weights!: RankingWeightsDto;
  @ApiProperty({ type: [RankedUnitDto], description: 'one row per child unit of the parent' }) units!: RankedUnitDto[];
}
