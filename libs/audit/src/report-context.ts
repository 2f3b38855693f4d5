import { labelsFor, localDateTime, PUBLIC_ACTOR, SYSTEM_ACTOR, type Language, type Naming, type OrgTree } from '#domain';
import type { Colleague } from '#cases';
import type { RecordedEvent } from '#event-store';

/** A person as reports name them: who they are and where they work. */
export type Person = Colleague;

/** What a report needs to name things: the org tree, the people its events mention, its time zone and language. */
export interface ReportContext {
  readonly language: Language;
  readonly org: OrgTree;
  /** By user id; ids missing here are shown as they are. */
  readonly people: ReadonlyMap<string, Person>;
  /** IANA time zone the times are shown in (the SLA policy's, Asia/Shanghai by default). */
  readonly timeZone: string;
}

/** Every user id a case's events mention: who acted, who was assigned. */
function userIdsIn(events: readonly RecordedEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    if (event.metadata.actorId !== SYSTEM_ACTOR.userId && event.metadata.actorId !== PUBLIC_ACTOR.userId) ids.add(event.metadata.actorId);
    if (event.type === 'CaseAssigned' && typeof event.data.assigneeId === 'string') ids.add(event.data.assigneeId);
  }
  return [...ids];
}

/** The people a case's events name (who acted, who was assigned), by id, as far as the accounts know them: one lookup for all. */
export async function peopleNamedIn(events: readonly RecordedEvent[], findByIds: (ids: readonly string[]) => Promise<readonly Person[]>): Promise<Map<string, Person>> {
  const people = await findByIds(userIdsIn(events));
  return new Map(people.map((person) => [person.id, person]));
}

/** `2026-11-02 09:05:00` in the time zone; the text as it was when it is not a time. */
export function localTime(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : localDateTime(ms, timeZone);
}

export function unitName(context: ReportContext, unitId: string): string {
  return context.org.has(unitId) ? context.org.get(unitId).name : unitId;
}

/** `王协调（hd-dg.coordinator）`; the system; the resident of a public filing; or the id when no account has it. */
export function personName(context: ReportContext, userId: string): string {
  if (userId === SYSTEM_ACTOR.userId) return labelsFor(context.language).role.system;
  if (userId === PUBLIC_ACTOR.userId) return labelsFor(context.language).role.public;
  const person = context.people.get(userId);
  if (!person) return userId;
  return context.language === 'zh-CN' ? `${person.displayName}（${person.username}）` : `${person.displayName} (${person.username})`;
}

export function namingFor(context: ReportContext): Naming {
  return {
    unit: (unitId) => unitName(context, unitId),
    person: (userId) => personName(context, userId),
    time: (iso) => localTime(iso, context.timeZone),
    text: (value) => value.replace(/\s+/g, ' ').trim(),
  };
}
