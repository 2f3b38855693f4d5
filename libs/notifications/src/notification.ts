import { localTime } from '#audit';
import { labelsFor, type CaseEvent, type CaseEventType, type ExistingCase, type OrgTree, type Role, type SlaAlert, type SlaClock } from '#domain';
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
  readonly type: NotifyingEventType;
  readonly revision: number;
  /** The global log position (what API responses call `position`). */
  readonly position: number;
  /** When the event was recorded, ISO 8601 with offset. */
  readonly at: string;
}

/** One notification, derived from one event: plain JSON, so it can travel as a job's data. */
export interface Notification {
  /** The event id: the same for every delivery attempt and every replay of the log. */
  readonly deliveryId: string;
  readonly type: NotifyingEventType;
  readonly caseId: string;
  readonly caseNumber: string;
  /** The case's current unit after the event. */
  readonly unitId: string;
  readonly audience: Audience;
  /** One line of Chinese, e.g. 案件 MY-2026-000001「停车位纠纷」已由东关社区上报至东关街道，请及时受理. */
  readonly text: string;
  readonly event: NotificationEventRef;
}

export interface NotificationOptions {
  /** The IANA time zone deadlines are shown in (default Asia/Shanghai). */
  readonly timeZone?: string;
}

/** The Chinese names of clocks and outcomes, from the label catalogue. */
const ZH = labelsFor('zh-CN');

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
    text: content.text,
    event: { type: recorded.type, revision: recorded.revision, position: recorded.globalPosition, at: recorded.metadata.at },
  };
}

interface Content {
  readonly text: string;
  readonly groups: readonly AudienceGroup[];
  readonly userIds: readonly (string | null)[];
}

function describe(event: CaseEvent, state: ExistingCase, org: OrgTree, timeZone: string): Content | null {
  const subject = `案件 ${state.number}「${quote(state.title)}」`;
  const here = state.unitId;
  const name = (unitId: string) => unitName(org, unitId);
  switch (event.type) {
    case 'CaseFiled':
      return { text: `${subject}已在${name(here)}登记，请及时受理`, groups: [coordinatorsOf(here)], userIds: [] };
    case 'CaseTransferred':
      return {
        text: `${subject}已由${name(event.data.fromUnitId)}转交至${name(event.data.toUnitId)}，请及时受理`,
        groups: [coordinatorsOf(event.data.toUnitId)],
        userIds: [],
      };
    case 'CaseEscalated':
      return {
        text: `${subject}已由${name(event.data.fromUnitId)}上报至${name(event.data.toUnitId)}，请及时受理`,
        groups: [coordinatorsOf(event.data.toUnitId)],
        userIds: [],
      };
    case 'AnnotationRequested':
      return { text: `${subject}由${name(here)}提请领导批示：${quote(event.data.summary)}`, groups: [annotatingLeaders(org, here)], userIds: [] };
    case 'CaseAnnotated': {
      const handedTo = event.data.assignToUnitId;
      const handed = handedTo === null ? '' : `，交${name(handedTo)}办理（督办）`;
      return {
        text: `领导已批示${subject}：${quote(event.data.instruction)}${handed}`,
        groups: [coordinatorsOf(handedTo ?? here)],
        userIds: [state.assigneeId],
      };
    }
    case 'CaseResolved':
      return {
        text: `${subject}已办结（${ZH.outcome[event.data.outcome]}），请及时回访当事人`,
        groups: [callbackStaff(state)],
        userIds: [],
      };
    case 'SlaWarningRaised':
      return {
        text: `${subject}${ZH.clock[event.data.clock]}时限即将到期（${deadline(event.data, timeZone)}），请抓紧办理`,
        groups: waitingOn(event.data.clock, state, org),
        userIds: [state.assigneeId],
      };
    case 'SlaBreached': {
      const above = org.has(here) ? (org.parentOf(here)?.id ?? here) : here;
      return {
        text: `${subject}${ZH.clock[event.data.clock]}已超时（时限 ${deadline(event.data, timeZone)}），请督促办理`,
        groups: [...waitingOn(event.data.clock, state, org), leadersOf(above)],
        userIds: [state.assigneeId],
      };
    }
    default:
      return null;
  }
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
