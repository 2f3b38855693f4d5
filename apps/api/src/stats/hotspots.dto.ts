import { ApiProperty, ApiSchema } from '@nestjs/swagger';
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

@ApiSchema({ name: 'Hotspot' })
export class HotspotDto implements Hotspot {
  @ApiProperty({ description: 'a word of the cases’ titles and descriptions (segmented Chinese)', example: '停车位' }) term!: string;
  @ApiProperty({ enum: CASE_KINDS }) kind!: CaseKind;
  @ApiProperty({ description: 'the unit the cases were filed at (a grid or community; a unit higher up for the cases filed there)', example: 'hd-dg-1-g1' }) unitId!: string;
  @ApiProperty({ type: 'integer', minimum: 1, example: 7, description: 'cases filed in the period (counted in whole local days) whose title or description uses the term' }) count!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 2, description: 'the same in the period of as many days just before' }) previousCount!: number;
}

/** `GET /api/v1/stats/hotspots`: the period's most frequent terms (热点). */
@ApiSchema({ name: 'Hotspots' })
export class HotspotsDto {
  @ApiProperty({ type: [HotspotDto], description: 'most cases first, at most `limit`' })
  items!: HotspotDto[];
}
