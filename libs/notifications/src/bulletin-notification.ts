import { LANGUAGES, issueLabel, standalone, type Bulletin, type Language, type OrgTree } from '#domain';
import type { RecordedEvent } from '#event-store';
import type { Notification, NotificationTexts } from './notification.js';

/** What a bulletin's publication says, in each language. */
const PUBLISHED: Readonly<Record<Language, (unit: string, issue: string, title: string, items: number) => string>> = {
  'zh-CN': (unit, issue, title, items) => `${unit}《社情民意》${issue}「${title}」已发布，共 ${items} 条，请阅示`,
  en: (unit, issue, title, items) => `${standalone(`${unit} published its public opinion bulletin ${issue} "${title}" (${items} ${items === 1 ? 'item' : 'items'}); please read it`)}`,
};

/**
 * The notification of a bulletin's publication (BulletinPublished): for the leaders it is
 * reported to, those of the bulletin's unit and of the unit above (the city's own at the top),
 * never the publisher. `bulletin` is the bulletin right after the event. Pure.
 */
export function bulletinNotificationFor(recorded: RecordedEvent, bulletin: Bulletin, org: OrgTree): Notification | null {
  if (recorded.type !== 'BulletinPublished' || bulletin.publication === null) return null;
  const { unitId, publication } = bulletin;
  const known = org.has(unitId);
  const unitName = known ? org.get(unitId).name : unitId;
  const parent = known ? org.parentOf(unitId) : null;
  const title = oneLine(bulletin.title);
  const texts = Object.fromEntries(
    LANGUAGES.map((language) => [language, PUBLISHED[language](unitName, issueLabel(publication, language), title, publication.items.length)]),
  ) as NotificationTexts;
  return {
    deliveryId: recorded.id,
    type: 'BulletinPublished',
    caseId: null,
    caseNumber: null,
    bulletinId: bulletin.id,
    unitId,
    audience: {
      groups: [{ roles: ['leader'], unitIds: parent ? [unitId, parent.id] : [unitId] }],
      userIds: [],
      excludeUserIds: [recorded.metadata.actorId],
    },
    text: texts['zh-CN'],
    texts,
    event: { type: 'BulletinPublished', revision: recorded.revision, position: recorded.globalPosition, at: recorded.metadata.at },
  };
}

/** A title on one line, at most 60 characters (as notifications quote free text). */
function oneLine(text: string): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= 60 ? chars.join('') : `${chars.slice(0, 59).join('')}…`;
}
