import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Job } from 'bullmq';
import { NOTIFY_QUEUES, type NotifyJob } from '#notifications';
import { Roles } from '../auth/auth.guard.js';
import { JOB_QUEUES, type JobQueues } from '#jobs';

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

@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/v1/admin')
export class DeadLettersController {
  constructor(@Inject(JOB_QUEUES) private readonly queues: JobQueues) {}

  @Get('dead-letters')
  @ApiOperation({ summary: 'Notification deliveries that failed after every retry, newest first (admin only)' })
  @Roles('admin')
  async deadLetters(): Promise<{ items: DeadLetter[] }> {
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
