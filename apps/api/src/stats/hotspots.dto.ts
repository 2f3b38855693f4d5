import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { CASE_KINDS, type CaseKind } from '#domain';
import type { Hotspot } from '#search';
import { WholeNumber } from '../http/fields.js';
import { StatsQuery } from './stats.dto.js';

/** The statistics query (unit, period), and how many terms to answer. */
export class HotspotsQuery extends StatsQuery {
  @WholeNumber(1, 100, { optional: true, description: 'how many terms (default 20)' })
  @Type(() => Number)
  limit?: number;
}

export class HotspotDto implements Hotspot {
  @ApiProperty({ example: '停车位' }) term!: string;
  @ApiProperty({ enum: CASE_KINDS }) kind!: CaseKind;
  @ApiProperty({ description: 'the unit the cases were filed at (a grid or community; a unit higher up for the cases filed there)', example: 'hd-dg-1-g1' }) unitId!: string;
  @ApiProperty({ description: 'cases filed in the period (counted in whole local days) whose title or description uses the term' }) count!: number;
  @ApiProperty({ description: 'the same in the period of as many days just before' }) previousCount!: number;
}

export class HotspotsDto {
  @ApiProperty({ type: [HotspotDto], description: 'most cases first' })
  items!: HotspotDto[];
}
