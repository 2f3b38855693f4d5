import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { accountsTestKit } from '../../accounts/src/testing.js';
import { DEMO_ORG_UNITS, OrgTree, type Role } from '#domain';
import { createTestDatabase, type TestDatabase } from '#testing';
import { InAppNotifications } from './in-app.js';
import { notificationFor, type Notification } from './notification.js';
import { resolveRecipients, type Recipient } from './recipients.js';
import { CaseStory, SYSTEM, filed } from './testing/case-story.js';

const org = new OrgTree(DEMO_ORG_UNITS);

describe('notification recipients and in-app notifications (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let inApp: InAppNotifications;
  const ids: Record<string, string> = {};

  const accounts: [string, Role[], string][] = [
    ['city.leader', ['leader'], 'sf'],
    ['hd.leader', ['leader'], 'hd'],
    ['hd.coordinator', ['coordinator'], 'hd'],
    ['hd-dg.leader', ['leader'], 'hd-dg'],
    ['hd-dg.coordinator', ['coordinator'], 'hd-dg'],
    ['hd-dg.other', ['coordinator'], 'hd-dg'],
    ['hd-dg-1.clerk', ['clerk'], 'hd-dg-1'],
    ['hd-dg-1.coordinator', ['coordinator'], 'hd-dg-1'],
    ['hd-dg-1.both', ['clerk', 'coordinator'], 'hd-dg-1'],
    ['hd-dg-1.leader', ['leader'], 'hd-dg-1'],
    ['hx-xh-1.coordinator', ['coordinator'], 'hx-xh-1'],
    ['auditor', ['auditor'], 'sf'],
  ];
  const usernames = (recipients: readonly Recipient[]) => recipients.map((r) => r.username);

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 8 });
    const accountsKit = await accountsTestKit(pool);
    Object.assign(ids, await accountsKit.createUsers(accounts.map(([username, roles, unitId]) => ({ username, roles, unitId }))));
    await accountsKit.close();
    inApp = new InAppNotifications(pool);
    await inApp.migrate();
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  /** A case filed at 东关社区, escalated to 东关街道 and assigned there; the notification of the last step. */
  function escalatedAndBreached(): { escalated: Notification; breached: Notification } {
    const story = new CaseStory();
    story.then(filed('hd-dg-1'), { id: ids['hd-dg-1.clerk']!, role: 'clerk', unitId: 'hd-dg-1' });
    const escalated = story.then(
      { type: 'CaseEscalated', data: { fromUnitId: 'hd-dg-1', toUnitId: 'hd-dg', reason: '社区无法调解' } },
      { id: ids['hd-dg-1.coordinator']!, role: 'coordinator', unitId: 'hd-dg-1' },
    );
    const coordinator = { id: ids['hd-dg.coordinator']!, role: 'coordinator', unitId: 'hd-dg' };
    story.then({ type: 'CaseAccepted', data: { note: null } }, coordinator);
    story.then({ type: 'CaseAssigned', data: { assigneeId: ids['hd-dg.other']!, assigneeUnitId: 'hd-dg' } }, coordinator);
    const breached = story.then({ type: 'SlaBreached', data: { clock: 'resolve', dueAt: '2026-03-16T09:00:00+08:00', startedAtRevision: 2 } }, SYSTEM);
    return { escalated: notificationFor(escalated.event, escalated.state, org)!, breached: notificationFor(breached.event, breached.state, org)! };
  }

  describe('resolveRecipients', () => {
    it('finds the users who hold a group’s role at one of its units, and no one else', async () => {
      const { escalated } = escalatedAndBreached();
      const recipients = await resolveRecipients(pool, escalated.audience);
      expect(recipients).toEqual([
        { userId: ids['hd-dg.coordinator'], username: 'hd-dg.coordinator', displayName: 'hd-dg.coordinator 显示名' },
        { userId: ids['hd-dg.other'], username: 'hd-dg.other', displayName: 'hd-dg.other 显示名' },
      ]);
    });

    it('matches each group on its own, adds named users, and counts a user once', async () => {
      const { breached } = escalatedAndBreached();
      // Coordinators of 东关街道, leaders of 河东区, and the assignee (also a coordinator there).
      expect(usernames(await resolveRecipients(pool, breached.audience))).toEqual(['hd-dg.coordinator', 'hd-dg.other', 'hd.leader']);
    });

    it('matches users with several roles, and leaves out excluded users and ids that are no user', async () => {
      const recipients = await resolveRecipients(pool, {
        groups: [{ roles: ['clerk', 'coordinator'], unitIds: ['hd-dg-1'] }],
        userIds: ['system', ids['hx-xh-1.coordinator']!, '00000000-0000-4000-8000-00000000dead'],
        excludeUserIds: [ids['hd-dg-1.coordinator']!, 'system'],
      });
      expect(usernames(recipients)).toEqual(['hd-dg-1.both', 'hd-dg-1.clerk', 'hx-xh-1.coordinator']);
    });

    it('asks leaders up the tree for an annotation', async () => {
      const recipients = await resolveRecipients(pool, { groups: [{ roles: ['leader'], unitIds: ['hd-dg', 'hd', 'sf'] }], userIds: [], excludeUserIds: [] });
      expect(usernames(recipients)).toEqual(['city.leader', 'hd-dg.leader', 'hd.leader']);
    });

    it('is empty for an empty audience', async () => {
      expect(await resolveRecipients(pool, { groups: [], userIds: [], excludeUserIds: [] })).toEqual([]);
      expect(await resolveRecipients(pool, { groups: [{ roles: ['coordinator'], unitIds: ['hx-ty'] }], userIds: [], excludeUserIds: [] })).toEqual([]);
    });
  });

  describe('InAppNotifications', () => {
    it('migrates idempotently, also when run concurrently', async () => {
      await Promise.all([inApp.migrate(), inApp.migrate(), inApp.migrate()]);
      const { rows } = await pool.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'notifications' ORDER BY ordinal_position",
      );
      expect(rows.map((r) => r.column_name)).toEqual([
        'id',
        'user_id',
        'delivery_id',
        'type',
        'case_id',
        'case_number',
        'unit_id',
        'text',
        'event',
        'created_at',
        'read_at',
        'text_en',
        'bulletin_id',
      ]);
    });

    it('adds the English text to a table made before it, the Chinese standing for rows stored before', async () => {
      const older = await createTestDatabase();
      const olderPool = new pg.Pool({ connectionString: older.url, max: 2 });
      try {
        await olderPool.query(`
          CREATE TABLE notifications (
            id uuid PRIMARY KEY, user_id uuid NOT NULL, delivery_id text NOT NULL, type text NOT NULL, case_id uuid NOT NULL,
            case_number text NOT NULL, unit_id text NOT NULL, text text NOT NULL, event jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(), read_at timestamptz,
            CONSTRAINT notifications_user_delivery_key UNIQUE (user_id, delivery_id))`);
        const { escalated } = escalatedAndBreached();
        const user = ids['hd-dg.coordinator']!;
        await olderPool.query(
          `INSERT INTO notifications (id, user_id, delivery_id, type, case_id, case_number, unit_id, text, event)
           VALUES ('0195a1b2-0000-7000-8000-0000000000f1', $1, 'stored-before', 'CaseEscalated', $2, $3, $4, $5, $6)`,
          [user, escalated.caseId, escalated.caseNumber, escalated.unitId, escalated.text, JSON.stringify(escalated.event)],
        );
        const olderInApp = new InAppNotifications(olderPool);
        await Promise.all([olderInApp.migrate(), olderInApp.migrate()]);
        await olderInApp.store(escalated, [{ userId: user, username: 'hd-dg.coordinator', displayName: '东关街道联络员' }]);

        const listed = await olderInApp.list(user, { limit: 10 });
        expect(listed.map((item) => [item.deliveryId, item.texts])).toEqual([
          [escalated.deliveryId, escalated.texts],
          ['stored-before', { 'zh-CN': escalated.text, en: escalated.text }],
        ]);
        expect(escalated.texts.en).toMatch(/^Case MY-2026-000001 .* was escalated from 东关社区 to 东关街道; please accept it$/);
      } finally {
        await olderPool.end();
        await older.drop();
      }
    });

    it('stores a notification once per recipient, and a redelivery adds nothing', async () => {
      const { breached } = escalatedAndBreached();
      const recipients = await resolveRecipients(pool, breached.audience);
      expect(await inApp.store(breached, recipients)).toBe(3);
      expect(await inApp.store(breached, recipients)).toBe(0);
      await Promise.all([inApp.store(breached, recipients), inApp.store(breached, recipients)]);
      const { rows } = await pool.query('SELECT user_id FROM notifications WHERE delivery_id = $1', [breached.deliveryId]);
      expect(rows).toHaveLength(3);
      expect(await inApp.store(breached, [])).toBe(0);

      const [stored] = await inApp.list(ids['hd.leader']!, { limit: 10 });
      expect(stored).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        deliveryId: breached.deliveryId,
        type: 'SlaBreached',
        caseId: breached.caseId,
        caseNumber: 'MY-2026-000001',
        unitId: 'hd-dg',
        text: breached.text,
        texts: breached.texts,
        event: breached.event,
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        readAt: null,
      });
    });

    it('lists newest first, pages with `before`, filters unread, marks read and counts unread', async () => {
      const user = ids['hd-dg-1.leader']!;
      const me: Recipient = { userId: user, username: 'hd-dg-1.leader', displayName: '社区领导' };
      const stored: Notification[] = [];
      for (let i = 0; i < 5; i++) {
        const story = new CaseStory();
        const { event, state } = story.then(filed('hd-dg-1', `案件${i}`), SYSTEM);
        const notification = { ...notificationFor(event, state, org)!, deliveryId: `delivery-${i}` };
        await inApp.store(notification, [me]);
        stored.push(notification);
      }
      const all = await inApp.list(user, { limit: 10 });
      expect(all.map((n) => n.deliveryId)).toEqual(['delivery-4', 'delivery-3', 'delivery-2', 'delivery-1', 'delivery-0']);
      expect(await inApp.unreadCount(user)).toBe(5);

      const firstPage = await inApp.list(user, { limit: 2 });
      const secondPage = await inApp.list(user, { limit: 2, before: firstPage[1]!.id });
      expect([...firstPage, ...secondPage].map((n) => n.deliveryId)).toEqual(['delivery-4', 'delivery-3', 'delivery-2', 'delivery-1']);

      expect(await inApp.markRead(user, [all[0]!.id, all[2]!.id, 'not-an-id'])).toBe(2);
      expect(await inApp.markRead(user, [all[0]!.id])).toBe(0);
      expect(await inApp.unreadCount(user)).toBe(3);
      const unread = await inApp.list(user, { limit: 10, unreadOnly: true });
      expect(unread.map((n) => n.deliveryId)).toEqual(['delivery-3', 'delivery-1', 'delivery-0']);
      const read = (await inApp.list(user, { limit: 10 })).find((n) => n.deliveryId === 'delivery-4')!;
      expect(read.readAt).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));

      // Another user's notification cannot be marked read by this one.
      const [theirs] = await inApp.list(ids['hd.leader']!, { limit: 1 });
      expect(await inApp.markRead(user, [theirs!.id])).toBe(0);
      expect(await inApp.unreadCount(ids['hd.leader']!)).toBe(1);

      expect(await inApp.markRead(user, 'all')).toBe(3);
      expect(await inApp.unreadCount(user)).toBe(0);
      expect(await inApp.list(user, { limit: 10, unreadOnly: true })).toEqual([]);
      expect(await inApp.markRead(user, 'all')).toBe(0);
    });

    it('answers empty for an unknown user or cursor, and refuses a bad limit', async () => {
      expect(await inApp.list('00000000-0000-4000-8000-00000000dead', { limit: 5 })).toEqual([]);
      expect(await inApp.list('system', { limit: 5 })).toEqual([]);
      expect(await inApp.unreadCount('system')).toBe(0);
      expect(await inApp.list(ids['hd.leader']!, { limit: 5, before: '00000000-0000-4000-8000-00000000dead' })).toEqual([]);
      await expect(inApp.list(ids['hd.leader']!, { limit: 0 })).rejects.toThrow(RangeError);
    });
  });
});
