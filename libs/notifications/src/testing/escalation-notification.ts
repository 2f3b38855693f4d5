import type { Notification } from '../notification.js';
import type { Recipient } from '../recipients.js';

/** A notification as the reactor makes it for an escalation to hd-dg, and the one coordinator it reaches. */
export const ESCALATION_NOTIFICATION: Notification = {
  deliveryId: '0195a1b2-0000-7000-8000-000000000e01',
  type: 'CaseEscalated',
  caseId: '0195a1b2-0000-7000-8000-0000000000c1',
  caseNumber: 'MY-2026-000001',
  unitId: 'hd-dg',
  audience: { groups: [{ roles: ['coordinator'], unitIds: ['hd-dg'] }], userIds: [], excludeUserIds: [] },
  text: '案件 MY-2026-000001「停车位纠纷」已由东关社区上报至东关街道，请及时受理',
  texts: {
    'zh-CN': '案件 MY-2026-000001「停车位纠纷」已由东关社区上报至东关街道，请及时受理',
    en: 'Case MY-2026-000001 "停车位纠纷" was escalated from 东关社区 to 东关街道; please accept it',
  },
  event: { type: 'CaseEscalated', revision: 1, position: 42, at: '2026-03-02T09:01:00+08:00' },
};

export const ESCALATION_RECIPIENT: Recipient = { userId: '00000000-0000-4000-8000-0000000000c2', username: 'hd-dg.coordinator', displayName: '东关街道联络员' };
