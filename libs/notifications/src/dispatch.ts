import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Pool, PoolClient } from 'pg';
import { bulletinIdOf, bulletinStreamId, isBulletinStream, toBulletinEvent } from '#bulletins';
import { caseIdOf, caseStreamId, foldCase, isCaseStream, type FoldedCase } from '#cases';
import { foldBulletin, type ExistingCase, type OrgTree, type SlaPolicy } from '#domain';
import type { EventStore, RecordedEvent } from '#event-store';
import type { Projection } from '#projections';
import { EmailDeliveryFailedError, type EmailChannel } from './email.js';
import { bulletinNotificationFor } from './bulletin-notification.js';
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
 * The correlation id of the events the demo-data seeding writes: a past year replayed, which the
 * app shows (the demo needs its notifications) but no webhook or duty mailbox should receive.
 */
export const DEMO_SEEDING_CORRELATION = 'demo-data';

/** The reactor's name: its checkpoint key. */
export const NOTIFICATION_REACTOR = 'notifications';

/**
 * Turns notifying events into one job per configured channel (the demo seeding's into in-app
 * jobs only). The job id is the channel and the
 * delivery id (the event's id), so replaying the log never sends a notification twice while its
 * job is kept; a redelivery keeps its delivery id.
 */
export class NotificationReactor implements Projection {
  readonly name = NOTIFICATION_REACTOR;
  readonly version = 1;
  /** Each notification follows from its own stream up to its event; a job id is never added twice. */
  readonly runsInLanes = true;

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
    return (isCaseStream(event.streamId) && isNotifyingEventType(event.type)) || (isBulletinStream(event.streamId) && event.type === 'BulletinPublished');
  }

  async apply(_client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    const notifying = events.filter((event) => this.handles(event));
    if (notifying.length === 0) return;
    // Each notification describes the case right after its event: fold the stream up to it.
    const histories = new Map<string, { events: readonly RecordedEvent[]; folded?: FoldedCase }>();
    const notifications: Notification[] = [];
    // The deliveries of seeded history: in the app only.
    const seeded = new Set<string>();
    for (const event of notifying) {
      if (event.metadata.correlationId === DEMO_SEEDING_CORRELATION) seeded.add(event.id);
      if (isBulletinStream(event.streamId)) {
        const notification = await this.bulletinNotification(event);
        if (notification) notifications.push(notification);
        continue;
      }
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
      const delivered = channel === 'inApp' ? notifications : notifications.filter((notification) => !seeded.has(notification.deliveryId));
      if (delivered.length === 0) continue;
      await queue.addBulk(
        delivered.map((notification) => ({
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

  /** A bulletin's publication, told with the bulletin as it stood right after it. */
  private async bulletinNotification(event: RecordedEvent): Promise<Notification | null> {
    const events = await this.store.readStream(bulletinStreamId(bulletinIdOf(event.streamId)), { maxCount: event.revision + 1 });
    const bulletin = foldBulletin(events.map(toBulletinEvent));
    return bulletin.status === 'none' ? null : bulletinNotificationFor(event, bulletin, this.org);
  }
}

/** The states of a job that has still to run: BullMQ puts a retry back among the waiting (at the far end) or the delayed. */
const UNFINISHED = ['active', 'waiting', 'prioritized', 'delayed'] as const;
/** How long one read of the backlog answers for, however many requests ask meanwhile. */
const BACKLOG_READ_MS = 50;

/**
 * The in-app deliveries still to run, for read-your-writes on notifications. A delivery's place in
 * the queue says nothing of its event's place in the log (retries go to the far end, delayed jobs
 * by their retry time), so the backlog is read whole; when the queue is empty, as it is most of
 * the time, the job counts alone tell. One read serves every request that asks within
 * BACKLOG_READ_MS of its start, as long as it started after what the request waits for.
 */
export class InAppBacklog {
  #read: { readonly startedAt: number; readonly lowest: Promise<number | null> } | null = null;

  /**
   * `reactorCaughtUp` waits (at most the time given) until the notification reactor has passed a
   * position; `now` is a monotonic clock in milliseconds, fine enough that an awaited round trip moves it.
   */
  constructor(
    private readonly queue: Queue<NotifyJob>,
    private readonly reactorCaughtUp: (position: number, timeoutMs: number) => Promise<boolean>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * The lowest log position among the events whose in-app delivery has still to run (null when
   * none has), from a read of the queue started after `since`.
   */
  #lowestPending(since: number): Promise<number | null> {
    const now = this.now();
    const read = this.#read;
    if (read !== null && read.startedAt > since && now - read.startedAt < BACKLOG_READ_MS) return read.lowest;
    this.#read = { startedAt: now, lowest: this.#readLowest() };
    return this.#read.lowest;
  }

  /**
   * Waits until every in-app delivery of an event at or before `position` has run: the reactor has
   * passed the position, and no delivery up to it is waiting, running or waiting to retry. False
   * when the time runs out first (no worker running, say) or the queue cannot be read. A delivery
   * that failed for good is a dead letter, not pending.
   */
  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const deadline = this.now() + timeoutMs;
    try {
      if (!(await this.reactorCaughtUp(position, timeoutMs))) return false;
      // The reactor has queued every delivery up to the position: only a read that starts now sees them.
      const queued = this.now();
      for (;;) {
        const lowest = await this.#lowestPending(queued);
        if (lowest === null || lowest > position) return true;
        const left = deadline - this.now();
        if (left <= 0) return false;
        await new Promise((resolve) => setTimeout(resolve, Math.min(left, BACKLOG_READ_MS)));
      }
    } catch {
      return false;
    }
  }

  async #readLowest(): Promise<number | null> {
    const counts = await this.queue.getJobCounts(...UNFINISHED);
    if (Object.values(counts).every((count) => count === 0)) return null;
    let lowest: number | null = null;
    for (const job of await this.queue.getJobs([...UNFINISHED])) {
      const position = (job?.data as NotifyJob | undefined)?.notification?.event?.position;
      if (typeof position === 'number' && (lowest === null || position < lowest)) lowest = position;
    }
    return lowest;
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
