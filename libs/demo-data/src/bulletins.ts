import type { OrgTree, UserActor } from '#domain';
import type { DemoStaff } from './plan.js';

/** A case the demo year filed, as the bulletins step picks them. */
export interface SeededCase {
  readonly caseId: string;
  readonly kind: string;
  readonly unitId: string;
  readonly filedAt: string;
}

/** One demo bulletin to draft and publish: by a coordinator of its unit, at `at`. */
export interface PlannedBulletin {
  readonly unitId: string;
  readonly username: string;
  readonly title: string;
  readonly editorNote: string;
  readonly caseIds: readonly string[];
  /** When it is drafted; it is published an hour later. */
  readonly at: string;
}

const HOUR = 3_600_000;
const LOCAL_OFFSET = 8 * HOUR;
const MOST_ITEMS = 10;

/**
 * The demo year's 社情民意 bulletins: each unit with a coordinator of its own issues one a month
 * (a county, one a quarter) holding the suggestions filed in its subtree in that period, drafted
 * and published in the morning of the 5th of the month after. Periods without two suggestions,
 * and those not over yet at `now`, have none. Pure: the seeded cases and `now` decide it.
 */
export function planDemoBulletins(cases: readonly SeededCase[], staff: readonly DemoStaff[], org: OrgTree, now: Date): PlannedBulletin[] {
  const bulletins: PlannedBulletin[] = [];
  const editors = staff.filter((member) => member.roles.includes('coordinator') && ['community', 'county'].includes(org.get(member.unitId).level));
  for (const editor of editors) {
    const unit = org.get(editor.unitId);
    const monthsPerIssue = unit.level === 'county' ? 3 : 1;
    const periods = new Map<string, { year: number; first: number; caseIds: string[] }>();
    for (const filed of cases) {
      if (filed.kind !== 'suggestion' || !org.isWithin(filed.unitId, unit.id)) continue;
      const local = new Date(Date.parse(filed.filedAt) + LOCAL_OFFSET);
      const year = local.getUTCFullYear();
      const first = Math.floor(local.getUTCMonth() / monthsPerIssue) * monthsPerIssue;
      const key = `${year}-${first}`;
      const period = periods.get(key) ?? { year, first, caseIds: [] };
      period.caseIds.push(filed.caseId);
      periods.set(key, period);
    }
    for (const { year, first, caseIds } of periods.values()) {
      // The 5th of the month after the period, 09:30 Beijing time.
      const at = Date.UTC(year, first + monthsPerIssue, 5, 9, 30) - LOCAL_OFFSET;
      if (caseIds.length < 2 || at + HOUR >= now.getTime()) continue;
      const items = caseIds.slice(0, MOST_ITEMS);
      const period = monthsPerIssue === 1 ? `${year}年${first + 1}月` : `${year}年第${first / 3 + 1}季度`;
      bulletins.push({
        unitId: unit.id,
        username: editor.username,
        title: `${unit.name}社情民意（${period}）`,
        editorNote: `本期收录居民意见建议${items.length}件，请各有关部门研究办理，并将采纳情况及时反馈。`,
        caseIds: items,
        at: new Date(at).toISOString(),
      });
    }
  }
  return bulletins.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.unitId.localeCompare(b.unitId));
}

/** What the bulletins step needs: the bulletin command path (draft, then publish). */
export interface BulletinPorts {
  readonly draftAndPublish: (bulletin: PlannedBulletin, actor: UserActor) => Promise<{ readonly bulletinId: string; readonly publishedAt: string; readonly position: number }>;
}
