import { CASE_KINDS, SATISFACTION_LEVELS, TEXT_LIMITS, type CaseKind, type Satisfaction } from '#domain';
import { Flag, Instant, Nested, OneOf, Phone, Text } from '../http/fields.js';
import { LocationDto } from '../cases/case.dto.js';

export class PublicFilerDto {
  @Text(TEXT_LIMITS.personName, { optional: true, description: 'the resident’s name, if they give it', example: '王女士' })
  name?: string;

  @Phone({ optional: true, description: 'for the callback; never shown on the public routes', example: '13812345678' })
  phone?: string;

  @Flag({ description: 'true: the filing unit alone sees the name and phone' })
  anonymous!: boolean;
}

/** A resident's filing (API.md `POST /api/v1/public/cases`): the case part of a multipart body, or the whole JSON body. */
export class PublicFilingDto {
  @OneOf(CASE_KINDS, { description: 'one of the kinds open to the public (GET /api/v1/public/kinds)', example: 'suggestion' })
  kind!: CaseKind;

  @Text(TEXT_LIMITS.title, { example: '建议在小区东门增设路灯' })
  title!: string;

  @Text(TEXT_LIMITS.description, { example: '东门外道路夜间没有照明，老人晚上出行不便，建议增设两盏路灯。' })
  description!: string;

  @Text(64, { description: 'a community or grid (GET /api/v1/public/units)', example: 'hd-dg-1' })
  unitId!: string;

  @Nested(() => PublicFilerDto)
  filer!: PublicFilerDto;

  @Nested(() => LocationDto, { optional: true })
  location?: LocationDto;

  @Instant({ optional: true, description: 'when it happened' })
  occurredAt?: string;
}

export class TrackQuery {
  @Text(64, { description: 'the access code given with the case number', example: 'K7QM4XPR9TWD' })
  code!: string;

  @OneOf(['zh-CN', 'en'], { optional: true, description: 'the timeline’s language (default: from Accept-Language, else zh-CN)' })
  lang?: 'zh-CN' | 'en';
}

export class PublicFeedbackDto {
  @Text(64, { description: 'the access code given with the case number' })
  code!: string;

  @OneOf(SATISFACTION_LEVELS)
  satisfaction!: Satisfaction;

  @Text(TEXT_LIMITS.comment, { optional: true, example: '问题已解决，谢谢社区。' })
  comment?: string;
}
