import { describeEvent, label, type ActorRole } from '#domain';
import type { RecordedEvent } from '#event-store';
import { narrative } from './narrative.js';
import { localTime, namingFor, personName, unitName, type ReportContext } from './report-context.js';

/** One event of a case as a timeline shows it. */
export interface TimelineEntry {
  readonly revision: number;
  /** The global log position. */
  readonly position: number;
  readonly type: string;
  /** When it was recorded (ISO 8601, as stored). */
  readonly at: string;
  /** The same time in the report's time zone, `YYYY-MM-DD HH:mm:ss`. */
  readonly localTime: string;
  readonly actor: { readonly id: string; readonly name: string; readonly role: string; readonly roleLabel: string };
  /** The acting person's unit; null for the system. */
  readonly unit: { readonly id: string; readonly name: string } | null;
  /** The event in words, with its important fields. */
  readonly description: string;
}

export function caseTimeline(events: readonly RecordedEvent[], context: ReportContext): TimelineEntry[] {
  const words = narrative(context.language);
  const naming = namingFor(context);
  return events.map((event) => {
    const { actorId, actorRole, unitId, at } = event.metadata;
    return {
      revision: event.revision,
      position: event.globalPosition,
      type: event.type,
      at,
      localTime: localTime(at, context.timeZone),
      actor: { id: actorId, name: personName(context, actorId), role: actorRole, roleLabel: label(words.role, actorRole as ActorRole) },
      unit: unitId === null ? null : { id: unitId, name: unitName(context, unitId) },
      description: describeEvent(context.language, event.type, event.data, naming),
    };
  });
}
