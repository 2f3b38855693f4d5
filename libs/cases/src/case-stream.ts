import { fold, type CaseEvent, type CaseEventWithMeta, type CaseState } from '#domain';
import type { EventStore, RecordedEvent } from '#event-store';

const PREFIX = 'case-';

/** A case is one event stream, `case-<uuid>`. */
export function caseStreamId(caseId: string): string {
  return `${PREFIX}${caseId}`;
}

export function isCaseStream(streamId: string): boolean {
  return streamId.startsWith(PREFIX);
}

export function caseIdOf(streamId: string): string {
  return streamId.slice(PREFIX.length);
}

/** A batch of the global log's case events, grouped by case id, each case's in log order. */
export function caseEventsByCase(events: readonly RecordedEvent[]): Map<string, RecordedEvent[]> {
  const byCase = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    if (!isCaseStream(event.streamId)) continue;
    const caseId = caseIdOf(event.streamId);
    const caseEvents = byCase.get(caseId);
    if (caseEvents) caseEvents.push(event);
    else byCase.set(caseId, [event]);
  }
  return byCase;
}

/**
 * The cases of a grouped batch that began before it (their first event here is not their filing):
 * only these can have a read-model row already, so only these need reading back.
 */
export function casesBegunBefore(byCase: ReadonlyMap<string, readonly RecordedEvent[]>): string[] {
  return [...byCase].filter(([, caseEvents]) => caseEvents[0]!.revision > 0).map(([caseId]) => caseId);
}

/** A stored event as the domain folds it. */
export function toCaseEvent(recorded: RecordedEvent): CaseEventWithMeta {
  const { at, actorId, actorRole, unitId } = recorded.metadata;
  return {
    event: { type: recorded.type, data: recorded.data } as CaseEvent,
    meta: { at, actorId, actorRole, unitId },
  };
}

export interface LoadedCase {
  readonly state: CaseState;
  /** The revision of the stream's last event; null when the case does not exist. */
  readonly revision: number | null;
  readonly events: readonly RecordedEvent[];
}

/** Reads a case's stream and folds it: the case exactly as it stands now. */
export async function loadCase(store: EventStore, caseId: string): Promise<LoadedCase> {
  const events = await store.readStream(caseStreamId(caseId));
  return {
    state: fold(events.map(toCaseEvent)),
    revision: events.length > 0 ? events[events.length - 1]!.revision : null,
    events,
  };
}
