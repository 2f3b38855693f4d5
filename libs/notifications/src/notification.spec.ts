import { describe, expect, it } from '@jest/globals';
import { DEMO_ORG_UNITS, LANGUAGES, OrgTree } from '#domain';
import { NOTIFYING_EVENT_TYPES, notificationFor, textsOf, type Notification } from './notification.js';
import { CASE_ID, CaseStory, SYSTEM, filed, type Actor } from './testing/case-story.js';

const org = new OrgTree(DEMO_ORG_UNITS);

const clerk: Actor = { id: '00000000-0000-4000-8000-00000000c1e1', role: 'clerk', unitId: 'hd-dg-1' };
const communityCoordinator: Actor = { id: '00000000-0000-4000-8000-0000000000c1', role: 'coordinator', unitId: 'hd-dg-1' };
const townCoordinator: Actor = { id: '00000000-0000-4000-8000-0000000000c2', role: 'coordinator', unitId: 'hd-dg' };
const townColleague = '00000000-0000-4000-8000-0000000000c3';
const leader: Actor = { id: '00000000-0000-4000-8000-0000000001ea', role: 'leader', unitId: 'hd' };

/** A case filed at 东关社区 and escalated to 东关街道, accepted and assigned there. */
function atTown() {
  const story = new CaseStory();
  story.then(filed('hd-dg-1'), clerk);
  story.then({ type: 'CaseEscalated', data: { fromUnitId: 'hd-dg-1', toUnitId: 'hd-dg', reason: '社区无法调解' } }, communityCoordinator);
  story.then({ type: 'CaseAccepted', data: { note: null } }, townCoordinator);
  story.then({ type: 'CaseAssigned', data: { assigneeId: townColleague, assigneeUnitId: 'hd-dg' } }, townCoordinator);
  return story;
}

describe('notificationFor', () => {
  it('notifies the coordinators of the filing unit of a new case, and says where it was filed', () => {
    const { event, state } = new CaseStory().then(filed('hd-dg-1'), clerk);
    expect(notificationFor(event, state, org)).toEqual({
      deliveryId: event.id,
      type: 'CaseFiled',
      caseId: CASE_ID,
      caseNumber: 'MY-2026-000001',
      unitId: 'hd-dg-1',
      audience: { groups: [{ roles: ['coordinator'], unitIds: ['hd-dg-1'] }], userIds: [], excludeUserIds: [clerk.id] },
      text: '案件 MY-2026-000001「停车位纠纷」已在东关社区登记，请及时受理',
      texts: {
        'zh-CN': '案件 MY-2026-000001「停车位纠纷」已在东关社区登记，请及时受理',
        en: 'Case MY-2026-000001 "停车位纠纷" was filed at 东关社区; please accept it',
      },
      event: { type: 'CaseFiled', revision: 0, position: event.globalPosition, at: event.metadata.at },
    });
  });

  it('notifies the coordinators of the unit an escalated case arrived at', () => {
    const story = new CaseStory();
    story.then(filed('hd-dg-1'), clerk);
    const { event, state } = story.then({ type: 'CaseEscalated', data: { fromUnitId: 'hd-dg-1', toUnitId: 'hd-dg', reason: '社区无法调解' } }, communityCoordinator);
    const notification = notificationFor(event, state, org)!;
    expect(notification.text).toBe('案件 MY-2026-000001「停车位纠纷」已由东关社区上报至东关街道，请及时受理');
    expect(notification.audience.groups).toEqual([{ roles: ['coordinator'], unitIds: ['hd-dg'] }]);
    expect(notification.unitId).toBe('hd-dg');
    expect(notification.event).toEqual({ type: 'CaseEscalated', revision: 1, position: event.globalPosition, at: event.metadata.at });
  });

  it('notifies the coordinators of the unit a transferred case arrived at', () => {
    const story = new CaseStory();
    story.then(filed('hd-dg'), townCoordinator);
    const { event, state } = story.then({ type: 'CaseTransferred', data: { fromUnitId: 'hd-dg', toUnitId: 'hd-ll', reason: '属柳林镇辖区' } }, townCoordinator);
    const notification = notificationFor(event, state, org)!;
    expect(notification.text).toBe('案件 MY-2026-000001「停车位纠纷」已由东关街道转交至柳林镇，请及时受理');
    expect(notification.audience).toEqual({ groups: [{ roles: ['coordinator'], unitIds: ['hd-ll'] }], userIds: [], excludeUserIds: [townCoordinator.id] });
  });

  it('asks the leaders of the unit and of every unit above it for an annotation', () => {
    const story = atTown();
    const { event, state } = story.then({ type: 'AnnotationRequested', data: { summary: '涉及多部门，请领导协调' } }, townCoordinator);
    const notification = notificationFor(event, state, org)!;
    expect(notification.text).toBe('案件 MY-2026-000001「停车位纠纷」由东关街道提请领导批示：涉及多部门，请领导协调');
    expect(notification.audience.groups).toEqual([{ roles: ['leader'], unitIds: ['hd-dg', 'hd', 'sf'] }]);
    expect(notification.audience.userIds).toEqual([]);
  });

  it('tells the coordinators of the unit a case was handed to about the annotation', () => {
    const story = atTown();
    story.then({ type: 'AnnotationRequested', data: { summary: '请批示' } }, townCoordinator);
    const { event, state } = story.then(
      { type: 'CaseAnnotated', data: { instruction: '请东关社区牵头，一周内调解到位', assignToUnitId: 'hd-dg-1', fromUnitId: 'hd-dg' } },
      leader,
    );
    const notification = notificationFor(event, state, org)!;
    expect(notification.text).toBe('领导已批示案件 MY-2026-000001「停车位纠纷」：请东关社区牵头，一周内调解到位，交东关社区办理（督办）');
    // Handed to another unit: the assignee at the old unit is no longer on it.
    expect(notification.audience).toEqual({ groups: [{ roles: ['coordinator'], unitIds: ['hd-dg-1'] }], userIds: [], excludeUserIds: [leader.id] });
    expect(notification.unitId).toBe('hd-dg-1');
  });

  it('tells the current unit’s coordinators and the assignee about an annotation that keeps the case where it is', () => {
    const story = atTown();
    story.then({ type: 'AnnotationRequested', data: { summary: '请批示' } }, townCoordinator);
    const { event, state } = story.then({ type: 'CaseAnnotated', data: { instruction: '同意，抓紧办理', assignToUnitId: null, fromUnitId: 'hd-dg' } }, leader);
    const notification = notificationFor(event, state, org)!;
    expect(notification.text).toBe('领导已批示案件 MY-2026-000001「停车位纠纷」：同意，抓紧办理');
    expect(notification.audience).toEqual({ groups: [{ roles: ['coordinator'], unitIds: ['hd-dg'] }], userIds: [townColleague], excludeUserIds: [leader.id] });
  });

  it('asks the filing unit’s clerks and coordinators to call the filer back when a case is resolved elsewhere', () => {
    const story = atTown();
    const { event, state } = story.then({ type: 'CaseResolved', data: { outcome: 'mediated', summary: '双方达成调解协议' } }, townCoordinator);
    const notification = notificationFor(event, state, org)!;
    expect(notification.text).toBe('案件 MY-2026-000001「停车位纠纷」已办结（调解成功），请及时回访当事人');
    expect(notification.audience).toEqual({
      groups: [{ roles: ['clerk', 'coordinator'], unitIds: ['hd-dg-1'] }],
      userIds: [],
      excludeUserIds: [townCoordinator.id],
    });
    expect(notification.unitId).toBe('hd-dg');
  });

  it('warns the unit’s coordinators and the assignee before a clock runs out, with the deadline in Beijing time', () => {
    const story = atTown();
    const { event, state } = story.then(
      { type: 'SlaWarningRaised', data: { clock: 'resolve', dueAt: '2026-03-16T01:00:00Z', startedAtRevision: 2 } },
      SYSTEM,
    );
    const notification = notificationFor(event, state, org)!;
    expect(notification.text).toBe('案件 MY-2026-000001「停车位纠纷」办理时限即将到期（2026-03-16 09:00），请抓紧办理');
    expect(notification.audience).toEqual({ groups: [{ roles: ['coordinator'], unitIds: ['hd-dg'] }], userIds: [townColleague], excludeUserIds: [] });
  });

  it('shows the deadline in the configured time zone', () => {
    const { event, state } = atTown().then({ type: 'SlaWarningRaised', data: { clock: 'accept', dueAt: '2026-03-16T01:00:00Z', startedAtRevision: 1 } }, SYSTEM);
    expect(notificationFor(event, state, org, { timeZone: 'UTC' })!.text).toContain('受理时限即将到期（2026-03-16 01:00）');
  });

  it('reports a breach to the leaders of the unit above as well', () => {
    const { event, state } = atTown().then({ type: 'SlaBreached', data: { clock: 'resolve', dueAt: '2026-03-16T09:00:00+08:00', startedAtRevision: 2 } }, SYSTEM);
    const notification = notificationFor(event, state, org)!;
    expect(notification.text).toBe('案件 MY-2026-000001「停车位纠纷」办理已超时（时限 2026-03-16 09:00），请督促办理');
    expect(notification.audience).toEqual({
      groups: [
        { roles: ['coordinator'], unitIds: ['hd-dg'] },
        { roles: ['leader'], unitIds: ['hd'] },
      ],
      userIds: [townColleague],
      excludeUserIds: [],
    });
  });

  it('reports a breach at the city to the city’s own leaders', () => {
    const story = new CaseStory();
    story.then(filed('sf'), { id: '00000000-0000-4000-8000-0000000000ff', role: 'coordinator', unitId: 'sf' });
    const { event, state } = story.then({ type: 'SlaBreached', data: { clock: 'accept', dueAt: '2026-03-03T09:00:00+08:00', startedAtRevision: 0 } }, SYSTEM);
    expect(notificationFor(event, state, org)!.audience.groups).toEqual([
      { roles: ['coordinator'], unitIds: ['sf'] },
      { roles: ['leader'], unitIds: ['sf'] },
    ]);
  });

  it('sends annotate-clock alerts to the leaders who may annotate and to the coordinators who asked', () => {
    const story = atTown();
    story.then({ type: 'AnnotationRequested', data: { summary: '请批示' } }, townCoordinator);
    const { event, state } = story.then({ type: 'SlaWarningRaised', data: { clock: 'annotate', dueAt: '2026-03-09T09:00:00+08:00', startedAtRevision: 4 } }, SYSTEM);
    const notification = notificationFor(event, state, org)!;
    expect(notification.text).toContain('批示时限即将到期');
    expect(notification.audience.groups).toEqual([
      { roles: ['leader'], unitIds: ['hd-dg', 'hd', 'sf'] },
      { roles: ['coordinator'], unitIds: ['hd-dg'] },
    ]);
  });

  it('sends callback-clock alerts to the unit’s coordinators and to the filing unit’s staff', () => {
    const story = atTown();
    story.then({ type: 'CaseResolved', data: { outcome: 'resolved', summary: '已解决' } }, townCoordinator);
    const { event, state } = story.then({ type: 'SlaBreached', data: { clock: 'callback', dueAt: '2026-03-05T09:00:00+08:00', startedAtRevision: 4 } }, SYSTEM);
    const notification = notificationFor(event, state, org)!;
    expect(notification.text).toContain('回访已超时');
    expect(notification.audience.groups).toEqual([
      { roles: ['coordinator'], unitIds: ['hd-dg'] },
      { roles: ['clerk', 'coordinator'], unitIds: ['hd-dg-1'] },
      { roles: ['leader'], unitIds: ['hd'] },
    ]);
  });

  it('never tells people about their own action', () => {
    const story = atTown();
    story.then({ type: 'AnnotationRequested', data: { summary: '请批示' } }, townCoordinator);
    const assignee: Actor = { id: townColleague, role: 'leader', unitId: 'hd-dg' };
    const { event, state } = story.then({ type: 'CaseAnnotated', data: { instruction: '同意', assignToUnitId: null, fromUnitId: 'hd-dg' } }, assignee);
    const { audience } = notificationFor(event, state, org)!;
    expect(audience.userIds).toEqual([]);
    expect(audience.excludeUserIds).toEqual([townColleague]);
  });

  it('notifies for exactly the listed event types', () => {
    expect(NOTIFYING_EVENT_TYPES).toEqual([
      'CaseFiled',
      'CaseTransferred',
      'CaseEscalated',
      'AnnotationRequested',
      'CaseAnnotated',
      'CaseResolved',
      'SlaWarningRaised',
      'SlaBreached',
    ]);
    const story = new CaseStory();
    story.then(filed('hd-dg-1'), clerk);
    const accepted = story.then({ type: 'CaseAccepted', data: { note: null } }, communityCoordinator);
    const noted = story.then({ type: 'NoteAdded', data: { noteType: 'visit', text: '上门走访' } }, communityCoordinator);
    const assigned = story.then({ type: 'CaseAssigned', data: { assigneeId: communityCoordinator.id, assigneeUnitId: 'hd-dg-1' } }, communityCoordinator);
    for (const { event, state } of [accepted, noted, assigned]) expect(notificationFor(event, state, org)).toBeNull();
  });

  it('keeps quoted text to one short line', () => {
    const title = `楼道堆物${'长'.repeat(100)}\n第二行`;
    const { event, state } = new CaseStory().then(filed('hd-dg-1', title), clerk);
    const { text } = notificationFor(event, state, org)!;
    expect(text).not.toContain('\n');
    expect(text).toMatch(/^案件 MY-2026-000001「楼道堆物长+…」已在东关社区登记，请及时受理$/);
    expect([...text.match(/「(.*)」/)![1]!].length).toBe(60);
  });

  it('names a unit the org tree no longer knows by its id', () => {
    const story = new CaseStory();
    story.then(filed('hd-dg-1'), clerk);
    const { event, state } = story.then({ type: 'CaseEscalated', data: { fromUnitId: 'hd-dg-1', toUnitId: 'old-unit', reason: '原辖区' } }, communityCoordinator);
    expect(notificationFor(event, state, org)!.text).toBe('案件 MY-2026-000001「停车位纠纷」已由东关社区上报至old-unit，请及时受理');
  });

  it('carries its text in Chinese and in English for every event type it tells of, `text` being the Chinese', () => {
    const alert = { clock: 'resolve', dueAt: '2026-03-16T09:00:00+08:00', startedAtRevision: 2 } as const;
    const story = atTown();
    const told: Notification[] = [];
    const tell = (step: ReturnType<CaseStory['then']>) => told.push(notificationFor(step.event, step.state, org)!);
    tell(new CaseStory().then(filed('hd-dg-1'), clerk));
    const transferred = new CaseStory();
    transferred.then(filed('hd-dg'), townCoordinator);
    tell(transferred.then({ type: 'CaseTransferred', data: { fromUnitId: 'hd-dg', toUnitId: 'hd-ll', reason: '属柳林镇辖区' } }, townCoordinator));
    const escalated = new CaseStory();
    escalated.then(filed('hd-dg-1'), clerk);
    tell(escalated.then({ type: 'CaseEscalated', data: { fromUnitId: 'hd-dg-1', toUnitId: 'hd-dg', reason: '社区无法调解' } }, communityCoordinator));
    tell(story.then({ type: 'AnnotationRequested', data: { summary: '涉及多部门' } }, townCoordinator));
    tell(story.then({ type: 'CaseAnnotated', data: { instruction: '抓紧办理', assignToUnitId: 'hd-dg-1', fromUnitId: 'hd-dg' } }, leader));
    tell(story.then({ type: 'SlaWarningRaised', data: alert }, SYSTEM));
    tell(story.then({ type: 'SlaBreached', data: alert }, SYSTEM));
    tell(story.then({ type: 'CaseResolved', data: { outcome: 'mediated', summary: '双方达成协议' } }, townCoordinator));

    expect(told.map((notification) => notification.type).sort()).toEqual([...NOTIFYING_EVENT_TYPES].sort());
    for (const notification of told) {
      expect(Object.keys(notification.texts).sort()).toEqual([...LANGUAGES].sort());
      expect(notification.text).toBe(notification.texts['zh-CN']);
      expect(notification.texts.en).toContain('MY-2026-000001');
      expect(notification.texts.en).not.toMatch(/undefined|null|\[object/);
    }
    const english = Object.fromEntries(told.map((notification) => [notification.type, notification.texts.en]));
    expect(english.CaseEscalated).toBe('Case MY-2026-000001 "停车位纠纷" was escalated from 东关社区 to 东关街道; please accept it');
    expect(english.CaseAnnotated).toBe('A leader annotated case MY-2026-000001 "停车位纠纷": 抓紧办理; handed to 东关社区 under supervision');
    expect(english.CaseResolved).toBe('Case MY-2026-000001 "停车位纠纷" was resolved (mediated); please call the filer back');
    expect(english.SlaBreached).toBe('The resolve deadline of case MY-2026-000001 "停车位纠纷" was missed (due 2026-03-16 09:00); please see that it is dealt with');
  });

  it('lets a notification queued with Chinese only stand for every language', () => {
    const { event, state } = new CaseStory().then(filed('hd-dg-1'), clerk);
    const { texts: _texts, ...chineseOnly } = notificationFor(event, state, org)!;
    expect(textsOf(chineseOnly as Notification)).toEqual({ 'zh-CN': chineseOnly.text, en: chineseOnly.text });
  });
});
