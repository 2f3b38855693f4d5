import type { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { runMigrations, type Migration } from '#database';
import { isUuid } from '#domain';
import { textsOf, type Notification, type NotificationEventRef, type NotificationTexts, type NotificationType } from './notification.js';
import type { Recipient } from './recipients.js';

/** A notification as one user sees it in the app. */
export interface InAppNotification {
  readonly id: string;
  readonly deliveryId: string;
  readonly type: NotificationType;
  /** Null when the notification tells of a bulletin (`BulletinPublished`, with `bulletinId`). */
  readonly caseId: string | null;
  readonly caseNumber: string | null;
  readonly bulletinId?: string;
  readonly unitId: string;
  /** Chinese, as API.md has it: `texts['zh-CN']`. */
  readonly text: string;
  readonly texts: NotificationTexts;
  readonly event: NotificationEventRef;
  /** When it was stored for the user (ISO 8601). */
  readonly createdAt: string;
  /** When the user marked it read; null while unread. */
  readonly readAt: string | null;
}

export interface ListOptions {
  readonly unreadOnly?: boolean;
  /** 1-500. */
  readonly limit: number;
  /** The id of the last notification of the previous page: only older ones follow. */
  readonly before?: string;
}

export const MAX_LIST_LIMIT = 500;

interface Row {
  id: string;
  delivery_id: string;
  type: NotificationType;
  case_id: string | null;
  case_number: string | null;
  bulletin_id: string | null;
  unit_id: string;
  text: string;
  text_en: string;
  event: NotificationEventRef;
  created_at: Date;
  read_at: Date | null;
}

const NOTIFICATIONS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'notifications',
    up: `
      CREATE TABLE IF NOT EXISTS notifications (
        id          uuid PRIMARY KEY,
        user_id     uuid NOT NULL,
        delivery_id text NOT NULL,
        type        text NOT NULL,
        case_id     uuid NOT NULL,
        case_number text NOT NULL,
        unit_id     text NOT NULL,
        text        text NOT NULL,
        event       jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        read_at     timestamptz,
        text_en     text NOT NULL,
        CONSTRAINT notifications_user_delivery_key UNIQUE (user_id, delivery_id)
      );
      -- Tables made before notifications had English: their rows were told in Chinese only, which stands for English too.
      ALTER TABLE notifications ADD COLUMN IF NOT EXISTS text_en text;
      UPDATE notifications SET text_en = text WHERE text_en IS NULL;
      ALTER TABLE notifications ALTER COLUMN text_en SET NOT NULL;
      CREATE INDEX IF NOT EXISTS notifications_user_newest ON notifications (user_id, created_at DESC, id DESC);
      CREATE INDEX IF NOT EXISTS notifications_user_unread ON notifications (user_id) WHERE read_at IS NULL;`,
  },
  {
    version: 2,
    name: 'notifications of bulletins',
    // A bulletin's publication tells of no case: it names the bulletin instead.
    up: `
      ALTER TABLE notifications ALTER COLUMN case_id DROP NOT NULL, ALTER COLUMN case_number DROP NOT NULL;
      ALTER TABLE notifications ADD COLUMN IF NOT EXISTS bulletin_id uuid;`,
  },
];

/**
 * Each user's in-app notifications, in PostgreSQL. A notification is stored once per user and
 * delivery (`UNIQUE (user_id, delivery_id)`), so delivering it again, or replaying the log, adds
 * nothing.
 */
export class InAppNotifications {
  constructor(private readonly pool: Pool) {}

  /** Brings the table up to date; safe to run on every start, from several processes at once. */
  async migrate(): Promise<void> {
    await runMigrations(this.pool, 'notifications', NOTIFICATIONS_MIGRATIONS);
  }

  /** Stores the notification for each recipient in one statement; returns how many were new. */
  async store(notification: Notification, recipients: readonly Recipient[]): Promise<number> {
    if (recipients.length === 0) return 0;
    const result = await this.pool.query(
      `INSERT INTO notifications (id, user_id, delivery_id, type, case_id, case_number, unit_id, text, text_en, event, bulletin_id)
       SELECT id, user_id, $3, $4, $5, $6, $7, $8, $9, $10, $11
         FROM unnest($1::uuid[], $2::uuid[]) AS recipient(id, user_id)
       ON CONFLICT (user_id, delivery_id) DO NOTHING`,
      [
        recipients.map(() => uuidv7()),
        recipients.map((recipient) => recipient.userId),
        notification.deliveryId,
        notification.type,
        notification.caseId,
        notification.caseNumber,
        notification.unitId,
        notification.text,
        textsOf(notification).en,
        JSON.stringify(notification.event),
        notification.bulletinId ?? null,
      ],
    );
    return result.rowCount ?? 0;
  }

  /** The user's notifications, newest first. */
  async list(userId: string, options: ListOptions): Promise<InAppNotification[]> {
    return (await this.page(userId, options)).items;
  }

  /**
   * The user's notifications, newest first, with how many are unread, both from one statement
   * (one snapshot), so that the count never predates the newest item listed.
   */
  async page(userId: string, options: ListOptions): Promise<{ items: InAppNotification[]; unreadCount: number }> {
    if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_LIST_LIMIT) {
      throw new RangeError(`limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
    }
    if (!isUuid(userId)) return { items: [], unreadCount: 0 };
    if (options.before !== undefined && !isUuid(options.before)) return { items: [], unreadCount: await this.unreadCount(userId) };
    const { rows } = await this.pool.query<Partial<Row> & { unread_count: string }>(
      `SELECT unread.n AS unread_count, listed.*
         FROM (SELECT count(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL) AS unread
         LEFT JOIN LATERAL (
           SELECT id, delivery_id, type, case_id, case_number, unit_id, text, text_en, event, created_at, read_at, bulletin_id
             FROM notifications
            WHERE user_id = $1
              AND ($2::boolean IS NOT TRUE OR read_at IS NULL)
              AND ($3::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM notifications WHERE id = $3 AND user_id = $1))
            ORDER BY created_at DESC, id DESC
            LIMIT $4) AS listed ON true`,
      [userId, options.unreadOnly === true, options.before ?? null, options.limit],
    );
    const unreadCount = Number(rows[0]!.unread_count);
    return { items: rows.filter((row) => row.id != null).map((row) => toInApp(row as Row)), unreadCount };
  }

  /** Marks the user's notifications read (the listed ones, or all); returns how many were unread. */
  async markRead(userId: string, ids: readonly string[] | 'all'): Promise<number> {
    if (!isUuid(userId)) return 0;
    if (ids === 'all') {
      const result = await this.pool.query('UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL', [userId]);
      return result.rowCount ?? 0;
    }
    const wanted = ids.filter(isUuid);
    if (wanted.length === 0) return 0;
    const result = await this.pool.query(
      'UPDATE notifications SET read_at = now() WHERE user_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL',
      [userId, wanted],
    );
    return result.rowCount ?? 0;
  }

  async unreadCount(userId: string): Promise<number> {
    if (!isUuid(userId)) return 0;
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL', [userId]);
    return Number(rows[0]!.n);
  }
}

function toInApp(row: Row): InAppNotification {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    type: row.type,
    caseId: row.case_id,
    caseNumber: row.case_number,
    ...(row.bulletin_id ? { bulletinId: row.bulletin_id } : {}),
    unitId: row.unit_id,
    text: row.text,
    texts: { 'zh-CN': row.text, en: row.text_en },
    event: row.event,
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at === null ? null : row.read_at.toISOString(),
  };
}
