import type { Actor, Role, UserActor } from '../actor.js';
import { DEMO_ORG_UNITS } from '../demo-org-units.js';
import { OrgTree } from '../org-tree.js';
import type { CaseEvent, CaseEventDataMap, CaseEventMeta, CaseEventWithMeta } from '../case/events.js';
import { fold } from '../case/evolve.js';
import type { CaseStatus, ExistingCase } from '../case/state.js';
import { caseClocks, type Clock } from '../sla/clocks.js';
import { DEFAULT_SLA_POLICY } from '../sla/policy.js';

export const org = new OrgTree(DEMO_ORG_UNITS);

export const AT = '2026-03-02T09:00:00+08:00';
export const CASE_ID = '0195a1b2-0000-7000-8000-000000000001';
export const OTHER_CASE_ID = '0195a1b2-0000-7000-8000-000000000002';

export function user(userId: string, roles: Role | readonly Role[], unitId: string): UserActor {
  return { userId, roles: typeof roles === 'string' ? [roles] : roles, unitId };
}

/** The demo accounts of API.md. */
export const actors = {
  admin: user('admin', 'admin', 'sf'),
  auditor: user('auditor', 'auditor', 'sf'),
  cityLeader: user('city.leader', 'leader', 'sf'),
  cityCoordinator: user('city.coordinator', 'coordinator', 'sf'),
  hdLeader: user('hd.leader', 'leader', 'hd'),
  hdCoordinator: user('hd.coordinator', 'coordinator', 'hd'),
  hdDgLeader: user('hd-dg.leader', 'leader', 'hd-dg'),
  hdDgCoordinator: user('hd-dg.coordinator', 'coordinator', 'hd-dg'),
  hdDg1Clerk: user('hd-dg-1.clerk', 'clerk', 'hd-dg-1'),
  hdDg1Coordinator: user('hd-dg-1.coordinator', 'coordinator', 'hd-dg-1'),
  hxXh1Clerk: user('hx-xh-1.clerk', 'clerk', 'hx-xh-1'),
  hxXh1Coordinator: user('hx-xh-1.coordinator', 'coordinator', 'hx-xh-1'),
} as const;

/** The command fields every command carries, for the case under test unless told otherwise. */
export function by(actor: Actor, caseId = CASE_ID): { caseId: string; actor: Actor; at: string } {
  return { caseId, actor, at: AT };
}

export function caseFiled(
  unitId = 'hd-dg',
  overrides: Partial<CaseEventDataMap['CaseFiled']> = {},
): Extract<CaseEvent, { type: 'CaseFiled' }> {
  return {
    type: 'CaseFiled',
    data: {
      caseId: CASE_ID,
      number: 'MY-2026-000001',
      kind: 'dispute',
      title: '楼上漏水纠纷',
      description: '住户反映楼上装修导致漏水，双方协商未果。',
      channel: 'walk_in',
      unitId,
      urgency: 'normal',
      filer: { name: '张三', phone: '13800000000', anonymous: false },
      parties: [
        { name: '张三', role: '楼下住户' },
        { name: '李四', role: '楼上住户' },
      ],
      visitReason: null,
      occurredAt: null,
      location: null,
      ...overrides,
    },
  };
}

/** Events that bring a case filed at `unitId` into `status`, staying at that unit. */
export function historyFor(status: CaseStatus, unitId = 'hd-dg'): CaseEvent[] {
  const filed = caseFiled(unitId);
  const accepted: CaseEvent = { type: 'CaseAccepted', data: { note: null } };
  const resolved: CaseEvent = { type: 'CaseResolved', data: { outcome: 'mediated', summary: '双方达成调解协议' } };
  switch (status) {
    case 'filed':
      return [filed];
    case 'in_coordination':
      return [filed, accepted];
    case 'awaiting_annotation':
      return [filed, accepted, { type: 'AnnotationRequested', data: { summary: '请领导批示' } }];
    case 'resolved':
      return [filed, accepted, resolved];
    case 'closed':
      return [filed, accepted, resolved, { type: 'CaseClosed', data: { summary: '已回访，结案' } }];
    case 'rejected':
      return [filed, { type: 'CaseRejected', data: { reason: '不属于受理范围' } }];
    case 'withdrawn':
      return [filed, { type: 'CaseWithdrawn', data: { reason: '当事人撤回' } }];
    case 'merged':
      return [filed, { type: 'CaseMerged', data: { intoCaseId: OTHER_CASE_ID } }];
  }
}

export const testMeta: CaseEventMeta = { at: AT, actorId: 'hd-dg.coordinator', actorRole: 'coordinator', unitId: 'hd-dg' };

export function withMeta(events: readonly CaseEvent[], meta: CaseEventMeta = testMeta): CaseEventWithMeta[] {
  return events.map((event) => ({ event, meta }));
}

export function caseIn(status: CaseStatus, unitId = 'hd-dg'): ExistingCase {
  return fold(withMeta(historyFor(status, unitId))) as ExistingCase;
}

/** The SLA clock runs of `caseIn(status, unitId)`, under the default policy. */
export function clocksIn(status: CaseStatus, unitId = 'hd-dg'): Clock[] {
  return caseClocks(withMeta(historyFor(status, unitId)), DEFAULT_SLA_POLICY);
}
