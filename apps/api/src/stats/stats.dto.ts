import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { labelsFor, type RankingWeights } from '#domain';
import type { ByKind, ClerkAppraisal, Figures, MonthFigures, RankedUnit, ReportScope, UnitRanking } from '#reporting';
import { Text, WholeNumber } from '../http/fields.js';
import { MinPositionQuery } from '../http/read-your-writes.js';
import { SpreadsheetFormatField } from '../http/spreadsheet.js';
import type { SpreadsheetFormat } from '#exports';
import { COUNT, SHA256_HEX, TIME } from '../openapi/properties.js';

/** Months and dates are read in the SLA policy's time zone, Asia/Shanghai by default. */
const TIME_FORMAT = 'an ISO 8601 time with an offset, or a date YYYY-MM-DD (its start in Asia/Shanghai)';

/**
 * What a report refuses: a period or unit that cannot be read (400 naming the field), a reader
 * without a reporting role or a unit outside their subtree (403), an unknown unit (404).
 */
export const STATS_REFUSALS = { 400: ['invalid'], 403: ['forbidden'], 404: ['not_found'] } as const;

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

const KIND_LABELS = labelsFor('zh-CN').kind;
const RATE = { type: Number, nullable: true, minimum: 0, maximum: 1, example: 0.875 } as const;

/** The filings of a report. */
type FiledCounts = Figures['filed'];

/** Cases per kind, every kind present. */
@ApiSchema({ name: 'CasesByKind' })
export class ByKindDto implements ByKind {
  @ApiProperty({ ...COUNT, description: `suggestion (${KIND_LABELS.suggestion})`, example: 12 }) suggestion!: number;
  @ApiProperty({ ...COUNT, description: `grievance (${KIND_LABELS.grievance})`, example: 30 }) grievance!: number;
  @ApiProperty({ ...COUNT, description: `dispute (${KIND_LABELS.dispute})`, example: 8 }) dispute!: number;
  @ApiProperty({ ...COUNT, description: `risk (${KIND_LABELS.risk})`, example: 2 }) risk!: number;
  @ApiProperty({ ...COUNT, description: `hardship (${KIND_LABELS.hardship})`, example: 5 }) hardship!: number;
  @ApiProperty({ ...COUNT, description: `visit (${KIND_LABELS.visit})`, example: 3 }) visit!: number;
}

@ApiSchema({ name: 'FiledCounts' })
export class FiledDto implements FiledCounts {
  @ApiProperty({ ...COUNT, description: 'cases filed in the period', example: 60 }) total!: number;
  @ApiProperty({ type: ByKindDto, description: 'the same by kind' }) byKind!: ByKindDto;
}

@ApiSchema({ name: 'MonthFigures' })
export class MonthDto implements MonthFigures {
  @ApiProperty({ description: 'YYYY-MM in the reporting time zone (Asia/Shanghai by default)', pattern: '^\\d{4}-\\d{2}$', example: '2026-11' }) month!: string;
  @ApiProperty({ ...COUNT, description: 'cases filed that month', example: 9 }) filed!: number;
  @ApiProperty({ ...COUNT, description: 'of those, cases that reached resolved', example: 6 }) resolved!: number;
  @ApiProperty({ ...COUNT, description: 'of those, cases with an annotation', example: 1 }) annotated!: number;
  @ApiProperty({ type: ByKindDto, description: 'cases filed that month by kind' }) byKind!: ByKindDto;
}

/** A report's heading: the unit whose subtree it counts and its period. */
class ReportScopeDto implements ReportScope {
  @ApiProperty({ description: 'the unit whose subtree is counted', example: 'hd' }) unitId!: string;
  @ApiProperty({ ...TIME, description: 'start of the period, included, in the reporting time zone', example: '2026-01-01T00:00:00+08:00' }) from!: string;
  @ApiProperty({ ...TIME, description: 'end of the period, excluded, in the reporting time zone', example: '2027-01-01T00:00:00+08:00' }) to!: string;
}

/** `GET /api/v1/stats` (API.md "Statistics"), with the month-by-month series. */
@ApiSchema({ name: 'Statistics' })
export class StatisticsDto extends ReportScopeDto implements Figures {
  @ApiProperty({ type: FiledDto }) filed!: FiledDto;
  @ApiProperty({ ...COUNT, description: 'cases that reached resolved', example: 41 }) resolved!: number;
  @ApiProperty({ ...COUNT, description: 'disputes that reached resolved', example: 6 }) disputesResolved!: number;
  @ApiProperty({ ...COUNT, description: 'cases with at least one annotation', example: 4 }) annotated!: number;
  @ApiProperty({ ...RATE, description: 'accepted within the accept clock / accepted or breached the accept clock; null when out of nothing' }) responseRate!: number | null;
  @ApiProperty({ ...RATE, description: 'reached resolved / accepted; null when out of nothing' }) resolutionRate!: number | null;
  @ApiProperty({ ...RATE, description: '(satisfied + basically satisfied) / with feedback, by each case’s latest feedback; null when out of nothing' }) satisfactionRate!: number | null;
  @ApiProperty({ ...RATE, description: 'the same over the ratings filers gave themselves through the public channel (their latest each); null when out of nothing' }) selfRatedSatisfactionRate!: number | null;
  @ApiProperty({ ...RATE, description: 'resolved within the resolve clock / resolved; null when out of nothing' }) onTimeRate!: number | null;
  @ApiProperty({ type: [MonthDto], description: 'every month of the period, oldest first, zero-filled' }) byMonth!: MonthDto[];
}

/** One information officer's (信息员) row of the appraisal. */
@ApiSchema({ name: 'ClerkAppraisalRow' })
export class ClerkAppraisalDto implements ClerkAppraisal {
  @ApiProperty({ format: 'uuid', description: 'the clerk’s user id' }) userId!: string;
  @ApiProperty({ example: 'hd-dg-1.clerk' }) username!: string;
  @ApiProperty({ example: '张三' }) displayName!: string;
  @ApiProperty({ description: 'the unit the clerk works at', example: 'hd-dg-1' }) unitId!: string;
  @ApiProperty({ ...COUNT, description: 'cases this clerk filed in the period', example: 15 }) filed!: number;
  @ApiProperty({ ...COUNT, description: 'of those, accepted', example: 14 }) accepted!: number;
  @ApiProperty({ ...COUNT, description: 'of those, with an annotation', example: 2 }) annotated!: number;
  @ApiProperty({ ...COUNT, description: 'of those, suggestions resolved as adopted or partially adopted', example: 3 }) adopted!: number;
  @ApiProperty({ ...COUNT, description: 'adoptions (采用 / 批示) recorded in the period on cases this clerk filed, whenever those were filed', example: 4 }) adoptions!: number;
  @ApiProperty({ ...COUNT, description: 'those adoptions’ points by the policy file’s adoptionPoints[kind][level]', example: 9 }) points!: number;
}

/** `GET /api/v1/stats/clerks`: the information officers' appraisal (信息员考核). */
@ApiSchema({ name: 'ClerkAppraisal' })
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

@ApiSchema({ name: 'RankingWeights' })
export class RankingWeightsDto implements RankingWeights {
  @ApiProperty({ minimum: 0, example: 0.25 }) responseRate!: number;
  @ApiProperty({ minimum: 0, example: 0.25 }) resolutionRate!: number;
  @ApiProperty({ minimum: 0, example: 0.25 }) satisfactionRate!: number;
  @ApiProperty({ minimum: 0, example: 0.25 }) onTimeRate!: number;
}

/** One child unit of the ranking. */
@ApiSchema({ name: 'UnitRankingRow' })
export class RankedUnitDto implements RankedUnit {
  @ApiProperty({ example: 'hd-dg' }) unitId!: string;
  @ApiProperty({ example: '东关街道' }) name!: string;
  @ApiProperty({ ...COUNT, description: 'cases filed in the unit’s subtree in the period', example: 27 }) filed!: number;
  @ApiProperty({ ...RATE, description: 'as /stats, over the unit’s subtree' }) responseRate!: number | null;
  @ApiProperty({ ...RATE, description: 'as /stats' }) resolutionRate!: number | null;
  @ApiProperty({ ...RATE, description: 'as /stats' }) satisfactionRate!: number | null;
  @ApiProperty({ ...RATE, description: 'as /stats' }) onTimeRate!: number | null;
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    example: 0.8125,
    description: 'Σ weight × rate / Σ weights, rounded to 9 decimals; a null rate counts as the mean of that rate over the siblings that have one (0 if none has)',
  })
  score!: number;
  @ApiProperty({ type: 'integer', minimum: 1, example: 1, description: 'highest score first; equal scores share a rank (1, 1, 3) and are listed by unit id' }) rank!: number;
}

/** `GET /api/v1/stats/units`: the parent's children ranked (排名), at a log point. */
@ApiSchema({ name: 'UnitRanking' })
export class UnitRankingDto implements UnitRanking {
  @ApiProperty({ description: 'the unit whose children are ranked', example: 'hd' }) parentId!: string;
  @ApiProperty({ ...TIME, description: 'start of the period, included', example: '2026-01-01T00:00:00+08:00' }) from!: string;
  @ApiProperty({ ...TIME, description: 'end of the period, excluded', example: '2027-01-01T00:00:00+08:00' }) to!: string;
  @ApiProperty({ ...COUNT, example: 1042, description: 'the global position of the last event the figures include (0 before the first); pass it as ?position= to compute them again' })
  position!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    ...SHA256_HEX,
    description: 'the hash of the event at `position` (null at position 0): compare it with that event’s hash later to check the log point',
  })
  anchor!: string | null;
  @ApiProperty({ type: RankingWeightsDto, description: 'the weights the scores were computed with' }) weights!: RankingWeightsDto;
  @ApiProperty({ type: [RankedUnitDto], description: 'one row per child unit of the parent, by rank' }) units!: RankedUnitDto[];
}
