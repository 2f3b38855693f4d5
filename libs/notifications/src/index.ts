export { NOTIFYING_EVENT_TYPES, isNotifyingEventType, notificationFor } from './notification.js';
export type { Audience, AudienceGroup, Notification, NotificationEventRef, NotificationOptions, NotificationType, NotifyingEventType } from './notification.js';
export { bulletinNotificationFor } from './bulletin-notification.js';

export { resolveRecipients } from './recipients.js';
export type { Recipient } from './recipients.js';

export { InAppNotifications, MAX_LIST_LIMIT } from './in-app.js';
export type { InAppNotification, ListOptions } from './in-app.js';

export {
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  DeliveryFailedError,
  MIN_RETRY_SPAN_MS,
  WebhookChannel,
  WebhookDelivery,
  deliver,
  payloadFor,
  retryPolicy,
  retrySpanMs,
  sign,
  signTimestamped,
} from './webhook.js';
export type { DeliverOptions, DeliveryFailureReason, DeliveryResult, RetryPolicy, WebhookPayload } from './webhook.js';

export { DEFAULT_EMAIL_TIMEOUT_MS, EmailChannel, EmailDeliveryFailedError } from './email.js';
export type { EmailChannelOptions, EmailSent } from './email.js';

export { NotificationConfigError, notificationSettingsFromEnv } from './config.js';
export type { NotificationSettings } from './config.js';
export { DEMO_SEEDING_CORRELATION, InAppBacklog, NOTIFICATION_REACTOR, NOTIFY_QUEUES, NotificationDelivery, NotificationReactor } from './dispatch.js';
export type { NotifyChannel, NotifyJob } from './dispatch.js';
export { NOTIFY_QUEUE_SET, NotificationsModule, NotificationWorkers } from './notifications.module.js';
export type { NotifyQueueSet } from './notifications.module.js';
