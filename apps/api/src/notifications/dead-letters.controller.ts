import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiSchema, ApiTags } from '@nestjs/swagger';
import type { Job } from 'bullmq';
import { NOTIFY_QUEUES, NOTIFYING_EVENT_TYPES, type NotifyJob } from '#notifications';
import { Roles } from '../auth/auth.guard.js';
import { JOB_QUEUES, type JobQueues } from '#jobs';
import { Refuses } from '../openapi/refusals.js';

/** A notification delivery that failed after every retry. */
export interface DeadLetter {
  readonly queue: string;
  readonly jobId: string | null;
  readonly deliveryId: string | null;
  readonly type: string | null;
  readonly caseId: string | null;
  readonly caseNumber: string | null;
  readonly attempts: number;
  readonly failedReason: string | null;
  readonly failedAt: string | null;
}

const NULLABLE_TEXT = { type: String, nullable: true } as const;

@ApiSchema({ name: 'DeadLetter' })
export class DeadLetterDto implements DeadLetter {
  @ApiProperty({ enum: Object.values(NOTIFY_QUEUES), description: 'the channel’s queue: in-app, webhook or e-mail' }) queue!: string;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'the job’s id in its queue' }) jobId!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, format: 'uuid', description: 'the notification’s delivery id (its event’s id), as the webhook’s `X-Minyi-Delivery`' }) deliveryId!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, enum: [...NOTIFYING_EVENT_TYPES, 'BulletinPublished'], description: 'the notification’s type' }) type!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, format: 'uuid', description: 'null for a bulletin’s notification' }) caseId!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, example: 'MY-2026-000042', description: 'null for a bulletin’s notification' }) caseNumber!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'how many times delivery was tried' }) attempts!: number;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'why the last try failed', example: 'webhook https://receiver.example/minyi answered 503' }) failedReason!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, format: 'date-time', description: 'when the last try failed' }) failedAt!: string | null;
}

@ApiSchema({ name: 'DeadLetters' })
export class DeadLettersDto {
  @ApiProperty({ type: [DeadLetterDto], description: 'newest first' }) items!: DeadLetterDto[];
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/v1/admin')
export class DeadLettersController {
  constructor(@Inject(JOB_QUEUES) private readonly queues: JobQueues) {}

  @Get('dead-letters')
  @ApiOperation({ operationId: 'deadLettersList', summary: 'Notification deliveries that failed after every retry, newest first (admin only)' })
  @ApiOkResponse({ type: DeadLettersDto, description: 'the failed deliveries of every channel' })
  @Refuses({ 403: ['forbidden'] })
  @Roles('admin')
  async deadLetters(): Promise<DeadLettersDto> {
    const perQueue = await Promise.all(
      Object.values(NOTIFY_QUEUES).map(async (queue) => (await this.queues.failedJobs<NotifyJob>(queue)).map((job) => deadLetter(queue, job))),
    );
    const items = perQueue.flat().sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''));
    return { items };
  }
}

function deadLetter(queue: string, job: Job<NotifyJob>): DeadLetter {
  const notification = job.data?.notification;
  return {
    queue,
    jobId: job.id ?? null,
    deliveryId: notification?.deliveryId ?? null,
    type: notification?.type ?? null,
    caseId: notification?.caseId ?? null,
    caseNumber: notification?.caseNumber ?? null,
    attempts: job.attemptsMade,
    failedReason: job.failedReason ?? null,
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  };
}
