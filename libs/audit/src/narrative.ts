import { labelsFor, type Labels, type Language } from '#domain';

/**
 * The words of the reports on a case (the replay command, the dossier), in Chinese and in
 * English, on top of the label catalogue (`labelsFor` in #domain), which names every value a
 * case field takes and says every event. The types make each table complete.
 */

export interface Narrative extends Labels {
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
  };
}

const ZH_WORDS: Narrative['words'] = {
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
    deadline: (clock, due, state) => `${clock}：${due} 前（${state}）`,
    byAt: (by, at) => `${by}，${at}`,
    aside: (main, aside) => `${main}（${aside}）`,
    labelled: (name, value) => `${name}：${value}`,
    tag: (label) => `【${label}】`,
    list: (items) => items.join('；'),
  };

const EN_WORDS: Narrative['words'] = {
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
    deadline: (clock, due, state) => `${clock}: due ${due} (${state})`,
    byAt: (by, at) => `${by}, ${at}`,
    aside: (main, aside) => `${main} (${aside})`,
    labelled: (name, value) => `${name}: ${value}`,
    tag: (label) => `[${label}] `,
    list: (items) => items.join('; '),
  };

const NARRATIVES: Readonly<Record<Language, Narrative>> = {
  'zh-CN': { ...labelsFor('zh-CN'), words: ZH_WORDS },
  en: { ...labelsFor('en'), words: EN_WORDS },
};

export function narrative(language: Language): Narrative {
  return NARRATIVES[language];
}
