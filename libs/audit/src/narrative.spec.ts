import { describe, expect, it } from '@jest/globals';
import { CASE_EVENT_TYPES, DEMO_ORG_UNITS, describeEvent, LANGUAGES, OrgTree, type CaseEventDataMap, type CaseEventType } from '#domain';
import { namingFor } from './report-context.js';

const alert = { clock: 'resolve', dueAt: '2026-11-16T09:00:00+08:00', startedAtRevision: 1 } as const;

/** One sample of every event type's data (the type makes it complete). */
const SAMPLES: { readonly [T in CaseEventType]: CaseEventDataMap[T] } = {
  CaseFiled: {
    caseId: 'c',
    number: 'MY-2026-000001',
    kind: 'visit',
    title: '春节\n走访',
    description: '走访困难老人',
    channel: 'visit',
    unitId: 'hd-dg-1',
    urgency: 'urgent',
    filer: { name: '张三', phone: '13812345678', anonymous: false },
    parties: [],
    visitReason: 'festival',
    occurredAt: null,
    location: null,
  },
  CaseAccepted: { note: null },
  CaseRejected: { reason: '不属于受理范围' },
  CaseAssigned: { assigneeId: 'u-1', assigneeUnitId: 'hd-dg-1' },
  NoteAdded: { noteType: 'mediation', text: '组织调解' },
  CaseTransferred: { fromUnitId: 'hd-dg-1', toUnitId: 'hd-ll-1', reason: '属地管理' },
  CaseEscalated: { fromUnitId: 'hd-dg-1', toUnitId: 'hd-dg', reason: '需上级协调' },
  AnnotationRequested: { summary: '请领导批示' },
  CaseAnnotated: { instruction: '抓紧办理', assignToUnitId: 'hd-dg-1', fromUnitId: 'hd-dg' },
  CaseResolved: { outcome: 'partially_adopted', summary: '部分采纳' },
  FeedbackRecorded: { satisfaction: 'unsatisfied', comment: '问题未解决' },
  CaseReopened: { reason: '当事人反映问题未解决' },
  CaseClosed: { summary: '已办结' },
  CaseWithdrawn: { reason: '当事人申请撤回' },
  CaseMerged: { intoCaseId: '0195a1b2-0000-7000-8000-000000000002' },
  DeadlineExtended: { clock: 'resolve', workingDays: 5, reason: '案情复杂' },
  SlaWarningRaised: alert,
  SlaBreached: alert,
  AttachmentAdded: {
    attachmentId: '0195a1b2-0000-7000-8000-000000000003',
    sha256: 'a'.repeat(64),
    size: 1024,
    mediaType: 'image/jpeg',
    name: '现场照片.jpg',
    kind: 'photo',
    description: '楼道堆放杂物',
  },
  SuggestionAdopted: { level: 'county', kind: 'annotated', body: '请区城管局牵头研究', note: null, bulletinId: null },
};

describe('event descriptions', () => {
  const org = new OrgTree(DEMO_ORG_UNITS);

  it.each(LANGUAGES)('say every event type in %s, with its important fields', (language) => {
    const naming = namingFor({ language, org, people: new Map([['u-1', { id: 'u-1', username: 'hd-dg-1.coordinator', displayName: '王联络', unitId: 'hd-dg-1' }]]), timeZone: 'Asia/Shanghai' });
    const described = Object.fromEntries(CASE_EVENT_TYPES.map((type) => [type, describeEvent(language, type, SAMPLES[type] as unknown as Record<string, unknown>, naming)]));
    for (const text of Object.values(described)) expect(text).not.toMatch(/undefined|null|\[object/);
    expect(described.CaseFiled).toContain('春节 走访'); // free text on one line
    expect(described.CaseAssigned).toContain('王联络');
    expect(described.CaseTransferred).toContain('柳林村');
    expect(described.CaseEscalated).toContain('东关街道');
    expect(described.SlaBreached).toContain('2026-11-16 09:00:00');
    expect(described.CaseMerged).toContain('0195a1b2-0000-7000-8000-000000000002');
    if (language === 'zh-CN') {
      expect(described.CaseFiled).toBe('登记走访案件「春节 走访」，来源：上门走访，紧急，登记单位：东关社区，反映人：张三，走访事由：重大节日');
      expect(described.FeedbackRecorded).toBe('回访评价：不满意，问题未解决；退回重新办理');
      expect(described.CaseAnnotated).toBe('领导批示：抓紧办理；交东关社区办理（督办）');
    } else {
      expect(described.CaseFiled).toBe('filed a visit case "春节 走访" via home visit, urgency urgent, at 东关社区, filer 张三, visit reason: major festival');
      expect(described.FeedbackRecorded).toBe("recorded the filer's feedback: unsatisfied, 问题未解决; back to coordination");
      expect(described.CaseResolved).toBe('resolved (partially adopted): 部分采纳');
    }
  });

  it('names an event type it does not know instead of guessing', () => {
    const naming = namingFor({ language: 'zh-CN', org, people: new Map(), timeZone: 'Asia/Shanghai' });
    expect(describeEvent('zh-CN', 'CaseTeleported', {}, naming)).toBe('未知记录类型 CaseTeleported');
    expect(describeEvent('en', 'CaseTeleported', {}, naming)).toBe('unknown event type CaseTeleported');
  });
});
