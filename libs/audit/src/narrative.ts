import type {
  ActorRole,
  CaseEventDataMap,
  CaseEventType,
  CaseKind,
  CaseStatus,
  Channel,
  ClockState,
  NoteType,
  ResolutionOutcome,
  Satisfaction,
  SlaClock,
  Urgency,
  VisitReason,
} from '#domain';

/**
 * A case's history in words, in Chinese and in English: one table per language, each holding the
 * labels of every value a case field takes, the description of every event type, and the words
 * of the reports built from them (the replay command, the dossier). The types make each table
 * complete: a new event type or value does not compile until both languages say it.
 */

export const LANGUAGES = ['zh', 'en'] as const;
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
  /** A time, in the report's time zone. */
  time(iso: string): string;
  /** Free text a person wrote, on one line. */
  text(value: string): string;
}

type EventDescriptions = { readonly [T in CaseEventType]: (data: CaseEventDataMap[T], name: Naming) => string };

export interface Narrative {
  readonly status: Readonly<Record<CaseStatus, string>>;
  readonly kind: Readonly<Record<CaseKind, string>>;
  readonly channel: Readonly<Record<Channel, string>>;
  readonly urgency: Readonly<Record<Urgency, string>>;
  readonly role: Readonly<Record<ActorRole, string>>;
  readonly clock: Readonly<Record<SlaClock, string>>;
  readonly clockState: Readonly<Record<ClockState, string>>;
  readonly outcome: Readonly<Record<ResolutionOutcome, string>>;
  readonly satisfaction: Readonly<Record<Satisfaction, string>>;
  readonly noteType: Readonly<Record<NoteType, string>>;
  readonly visitReason: Readonly<Record<VisitReason, string>>;
  readonly events: EventDescriptions;
  /** The words of the reports. */
  readonly words: {
    /** The heading of a report on one case. */
    readonly caseHeading: (number: string, title: string) => string;
    readonly timeline: string;
    readonly timeZone: (zone: string) => string;
    readonly stateAtRevision: (revision: number, time: string) => string;
    readonly laterEvents: (count: number) => string;
    readonly field: {
      readonly id: string;
      readonly number: string;
      readonly title: string;
      readonly kind: string;
      readonly status: string;
      readonly unit: string;
      readonly filedUnit: string;
      readonly assignee: string;
      readonly urgency: string;
      readonly channel: string;
      readonly filer: string;
      readonly supervised: string;
      readonly deadlines: string;
      readonly notes: string;
      readonly annotations: string;
      readonly pendingAnnotation: string;
      readonly resolution: string;
      readonly feedback: string;
      readonly createdAt: string;
      readonly updatedAt: string;
    };
    readonly none: string;
    readonly yes: string;
    readonly no: string;
    readonly anonymous: string;
    readonly system: string;
    /** A deadline: `due` already formatted. */
    readonly deadline: (clock: string, due: string, state: string) => string;
    /** An item of a list written by someone: `by` and `at` already formatted. */
    readonly byAt: (by: string, at: string) => string;
    /** `main (aside)` with the language's brackets. */
    readonly aside: (main: string, aside: string) => string;
    /** `name: value` with the language's colon. */
    readonly labelled: (name: string, value: string) => string;
    /** A short label set before a text, e.g. a note's type. */
    readonly tag: (label: string) => string;
    /** Items of one field, with the language's separator. */
    readonly list: (items: readonly string[]) => string;
    readonly handedTo: (unit: string) => string;
    readonly unknownEvent: (type: string) => string;
  };
}

const ZH: Narrative = {
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
  channel: { hotline: '热线电话', walk_in: '来访', mailbox: '意见信箱', visit: '走访', web: '网上', other: '其他' },
  urgency: { normal: '一般', urgent: '紧急' },
  role: { clerk: '信息员', coordinator: '联络员', leader: '领导', auditor: '审计员', admin: '管理员', system: '系统' },
  clock: { accept: '受理', resolve: '办理', annotate: '批示', callback: '回访' },
  clockState: { running: '计时中', warned: '即将到期', breached: '已超时', met: '按时完成', stopped: '已停止' },
  outcome: {
    resolved: '已解决',
    mediated: '调解成功',
    adopted: '已采纳',
    partially_adopted: '部分采纳',
    not_adopted: '未采纳',
    unresolvable: '无法解决',
  },
  satisfaction: { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意' },
  noteType: { contact: '联系', visit: '走访', mediation: '调解', note: '备注' },
  visitReason: {
    family_conflict: '家庭矛盾',
    hospital: '生病住院',
    bereavement: '亲人离世',
    hardship: '生活困难',
    festival: '重大节日',
    important_event: '重要事件',
  },
  events: {
    CaseFiled: (d, n) =>
      `登记${ZH.kind[d.kind]}案件「${n.text(d.title)}」，来源：${ZH.channel[d.channel]}，${ZH.urgency[d.urgency]}，` +
      `登记单位：${n.unit(d.unitId)}，反映人：${d.filer.anonymous ? ZH.words.anonymous : n.text(d.filer.name)}` +
      (d.visitReason ? `，走访事由：${ZH.visitReason[d.visitReason]}` : ''),
    CaseAccepted: (d, n) => `受理案件${d.note ? `：${n.text(d.note)}` : ''}`,
    CaseRejected: (d, n) => `不予受理，理由：${n.text(d.reason)}`,
    CaseAssigned: (d, n) => `指派${n.unit(d.assigneeUnitId)}的${n.person(d.assigneeId)}承办`,
    NoteAdded: (d, n) => `添加${ZH.noteType[d.noteType]}记录：${n.text(d.text)}`,
    CaseTransferred: (d, n) => `由${n.unit(d.fromUnitId)}转交${n.unit(d.toUnitId)}，理由：${n.text(d.reason)}`,
    CaseEscalated: (d, n) => `由${n.unit(d.fromUnitId)}上报${n.unit(d.toUnitId)}，理由：${n.text(d.reason)}`,
    AnnotationRequested: (d, n) => `提请领导批示：${n.text(d.summary)}`,
    CaseAnnotated: (d, n) => `领导批示：${n.text(d.instruction)}${d.assignToUnitId ? `；${ZH.words.handedTo(n.unit(d.assignToUnitId))}` : ''}`,
    CaseResolved: (d, n) => `办结（${ZH.outcome[d.outcome]}）：${n.text(d.summary)}`,
    FeedbackRecorded: (d, n) =>
      `回访评价：${ZH.satisfaction[d.satisfaction]}${d.comment ? `，${n.text(d.comment)}` : ''}` +
      (d.satisfaction === 'unsatisfied' ? '；退回重新办理' : '；案件结案'),
    CaseReopened: (d, n) => `重新办理，理由：${n.text(d.reason)}`,
    CaseClosed: (d, n) => `结案：${n.text(d.summary)}`,
    CaseWithdrawn: (d, n) => `撤回案件，理由：${n.text(d.reason)}`,
    CaseMerged: (d) => `并入案件 ${d.intoCaseId}`,
    DeadlineExtended: (d, n) => `${ZH.clock[d.clock]}时限延长 ${d.workingDays} 个工作日，理由：${n.text(d.reason)}`,
    SlaWarningRaised: (d, n) => `${ZH.clock[d.clock]}时限即将到期（截止 ${n.time(d.dueAt)}）`,
    SlaBreached: (d, n) => `${ZH.clock[d.clock]}已超时（时限 ${n.time(d.dueAt)}）`,
  },
  words: {
    caseHeading: (number, title) => `案件 ${number}「${title}」`,
    timeline: '办理过程',
    timeZone: (zone) => `时间为 ${zone} 时间`,
    stateAtRevision: (revision, time) => `截至第 ${revision} 条记录（${time}）的案件状态`,
    laterEvents: (count) => `（此后还有 ${count} 条记录，未列出）`,
    field: {
      id: '案件标识',
      number: '案件编号',
      title: '标题',
      kind: '类别',
      status: '状态',
      unit: '所在单位',
      filedUnit: '登记单位',
      assignee: '承办人',
      urgency: '紧急程度',
      channel: '来源',
      filer: '反映人',
      supervised: '督办',
      deadlines: '办理时限',
      notes: '办理记录',
      annotations: '领导批示',
      pendingAnnotation: '待批示事项',
      resolution: '办理结果',
      feedback: '回访评价',
      createdAt: '登记时间',
      updatedAt: '最后更新',
    },
    none: '无',
    yes: '是',
    no: '否',
    anonymous: '匿名',
    system: '系统',
    deadline: (clock, due, state) => `${clock}：${due} 前（${state}）`,
    byAt: (by, at) => `${by}，${at}`,
    aside: (main, aside) => `${main}（${aside}）`,
    labelled: (name, value) => `${name}：${value}`,
    tag: (label) => `【${label}】`,
    list: (items) => items.join('；'),
    handedTo: (unit) => `交${unit}办理（督办）`,
    unknownEvent: (type) => `未知记录类型 ${type}`,
  },
};

const EN: Narrative = {
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
  role: { clerk: 'clerk', coordinator: 'coordinator', leader: 'leader', auditor: 'auditor', admin: 'admin', system: 'system' },
  clock: { accept: 'accept', resolve: 'resolve', annotate: 'annotate', callback: 'callback' },
  clockState: { running: 'running', warned: 'warned', breached: 'breached', met: 'met', stopped: 'stopped' },
  outcome: {
    resolved: 'resolved',
    mediated: 'mediated',
    adopted: 'adopted',
    partially_adopted: 'partially adopted',
    not_adopted: 'not adopted',
    unresolvable: 'unresolvable',
  },
  satisfaction: { satisfied: 'satisfied', basically_satisfied: 'basically satisfied', unsatisfied: 'unsatisfied' },
  noteType: { contact: 'contact', visit: 'visit', mediation: 'mediation', note: 'note' },
  visitReason: {
    family_conflict: 'family conflict',
    hospital: 'hospital stay',
    bereavement: 'bereavement',
    hardship: 'hardship',
    festival: 'major festival',
    important_event: 'important event',
  },
  events: {
    CaseFiled: (d, n) =>
      `filed a ${EN.kind[d.kind]} case "${n.text(d.title)}" via ${EN.channel[d.channel]}, urgency ${EN.urgency[d.urgency]}, ` +
      `at ${n.unit(d.unitId)}, filer ${d.filer.anonymous ? EN.words.anonymous : n.text(d.filer.name)}` +
      (d.visitReason ? `, visit reason: ${EN.visitReason[d.visitReason]}` : ''),
    CaseAccepted: (d, n) => `accepted the case${d.note ? `: ${n.text(d.note)}` : ''}`,
    CaseRejected: (d, n) => `rejected the case: ${n.text(d.reason)}`,
    CaseAssigned: (d, n) => `assigned the case to ${n.person(d.assigneeId)} of ${n.unit(d.assigneeUnitId)}`,
    NoteAdded: (d, n) => `added a ${EN.noteType[d.noteType]} note: ${n.text(d.text)}`,
    CaseTransferred: (d, n) => `transferred from ${n.unit(d.fromUnitId)} to ${n.unit(d.toUnitId)}: ${n.text(d.reason)}`,
    CaseEscalated: (d, n) => `escalated from ${n.unit(d.fromUnitId)} to ${n.unit(d.toUnitId)}: ${n.text(d.reason)}`,
    AnnotationRequested: (d, n) => `asked for a leader's annotation: ${n.text(d.summary)}`,
    CaseAnnotated: (d, n) => `annotated: ${n.text(d.instruction)}${d.assignToUnitId ? `; ${EN.words.handedTo(n.unit(d.assignToUnitId))}` : ''}`,
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
  },
  words: {
    caseHeading: (number, title) => `Case ${number} "${title}"`,
    timeline: 'Timeline',
    timeZone: (zone) => `times in ${zone}`,
    stateAtRevision: (revision, time) => `The case as it stood after revision ${revision} (${time})`,
    laterEvents: (count) => `(${count} later ${count === 1 ? 'event' : 'events'} not shown)`,
    field: {
      id: 'Id',
      number: 'Number',
      title: 'Title',
      kind: 'Kind',
      status: 'Status',
      unit: 'Unit',
      filedUnit: 'Filed at',
      assignee: 'Assignee',
      urgency: 'Urgency',
      channel: 'Channel',
      filer: 'Filer',
      supervised: 'Supervised',
      deadlines: 'Deadlines',
      notes: 'Notes',
      annotations: 'Annotations',
      pendingAnnotation: 'Awaiting annotation',
      resolution: 'Resolution',
      feedback: 'Feedback',
      createdAt: 'Filed',
      updatedAt: 'Last change',
    },
    none: 'none',
    yes: 'yes',
    no: 'no',
    anonymous: 'anonymous',
    system: 'system',
    deadline: (clock, due, state) => `${clock}: due ${due} (${state})`,
    byAt: (by, at) => `${by}, ${at}`,
    aside: (main, aside) => `${main} (${aside})`,
    labelled: (name, value) => `${name}: ${value}`,
    tag: (label) => `[${label}] `,
    list: (items) => items.join('; '),
    handedTo: (unit) => `handed to ${unit} under supervision`,
    unknownEvent: (type) => `unknown event type ${type}`,
  },
};

const NARRATIVES: Readonly<Record<Language, Narrative>> = { zh: ZH, en: EN };

export function narrative(language: Language): Narrative {
  return NARRATIVES[language];
}

/** An event in words; an event type this version does not know is named, not guessed at. */
export function describeEvent(language: Language, type: string, data: Record<string, unknown>, naming: Naming): string {
  const table = NARRATIVES[language];
  const describe = (table.events as Record<string, ((data: unknown, naming: Naming) => string) | undefined>)[type];
  return describe ? describe(data, naming) : table.words.unknownEvent(type);
}

/** A label from one of the tables, or the raw value when the table does not have it (data from a newer version). */
export function label<T extends string>(table: Readonly<Record<T, string>>, value: T | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return (table as Record<string, string>)[value] ?? value;
}
