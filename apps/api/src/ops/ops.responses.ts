import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

const CHECK = { description: '`ok`, or the error the check failed with', example: 'ok' } as const;

/** Each check of `/health`: `ok`, or the error it failed with (shown to admins only). */
@ApiSchema({ name: 'HealthChecks' })
export class HealthChecksDto {
  @ApiProperty(CHECK) eventStore!: string;
  @ApiProperty(CHECK) readModels!: string;
  @ApiProperty(CHECK) queues!: string;
}

export const HEALTH_STATUSES = ['ok', 'unavailable'] as const;

/** `GET /health`: whether the event store, the read models and the job queues answer. */
@ApiSchema({ name: 'Health' })
export class HealthDto {
  @ApiProperty({ enum: HEALTH_STATUSES, description: '`ok` (200) when every check passes, else `unavailable` (503)' }) status!: (typeof HEALTH_STATUSES)[number];
  @ApiPropertyOptional({ type: HealthChecksDto, description: 'only for an admin’s bearer token' }) checks?: HealthChecksDto;
}
