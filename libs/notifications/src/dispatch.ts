import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Pool, PoolClient } from 'pg';
import { caseIdOf, caseStreamId, foldCase, isCaseStream, type FoldedCase } from '#cases';
import type { ExistingCase, OrgTree, SlaPolicy } from '#domain';
import type { EventStore, RecordedEvent } from '#event-store';
import type { Projection } from '#projections';
import { EmailDeliveryFailedError, type EmailChannel } from './email.js';
import type { InAppNotifications } from './in-app.js';
import { isNotifyingEventType, notificationFor, type Notification } from './notification.js';
import { resolveRecipients } from './recipients.js';
import { retryPolicy, type WebhookChannel } from './webhook.js';

/** One queue per channel, so a failing channel never holds another back. */
export const NOTIFY_QUEUES = { inApp: 'notify-in-app', webhook: 'notify-webhook', email: 'notify-email' } as const;
export type NotifyChannel = keyof typeof NOTIFY_QUEUES;

export interface NotifyJob {
  readonly notification: Notification;
}

/**
 * Turns notifying events into one job per configured channel. The job id is the channel and the
 * delivery id (the event's id), so replaying the log never sends a notification twice while its
 * job is kept; a redelivery keeps its delivery id.
 */
export class NotificationReactor implements Projection {
  readonly name = 'notifications';

  constructor(
    private readonly store: EventStore,
    private readonly org: OrgTree,
    private readonly policy: SlaPolicy,
    private readonly queues: Partial<Record<NotifyChannel, Queue<NotifyJob>>>,
    private readonly retryBaseMs: number,
  ) {}

  async migrate(_client: PoolClient): Promise<void> {}

  async reset(_client: PoolClient): Promise<void> {}

  handles(event: RecordedEvent): boolean {
    return isCaseStream(event.streamId) && isNotifyingEventType(event.type);
  }

  async apply(_client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    const notifying = events.filter((event) => this.handles(event));
    if (notifying.length === 0) return;
    // Each notification describes the case right after its event: fold the stream up to it.
    const histories = new Map<string, { events: readonly RecordedEvent[]; folded?: FoldedCase }>();
    const notifications: Notification[] = [];
    for (const event of notifying) {
      const caseId = caseIdOf(event.streamId);
      let history = histories.get(caseId);
      if (!history) histories.set(caseId, (history = { events: await this.store.readStream(caseStreamId(caseId)) }));
      const from = history.folded?.revision ?? -1;
      history.folded = foldCase(history.events.filter((e) => e.revision > from && e.revision <= event.revision), this.policy, history.folded);
      const notification = notificationFor(event, history.folded.state as ExistingCase, this.org);
      if (notification) notifications.push(notification);
    }
    const retries = retryPolicy(this.retryBaseMs);
    for (const [channel, queue] of Object.entries(this.queues) as [NotifyChannel, Queue<NotifyJob>][]) {
      await queue.addBulk(
        notifications.map((notification) => ({
          name: channel,
          data: { notification },
          opts: {
            jobId: `${channel}.${notification.deliveryId}`, // BullMQ refuses ':' in job ids
            ...retries,
            removeOnComplete: { age: 7 * 24 * 3600 },
            removeOnFail: false, // the dead letters: failed after every retry, kept for admins
          },
        })),
      );
    }
  }
}

/** How many of the oldest unfinished in-app jobs one look reads: jobs are added in log order, so they hold the lowest positions. */
const PENDING_SCAN = 1_000;
const PENDING_POLL_MS = 50;

/**
 * Read-your-writes for in-app notifications: waits until every in-app delivery of an event at or
 * before `position` has run, i.e. the reactor has passed the position (`reactorCaughtUp`, given
 * the time it may take) and no job for such an event is waiting, running or waiting to retry.
 * False when the time runs out first (with no worker running, say). A delivery that failed for
 * good is a dead letter, not pending.
 */
export async function awaitInAppDeliveries(
  queue: Queue<NotifyJob>,
  position: number,
  timeoutMs: number,
  reactorCaughtUp: (timeoutMs: number) => Promise<boolean>,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  if (!(await reactorCaughtUp(timeoutMs))) return false;
  for (;;) {
    const unfinished = await queue.getJobs(['active', 'waiting', 'prioritized', 'delayed'], 0, PENDING_SCAN - 1, true);
    const pendingUpTo = unfinished.some((job) => {
      const event = (job?.data as NotifyJob | undefined)?.notification?.event;
      return event !== undefined && event.position <= position;
    });
    if (!pendingUpTo) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, PENDING_POLL_MS)));
  }
}

/** Delivers a notification job on its channel; a throw makes BullMQ retry it with backoff. */
export class NotificationDelivery {
  constructor(
    private readonly pool: Pool,
    private readonly channels: { inApp: InAppNotifications; webhook?: WebhookChannel; email?: EmailChannel },
  ) {}

  async inApp(job: Job<NotifyJob>): Promise<{ stored: number }> {
    const { notification } = job.data;
    const recipients = await resolveRecipients(this.pool, notification.audience);
    return { stored: await this.channels.inApp.store(notification, recipients) };
  }

  async webhook(job: Job<NotifyJob>): Promise<{ status: number }> {
    if (!this.channels.webhook) throw new Error('no webhook is configured');
    const { notification } = job.data;
    return this.channels.webhook.send(notification, await resolveRecipients(this.pool, notification.audience));
  }

  async email(job: Job<NotifyJob>): Promise<unknown> {
    if (!this.channels.email) throw new Error('no e-mail is configured');
    const { notification } = job.data;
    try {
      return await this.channels.email.send(notification, await resolveRecipients(this.pool, notification.audience));
    } catch (error) {
      // The server refused the message for good (a 5xx other than 503): retrying cannot help.
      if (error instanceof EmailDeliveryFailedError && error.permanent) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
