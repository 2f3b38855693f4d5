import { describe, expect, it } from '@jest/globals';
import { DEMO_ACCOUNTS } from '#accounts';
import { DEMO_ORG_UNITS, OrgTree } from '#domain';
import { planDemoBulletins, type SeededCase } from './bulletins.js';

const org = new OrgTree(DEMO_ORG_UNITS);
const now = new Date('2026-12-04T23:40:00Z');
const suggestion = (n: number, unitId: string, filedAt: string, kind = 'suggestion'): SeededCase => ({ caseId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, kind, unitId, filedAt });

/** Which bulletins the demo year publishes, and when. */
describe('the demo bulletins plan', () => {
  const cases = [
    suggestion(1, 'hd-dg-1-g1', '2026-03-02T02:00:00Z'),
    suggestion(2, 'hd-dg-1', '2026-03-20T02:00:00Z'),
    suggestion(3, 'hd-dg-1', '2026-03-21T02:00:00Z', 'grievance'),
    suggestion(4, 'hx-xh-1', '2026-03-05T02:00:00Z'),
    suggestion(5, 'hd-ll-1', '2026-02-05T02:00:00Z'),
    // This month's are not out yet.
    suggestion(6, 'hd-dg-1', '2026-12-01T02:00:00Z'),
    suggestion(7, 'hd-dg-1', '2026-12-02T02:00:00Z'),
  ];
  const bulletins = planDemoBulletins(cases, DEMO_ACCOUNTS, org, now);

  it('gives a community a monthly issue of its subtree\'s suggestions, on the 5th of the month after', () => {
    const community = bulletins.filter((b) => b.unitId === 'hd-dg-1');
    expect(community).toEqual([
      {
        unitId: 'hd-dg-1',
        username: 'hd-dg-1.coordinator',
        title: '东关社区社情民意（2026年3月）',
        editorNote: '本期收录居民意见建议2件，请各有关部门研究办理，并将采纳情况及时反馈。',
        caseIds: [cases[0]!.caseId, cases[1]!.caseId],
        at: '2026-04-05T01:30:00.000Z',
      },
    ]);
  });

  it('gives a county a quarterly issue, and none for a period with fewer than two suggestions', () => {
    expect(bulletins.filter((b) => b.unitId === 'hd').map((b) => [b.title, b.caseIds.length])).toEqual([['河东区社情民意（2026年第1季度）', 3]]);
    expect(bulletins.some((b) => b.unitId === 'hx-xh-1')).toBe(false);
  });
});
