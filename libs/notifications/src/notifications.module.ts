import { type DynamicModule, Inject, Injectable, Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Pool } from 'pg';
import { MAIN_POOL } from '#database';
import { ORG_TREE, SLA_POLICY, type OrgTree, type SlaPolicy } from '#domain';
import { EVENT_STORE, type EventStore } from '#event-store';
import { JOB_QUEUES, type JobQueues } from '#jobs';
import type { NotificationSettings } from './config.js';
import { NOTIFY_QUEUES, NotificationDelivery, NotificationReactor, type NotifyChannel, type NotifyJob } from './dispatch.js';
import { EmailChannel } from './email.js';
import { InAppNotifications } from './in-app.js';
import { WebhookChannel } from './webhook.js';

/** The notification settings of the installation (webhook, e-mail, retries). */
export const NOTIFICATION_SETTINGS = Symbol('NotificationSettings');
/** The queue of each channel that is on: `Partial<Record<NotifyChannel, Queue<NotifyJob>>>` (in-app always). */
export const NOTIFY_QUEUE_SET = Symbol('NotifyQueueSet');
export type NotifyQueueSet = Partial<Record<NotifyChannel, Queue<NotifyJob>>> & { readonly inApp: Queue<NotifyJob> };

/** The channels' BullMQ workers, for a process that runs workers. */
@Injectable()
export class NotificationWorkers {
  constructor(
    @Inject(MAIN_POOL) private readonly pool: Pool,
    @Inject(JOB_QUEUES) private readonly queues: JobQueues,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
    private readonly inApp: InAppNotifications,
  ) {}

  start(): void {
    const { webhook, email } = this.settings;
    const delivery = new NotificationDelivery(this.pool, {
      inApp: this.inApp,
      webhook: webhook ? new WebhookChannel(webhook.url, webhook.secret, { timeoutMs: webhook.timeoutMs }) : undefined,
      email: email ? new EmailChannel(email.smtpUrl, email.from, email) : undefined,
    });
    this.queues.worker<NotifyJob>(NOTIFY_QUEUES.inApp, (job) => delivery.inApp(job), { concurrency: 4 });
    if (webhook) this.queues.worker<NotifyJob>(NOTIFY_QUEUES.webhook, (job) => delivery.webhook(job), { concurrency: 4 });
    if (email) this.queues.worker<NotifyJob>(NOTIFY_QUEUES.email, (job) => delivery.email(job), { concurrency: 2 });
  }
}

/**
 * Notifications: the reactor that turns events into one job per channel (`NotificationReactor`,
 * a projection), the in-app notifications (`InAppNotifications`), and the channels' workers.
 */
@Module({})
export class NotificationsModule {
  static forRoot(settings: NotificationSettings): DynamicModule {
    return {
      module: NotificationsModule,
      providers: [
        { provide: NOTIFICATION_SETTINGS, useValue: settings },
        {
          provide: NOTIFY_QUEUE_SET,
          inject: [JOB_QUEUES],
          useFactory: (queues: JobQueues): NotifyQueueSet => ({
            inApp: queues.queue<NotifyJob>(NOTIFY_QUEUES.inApp),
            ...(settings.webhook ? { webhook: queues.queue<NotifyJob>(NOTIFY_QUEUES.webhook) } : {}),
            ...(settings.email ? { email: queues.queue<NotifyJob>(NOTIFY_QUEUES.email) } : {}),
          }),
        },
        {
          provide: InAppNotifications,
          inject: [MAIN_POOL],
          useFactory: async (pool: Pool) => {
            const notifications = new InAppNotifications(pool);
            await notifications.migrate();
            return notifications;
          },
        },
        {
          provide: NotificationReactor,
          inject: [EVENT_STORE, ORG_TREE, SLA_POLICY, NOTIFY_QUEUE_SET],
          useFactory: (store: EventStore, org: OrgTree, policy: SlaPolicy, queues: NotifyQueueSet) => new NotificationReactor(store, org, policy, queues, settings.retryBaseMs),
        },
        NotificationWorkers,
      ],
      exports: [InAppNotifications, NotificationReactor, NotificationWorkers, NOTIFY_QUEUE_SET],
    };
  }
}
