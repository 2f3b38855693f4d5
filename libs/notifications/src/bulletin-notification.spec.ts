import { describe, expect, it } from '@jest/globals';
import { DEMO_ORG_UNITS, OrgTree, type Bulletin } from '#domain';
import type { RecordedEvent } from '#event-store';
import { bulletinNotificationFor } from './bulletin-notification.js';
import { payloadFor } from './webhook.js';

const org = new OrgTree(DEMO_ORG_UNITS);
const PUBLISHER = '00000000-0000-4000-8000-0000000000c2';
const BULLETIN_ID = '0195a1b2-0000-7000-8000-0000000000b1';

function published(unitId: string, items = 2): { event: RecordedEvent; bulletin: Bulletin } {
  const item = { caseId: 'c', number: 'MY-2026-000001', kind: 'suggestion' as const, title: '建议', summary: '摘要', unitId, unitName: '单位' };
  const publication = { year: 2026, sequence: 3, items: Array.from({ length: items }, () => item), numberedBy: 'r' };
  const at = '2026-03-02T09:00:00+08:00';
  const event = {
    id: '0195a1b2-0000-7000-8000-00000000e0b1',
    streamId: `bulletin-${BULLETIN_ID}`,
    revision: 1,
    globalPosition: 77,
    type: 'BulletinPublished',
    data: publication,
    metadata: { actorId: PUBLISHER, actorRole: 'coordinator', unitId, at, correlationId: 'x', causationId: null },
  } as unknown as RecordedEvent;
  const bulletin: Bulletin = {
    id: BULLETIN_ID,
    unitId,
    title: '  社情民意\n专报 ',
    caseIds: ['c'],
    editorNote: null,
    status: 'published',
    revisions: 0,
    createdAt: at,
    createdBy: PUBLISHER,
    updatedAt: at,
    publication: { ...publication, at, by: PUBLISHER },
  };
  return { event, bulletin };
}

describe('bulletinNotificationFor', () => {
  it('tells the leaders of the bulletin’s unit and of the unit above, not the publisher, in both languages', () => {
    const { event, bulletin } = published('hd-dg');
    expect(bulletinNotificationFor(event, bulletin, org)).toEqual({
      deliveryId: event.id,
      type: 'BulletinPublished',
      caseId: null,
      caseNumber: null,
      bulletinId: BULLETIN_ID,
      unitId: 'hd-dg',
      audience: { groups: [{ roles: ['leader'], unitIds: ['hd-dg', 'hd'] }], userIds: [], excludeUserIds: [PUBLISHER] },
      text: '东关街道《社情民意》2026年第3期「社情民意 专报」已发布，共 2 条，请阅示',
      texts: {
        'zh-CN': '东关街道《社情民意》2026年第3期「社情民意 专报」已发布，共 2 条，请阅示',
        en: '东关街道 published its public opinion bulletin No. 3 of 2026 "社情民意 专报" (2 items); please read it',
      },
      event: { type: 'BulletinPublished', revision: 1, position: 77, at: event.metadata.at },
    });
  });

  it('tells only the city’s own leaders of a city bulletin, and says one item', () => {
    const { event, bulletin } = published('sf', 1);
    const notification = bulletinNotificationFor(event, bulletin, org)!;
    expect(notification.audience.groups).toEqual([{ roles: ['leader'], unitIds: ['sf'] }]);
    expect(notification.texts.en).toContain('(1 item)');
  });

  it('tells of nothing but a publication', () => {
    const { event, bulletin } = published('hd-dg');
    expect(bulletinNotificationFor({ ...event, type: 'BulletinRevised' }, bulletin, org)).toBeNull();
  });

  it('reaches webhooks naming the bulletin, with no case', () => {
    const { event, bulletin } = published('hd-dg');
    const payload = payloadFor(bulletinNotificationFor(event, bulletin, org)!, []);
    expect(payload).toMatchObject({ type: 'BulletinPublished', caseId: null, caseNumber: null, bulletinId: BULLETIN_ID, unitId: 'hd-dg' });
  });
});
