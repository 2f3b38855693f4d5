import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { CASE_KINDS, OPEN_STATUSES, TEXT_LIMITS, type CaseKind, type CaseStatus } from '#domain';
import type { SimilarCase } from '#search';
import { Text } from '../http/fields.js';

/**
 * The longest draft description looked at. The draft travels in the query string, which the HTTP
 * server caps at 16 KB with the headers: 1,000 Chinese characters take 9 KB encoded, and the first
 * thousand say what a case is about.
 */
export const SIMILAR_DESCRIPTION_MAX = 1_000;

/** A draft case, as a clerk is typing it. */
export class SimilarCasesQuery {
  @Text(TEXT_LIMITS.title, { description: 'the draft’s title', example: '小区停车位纠纷' })
  title!: string;

  @Text(SIMILAR_DESCRIPTION_MAX, { optional: true, description: 'the draft’s description (its first 1,000 characters)', example: '业主与物业因停车位分配发生争执' })
  description?: string;

  @Text(64, { optional: true, description: 'only cases that have been in this unit’s subtree (within yours; default: your whole subtree)', example: 'hd-dg-1' })
  unitId?: string;
}

@ApiSchema({ name: 'SimilarCase' })
export class SimilarCaseDto implements SimilarCase {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'the case’s readable number', example: 'MY-2026-000123' }) number!: string;
  @ApiProperty({ enum: CASE_KINDS }) kind!: CaseKind;
  @ApiProperty({ example: '小区停车位纠纷' }) title!: string;
  @ApiProperty({ enum: OPEN_STATUSES, description: 'only open cases are offered' }) status!: CaseStatus;
  @ApiProperty({ description: 'the unit the case is at now', example: 'hd-dg-1' }) unitId!: string;
  @ApiProperty({ format: 'date-time', description: 'when it was filed' }) createdAt!: string;
  @ApiProperty({ minimum: 0, maximum: 1, description: 'how alike: the mean of the title’s and the whole text’s word overlap with the draft', example: 0.82 }) score!: number;
}

@ApiSchema({ name: 'SimilarCases' })
export class SimilarCasesDto {
  @ApiProperty({ type: [SimilarCaseDto], description: 'up to 10 open cases, most similar first' })
  items!: SimilarCaseDto[];
}
