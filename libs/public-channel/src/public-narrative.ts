import { currentDeadlines, label, labelsFor, type AdoptionLevel, type CaseEventDataMap, type CaseEventType, type Clock, type Language, type OrgLevel, type OrgTree } from '#domain';

/**
 * How the public timeline tells a resident what happened to their case: which level holds it,
 * accepted, passed on, answered. It never names a person, never quotes a note, a reason or a
 * leader's instruction (staff write those for each other, and they may name people); what the
 * answer says is shown apart, as the resolution.
 */

/** A unit as the resident sees it: its name and its level. */
export interface PublicUnit {
  readonly name: string;
  readonly level: OrgLevel;
}

type Say = { readonly [T in CaseEventType]?: (data: CaseEventDataMap[T], unit: (unitId: string) => string) => string };

const LEVEL: Record<Language, Record<OrgLevel, string>> = {
  'zh-CN': { city: '市级', county: '区县级', town: '街道乡镇级', community: '社区村级', grid: '网格' },
  en: { city: 'city', county: 'county', town: 'town', community: 'community', grid: 'grid' },
};

/** Adoption levels as the timeline says them; they reach above the org tree (province, nation). */
const ADOPTION_LEVEL: Record<Language, Record<AdoptionLevel, string>> = {
  'zh-CN': { community: '社区村级', town: '街道乡镇级', county: '区县级', city: '市级', province: '省级', national: '国家级' },
  en: { community: 'community', town: 'town', county: 'county', city: 'city', province: 'province', national: 'national' },
};

const ZH: Say = {
  CaseFiled: (d, unit) => `您的反映已提交至${unit(d.unitId)}`,
  CaseAccepted: () => '已受理，正在协调办理',
  CaseRejected: () => '经审核，不予受理',
  CaseAssigned: () => '已安排专人承办',
  CaseTransferred: (d, unit) => `转交${unit(d.toUnitId)}办理`,
  CaseEscalated: (d, unit) => `上报${unit(d.toUnitId)}协调办理`,
  AnnotationRequested: () => '已报请领导批示',
  CaseAnnotated: (d, unit) => (d.assignToUnitId ? `领导已批示，交${unit(d.assignToUnitId)}督办` : '领导已批示'),
  CaseResolved: (d) => `已办结（${label(labelsFor('zh-CN').outcome, d.outcome)}），请您评价`,
  FeedbackRecorded: (d) => `评价：${label(labelsFor('zh-CN').satisfaction, d.satisfaction)}${d.satisfaction === 'unsatisfied' ? '，重新办理' : ''}`,
  CaseReopened: () => '重新办理',
  CaseClosed: () => '已结案',
  CaseWithdrawn: () => '已撤回',
  CaseMerged: () => '与反映同一问题的案件合并办理',
  DeadlineExtended: (d) => `办理时限延长 ${d.workingDays} 个工作日`,
  // The level and the kind only: what was adopted is staff's text.
  SuggestionAdopted: (d) => `您反映的意见获${ADOPTION_LEVEL['zh-CN'][d.level]}${label(labelsFor('zh-CN').adoptionKind, d.kind)}`,
};

const EN: Say = {
  CaseFiled: (d, unit) => `Your report was sent to ${unit(d.unitId)}`,
  CaseAccepted: () => 'Accepted; being worked on',
  CaseRejected: () => 'Not accepted after review',
  CaseAssigned: () => 'A case officer was assigned',
  CaseTransferred: (d, unit) => `Passed to ${unit(d.toUnitId)}`,
  CaseEscalated: (d, unit) => `Escalated to ${unit(d.toUnitId)}`,
  AnnotationRequested: () => 'Referred to a leader for instructions',
  CaseAnnotated: (d, unit) => (d.assignToUnitId ? `A leader gave instructions and handed it to ${unit(d.assignToUnitId)} under supervision` : 'A leader gave instructions'),
  CaseResolved: (d) => `Answered (${label(labelsFor('en').outcome, d.outcome)}); please rate the answer`,
  FeedbackRecorded: (d) => `Rated: ${label(labelsFor('en').satisfaction, d.satisfaction)}${d.satisfaction === 'unsatisfied' ? '; being worked on again' : ''}`,
  CaseReopened: () => 'Being worked on again',
  CaseClosed: () => 'Closed',
  CaseWithdrawn: () => 'Withdrawn',
  CaseMerged: () => 'Joined with a case about the same matter',
  DeadlineExtended: (d) => `Deadline extended by ${d.workingDays} working days`,
  SuggestionAdopted: (d) =>
    d.kind === 'annotated' ? `A ${ADOPTION_LEVEL.en[d.level]} leader gave instructions on your opinion` : `Your opinion was adopted at ${ADOPTION_LEVEL.en[d.level]} level`,
};

const SAY: Record<Language, Say> = { 'zh-CN': ZH, en: EN };

/** The event types the public timeline tells of: the others are staff work. */
export const PUBLIC_STEP_TYPES = Object.keys(ZH) as CaseEventType[];

/** A unit as the public routes name it; a unit the org tree no longer has is named by its id. */
export function publicUnitOf(org: OrgTree, unitId: string): PublicUnit {
  if (!org.has(unitId)) return { name: unitId, level: 'community' };
  const { name, level } = org.get(unitId);
  return { name, level };
}

/** The deadline a resident is told of: the running resolve deadline, else the running accept deadline. */
export function publicDueAt(clocks: readonly Clock[]): string | null {
  const running = currentDeadlines(clocks).filter((deadline) => deadline.state === 'running' || deadline.state === 'warned');
  return (running.find((deadline) => deadline.clock === 'resolve') ?? running.find((deadline) => deadline.clock === 'accept'))?.dueAt ?? null;
}

/** `东关社区（社区村级）` / `东关社区 (community)`. */
export function publicUnitName(unit: PublicUnit, language: Language): string {
  return language === 'zh-CN' ? `${unit.name}（${LEVEL[language][unit.level]}）` : `${unit.name} (${LEVEL[language][unit.level]})`;
}

/**
 * The event in the resident's words, or null for what the timeline leaves out: notes, files
 * added, SLA warnings and breaches (staff work, not steps of the case).
 */
export function publicStep(language: Language, type: string, data: Record<string, unknown>, unit: (unitId: string) => PublicUnit): string | null {
  const say = (SAY[language] as Record<string, ((data: unknown, unit: (unitId: string) => string) => string) | undefined>)[type];
  return say ? say(data, (unitId) => publicUnitName(unit(unitId), language)) : null;
}
