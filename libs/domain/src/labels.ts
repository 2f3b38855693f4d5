import type { ActorRole } from './actor.js';
import type { BulletinStatus } from './bulletin/bulletin.js';
import type { CaseEventDataMap, CaseEventType } from './case/events.js';
import type { CaseStatus } from './case/state.js';
import type { AdoptionKind, AdoptionLevel, AttachmentKind, CaseKind, Channel, NoteType, ResolutionOutcome, Satisfaction, SlaClock, Urgency, VisitReason } from './case/vocabulary.js';
import type { ClockState } from './sla/clocks.js';

/**
 * The label catalogue: what every value a case takes, and every event of its history, is called
 * in Chinese and in English. The audit narrative and dossier, the notifications and the console
 * all read their labels here, so each thing has one name. Pure data and small functions: the
 * console's browser build imports it too.
 *
 * English labels are written as they read inside a sentence (lower case); where one stands alone
 * (a badge, a heading) the reader capitalises it with `standalone`.
 */

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/** How an event description names what it refers to; the caller knows the org tree and the users. */
export interface Naming {
  /** A unit's name (its id when unknown). */
  unit(unitId: string): string;
  /** A person's name (their id when unknown). */
  person(userId: string): string;
  /** A time, in the reader's time zone. */
  time(iso: string): string;
  /** Free text a person wrote, on one line. */
  text(value: string): string;
}

type EventDescriptions = { readonly [T in CaseEventType]: (data: CaseEventDataMap[T], name: Naming) => string };

/** One language's labels. The types make each table complete: a new value does not compile until both languages name it. */
export interface Labels {
  readonly status: Readonly<Record<CaseStatus, string>>;
  readonly kind: Readonly<Record<CaseKind, string>>;
  readonly channel: Readonly<Record<Channel, string>>;
  readonly urgency: Readonly<Record<Urgency, string>>;
  readonly visitReason: Readonly<Record<VisitReason, string>>;
  readonly noteType: Readonly<Record<NoteType, string>>;
  readonly outcome: Readonly<Record<ResolutionOutcome, string>>;
  readonly satisfaction: Readonly<Record<Satisfaction, string>>;
  readonly attachmentKind: Readonly<Record<AttachmentKind, string>>;
  /** The level an opinion was adopted at (区级采用). */
  readonly adoptionLevel: Readonly<Record<AdoptionLevel, string>>;
  readonly adoptionKind: Readonly<Record<AdoptionKind, string>>;
  readonly bulletinStatus: Readonly<Record<BulletinStatus, string>>;
  readonly role: Readonly<Record<ActorRole, string>>;
  /** The step an SLA clock times, as a sentence names it (办理已超时). */
  readonly clock: Readonly<Record<SlaClock, string>>;
  /** A clock's deadline standing on its own, as a list of deadlines heads it (办理时限). */
  readonly deadline: Readonly<Record<SlaClock, string>>;
  readonly clockState: Readonly<Record<ClockState, string>>;
  /** What a timeline entry of each event type is called. */
  readonly eventTitle: Readonly<Record<CaseEventType, string>>;
  /** Each event in a sentence, with its important fields. */
  readonly events: EventDescriptions;
  /** Who an anonymous filer is shown as (API.md, "Anonymous filers"). */
  readonly anonymous: string;
  /** An annotation that hands the case to a unit, under supervision (督办). */
  readonly handedTo: (unit: string) => string;
  readonly unknownEvent: (type: string) => string;
}

const ZH_CN: Labels = {
  status: {
    filed: '已登记',
    in_coordination: '协调办理中',
    awaiting_annotation: '待领导批示',
    resolved: '已办结待回访',
    closed: '已结案',
    rejected: '不予受理',
    withdrawn: '已撤回',
    merged: '已合并',
  },
  kind: { suggestion: '建言献策', grievance: '利益诉求', dispute: '矛盾纠纷', risk: '问题隐患', hardship: '困难帮扶', visit: '走访' },
  channel: { hotline: '热线电话', walk_in: '来访', mailbox: '意见信箱', visit: '上门走访', web: '网上反映', other: '其他' },
  urgency: { normal: '一般', urgent: '紧急' },
  visitReason: {
    family_conflict: '家庭矛盾',
    hospital: '生病住院',
    bereavement: '亲人离世',
    hardship: '生活困难',
    festival: '重大节日',
    important_event: '重要事件',
  },
  noteType: { contact: '联系记录', visit: '走访记录', mediation: '调解记录', note: '备注' },
  outcome: {
    resolved: '已解决',
    mediated: '调解成功',
    adopted: '已采纳',
    partially_adopted: '部分采纳',
    not_adopted: '未采纳',
    unresolvable: '无法解决',
  },
  satisfaction: { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意' },
  attachmentKind: { photo: '照片', document: '文件', audio: '录音', agreement: '协议书' },
  adoptionLevel: { community: '社区（村）级', town: '镇街级', county: '县区级', city: '市级', province: '省级', national: '国家级' },
  adoptionKind: { adopted: '采用', annotated: '批示' },
  bulletinStatus: { draft: '草稿', published: '已发布' },
  role: { clerk: '信息员', coordinator: '协调员', leader: '领导', auditor: '审计员', admin: '管理员', system: '系统', public: '群众' },
  clock: { accept: '受理', resolve: '办理', annotate: '批示', callback: '回访' },
  deadline: { accept: '受理时限', resolve: '办理时限', annotate: '批示时限', callback: '回访时限' },
  clockState: { running: '计时中', warned: '即将到期', breached: '已超时', met: '按时完成', stopped: '已停止' },
  eventTitle: {
    CaseFiled: '登记',
    CaseAccepted: '受理',
    CaseRejected: '不予受理',
    CaseAssigned: '指派',
    NoteAdded: '添加记录',
    CaseTransferred: '转办',
    CaseEscalated: '上报',
    AnnotationRequested: '提请批示',
    CaseAnnotated: '领导批示',
    CaseResolved: '办结',
    FeedbackRecorded: '回访',
    CaseReopened: '重新办理',
    CaseClosed: '结案',
    CaseWithdrawn: '撤回',
    CaseMerged: '合并',
    DeadlineExtended: '延长时限',
    SlaWarningRaised: '时限预警',
    SlaBreached: '超时',
    AttachmentAdded: '添加附件',
    SuggestionAdopted: '采用批示',
  },
  events: {
    CaseFiled: (d, n) =>
      `登记${ZH_CN.kind[d.kind]}案件「${n.text(d.title)}」，来源：${ZH_CN.channel[d.channel]}，${ZH_CN.urgency[d.urgency]}，` +
      `登记单位：${n.unit(d.unitId)}，反映人：${d.filer.anonymous ? ZH_CN.anonymous : n.text(d.filer.name)}` +
      (d.visitReason ? `，走访事由：${ZH_CN.visitReason[d.visitReason]}` : ''),
    CaseAccepted: (d, n) => `受理案件${d.note ? `：${n.text(d.note)}` : ''}`,
    CaseRejected: (d, n) => `不予受理，理由：${n.text(d.reason)}`,
    CaseAssigned: (d, n) => `指派${n.unit(d.assigneeUnitId)}的${n.person(d.assigneeId)}承办`,
    NoteAdded: (d, n) => `添加${ZH_CN.noteType[d.noteType]}：${n.text(d.text)}`,
    CaseTransferred: (d, n) => `由${n.unit(d.fromUnitId)}转交${n.unit(d.toUnitId)}，理由：${n.text(d.reason)}`,
    CaseEscalated: (d, n) => `由${n.unit(d.fromUnitId)}上报${n.unit(d.toUnitId)}，理由：${n.text(d.reason)}`,
    AnnotationRequested: (d, n) => `提请领导批示：${n.text(d.summary)}`,
    CaseAnnotated: (d, n) => `领导批示：${n.text(d.instruction)}${d.assignToUnitId ? `；${ZH_CN.handedTo(n.unit(d.assignToUnitId))}` : ''}`,
    CaseResolved: (d, n) => `办结（${ZH_CN.outcome[d.outcome]}）：${n.text(d.summary)}`,
    FeedbackRecorded: (d, n) =>
      `回访评价：${ZH_CN.satisfaction[d.satisfaction]}${d.comment ? `，${n.text(d.comment)}` : ''}` +
      (d.satisfaction === 'unsatisfied' ? '；退回重新办理' : '；案件结案'),
    CaseReopened: (d, n) => `重新办理，理由：${n.text(d.reason)}`,
    CaseClosed: (d, n) => `结案：${n.text(d.summary)}`,
    CaseWithdrawn: (d, n) => `撤回案件，理由：${n.text(d.reason)}`,
    CaseMerged: (d) => `并入案件 ${d.intoCaseId}`,
    DeadlineExtended: (d, n) => `${ZH_CN.deadline[d.clock]}延长 ${d.workingDays} 个工作日，理由：${n.text(d.reason)}`,
    SlaWarningRaised: (d, n) => `${ZH_CN.deadline[d.clock]}即将到期（截止 ${n.time(d.dueAt)}）`,
    SlaBreached: (d, n) => `${ZH_CN.clock[d.clock]}已超时（时限 ${n.time(d.dueAt)}）`,
    AttachmentAdded: (d, n) => `添加${label(ZH_CN.attachmentKind, d.kind)}「${n.text(d.name)}」（SHA-256 ${d.sha256.slice(0, 12)}…）${d.description ? `：${n.text(d.description)}` : ''}`,
    SuggestionAdopted: (d, n) =>
      `获${label(ZH_CN.adoptionLevel, d.level)}${label(ZH_CN.adoptionKind, d.kind)}：${n.text(d.body)}${d.note ? `（${n.text(d.note)}）` : ''}`,
  },
  anonymous: '匿名',
  handedTo: (unit) => `交${unit}办理（督办）`,
  unknownEvent: (type) => `未知记录类型 ${type}`,
};

const EN: Labels = {
  status: {
    filed: 'filed',
    in_coordination: 'in coordination',
    awaiting_annotation: 'awaiting annotation',
    resolved: 'resolved, awaiting callback',
    closed: 'closed',
    rejected: 'rejected',
    withdrawn: 'withdrawn',
    merged: 'merged',
  },
  kind: { suggestion: 'suggestion', grievance: 'grievance', dispute: 'dispute', risk: 'risk', hardship: 'hardship', visit: 'visit' },
  channel: { hotline: 'hotline', walk_in: 'walk-in', mailbox: 'opinion mailbox', visit: 'home visit', web: 'web', other: 'other' },
  urgency: { normal: 'normal', urgent: 'urgent' },
  visitReason: {
    family_conflict: 'family conflict',
    hospital: 'hospital stay',
    bereavement: 'bereavement',
    hardship: 'hardship',
    festival: 'major festival',
    important_event: 'important event',
  },
  noteType: { contact: 'contact', visit: 'visit', mediation: 'mediation', note: 'note' },
  outcome: {
    resolved: 'resolved',
    mediated: 'mediated',
    adopted: 'adopted',
    partially_adopted: 'partially adopted',
    not_adopted: 'not adopted',
    unresolvable: 'unresolvable',
  },
  satisfaction: { satisfied: 'satisfied', basically_satisfied: 'basically satisfied', unsatisfied: 'unsatisfied' },
  attachmentKind: { photo: 'photo', document: 'document', audio: 'recording', agreement: 'agreement' },
  adoptionLevel: { community: 'community', town: 'town', county: 'county', city: 'city', province: 'province', national: 'national' },
  adoptionKind: { adopted: 'adopted', annotated: 'annotated' },
  bulletinStatus: { draft: 'draft', published: 'published' },
  role: { clerk: 'intake clerk', coordinator: 'coordinator', leader: 'leader', auditor: 'auditor', admin: 'administrator', system: 'system', public: 'resident' },
  clock: { accept: 'accept', resolve: 'resolve', annotate: 'annotate', callback: 'callback' },
  deadline: { accept: 'accept', resolve: 'resolve', annotate: 'annotate', callback: 'call back' },
  clockState: { running: 'running', warned: 'due soon', breached: 'overdue', met: 'met', stopped: 'stopped' },
  eventTitle: {
    CaseFiled: 'filed',
    CaseAccepted: 'accepted',
    CaseRejected: 'rejected',
    CaseAssigned: 'assigned',
    NoteAdded: 'note added',
    CaseTransferred: 'transferred',
    CaseEscalated: 'escalated',
    AnnotationRequested: 'annotation requested',
    CaseAnnotated: 'annotated',
    CaseResolved: 'resolved',
    FeedbackRecorded: 'feedback recorded',
    CaseReopened: 'reopened',
    CaseClosed: 'closed',
    CaseWithdrawn: 'withdrawn',
    CaseMerged: 'merged',
    DeadlineExtended: 'deadline extended',
    SlaWarningRaised: 'deadline warning',
    SlaBreached: 'deadline breached',
    AttachmentAdded: 'attachment added',
    SuggestionAdopted: 'adopted',
  },
  events: {
    CaseFiled: (d, n) =>
      `filed a ${EN.kind[d.kind]} case "${n.text(d.title)}" via ${EN.channel[d.channel]}, urgency ${EN.urgency[d.urgency]}, ` +
      `at ${n.unit(d.unitId)}, filer ${d.filer.anonymous ? EN.anonymous : n.text(d.filer.name)}` +
      (d.visitReason ? `, visit reason: ${EN.visitReason[d.visitReason]}` : ''),
    CaseAccepted: (d, n) => `accepted the case${d.note ? `: ${n.text(d.note)}` : ''}`,
    CaseRejected: (d, n) => `rejected the case: ${n.text(d.reason)}`,
    CaseAssigned: (d, n) => `assigned the case to ${n.person(d.assigneeId)} of ${n.unit(d.assigneeUnitId)}`,
    NoteAdded: (d, n) => `added a ${EN.noteType[d.noteType]} note: ${n.text(d.text)}`,
    CaseTransferred: (d, n) => `transferred from ${n.unit(d.fromUnitId)} to ${n.unit(d.toUnitId)}: ${n.text(d.reason)}`,
    CaseEscalated: (d, n) => `escalated from ${n.unit(d.fromUnitId)} to ${n.unit(d.toUnitId)}: ${n.text(d.reason)}`,
    AnnotationRequested: (d, n) => `asked for a leader's annotation: ${n.text(d.summary)}`,
    CaseAnnotated: (d, n) => `annotated: ${n.text(d.instruction)}${d.assignToUnitId ? `; ${EN.handedTo(n.unit(d.assignToUnitId))}` : ''}`,
    CaseResolved: (d, n) => `resolved (${EN.outcome[d.outcome]}): ${n.text(d.summary)}`,
    FeedbackRecorded: (d, n) =>
      `recorded the filer's feedback: ${EN.satisfaction[d.satisfaction]}${d.comment ? `, ${n.text(d.comment)}` : ''}` +
      (d.satisfaction === 'unsatisfied' ? '; back to coordination' : '; the case is closed'),
    CaseReopened: (d, n) => `reopened the case: ${n.text(d.reason)}`,
    CaseClosed: (d, n) => `closed the case: ${n.text(d.summary)}`,
    CaseWithdrawn: (d, n) => `withdrew the case: ${n.text(d.reason)}`,
    CaseMerged: (d) => `merged the case into case ${d.intoCaseId}`,
    DeadlineExtended: (d, n) => `extended the ${EN.clock[d.clock]} deadline by ${d.workingDays} working days: ${n.text(d.reason)}`,
    SlaWarningRaised: (d, n) => `the ${EN.clock[d.clock]} deadline is near (due ${n.time(d.dueAt)})`,
    SlaBreached: (d, n) => `the ${EN.clock[d.clock]} deadline was missed (due ${n.time(d.dueAt)})`,
    AttachmentAdded: (d, n) => `attached a ${label(EN.attachmentKind, d.kind)} "${n.text(d.name)}" (SHA-256 ${d.sha256.slice(0, 12)}…)${d.description ? `: ${n.text(d.description)}` : ''}`,
    SuggestionAdopted: (d, n) =>
      `${label(EN.adoptionKind, d.kind)} at ${label(EN.adoptionLevel, d.level)} level: ${n.text(d.body)}${d.note ? ` (${n.text(d.note)})` : ''}`,
  },
  anonymous: 'anonymous',
  handedTo: (unit) => `handed to ${unit} under supervision`,
  unknownEvent: (type) => `unknown event type ${type}`,
};

const CATALOGUE: Readonly<Record<Language, Labels>> = { 'zh-CN': ZH_CN, en: EN };

export function labelsFor(language: Language): Labels {
  return CATALOGUE[language];
}

/** A label from one of the tables, or the raw value when the table lacks it (data written by a newer version). */
export function label<T extends string>(table: Readonly<Record<T, string>>, value: T | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return (table as Record<string, string>)[value] ?? value;
}

/** An event in words; an event type this version does not know is named, not guessed at. */
export function describeEvent(language: Language, type: string, data: Record<string, unknown>, naming: Naming): string {
  const labels = CATALOGUE[language];
  const describe = (labels.events as Record<string, ((data: unknown, naming: Naming) => string) | undefined>)[type];
  return describe ? describe(data, naming) : labels.unknownEvent(type);
}

/** A label as it stands on its own, in a badge or a heading: English starts with a capital. */
export function standalone(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
