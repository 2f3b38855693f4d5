import { localTime } from '#audit';
import { LANGUAGES, labelsFor, standalone, type CaseEvent, type CaseEventType, type ExistingCase, type Language, type OrgTree, type ResolutionOutcome, type Role, type SlaAlert, type SlaClock } from '#domain';
import type { RecordedEvent } from '#event-store';

/**
 * Which events tell someone that a case needs them, who that is, and what they read.
 *
 * Audiences (the case as it stands right after the event; "unit" is the case's current unit):
 *
 * | event | audience |
 * | --- | --- |
 * | CaseFiled | coordinators of the unit it was filed at (they accept it) |
 * | CaseTransferred, CaseEscalated | coordinators of the unit it arrived at |
 * | AnnotationRequested | leaders who may annotate it: leaders of the unit and of every unit above it |
 * | CaseAnnotated | coordinators of the unit it was handed to (the current unit when not handed on), and the assignee |
 * | CaseResolved | clerks and coordinators of the unit it was filed at: they call the filer back (回访) |
 * | SlaWarningRaised | whoever the running clock waits on (below), and the assignee |
 * | SlaBreached | as for a warning, plus the leaders of the unit above (the city's own leaders at the top) |
 *
 * Whom a clock waits on: `accept` and `resolve` — coordinators of the unit; `annotate` — the
 * leaders who may annotate (as for AnnotationRequested) and the unit's coordinators, who asked;
 * `callback` — coordinators of the unit and the clerks and coordinators of the filing unit (as
 * for CaseResolved).
 *
 * The person whose own action recorded the event is never told about it (`excludeUserIds`).
 */

export const NOTIFYING_EVENT_TYPES = [
  'CaseFiled',
  'CaseTransferred',
  'CaseEscalated',
  'AnnotationRequested',
  'CaseAnnotated',
  'CaseResolved',
  'SlaWarningRaised',
  'SlaBreached',
] as const satisfies readonly CaseEventType[];
export type NotifyingEventType = (typeof NOTIFYING_EVENT_TYPES)[number];

/** What a notification can be about: a case's event, or a bulletin's publication (see bulletin-notification.ts). */
export type NotificationType = NotifyingEventType | 'BulletinPublished';

export function isNotifyingEventType(type: string): type is NotifyingEventType {
  return (NOTIFYING_EVENT_TYPES as readonly string[]).includes(type);
}

/** Everyone holding one of `roles` at one of `unitIds`. */
export interface AudienceGroup {
  readonly roles: readonly Role[];
  readonly unitIds: readonly string[];
}

/**
 * Who a notification is for, before it is resolved against the users table: the members of any
 * group, plus named users, minus `excludeUserIds`. A group, not one role list and one unit list,
 * so that "coordinators here and leaders one level up" does not also mean leaders here and
 * coordinators one level up.
 */
export interface Audience {
  readonly groups: readonly AudienceGroup[];
  readonly userIds: readonly string[];
  readonly excludeUserIds: readonly string[];
}

/** The event a notification comes from, as webhooks and the in-app list show it. */
export interface NotificationEventRef {
  readonly type: NotificationType;
  readonly revision: number;
  /** The global log position (what API responses call `position`). */
  readonly position: number;
  /** When the event was recorded, ISO 8601 with offset. */
  readonly at: string;
}

/** A notification's line in each language, keyed by the catalogue's language codes (`zh-CN`, `en`). */
export type NotificationTexts = Readonly<Record<Language, string>>;

/** One notification, derived from one event: plain JSON, so it can travel as a job's data. */
export interface Notification {
  /** The event id: the same for every delivery attempt and every replay of the log. */
  readonly deliveryId: string;
  readonly type: NotificationType;
  /** The case it tells of; null when it tells of a bulletin. */
  readonly caseId: string | null;
  readonly caseNumber: string | null;
  /** The bulletin it tells of (BulletinPublished); absent when it tells of a case. */
  readonly bulletinId?: string;
  /** The case's current unit after the event (a bulletin's own unit). */
  readonly unitId: string;
  readonly audience: Audience;
  /** One line of Chinese, e.g. 案件 MY-2026-000001「停车位纠纷」已由东关社区上报至东关街道，请及时受理: `texts['zh-CN']`. */
  readonly text: string;
  /** The same line in every language of the label catalogue. */
  readonly texts: NotificationTexts;
  readonly event: NotificationEventRef;
}

export interface NotificationOptions {
  /** The IANA time zone deadlines are shown in (default Asia/Shanghai). */
  readonly timeZone?: string;
}

/** The longest quote of free text (a summary, an instruction, a title) a notification carries. */
const QUOTE_MAX = 60;

/**
 * The notification an event gives rise to, or null when the event notifies no one. `caseState`
 * is the case right after the event. Pure: the same event always gives the same notification.
 */
export function notificationFor(recorded: RecordedEvent, caseState: ExistingCase, org: OrgTree, options: NotificationOptions = {}): Notification | null {
  if (!isNotifyingEventType(recorded.type)) return null;
  const event = { type: recorded.type, data: recorded.data } as CaseEvent;
  const content = describe(event, caseState, org, options.timeZone ?? 'Asia/Shanghai');
  if (content === null) return null;
  const actorId = recorded.metadata.actorId;
  return {
    deliveryId: recorded.id,
    type: recorded.type,
    caseId: caseState.id,
    caseNumber: caseState.number,
    unitId: caseState.unitId,
    audience: {
      groups: content.groups.filter((group) => group.roles.length > 0 && group.unitIds.length > 0),
      userIds: unique(content.userIds.filter((id): id is string => id !== null && id !== actorId)),
      excludeUserIds: actorId === 'system' ? [] : [actorId],
    },
    text: content.texts['zh-CN'],
    texts: content.texts,
    event: { type: recorded.type, revision: recorded.revision, position: recorded.globalPosition, at: recorded.metadata.at },
  };
}

interface Content {
  readonly texts: NotificationTexts;
  readonly groups: readonly AudienceGroup[];
  readonly userIds: readonly (string | null)[];
}

/** What a notification says, in one language; `subject` names the case. */
interface Sentences {
  readonly subject: (number: string, title: string) => string;
  readonly filed: (subject: string, unit: string) => string;
  readonly transferred: (subject: string, from: string, to: string) => string;
  readonly escalated: (subject: string, from: string, to: string) => string;
  readonly annotationRequested: (subject: string, unit: string, summary: string) => string;
  readonly annotated: (subject: string, instruction: string, handedTo: string | null) => string;
  readonly resolved: (subject: string, outcome: ResolutionOutcome) => string;
  readonly warned: (subject: string, clock: SlaClock, due: string) => string;
  readonly breached: (subject: string, clock: SlaClock, due: string) => string;
}

const ZH_CN = labelsFor('zh-CN');
const EN = labelsFor('en');

const SENTENCES: Readonly<Record<Language, Sentences>> = {
  'zh-CN': {
    subject: (number, title) => `案件 ${number}「${title}」`,
    filed: (subject, unit) => `${subject}已在${unit}登记，请及时受理`,
    transferred: (subject, from, to) => `${subject}已由${from}转交至${to}，请及时受理`,
    escalated: (subject, from, to) => `${subject}已由${from}上报至${to}，请及时受理`,
    annotationRequested: (subject, unit, summary) => `${subject}由${unit}提请领导批示：${summary}`,
    annotated: (subject, instruction, handedTo) => `领导已批示${subject}：${instruction}${handedTo === null ? '' : `，${ZH_CN.handedTo(handedTo)}`}`,
    resolved: (subject, outcome) => `${subject}已办结（${ZH_CN.outcome[outcome]}），请及时回访当事人`,
    warned: (subject, clock, due) => `${subject}${ZH_CN.deadline[clock]}即将到期（${due}），请抓紧办理`,
    breached: (subject, clock, due) => `${subject}${ZH_CN.clock[clock]}已超时（时限 ${due}），请督促办理`,
  },
  en: {
    subject: (number, title) => `case ${number} "${title}"`,
    filed: (subject, unit) => `${standalone(subject)} was filed at ${unit}; please accept it`,
    transferred: (subject, from, to) => `${standalone(subject)} was transferred from ${from} to ${to}; please accept it`,
    escalated: (subject, from, to) => `${standalone(subject)} was escalated from ${from} to ${to}; please accept it`,
    annotationRequested: (subject, unit, summary) => `${unit} asks a leader to annotate ${subject}: ${summary}`,
    annotated: (subject, instruction, handedTo) => `A leader annotated ${subject}: ${instruction}${handedTo === null ? '' : `; ${EN.handedTo(handedTo)}`}`,
    resolved: (subject, outcome) => `${standalone(subject)} was resolved (${EN.outcome[outcome]}); please call the filer back`,
    warned: (subject, clock, due) => `The ${EN.clock[clock]} deadline of ${subject} is near (${due}); please act on it soon`,
    breached: (subject, clock, due) => `The ${EN.clock[clock]} deadline of ${subject} was missed (due ${due}); please see that it is dealt with`,
  },
};

/** The same sentence in every language. */
function inEveryLanguage(say: (sentences: Sentences, subject: string) => string, state: ExistingCase): NotificationTexts {
  const title = quote(state.title);
  const inOne = (sentences: Sentences) => say(sentences, sentences.subject(state.number, title));
  return Object.fromEntries(LANGUAGES.map((language) => [language, inOne(SENTENCES[language])])) as Record<Language, string>;
}

function describe(event: CaseEvent, state: ExistingCase, org: OrgTree, timeZone: string): Content | null {
  const here = state.unitId;
  const name = (unitId: string) => unitName(org, unitId);
  const texts = (say: (sentences: Sentences, subject: string) => string) => inEveryLanguage(say, state);
  switch (event.type) {
    case 'CaseFiled':
      return { texts: texts((s, subject) => s.filed(subject, name(here))), groups: [coordinatorsOf(here)], userIds: [] };
    case 'CaseTransferred': {
      const { fromUnitId, toUnitId } = event.data;
      return { texts: texts((s, subject) => s.transferred(subject, name(fromUnitId), name(toUnitId))), groups: [coordinatorsOf(toUnitId)], userIds: [] };
    }
    case 'CaseEscalated': {
      const { fromUnitId, toUnitId } = event.data;
      return { texts: texts((s, subject) => s.escalated(subject, name(fromUnitId), name(toUnitId))), groups: [coordinatorsOf(toUnitId)], userIds: [] };
    }
    case 'AnnotationRequested': {
      const summary = quote(event.data.summary);
      return { texts: texts((s, subject) => s.annotationRequested(subject, name(here), summary)), groups: [annotatingLeaders(org, here)], userIds: [] };
    }
    case 'CaseAnnotated': {
      const handedTo = event.data.assignToUnitId;
      const instruction = quote(event.data.instruction);
      return {
        texts: texts((s, subject) => s.annotated(subject, instruction, handedTo === null ? null : name(handedTo))),
        groups: [coordinatorsOf(handedTo ?? here)],
        userIds: [state.assigneeId],
      };
    }
    case 'CaseResolved': {
      const { outcome } = event.data;
      return { texts: texts((s, subject) => s.resolved(subject, outcome)), groups: [callbackStaff(state)], userIds: [] };
    }
    case 'SlaWarningRaised': {
      const { clock } = event.data;
      const due = deadline(event.data, timeZone);
      return { texts: texts((s, subject) => s.warned(subject, clock, due)), groups: waitingOn(clock, state, org), userIds: [state.assigneeId] };
    }
    case 'SlaBreached': {
      const { clock } = event.data;
      const due = deadline(event.data, timeZone);
      const above = org.has(here) ? (org.parentOf(here)?.id ?? here) : here;
      return {
        texts: texts((s, subject) => s.breached(subject, clock, due)),
        groups: [...waitingOn(clock, state, org), leadersOf(above)],
        userIds: [state.assigneeId],
      };
    }
    default:
      return null;
  }
}

/**
 * A notification's texts. A notification queued by a version that wrote Chinese only (a job
 * still waiting when the server was upgraded) has no `texts`: its Chinese line stands for all.
 */
export function textsOf(notification: Notification): NotificationTexts {
  return notification.texts ?? { 'zh-CN': notification.text, en: notification.text };
}

/** Who a running clock waits on (see the table above). */
function waitingOn(clock: SlaClock, state: ExistingCase, org: OrgTree): AudienceGroup[] {
  switch (clock) {
    case 'accept':
    case 'resolve':
      return [coordinatorsOf(state.unitId)];
    case 'annotate':
      return [annotatingLeaders(org, state.unitId), coordinatorsOf(state.unitId)];
    case 'callback':
      return [coordinatorsOf(state.unitId), callbackStaff(state)];
  }
}

function coordinatorsOf(unitId: string): AudienceGroup {
  return { roles: ['coordinator'], unitIds: [unitId] };
}

function leadersOf(unitId: string): AudienceGroup {
  return { roles: ['leader'], unitIds: [unitId] };
}

/** Leaders whose subtree holds the case's unit: that unit's and every unit's above it. */
function annotatingLeaders(org: OrgTree, unitId: string): AudienceGroup {
  const above = org.has(unitId) ? org.ancestors(unitId).map((unit) => unit.id) : [];
  return { roles: ['leader'], unitIds: [unitId, ...above] };
}

/** The filing unit's clerks and coordinators, who took the filer's report and call them back. */
function callbackStaff(state: ExistingCase): AudienceGroup {
  return { roles: ['clerk', 'coordinator'], unitIds: [state.filedUnitId] };
}

/** A unit's name; its id when the org tree no longer knows it (a renamed or removed unit). */
function unitName(org: OrgTree, unitId: string): string {
  return org.has(unitId) ? org.get(unitId).name : unitId;
}

/** `YYYY-MM-DD HH:mm` in the time zone: the reports' local time, to the minute. */
function deadline(alert: SlaAlert, timeZone: string): string {
  return localTime(alert.dueAt, timeZone).slice(0, 16);
}

/** Free text on one line, clipped to QUOTE_MAX characters (code points, so no half a character). */
function quote(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length <= QUOTE_MAX ? line : `${chars.slice(0, QUOTE_MAX - 1).join('')}…`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
